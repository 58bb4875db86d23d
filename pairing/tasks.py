"""Celery tasks: thin interfaces that take ids, load rows and call one service."""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

# Modules, not names: pairing.matchmaking.runs imports this module to enqueue its tasks.
from pairing import meetings, reminders, retention, rounds, services
from pairing.matchmaking import runs
from pairing.situational import invites
from pairing.situational import reminders as session_reminders

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_proposal_email(member_id: int) -> None:
    """Email one member about a new proposal, once (see services.proposal_notify)."""
    services.proposal_notify(member_id=member_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_partner_left_email(member_id: int) -> None:
    """Tell one member their partner left the organisation, once."""
    services.partner_left_notify(member_id=member_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_pairing_closed_email(member_id: int) -> None:
    """Tell one member HR closed their proposal, or their partner withdrew, once."""
    services.pairing_closed_notify(member_id=member_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_pairing_ended_email(member_id: int) -> None:
    """Tell one member HR ended their pairing, once."""
    services.pairing_ended_notify(member_id=member_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_auto_pause_email(participant_id: int) -> None:
    """Tell someone paused for letting proposals lapse how to resume, once."""
    services.auto_pause_notify(participant_id=participant_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_nudge(member_id: int, day: str) -> None:
    """Send HR's nudge of ``day`` (ISO date) to one member, once (see
    services.member_nudge)."""
    services.member_nudge(member_id=member_id, day=date.fromisoformat(day))


@shared_task
def send_round_emails(program_id: int, number: int) -> int:
    """Fan out round ``number``'s emails, one task each (each sends at most once)."""
    ids = rounds.round_email_recipients(program_id, number)
    for participant_id in ids:
        send_round_email.delay(participant_id, number)
    return len(ids)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_round_email(participant_id: int, number: int) -> None:
    """Tell one participant that round ``number`` started (rounds.round_started_notify)."""
    rounds.round_started_notify(participant_id=participant_id, number=number)


@shared_task
def start_due_rounds() -> int:
    """Daily: start the rounds the programmes' schedules say are due, one task each."""
    due = rounds.rounds_due(timezone.now())
    for program_id in due:
        start_scheduled_round.delay(program_id)
    return len(due)


@shared_task
def start_scheduled_round(program_id: int) -> None:
    """Start one programme's scheduled round if it is still due, and match it."""
    rounds.round_start_scheduled(program_id=program_id, now=timezone.now())


@shared_task
def run_matching(run_id: int) -> None:
    """Compute a queued matching run (too big to compute in the request)."""
    runs.match_run_execute(run_id)


# Reminders (pairing/reminders.py). The beat schedule names dispatch_due_reminders.


@shared_task
def dispatch_due_reminders() -> int:
    """Every minute: bring reminder rows in line with the pairings and enqueue one send per
    due row. Ids only; a row enqueued twice is still sent once (the send claims it)."""
    reminder_ids = reminders.reminders_dispatch()
    for reminder_id in reminder_ids:
        send_reminder.delay_on_commit(reminder_id)
    return len(reminder_ids)


@shared_task(bind=True, max_retries=reminders.SEND_TRIES - 1)
def send_reminder(self, reminder_id: int) -> str:
    """Send one reminder, retrying a failed send with exponential backoff. After the last
    try the row stays unsent and released, and the dispatcher takes it up again after
    GIVE_UP_PAUSE."""
    last_try = self.request.retries >= self.max_retries
    pause = (
        reminders.GIVE_UP_PAUSE
        if last_try
        else timedelta(seconds=reminders.retry_delay(self.request.retries))
    )
    try:
        return reminders.reminder_send(
            reminder_id=reminder_id, retry_in=pause, token=self.request.id or ""
        )
    except Exception as exc:
        if last_try:
            logger.warning(
                "Reminder %s failed %s times: %s", reminder_id, self.max_retries + 1, exc
            )
            return "failed"
        raise self.retry(exc=exc, countdown=pause.total_seconds()) from exc


# Situational sessions (pairing/situational/reminders.py).


@shared_task
def dispatch_session_reminders() -> int:
    """Hourly: enqueue one reminder per person of each booked session starting within a
    day and not yet reminded for its start. A send enqueued twice still goes once."""
    due = session_reminders.reminders_due(now=timezone.now())
    for session_id, participant_id in due:
        send_session_reminder.delay_on_commit(session_id, participant_id)
    return len(due)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_session_reminder(session_id: int, participant_id: int) -> bool:
    """Remind one person of their session, once for its start (a failed send releases
    its claim, so the retry sends it)."""
    return session_reminders.session_reminder_send(
        session_id=session_id, participant_id=participant_id, now=timezone.now()
    )


@shared_task
def apply_retention() -> int:
    """Daily: delete the free text of pairings over more than RETENTION_MONTHS months ago
    (nothing when the setting is 0, the default)."""
    # retention_apply logs what it cleared.
    return retention.retention_apply(months=settings.RETENTION_MONTHS)


# Meeting times (pairing/meetings.py). Each sends to every recipient at most once
# (pairing.notices.send_once), so a retry or a second run sends only what is missing.


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_meeting_proposed(proposal_id: int) -> int:
    """Email everyone asked the proposed meeting times."""
    return meetings.meeting_proposed_notify(proposal_id=proposal_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_meeting_agreed(proposal_id: int) -> int:
    """Send everyone who meets the agreed meeting's .ics."""
    return meetings.meeting_agreed_notify(proposal_id=proposal_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_meeting_no_time(proposal_id: int) -> int:
    """Ask the proposer to propose again."""
    return meetings.meeting_no_time_notify(proposal_id=proposal_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_meeting_cancelled(proposal_id: int) -> int:
    """Send everyone who meets the replaced meeting's METHOD:CANCEL."""
    return meetings.meeting_cancelled_notify(proposal_id=proposal_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_session_invites(session_id: int, sequence: int) -> int:
    """Email both people of a help session its .ics number ``sequence`` (a booking or move
    is a REQUEST, a cancellation a CANCEL), each at most once; a retry sends only what
    did not go out."""
    return invites.session_invites_send(session_id=session_id, sequence=sequence)
