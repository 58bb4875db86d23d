"""The bridge between the models and the matching engine: no matching logic lives here.

Participants become engine ``Person``s (keys are participant pks as strings), the engine
solves, and the answer is mapped back: to the ``match --json`` contract with emails, to
proposals in the database, and to the matching runs HR reviews before publishing.

Who takes part in a run: the programme's active participants, except learners and peers
already in a live pairing that stays (accepted, active, or a proposal someone has already
answered); guides take part with the places those pairings leave. Proposals nobody has
answered yet do not count: publishing a new run replaces them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pairing.matching import (
    Breakdown,
    MatchResult,
    Objective,
    Person,
    Rules,
    explain,
    score_pair,
    solve,
)
from pairing.matching import Pairing as Proposal
from pairing.matching.bench import greedy
from pairing.matching.domain import GUIDE, LEARNER, PEER
from pairing.matching.engine import Problem
from pairing.models import MatchRun, Pairing, PairingMember
from programs.models import AuditEvent, Participant, Program
from programs.services import audit_record

logger = logging.getLogger(__name__)

# The members whose answer a proposal waits for. A mentee asked for support, so their side
# starts accepted (as in pairing.services.proposal_create); a proposal counts as answered
# once one of these members has responded.
ANSWERING_ROLES = (PairingMember.Role.GUIDE, PairingMember.Role.PEER)
Pair = tuple[str, str]


class MatchingError(Exception):
    """A refused matching action, worded for the HR admin who tried it."""


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
    return Person(
        key=str(participant.pk),
        role=ENGINE_ROLES[participant.role],
        level=employee.level,
        department=employee.department,
        manager=key_of_employee.get(employee.manager_id),
        goals=frozenset(goals),
        expertise=frozenset(expertise),
        style=participant.style,
        capacity=capacity,
        label=employee.name,
    )


def breakdown_for(data: dict) -> Breakdown:
    """A stored breakdown (a pairing's JSON, in points) as the engine's value."""
    return Breakdown(
        goals=float(data.get("goals", 0)),
        level=float(data.get("level", 0)),
        style=float(data.get("style", 0)),
        department=float(data.get("department", 0)),
    )


@dataclass(frozen=True)
class LivePairings:
    """The programme's live pairings, split into those a new run keeps and those it replaces."""

    guide_load: dict[int, int]  # participant id -> kept pairings they guide
    paired: set[int]  # learners and peers in a kept pairing
    replaceable: list[int]  # ids of proposals nobody has answered yet


def live_pairings(program: Program) -> LivePairings:
    """One query over the members of the programme's live pairings."""
    by_pairing: dict[int, list[tuple]] = defaultdict(list)
    for pairing_id, status, participant_id, role, response in PairingMember.objects.filter(
        pairing__program=program, pairing__status__in=Pairing.LIVE_STATUSES
    ).values_list("pairing_id", "pairing__status", "participant_id", "role", "response"):
        by_pairing[pairing_id].append((status, participant_id, role, response))
    guide_load: dict[int, int] = defaultdict(int)
    paired: set[int] = set()
    replaceable: list[int] = []
    for pairing_id, members in by_pairing.items():
        answered = any(
            role in ANSWERING_ROLES and response != PairingMember.Response.PENDING
            for _, _, role, response in members
        )
        if members[0][0] == Pairing.Status.PROPOSED and not answered:
            replaceable.append(pairing_id)
            continue
        for _, participant_id, role, _ in members:
            if role == PairingMember.Role.GUIDE:
                guide_load[participant_id] += 1
            else:
                paired.add(participant_id)
    return LivePairings(dict(guide_load), paired, sorted(replaceable))


def declined_pairs(program: Program) -> set[Pair]:
    """Pairs from declined or expired proposals in this programme: never proposed again."""
    members: dict[int, list[str]] = defaultdict(list)
    for pairing_id, participant_id in PairingMember.objects.filter(
        pairing__program=program,
        pairing__status__in=[Pairing.Status.DECLINED, Pairing.Status.EXPIRED],
    ).values_list("pairing_id", "participant_id"):
        members[pairing_id].append(str(participant_id))
    return {(a, b) for a, b in (sorted(keys) for keys in members.values() if len(keys) == 2)}


@dataclass(frozen=True)
class Pool:
    """The people a run matches, and the participants behind their keys."""

    people: list[Person]
    participants: dict[str, Participant]  # key -> participant (everyone active, for emails)
    already_paired: int  # learners and peers left out: they are in a kept pairing
    full_guides: int  # guides left out: no place left


def program_people(program: Program) -> Pool:
    """The programme's active participants as engine people; a constant number of queries."""
    participants = list(
        Participant.objects.active()
        .filter(program=program, role__in=program.roles)
        .select_related("employee")
        .prefetch_related("goals", "expertise")
    )
    for participant in participants:
        # Share the programme row: effective_capacity reads it, one query per guide otherwise.
        participant.program = program
    live = live_pairings(program)
    key_of_employee = keys_by_employee(participants)
    people: list[Person] = []
    already_paired = full_guides = 0
    for participant in participants:
        if participant.is_guide:
            capacity = participant.effective_capacity - live.guide_load.get(participant.pk, 0)
            if capacity < 1:
                full_guides += 1
                continue
        else:
            capacity = 1
            if participant.pk in live.paired:
                already_paired += 1
                continue
        people.append(person_for(participant, key_of_employee=key_of_employee, capacity=capacity))
    return Pool(
        people=people,
        participants={str(p.pk): p for p in participants},
        already_paired=already_paired,
        full_guides=full_guides,
    )


@dataclass(frozen=True)
class MatchOutcome:
    """The engine's result for a programme, with what it needs to map keys back."""

    program: Program
    rules: Rules
    pool: Pool
    result: MatchResult
    excluded: frozenset[Pair] = frozenset()
    # The greedy baseline on the same problem: (people matched, total score).
    greedy: tuple[int, float] | None = None
    people: dict[str, Person] = field(default_factory=dict)

    def email(self, key: str) -> str:
        return self.pool.participants[key].employee.email


def _pairs(pairs: Iterable[Sequence[str]]) -> list[Pair]:
    return [(str(a), str(b)) for a, b in pairs]


def program_match(program: Program, *, pins=(), removed=()) -> MatchOutcome:
    """Match the programme's available people: the engine's optimum around `pins`
    (`(guide, learner)` or `(peer, peer)` keys), never proposing `removed` pairs or pairs
    declined before, plus the greedy baseline for comparison."""
    rules = rules_for(program)
    pool = program_people(program)
    excluded = frozenset(declined_pairs(program) | set(_pairs(removed)))
    result = solve(pool.people, rules, excluded=excluded, pinned=_pairs(pins))
    baseline = greedy(Problem.build(pool.people, rules, excluded))
    return MatchOutcome(
        program=program,
        rules=rules,
        pool=pool,
        result=result,
        excluded=excluded,
        greedy=baseline,
        people={p.key: p for p in pool.people},
    )


def outcome_to_contract_json(outcome: MatchOutcome) -> dict:
    """The ``match --json`` shape of DESIGN.md, with emails instead of keys."""
    result, email = outcome.result, outcome.email
    pairings = sorted(
        (
            {
                "guide": email(p.guide) if p.guide else None,
                "members": sorted(email(key) for key in p.members),
                "score": round(p.score, 2),
                "breakdown": p.breakdown.as_dict(),
            }
            for p in result.pairings
        ),
        key=lambda p: (p["guide"] or "", p["members"]),
    )
    return {
        "program": outcome.program.slug,
        "kind": outcome.program.kind,
        "objective": result.objective.to_dict(),
        "pairings": pairings,
        "unmatched": sorted(
            ({"email": email(u.key), "reasons": list(u.reasons)} for u in result.unmatched),
            key=lambda u: u["email"],
        ),
        "spare_capacity": sorted(
            ({"email": email(key), "free": free} for key, free in result.spare_capacity),
            key=lambda s: s["email"],
        ),
    }


def outcome_totals(outcome: MatchOutcome) -> dict:
    """The figures HR sees above a run: how many matched, how well, and against greedy."""
    objective = outcome.result.objective
    pairs = len(outcome.result.pairings)
    greedy_matched, greedy_total = outcome.greedy or (0, 0.0)
    return {
        "people": len(outcome.pool.people),
        # Learners and peers: the people asking for support, whom "matched" counts.
        "seekers": sum(person.role != GUIDE for person in outcome.pool.people),
        "matched": objective.matched,
        "pairings": pairs,
        "total_score": round(objective.total_score, 2),
        "average_score": round(objective.total_score / pairs, 2) if pairs else 0.0,
        "greedy_matched": greedy_matched,
        "greedy_total_score": round(greedy_total, 2),
        "more_matched_than_greedy": objective.matched - greedy_matched,
        "score_above_greedy": round(objective.total_score - greedy_total, 2),
        "certified": objective.certified,
        "already_paired": outcome.pool.already_paired,
        "full_guides": outcome.pool.full_guides,
    }


def _reasons(proposal: Proposal, people: dict[str, Person], rules: Rules) -> list[str]:
    if proposal.guide is None:
        a, b = (people[key] for key in proposal.members)
    else:
        a, b = people[proposal.guide], people[proposal.members[0]]
    return explain(proposal.breakdown, a, b, rules)


@transaction.atomic
def proposals_commit(
    *, program: Program, outcome: MatchOutcome, actor=None, match_run: MatchRun | None = None
) -> list[Pairing]:
    """Write the outcome as proposals, replacing the proposals nobody has answered yet,
    and record it on the programme's audit log.

    Unanswered proposals are deleted (not expired: expired pairs are never proposed again,
    and these were never turned down). Accepted and active pairings, and proposals someone
    has answered, stay. Raises MatchingError when the programme changed since the outcome
    was computed in a way that makes it impossible (someone paired, withdrawn, or a guide
    full meanwhile). The members who must answer are emailed after the commit.
    """
    live = live_pairings(program)
    active = set(Participant.objects.active().filter(program=program).values_list("pk", flat=True))
    load = dict(live.guide_load)
    participants = outcome.pool.participants
    for proposal in outcome.result.pairings:
        for key in (proposal.guide, *proposal.members):
            if key is not None and int(key) not in active:
                raise MatchingError(
                    f"{participants[key].employee.name} is no longer taking part; "
                    "run matching again."
                )
        for key in proposal.members:
            if int(key) in live.paired:
                raise MatchingError(
                    f"{participants[key].employee.name} has been paired since this run; "
                    "run matching again."
                )
        if proposal.guide is not None:
            guide = participants[proposal.guide]
            load[guide.pk] = load.get(guide.pk, 0) + 1
            if load[guide.pk] > guide.effective_capacity:
                raise MatchingError(
                    f"{guide.employee.name} has no place left since this run; run matching again."
                )

    Pairing.objects.filter(pk__in=live.replaceable).delete()
    now = timezone.now()
    expires_at = now + timedelta(days=program.proposal_expiry_days)
    pairings = [
        Pairing(
            program=program,
            status=Pairing.Status.PROPOSED,
            source=Pairing.Source.PINNED if proposal.pinned else Pairing.Source.MATCHING,
            score=round(proposal.score, 2),
            breakdown=proposal.breakdown.as_dict(),
            reasons=_reasons(proposal, outcome.people, outcome.rules),
            match_run=match_run,
            proposed_at=now,
            expires_at=expires_at,
        )
        for proposal in outcome.result.pairings
    ]
    # Rows are built from the engine's validated answer and checked above; bulk inserts
    # keep publishing a programme of thousands to a handful of queries.
    Pairing.objects.bulk_create(pairings)
    members: list[PairingMember] = []
    for pairing, proposal in zip(pairings, outcome.result.pairings, strict=True):
        if proposal.guide is None:
            members += [
                PairingMember(
                    pairing=pairing, participant_id=int(key), role=PairingMember.Role.PEER
                )
                for key in proposal.members
            ]
        else:
            members += [
                PairingMember(
                    pairing=pairing,
                    participant_id=int(proposal.guide),
                    role=PairingMember.Role.GUIDE,
                ),
                PairingMember(
                    pairing=pairing,
                    participant_id=int(proposal.members[0]),
                    role=PairingMember.Role.LEARNER,
                    response=PairingMember.Response.ACCEPTED,
                    responded_at=now,
                ),
            ]
    PairingMember.objects.bulk_create(members)
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.PUBLISHED,
        summary=f"Published {len(pairings)} proposals, replacing {len(live.replaceable)} "
        "unanswered ones" + (f" (run {match_run.pk})" if match_run else ""),
        detail={
            "run": match_run.pk if match_run else None,
            "proposals": len(pairings),
            "replaced": len(live.replaceable),
        },
    )
    # Imported when needed: pairing.tasks imports this module, and so, through reminders
    # and services, do the selectors, which translate rows with person_for.
    from pairing import tasks

    for member in members:
        if member.role in ANSWERING_ROLES:
            tasks.send_proposal_email.delay_on_commit(member.pk)
    return pairings


def _run_result(outcome: MatchOutcome) -> dict:
    return {
        **outcome_to_contract_json(outcome),
        "totals": outcome_totals(outcome),
        # The engine keys, so publishing writes exactly the pairs HR reviewed.
        "keys": [
            {"guide": p.guide, "members": list(p.members), "pinned": p.pinned}
            for p in outcome.result.pairings
        ],
    }


def match_run_execute(run_id: int) -> None:
    """Compute a queued run: running, progress, then done with its result (or failed).

    Claims the run with a conditional update, so a task delivered twice computes it once.
    """
    claimed = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, progress=10, error=""
    )
    if claimed != 1:
        return
    run = MatchRun.objects.select_related("program").get(pk=run_id)
    try:
        outcome = program_match(run.program, pins=run.pins, removed=run.removed)
        result = _run_result(outcome)
    except Exception as error:  # noqa: BLE001 - any failure must reach the HR page, not vanish
        logger.exception("matching run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED, error=str(error) or error.__class__.__name__
        )
        return
    MatchRun.objects.filter(pk=run_id).update(
        status=MatchRun.Status.DONE, progress=100, result=result
    )


def _dispatch(run: MatchRun) -> MatchRun:
    """Compute small programmes in the request, hand big ones to a worker."""
    size = Participant.objects.active().filter(program=run.program).count()
    if size <= settings.MATCHING_INLINE_LIMIT:
        match_run_execute(run.pk)
    else:
        from pairing import tasks  # at call time, as in proposals_commit

        tasks.run_matching.delay_on_commit(run.pk)
    run.refresh_from_db()
    return run


@transaction.atomic
def match_run_start(*, program: Program, actor, pins=(), removed=()) -> MatchRun:
    """Start a matching run for HR to review (inline when small, else on a worker)."""
    run = MatchRun.objects.create(
        program=program,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        pins=[list(pair) for pair in _pairs(pins)],
        removed=[list(pair) for pair in _pairs(removed)],
    )
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.MATCHING_RUN,
        summary=f"Ran matching (run {run.pk})",
        detail={"run": run.pk},
    )
    return _dispatch(run)


def _editable(run: MatchRun) -> MatchRun:
    run = MatchRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    if run.status != MatchRun.Status.DONE:
        raise MatchingError(
            "Only a finished, unpublished run can be changed "
            f"(this one: {run.get_status_display().lower()})."
        )
    return run


def _rerun(run: MatchRun) -> MatchRun:
    run.status, run.progress, run.result = MatchRun.Status.QUEUED, 0, {}
    run.save(update_fields=["status", "progress", "result", "pins", "removed"])
    return _dispatch(run)


@transaction.atomic
def match_run_pin(*, run: MatchRun, first: str, second: str, actor) -> MatchRun:
    """Force a pair into the run and re-solve around it.

    `first` is the guide (or a peer) and `second` the learner (or the other peer), as
    participant keys. Refused when a hard rule forbids the pair, it was declined or removed,
    someone in it is already pinned, or the guide has no place left for another pin.
    """
    run = _editable(run)
    program = run.program
    pool = program_people(program)
    people = {p.key: p for p in pool.people}
    a, b = people.get(str(first)), people.get(str(second))
    if a is None or b is None:
        raise MatchingError("Both people must be active in this programme and not yet paired.")
    if not program.is_peer and (a.role, b.role) != (GUIDE, LEARNER):
        raise MatchingError("Pin a mentor to a mentee.")
    if frozenset((a.key, b.key)) in {frozenset(p) for p in declined_pairs(program)}:
        raise MatchingError(f"{a.name} and {b.name} were proposed before and declined.")
    if score_pair(a, b, rules_for(program)) is None:
        raise MatchingError(
            f"{a.name} and {b.name} cannot be paired under the programme's rules "
            f"({_barred_reason(a, b)})."
        )
    pinned_keys = [key for pair in run.pins for key in (pair if program.is_peer else pair[1:])]
    for person in (a, b) if program.is_peer else (b,):
        if person.key in pinned_keys:
            raise MatchingError(f"{person.name} is already pinned in this run.")
    if not program.is_peer and sum(1 for g, _ in run.pins if g == a.key) >= a.capacity:
        raise MatchingError(f"{a.name} has no place left for another pinned pair.")
    pair = [a.key, b.key]
    run.pins = [*run.pins, pair]
    run.removed = [r for r in run.removed if set(r) != set(pair)]
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.PAIR_PINNED,
        summary=f"Pinned {a.name} and {b.name} (run {run.pk})",
        detail={"run": run.pk, "pair": pair},
    )
    return _rerun(run)


def _barred_reason(a: Person, b: Person) -> str:
    if a.key == b.key:
        return "a person cannot be paired with themself"
    if a.manager == b.key or b.manager == a.key:
        return "one manages the other"
    return "their levels are too far apart"


@transaction.atomic
def match_run_remove(*, run: MatchRun, pair: Sequence[str], actor) -> MatchRun:
    """Take a pair out of the run (never to be proposed by it) and re-solve without it."""
    run = _editable(run)
    first, second = (str(key) for key in pair)
    participants = {
        str(p.pk): p
        for p in Participant.objects.filter(
            program=run.program, pk__in=[first, second]
        ).select_related("employee")
    }
    if len(participants) != 2:
        raise MatchingError("Both people must be participants of this programme.")
    run.removed = [*run.removed, [first, second]]
    run.pins = [p for p in run.pins if set(p) != {first, second}]
    names = " and ".join(participants[key].employee.name for key in (first, second))
    audit_record(
        program=run.program,
        actor=actor,
        action=AuditEvent.Action.PAIR_REMOVED,
        summary=f"Removed {names} from run {run.pk}",
        detail={"run": run.pk, "pair": [first, second]},
    )
    return _rerun(run)


def _reviewed_outcome(run: MatchRun) -> MatchOutcome:
    """The outcome HR reviewed, rebuilt from the run's keys and today's people."""
    program = run.program
    rules = rules_for(program)
    pool = program_people(program)
    people = {p.key: p for p in pool.people}
    proposals = []
    for item in run.result["keys"]:
        keys = [item["guide"], *item["members"]] if item["guide"] else item["members"]
        missing = [key for key in keys if key not in people]
        if missing:
            raise MatchingError(
                "Someone in this run has withdrawn, paused or been paired since; run matching "
                "again."
            )
        a, b = (people[key] for key in keys)
        breakdown = score_pair(a, b, rules)
        if breakdown is None:
            raise MatchingError(
                f"{a.name} and {b.name} can no longer be paired under the programme's rules; "
                "run matching again."
            )
        proposals.append(
            Proposal(
                item["guide"], tuple(item["members"]), breakdown.total, breakdown, item["pinned"]
            )
        )
    objective = Objective(**run.result["objective"])
    return MatchOutcome(
        program=program,
        rules=rules,
        pool=pool,
        result=MatchResult(proposals, [], [], objective),
        people=people,
    )


@transaction.atomic
def match_run_publish(*, run: MatchRun, actor) -> list[Pairing]:
    """Publish a finished run: its pairs become proposals and the people who answer are
    emailed. Refuses a run that is not finished or already published."""
    run = MatchRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    if run.status == MatchRun.Status.PUBLISHED:
        raise MatchingError("This run has already been published.")
    if run.status != MatchRun.Status.DONE:
        raise MatchingError(
            f"Only a finished run can be published (this one: {run.get_status_display().lower()})."
        )
    pairings = proposals_commit(
        program=run.program, outcome=_reviewed_outcome(run), actor=actor, match_run=run
    )
    run.status, run.published_at = MatchRun.Status.PUBLISHED, timezone.now()
    run.save(update_fields=["status", "published_at"])
    return pairings
