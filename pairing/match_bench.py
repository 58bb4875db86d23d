"""The whole-process benchmark: ``manage.py match SLUG --json`` against the dense reference.

The engine's own benchmark (``pairing.matching.bench``) times ``solve`` in memory. What an HR
admin or a script waits for is the whole command: Python and Django starting, the pool read
from the database, the engine, the JSON. So this writes the benchmark's synthetic
organisation into a throwaway SQLite database, times the command as a subprocess on it, and
times scipy's dense exact assignment on the same people in this process, so the figure is a
ratio against a baseline run on the same machine at the same moment, never a bare time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from pairing.matching import GUIDE, Person, Problem, Rules, bench, solve
from programs.models import Employee, Participant, Program
from programs.services import topics_from_names

SLUG = "bench-whole-process"
_BATCH = 500


@transaction.atomic
def program_write(*, slug: str, people: list[Person]) -> Program:
    """Write synthetic mentoring ``people`` into the configured database as programme ``slug``.

    Keys become emails; managers outside the pool become employees who are not enrolled, as
    in a real directory. Bulk inserts: this is a benchmark fixture, not an import.
    """
    if Program.objects.filter(slug=slug).exists():
        raise ValueError(f"a programme with the slug {slug!r} already exists")
    keys = {p.key for p in people}
    outside = sorted({p.manager for p in people if p.manager and p.manager not in keys})
    User = get_user_model()
    unusable = make_password(None)  # one hash for everyone: hashing is the slow part
    emails = [*outside, *(p.key for p in people)]
    users = User.objects.bulk_create(
        [User(username=email, email=email, password=unusable) for email in emails],
        batch_size=_BATCH,
    )
    user_of = dict(zip(emails, users, strict=True))
    employee_id: dict[str, int] = {}
    for email, employee in zip(
        outside,
        Employee.objects.bulk_create(
            [Employee(user=user_of[e], email=e, name=e, level=6) for e in outside],
            batch_size=_BATCH,
        ),
        strict=True,
    ):
        employee_id[email] = employee.pk
    # A manager in the pool is more senior than their reports: write the seniors first so
    # each manager's id is known when their reports are written.
    for level in range(6, 0, -1):
        rows = [p for p in people if p.level == level]
        written = Employee.objects.bulk_create(
            [
                Employee(
                    user=user_of[p.key],
                    email=p.key,
                    name=p.key.split("@")[0],
                    department=p.department,
                    level=p.level,
                    manager_id=employee_id.get(p.manager) if p.manager else None,
                )
                for p in rows
            ],
            batch_size=_BATCH,
        )
        employee_id.update((p.key, e.pk) for p, e in zip(rows, written, strict=True))
    program = Program(
        slug=slug,
        name="Whole-process benchmark",
        kind=Program.Kind.MENTORING,
        status=Program.Status.ACTIVE,
        checkin_cadence_days=Program.DEFAULT_CADENCE_DAYS[Program.Kind.MENTORING],
    )
    program.full_clean()
    program.save()
    participants = Participant.objects.bulk_create(
        [
            Participant(
                program=program,
                employee_id=employee_id[p.key],
                role=Participant.Role.MENTOR if p.role == GUIDE else Participant.Role.MENTEE,
                style=p.style,
                capacity=p.capacity if p.role == GUIDE else None,
            )
            for p in people
        ],
        batch_size=_BATCH,
    )
    topic = {
        t.name.lower(): t.pk
        for t in topics_from_names(
            sorted({name for p in people for name in (*p.goals, *p.expertise)})
        )
    }
    for field, through in (
        ("goals", Participant.goals.through),
        ("expertise", Participant.expertise.through),
    ):
        through.objects.bulk_create(
            [
                through(participant_id=participant.pk, topic_id=topic[name])
                for p, participant in zip(people, participants, strict=True)
                for name in getattr(p, field)
            ],
            batch_size=_BATCH * 2,
        )
    return program


def _manage(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done, time.perf_counter() - began


def _check(done: subprocess.CompletedProcess, what: str) -> None:
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"{what} failed: {tail[0]}")


def whole_process_benchmark(
    *, learners: int, guides: int, capacity: int, seed: int, repeat: int = 3
) -> dict[str, Any]:
    """Time ``manage.py match --json`` (median of ``repeat`` runs, each a fresh process) on a
    throwaway SQLite copy of the synthetic organisation, and the dense reference on the same
    people in this process; report both, their ratio, and where the command's time goes."""
    if capacity < 1:
        raise bench.BenchmarkInputError(f"--capacity must be 1 or more, not {capacity}")
    if repeat < 1:
        raise bench.BenchmarkInputError(f"--repeat must be 1 or more, not {repeat}")
    people = bench.synthetic_org(bench.MENTORING, learners, guides, capacity, seed)
    rules = Rules(kind=bench.MENTORING)
    with tempfile.TemporaryDirectory(prefix="pairwise-bench-") as folder:
        # Only the database changes: the children run the same code and settings as we do.
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}"}
        _check(_manage("migrate", "--noinput", "-v", "0", "--skip-checks", env=env)[0], "migrate")
        began = time.perf_counter()
        _check(
            _manage(
                "bench_matching",
                "--skip-checks",
                "--write-program",
                SLUG,
                "--learners",
                str(learners),
                "--guides",
                str(guides),
                "--capacity",
                str(capacity),
                "--seed",
                str(seed),
                env=env,
            )[0],
            "writing the programme",
        )
        write_seconds = time.perf_counter() - began
        # Start-up alone: the same command refusing an unknown slug after Django is set up.
        startup = [_manage("match", "no-such-programme", env=env)[1] for _ in range(repeat)]
        runs = []
        for _ in range(repeat):
            done, seconds = _manage("match", SLUG, "--json", env=env)
            _check(done, "match")
            runs.append(seconds)
        contract = json.loads(done.stdout)
    began = time.perf_counter()
    engine = solve(people, rules)
    engine_seconds = time.perf_counter() - began
    problem = Problem.build(people, rules)
    began = time.perf_counter()
    reference = bench.dense_reference(problem)
    reference_seconds = time.perf_counter() - began
    match_seconds = statistics.median(runs)
    objective = contract["objective"]
    report: dict[str, Any] = {
        "kind": bench.MENTORING,
        "seed": seed,
        "sizes": {"learners": learners, "guides": guides, "capacity": capacity},
        "write_seconds": round(write_seconds, 3),
        "match_command": {
            "method": f"manage.py match SLUG --json in a fresh process, median of {repeat}",
            "seconds": round(match_seconds, 3),
            "runs": [round(s, 3) for s in runs],
            "matched": objective["matched"],
            "total_score": round(objective["total_score"], 2),
            "certified": objective["certified"],
            "pairings": len(contract["pairings"]),
        },
        "where_the_time_goes": {
            "startup_seconds": round(statistics.median(startup), 3),
            "engine_seconds": round(engine_seconds, 3),
            "rest_seconds": round(match_seconds - statistics.median(startup) - engine_seconds, 3),
            "method": "startup: match on an unknown slug (Python, Django, imports); engine: "
            "solve() on the same people in this process; rest: the pool read, mapping and JSON",
        },
        "engine": {
            "matched": engine.objective.matched,
            "total_score": round(engine.objective.total_score, 2),
        },
    }
    if reference is None:
        report["reference"] = {"skipped": "does not fit in memory"}
    else:
        ref_matched, ref_score = reference
        report["reference"] = {
            "method": "scipy linear_sum_assignment, dense, columns repeated per place",
            "seconds": round(reference_seconds, 3),
            "matched": ref_matched,
            "total_score": round(ref_score, 2),
        }
        report["speedup_over_reference"] = (
            round(reference_seconds / match_seconds, 2) if match_seconds else None
        )
    return report
