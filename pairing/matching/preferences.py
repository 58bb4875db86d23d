"""Full preference orders, the rank table, blocking pairs and the stable baselines.

The one definition of who prefers whom, on the pairs a run allows (``Problem.scores`` not
FORBIDDEN); groups are out of scope:

- a learner (or a peer) prefers their ranked choices first (first choice first), then the
  other allowed partners by pair score, higher first, ties by key; being unmatched comes
  last;
- a guide prefers learners by pair score, higher first, ties by learner key, with the
  learners they would rather not take after all the others (same order among them).

Mentoring: a blocking pair is a guide g and a learner l, allowed and not paired together,
where l prefers g to their outcome (or is unmatched) and g has a free place or prefers l to
one of their learners. Deferred acceptance (Gale-Shapley, learners proposing, guides with
capacity) on the same orders returns the learner-optimal stable matching: 0 blocking pairs.

Peers: a blocking pair is two peers, allowed and not paired together, each preferring the
other to their outcome. The baseline is Irving's stable roommates algorithm
(`roommates.stable_roommates`), which finds a stable matching when one exists.

Each order is a sort key per allowed cell (`learner_keys`, `guide_keys`): int64, unique
within a row (learners) or a column (guides), lower is preferred, so "prefers a to b" is
one comparison and the whole 10,000 x 2,000 table is a few array passes, in row blocks.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np

from .roommates import stable_roommates
from .scores import FORBIDDEN

# The key of a barred pair, and of being unmatched: after every allowed partner.
NOT_ALLOWED = np.iinfo(np.int64).max
# Above any score (int32): a ranked choice or a "rather not" moves a whole band.
_BAND = 1 << 33
# Rows per block: a block's int64 keys stay near 16 MiB at 2,000 columns.
_BLOCK = 1024


def _key_rank(people) -> np.ndarray:
    """Each person's position when their side is sorted by key (the tie-break)."""
    rank = np.empty(len(people), dtype=np.int64)
    rank[sorted(range(len(people)), key=lambda i: people[i].key)] = np.arange(len(people))
    return rank


def _ranked_cells(problem, start: int, stop: int):
    """(row, column, choice number 0..) of rows ``start:stop``'s ranked, allowed choices,
    first occurrence of a key only; the row is relative to ``start``."""
    cols = {p.key: j for j, p in enumerate(problem.cols.people)}
    rows, columns, choice = [], [], []
    for i in range(start, stop):
        seen = set()
        for key in problem.rows.people[i].ranking:
            j = cols.get(key)
            if j is None or j in seen or problem.scores[i, j] == FORBIDDEN:
                continue
            seen.add(j)
            rows.append(i - start)
            columns.append(j)
            choice.append(len(seen) - 1)
    return np.array(rows, np.int64), np.array(columns, np.int64), np.array(choice, np.int64)


def learner_keys(problem, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows ``start:stop`` of the learners' (or peers') sort keys: ``[i, j]`` orders
    partner j in row i's preference, lower first; NOT_ALLOWED where barred."""
    stop = len(problem.rows.people) if stop is None else stop
    scores = problem.scores[start:stop]
    primary = -scores.astype(np.int64)
    rows, cols, choice = _ranked_cells(problem, start, stop)
    primary[rows, cols] = choice - _BAND
    keys = primary * len(problem.cols.people) + _key_rank(problem.cols.people)
    keys[scores == FORBIDDEN] = NOT_ALLOWED
    return keys


def _rather_not(problem) -> tuple[np.ndarray, np.ndarray]:
    """(learner, guide) index pairs where the guide would rather not take the learner."""
    rows = {p.key: i for i, p in enumerate(problem.rows.people)}
    found = [
        (rows[key], j)
        for j, guide in enumerate(problem.cols.people)
        for key in guide.rather_not
        if key in rows
    ]
    learners, guides = zip(*found, strict=True) if found else ((), ())
    return np.array(learners, np.int64), np.array(guides, np.int64)


class _GuideKeys:
    """Guide j's sort key for learner i, any cells: lower is preferred, NOT_ALLOWED where
    barred. Unique within a guide's column."""

    def __init__(self, problem):
        self.scores = problem.scores
        self.rank = _key_rank(problem.rows.people)
        self.n = len(problem.rows.people)
        learners, guides = _rather_not(problem)
        # Sorted cell codes, a cell marked iff searchsorted finds its code; the sentinel
        # above every code keeps the found position in range.
        self.width = len(problem.cols.people)
        self.marked = np.append(np.unique(learners * self.width + guides), NOT_ALLOWED)

    def cells(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        score = self.scores[i, j]
        code = i * self.width + j
        marked = self.marked[np.searchsorted(self.marked, code)] == code
        keys = (marked * _BAND - score.astype(np.int64)) * self.n + self.rank[i]
        return np.where(score == FORBIDDEN, NOT_ALLOWED, keys)

    def block(self, start: int, stop: int) -> np.ndarray:
        i = np.arange(start, stop)[:, None]
        return self.cells(i, np.arange(self.width)[None, :])


def guide_keys(problem, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows ``start:stop`` of the guides' sort keys: ``[i, j]`` orders learner i in guide
    j's preference, lower first; NOT_ALLOWED where barred."""
    stop = len(problem.rows.people) if stop is None else stop
    return _GuideKeys(problem).block(start, stop)


def learner_orders(problem) -> tuple[np.ndarray, np.ndarray]:
    """Every learner's (or peer's) allowed partners, most preferred first: a matrix whose
    row i starts with row i's order, and each row's length (the rest is padding)."""
    n, m = problem.scores.shape
    order = np.empty((n, m), dtype=np.int16 if m < 2**15 else np.int32)
    for start in range(0, n, _BLOCK):
        keys = learner_keys(problem, start, min(start + _BLOCK, n))
        order[start : start + _BLOCK] = np.argsort(keys, axis=1)
    length = (problem.scores != FORBIDDEN).sum(axis=1)
    return order, length


def deferred_acceptance(problem) -> dict[int, int]:
    """Learner-proposing deferred acceptance: learner index -> guide index.

    Each guide holds its learners in a heap, worst on top. A full guide only takes someone
    it prefers to its worst, and that worst only improves, so a learner skips (as rejected)
    every guide whose worst it cannot beat, a chunk of its order at a time: the same
    proposals and rejections as one at a time, hence the same (learner-optimal) matching.
    """
    n, m = problem.scores.shape
    if n == 0 or m == 0:
        return {}
    order, length = learner_orders(problem)
    capacity = problem.capacity.tolist()
    keys = _GuideKeys(problem)
    # Below worst[j] guide j accepts: anyone while it has a free place, nobody at capacity 0.
    worst = np.where(problem.capacity > 0, NOT_ALLOWED, np.iinfo(np.int64).min)
    held: list[list[tuple[int, int]]] = [[] for _ in range(m)]
    following = [0] * n
    free = list(range(n - 1, -1, -1))
    chunk = 32
    while free:
        i = free.pop()
        k, end = following[i], int(length[i])
        while k < end:
            guides = order[i, k : min(k + chunk, end)].astype(np.int64)
            mine = keys.cells(np.full(guides.size, i), guides)
            taken = mine < worst[guides]
            if taken.any():
                at = int(taken.argmax())
                k += at
                break
            k += guides.size
        following[i] = k + 1
        if k >= end:
            continue
        j, key = int(guides[at]), int(mine[at])
        heap = held[j]
        if len(heap) < capacity[j]:
            heapq.heappush(heap, (-key, i))
        else:
            free.append(heapq.heapreplace(heap, (-key, i))[1])
        if len(heap) == capacity[j]:
            worst[j] = -heap[0][0]
    return {i: j for j, heap in enumerate(held) for _, i in heap}


def _mine(problem, match: Mapping[int, int]) -> np.ndarray:
    mine = np.full(len(problem.rows.people), -1, dtype=np.int64)
    if match:
        mine[np.fromiter(match.keys(), np.int64)] = np.fromiter(match.values(), np.int64)
    return mine


def _outcome_keys(keys: np.ndarray, mine: np.ndarray) -> np.ndarray:
    """Each row's key for their own partner (NOT_ALLOWED, i.e. last, when unmatched)."""
    found = np.full(keys.shape[0], NOT_ALLOWED)
    matched = np.flatnonzero(mine >= 0)
    found[matched] = keys[matched, mine[matched]]
    return found


def blocking_pairs(problem, match: Mapping[int, int]) -> int:
    """How many pairs block ``match``: (guide, learner) pairs, ``match`` learner index ->
    guide index; for peers unordered pairs, ``match`` holding both directions."""
    if problem.rules.is_peer:
        return _peer_blocking_pairs(problem, match)
    n, m = problem.scores.shape
    mine = _mine(problem, match)
    keys = _GuideKeys(problem)
    matched = np.flatnonzero(mine >= 0)
    load = np.bincount(mine[matched], minlength=m)
    # A guide with a free place takes anyone allowed; a full one, anyone above its worst.
    worst = np.full(m, np.iinfo(np.int64).min)
    np.maximum.at(worst, mine[matched], keys.cells(matched, mine[matched]))
    worst[load < problem.capacity] = NOT_ALLOWED
    count = 0
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        wanted = learner_keys(problem, start, stop)
        wants = wanted < _outcome_keys(wanted, mine[start:stop])[:, None]
        count += int((wants & (keys.block(start, stop) < worst)).sum())
    return count


def _peer_blocking_pairs(problem, match: Mapping[int, int]) -> int:
    n = len(problem.rows.people)
    mine = _mine(problem, match)
    wants = np.empty((n, n), dtype=bool)
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        keys = learner_keys(problem, start, stop)
        wants[start:stop] = keys < _outcome_keys(keys, mine[start:stop])[:, None]
    # Barred cells (the diagonal too) never want: each blocking pair is counted twice.
    return int((wants & wants.T).sum()) // 2


def rank_table(problem, match: Mapping[int, int]) -> dict[str, object]:
    """How many learners (or peers) who ranked got their 1st, 2nd, 3rd choice or none of
    them, the mean rank among those matched to a ranked choice (None if nobody was), and
    the number of blocking pairs."""
    keys = [p.key for p in problem.cols.people]
    counts = {"first": 0, "second": 0, "third": 0, "none": 0}
    got: list[int] = []
    for i, person in enumerate(problem.rows.people):
        if not person.ranking:
            continue
        j = match.get(i)
        rank = (
            person.ranking.index(keys[j]) + 1 if j is not None and keys[j] in person.ranking else 0
        )
        counts[("none", "first", "second", "third")[rank]] += 1
        if rank:
            got.append(rank)
    ranked = sum(counts.values())
    return {
        **counts,
        "ranked": ranked,
        "top_three": round(100 * len(got) / ranked, 1) if ranked else None,
        "mean_rank": round(sum(got) / len(got), 2) if got else None,
        "blocking_pairs": blocking_pairs(problem, match),
    }


def result_match(problem, result) -> dict[int, int]:
    """A MatchResult's pairings as learner index -> guide index (peers: both ways)."""
    rows = {p.key: i for i, p in enumerate(problem.rows.people)}
    if problem.rules.is_peer:
        pairs = [(rows[a], rows[b]) for a, b in (p.members for p in result.pairings)]
        return {i: j for a, b in pairs for i, j in ((a, b), (b, a))}
    cols = {p.key: j for j, p in enumerate(problem.cols.people)}
    return {rows[p.members[0]]: cols[p.guide] for p in result.pairings}


DEFERRED_ACCEPTANCE = "deferred acceptance"
STABLE_ROOMMATES = "stable roommates (Irving)"


def compare(problem, result) -> dict[str, object]:
    """The rank table for our matching and for the stable baseline on the same problem:
    deferred acceptance (mentoring kinds) or Irving's stable roommates (peers), whose
    ``baseline`` is None when no stable matching exists."""
    ours = rank_table(problem, result_match(problem, result))
    if not problem.rules.is_peer:
        baseline = rank_table(problem, deferred_acceptance(problem))
        return {"ours": ours, "baseline": baseline, "baseline_name": DEFERRED_ACCEPTANCE}
    found = stable_roommates(*learner_orders(problem))
    baseline = None if found is None else rank_table(problem, found)
    return {"ours": ours, "baseline": baseline, "baseline_name": STABLE_ROOMMATES}
