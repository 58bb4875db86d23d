"""Celery tasks: thin interfaces that take ids, load rows and call one service."""

from celery import shared_task

# Modules, not names: pairing.matchmaking imports this module to enqueue its tasks.
from pairing import emails, matchmaking
from pairing.models import Pairing, PairingMember


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_proposal_email(member_id: int) -> None:
    """Email one member about a new proposal; quietly skip one answered or replaced since."""
    member = (
        PairingMember.objects.select_related("participant__employee", "pairing__program")
        .prefetch_related("pairing__members__participant__employee")
        .filter(
            pk=member_id,
            response=PairingMember.Response.PENDING,
            pairing__status=Pairing.Status.PROPOSED,
        )
        .first()
    )
    if member is None:
        return
    emails.proposal_new_send(member)


@shared_task
def run_matching(run_id: int) -> None:
    """Compute a queued matching run (too big to compute in the request)."""
    matchmaking.match_run_execute(run_id)

