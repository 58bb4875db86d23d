"""Learning from outcomes: one rule turning a person's track record into points.

The pool reads each person's `Signals` (proposals let lapse since they last answered, their
declines, pairings that ended early, the ratings given by their partners in pairings that
went live); this rule turns them into an adjustment in points that enters every pair with
that person as the ``history`` criterion of the breakdown (a pair adds both people's
adjustments; see scores.score_pair). The rule:

=============================================  ===========================================
signal                                         points
=============================================  ===========================================
let 2 or more proposals lapse in a row         -10, until they answer one again
let 1 proposal lapse (since their last answer) -3
each pairing ended early (<= 1 check-in)       -4, at most -8
each proposal they declined                    -1, at most -3
partners' ratings, 2 or more, mean >= 4.5      +5 (mean >= 4: +3)
partners' ratings, 2 or more, mean <= 2        -5
=============================================  ===========================================

The sum is capped to -20 .. +HISTORY_BONUS_CAP (+5): a track record nudges who is proposed
among good fits, it never outweighs goals (50 points by default). Nobody is barred here:
the pair that ended early is (pairing.rules.never_again_pairs; rules.ended_early says what
counts: ended by a member or HR, not by a round finishing or someone leaving), and a
negative adjustment never takes a pair's score below 0.
"""

from __future__ import annotations

from functools import lru_cache

from .domain import HISTORY_BONUS_CAP, Reason, Signals

HISTORY_PENALTY_CAP = -20.0


@lru_cache(maxsize=4096)  # the same few records recur across a pool
def adjustment(signals: Signals) -> tuple[float, tuple[Reason, ...]]:
    """The points for a track record and the facts behind each part (see the table)."""
    parts: list[Reason] = []
    if signals.lapses >= 2:
        parts.append(Reason("lapses", {"count": signals.lapses, "points": -10.0}))
    elif signals.lapses == 1:
        parts.append(Reason("lapses", {"count": 1, "points": -3.0}))
    if signals.early_endings:
        points = -4.0 * min(signals.early_endings, 2)
        parts.append(Reason("early_endings", {"count": signals.early_endings, "points": points}))
    if signals.declines:
        points = -1.0 * min(signals.declines, 3)
        parts.append(Reason("declines", {"count": signals.declines, "points": points}))
    if len(signals.ratings) >= 2:
        mean = sum(signals.ratings) / len(signals.ratings)
        points = 5.0 if mean >= 4.5 else 3.0 if mean >= 4 else -5.0 if mean <= 2 else 0.0
        if points:
            parts.append(
                Reason(
                    "ratings",
                    {"count": len(signals.ratings), "mean": round(mean, 1), "points": points},
                )
            )
    total = sum(float(part.params["points"]) for part in parts)
    return min(max(total, HISTORY_PENALTY_CAP), HISTORY_BONUS_CAP), tuple(parts)
