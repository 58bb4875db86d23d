"""Fixtures for the browser journeys: Debian's Chromium (tests/conftest.py) against Django's
live server, a fixed 1280x800 viewport, patient timeouts for 2-core machines, and two ways in:
the login form, or a session made on the server and handed to the browser as its cookie."""

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from programs.models import HR_ADMINS_GROUP
from tests.browser import a11y

# tests/factories.make_user's default password; the MD5 hasher makes form logins fast.
PASSWORD = "pass-for-tests"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
# Two cores running Chromium, the live server and the test body: 5 s defaults flake.
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 800},
        "locale": "en-GB",
        "timezone_id": settings.TIME_ZONE,
    }


_hr_group_migration = importlib.import_module("programs.migrations.0002_hr_admins_group")


@pytest.fixture(autouse=True)
def _hr_admins_group(transactional_db):
    """The HR admins group, as its data migration makes it. The live server needs
    transactional tests, and the flush after each one (in any test file) deletes the
    group; permissions come back by themselves (post_migrate), the group does not."""
    group, _ = Group.objects.get_or_create(name=HR_ADMINS_GROUP)
    for app_label, models in _hr_group_migration.PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, content_type__model__in=models
            )
        )


def _patient(context: BrowserContext) -> BrowserContext:
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(new_context) -> BrowserContext:
    return _patient(new_context())


@pytest.fixture
def page_as(new_context, live_server):
    """``page_as(user)``: a page in a fresh browser context already logged in as ``user``
    (a second person in the same test gets their own cookies)."""

    def open_page(user) -> Page:
        client = Client()
        client.force_login(user)
        context = _patient(new_context())
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return context.new_page()

    return open_page


def log_in(page: Page, live_server, *, email: str, next_path: str = "/") -> None:
    """Log in through the login form, as a person does after following a link."""
    page.goto(live_server.url + next_path)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    a11y.check_page(page)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + next_path)


def visit(page: Page, url: str) -> None:
    """Open ``url`` and run the accessibility checks on it (a11y.check_page)."""
    page.goto(url)
    a11y.check_page(page)


def screenshot(page: Page, name: str) -> None:
    """docs/screenshots/<name>.png, the whole page, for the README. Waits for the htmx
    requests fired on load (the navbar's proposal count) so the picture is complete."""
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled", caret="hide"
    )
