"""The session invitations: one email per person per SEQUENCE, with the .ics.

A booking and every move is a METHOD:REQUEST, a cancellation a METHOD:CANCEL, all with the
session's UID, so each person's calendar replaces or removes the event it holds. The email
states the time in the recipient's own time zone; the .ics carries UTC.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pairing import ics
from pairing.emails import CALENDAR_MIMETYPE
from pairing.models import HelpSession
from pairing.notices import send_once
from programs.accounts import sign_in_link
from programs.emails import send_templated
from programs.models import Participant


def session_summary(session: HelpSession) -> str:
    topics = ", ".join(t.name for t in session.challenge.topics.all())
    return f"Help with {topics}" if topics else "Help session"


def session_url(session: HelpSession) -> str:
    """The session page, absolute, for emails: the one place its address is built."""
    return settings.SITE_URL + reverse("pairing:session_detail", args=[session.pk])


def session_ics(session: HelpSession) -> bytes:
    """The session's .ics at its current SEQUENCE: a CANCEL once cancelled, else a REQUEST.
    The helper organises; both attend."""
    helper = session.helper.employee
    asker = session.challenge.asker.employee
    organizer = ics.Attendee(name=helper.name, email=helper.email)
    event = ics.Event(
        uid=ics.uid_for(session.uid),
        sequence=session.sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=session_summary(session),
        description=f"{session.challenge.text}\n\n{session_url(session)}",
        organizer=organizer,
        attendees=[organizer, ics.Attendee(name=asker.name, email=asker.email)],
        url=session_url(session),
    )
    cancelled = session.status == HelpSession.Status.CANCELLED
    return ics.invitation(
        event, method=ics.CANCEL if cancelled else ics.REQUEST, stamp=timezone.now()
    )


def _send(session: HelpSession, recipient: Participant, other: Participant, body: bytes) -> None:
    employee = recipient.employee
    cancelled = session.status == HelpSession.Status.CANCELLED
    send_templated(
        name="session-cancelled" if cancelled else "session-invite",
        to=[employee.email],
        context={
            "name": employee.name,
            "other": other.employee.name,
            "is_helper": recipient.pk == session.helper_id,
            "session": session,
            "summary": session_summary(session),
            "challenge": session.challenge,
            "program": session.helper.program,
            "tz": employee.tzinfo,
            "tz_name": employee.time_zone,
            "moved": session.sequence > 0,
            "cancelled_by": getattr(getattr(session.cancelled_by, "employee", None), "name", ""),
            "session_url": session_url(session),
            "sign_in_link": sign_in_link(employee.user) if employee.user.last_login is None else "",
        },
        attachments=[("session.ics", body, CALENDAR_MIMETYPE)],
    )


def session_invites_send(*, session_id: int, sequence: int) -> int:
    """Send invitation ``sequence`` of a session to the asker and the helper, each once
    (pairing.notices.send_once); how many went out now. Nothing when the session is gone
    or has moved on to a later SEQUENCE (that one's task tells them)."""
    session = (
        HelpSession.objects.select_related(
            "challenge__asker__employee__user",
            "helper__employee__user",
            "helper__program",
            "cancelled_by__employee",
        )
        .prefetch_related("challenge__topics")
        .filter(pk=session_id, sequence=sequence)
        .first()
    )
    if session is None:
        return 0
    body = session_ics(session)
    asker, helper = session.challenge.asker, session.helper
    sent = 0
    for recipient, other in ((asker, helper), (helper, asker)):
        sent += send_once(
            key=f"session:{session.uid}:invite:{sequence}",
            participant=recipient,
            send=lambda r=recipient, o=other: _send(session, r, o, body),
        )
    return sent
