"""Check-in scheduling and reminders: the arithmetic, the dispatcher and the sender.

The database is the source of truth. Every minute the dispatcher works out, from the
pairings themselves, which reminders apply now; it creates the rows that are due (one per
pairing, recipient, kind and due date: the unique slot), cancels unsent rows that no
longer apply, releases claims a dead worker left behind, and returns the ids ready to
send. Nothing is scheduled ahead in the broker, so a lost message or a worker restart
costs at most a minute.

Sending is claim, re-check, hand over, stamp. The claim is a conditional UPDATE, so of any
number of workers holding the same id exactly one sends; it is a short lease (CLAIM_LEASE)
held under the task's id. ``handed_over_at`` is stamped just before the mail server gets
the message and ``sent_at`` just after, so the window in doubt is one SMTP transaction and
one UPDATE. A worker that dies leaves a claim that the next dispatcher run after the lease
releases, or that the same task, redelivered, resumes at once. A claim that had not reached
the mail server is simply sent. One that may have is sent again with the same Message-ID,
so mail clients can fold a duplicate: a lost reminder costs more than a duplicate one. Such
a row keeps ``doubted_at`` and HR sees it on the programme dashboard.

Dates: a check-in due on day D is reminded at 09:00 on D in each recipient's own time
zone. Days are added as days (Jan 31 + 28 days is Feb 28), never as months.
"""

from __future__ import annotations

import logging
import time as time_module
import uuid
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django import db
from django.conf import settings
from django.core import mail
from django.db import DatabaseError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from pairing import emails, meetings, rules, schedule
from pairing.models import CheckIn, Pairing, PairingMember, Reminder
from pairing.services import pairings_start, proposal_expire
from programs.models import Program
from programs.permissions import hr_admin_users

logger = logging.getLogger(__name__)

REMINDER_TIME = time(9, 0)
OVERDUE_AFTER_DAYS = 7
NO_FIRST_CHECKIN_DAYS = 14
# A co-development group's next presenter hears this many days before the session is due,
# time enough to choose a case.
PRESENTER_NOTICE_DAYS = 5
# A programme's closing survey is offered for this long after it ends.
SURVEY_WINDOW_DAYS = 30
# A claim lives this long, renewed when the email is handed over: longer than a live send
# takes (the mail server's timeout is 20 s a step), short enough that with the dispatcher
# running every minute a dead worker's sends go out again within about two minutes.
CLAIM_LEASE = timedelta(seconds=90)
# Tries per enqueued task (with exponential backoff), then the row waits GIVE_UP_PAUSE
# for the dispatcher; after MAX_ATTEMPTS failures in all it is left for a person to read
# last_error in the admin.
SEND_TRIES = 5
GIVE_UP_PAUSE = timedelta(minutes=30)
MAX_ATTEMPTS = 3 * SEND_TRIES
IN_DOUBT = (
    "In doubt: the worker stopped while handing this email to the mail server; sent again "
    "with the same Message-ID."
)
# Tries to record a send the mail server accepted, while the database is unreachable.
STAMP_TRIES = 5

# Pairings whose check-ins run on a schedule (accepted ones start with their programme).
SCHEDULED = (Pairing.Status.ACCEPTED, Pairing.Status.ACTIVE)
Kind = Reminder.Kind
# Proposals must be answered, so their reminder cannot be switched off.
OPTIONAL_KINDS = frozenset(str(k) for k in Kind if k != Kind.PROPOSAL_WAITING)

type Slot = tuple[int, int, str, date]  # (pairing id, recipient user id, kind, due on)


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, cancelled, or claimed by another worker
    CANCELLED = "cancelled"  # no longer applies, found when about to send


# --- arithmetic ------------------------------------------------------------------------


def morning_of(day: date, tz: ZoneInfo) -> datetime:
    """09:00 on ``day`` on the wall clock in ``tz``, as a UTC instant (DST-exact)."""
    return datetime.combine(day, REMINDER_TIME, tzinfo=tz).astimezone(UTC)


def retry_delay(retries: int) -> int:
    """Seconds before try ``retries + 1``: 30, 60, 120, 240. All far below Redis's
    visibility_timeout, so a countdown never makes Redis deliver the task twice."""
    return 30 * 2**retries


def checkin_invitation(*, uid: str, day: date, summary: str, description: str, url: str) -> bytes:
    """An all-day calendar entry for the day a check-in is due. All-day, because the date
    is what is due, not a time: it shows on that day in every time zone."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Pairwise//Check-in reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    # A reminder must not mark the whole day as busy.
    event.add("transp", "TRANSPARENT")
    calendar.add_component(event)
    return calendar.to_ical()


# --- which reminders apply ---------------------------------------------------------------


class _Recipient:
    __slots__ = ("user_id", "tz", "optional_emails")

    def __init__(self, employee, user_id: int):
        self.user_id = user_id
        self.tz = employee.tzinfo if employee else ZoneInfo(settings.TIME_ZONE)
        self.optional_emails = employee.optional_emails if employee else True


def pairings_for_reminders():
    """Pairings with everything pairing_reminder_slots reads, in a fixed number of queries."""
    first_pairing = (
        PairingMember.objects.filter(
            participant=OuterRef("participant"), pairing__activated_at__isnull=False
        )
        .order_by("pairing_id")
        .values("pairing_id")[:1]
    )
    members = PairingMember.objects.select_related(
        "participant__employee", "participant__survey_response"
    ).annotate(first_activated_pairing=Subquery(first_pairing))
    # Someone taken out of the HR admins group no longer hears about the programme.
    admins = hr_admin_users().select_related("employee")
    # Who presented when, for a co-development group's next presenter.
    cases = (
        CheckIn.objects.filter(case_session__isnull=False)
        .select_related("case_session")
        .only("pairing", "held_on", "case_session__presenter")
    )
    return (
        Pairing.objects.select_related("program")
        .annotate(has_checkin=Exists(CheckIn.objects.filter(pairing=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("members", queryset=members),
            Prefetch("program__admins", queryset=admins),
            Prefetch("checkins", queryset=cases, to_attr="cases"),
        )
    )


def pairing_reminder_slots(pairing: Pairing, *, now: datetime) -> dict[Slot, datetime]:
    """Every reminder that applies to this pairing at ``now``, due or not, with the
    instant it is due. A row whose slot is not here must not be sent.

    ``pairing`` comes from pairings_for_reminders().
    """
    slots: dict[Slot, datetime] = {}

    def add(recipient: _Recipient, kind: str, due_on: date, send_after: datetime) -> None:
        if str(kind) in OPTIONAL_KINDS and not recipient.optional_emails:
            return
        slots[(pairing.pk, recipient.user_id, str(kind), due_on)] = send_after

    program = pairing.program
    everyone = [
        (m, _Recipient(m.participant.employee, m.participant.employee.user_id))
        for m in pairing.members.all()
    ]
    # Who meets: in a group, not those who declined it or never answered (a pair's
    # members have all accepted by the time it meets).
    members = [(m, r) for m, r in everyone if m.response == PairingMember.Response.ACCEPTED]
    scheduled = pairing.status in SCHEDULED

    due = pairing.next_checkin_due
    if scheduled and due is not None:
        for _member, recipient in members:
            overdue_at = morning_of(due + timedelta(days=OVERDUE_AFTER_DAYS), recipient.tz)
            # Once the overdue reminder is due, a still unsent "due" one would only repeat it.
            if now < overdue_at:
                add(recipient, Kind.CHECKIN_DUE, due, morning_of(due, recipient.tz))
            add(recipient, Kind.CHECKIN_OVERDUE, due, overdue_at)
        stalled_on = schedule.stalled_on(next_due=due, cadence_days=program.checkin_cadence_days)
        for admin in program.admins.all():
            recipient = _Recipient(getattr(admin, "employee", None), admin.pk)
            add(recipient, Kind.STALLED, due, morning_of(stalled_on, recipient.tz))
        if program.is_co_development:
            presenter = rules.next_presenter(
                members=[m for m, _ in members],
                presented=[(c.case_session.presenter_id, c.held_on) for c in pairing.cases],
            )
            for member, recipient in members:
                if member == presenter:
                    notice = due - timedelta(days=PRESENTER_NOTICE_DAYS)
                    add(recipient, Kind.PRESENTER_NEXT, due, morning_of(notice, recipient.tz))

    if scheduled and pairing.activated_at is not None and not pairing.has_checkin:
        first_by = schedule.schedule_start(pairing) + timedelta(days=NO_FIRST_CHECKIN_DAYS)
        for _member, recipient in members:
            add(recipient, Kind.NO_FIRST_CHECKIN, first_by, morning_of(first_by, recipient.tz))

    expires_at = pairing.expires_at
    if pairing.status == Pairing.Status.PROPOSED and expires_at is not None and now < expires_at:
        halfway = pairing.proposed_at + (expires_at - pairing.proposed_at) / 2
        for member, recipient in everyone:
            if member.response == PairingMember.Response.PENDING and member.live:
                expires_on = timezone.localdate(expires_at, recipient.tz)
                add(recipient, Kind.PROPOSAL_WAITING, expires_on, halfway)

    ends_on = program.ends_on
    was_live = pairing.activated_at is not None and (
        scheduled or pairing.status == Pairing.Status.ENDED
    )
    if was_live and ends_on is not None:
        for member, recipient in members:
            # One survey per person: a mentor with several mentees hears it once, through
            # their first pairing in the programme.
            if member.first_activated_pairing != pairing.pk:
                continue
            if hasattr(member.participant, "survey_response"):
                continue
            closes = morning_of(ends_on + timedelta(days=SURVEY_WINDOW_DAYS), recipient.tz)
            if now < closes:
                add(recipient, Kind.CLOSING_SURVEY, ends_on, morning_of(ends_on, recipient.tz))
    return slots


def _slot_of(reminder: Reminder) -> Slot:
    return (reminder.pairing_id, reminder.recipient_id, str(reminder.kind), reminder.due_on)


def _reconcile(pairings: list[Pairing], *, now: datetime) -> None:
    """Make the unsent rows of these pairings match what applies: create the due ones,
    cancel the ones that stopped applying, restore cancelled ones that apply again."""
    slots: dict[Slot, datetime] = {}
    for pairing in pairings:
        slots.update(pairing_reminder_slots(pairing, now=now))
    due = {slot: send_after for slot, send_after in slots.items() if send_after <= now}
    Reminder.objects.bulk_create(
        [
            Reminder(
                pairing_id=pairing_id,
                recipient_id=recipient_id,
                kind=kind,
                due_on=due_on,
                send_after=send_after,
            )
            for (pairing_id, recipient_id, kind, due_on), send_after in due.items()
        ],
        ignore_conflicts=True,  # the unique slot: a second dispatcher creates nothing
    )
    cancel, restore = [], []
    unsent = Reminder.objects.filter(
        pairing_id__in=[p.pk for p in pairings], sent_at=None, claimed_at=None
    ).only("pk", "pairing_id", "recipient_id", "kind", "due_on", "cancelled_at")
    for row in unsent:
        if row.cancelled_at is None and _slot_of(row) not in slots:
            cancel.append(row.pk)
        elif row.cancelled_at is not None and _slot_of(row) in due:
            restore.append(row.pk)
    # claimed_at=None again: a row a worker has just claimed is that worker's to settle.
    Reminder.objects.filter(pk__in=cancel, claimed_at=None).update(cancelled_at=now)
    Reminder.objects.filter(pk__in=restore, claimed_at=None).update(cancelled_at=None)


def _pairings_to_reconcile(*, now: datetime) -> list[Pairing]:
    """A cheap superset of the pairings that may have a reminder due or an unsent row.
    Dates get a day or two of slack because 09:00 on day D comes between D-1 10:00 and
    D 21:00 UTC depending on the time zone."""
    utc_today = now.astimezone(UTC).date()
    horizon = utc_today + timedelta(days=1)
    return list(
        pairings_for_reminders().filter(
            Q(status__in=SCHEDULED, next_checkin_due__lte=horizon)
            | Q(
                status__in=SCHEDULED,
                program__kind=Program.Kind.CO_DEVELOPMENT,
                next_checkin_due__lte=horizon + timedelta(days=PRESENTER_NOTICE_DAYS),
            )
            | Q(
                status__in=SCHEDULED,
                has_checkin=False,
                activated_at__lte=now - timedelta(days=NO_FIRST_CHECKIN_DAYS - 3),
            )
            | Q(status=Pairing.Status.PROPOSED, expires_at__isnull=False)
            | Q(
                activated_at__isnull=False,
                program__ends_on__lte=horizon,
                program__ends_on__gte=utc_today - timedelta(days=SURVEY_WINDOW_DAYS + 1),
            )
            | Q(
                pk__in=Reminder.objects.filter(sent_at=None, cancelled_at=None).values("pairing_id")
            )
        )
    )


def _expire_proposals(*, now: datetime) -> int:
    expired = 0
    # A group that started early still waits for its unanswered members until it lapses.
    started_waiting = Q(
        status__in=rules.AGREED_STATUSES,
        program__kind__in=Program.GROUP_KINDS,
        pk__in=PairingMember.objects.filter(
            live=True, response=PairingMember.Response.PENDING
        ).values("pairing_id"),
    )
    due = Pairing.objects.filter(
        Q(status=Pairing.Status.PROPOSED) | started_waiting, expires_at__lte=now
    )
    for pairing in due.order_by("expires_at", "pk"):
        try:
            proposal_expire(pairing=pairing)
        except Exception:
            # One proposal that cannot be re-proposed must not hold up every reminder;
            # it is still expired-and-proposed, so the next run tries it again.
            logger.exception("Could not expire proposal %s; retrying next run", pairing.pk)
        else:
            expired += 1
    return expired


def reminders_dispatch(*, now: datetime | None = None) -> list[int]:
    """One dispatcher run: expire lapsed proposals, start pairings whose programme has
    begun, bring the reminder rows in line with the pairings, release claims dead
    workers left, and return the ids ready to send
    (the caller sends or enqueues them; each send claims its row, so sending an id twice
    is harmless). Running it again at once creates nothing and returns only rows still
    unsent."""
    now = now or timezone.now()
    _expire_proposals(now=now)
    pairings_start(today=timezone.localdate(now))
    with transaction.atomic():
        _reconcile(_pairings_to_reconcile(now=now), now=now)
        stale = Reminder.objects.filter(sent_at=None, claimed_at__lt=now - CLAIM_LEASE)
        doubted = list(stale.exclude(handed_over_at=None).values_list("pk", flat=True))
        for pk in doubted:
            logger.warning("Reminder %s: %s", pk, IN_DOUBT)
        Reminder.objects.filter(pk__in=doubted).update(doubted_at=now, last_error=IN_DOUBT)
        released = stale.update(claimed_at=None, claim_token="", handed_over_at=None)
    if released:
        logger.warning("Released %s reminder claim(s) left by a stopped worker", released)
    return list(
        Reminder.objects.filter(
            sent_at=None,
            claimed_at=None,
            cancelled_at=None,
            send_after__lte=now,
            attempts__lt=MAX_ATTEMPTS,
        ).values_list("pk", flat=True)
    )


# --- sending -----------------------------------------------------------------------------


def employee_tz(user) -> ZoneInfo:
    employee = getattr(user, "employee", None)
    return employee.tzinfo if employee else ZoneInfo(settings.TIME_ZONE)


def _names(names: list[str]) -> str:
    return "".join(names) if len(names) < 2 else ", ".join(names[:-1]) + " and " + names[-1]


def reminder_message(reminder: Reminder, pairing: Pairing):
    """The email for this reminder, rendered in the recipient's time zone by the caller."""
    user = reminder.recipient
    employee = getattr(user, "employee", None)
    members = list(pairing.members.all())
    mine = next((m for m in members if m.participant.employee.user_id == user.pk), None)
    site = settings.SITE_URL
    context = {
        "name": employee.name if employee else user.get_username(),
        "program": pairing.program,
        "pairing": pairing,
        "due_on": reminder.due_on,
        "partners": _names(
            [
                m.participant.employee.name
                for m in members
                if m is not mine and m.response != PairingMember.Response.DECLINED
            ]
        ),
        "pairing_url": site + pairing.get_absolute_url(),
        "profile_url": site + reverse("programs:profile"),
    }
    to = employee.email if employee else user.email
    kind = reminder.kind
    if kind in (Kind.CHECKIN_DUE, Kind.CHECKIN_OVERDUE):
        overdue = kind == Kind.CHECKIN_OVERDUE
        day = reminder.due_on + timedelta(days=OVERDUE_AFTER_DAYS if overdue else 0)
        summary = f"{'Overdue check-in' if overdue else 'Check-in'} with {context['partners']}"
        invitation = checkin_invitation(
            uid=f"reminder-{reminder.pk}@{urlsplit(site).hostname}",
            day=day,
            summary=summary,
            description=f"{pairing.program.name}: {summary}. Log it at {context['pairing_url']}",
            url=context["pairing_url"],
        )
        if overdue:
            return emails.checkin_overdue(to=to, context=context, invitation=invitation)
        return emails.checkin_due(
            to=to, context={**context, **_meeting_links(pairing, employee)}, invitation=invitation
        )
    if kind == Kind.PROPOSAL_WAITING:
        proposal_url = site + reverse("pairing:proposal_detail", args=[pairing.pk])
        return emails.proposal_waiting(
            to=to,
            context={**context, "pairing_url": proposal_url, "expires_at": pairing.expires_at},
        )
    if kind == Kind.NO_FIRST_CHECKIN:
        return emails.no_first_checkin(
            to=to, context={**context, "started_on": schedule.schedule_start(pairing)}
        )
    if kind == Kind.STALLED:
        latest = pairing.checkins.order_by("-held_on").values_list("held_on", flat=True).first()
        return emails.pairing_stalled(
            to=to,
            context={
                **context,
                "members": _names([m.participant.employee.name for m in members]),
                "latest_checkin": latest,
                "since": latest or schedule.schedule_start(pairing),
                "program_url": site + pairing.program.get_absolute_url(),
            },
        )
    if kind == Kind.PRESENTER_NEXT:
        return emails.presenter_next(to=to, context=context)
    survey_url = site + reverse("pairing:survey", args=[mine.participant_id])
    return emails.closing_survey(to=to, context={**context, "survey_url": survey_url})


def _meeting_links(pairing: Pairing, employee) -> dict:
    """For the check-in-due email: the agreed meeting still to come and its page, or the
    page to agree a time. Its time is shown in the zone the caller renders in."""
    meeting = meetings.upcoming_meeting(pairing=pairing, now=timezone.now())
    if meeting is None:
        return {
            "propose_url": settings.SITE_URL + reverse("pairing:meeting_propose", args=[pairing.pk])
        }
    return {
        "meeting_at": meeting.agreed.starts_at,
        "meeting_tz": employee.time_zone if employee else settings.TIME_ZONE,
        "meeting_url": settings.SITE_URL + reverse("pairing:meeting_detail", args=[meeting.pk]),
    }


def message_id(reminder: Reminder) -> str:
    """The same for every try of one reminder, so a resend after a crash can be folded."""
    return f"<reminder-{reminder.pk}@{urlsplit(settings.SITE_URL).hostname}>"


def _stamp_sent(mine) -> None:
    """Record that the mail server took the email. The database may be restarting: retry
    for a while rather than leave a sent reminder in doubt (and so send it again)."""
    for attempt in range(STAMP_TRIES):
        try:
            mine.update(sent_at=timezone.now())
            return
        except DatabaseError:
            if attempt == STAMP_TRIES - 1:
                raise
            db.connection.close()  # the next query opens a fresh connection
            time_module.sleep(2**attempt)


def reminder_send(
    *, reminder_id: int, retry_in: timedelta = timedelta(0), token: str = ""
) -> Outcome:
    """Send one reminder: claim it, check it still applies, hand it over, stamp it.

    Deliberately not one transaction: the claim must be visible to other workers before
    the email goes out, and sent_at must be stored the moment the mail server accepted
    it. The mail connection is opened before ``handed_over_at`` is stamped, so what a
    crash can leave in doubt is one SMTP transaction and one UPDATE.

    ``token`` is the claim's holder (the task id): a redelivered task holding the same
    token resumes its claim, and sends again, with the same Message-ID, what it may have
    handed over before it died. On failure the claim is released, ``attempts`` counts the
    failure, ``last_error`` says why and ``send_after`` moves ``retry_in`` ahead (so the
    dispatcher does not race the caller's own retry); then the exception propagates for
    the caller to retry.
    """
    token = token or uuid.uuid4().hex
    claimed_at = timezone.now()
    claimed = Reminder.objects.filter(
        Q(claimed_at=None) | Q(claim_token=token),
        pk=reminder_id,
        sent_at=None,
        cancelled_at=None,
    ).update(claimed_at=claimed_at, claim_token=token)
    if claimed != 1:
        return Outcome.SKIPPED
    mine = Reminder.objects.filter(pk=reminder_id, claim_token=token, sent_at=None)
    # Resumed after handing over: the email may have gone out.
    mine.exclude(handed_over_at=None).update(
        handed_over_at=None, doubted_at=claimed_at, last_error=IN_DOUBT
    )

    def release(exc: Exception) -> None:
        mine.update(
            claimed_at=None,
            claim_token="",
            handed_over_at=None,
            attempts=F("attempts") + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            send_after=timezone.now() + retry_in,
        )

    try:
        reminder = Reminder.objects.select_related("recipient__employee").get(pk=reminder_id)
        pairing = pairings_for_reminders().get(pk=reminder.pairing_id)
        if _slot_of(reminder) not in pairing_reminder_slots(pairing, now=claimed_at):
            mine.update(claimed_at=None, claim_token="", cancelled_at=claimed_at)
            return Outcome.CANCELLED
        with timezone.override(employee_tz(reminder.recipient)):
            message = reminder_message(reminder, pairing)
        message.extra_headers["Message-ID"] = message_id(reminder)
        connection = mail.mailers.default
        connection.open()
    except Exception as exc:
        release(exc)
        raise
    try:
        # Renewing the lease: the send that follows has the whole of it.
        handed_over = timezone.now()
        if mine.update(handed_over_at=handed_over, claimed_at=handed_over) != 1:
            return Outcome.SKIPPED  # our claim was released as stale; its new holder sends
        try:
            connection.send_messages([message])
        except Exception as exc:
            release(exc)
            raise
        _stamp_sent(mine)
    finally:
        connection.close()
    return Outcome.SENT


# --- rescheduling ------------------------------------------------------------------------


@transaction.atomic
def pairing_reschedule_program(*, program: Program) -> int:
    """HR changed the programme's cadence: every scheduled pairing's next check-in moves
    to a (new) cadence after its latest check-in, or after its start when none was held,
    and unsent reminders for the old dates are cancelled. Returns how many moved."""
    latest = CheckIn.objects.filter(pairing=OuterRef("pk")).order_by("-held_on")
    pairings = list(
        Pairing.objects.select_for_update(of=("self",))
        .select_related("program")
        .filter(program=program, status__in=SCHEDULED, next_checkin_due__isnull=False)
        .annotate(latest_checkin=Subquery(latest.values("held_on")[:1]))
    )
    moved = []
    for pairing in pairings:
        due = schedule.next_checkin_due(
            start=schedule.schedule_start(pairing),
            latest_checkin=pairing.latest_checkin,
            # The cadence as stored, whatever the caller's copy of the programme says.
            cadence_days=pairing.program.checkin_cadence_days,
        )
        if due != pairing.next_checkin_due:
            pairing.next_checkin_due = due
            moved.append(pairing)
    Pairing.objects.bulk_update(moved, ["next_checkin_due"])
    if moved:
        _reconcile(
            list(pairings_for_reminders().filter(pk__in=[p.pk for p in moved])), now=timezone.now()
        )
    return len(moved)
