"""Matching-run services: match a programme, write proposals, and HR's reviewed runs.

The engine solves the pool (see ``pool``); the answer is mapped back to the ``match --json``
contract (see ``contract``), to proposals in the database, and to the matching runs HR
reviews before publishing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pairing import later, rules, schedule
from pairing.matching import (
    GUIDE,
    LEARNER,
    MatchResult,
    Objective,
    Person,
    Problem,
    Rules,
    barred_reason,
    criteria,
    explain,
    greedy,
    score_pair,
    solve_problem,
)
from pairing.matching import Pairing as Proposal
from pairing.matchmaking.adapter import rules_for
from pairing.matchmaking.pool import (
    Pair,
    Pool,
    declined_pairs,
    live_pairings,
    program_people,
)
from pairing.models import MatchRun, Pairing, PairingMember
from programs.models import AuditEvent, Participant, Program
from programs.services import audit_record

logger = logging.getLogger(__name__)


class MatchingError(Exception):
    """A refused matching action, worded for the HR admin who tried it."""


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
        return self.pool.emails[key]


def _pairs(pairs: Iterable[Sequence[str]]) -> list[Pair]:
    return [(str(a), str(b)) for a, b in pairs]


def program_match(program: Program, *, pins=(), removed=(), baseline: bool = True) -> MatchOutcome:
    """Match the programme's available people: the engine's optimum around `pins`
    (`(guide, learner)` or `(peer, peer)` keys), never proposing `removed` pairs or pairs
    declined before, plus (unless `baseline` is False) the greedy baseline for comparison.

    The baseline is for HR's runs ("against greedy"); `match` leaves it out, since its JSON
    has no place for it and at scale it costs as much as the matching itself.
    """
    rules = rules_for(program)
    pool = program_people(program)
    excluded = frozenset(declined_pairs(program) | set(_pairs(removed)))
    problem = Problem.build(pool.people, rules, excluded)
    result = solve_problem(problem, pinned=_pairs(pins))
    return MatchOutcome(
        program=program,
        rules=rules,
        pool=pool,
        result=result,
        excluded=excluded,
        greedy=greedy(problem) if baseline else None,
        people={p.key: p for p in pool.people},
    )


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
        "max_score": outcome.rules.max_score,
        "greedy_matched": greedy_matched,
        "greedy_total_score": round(greedy_total, 2),
        "more_matched_than_greedy": objective.matched - greedy_matched,
        "score_above_greedy": round(objective.total_score - greedy_total, 2),
        "certified": objective.certified,
        "already_paired": outcome.pool.already_paired,
        "full_guides": outcome.pool.full_guides,
    }


def _pair(proposal: Proposal, people: dict[str, Person]) -> tuple[Person, Person]:
    """The guide (or first peer) and the learner (or second peer) of a proposal."""
    if proposal.guide is None:
        a, b = (people[key] for key in proposal.members)
    else:
        a, b = people[proposal.guide], people[proposal.members[0]]
    return a, b


def _reasons(proposal: Proposal, people: dict[str, Person], rules: Rules) -> list[str]:
    return explain(proposal.breakdown, *_pair(proposal, people), rules)


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
    # Names for the refusals and today's capacities, for the whole programme in one query
    # (filtering on thousands of keys would pass the database thousands of parameters).
    rows = list(
        Participant.objects.filter(program=program).values_list("pk", "capacity", "employee__name")
    )
    name = {pk: employee_name for pk, _, employee_name in rows}
    # Participant.effective_capacity, from the values.
    places = {pk: capacity or program.default_capacity for pk, capacity, _ in rows}
    for proposal in outcome.result.pairings:
        for key in (proposal.guide, *proposal.members):
            if key is not None and int(key) not in active:
                raise MatchingError(
                    f"{name[int(key)]} is no longer taking part; run matching again."
                )
        for key in proposal.members:
            if int(key) in live.paired:
                raise MatchingError(
                    f"{name[int(key)]} has been paired since this run; run matching again."
                )
        if proposal.guide is not None:
            guide = int(proposal.guide)
            load[guide] = load.get(guide, 0) + 1
            if load[guide] > places[guide]:
                raise MatchingError(
                    f"{name[guide]} has no place left since this run; run matching again."
                )

    Pairing.objects.filter(pk__in=live.replaceable).delete()
    now = timezone.now()
    expires_at = schedule.proposal_expires_at(program, now)
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
    members = [
        member
        for pairing, proposal in zip(pairings, outcome.result.pairings, strict=True)
        for member in rules.proposal_members(
            pairing,
            guide_id=int(proposal.guide) if proposal.guide is not None else None,
            member_ids=[int(key) for key in proposal.members],
            at=now,
        )
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
    later.proposal_emails(m.pk for m in members if m.response == PairingMember.Response.PENDING)
    return pairings


def _run_result(outcome: MatchOutcome) -> dict:
    """What a run keeps: participant keys with their scores and breakdowns, so publishing
    writes exactly the pairs HR reviewed, and the pages name people as they are today; and
    the reasons as data (each pair's criteria, why each unmatched person is left), which the
    page words for HR."""
    result, rules = outcome.result, outcome.rules
    return {
        "objective": result.objective.to_dict(),
        "totals": outcome_totals(outcome),
        "pairings": [
            {
                "guide": p.guide,
                "members": list(p.members),
                "score": round(p.score, 2),
                "breakdown": p.breakdown.as_dict(),
                "criteria": [
                    c.to_dict() for c in criteria(p.breakdown, *_pair(p, outcome.people), rules)
                ],
                "pinned": p.pinned,
            }
            for p in result.pairings
        ],
        "unmatched": [
            {"key": u.key, "why": [reason.to_dict() for reason in u.why]} for u in result.unmatched
        ],
        "spare_capacity": [{"key": key, "free": free} for key, free in result.spare_capacity],
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
        later.matching_run(run.pk)
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
    barred = barred_reason(a, b, rules_for(program))
    if barred is not None:
        raise MatchingError(
            f"{a.name} and {b.name} cannot be paired under the programme's rules ({barred})."
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
    for item in run.result["pairings"]:
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
