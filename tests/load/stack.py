"""The production-shaped stack the load and fault runs drive: a throwaway PostgreSQL
database seeded with ``seed_demo --size large``, gunicorn with DEBUG off, and Celery
workers on Redis. No Django import here: everything Django-side runs in subprocesses with
this environment (harness.py), as production would.

Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "load"
PG = "postgres://postgres@127.0.0.1:5432"
# A Redis database nobody else on the machine uses (the suite's tests use others).
REDIS_DB = int(os.environ.get("LOAD_REDIS_DB", "12"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(*, db: str, port: int, mail_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off) for plain http on loopback: no SSL redirect and no
    HSTS. Cookies stay Secure; the load users send them over http themselves."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "load-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"{PG}/{db}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(args), flush=True)
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", f"{PG}/{db}", "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def fresh_database(db: str, env: dict[str, str]) -> None:
    """Drop and recreate ``db``, migrate, seed the large demo, collect static files and
    ANALYZE (autovacuum is off here, so the planner knows nothing after a bulk seed)."""
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db}"')
    manage = [str(BIN / "python"), "manage.py"]
    run([*manage, "migrate", "--no-input", "-v", "0"], env)
    run([*manage, "seed_demo", "--size", "large"], env)
    run([*manage, "collectstatic", "--no-input", "-v", "0"], env)
    psql("ANALYZE", db)


def gunicorn(env: dict[str, str], port: int, workers: int = 3) -> subprocess.Popen:
    log = open(VAR / "gunicorn.log", "a")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--access-logfile",
            "-",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s (see var/load/gunicorn.log)")


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Stop one process we started, by its pid (its main process only)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (2 cores here): a busy machine skews figures."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
