"""Settings fail loudly on a missing production secret and pass check --deploy when set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_malformed_boolean_is_refused_with_its_name():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode == 1
    assert "DEBUG must be a boolean (1/0, true/false), not 'maybe'" in result.stderr


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-and-random-production-secret-" + "x7Qp" * 10,
        ALLOWED_HOSTS="mentoring.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_single_sign_on_needs_both_issuer_and_client_id():
    result = _manage("check", OIDC_ISSUER_URL="https://sso.example.org")
    assert result.returncode == 1
    assert "Single sign-on needs both OIDC_ISSUER_URL and OIDC_CLIENT_ID" in result.stderr


def test_password_login_off_without_single_sign_on_is_refused():
    result = _manage("check", PASSWORD_LOGIN="0")
    assert result.returncode == 1
    assert "PASSWORD_LOGIN=0 needs single sign-on" in result.stderr


def test_single_sign_on_settings_start_without_reaching_the_provider():
    # .invalid never resolves (RFC 2606): start-up must not fetch discovery.
    result = _manage(
        "check",
        OIDC_ISSUER_URL="https://sso.invalid/realms/acme",
        OIDC_CLIENT_ID="pairwise",
        PASSWORD_LOGIN="0",
    )
    assert result.returncode == 0, result.stderr


def test_retention_months_must_be_zero_or_more():
    result = _manage("check", RETENTION_MONTHS="-1")
    assert result.returncode == 1
    assert "RETENTION_MONTHS must be 0 (off) or a number of months" in result.stderr
    result = _manage("check", RETENTION_MONTHS="six")
    assert result.returncode == 1
    assert "RETENTION_MONTHS must be an integer, not 'six'" in result.stderr
