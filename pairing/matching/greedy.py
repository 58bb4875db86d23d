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
    order = flat[np.argsort(-scores.reshape(-1)[flat], kind="stable")]
    rows, cols = np.divmod(order, scores.shape[1])
    taken_row = np.zeros(scores.shape[0], bool)
    if problem.rules.is_peer:
        taken_col = taken_row
        room = None
    else:
        taken_col = None
        room = problem.capacity.copy()
    matched, total = 0, 0
    picked = scores.reshape(-1)[order].tolist()
    for r, c, s in zip(rows.tolist(), cols.tolist(), picked, strict=True):
        if taken_row[r]:
            continue
        if room is None:
            if taken_col[c] or r == c:
                continue
            taken_col[c] = True
        else:
            if room[c] == 0:
                continue
            room[c] -= 1
        taken_row[r] = True
        matched += 2 if room is None else 1
        total += s
    return matched, total / problem.scale
