"""Pages for the machines that run the product rather than for people."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.celery_app import app as celery_app

logger = logging.getLogger(__name__)

# A load balancer probes every few seconds and gives up after its own timeout: a broker
# that takes longer than this to answer is as good as down.
BROKER_TIMEOUT_SECONDS = 2


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database is unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            # One attempt, no retries: kombu's default is to retry for ever.
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
            conn.default_channel  # noqa: B018 - opening a channel is what talks to Redis
        return True
    except Exception:
        logger.exception("Health check: the Celery broker is unreachable")
        return False


@login_not_required
@require_safe
@never_cache
def healthz(request):
    """200 when the database and the Celery broker answer, else 503 naming which did not.
    Open to anyone: it says nothing but "ok" or "unreachable"."""
    checks = {
        "database": "ok" if _database_ok() else "unreachable",
        "broker": "ok" if _broker_ok() else "unreachable",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
