"""Matching benchmark: a synthetic organisation, our solver, and two baselines on the same data,
plus the rank table for synthetic rankings beside the stable baseline (`preferences`).

Run it with ``python -m pairing.matching.bench`` (or ``manage.py bench_matching``). Peak memory
is the ``tracemalloc`` peak of the measured call: numpy registers its buffers with
tracemalloc, so this counts the score matrices and solver arrays allocated from Python
(memory held inside the C++ flow/matching solvers is not seen).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from . import solve
from .domain import (
    GROUP_KINDS,
    GROUP_MENTORING,
    GUIDE,
    KINDS,
    LEARNER,
    MENTORING,
    PEER,
    PEER_COACHING,
    REVERSE_MENTORING,
    Person,
    Rules,
)
from .engine import Problem
from .greedy import greedy
from .groups import form_groups
from .preferences import compare
from .scores import FORBIDDEN

_DEPARTMENTS = ("Engineering", "Sales", "Marketing", "Finance", "People", "Legal", "Product")
_TOPICS = (
    "Leadership", "Public Speaking", "Negotiation", "Budgeting", "Python", "Machine Learning",
    "Cloud Architecture", "Product Strategy", "Stakeholder Management", "Hiring",
    "People Management", "Time Management", "Career Planning", "Design Thinking",
    "Change Management", "Influence", "Customer Success", "Sales Pipeline", "Security",
    "Data Analysis", "Project Management", "Strategic Thinking", "Presentation Design",
    "Coaching Skills", "Networking", "Remote Work", "Finance Basics", "Writing",
    "Conflict Resolution", "Agile Delivery",
)  # fmt: skip
_STYLES = ("either", "directive", "reflective")
# Learners are mostly junior, guides mostly senior, peers spread around the middle.
_LEVELS = {
    LEARNER: (0.28, 0.30, 0.22, 0.12, 0.06, 0.02),
    GUIDE: (0.02, 0.08, 0.20, 0.30, 0.25, 0.15),
    PEER: (0.15, 0.25, 0.25, 0.18, 0.12, 0.05),
}
# Dense reference limit: the repeated-column matrix plus dummy columns, as float64.
_REFERENCE_MAX_BYTES = 4_000_000_000


def synthetic_org(
    kind: str, n_learners: int, n_guides: int, capacity: int, seed: int
) -> list[Person]:
    """A believable organisation for ``kind``.

    Mentoring kinds get ``n_learners`` learners and ``n_guides`` guides with ``capacity``
    places (reverse mentoring flips the level skew: the juniors guide; group mentoring is
    skewed as mentoring, ``capacity`` counting groups); peer coaching, circles and
    co-development get ``n_learners`` peers. Topics follow a Zipf-like popularity,
    departments and styles are mixed, and most people have a manager (often someone else in
    the pool).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    rng = np.random.default_rng(seed)
    popularity = 1 / np.arange(1, len(_TOPICS) + 1) ** 0.8
    popularity /= popularity.sum()
    if kind in (PEER_COACHING, *GROUP_KINDS) and kind != GROUP_MENTORING:
        roles = [PEER] * n_learners
    else:
        roles = [LEARNER] * n_learners + [GUIDE] * n_guides
    people: list[dict[str, Any]] = []
    for i, role in enumerate(roles):
        skew = _LEVELS[role]
        if kind == REVERSE_MENTORING:
            skew = _LEVELS[GUIDE if role == LEARNER else LEARNER]
        level = int(rng.choice(6, p=skew)) + 1
        goals = rng.choice(len(_TOPICS), size=int(rng.integers(1, 5)), replace=False, p=popularity)
        expertise = (
            rng.choice(len(_TOPICS), size=int(rng.integers(2, 7)), replace=False, p=popularity)
            if role == GUIDE
            else []
        )
        people.append(
            {
                "key": f"{role}-{i:06d}@example.org",
                "role": role,
                "level": level,
                "department": _DEPARTMENTS[int(rng.integers(len(_DEPARTMENTS)))],
                "goals": frozenset(_TOPICS[t].lower() for t in goals),
                "expertise": frozenset(_TOPICS[t].lower() for t in expertise),
                "style": _STYLES[int(rng.choice(3, p=(0.4, 0.3, 0.3)))],
                "capacity": capacity if role == GUIDE else 1,
            }
        )
    # Managers: a more senior person in the same department when there is one (so the
    # "never with your manager" rule bites), otherwise someone outside the pool.
    by_department: dict[str, list[dict[str, Any]]] = {}
    for person in people:
        by_department.setdefault(person["department"], []).append(person)
    for person in people:
        if rng.random() < 0.15:
            continue
        seniors = [p for p in by_department[person["department"]] if p["level"] > person["level"]]
        if seniors and rng.random() < 0.7:
            person["manager"] = seniors[int(rng.integers(len(seniors)))]["key"]
        else:
            person["manager"] = f"outside-{int(rng.integers(10 * len(people) + 1))}@example.org"
    return [Person(**person) for person in people]


def mark_waited(people: Sequence[Person], fraction: float, seed: int) -> list[Person]:
    """The same people with ``fraction`` of the learners (or peers), drawn at random, marked
    as left unmatched last round (``Person.waited``)."""
    served = [i for i, p in enumerate(people) if p.role != GUIDE]
    rng = np.random.default_rng(seed)
    chosen = set(rng.choice(served, size=round(fraction * len(served)), replace=False).tolist())
    return [replace(p, waited=True) if i in chosen else p for i, p in enumerate(people)]


def waited_cost(
    kind: str,
    *,
    n_learners: int,
    n_guides: int,
    capacity: int,
    seed: int,
    fraction: float,
    repeat: int = 3,
) -> dict[str, Any]:
    """What the waited tier costs: the same pool solved without and with ``fraction`` of
    the learners waited, alternately in this process (median of ``repeat`` runs each).

    Group kinds form groups (`form_groups`, ``n_learners`` peers or learners); "matched"
    then counts the people placed."""
    rules = Rules(kind=kind)
    plain = synthetic_org(kind, n_learners, n_guides, capacity, seed)
    tiered = mark_waited(plain, fraction, seed)
    times: dict[str, list[float]] = {"without": [], "with": []}
    results = {}
    for _ in range(max(repeat, 1)):
        for name, people in (("without", plain), ("with", tiered)):
            began = time.perf_counter()
            if rules.is_group:
                results[name] = form_groups(people, rules, seed=seed)
            else:
                results[name] = solve(people, rules)
            times[name].append(time.perf_counter() - began)
    without, with_ = (statistics.median(times[name]) for name in ("without", "with"))

    def summary(name: str) -> dict[str, Any]:
        # Both objectives' JSON forms share these keys (a group's "matched" is its placed).
        objective = results[name].objective.to_dict()
        keys = ("matched", "waited", "waited_matched", "total_score", "certified", "gap")
        return {
            "seconds": round(statistics.median(times[name]), 3),
            **{key: objective[key] for key in (*keys, "rounds")},
        }

    return {
        "kind": kind,
        "fraction": fraction,
        "repeat": max(repeat, 1),
        "without": summary("without"),
        "with": summary("with"),
        "ratio_with_over_without": round(with_ / without, 3) if without else None,
    }


def dense_reference(problem: Problem) -> tuple[int, float] | None:
    """Exact reference: scipy's dense assignment with guide columns repeated per place.

    Only for mentoring kinds (peers need a general-graph matching); None when it would not
    fit in memory.
    """
    if problem.rules.is_peer:
        return None
    scores, capacity = problem.scores, problem.capacity
    n = scores.shape[0]
    cols = np.repeat(np.arange(scores.shape[1]), capacity)
    if n * (cols.size + n) * 8 > _REFERENCE_MAX_BYTES:
        return None
    top = max(int(scores.max(initial=0)), 0)
    bonus = min(n, cols.size) * top + 1
    # scipy rejects infinite costs, so forbidden cells and the "unmatched" dummy columns both
    # get weight 0: choosing one of them is the same as staying unmatched. Filled in row
    # blocks so the only big allocation is the matrix scipy needs anyway.
    weight = np.zeros((n, cols.size + n))
    for start in range(0, n, 1024):
        block = scores[start : start + 1024][:, cols]
        weight[start : start + 1024, : cols.size] = np.where(
            block != FORBIDDEN, bonus + block.astype(np.float64), 0.0
        )
    row_ind, col_ind = linear_sum_assignment(weight, maximize=True)
    real = col_ind < cols.size
    guides = cols[col_ind[real]]
    picked = scores[row_ind[real], guides]
    ok = picked != FORBIDDEN
    return int(ok.sum()), float(picked[ok].astype(np.int64).sum()) / problem.scale


def _process_peak_mib(call: Callable[[], Any]) -> tuple[Any, float | None]:
    """Run ``call`` and return (value, the process's peak resident memory in MiB during it).

    tracemalloc sees Python and numpy allocations but not the C++ solvers'; the kernel's
    high-water mark (reset through /proc/self/clear_refs, Linux only) sees everything.
    None where /proc is not available.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset VmHWM to the current RSS
    except OSError:
        return call(), None
    value = call()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return value, int(line.split()[1]) / 1024
    return value, None


def _measure(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``call`` under tracemalloc: (value, seconds, peak MiB)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    began = time.perf_counter()
    try:
        value = call()
    finally:
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return value, seconds, peak / 2**20


def run_benchmark(
    kind: str,
    *,
    n_learners: int = 10_000,
    n_guides: int = 2_000,
    capacity: int = 5,
    seed: int = 1,
    reference: bool = True,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Generate an organisation, solve it, and compare with greedy and the dense reference.

    Times are wall-clock seconds on this machine; memory is the tracemalloc peak in MiB.
    """
    rules = rules or Rules(kind=kind)
    people = synthetic_org(kind, n_learners, n_guides, capacity, seed)
    began = time.perf_counter()
    result, peak_rss = _process_peak_mib(lambda: solve(people, rules))
    total_seconds = time.perf_counter() - began
    began = time.perf_counter()
    problem = Problem.build(people, rules)
    build_seconds = time.perf_counter() - began
    # tracemalloc slows Python-level allocation, so memory is measured in a second run.
    _, _, peak = _measure(lambda: solve(people, rules))
    matched, score = result.objective.matched, result.objective.total_score
    greedy_matched, greedy_score = greedy(problem)
    report: dict[str, Any] = {
        "kind": kind,
        "seed": seed,
        "sizes": _sizes(kind, people, problem),
        "build_seconds": round(build_seconds, 3),
        "solve_seconds": round(total_seconds - build_seconds, 3),
        "total_seconds": round(total_seconds, 3),
        "peak_mib": round(peak, 1),
        "peak_method": "tracemalloc peak of a second solve() run (numpy buffers included)",
        "peak_rss_mib": round(peak_rss, 1) if peak_rss is not None else None,
        "peak_rss_method": "whole process's resident high-water mark during the timed solve()",
        "objective": {
            "matched": matched,
            "total_score": round(score, 2),
            "certified": result.objective.certified,
            "gap": round(result.objective.gap, 2),
            "method": result.objective.method,
            "rounds": result.objective.rounds,
        },
        "greedy": {
            "matched": greedy_matched,
            "total_score": round(greedy_score, 2),
            "matched_short": matched - greedy_matched,
            "score_short": round(score - greedy_score, 2),
        },
    }
    if reference and not rules.is_peer:
        outcome, seconds, ref_peak = _measure(lambda: dense_reference(problem))
        if outcome is None:
            report["reference"] = {"skipped": "does not fit in memory"}
        else:
            ref_matched, ref_score = outcome
            report["reference"] = {
                "method": "scipy linear_sum_assignment, dense, columns repeated per place",
                "seconds": round(seconds, 3),
                "peak_mib": round(ref_peak, 1),
                "matched": ref_matched,
                "total_score": round(ref_score, 2),
                "ratio_ours_over_reference": round(total_seconds / seconds, 3) if seconds else None,
                "speedup": round(seconds / total_seconds, 1) if total_seconds else None,
                "matched_gap": ref_matched - matched,
                "score_gap": round(ref_score - score, 2),
            }
    elif reference:
        report["reference"] = {"skipped": "no dense exact general-graph matcher fits"}
    report["preferences"] = preference_benchmark(people, rules, problem, seed)
    return report


_CITATION = (
    "Wu et al., JAMA Network Open 2025: an optimisation matcher placed 78 % of residency "
    "applicants in their top three choices, against 71 % for deferred acceptance."
)


def synthetic_rankings(problem: Problem, seed: int, noise: float = 10.0) -> dict[str, tuple]:
    """Each learner's (or peer's) three choices: their allowed partners by pair score plus
    Gaussian noise (``noise`` points, seeded), best three first. People rank what suits
    them, roughly."""
    rng = np.random.default_rng(seed + 7)
    rankings: dict[str, tuple] = {}
    for i, person in enumerate(problem.rows.people):
        row = problem.scores[i]
        allowed = np.flatnonzero(row != FORBIDDEN)
        if allowed.size == 0:
            continue
        noisy = row[allowed] / problem.scale + rng.normal(0, noise, allowed.size)
        best = allowed[np.argsort(-noisy, kind="stable")[:3]]
        rankings[person.key] = tuple(problem.cols.people[j].key for j in best.tolist())
    return rankings


def preference_benchmark(
    people: Sequence[Person], rules: Rules, problem: Problem, seed: int
) -> dict[str, Any]:
    """Rank the learners' (or peers') choices synthetically, solve with them, and compare
    the rank table with the stable baseline on the same orders (deferred acceptance, or
    stable roommates for peers: None when no stable matching exists); also the cost of the
    criterion and of the comparison."""
    rankings = synthetic_rankings(problem, seed)
    ranked = [replace(p, ranking=rankings.get(p.key, ())) for p in people]
    began = time.perf_counter()
    plain = solve(people, rules)
    plain_seconds = time.perf_counter() - began
    began = time.perf_counter()
    result = solve(ranked, rules)
    ranked_seconds = time.perf_counter() - began
    ranked_problem = Problem.build(ranked, rules)
    began = time.perf_counter()
    table = compare(ranked_problem, result)
    compare_seconds = time.perf_counter() - began
    del plain
    return {
        "rankings": "top three by pair score + N(0, 10 points) noise, seeded",
        "ours": table["ours"],
        ("stable_roommates" if rules.is_peer else "deferred_acceptance"): table["baseline"],
        "compare_seconds": round(compare_seconds, 3),
        "solve_seconds_without": round(plain_seconds, 3),
        "solve_seconds_with": round(ranked_seconds, 3),
        "cost_ratio": round(ranked_seconds / plain_seconds, 2) if plain_seconds else None,
        "cite": _CITATION,
    }


def run_group_benchmark(
    kind: str,
    *,
    n_people: int,
    n_guides: int = 0,
    capacity: int = 1,
    seed: int = 1,
) -> dict[str, Any]:
    """Form groups for a synthetic organisation and compare with the proven bound, the
    greedy construction and random valid groupings (all from the same run)."""
    rules = Rules(kind=kind)
    people = synthetic_org(kind, n_people, n_guides, capacity, seed)
    began = time.perf_counter()
    result = form_groups(people, rules, seed=seed)
    seconds = time.perf_counter() - began
    objective = result.objective
    guides = [p for p in people if p.role == GUIDE]

    def ratio(value: float) -> float | None:
        return round(objective.total / value, 3) if value else None

    return {
        "kind": kind,
        "seed": seed,
        "sizes": {
            "people": len(people) - len(guides),
            "guides": len(guides),
            "groups": len(result.groups),
            "group_min": rules.group_min,
            "group_max": rules.group_max,
            "level_spread": rules.level_spread,
        },
        "total_seconds": round(seconds, 3),
        "objective": objective.to_dict(),
        "ratio_over_random": ratio(objective.random_mean),
        "ratio_over_greedy": ratio(objective.greedy),
        "ratio_bound_over_total": (
            round(objective.upper_bound / objective.total, 3) if objective.total else None
        ),
    }


def _sizes(kind: str, people: Sequence[Person], problem: Problem) -> dict[str, int]:
    allowed = int((problem.scores != FORBIDDEN).sum())
    if kind == PEER_COACHING:
        return {"peers": len(people), "allowed_pairs": allowed // 2}
    guides = [p for p in people if p.role == GUIDE]
    return {
        "learners": len(people) - len(guides),
        "guides": len(guides),
        "places": sum(p.capacity for p in guides),
        "allowed_pairs": allowed,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: print the benchmark report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=[*KINDS, "all"], default="all")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--guides", type=int, default=2_000)
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument("--peers", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument(
        "--waited",
        type=float,
        default=0.0,
        help="Also time the same pool with this fraction of learners (or peers) waited.",
    )
    args = parser.parse_args(argv)
    print(json.dumps(benchmark_all(**vars(args)), indent=2))
    return 0


class BenchmarkInputError(ValueError):
    """A benchmark option out of range (the command turns it into a one-line error)."""


def benchmark_all(
    *,
    kind: str,
    learners: int,
    guides: int,
    capacity: int,
    peers: int,
    seed: int,
    no_reference: bool,
    waited: float = 0.0,
) -> list[dict[str, Any]]:
    """Run the benchmark for one kind or for mentoring and peer coaching ("all").

    Group kinds use ``peers`` people (circles, co-development) or ``learners`` learners with
    ``guides`` guides of ``capacity`` groups each (group mentoring). ``waited`` above 0 adds
    a ``waited_cost`` entry to each report (`waited_cost`)."""
    for name, value in (("learners", learners), ("guides", guides), ("peers", peers)):
        if value < 0:
            raise BenchmarkInputError(f"--{name} must be 0 or more, not {value}")
    if capacity < 0:
        raise BenchmarkInputError(f"--capacity must be 0 or more, not {capacity}")
    if not 0 <= waited <= 1:
        raise BenchmarkInputError(f"--waited must be between 0 and 1, not {waited}")
    kinds = [MENTORING, PEER_COACHING] if kind == "all" else [kind]
    reports = []
    for each in kinds:
        if each in GROUP_KINDS:
            mentoring = each == GROUP_MENTORING
            sizes = {
                "n_guides": guides if mentoring else 0,
                "capacity": capacity,
                "seed": seed,
            }
            report = run_group_benchmark(each, n_people=learners if mentoring else peers, **sizes)
            if waited > 0:
                report["waited_cost"] = waited_cost(
                    each, n_learners=learners if mentoring else peers, fraction=waited, **sizes
                )
            reports.append(report)
            continue
        size = peers if each == PEER_COACHING else learners
        report = run_benchmark(
            each,
            n_learners=size,
            n_guides=guides,
            capacity=capacity,
            seed=seed,
            reference=not no_reference,
        )
        if waited > 0:
            report["waited_cost"] = waited_cost(
                each,
                n_learners=size,
                n_guides=guides,
                capacity=capacity,
                seed=seed,
                fraction=waited,
            )
        reports.append(report)
    return reports


if __name__ == "__main__":
    sys.exit(main())
