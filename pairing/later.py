"""Work handed to a Celery worker once the current transaction commits.

The tasks call the services, so the services reach the tasks only through here, at call
time: the one lazy import of pairing.tasks, which keeps the module graph acyclic.
"""

from collections.abc import Iterable
from datetime import date


def _tasks():
    from pairing import tasks

    return tasks


def proposal_emails(member_ids: Iterable[int]) -> None:
    """Tell these members about their new proposal."""
    task = _tasks().send_proposal_email
    for member_id in member_ids:
        task.delay_on_commit(member_id)


def partner_left_emails(member_ids: Iterable[int]) -> None:
    """Tell these members their pairing ended because their partner left."""
    task = _tasks().send_partner_left_email
    for member_id in member_ids:
        task.delay_on_commit(member_id)


def pairing_closed_emails(member_ids: Iterable[int]) -> None:
    """Tell these members their proposal or pairing was closed by HR or a withdrawal."""
    task = _tasks().send_pairing_closed_email
    for member_id in member_ids:
        task.delay_on_commit(member_id)


def pairing_ended_emails(member_ids: Iterable[int]) -> None:
    """Tell these members HR ended their pairing."""
    task = _tasks().send_pairing_ended_email
    for member_id in member_ids:
        task.delay_on_commit(member_id)


def auto_pause_emails(participant_ids: Iterable[int]) -> None:
    """Tell these people they were paused for letting proposals lapse, and how to resume."""
    task = _tasks().send_auto_pause_email
    for participant_id in participant_ids:
        task.delay_on_commit(participant_id)


def nudge_emails(member_ids: Iterable[int], day: date) -> None:
    """Send HR's nudge of ``day`` to these members."""
    task = _tasks().send_nudge
    for member_id in member_ids:
        task.delay_on_commit(member_id, day.isoformat())


def round_emails(program_id: int, number: int) -> None:
    """Tell everyone of the round before that round ``number`` started (one task fans
    out: a programme of thousands is one enqueue in the request)."""
    _tasks().send_round_emails.delay_on_commit(program_id, number)


def matching_run(run_id: int) -> None:
    """Compute a queued matching run."""
    _tasks().run_matching.delay_on_commit(run_id)


def meeting_proposed_emails(proposal_id: int) -> None:
    """Email everyone asked about these proposed meeting times."""
    _tasks().send_meeting_proposed.delay_on_commit(proposal_id)


def meeting_agreed_emails(proposal_id: int) -> None:
    """Send everyone who meets the agreed meeting's calendar invitation."""
    _tasks().send_meeting_agreed.delay_on_commit(proposal_id)


def meeting_no_time_emails(proposal_id: int) -> None:
    """Ask the proposer to propose again: no time suited everyone."""
    _tasks().send_meeting_no_time.delay_on_commit(proposal_id)


def meeting_cancelled_emails(proposal_id: int) -> None:
    """Take a replaced agreed meeting out of everyone's calendar."""
    _tasks().send_meeting_cancelled.delay_on_commit(proposal_id)


def session_invites(session_id: int, sequence: int) -> None:
    """Send both people of a session its invitation (or cancellation) number ``sequence``."""
    _tasks().send_session_invites.delay_on_commit(session_id, sequence)
