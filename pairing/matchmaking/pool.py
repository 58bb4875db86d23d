"""Who a matching run may pair: the pool reads, a constant number of queries.

Who takes part in a run: the programme's active participants, except learners and peers
already in a live pairing that stays (accepted, active, or a proposal someone has already
answered); guides take part with the places those pairings leave. Proposals nobody has
answered yet do not count: publishing a new run replaces them.

The pool is read as plain values, not model instances: at 10,000+ people building and
prefetching instances cost more than the matching itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Count

from pairing import rules
from pairing.matching import GUIDE, Person
from pairing.matching.domain import Signals
from pairing.matchmaking.adapter import ENGINE_ROLES, person_from_values
from pairing.models import CheckIn, Choice, Pairing, PairingMember, RatherNot, SurveyResponse
from programs.models import Participant, Program

Pair = tuple[str, str]


@dataclass(frozen=True)
class LivePairings:
    """The programme's live pairings, split into those a new run keeps and those it replaces."""

    guide_load: dict[int, int]  # participant id -> kept pairings they guide
    paired: set[int]  # learners and peers in a kept pairing
    replaceable: list[int]  # ids of proposals nobody has answered yet


def live_pairings(program: Program) -> LivePairings:
    """Two queries: the members of the programme's live pairings, and its guides' loads."""
    answering = rules.answering_roles(program)
    by_pairing: dict[int, list[tuple]] = defaultdict(list)
    for pairing_id, status, participant_id, role, response in PairingMember.objects.filter(
        pairing__program=program, pairing__status__in=Pairing.LIVE_STATUSES
    ).values_list("pairing_id", "pairing__status", "participant_id", "role", "response"):
        by_pairing[pairing_id].append((status, participant_id, role, response))
    paired: set[int] = set()
    replaceable: list[int] = []
    freed: dict[int, int] = defaultdict(int)  # guide -> places the replaced proposals free
    for pairing_id, members in by_pairing.items():
        # A proposal someone who answers for themself has answered stays.
        answered = any(
            role in answering and response != PairingMember.Response.PENDING
            for _, _, role, response in members
        )
        replaced = members[0][0] == Pairing.Status.PROPOSED and not answered
        if replaced:
            replaceable.append(pairing_id)
        for _, participant_id, role, _ in members:
            if role == PairingMember.Role.GUIDE:
                freed[participant_id] += replaced
            elif not replaced:
                paired.add(participant_id)
    # The load counting proposals, less those this run would replace.
    load = rules.guide_load(
        Participant.objects.filter(program=program).values("pk"), with_proposals=True
    )
    kept = {pk: n - freed[pk] for pk, n in load.items() if n > freed[pk]}
    return LivePairings(kept, paired, sorted(replaceable))


def never_again(program: Program) -> set[Pair]:
    """rules.never_again_pairs as engine keys: refused or ended early before, or partners
    already."""
    return {(str(a), str(b)) for a, b in rules.never_again_pairs(program=program)}


@dataclass(frozen=True)
class Pool:
    """The people a run matches, and the emails behind their keys."""

    people: list[Person]
    emails: dict[str, str]  # key -> email, for everyone active (the JSON speaks emails)
    already_paired: int  # learners and peers left out: they are in a kept pairing
    full_guides: int  # guides left out: no place left
    replaceable: list[int]  # ids of the proposals publishing this run replaces


_COLUMNS = (
    "pk",
    "employee_id",
    "role",
    "style",
    "capacity",
    "employee__email",
    "employee__name",
    "employee__level",
    "employee__department",
    "employee__manager_id",
    "rounds_waited",
)


def _topic_names(through, program: Program) -> dict[int, list[str]]:
    """Participant id -> topic names over one of Participant's topic tables, in one query."""
    names: dict[int, list[str]] = defaultdict(list)
    for participant_id, name in through.objects.filter(participant__program=program).values_list(
        "participant_id", "topic__name"
    ):
        names[participant_id].append(name)
    return names


def _preferences(program: Program) -> tuple[dict[int, tuple[str, ...]], dict[int, frozenset]]:
    """Each learner's ranked choices (first first) and each guide's "rather not" marks, as
    engine keys; two queries."""
    ranking: dict[int, list[str]] = defaultdict(list)
    for chooser, candidate in (
        Choice.objects.filter(chooser__program=program)
        .order_by("chooser_id", "rank")
        .values_list("chooser_id", "candidate_id")
    ):
        ranking[chooser].append(str(candidate))
    marks: dict[int, set[str]] = defaultdict(set)
    for guide, learner in RatherNot.objects.filter(guide__program=program).values_list(
        "guide_id", "learner_id"
    ):
        marks[guide].add(str(learner))
    return (
        {pk: tuple(keys) for pk, keys in ranking.items()},
        {pk: frozenset(keys) for pk, keys in marks.items()},
    )


def _signals(program: Program, ids: list[int]) -> dict[int, Signals]:
    """Each person's track record in the programme (matching.history); six queries:
    lapses in a row (rules.lapses_in_a_row), declines, early endings (rules.ended_early),
    the members of the pairings that went live, and the ratings their partners there gave
    in check-ins and in the closing survey."""
    lapses = rules.lapses_in_a_row(Participant.objects.filter(program=program).values("pk"))
    declines = dict(
        PairingMember.objects.filter(
            pairing__program=program, response=PairingMember.Response.DECLINED
        )
        .values("participant_id")
        .annotate(n=Count("pk"))
        .values_list("participant_id", "n")
    )
    early_ids = rules.ended_early(program_id=program.pk).values("pk")
    early = dict(
        PairingMember.objects.filter(pairing_id__in=early_ids)
        .values("participant_id")
        .annotate(n=Count("pk"))
        .values_list("participant_id", "n")
    )
    # Ratings speak only of pairings that went live (rules.went_live), never of proposals
    # declined, lapsed or cancelled, and only of the rater's partners in them.
    members: dict[int, list[int]] = defaultdict(list)
    latest: dict[int, list[tuple]] = defaultdict(list)  # participant -> (went live, pairing)
    for pairing_id, participant_id, activated_at in PairingMember.objects.filter(
        rules.went_live("pairing__"), pairing__program=program
    ).values_list("pairing_id", "participant_id", "pairing__activated_at"):
        members[pairing_id].append(participant_id)
        latest[participant_id].append((activated_at, pairing_id))
    ratings: dict[int, list[int]] = defaultdict(list)
    # A check-in rating speaks of the partners of whoever logged it, in that pairing.
    for pairing_id, logged_by, rating in CheckIn.objects.filter(
        pairing__program=program
    ).values_list("pairing_id", "logged_by_id", "rating"):
        for other in members[pairing_id]:
            if other != logged_by:
                ratings[other].append(rating)
    # A closing survey rates the programme as its author lived it: with the partners of
    # their last pairing that went live before they answered (not those of earlier rounds).
    for author, rating, submitted_at in SurveyResponse.objects.filter(
        participant__program=program
    ).values_list("participant_id", "rating", "submitted_at"):
        lived = [(at, pk) for at, pk in latest[author] if at <= submitted_at]
        if not lived:
            continue
        for other in members[max(lived)[1]]:
            if other != author:
                ratings[other].append(rating)
    return {
        pk: Signals(
            lapses=lapses.get(pk, 0),
            declines=declines.get(pk, 0),
            early_endings=early.get(pk, 0),
            ratings=tuple(ratings.get(pk, ())),
        )
        for pk in ids
    }


def program_people(program: Program) -> Pool:
    """The programme's active participants as engine people; a constant number of queries
    (five, plus two for preferences and six for track records in the pair kinds)."""
    # No ORDER BY (the model orders by name): the engine sorts people by key itself.
    rows = list(
        Participant.objects.active()
        .filter(program=program, role__in=program.roles)
        .order_by()
        .values_list(*_COLUMNS)
    )
    goals = _topic_names(Participant.goals.through, program)
    expertise = _topic_names(Participant.expertise.through, program)
    live = live_pairings(program)
    key_of_employee = {employee_id: str(pk) for pk, employee_id, *_ in rows}
    people: list[Person] = []
    already_paired = full_guides = 0
    for pk, _, role, style, own_capacity, _, name, level, department, manager_id, waited in rows:
        if ENGINE_ROLES[role] == GUIDE:
            # Participant.effective_capacity, from the values.
            places = own_capacity or program.default_capacity
            capacity = places - live.guide_load.get(pk, 0)
            if capacity < 1:
                full_guides += 1
                continue
        else:
            capacity = 1
            if pk in live.paired:
                already_paired += 1
                continue
        people.append(
            person_from_values(
                pk=pk,
                role=role,
                style=style,
                level=level,
                department=department,
                manager_key=key_of_employee.get(manager_id),
                goals=goals.get(pk, ()),
                expertise=expertise.get(pk, ()),
                capacity=capacity,
                name=name,
                waited=waited > 0,
            )
        )
    if not program.is_group:
        ranking, marks = _preferences(program)
        signals = _signals(program, [int(p.key) for p in people])
        people = [
            replace(
                p,
                ranking=ranking.get(int(p.key), ()),
                rather_not=marks.get(int(p.key), frozenset()),
                signals=signals[int(p.key)],
            )
            for p in people
        ]
    return Pool(
        people=people,
        emails={str(pk): email for pk, _, _, _, _, email, *_ in rows},
        already_paired=already_paired,
        full_guides=full_guides,
        replaceable=live.replaceable,
    )


def grouped_pairs(program: Program, pool: Pool) -> set[Pair]:
    """rules.grouped_pairs as engine keys, less the proposals a run on ``pool`` replaces:
    publishing deletes them, so they bar nobody (else each run would have to break up the
    groups the last one proposed)."""
    found = rules.grouped_pairs(program=program, ignoring=pool.replaceable)
    return {(str(a), str(b)) for a, b in found}
