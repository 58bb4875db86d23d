import os
import shutil

import pytest

# Playwright runs an event loop in the test thread; the ORM calls in test bodies are
# still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import make_employee, make_hr_admin, make_program  # noqa: E402 - after the env var above


@pytest.fixture
def hr_admin(db):
    return make_hr_admin()


@pytest.fixture
def program(db, hr_admin):
    return make_program(admins=[hr_admin])


@pytest.fixture
def outsider(db):
    """A signed-up employee with no part in anything the test sets up."""
    return make_employee(name="Olive Outsider").user


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download does not work here: use Debian's Chromium.
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": chromium}


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` (concurrency: threads racing on rows) need PostgreSQL;
    on SQLite they are deselected, not failed."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
