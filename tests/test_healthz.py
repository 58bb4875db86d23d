"""/healthz: the load balancer's probe of the database and the Celery broker."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from kombu import Connection
from kombu.exceptions import OperationalError as BrokerError

from config.celery_app import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_answers_200_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_a_database_that_does_not_answer_is_503_and_named(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "unreachable", "broker": "ok"}


def test_a_broker_that_does_not_answer_is_503_and_named(client):
    with mock.patch(
        "kombu.Connection.ensure_connection", side_effect=BrokerError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable"}


def test_a_real_unreachable_broker_fails_fast(client):
    # Nothing listens on port 9: the probe must say so at once, not retry for ever.
    def nowhere(**options):
        return Connection("redis://127.0.0.1:9/0", **options)

    with mock.patch.object(celery_app, "connection_for_write", nowhere):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


def test_healthz_takes_no_posts(client):
    assert client.post("/healthz").status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_is_not_redirected_to_https(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/start/").status_code == 301
