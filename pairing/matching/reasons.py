"""Why someone was left unmatched, computed from the data as `Reason` values.

Every reason is a true statement about this pool: who is at a suitable level, who is ruled
out by a hard rule, who is full. The closing "would not match more people or raise the
overall fit" is only claimed (``certified``) when the solver proved its result optimal.
`wording` phrases the reasons for the person left out and for HR.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .domain import REVERSE_MENTORING, Person, Reason
from .scores import FORBIDDEN, normalise_topic, topics

if TYPE_CHECKING:
    from .engine import Problem

# Partners named in a reason; the rest are counted.
_NAMES_SHOWN = 3


def _taken(role: str, people: list[Person], certified: bool) -> Reason:
    return Reason(
        "all_taken",
        {
            "role": role,
            "count": len(people),
            "names": [p.name for p in people[:_NAMES_SHOWN]],
            "certified": certified,
        },
    )


@dataclass(frozen=True, slots=True)
class Context:
    """What the reasons need from the solved problem."""

    problem: Problem
    room: np.ndarray  # free places per guide after matching (mentoring), else empty
    matched: np.ndarray  # bool per column person: has a pairing
    certified: bool


def _ruled_out(problem: Problem, person: Person, candidates: list[Person], role: str) -> Reason:
    """Why every candidate at a suitable level is barred (manager, report, declined)."""
    manager = any(c.key == person.manager for c in candidates)
    reports = [c for c in candidates if c.manager == person.key and c.key != person.manager]
    declined = [
        c
        for c in candidates
        if frozenset((c.key, person.key)) in problem.excluded
        and c.key != person.manager
        and c.manager != person.key
    ]
    return Reason(
        "ruled_out",
        {
            "role": role,
            "candidates": len(candidates),
            "manager": manager,
            "reports": len(reports),
            "declined": len(declined),
        },
    )


def _level_span(problem: Problem) -> dict[str, object]:
    """The levels a partner must be at, as `wording` phrases them."""
    rules = problem.rules
    if rules.is_peer:
        return {"peer_max_gap": rules.peer_max_gap}
    return {
        "min_gap": rules.min_gap,
        "max_gap": rules.max_gap,
        "direction": "below" if rules.kind == REVERSE_MENTORING else "above",
    }


def learner_reasons(context: Context, i: int) -> tuple[Reason, ...]:
    """Reasons for an unmatched learner (row ``i``)."""
    problem = context.problem
    rules, person, guides = problem.rules, problem.rows.people[i], problem.cols
    if not guides.people:
        return (Reason("no_guides"),)
    gap = guides.level - person.level
    if rules.kind == REVERSE_MENTORING:
        gap = -gap
    level_ok = (gap >= rules.min_gap) & (gap <= rules.max_gap)
    if not level_ok.any():
        return (Reason("no_guide_in_range", {"level": person.level, **_level_span(problem)}),)
    allowed = problem.scores[i] != FORBIDDEN
    if not allowed.any():
        candidates = [guides.people[j] for j in np.flatnonzero(level_ok)]
        return (_ruled_out(problem, person, candidates, "mentor"),)
    has_places = allowed & (problem.capacity > 0)
    if not has_places.any():
        return (Reason("no_free_places", {"count": int(allowed.sum())}),)
    if (has_places & (context.room > 0)).any():
        return (Reason("time_limit", {"role": "mentor"}),)
    order = np.flatnonzero(has_places)
    order = order[np.argsort(-problem.scores[i, order], kind="stable")]
    full = [guides.people[j] for j in order]
    # Goals are compared normalised but named as the person wrote them.
    spelled = {normalise_topic(name): " ".join(name.split()) for name in person.goals}
    reasons = [_taken("mentor", full, context.certified)]
    vocabulary = problem.vocabulary
    for goal in sorted(topics(person.goals)):
        covering = has_places & (guides.expertise[:, vocabulary[goal]] > 0)
        count = int(covering.sum())
        if count:
            reasons.append(Reason("goal_booked", {"goal": spelled[goal], "count": count}))
        else:
            reasons.append(Reason("goal_uncovered", {"goal": spelled[goal]}))
    return tuple(reasons)


def peer_reasons(context: Context, i: int) -> tuple[Reason, ...]:
    """Reasons for an unmatched peer (index ``i``)."""
    problem = context.problem
    peers, person = problem.rows, problem.rows.people[i]
    others = np.ones(len(peers.people), bool)
    others[i] = False
    if not others.any():
        return (Reason("only_peer"),)
    level_ok = others & (np.abs(peers.level - person.level) <= problem.rules.peer_max_gap)
    if not level_ok.any():
        return (Reason("no_peer_in_range", {"level": person.level, **_level_span(problem)}),)
    allowed = problem.scores[i] != FORBIDDEN
    if not allowed.any():
        candidates = [peers.people[j] for j in np.flatnonzero(level_ok)]
        return (_ruled_out(problem, person, candidates, "peer"),)
    if (allowed & ~context.matched).any():
        return (Reason("time_limit", {"role": "peer"}),)
    order = np.flatnonzero(allowed)
    order = order[np.argsort(-problem.scores[i, order], kind="stable")]
    return (_taken("peer", [peers.people[j] for j in order], context.certified),)
