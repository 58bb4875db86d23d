"""The greedy baseline: what a naive pass would achieve, for HR's "against greedy" figures.

Not a solver we use: the exact optimum is always the answer. Runs compare with it so HR can
see what the optimisation buys, and the benchmark reports it beside the dense reference.
"""

from __future__ import annotations

import numpy as np

from .engine import Problem
from .scores import FORBIDDEN


def greedy(problem: Problem) -> tuple[int, float]:
    """Take allowed pairs best score first while both sides have room: (matched, total)."""
    scores = problem.scores
    if scores.size == 0:
        return 0, 0.0
    flat = np.flatnonzero(scores.reshape(-1) != FORBIDDEN)
    order = flat[_stable_descending(scores.reshape(-1)[flat])]
    picked = scores.reshape(-1)[order]
    peer = problem.rules.is_peer
    taken = np.zeros(scores.shape[0], bool)  # rows; for peers, everyone
    room = problem.capacity.copy()
    matched, total = 0, 0
    start, chunk = 0, 4096
    while start < order.size:
        stop = min(start + chunk, order.size)
        rows, cols = np.divmod(order[start:stop], scores.shape[1])
        # Drop, in one pass, the pairs the loop below would skip anyway: who is taken or
        # full now stays so. Most pairs go here, the loop sees the few that may still fit.
        live = ~taken[rows] & ((~taken[cols] & (rows != cols)) if peer else (room[cols] > 0))
        keep = np.flatnonzero(live)
        for r, c, s in zip(
            rows[keep].tolist(), cols[keep].tolist(), picked[start:stop][keep].tolist(), strict=True
        ):
            if taken[r]:
                continue
            if peer:
                if taken[c]:
                    continue
                taken[c] = True
            else:
                if room[c] == 0:
                    continue
                room[c] -= 1
            taken[r] = True
            matched += 2 if peer else 1
            total += s
        start, chunk = stop, chunk * 2
    return matched, total / problem.scale


def _stable_descending(values: np.ndarray) -> np.ndarray:
    """``np.argsort(-values, kind="stable")``, faster when few values are distinct.

    Scores come from a small table of combinations (dozens of values for millions of
    pairs): ranked, they fit 16 bits, which numpy sorts stably with a radix sort instead of
    a merge sort (several times faster at 10,000 x 2,500).
    """
    distinct = np.unique(values)
    if distinct.size > 2**16:
        return np.argsort(-values, kind="stable")
    rank = (distinct.size - 1 - np.searchsorted(distinct, values)).astype(np.uint16)
    return np.argsort(rank, kind="stable")
