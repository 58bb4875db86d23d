"""Exact capacitated assignment (mentoring) with a certificate for the full pair graph.

The problem: learners (rows) to guides (columns, ``capacity`` places each), each learner in
at most one pair, maximise first the number matched and then the total score. It is a
min-cost flow; the lexicographic objective becomes one weight per pair, ``B + score``, with
``B`` larger than any total score difference (so one more match always wins).

A first tier, people left unmatched last round served first, adds ``extra`` to each row's
weight when it is matched: ``P`` for a waited learner (`tier_weight`), larger than anything
the score can gain, so one more waited person matched always wins (the number matched
never competes with it, see `tier_weight`). The extra sits on the row (its "unmatched" arc,
surplus and dual), so pricing and the bound prove the tiered optimum just as they prove
the plain one.

Why this method (measured on this 2-core machine, 10,000 learners x 2,000 guides, capacity 5,
~2/3 of the pairs allowed):

* the dense reference, scipy ``linear_sum_assignment`` with each guide's column repeated per
  place, takes ~20 s and 1.6 GB;
* a min-cost flow over all ~14 M allowed pairs is still ~10 s;
* but an optimal solution only ever uses pairs near the top of each learner's list. So we
  solve the flow on a sparse candidate graph (each learner's top ``k`` guides, ties broken by
  a key-derived jitter), read the solver's node potentials (LP duals), and *price* every
  other allowed pair against them in one vectorised pass over the score matrix. A pair with
  a positive reduced cost is a violator: add the best few per learner and re-solve. When no
  pair violates, the potentials are a feasible dual for the full graph whose value equals
  the primal total, which proves optimality on the full graph (exact integer arithmetic).

The flow solver is LEMON's network simplex through ``pylmcf``: integer costs, and it returns
canonical integer potentials (scipy's sparse matching and OR-Tools give no duals). If the
time budget runs out before pricing finds no violator, the result is still a valid
assignment and the same potentials give a proven upper bound (Lagrangian bound on the guide
capacities), reported as the gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from pylmcf import pylmcf_cpp

from .scores import FORBIDDEN

# Violating pairs added per learner and round: enough to converge in a few rounds without
# flooding the sparse graph.
_ADD_PER_ROW = 4
_MAX_ROUNDS = 50
# Rows per pricing block: 256 x 2,000 float64 temporaries stay in cache (measured 0.25 ->
# 0.19 CPU-s per pass over 10,000 x 2,000 against 2,048-row blocks).
_PRICE_BLOCK = 256


@dataclass(frozen=True, slots=True)
class AssignmentSolution:
    """Which column each row got (-1: none), and how sure we are of it."""

    match: np.ndarray
    certified: bool
    gap_units: int  # proven bound on the missing weight, in score units (0 when certified)
    cardinality_proven: bool
    rounds: int
    arcs: int
    bonus: int = 0  # B, the weight added per matched pair
    upper: int = 0  # the dual bound on the total weight (equals ours when certified)
    row_dual: np.ndarray | None = None  # u: feasible with col_dual on every allowed pair
    col_dual: np.ndarray | None = None  # v
    extra: np.ndarray | None = None  # the row's tier weight when matched (None: no tier)


def big_weight(scores: np.ndarray, capacity: np.ndarray) -> tuple[int, int]:
    """``(K, B)``: the highest allowed score and the bonus per matched pair.

    With at most ``M`` pairs possible, a solution with one pair fewer can gain at most
    ``(M - 1) * K`` in score, so ``B = M * K + 1`` makes the number matched come first.
    """
    # FORBIDDEN is the int32 minimum, so the plain max is the best allowed score (if any).
    top = max(int(scores.max(initial=0)), 0)
    most_pairs = min(scores.shape[0], int(capacity.sum()))
    return top, most_pairs * top + 1


def tier_weight(top: int, most_pairs: int) -> int:
    """``P``, the weight of matching one more waited person: ``M * K + 1``, like ``B``.

    It only has to beat the score, never the number matched: the sets of people some
    solution matches form a matroid (transversal for guides' places, the matching matroid
    for peers), so a set with the most waited people extends to one of the largest size.
    Some optimum T thus has both the most waited and the most matched; any S with fewer
    waited loses at least ``P`` and gains at most ``M * K`` in score, and none in ``B``.
    ``scores.choose_scale`` keeps ``2 P + B + K`` below 2**53 (float64 pricing stays exact).
    """
    return most_pairs * top + 1


def _flow(
    n: int,
    capacity: np.ndarray,
    arc_rows: np.ndarray,
    arc_cols: np.ndarray,
    arc_scores: np.ndarray,
    top: int,
    bonus: int | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min-cost flow on the candidate arcs; returns (match, guide duals v, learner duals u)."""
    m = capacity.size
    sink = n + m
    # Arcs sorted by (start, end): each learner's guide arcs (ascending), then its "unmatched"
    # arc to the sink (the largest node), then each guide's arc to the sink.
    learners = np.arange(n, dtype=np.int64)
    starts = np.concatenate([arc_rows, learners, n + np.arange(m, dtype=np.int64)])
    ends = np.concatenate([n + arc_cols, np.full(n, sink, np.int64), np.full(m, sink, np.int64)])
    costs = np.concatenate(
        [
            top - arc_scores.astype(np.int64),
            np.broadcast_to(np.asarray(top + bonus, np.int64), n),
            np.zeros(m, np.int64),
        ]
    )
    caps = np.concatenate([np.ones(arc_rows.size + n, np.int64), capacity.astype(np.int64)])
    order = np.lexsort((ends, starts))
    supply = np.zeros(n + m + 1, np.int64)
    supply[:n] = 1
    supply[sink] = -n
    flows, potentials = pylmcf_cpp.lmcf(
        supply,
        np.ascontiguousarray(starts[order]),
        np.ascontiguousarray(ends[order]),
        np.ascontiguousarray(caps[order]),
        np.ascontiguousarray(costs[order]),
        return_potentials=True,
    )
    flow = np.empty_like(flows)
    flow[order] = flows
    used = np.flatnonzero(flow[: arc_rows.size] > 0)
    match = np.full(n, -1, np.int64)
    match[arc_rows[used]] = arc_cols[used]
    potentials = np.asarray(potentials, dtype=np.int64)
    # LEMON: reduced cost of (a, b) is cost + pi[a] - pi[b]. With v_j = pi[sink] - pi[guide j]
    # and u_i = top + bonus + pi[i] - pi[sink], the reduced cost of learner i -> guide j is
    # u_i + v_j - (bonus + score_ij): the dual of "maximise sum of (bonus + score)". With the
    # tier, ``bonus`` is per learner (B plus its extra).
    guide_dual = np.maximum(potentials[sink] - potentials[n : n + m], 0)
    learner_dual = top + bonus + potentials[:n] - potentials[sink]
    return match, guide_dual, learner_dual


def price(
    scores: np.ndarray, guide_dual: np.ndarray, threshold: np.ndarray, add_per_row: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Price every allowed pair against the duals in one pass over the matrix.

    Pricing adds the guide duals (up to about ``B``, ~1e12 units) to every score, so each
    block is widened to float64, which holds those integers exactly (below 2**53), with -inf
    keeping forbidden pairs out without a mask. Widening block by block, rather than the
    whole matrix once, keeps a 10,000 x 2,500 float64 copy (200 MB) from being allocated.

    Returns each row's best ``score - v_j`` (-inf without allowed pairs) and, for rows where
    it beats ``threshold`` (the row's own surplus: a violated dual constraint), up to
    ``add_per_row`` of their best violating columns as (rows, cols).
    """
    n, m = scores.shape
    best = np.empty(n, np.float64)
    dual = guide_dual.astype(np.float64)
    add_rows, add_cols = [], []
    r = min(add_per_row, m)
    for start in range(0, n, _PRICE_BLOCK):
        block = scores[start : start + _PRICE_BLOCK]
        value = block.astype(np.float64)
        value[block == FORBIDDEN] = -np.inf
        value -= dual[None, :]
        block_best = value.max(axis=1)
        best[start : start + _PRICE_BLOCK] = block_best
        bad = np.flatnonzero(block_best > threshold[start : start + _PRICE_BLOCK])
        if bad.size == 0:
            continue
        rows_value = value[bad]
        top = np.argpartition(rows_value, m - r, axis=1)[:, m - r :]
        keep = np.take_along_axis(rows_value, top, axis=1) > threshold[start + bad, None]
        add_rows.append(np.broadcast_to((start + bad)[:, None], top.shape)[keep])
        add_cols.append(top[keep])
    if not add_rows:
        return best, np.empty(0, np.int64), np.empty(0, np.int64)
    return best, np.concatenate(add_rows).astype(np.int64), np.concatenate(add_cols)


def solve_assignment(
    scores: np.ndarray,
    capacity: np.ndarray,
    cand_rows: np.ndarray,
    cand_cols: np.ndarray,
    *,
    deadline: float | None = None,
    max_rounds: int = _MAX_ROUNDS,
    extra: np.ndarray | None = None,
) -> AssignmentSolution:
    """Solve on the candidate arcs, pricing all allowed pairs until the optimum is proven.

    ``scores`` is the full (rows x cols) int32 matrix with FORBIDDEN cells; ``cand_rows`` and
    ``cand_cols`` the starting sparse graph (sorted by row, then column). ``extra`` (int64
    per row, or None) is added to a row's weight when it is matched: the waited tier.
    """
    n, m = scores.shape
    if n == 0 or m == 0 or int(capacity.sum()) == 0:
        zeros = np.zeros(n, np.int64)
        return AssignmentSolution(
            np.full(n, -1, np.int64), True, 0, True, 0, 0, 1, 0, zeros, np.zeros(m, np.int64)
        )
    top, bonus = big_weight(scores, capacity)
    # Without the tier ``gain`` stays the scalar B, so the arithmetic is exactly the old one.
    gain = bonus if extra is None else bonus + extra.astype(np.int64)
    arc_rows, arc_cols = cand_rows.astype(np.int64), cand_cols.astype(np.int64)
    cap = capacity.astype(np.int64)
    rounds = 0
    while True:
        rounds += 1
        arc_scores = scores[arc_rows, arc_cols]
        match, guide_dual, _ = _flow(n, capacity, arc_rows, arc_cols, arc_scores, top, gain)
        matched = np.flatnonzero(match >= 0)
        own_scores = scores[matched, match[matched]].astype(np.int64)
        value = bonus * matched.size + int(own_scores.sum())
        if extra is not None:
            value += int(extra[matched].sum())
        # Each learner's surplus under the duals, minus its gain (the complementary-slackness
        # dual u_i - B - extra_i): its own pair's score - v_j, or -gain when unmatched.
        surplus = np.broadcast_to(-np.asarray(gain, np.int64), n).copy()
        surplus[matched] = own_scores - guide_dual[match[matched]]
        best, new_rows, new_cols = price(scores, guide_dual, surplus, _ADD_PER_ROW)
        # Any v >= 0 gives a bound: sum of c_j v_j + sum over learners of max(0, best u_i).
        row_dual = np.maximum(gain + np.where(np.isinf(best), -gain, best), 0).astype(np.int64)
        upper = int((cap * guide_dual).sum()) + int(row_dual.sum())
        out_of_time = deadline is not None and time.perf_counter() > deadline
        if new_rows.size == 0 or out_of_time or rounds >= max_rounds:
            gap = upper - value
            return AssignmentSolution(
                match=match,
                certified=gap == 0,
                gap_units=gap,
                # The tier's weights are not a count of people, so this bound proves nothing about
                # how many can be matched: claim nothing.
                cardinality_proven=extra is None and upper < (matched.size + 1) * bonus,
                rounds=rounds,
                arcs=int(arc_rows.size),
                bonus=bonus,
                extra=extra,
                upper=upper,
                row_dual=row_dual,
                col_dual=guide_dual,
            )
        arc_rows = np.concatenate([arc_rows, new_rows])
        arc_cols = np.concatenate([arc_cols, new_cols])
        order = np.lexsort((arc_cols, arc_rows))
        arc_rows, arc_cols = arc_rows[order], arc_cols[order]
