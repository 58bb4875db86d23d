"""``make loadtest-faults``: reminders under faults (issue 17), re-runnable.

Each scenario starts from the same state: a throwaway PostgreSQL database
(``pairwise_faults``, ``seed_demo --size large``) whose active pairings all had a check-in
due two days ago, and no reminder rows, so the first dispatcher run finds hundreds due.
Real Celery workers (prefork, on Redis database 12) send them through a file mail backend
with a mail server's latency (slowmail.py), while the fault is injected:

  race        two workers, two beats and an inline ``send_due_reminders`` at once
  kill-child  SIGKILL one worker's pool process mid-send (Celery redelivers its task)
  kill-node   SIGKILL a whole worker, main process and pool, mid-send (no redelivery
              within the hour: the dispatcher releases its claims after the 90 s lease)
  redis       ``redis-cli shutdown nosave``, then Redis started again as it was
  postgres    PostgreSQL restarted with pg_ctlcluster

Afterwards every reminder row is checked against the emails written, by Message-ID
(``<reminder-ID@host>``): each sent exactly once, or more than once only when the row says
it was in doubt (resent by design, same Message-ID), and none lost.

    .venv/bin/python -m tests.load.faults [race kill-child kill-node redis postgres] [--reuse]

The redis and postgres scenarios restart the machine's shared servers: run them only when
nobody else is using them. Both are left up (checked with redis-cli ping, pg_isready).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.load import stack
from tests.load.run import harness

SCENARIOS = ("race", "kill-child", "kill-node", "redis", "postgres")
FAULT_AFTER = 8  # seconds after the first dispatch: sending is well under way
MESSAGE_ID = re.compile(r"^Message-ID: <reminder-(\d+)@", re.MULTILINE)


def celery(env: dict, log: Path, *args: str) -> subprocess.Popen:
    out = open(log, "a")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        [str(stack.BIN / "celery"), "-A", "config", *args],
        env=env,
        cwd=stack.ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def worker(env: dict, folder: Path, name: str) -> subprocess.Popen:
    return celery(
        env,
        folder / f"{name}.log",
        "worker",
        "--pool=prefork",
        "--concurrency=2",
        f"--hostname={name}@%h",
        "--without-mingle",
        "--without-gossip",
        "--loglevel=INFO",
    )


def beat(env: dict, folder: Path, name: str) -> subprocess.Popen:
    return celery(
        env,
        folder / f"{name}.log",
        "beat",
        f"--schedule={folder / name}.schedule",
        f"--pidfile={folder / name}.pid",
        "--loglevel=INFO",
    )


def dispatch_now(env: dict) -> None:
    """What beat does every minute, now, so a run need not wait for the minute."""
    stack.run(
        [str(stack.BIN / "celery"), "-A", "config", "call", "pairing.tasks.dispatch_due_reminders"],
        env,
        capture_output=True,
    )


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


# --- faults: each takes the scenario's processes -----------------------------------------


def kill_child(procs: dict) -> str:
    pid = children(procs["w1"].pid)[0]
    os.kill(pid, signal.SIGKILL)
    return f"SIGKILL to w1's pool process {pid}"


def kill_node(procs: dict) -> str:
    main = procs["w1"].pid
    pids = [main, *children(main)]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return f"SIGKILL to w1, main process and pool ({', '.join(map(str, pids))})"


def redis_config() -> dict[str, str]:
    keys = ("bind", "port", "save", "appendonly", "dir", "logfile", "daemonize")
    return {
        key: subprocess.run(
            ["redis-cli", "config", "get", key], capture_output=True, text=True, check=True
        ).stdout.splitlines()[1]
        for key in keys
    }


def redis_start(config: dict[str, str]) -> None:
    args = ["redis-server"]
    for key, value in config.items():
        args += [f"--{key}", *(value.split() if key == "bind" else [value])]
    subprocess.run(args, cwd="/", check=True)
    wait_for(["redis-cli", "ping"], "Redis")


def restart_redis(procs: dict) -> str:
    config = redis_config()
    subprocess.run(["redis-cli", "shutdown", "nosave"], check=False)
    time.sleep(3)
    redis_start(config)
    return f"redis-cli shutdown nosave; 3 s down; redis-server {config}"


def postgres_cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def restart_postgres(procs: dict) -> str:
    version = postgres_cluster()
    started = time.monotonic()
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
    subprocess.run(command, check=True)
    wait_for(["pg_isready", "-h", "127.0.0.1", "-q"], "PostgreSQL")
    return f"{' '.join(command)} ({time.monotonic() - started:.1f} s until pg_isready)"


FAULTS = {
    "race": None,
    "kill-child": kill_child,
    "kill-node": kill_node,
    "redis": restart_redis,
    "postgres": restart_postgres,
}


def wait_for(command: list[str], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run(command, capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    raise SystemExit(f"{what} is not back after {seconds:.0f} s: {' '.join(command)}")


# --- one scenario --------------------------------------------------------------------------


def emails_by_reminder(folder: Path) -> Counter:
    counts: Counter = Counter()
    for path in folder.glob("*.log"):
        counts.update(int(pk) for pk in MESSAGE_ID.findall(path.read_text(errors="replace")))
    return counts


def scenario(name: str, base_env: dict, *, timeout: float) -> dict:
    folder = stack.VAR / "faults" / name
    shutil.rmtree(folder, ignore_errors=True)
    mail = folder / "mail"
    mail.mkdir(parents=True)
    env = {**base_env, "EMAIL_FILE_PATH": str(mail)}
    subprocess.run(["redis-cli", "-n", str(stack.REDIS_DB), "flushdb"], check=True)
    prepared = harness("due", env)

    procs = {"w1": worker(env, folder, "w1"), "w2": worker(env, folder, "w2")}
    procs["beat1"] = beat(env, folder, "beat1")
    if name == "race":
        procs["beat2"] = beat(env, folder, "beat2")
    time.sleep(6)  # workers up
    started = time.monotonic()
    dispatch_now(env)
    if name == "race":
        dispatch_now(env)
        # A third sender: the cron-style command, sending inline beside the workers.
        inline = subprocess.Popen(
            [str(stack.BIN / "python"), "manage.py", "send_due_reminders"],
            env=env,
            cwd=stack.ROOT,
            stdout=open(folder / "inline.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        procs["inline"] = inline
    fault = FAULTS[name]
    injected = ""
    if fault is not None:
        time.sleep(FAULT_AFTER)
        injected = fault(procs)
        print(f"[{name}] {injected}", flush=True)

    # Settled: every row sent or cancelled, twice in a row.
    settled_at = None
    calm = 0
    while time.monotonic() - started < timeout:
        time.sleep(10)
        state = harness("reminders", env)
        print(
            f"[{name}] {time.monotonic() - started:.0f} s: {state['sent']}/{state['rows']} sent,"
            f" {state['unsent']} unsent, {state['doubted']} in doubt",
            flush=True,
        )
        calm = calm + 1 if state["rows"] and state["unsent"] == 0 else 0
        if calm == 1 and settled_at is None:
            settled_at = time.monotonic() - started
        if calm == 2:
            break
        if calm == 0:
            settled_at = None
    for proc in procs.values():
        stack.stop(proc)

    state = harness("reminders", env)
    emails = emails_by_reminder(mail)
    sent, doubted = set(state["sent_ids"]), set(state["doubted_ids"])
    lost = sorted(set(state["unsent_ids"]) | {pk for pk in sent if not emails[pk]})
    unrecorded = sorted(set(emails) - sent)  # went out, row not stamped
    duplicated = {pk: n for pk, n in emails.items() if n > 1}
    undoubted_duplicates = sorted(pk for pk in duplicated if pk not in doubted)
    result = {
        "scenario": name,
        "fault": injected or "none (two workers, two beats, an inline sender at once)",
        "active_pairings_due": prepared["active_pairings"],
        "reminder_rows": state["rows"],
        "sent_rows": len(sent),
        "cancelled_rows": state["cancelled"],
        "emails": sum(emails.values()),
        "distinct_message_ids": len(emails),
        "in_doubt": len(doubted),
        "resent_in_doubt": sum(n - 1 for pk, n in duplicated.items() if pk in doubted),
        "lost": lost,
        "unrecorded_sends": unrecorded,
        "duplicates_not_in_doubt": undoubted_duplicates,
        "settled_after_s": round(settled_at) if settled_at is not None else None,
        "errors": state["errors"],
    }
    result["ok"] = not lost and not unrecorded and not undoubted_duplicates and bool(sent)
    return result


def services_up() -> dict:
    redis = subprocess.run(["redis-cli", "ping"], capture_output=True, text=True).stdout.strip()
    postgres = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1"], capture_output=True, text=True
    ).stdout.strip()
    return {"redis": redis, "postgres": postgres}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--db", default="pairwise_faults")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--timeout", type=float, default=360, help="seconds per scenario")
    options = parser.parse_args()

    stack.VAR.mkdir(parents=True, exist_ok=True)
    env = stack.environment(db=options.db, port=8000, mail_dir=stack.VAR / "faults")
    env["EMAIL_BACKEND"] = "tests.load.slowmail.EmailBackend"
    env["LOG_LEVEL"] = "INFO"
    if not options.reuse:
        stack.fresh_database(options.db, env)
    results = []
    try:
        for name in options.scenarios:
            results.append(scenario(name, env, timeout=options.timeout))
            print(json.dumps(results[-1], indent=1), flush=True)
    finally:
        services = services_up()
        print(f"Services afterwards: {services}", flush=True)
    report = ["# Fault runs, " + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), ""]
    report += ["```", json.dumps({"results": results, "services": services}, indent=1), "```"]
    (stack.VAR / "faults.md").write_text("\n".join(report) + "\n")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
