"""The day-before reminder of a booked session, to the asker and the helper, once each.

The dispatcher (hourly) takes every booked session starting within REMIND_AHEAD but not
within TOO_LATE and enqueues one send per person not yet reminded for that start time.
Every session is thus reminded at the first run once it is under a day away, however
many runs were missed before. The send claims ``reminder_key`` in SentNotice
(notices.send_once), so repeated dispatches and retried tasks email nobody twice; a
rescheduled session has a new start, so a new key, and is reminded again for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from pairing.models import HelpSession, SentNotice
from pairing.notices import send_once
from pairing.situational.invites import session_url
from programs.accounts import sign_in_link
from programs.emails import send_templated
from programs.models import Participant

# "The day before": a session is reminded from a day ahead of its start ...
REMIND_AHEAD = timedelta(hours=24)
# ... but not in its last hour, when a reminder only arrives as the meeting opens.
TOO_LATE = timedelta(hours=1)


def _key(uid, starts_at: datetime) -> str:
    return f"session:{uid}:reminder:{starts_at.isoformat()}"


def reminder_key(session: HelpSession) -> str:
    """A reminder per session and start: a moved session is reminded again."""
    return _key(session.uid, session.starts_at)


def _due(now: datetime) -> Q:
    return Q(
        status=HelpSession.Status.BOOKED,
        starts_at__gt=now + TOO_LATE,
        starts_at__lte=now + REMIND_AHEAD,
    )


def reminders_due(*, now: datetime) -> list[tuple[int, int]]:
    """(session id, participant id) of each asker and helper of a session due a reminder
    (REMIND_AHEAD, TOO_LATE) who has not had it for its current start. Two queries."""
    sessions = list(
        HelpSession.objects.filter(_due(now))
        .order_by("starts_at", "pk")
        .values_list("pk", "uid", "starts_at", "challenge__asker_id", "helper_id")
    )
    keys = {pk: _key(uid, starts_at) for pk, uid, starts_at, _, _ in sessions}
    sent = set(
        SentNotice.objects.filter(key__in=keys.values()).values_list("key", "participant_id")
    )
    return [
        (pk, person)
        for pk, _, _, asker, helper in sessions
        for person in (asker, helper)
        if (keys[pk], person) not in sent
    ]


def when_in(instant: datetime, zone: ZoneInfo) -> str:
    """A start time as its reader reads it: "Tuesday 8 December 2026, 09:30 (America/
    New_York, EST)"."""
    local = instant.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({zone.key}, {local.tzname()})"


def session_reminder_send(*, session_id: int, participant_id: int, now: datetime) -> bool:
    """Remind one person (the asker or the helper) of a session starting within a day, once
    for its current start time; False when nothing was sent (reminded already, or the
    session was cancelled, moved out of the window or held meanwhile)."""
    session = (
        HelpSession.objects.filter(_due(now), pk=session_id)
        .select_related(
            "challenge__asker__employee__user",
            "challenge__asker__program",
            "helper__employee__user",
        )
        .first()
    )
    if session is None:
        return False
    asker, helper = session.challenge.asker, session.helper
    if participant_id not in (asker.pk, helper.pk):
        return False
    me, other = (asker, helper) if participant_id == asker.pk else (helper, asker)
    return send_once(
        key=reminder_key(session),
        participant=me,
        send=lambda: _send(session=session, me=me, other=other),
    )


def _send(*, session: HelpSession, me: Participant, other: Participant) -> None:
    user = me.employee.user
    send_templated(
        name="session-reminder",
        to=[me.employee.email],
        context={
            "name": me.employee.name,
            "other": other.employee.name,
            "is_helper": me.pk == session.helper_id,
            "program": session.challenge.asker.program,
            "challenge": session.challenge.text,
            "when": when_in(session.starts_at, me.employee.tzinfo),
            "minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
            "session_url": session_url(session),
            # Someone who never signed in needs their set-your-password link first.
            "sign_in_link": sign_in_link(user) if user.last_login is None else "",
        },
    )
