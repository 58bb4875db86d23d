"""Celery tasks of the people layer: thin interfaces that take ids and call one service."""

import logging
from datetime import date, datetime

from celery import shared_task
from django.utils import timezone

from programs import accounts, import_jobs, services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_invitations(employee_ids: list[int], reason: str, requested_at: str) -> int:
    """Invite each of these people once for this request (see accounts.invitation_deliver).
    A failure is raised after the rest of the batch has been tried, so the retry resends
    only the people still not reached."""
    resend_before = datetime.fromisoformat(requested_at)
    sent, failures = 0, []
    for employee_id in employee_ids:
        try:
            sent += accounts.invitation_deliver(
                employee_id=employee_id, reason=reason, resend_before=resend_before
            )
        except Exception as exc:  # one bad address must not stop the batch
            failures.append(exc)
    if failures:
        logger.warning("Invitations: %s of %s failed", len(failures), len(employee_ids))
        raise failures[0]
    return sent


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_first_invitation(employee_id: int, reason: str) -> bool:
    """The automatic invitation of someone who now has something to do; sent only if they
    were never invited."""
    return accounts.invitation_deliver(employee_id=employee_id, reason=reason, resend_before=None)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_password_reset(email: str) -> int:
    """Look the address up and send its reset link, if it belongs to anyone."""
    return accounts.password_reset_deliver(email=email)


# Imports (programs/import_jobs.py): checked and imported here when too big for a request.


@shared_task
def check_import(job_id: int) -> None:
    """Check (plan) an uploaded file too big to check in the request."""
    import_jobs.import_job_check(job_id)


@shared_task
def run_import(job_id: int) -> None:
    """Import a confirmed file too big to import in the request."""
    import_jobs.import_job_run(job_id)


@shared_task
def purge_import_jobs() -> int:
    """Hourly: delete import jobs older than a day, with any file still in them."""
    return import_jobs.import_jobs_purge()


@shared_task
def dispatch_resume_reminders() -> int:
    """Hourly: enqueue the "you're back" email of every pause ending today. Hourly rather
    than daily so a missed run still catches the day; each send claims its pause, so the
    repeats send nothing twice."""
    today = timezone.localdate()
    due = services.resumes_due(today=today)
    for participant_id in due:
        send_resume_reminder.delay(participant_id, today.isoformat())
    return len(due)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_resume_reminder(participant_id: int, day: str) -> None:
    """The "you're back" email for a pause ending on ``day`` (ISO date), once."""
    services.resume_remind(participant_id=participant_id, today=date.fromisoformat(day))
