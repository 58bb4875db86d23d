"""Claims on work a Celery task does once (a matching run, an import): the claim is a lease.

A task claims its row with a conditional update (queued -> running, stamping claimed_at),
so a message delivered twice does the work once. A worker that dies mid-task (killed, out
of memory, the machine restarted) leaves the row running; with acks_late and
reject_on_worker_lost its message comes back, and it must be able to claim the row again.
No live task holds a claim longer than the hard time limit (the worker kills it), so a
claim older than that, and a margin, belongs to a dead worker and may be taken over.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

# Past the hard time limit: the dead task's worker has had time to notice and kill it.
MARGIN = timedelta(seconds=60)


def lease_expired_before() -> datetime:
    """A running claim stamped before this moment is a dead worker's."""
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - MARGIN


def _lapsed() -> Q:
    # No stamp: claimed before claims were stamped, by a worker long gone.
    return Q(claimed_at__lt=lease_expired_before()) | Q(claimed_at=None)


def claimable(*, queued: str, running: str) -> Q:
    """Rows a task may claim: queued, or running under a dead worker's lapsed claim."""
    return Q(status=queued) | (Q(status=running) & _lapsed())


def still_running(*, running: str) -> Q:
    """Rows a live task is working on (within their claim's lease)."""
    return Q(status=running) & ~_lapsed()
