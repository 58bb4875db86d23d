"""`manage.py bench_import`: the bulk participants import against the row-by-row reference,
on the same file and database, each from the same starting state (a transaction that is
rolled back afterwards), so a run leaves the database as it found it."""

import csv
import gc
import io
import random
import time
import tracemalloc
from collections.abc import Callable

from django.db import connection, transaction

from programs.benchmarks.rowwise_import import rowwise_import
from programs.importing import COLUMNS, participants_import
from programs.models import Employee, Participant, Program, Topic

DEPARTMENTS = ["Engineering", "Sales", "Finance", "People", "Operations", "Legal", "Design"]
TOPICS = [
    "Leadership",
    "public speaking",
    "Negotiation",
    "PYTHON",
    "Career growth",
    "Hiring",
    "Data analysis",
    "Cloud Architecture",
    "Budgeting",
    "UX research",
    "Stakeholder management",
    "Time management",
]
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jia"]
LAST = ["Brennan", "Okafor", "Martin", "Patel", "Novak", "Silva", "Kim", "Haddad", "Ross"]
BENCH_SLUG = "bench-import"


class BenchmarkInputError(ValueError):
    pass


def participants_csv(rows: int, *, seed: int = 1) -> str:
    """A mentoring participants CSV of `rows` people, the same for the same seed: about
    one in six a mentor, most with a manager (earlier in the file, or someone outside it),
    two or three goals or areas of expertise each, in mixed spellings."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(rows):
        mentor = rng.random() < 1 / 6
        level = rng.randint(4, 6) if mentor else rng.randint(1, 3)
        if i and rng.random() < 0.8:
            manager = f"person{rng.randrange(i)}@bench.example.org"
        else:
            manager = f"lead{rng.randrange(50)}@bench.example.org" if rng.random() < 0.5 else ""
        topics = ";".join(rng.sample(TOPICS, rng.randint(2, 3)))
        writer.writerow(
            [
                f"person{i}@bench.example.org",
                f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                rng.choice(DEPARTMENTS),
                level,
                manager,
                "mentor" if mentor else "mentee",
                "" if mentor else topics,
                topics if mentor else "",
                rng.choice(["directive", "reflective", "either"]),
                rng.randint(1, 4) if mentor and rng.random() < 0.5 else "",
            ]
        )
    return out.getvalue()


def database_state(program: Program) -> tuple:
    """What an import writes, as plain data without ids, to compare two paths by."""
    employees = sorted(
        (
            e.email,
            e.name,
            e.department,
            e.level,
            e.title,
            e.manager.email if e.manager else "",
            e.user.username,
            e.user.has_usable_password(),
        )
        for e in Employee.objects.select_related("manager", "user")
    )
    participants = sorted(
        (
            p.employee.email,
            p.role,
            p.style,
            p.capacity,
            tuple(sorted(t.key for t in p.goals.all())),
            tuple(sorted(t.key for t in p.expertise.all())),
        )
        for p in Participant.objects.filter(program=program)
        .select_related("employee")
        .prefetch_related("goals", "expertise")
    )
    topics = sorted(Topic.objects.values_list("key", "name"))
    return employees, participants, topics


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class _Rollback(Exception):
    pass


def _run(importer: Callable, text: str, *, memory: bool) -> tuple[dict, tuple]:
    """One import into a fresh bench programme inside a transaction that is then rolled
    back: its measurements and the state it produced."""
    counter = _QueryCounter()
    measured: dict = {}
    try:
        with transaction.atomic():
            program = Program.objects.create(
                slug=BENCH_SLUG, name="Import benchmark", kind=Program.Kind.MENTORING
            )
            # Each path starts with no garbage of the one before to collect.
            gc.collect()
            if memory:
                tracemalloc.start()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                result = importer(program=program, text=text)
                seconds = time.perf_counter() - started
            if memory:
                measured["peak_memory_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
                tracemalloc.stop()
            rows = result.counts["rows"]
            measured.update(
                rows=rows,
                seconds=round(seconds, 3),
                queries=counter.count,
                rows_per_s=round(rows / seconds, 1) if seconds else None,
            )
            state = database_state(program)
            raise _Rollback
    except _Rollback:
        pass
    return measured, state


def benchmark(
    *, rows: int = 12_500, text: str | None = None, seed: int = 1, memory: bool = True
) -> dict:
    """Run both paths on the same file; JSON-ready figures and whether their data agree.

    Time and queries come from a run without tracemalloc (it slows Python down several
    times); peak memory from a second run of each path with it, unless `memory` is off
    (the row-by-row path under tracemalloc takes many minutes).
    """
    if text is None:
        if rows < 1:
            raise BenchmarkInputError("--rows must be at least 1")
        text = participants_csv(rows, seed=seed)
    if Program.objects.filter(slug=BENCH_SLUG).exists():
        raise BenchmarkInputError(f"a programme with the slug {BENCH_SLUG!r} exists already")
    report: dict = {"database": connection.vendor}
    states = {}
    for name, importer in (("rowwise", rowwise_import), ("bulk", participants_import)):
        report[name], states[name] = _run(importer, text, memory=False)
        if memory:
            traced, _ = _run(importer, text, memory=True)
            report[name]["peak_memory_mb"] = traced["peak_memory_mb"]
    report["speedup"] = round(report["rowwise"]["seconds"] / report["bulk"]["seconds"], 1)
    report["identical"] = states["rowwise"] == states["bulk"]
    return report
