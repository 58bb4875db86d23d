"""``make loadtest``: the load figures of issue 17, re-runnable.

Builds a throwaway PostgreSQL database (``pairwise_load``) with ``seed_demo --size large``,
starts gunicorn (3 workers, DEBUG off) on a free loopback port, signs the load users in
through the real login form, runs locust headless at each user count, then checks the
database: no mentor over capacity, nobody in two live pairings.

    .venv/bin/python -m tests.load.run [--users 30 60] [--time 2m] [--reuse]

Figures go to stdout and var/load/summary.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.load import stack

TARGET_P95_MS = 300
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def cookie_header(session: requests.Session) -> dict:
    """requests sends no Secure cookie over http (DEBUG off makes them Secure): send them
    ourselves, on loopback only."""
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.get_dict().items())}


def harness(command: str, env: dict, *args: str) -> dict:
    out = stack.run(
        [str(stack.BIN / "python"), "-m", "tests.load.harness", command, *args],
        env,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def sign_in(base: str, email: str, password: str) -> tuple[dict, float]:
    """Through the login form with its CSRF token, as a browser would."""
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = CSRF_FIELD.search(page.text).group(1)
    started = time.monotonic()
    response = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        headers=cookie_header(session),
        allow_redirects=False,
        timeout=60,
    )
    seconds = time.monotonic() - started
    if response.status_code != 302 or "/accounts/login/" in response.headers["Location"]:
        raise SystemExit(f"Could not sign in as {email}: HTTP {response.status_code}")
    return session.cookies.get_dict(), seconds


def percentiles(rows: list[dict]) -> list[dict]:
    return [
        {
            "name": row["Name"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50": row["50%"],
            "p95": row["95%"],
            "max": round(float(row["Max Response Time"])),
        }
        for row in rows
    ]


def table(rows: list[dict]) -> str:
    lines = [
        "| page | requests | failures | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['requests']} | {r['failures']} | {r['p50']} | {r['p95']} "
            f"| {r['max']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[30, 60])
    parser.add_argument("--time", default="2m", help="locust run time per user count")
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--db", default="pairwise_load")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    options = parser.parse_args()

    stack.VAR.mkdir(parents=True, exist_ok=True)
    mail = stack.VAR / "mail"
    port = stack.free_port()
    env = stack.environment(db=options.db, port=port, mail_dir=mail)
    if not options.reuse:
        stack.fresh_database(options.db, env)
    groups = [str(u) for u in options.users]
    accounts = harness("prepare", env, *groups)

    server = stack.gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    report = [f"# Load run, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"]
    try:
        emails = sorted(
            {*accounts["employees"], *accounts["hr"]}
            | {e for group in accounts["mentors"].values() for e in group}
        )
        # Three at a time, one per gunicorn worker: each login hashes a password (slow).
        with ThreadPoolExecutor(3) as pool:
            signed = list(pool.map(lambda e: sign_in(base, e, accounts["password"]), emails))
        login_ms = sorted(round(s * 1000) for _, s in signed)
        report.append(
            f"Signed in {len(emails)} accounts through the login form: median "
            f"{login_ms[len(login_ms) // 2]} ms, max {login_ms[-1]} ms (password hashing; "
            "before the measured runs)."
        )
        sessions = {**accounts, "cookies": dict(zip(emails, (c for c, _ in signed), strict=True))}
        sessions_file = stack.VAR / "sessions.json"
        sessions_file.write_text(json.dumps(sessions))

        for users in options.users:
            load = stack.load_average()
            prefix = stack.VAR / f"u{users}"
            code = subprocess.run(
                [
                    str(stack.BIN / "locust"),
                    "-f",
                    "tests/load/locustfile.py",
                    "--headless",
                    "-u",
                    str(users),
                    "-r",
                    str(options.spawn_rate),
                    "-t",
                    options.time,
                    "-H",
                    base,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--exit-code-on-error",
                    "1",
                    "--loglevel",
                    "WARNING",
                ],
                env={**env, "LOAD_SESSIONS": str(sessions_file), "LOAD_GROUP": str(users)},
                cwd=stack.ROOT,
            ).returncode
            # The 1-minute figure at the end covers the run: locust and gunicorn's own
            # share is about 2 on these 2 cores; well above means someone else was busy.
            load_after = stack.load_average()
            with open(f"{prefix}_stats.csv") as f:
                rows = percentiles(list(csv.DictReader(f)))
            worst = max((float(r["p95"]) for r in rows if r["name"] != "Aggregated"), default=0)
            failures = next(r["failures"] for r in rows if r["name"] == "Aggregated")
            # An exception in a task (a page without the link it expects) is an error too.
            with open(f"{prefix}_exceptions.csv") as f:
                exceptions = sum(int(row["Count"]) for row in csv.DictReader(f))
            failures += exceptions
            verdict = "met" if worst <= TARGET_P95_MS and failures == 0 else "MISSED"
            report += [
                "",
                f"## {users} users, {options.time}, spawn {options.spawn_rate}/s "
                f"(load average before: {load}, after: {load_after}; locust exit {code})",
                "",
                table(rows),
                "",
                f"Worst page p95 {worst:.0f} ms, {failures} failures ({exceptions} exceptions "
                f"in tasks): target {verdict}.",
            ]
            print("\n".join(report[-5:]), flush=True)
    finally:
        stack.stop(server)
        subprocess.run(["redis-cli", "-n", str(stack.REDIS_DB), "flushdb"], check=False)

    checks = harness("check", env)
    report += [
        "",
        "## Integrity afterwards",
        "",
        f"Free places of the mentors raced for, per run: {accounts['places']}.",
        "",
        "```",
        json.dumps(checks, indent=1),
        "```",
    ]
    summary = "\n".join(report) + "\n"
    (stack.VAR / "summary.md").write_text(summary)
    print(summary)
    return 0 if checks["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
