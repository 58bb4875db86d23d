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
    GROUP_MENTORING,
    GUIDE,
    LEARNER,
    Group,
    GroupObjective,
    GroupResult,
    MatchResult,
    Objective,
    Person,
    Problem,
    Rules,
    barred_reason,
    criteria,
    explain,
    for_hr,
    form_groups,
    greedy,
    group_violations,
    score_group,
    score_pair,
    solve_problem,
)
from pairing.matching import Pairing as Proposal
from pairing.matching.preferences import compare
from pairing.matchmaking.adapter import rules_for
from pairing.matchmaking.pool import (
    Pair,
    Pool,
    grouped_pairs,
    live_pairings,
    never_again,
    program_people,
)
from pairing.models import MatchRun, Pairing, PairingMember
from programs import leases
from programs.models import AuditEvent, Participant, Program
from programs.services import audit_record

logger = logging.getLogger(__name__)


class MatchingError(Exception):
    """A refused matching action, worded for the HR admin who tried it."""


# The one answer every matching entry point (HR's runs, `manage.py match`, a commit) gives
# a situational programme: its people book sessions from office hours instead.
NO_MATCHING = "situational programmes book sessions; there is no matching"


def refuse_situational(program: Program) -> None:
    """Raise MatchingError for a situational programme, which is never matched."""
    if program.is_situational:
        raise MatchingError(NO_MATCHING)


@dataclass(frozen=True)
class MatchOutcome:
    """The engine's result for a programme, with what it needs to map keys back: pairs
    (a MatchResult) or, for the group kinds, groups (a GroupResult)."""

    program: Program
    rules: Rules
    pool: Pool
    result: MatchResult | GroupResult
    excluded: frozenset[Pair] = frozenset()
    # Mentoring kinds: the rank table for our matching and for deferred acceptance
    # (matching.preferences.compare) on the same problem.
    ranks: dict | None = None
    # The pair solver's greedy baseline on the same problem: (people matched, total score).
    # Groups carry theirs in their objective.
    greedy: tuple[int, float] | None = None
    people: dict[str, Person] = field(default_factory=dict)

    def email(self, key: str) -> str:
        return self.pool.emails[key]

    @property
    def is_group(self) -> bool:
        return isinstance(self.result, GroupResult)

    @property
    def proposals(self) -> list[Proposal] | list[Group]:
        """What publishing writes, one Pairing each: the pairs, or the groups. Both have a
        guide (or None), members, a score, a breakdown and whether HR pinned them."""
        return self.result.groups if self.is_group else self.result.pairings


def _pairs(pairs: Iterable[Sequence[str]]) -> list[Pair]:
    return [(str(a), str(b)) for a, b in pairs]


def program_match(program: Program, *, pins=(), removed=(), baseline: bool = True) -> MatchOutcome:
    """Match the programme's available people: the engine's optimum around `pins`
    (`(guide, learner)` or `(peer, peer)` keys), never proposing `removed` pairs or pairs
    declined before, plus (unless `baseline` is False) the greedy baseline for comparison.

    The baseline is for HR's runs ("against greedy"); `match` leaves it out, since its JSON
    has no place for it and at scale it costs as much as the matching itself.

    The group kinds form groups instead: `pins` are whole groups (keys, the mentor included
    in group mentoring), and nobody is grouped with someone they shared a group with before
    (which covers the declined ones) or a `removed` pair. Their objective carries the
    baselines (greedy, random groups) and the proven upper bound.
    """
    refuse_situational(program)
    rules = rules_for(program)
    pool = program_people(program)
    ranks = None
    if program.is_group:
        excluded = frozenset(grouped_pairs(program, pool) | set(_pairs(removed)))
        result = form_groups(
            pool.people, rules, excluded, pinned=[[str(key) for key in group] for group in pins]
        )
        baseline_found = None
    else:
        excluded = frozenset(never_again(program) | set(_pairs(removed)))
        problem = Problem.build(pool.people, rules, excluded)
        result = solve_problem(problem, pinned=_pairs(pins))
        baseline_found = greedy(problem) if baseline else None
        if baseline:
            ranks = compare(problem, result)
    return MatchOutcome(
        program=program,
        rules=rules,
        pool=pool,
        result=result,
        excluded=excluded,
        greedy=baseline_found,
        people={p.key: p for p in pool.people},
        ranks=ranks,
    )


def outcome_totals(outcome: MatchOutcome) -> dict:
    """The figures HR sees above a run: how many matched, how well, and against greedy."""
    if outcome.is_group:
        return _group_totals(outcome)
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
        # The first tier: those left without a partner last round, and how many are now.
        "waited": objective.waited,
        "waited_matched": objective.waited_matched,
        "already_paired": outcome.pool.already_paired,
        "full_guides": outcome.pool.full_guides,
        "ranks": outcome.ranks,
    }


def _group_totals(outcome: MatchOutcome) -> dict:
    """A grouping's figures: people placed, the total against the proven upper bound (the
    most any grouping could score), and against random groups and greedy grouping."""
    objective, groups = outcome.result.objective, outcome.result.groups
    total, bound, random_mean = objective.total, objective.upper_bound, objective.random_mean
    return {
        "people": len(outcome.pool.people),
        "seekers": sum(person.role != GUIDE for person in outcome.pool.people),
        "matched": objective.placed,
        "groups": len(groups),
        "total_score": round(total, 2),
        "average_score": round(sum(g.score for g in groups) / len(groups), 2) if groups else 0.0,
        "max_score": outcome.rules.max_score,
        "upper_bound": round(bound, 2),
        "gap": round(objective.gap, 2),
        "of_upper_bound": round(100 * total / bound, 1) if bound else 100.0,
        "random_total_score": round(random_mean, 2),
        # None when random groups score nothing (nobody can be grouped at random).
        "times_random": round(total / random_mean, 2) if random_mean else None,
        "greedy_total_score": round(objective.greedy, 2),
        "score_above_greedy": round(total - objective.greedy, 2),
        "certified": objective.certified,
        # The first tier, as for pairs: those left out last round, and how many are placed.
        "waited": objective.waited,
        "waited_matched": objective.waited_matched,
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


def _group_reasons(group: Group) -> dict[str, list[dict]]:
    """Each member's reasons for their group as data, by participant key: the pages word
    them for each reader (the member, or HR)."""
    return {key: [reason.to_dict() for reason in reasons] for key, reasons in group.reasons.items()}


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
    for proposal in outcome.proposals:
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
            round=program.current_round,
            status=Pairing.Status.PROPOSED,
            source=Pairing.Source.PINNED if proposal.pinned else Pairing.Source.MATCHING,
            # Preference and history may lift a pair above the 100 points of fit: the
            # stored score is clamped as services.proposal_create clamps it.
            score=round(min(max(proposal.score, 0), 100), 2),
            breakdown=proposal.breakdown.as_dict(),
            reasons=_group_reasons(proposal)
            if outcome.is_group
            else _reasons(proposal, outcome.people, outcome.rules),
            match_run=match_run,
            proposed_at=now,
            expires_at=expires_at,
        )
        for proposal in outcome.proposals
    ]
    # Rows are built from the engine's validated answer and checked above; bulk inserts
    # keep publishing a programme of thousands to a handful of queries.
    Pairing.objects.bulk_create(pairings)
    members = [
        member
        for pairing, proposal in zip(pairings, outcome.proposals, strict=True)
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


def _run_item(outcome: MatchOutcome, proposal: Proposal | Group) -> dict:
    """One pair or group as a run keeps it; a pair's reasons are its criteria, a group's
    each member's reasons."""
    if outcome.is_group:
        why = {"reasons": _group_reasons(proposal)}
    else:
        found = criteria(proposal.breakdown, *_pair(proposal, outcome.people), outcome.rules)
        why = {"criteria": [c.to_dict() for c in found]}
    waited = [key for key in proposal.members if outcome.people[key].waited]
    return {
        "guide": proposal.guide,
        "members": list(proposal.members),
        "score": round(proposal.score, 2),
        "breakdown": proposal.breakdown.as_dict(),
        **why,
        "pinned": proposal.pinned,
        "waited": waited,
    }


def _run_result(outcome: MatchOutcome) -> dict:
    """What a run keeps: participant keys with their scores and breakdowns, so publishing
    writes exactly the pairs (or groups) HR reviewed, and the pages name people as they are
    today; and the reasons as data (each pair's criteria, each group member's reasons, why
    each unmatched person is left), which the page words for HR. ``kind`` says which the
    run made, should the programme's kind change before it is published."""
    result = outcome.result
    return {
        "kind": outcome.program.kind,
        "objective": result.objective.to_dict(),
        "totals": outcome_totals(outcome),
        "pairings": [_run_item(outcome, proposal) for proposal in outcome.proposals],
        "unmatched": [
            {"key": u.key, "why": [reason.to_dict() for reason in u.why]} for u in result.unmatched
        ],
        "spare_capacity": [{"key": key, "free": free} for key, free in result.spare_capacity],
    }


def match_run_execute(run_id: int) -> None:
    """Compute a queued run: running, progress, then done with its result (or failed).

    Claims the run with a conditional update, so a task delivered twice computes it once;
    the claim is a lease (programs.leases), so the task redelivered after its worker died
    computes it again.
    """
    claimable = leases.claimable(queued=MatchRun.Status.QUEUED, running=MatchRun.Status.RUNNING)
    claimed = MatchRun.objects.filter(claimable, pk=run_id).update(
        status=MatchRun.Status.RUNNING, progress=10, error="", claimed_at=timezone.now()
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
    refuse_situational(program)
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
    if program.is_group:
        raise MatchingError("This programme forms groups: pin a whole group.")
    pool = program_people(program)
    people = {p.key: p for p in pool.people}
    a, b = people.get(str(first)), people.get(str(second))
    if a is None or b is None:
        raise MatchingError("Both people must be active in this programme and not yet paired.")
    if not program.is_peer and (a.role, b.role) != (GUIDE, LEARNER):
        raise MatchingError("Pin a mentor to a mentee.")
    if frozenset((a.key, b.key)) in {frozenset(p) for p in never_again(program)}:
        raise MatchingError(
            f"{a.name} and {b.name} were proposed or paired before and may not be paired again."
        )
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
    if run.program.is_group:
        raise MatchingError("This programme forms groups: remove one person from a group.")
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


def _names(names: Sequence[str]) -> str:
    """ "Ana", "Ana and Ben", "Ana, Ben and Cy"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _group_refusal(broken: Sequence) -> str:
    """A group's broken rules in HR's words, each with its fix."""
    return "; ".join(for_hr(reason, "") for reason in broken)


@transaction.atomic
def match_run_pin_group(*, run: MatchRun, keys: Sequence[str], actor) -> MatchRun:
    """Keep a group in the run exactly as it is and re-solve around it.

    `keys` are the participant keys of everyone in it, the mentor included in group
    mentoring. Refused when someone is not available (withdrawn, paused, in a group that
    stays), a mentoring group has not exactly one mentor, the group breaks a hard rule
    today (its size, the level spread, a manager with their report, people grouped before,
    the mentor's gap), a member is already in a pinned group, or the mentor has no group
    left for another pin. Pinning lifts the removals between its members, as pinning a
    pair does.
    """
    run = _editable(run)
    program = run.program
    if not program.is_group:
        raise MatchingError("This programme forms pairs: pin a pair.")
    keys = list(dict.fromkeys(str(key) for key in keys))
    pool = program_people(program)
    people = {p.key: p for p in pool.people}
    chosen = [people.get(key) for key in keys]
    if not keys or None in chosen:
        raise MatchingError(
            "Everyone in the group must be active in this programme and not in a group that "
            "stays; run matching again."
        )
    guides = [p for p in chosen if p.role == GUIDE]
    if program.kind == GROUP_MENTORING and len(guides) != 1:
        raise MatchingError("A mentoring group needs exactly one mentor.")
    guide = guides[0] if guides else None
    members = [p for p in chosen if p.role != GUIDE]
    broken = group_violations(members, rules_for(program), grouped_pairs(program, pool), guide)
    if broken:
        raise MatchingError(f"This group cannot be pinned: {_group_refusal(broken)}.")
    pinned = {key for group in run.pins for key in group}
    for person in members:
        if person.key in pinned:
            raise MatchingError(f"{person.name} is already in a pinned group in this run.")
    if guide is not None and sum(guide.key in group for group in run.pins) >= guide.capacity:
        raise MatchingError(f"{guide.name} has no group left for another pinned group.")
    run.pins = [*run.pins, keys]
    run.removed = [pair for pair in run.removed if not set(pair) <= set(keys)]
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.PAIR_PINNED,
        summary=f"Pinned the group of {_names([p.name for p in chosen])} (run {run.pk})",
        detail={"run": run.pk, "group": keys},
    )
    return _rerun(run)


@transaction.atomic
def match_run_remove_member(*, run: MatchRun, group: Sequence[str], person: str, actor) -> MatchRun:
    """Take one person out of a proposed group and re-solve: in this run they are never
    grouped with any of its other members (the mentor included), and a pinned group that
    holds them with one of those is unpinned. `group` and `person` are participant keys."""
    run = _editable(run)
    program = run.program
    if not program.is_group:
        raise MatchingError("This programme forms pairs: remove a pair.")
    keys, person = list(dict.fromkeys(str(key) for key in group)), str(person)
    if person not in keys or len(keys) < 2:
        raise MatchingError("That person is not in this group.")
    participants = {
        str(p.pk): p
        for p in Participant.objects.filter(program=program, pk__in=keys).select_related("employee")
    }
    if len(participants) != len(keys):
        raise MatchingError("Everyone in the group must be a participant of this programme.")
    others = [key for key in keys if key != person]
    known = {frozenset(pair) for pair in run.removed}
    run.removed = [
        *run.removed,
        *([person, other] for other in others if frozenset((person, other)) not in known),
    ]
    run.pins = [pin for pin in run.pins if not (person in pin and set(pin) & set(others))]
    name = participants[person].employee.name
    rest = _names([participants[key].employee.name for key in others])
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.PAIR_REMOVED,
        summary=f"Removed {name} from the group with {rest} (run {run.pk})",
        detail={"run": run.pk, "person": person, "group": keys},
    )
    return _rerun(run)


def _reviewed_pair(item: dict, people: dict[str, Person], rules: Rules) -> Proposal:
    a, b = (people[key] for key in _item_keys(item))
    breakdown = score_pair(a, b, rules)
    if breakdown is None:
        raise MatchingError(
            f"{a.name} and {b.name} can no longer be paired under the programme's rules; "
            "run matching again."
        )
    return Proposal(
        item["guide"], tuple(item["members"]), breakdown.total, breakdown, item["pinned"]
    )


def _reviewed_group(
    item: dict, people: dict[str, Person], rules: Rules, excluded: set[Pair]
) -> Group:
    guide = people[item["guide"]] if item["guide"] else None
    members = [people[key] for key in item["members"]]
    broken = group_violations(members, rules, excluded, guide)
    if broken:
        everyone = _names([p.name for p in ([guide, *members] if guide else members)])
        raise MatchingError(
            f"The group of {everyone} can no longer be made ({_group_refusal(broken)}); run "
            "matching again."
        )
    return score_group(members, rules, guide, pinned=item["pinned"])


def _item_keys(item: dict) -> list[str]:
    return [item["guide"], *item["members"]] if item["guide"] else item["members"]


def _reviewed_outcome(run: MatchRun) -> MatchOutcome:
    """The outcome HR reviewed, rebuilt from the run's keys and today's people: each pair
    rescored, or each group checked against the rules again and rescored."""
    program = run.program
    if run.result.get("kind", program.kind) != program.kind:
        raise MatchingError("The programme's kind has changed since this run; run matching again.")
    rules = rules_for(program)
    pool = program_people(program)
    people = {p.key: p for p in pool.people}
    if program.is_group:
        excluded = grouped_pairs(program, pool) | set(_pairs(run.removed))
    proposals = []
    for item in run.result["pairings"]:
        if any(key not in people for key in _item_keys(item)):
            raise MatchingError(
                "Someone in this run has withdrawn, paused or been paired since; run matching "
                "again."
            )
        if program.is_group:
            proposals.append(_reviewed_group(item, people, rules, excluded))
        else:
            proposals.append(_reviewed_pair(item, people, rules))
    stored = run.result["objective"]
    if program.is_group:
        result = GroupResult(proposals, [], [], GroupObjective.from_dict(stored))
    else:
        result = MatchResult(proposals, [], [], Objective(**stored))
    return MatchOutcome(program=program, rules=rules, pool=pool, result=result, people=people)


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
