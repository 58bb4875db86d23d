import os
import shutil

import pytest

# Playwright runs an event loop in the test thread; the ORM calls in test bodies are
# still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import make_employee, make_hr_admin, make_program  # noqa: E402 - after the env var above

# The OpenID Connect provider fixtures (oidc_provider, sso) for any test that signs in by SSO.
pytest_plugins = ["tests.sso"]


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


# Headless Chromium as root needs --no-sandbox; the rest keep it off the network and quiet
# (no update checks, sync or QUIC probes), as on the CI machines.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Date inputs and numbers as the product's en-GB users see them.
    "--lang=en-GB",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download does not work here: use Debian's Chromium.
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(chromium, os.X_OK):
        # Fail, never skip: CI must not pass without its browser tests.
        pytest.fail(
            f"Chromium not found at {chromium}: the browser tests need Debian's Chromium "
            "(apt-get install -y chromium). To run the rest without it: "
            "pytest -m 'not browser'.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` (concurrency: threads racing on rows) need PostgreSQL and
    tests marked ``sqlite`` (SQLite's own limits) need SQLite; on the other database they
    are deselected, not failed and not skipped. CI runs the suite on both."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    other = "sqlite" if on_postgres else "postgres"
    deselected = [item for item in items if item.get_closest_marker(other)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(other)]
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            database = "PostgreSQL" if on_postgres else "SQLite"
            reporter.write_line(
                f"{len(deselected)} {other}-only test(s) deselected: the database is {database}."
            )
