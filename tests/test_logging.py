"""Structured logs: LOG_FORMAT=json, and a request id on every line of a request."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.logs import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent
UUID_HEX = 32


@pytest.fixture
def log_lines():
    """What the console handler would write in JSON, for the test's requests."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


@pytest.mark.django_db
def test_a_sane_request_id_is_kept_and_on_every_log_line(client, log_lines):
    response = client.get("/no-such-page/", headers={"X-Request-ID": "Root=1-abc-123"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "Root=1-abc-123"
    lines = [line for line in log_lines() if line["logger"] == "django.request"]
    assert [(line["level"], line["request_id"], line["status_code"]) for line in lines] == [
        ("WARNING", "Root=1-abc-123", 404)
    ]
    # Once the request is over its id is no one's.
    logging.getLogger("after").warning("between requests")
    assert log_lines()[-1]["request_id"] == "-"


@pytest.mark.django_db
@pytest.mark.parametrize("given", [None, "", "forged\nINFO all fine", "x" * 129, "a b"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_fresh_one(client, given):
    headers = {} if given is None else {"X-Request-ID": given}
    first = client.get("/healthz", headers=headers)["X-Request-ID"]
    second = client.get("/healthz", headers=headers)["X-Request-ID"]
    assert len(first) == len(second) == UUID_HEX
    assert first != second


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _log_from_shell(**env: str) -> subprocess.CompletedProcess:
    code = "import logging; logging.getLogger('pairwise.test').warning('hello %s', 'world')"
    return _manage("shell", "-c", code, **env)


def test_log_format_json_writes_one_object_a_line():
    result = _log_from_shell(LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert {k: entry[k] for k in ("level", "logger", "message", "request_id")} == {
        "level": "WARNING",
        "logger": "pairwise.test",
        "message": "hello world",
        "request_id": "-",
    }


def test_plain_is_the_default():
    result = _log_from_shell()
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("WARNING pairwise.test [-] hello world")


def test_an_unknown_log_format_is_refused():
    result = _manage("check", LOG_FORMAT="xml")
    assert result.returncode == 1
    assert "LOG_FORMAT must be plain or json, not 'xml'" in result.stderr


def test_exceptions_are_in_the_json():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed"
    assert "ValueError: boom" in entry["exception"]
