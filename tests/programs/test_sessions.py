"""Sessions end when idle or when the password changes elsewhere; personal pages and
exports are never stored by a browser or a proxy; passwords cannot be the person's name."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    UserAttributeSimilarityValidator,
    validate_password,
)
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from programs.middleware import TOUCH_EVERY_SECONDS, TOUCHED_KEY
from tests.factories import make_employee, make_user

pytestmark = pytest.mark.django_db

NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_session_idle_hours_sets_the_session_age():
    assert settings.SESSION_IDLE_HOURS == 8
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    environment = {**os.environ, "SESSION_IDLE_HOURS": "2"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings; print(settings.SESSION_COOKIE_AGE)",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "7200", result.stderr


def test_idle_session_ends(client, outsider):
    client.force_login(outsider)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_activity_pushes_the_end_at_most_every_five_minutes(client, outsider):
    client.force_login(outsider)
    first_expiry = _session(client).expire_date

    client.get("/")
    assert _session(client).expire_date == first_expiry  # just logged in: no write

    session = client.session
    session[TOUCHED_KEY] = int(time.time()) - TOUCH_EVERY_SECONDS
    session.save()
    before = timezone.now()
    client.get("/")

    expiry = _session(client).expire_date
    assert before + timedelta(hours=8) <= expiry <= timezone.now() + timedelta(hours=8)


def test_password_change_ends_the_other_sessions_only(outsider):
    changer, other = Client(), Client()
    changer.force_login(outsider)
    other.force_login(outsider)

    changed = changer.post(
        "/accounts/password_change/",
        {
            "old_password": "pass-for-tests",
            "new_password1": "quartz-lantern-meadow-41",
            "new_password2": "quartz-lantern-meadow-41",
        },
    )

    assert changed.status_code == 302
    assert changer.get("/").status_code == 200
    assert other.get("/")["Location"] == "/accounts/login/?next=/"


def test_signed_in_pages_are_not_stored(client, outsider):
    client.force_login(outsider)

    response = client.get("/")

    assert response.status_code == 200
    assert response["Cache-Control"] == NEVER_CACHE


@pytest.mark.parametrize(
    "url",
    [
        "/programmes/{slug}/participants.csv",
        "/programmes/{slug}/pairings.csv",
        "/programmes/{slug}/dashboard.csv?chart=enrolment",
    ],
)
def test_csv_exports_are_not_stored(client, hr_admin, program, url):
    client.force_login(hr_admin)

    response = client.get(url.format(slug=program.slug))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == NEVER_CACHE


def test_static_files_are_unaffected(outsider, settings):
    settings.WHITENOISE_USE_FINDERS = True  # read when a client first builds its middleware
    client = Client()
    client.force_login(outsider)

    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_login_page_for_anonymous_visitors_is_left_to_its_view(client):
    response = client.get("/programmes/")  # redirected to log in

    assert response.status_code == 302
    assert "Cache-Control" not in response


@pytest.mark.parametrize(
    "password", ["Plain Person", "plainperson", "PlainPerson2026", "plain.person"]
)
def test_password_like_the_persons_name_or_email_is_refused(password):
    user = make_employee(name="Plain Person", email="plain.person@example.org").user

    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)

    assert [e.code for e in refused.value.error_list] == ["password_too_similar"]


def test_the_stock_validator_alone_would_accept_the_name():
    user = make_employee(name="Plain Person", email="plain.person@example.org").user

    assert UserAttributeSimilarityValidator().validate("Plain Person", user) is None


def test_unrelated_strong_password_is_accepted():
    user = make_employee(name="Plain Person", email="plain.person@example.org").user

    assert validate_password("quartz-lantern-meadow-41", user) is None


def test_user_without_employee_is_checked_on_user_fields_only():
    user = make_user(username="root@example.org")

    assert validate_password("quartz-lantern-meadow-41", user) is None
    with pytest.raises(ValidationError):
        validate_password("root@example.org", user)


def test_unsaved_user_is_checked_without_error():
    user = get_user_model()(username="new@example.org")

    assert validate_password("quartz-lantern-meadow-41", user) is None
