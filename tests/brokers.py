"""A real Redis broker for the tests that start Celery workers. CI (the CI environment
variable set) fails when Redis is missing; elsewhere such a test is skipped with the reason."""

import os

import pytest
import redis
from kombu import pools

from config.celery_app import app

# Database 15, away from CI's suite broker (14) and any development data (0).
BROKER_URL = "redis://127.0.0.1:6379/15"


def require_redis() -> None:
    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at {BROKER_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI runs this test against a real broker)")
        pytest.skip(reason)


def _drop_cached_connections() -> None:
    # A producer pool cached under the old broker URL would keep publishing there. kombu
    # also keeps pools in a process-wide registry: reset that, not just the app's refs.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_app():
    """The Celery app publishing to BROKER_URL (emptied first), tasks not run eagerly."""
    require_redis()
    redis.Redis.from_url(BROKER_URL).flushdb()  # nothing left over from an earlier run
    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=BROKER_URL,
        broker_transport_options={"visibility_timeout": 3600},
        task_always_eager=False,
    )
    _drop_cached_connections()
    yield app
    app.conf.update(saved)
    _drop_cached_connections()
