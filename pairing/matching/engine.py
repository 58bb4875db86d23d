"""``solve``: from people and rules to pairings, reasons for the unmatched, and a certificate."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .assignment import big_weight, solve_assignment, tier_weight
from .domain import (
    GUIDE,
    LEARNER,
    PEER,
    MatchResult,
    Objective,
    Pairing,
    Person,
    Rules,
    Unmatched,
)
from .peers import solve_peers
from .reasons import Context, learner_reasons, peer_reasons
from .scores import (
    FORBIDDEN,
    Side,
    barred_reason,
    breakdowns,
    choose_scale,
    forbid_pairs,
    score_matrix,
    top_k,
    vocabulary_of,
)

# Starting candidates per learner / peer. Larger k means fewer pricing rounds but a bigger
# sparse problem. Mentoring: the fastest on the 10k x 2k benchmark. Peers (5,000, 2 cores):
# top-4 gave 220,697.5 points in ~2.5 s of blossom (plus a repair solve), top-10 gives
# 221,703.3 in ~1.3 s and top-20 221,831.7 in ~4 s: ties make a thin graph both worse and
# slower for the blossom solver.
_K_MENTORING = 10
_K_PEERS = 10


def _waited(side: Side) -> np.ndarray:
    return np.array([p.waited for p in side.people], dtype=bool)


@dataclass
class Problem:
    """People split into sides, sorted by key, with the full integer score matrix."""

    rules: Rules
    rows: Side  # learners, or peers
    cols: Side  # guides, or the same peers
    scores: np.ndarray  # int32, 1/scale points, FORBIDDEN where barred
    capacity: np.ndarray  # guides' free places (empty for peers)
    scale: int
    excluded: frozenset[frozenset[str]]
    vocabulary: dict[str, int]

    @classmethod
    def build(
        cls, people: Sequence[Person], rules: Rules, excluded: Iterable[tuple[str, str]] = ()
    ) -> Problem:
        """Validate the pool and compute every pair's score (pair kinds only)."""
        if rules.is_group:
            raise ValueError(
                f"{rules.kind} forms groups, not pairs: call form_groups (matching.groups)"
            )
        seen: set[str] = set()
        for person in people:
            if person.key in seen:
                raise ValueError(f"duplicate person key {person.key!r}")
            seen.add(person.key)
            allowed = (PEER,) if rules.is_peer else (GUIDE, LEARNER)
            if person.role not in allowed:
                raise ValueError(
                    f"{person.key!r} has role {person.role!r}, which does not fit a "
                    f"{rules.kind} programme (expected {' or '.join(allowed)})"
                )
        ordered = sorted(people, key=lambda p: p.key)
        vocabulary = vocabulary_of(ordered)
        banned = frozenset(frozenset(pair) for pair in excluded)
        if rules.is_peer:
            rows = Side(ordered, vocabulary, expertise=False)
            cols = rows
            capacity = np.zeros(0, np.int64)
        else:
            rows = Side([p for p in ordered if p.role == LEARNER], vocabulary, expertise=False)
            cols = Side([p for p in ordered if p.role == GUIDE], vocabulary, expertise=True)
            capacity = np.array([max(p.capacity, 0) for p in cols.people], dtype=np.int64)
        # Only learners and peers are served first; a guide's flag means nothing here.
        tiered = any(p.waited for p in rows.people)
        places = int(capacity.sum()) if not rules.is_peer else None
        scale = choose_scale(
            len(rows.people), len(cols.people), rules, tiered=tiered, places=places
        )
        scores = score_matrix(rows, cols, rules, scale)
        forbid_pairs(scores, rows, cols, [tuple(pair) for pair in banned if len(pair) == 2])
        return cls(rules, rows, cols, scores, capacity, scale, banned, vocabulary)


def solve(
    people: Sequence[Person],
    rules: Rules,
    *,
    excluded: Iterable[tuple[str, str]] = (),
    pinned: Iterable[tuple[str, str]] = (),
    time_budget: float | None = None,
) -> MatchResult:
    """Pair people under ``rules``: most waited people matched first (``Person.waited``, left
    unmatched last round), then most people matched, then the highest total score.

    ``excluded`` pairs (either order) are never made; ``pinned`` pairs, ``(guide, learner)``
    or ``(peer, peer)``, are forced into the result and the rest is solved optimally around
    them (ValueError when a pin breaks a hard rule or a guide's capacity). ``time_budget``
    (seconds) stops the proof early: the result is then still valid, and its objective says
    whether it is certified and what gap is proven. Same input, same output.
    """
    began = time.perf_counter()
    problem = Problem.build(people, rules, excluded)
    return _solve(problem, pinned, began, time_budget)


def solve_problem(
    problem: Problem,
    *,
    pinned: Iterable[tuple[str, str]] = (),
    time_budget: float | None = None,
) -> MatchResult:
    """`solve` on a problem already built (`Problem.build`), which it leaves unchanged.

    For callers that also need the score matrix, e.g. for the greedy baseline: the build is
    a good part of the work at scale, so they build once and share it.
    """
    return _solve(problem, pinned, time.perf_counter(), time_budget)


def _solve(
    problem: Problem,
    pinned: Iterable[tuple[str, str]],
    began: float,
    time_budget: float | None,
) -> MatchResult:
    deadline = None if time_budget is None else began + time_budget
    if problem.rules.is_peer:
        return _solve_peers(problem, list(pinned), began, deadline)
    return _solve_mentoring(problem, list(pinned), began, deadline)


def _index(side: Side) -> dict[str, int]:
    return {p.key: i for i, p in enumerate(side.people)}


def _solve_mentoring(
    problem: Problem, pins: list[tuple[str, str]], began: float, deadline: float | None
) -> MatchResult:
    rules, scores = problem.rules, problem.scores
    learners, guides = _index(problem.rows), _index(problem.cols)
    room = problem.capacity.copy()
    forced: dict[int, int] = {}
    for pin in pins:
        a, b = pin
        if a in learners and b in guides:
            a, b = b, a
        if a not in guides or b not in learners:
            raise ValueError(f"pinned pair {pin!r} is not a mentor and a mentee of this programme")
        i, j = learners[b], guides[a]
        if i in forced:
            raise ValueError(f"{b!r} is pinned more than once")
        if scores[i, j] == FORBIDDEN:
            raise ValueError(
                f"pinned pair {pin!r} breaks a matching rule ({_why_barred(problem, i, j)})"
            )
        if room[j] < 1:
            raise ValueError(f"pinned pair {pin!r} exceeds {a!r}'s capacity")
        room[j] -= 1
        forced[i] = j
    free = np.array([i for i in range(scores.shape[0]) if i not in forced], dtype=np.int64)
    sub = scores if not forced else scores[free]
    cand_rows, cand_cols = top_k(sub, problem.rows.hash[free], problem.cols.hash, _K_MENTORING)
    waited = _waited(problem.rows)
    extra = None
    if waited[free].any():
        top, bonus = big_weight(sub, room)
        most = min(sub.shape[0], int(room.sum()))
        extra = tier_weight(top, most) * waited[free].astype(np.int64)
    solution = solve_assignment(sub, room, cand_rows, cand_cols, deadline=deadline, extra=extra)
    match = np.full(scores.shape[0], -1, np.int64)
    match[free] = solution.match
    for i, j in forced.items():
        match[i] = j
    placed = np.flatnonzero(match >= 0)
    assert (scores[placed, match[placed]] != FORBIDDEN).all(), "solver picked a barred pair"
    # People are sorted by key, so ordering by (guide index, learner index) is the same as
    # ordering by (guide key, learner key).
    placed = placed[np.lexsort((placed, match[placed]))]
    found = breakdowns(problem.rows, problem.cols, placed, match[placed], rules)
    guide_keys = [problem.cols.people[j].key for j in match[placed].tolist()]
    pairings = [
        Pairing(guide, (problem.rows.people[i].key,), b.total, b, i in forced)
        for guide, i, b in zip(guide_keys, placed.tolist(), found, strict=True)
    ]
    load = np.bincount(match[match >= 0], minlength=len(problem.cols.people))
    spare = [
        (g.key, int(problem.capacity[j] - load[j]))
        for j, g in enumerate(problem.cols.people)
        if problem.capacity[j] - load[j] > 0
    ]
    context = Context(problem, problem.capacity - load, match >= 0, solution.certified)
    unmatched = [
        Unmatched(problem.rows.people[i].key, learner_reasons(context, i))
        for i in np.flatnonzero(match < 0).tolist()
    ]
    objective = Objective(
        matched=len(pairings),
        total_score=sum(p.score for p in pairings),
        certified=solution.certified,
        gap=solution.gap_units / problem.scale,
        method="pylmcf network simplex on top-k candidates + dual pricing of all pairs",
        rounds=solution.rounds,
        solve_seconds=time.perf_counter() - began,
        waited=int(waited.sum()),
        waited_matched=int((waited & (match >= 0)).sum()),
    )
    return MatchResult(pairings, unmatched, spare, objective)


def _solve_peers(
    problem: Problem, pins: list[tuple[str, str]], began: float, deadline: float | None
) -> MatchResult:
    rules, scores = problem.rules, problem.scores
    peers = _index(problem.rows)
    partner = np.full(scores.shape[0], -1, np.int64)
    forced: set[int] = set()
    for pin in pins:
        a, b = pin
        if a not in peers or b not in peers:
            raise ValueError(f"pinned pair {pin!r} is not two peers of this programme")
        i, j = peers[a], peers[b]
        if i in forced or j in forced:
            raise ValueError(f"pinned pair {pin!r} pins someone twice")
        if scores[i, j] == FORBIDDEN:
            raise ValueError(
                f"pinned pair {pin!r} breaks a matching rule ({_why_barred(problem, i, j)})"
            )
        partner[i], partner[j] = j, i
        forced |= {i, j}
    free = np.array([i for i in range(scores.shape[0]) if i not in forced], dtype=np.int64)
    sub = scores if not forced else scores[np.ix_(free, free)]
    hashes = problem.rows.hash[free]
    cand_rows, cand_cols = top_k(sub, hashes, hashes, _K_PEERS)
    waited = _waited(problem.rows)
    tier = waited[free] if waited[free].any() else None
    solution = solve_peers(sub, cand_rows, cand_cols, deadline=deadline, waited=tier)
    has = solution.partner >= 0
    partner[free[has]] = free[solution.partner[has]]
    # Index i < partner i: with people sorted by key, the pair's members come out sorted and
    # the pairings in order of their first member.
    first = np.flatnonzero(partner > np.arange(partner.size))
    assert (scores[first, partner[first]] != FORBIDDEN).all(), "solver picked a barred pair"
    found = breakdowns(problem.rows, problem.rows, partner[first], first, rules)
    people = problem.rows.people
    pairings = [
        Pairing(None, (people[i].key, people[j].key), b.total, b, i in forced)
        for i, j, b in zip(first.tolist(), partner[first].tolist(), found, strict=True)
    ]
    context = Context(problem, np.zeros(0, np.int64), partner >= 0, solution.certified)
    unmatched = [
        Unmatched(problem.rows.people[i].key, peer_reasons(context, i))
        for i in np.flatnonzero(partner < 0).tolist()
    ]
    objective = Objective(
        matched=2 * len(pairings),
        total_score=sum(p.score for p in pairings),
        certified=solution.certified,
        gap=solution.gap_units / problem.scale,
        method=solution.method,
        rounds=solution.rounds,
        solve_seconds=time.perf_counter() - began,
        waited=int(waited.sum()),
        waited_matched=int((waited & (partner >= 0)).sum()),
    )
    return MatchResult(pairings, unmatched, [], objective)


def _why_barred(problem: Problem, i: int, j: int) -> str:
    a, b = problem.rows.people[i], problem.cols.people[j]
    return barred_reason(a, b, problem.rules, problem.excluded) or "a matching rule forbids it"
