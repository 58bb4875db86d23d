"""Why someone was left unmatched, in plain words computed from the data.

Every sentence is a true statement about this pool: who is at a suitable level, who is ruled
out by a hard rule, who is full. The closing "would not match more people or raise the
overall fit" is only said when the solver proved its result optimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .domain import REVERSE_MENTORING, Person
from .scores import FORBIDDEN, topics

if TYPE_CHECKING:
    from .engine import Problem

_NAMES_SHOWN = 3


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


def _names(people: list[Person]) -> str:
    shown = [p.name for p in people[:_NAMES_SHOWN]]
    if len(people) > _NAMES_SHOWN:
        shown.append(f"{len(people) - _NAMES_SHOWN} more")
    return ", ".join(shown)


@dataclass(frozen=True, slots=True)
class Context:
    """What the reasons need from the solved problem."""

    problem: Problem
    room: np.ndarray  # free places per guide after matching (mentoring), else empty
    matched: np.ndarray  # bool per column person: has a pairing
    certified: bool


def _ruled_out(problem: Problem, person: Person, candidates: list[Person], role: str) -> str:
    """Why every candidate at a suitable level is barred (manager, report, declined)."""
    manager = [c for c in candidates if c.key == person.manager]
    reports = [c for c in candidates if c.manager == person.key and c.key != person.manager]
    declined = [
        c
        for c in candidates
        if frozenset((c.key, person.key)) in problem.excluded
        and c.key != person.manager
        and c.manager != person.key
    ]
    if len(candidates) == 1 and manager:
        return f"your manager is the only {role} at a suitable level"
    parts = []
    if manager:
        parts.append("your manager")
    if reports:
        parts.append(_plural(len(reports), "person who reports", "people who report") + " to you")
    if declined:
        parts.append(_plural(len(declined), "declined pairing"))
    return f"all {_plural(len(candidates), role)} at a suitable level are ruled out: " + ", ".join(
        parts
    )


def _level_span(problem: Problem) -> str:
    rules = problem.rules
    if rules.is_peer:
        if rules.peer_max_gap == 0:
            return "at your level"
        return f"within {_plural(rules.peer_max_gap, 'level')} of you"
    where = "below" if rules.kind == REVERSE_MENTORING else "above"
    if rules.min_gap == rules.max_gap:
        return f"{_plural(rules.min_gap, 'level')} {where} you"
    return f"{rules.min_gap}–{rules.max_gap} levels {where} you"


def learner_reasons(context: Context, i: int) -> list[str]:
    """Reasons for an unmatched learner (row ``i``)."""
    problem = context.problem
    rules, person, guides = problem.rules, problem.rows.people[i], problem.cols
    if not guides.people:
        return ["there are no mentors in this programme"]
    gap = guides.level - person.level
    if rules.kind == REVERSE_MENTORING:
        gap = -gap
    level_ok = (gap >= rules.min_gap) & (gap <= rules.max_gap)
    span = _level_span(problem)
    if not level_ok.any():
        return [f"no mentor {span} (you are level {person.level})"]
    allowed = problem.scores[i] != FORBIDDEN
    if not allowed.any():
        candidates = [guides.people[j] for j in np.flatnonzero(level_ok)]
        return [_ruled_out(problem, person, candidates, "mentor")]
    has_places = allowed & (problem.capacity > 0)
    if not has_places.any():
        count = int(allowed.sum())
        return [f"the {_plural(count, 'mentor')} you could be paired with have no free places"]
    if (has_places & (context.room > 0)).any():
        return ["not placed before the time limit; mentors who suit you still have room"]
    order = np.flatnonzero(has_places)
    order = order[np.argsort(-problem.scores[i, order], kind="stable")]
    full = [guides.people[j] for j in order]
    reasons = []
    vocabulary = problem.vocabulary
    for goal in sorted(topics(person.goals)):
        covering = has_places & (guides.expertise[:, vocabulary[goal]] > 0)
        count = int(covering.sum())
        if count:
            reasons.append(f"the {_plural(count, 'mentor')} who cover {goal} are fully booked")
        else:
            reasons.append(f"no mentor you could be paired with covers {goal}")
    main = f"all {_plural(len(full), 'possible mentor')} ({_names(full)}) are fully booked"
    if context.certified:
        main += "; giving you a place would not match more people or raise the overall fit"
    return [main, *reasons]


def peer_reasons(context: Context, i: int) -> list[str]:
    """Reasons for an unmatched peer (index ``i``)."""
    problem = context.problem
    peers, person = problem.rows, problem.rows.people[i]
    others = np.ones(len(peers.people), bool)
    others[i] = False
    if not others.any():
        return ["you are the only peer in this programme"]
    level_ok = others & (np.abs(peers.level - person.level) <= problem.rules.peer_max_gap)
    if not level_ok.any():
        return [f"no other peer {_level_span(problem)} (you are level {person.level})"]
    allowed = problem.scores[i] != FORBIDDEN
    if not allowed.any():
        candidates = [peers.people[j] for j in np.flatnonzero(level_ok)]
        return [_ruled_out(problem, person, candidates, "peer")]
    if (allowed & ~context.matched).any():
        return ["not placed before the time limit; peers who suit you are still free"]
    order = np.flatnonzero(allowed)
    order = order[np.argsort(-problem.scores[i, order], kind="stable")]
    taken = [peers.people[j] for j in order]
    main = f"all {_plural(len(taken), 'possible peer')} ({_names(taken)}) are already paired"
    if context.certified:
        main += "; re-pairing would not match more people or raise the overall fit"
    return [main]
