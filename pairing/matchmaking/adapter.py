"""Model rows <-> engine values: programme rules, people, stored breakdowns.

Engine keys are participant pks as strings. Nothing here queries the database: callers load
the rows (instances, or plain values for a whole pool) and translate them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pairing.matching import GUIDE, LEARNER, PEER, Breakdown, Person, Rules
from programs.models import Participant, Program


def rules_for(program: Program) -> Rules:
    """The engine's rules from the numbers on the programme row."""
    return Rules(
        kind=program.kind,
        min_gap=program.min_gap,
        ideal_gap=program.ideal_gap,
        max_gap=program.max_gap,
        peer_max_gap=program.peer_max_gap,
        weight_goals=program.weight_goals,
        weight_level=program.weight_level,
        weight_style=program.weight_style,
        weight_department=program.weight_department,
        weight_preference=program.weight_preference,
        group_min=program.group_min,
        group_max=program.group_max,
        level_spread=program.group_level_spread,
    )


# Mentors guide (in reverse mentoring too, where the mentor is the junior one).
ENGINE_ROLES = {
    Participant.Role.MENTOR: GUIDE,
    Participant.Role.MENTEE: LEARNER,
    Participant.Role.PEER: PEER,
}


def keys_by_employee(participants: Iterable[Participant]) -> dict[int, str]:
    """Employee id -> engine key for a pool of participants, for `person_for`."""
    return {p.employee_id: str(p.pk) for p in participants}


def person_from_values(
    *,
    pk: int,
    role: str,
    style: str,
    level: int,
    department: str,
    manager_key: str | None,
    goals: Iterable[str],
    expertise: Iterable[str],
    capacity: int,
    name: str,
    waited: bool,
) -> Person:
    """The engine's view of one participant from plain column values (see `person_for`).
    ``waited``: left without a partner last round (Participant.rounds_waited), served first."""
    return Person(
        key=str(pk),
        role=ENGINE_ROLES[role],
        level=level,
        department=department,
        manager=manager_key,
        goals=frozenset(goals),
        expertise=frozenset(expertise),
        style=style,
        capacity=capacity,
        label=name,
        waited=waited,
    )


def person_for(
    participant: Participant,
    *,
    key_of_employee: Mapping[int, str],
    capacity: int = 1,
    goals: Iterable[str] | None = None,
    expertise: Iterable[str] | None = None,
) -> Person:
    """The engine's view of a participant, keyed by its pk (a string).

    ``key_of_employee`` (see `keys_by_employee`) gives the key of the participant's manager
    for the manager rule; a manager outside the pool cannot be paired with anyone in it, so
    None is right for them. Goals and expertise are the participant's topics (prefetch them)
    unless given as names: the demo scores thousands of people it wrote in bulk, and a guide
    reading why they were matched has no goals of their own in the pairing.
    """
    employee = participant.employee
    if goals is None:
        goals = (t.name for t in participant.goals.all())
    if expertise is None:
        expertise = (t.name for t in participant.expertise.all())
    return person_from_values(
        pk=participant.pk,
        role=participant.role,
        style=participant.style,
        level=employee.level,
        department=employee.department,
        manager_key=key_of_employee.get(employee.manager_id),
        goals=goals,
        expertise=expertise,
        capacity=capacity,
        name=employee.name,
        waited=participant.rounds_waited > 0,
    )


def breakdown_for(data: dict) -> Breakdown:
    """A stored breakdown (a pairing's JSON, in points) as the engine's value."""
    return Breakdown(
        goals=float(data.get("goals", 0)),
        level=float(data.get("level", 0)),
        style=float(data.get("style", 0)),
        department=float(data.get("department", 0)),
        preference=float(data.get("preference", 0)),
        history=float(data.get("history", 0)),
    )
