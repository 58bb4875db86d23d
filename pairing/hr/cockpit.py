"""Reads for HR's cockpit: every programme the viewer administers, its stage, its next
step and its to-do list, counted in SQL.

The number of queries is fixed whatever the number of programmes and participants: one
query lists the programmes (with their latest matching runs), and each count is one
aggregate grouped by programme. Definitions:
- waiting: proposals nobody has finished answering; their people are the members who
  have not answered, "to nudge" those not nudged today;
- lapsing soon: waiting proposals that expire within schedule.LAPSING_SOON_DAYS;
- unmatched: mentees (or peers) enrolled, not paused, still in the organisation and in
  no live pairing (proposed, accepted or active);
- stalled: active pairings whose next check-in fell due more than a cadence ago
  (schedule.stalled_due_before: no check-in for schedule.STALLED_CADENCES cadences);
- never signed in: enrolled people with a login they have never used.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, FilteredRelation, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from pairing import rules, schedule
from pairing.models import MatchRun, Pairing, PairingMember
from programs.models import Participant, Program
from programs.selectors import programs_administered_by

# Stalled pairings listed by name on each programme's card; the count covers them all.
STALLED_SHOWN = 5
OPEN_RUN_STATUSES = (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING, MatchRun.Status.DONE)
# Runs whose page explains who was left unmatched, and why.
REVIEWED_RUN_STATUSES = (MatchRun.Status.DONE, MatchRun.Status.PUBLISHED)


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str


@dataclass
class StalledPairing:
    pairing: Pairing
    names: str
    due_since: date


@dataclass
class ProgrammeCard:
    """One programme on the cockpit: its stage, next step and to-do counts."""

    program: Program
    stage: rules.Stage = rules.Stage.ENROLLING
    next_step: NextStep | None = None
    participants: int = 0
    agreed: int = 0
    waiting: int = 0
    waiting_people: int = 0
    waiting_to_nudge: int = 0
    lapsing: int = 0
    lapsing_to_nudge: int = 0
    unmatched: int = 0
    never_signed_in: int = 0
    stalled_count: int = 0
    stalled: list[StalledPairing] = field(default_factory=list)

    @property
    def run_open(self) -> bool:
        return self.program.last_run_status in OPEN_RUN_STATUSES

    @property
    def todo_count(self) -> int:
        """How many things ask for HR: each non-empty to-do item counts once."""
        items = (self.waiting, self.lapsing, self.stalled_count, self.never_signed_in)
        return sum(1 for n in items if n) + (1 if self.shows_unmatched else 0)

    @property
    def shows_unmatched(self) -> bool:
        # Before the first matching everybody is unmatched: that is not a to-do yet.
        # A situational programme's askers are never matched: they book sessions.
        return (
            bool(self.unmatched)
            and self.stage != rules.Stage.ENROLLING
            and not self.program.is_situational
        )

    @property
    def why_unmatched_url(self) -> str:
        """The latest run's page, which gives each unmatched person's reasons, or the
        participants table filtered to the unmatched when no run has been made."""
        if self.program.review_run_id:
            return reverse("hr:matchrun_detail", args=[self.program.review_run_id])
        return (
            reverse("hr:participant_table", args=[self.program.slug])
            + f"?matched=no&role={self.program.learner_role}"
        )


def _by_program(rows, key: str = "program_id") -> dict[int, dict]:
    return {row.pop(key): row for row in rows}


def _next_step(card: ProgrammeCard) -> NextStep:
    """The one thing to do next, by stage (see rules.program_stage)."""
    program = card.program
    slug = program.slug
    anchor = reverse("hr:cockpit") + f"#todo-{slug}"
    if program.is_situational:
        # Never matched: its people book sessions; HR brings in helpers and askers.
        if not card.participants:
            return NextStep("Add participants", reverse("hr:participant_import", args=[slug]))
        return NextStep(
            "See the requests and sessions", reverse("hr:situational_dashboard", args=[slug])
        )
    if program.last_run_status in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING):
        return NextStep(
            "Follow the matching run", reverse("hr:matchrun_detail", args=[program.last_run_id])
        )
    if program.last_run_status == MatchRun.Status.DONE:
        return NextStep(
            "Review and publish the proposals",
            reverse("hr:matchrun_detail", args=[program.last_run_id]),
        )
    if card.stage == rules.Stage.CLOSING:
        return NextStep("See how it went", reverse("hr:dashboard", args=[slug]))
    if card.stage == rules.Stage.ENROLLING:
        if not card.participants:
            return NextStep("Add participants", reverse("hr:participant_import", args=[slug]))
        return NextStep("Run matching", reverse("hr:matchrun_create", args=[slug]))
    if card.stage == rules.Stage.MATCHING:
        return NextStep("Chase the unanswered proposals", anchor)
    if card.stalled_count:
        return NextStep("Follow up the stalled pairings", anchor)
    if card.unmatched and not card.waiting:
        return NextStep(
            "Match the people still waiting", reverse("hr:matchrun_create", args=[slug])
        )
    return NextStep("See the programme's health", reverse("hr:dashboard", args=[slug]))


def _latest_run(statuses, field_name: str = "pk") -> Subquery:
    runs = MatchRun.objects.filter(program=OuterRef("pk"))
    if statuses:
        runs = runs.filter(status__in=statuses)
    return Subquery(runs.order_by("-created_at", "-pk").values(field_name)[:1])


def _stalled(programs: list[Program], *, today: date) -> dict[int, tuple[int, list[int]]]:
    """Programme id -> (stalled count, the first STALLED_SHOWN pairing ids, longest
    overdue first). One query: each programme has its own cadence, so its own cutoff."""
    cutoffs = Q()
    for program in programs:
        before = schedule.stalled_due_before(today=today, cadence_days=program.checkin_cadence_days)
        cutoffs |= Q(program_id=program.pk, next_checkin_due__lt=before)
    found: dict[int, tuple[int, list[int]]] = {}
    if not programs:
        return found
    rows = (
        Pairing.objects.filter(cutoffs, status=Pairing.Status.ACTIVE)
        .order_by("next_checkin_due", "pk")
        .values_list("program_id", "pk")
    )
    counts: dict[int, int] = defaultdict(int)
    shown: dict[int, list[int]] = defaultdict(list)
    for program_id, pk in rows:
        counts[program_id] += 1
        if len(shown[program_id]) < STALLED_SHOWN:
            shown[program_id].append(pk)
    return {pk: (counts[pk], shown[pk]) for pk in counts}


def cockpit_for(
    *, user, today: date | None = None, now: datetime | None = None
) -> list[ProgrammeCard]:
    """Every programme ``user`` administers (see programs_administered_by), by name, as a
    card with its stage, next step and to-do counts."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    programs = list(
        programs_administered_by(user=user)
        .annotate(
            last_run_id=_latest_run(()),
            last_run_status=_latest_run((), "status"),
            review_run_id=_latest_run(REVIEWED_RUN_STATUSES),
        )
        .order_by("name", "pk")
    )
    if not programs:
        return []
    ids = [p.pk for p in programs]
    soon = schedule.lapsing_soon_by(now)
    proposed = Q(status=Pairing.Status.PROPOSED)
    pairings = _by_program(
        Pairing.objects.filter(program_id__in=ids)
        .order_by()
        .values("program_id")
        .annotate(
            agreed=Count("pk", filter=Q(status__in=rules.AGREED_STATUSES)),
            waiting=Count("pk", filter=proposed),
            lapsing=Count("pk", filter=proposed & Q(expires_at__lt=soon)),
        )
    )
    to_nudge = Q(nudged_on=None) | Q(nudged_on__lt=today)
    pending = _by_program(
        PairingMember.objects.filter(
            pairing__program_id__in=ids,
            pairing__status=Pairing.Status.PROPOSED,
            response=PairingMember.Response.PENDING,
        )
        .order_by()
        .values("pairing__program_id")
        .annotate(
            people=Count("pk"),
            to_nudge=Count("pk", filter=to_nudge),
            lapsing_to_nudge=Count("pk", filter=to_nudge & Q(pairing__expires_at__lt=soon)),
        ),
        key="pairing__program_id",
    )
    # Joined to their live membership as a mentee or peer, of which they have at most one
    # (a database constraint), so the join never multiplies rows; a mentor's live
    # memberships (one per person they guide) are left out of the join for that reason.
    learner = Q(
        role__in=(Participant.Role.MENTEE, Participant.Role.PEER),
        employee__user__is_active=True,
    ) & (Q(paused_until=None) | Q(paused_until__lte=today))
    people = _by_program(
        Participant.objects.filter(program_id__in=ids, withdrawn_at=None)
        .annotate(
            live_membership=FilteredRelation(
                "memberships",
                # Waiting self-select requests are left out: a learner may hold several.
                condition=Q(memberships__live=True, memberships__waiting_request=False)
                & ~Q(memberships__role=PairingMember.Role.GUIDE),
            )
        )
        .order_by()
        .values("program_id")
        .annotate(
            enrolled=Count("pk"),
            learners=Count("pk", filter=learner),
            matched=Count("live_membership", filter=learner),
            never=Count(
                "pk",
                filter=Q(employee__user__last_login=None, employee__user__is_active=True),
            ),
        )
    )
    stalled = _stalled(programs, today=today)
    shown_ids = [pk for _count, shown in stalled.values() for pk in shown]
    shown_pairings = {
        p.pk: p
        for p in Pairing.objects.filter(pk__in=shown_ids).prefetch_related(
            Prefetch(
                "members",
                queryset=PairingMember.objects.select_related("participant__employee"),
            )
        )
    }
    cards = []
    for program in programs:
        counts = pairings.get(program.pk, {})
        waiting = pending.get(program.pk, {})
        enrolled = people.get(program.pk, {})
        stalled_count, shown = stalled.get(program.pk, (0, []))
        card = ProgrammeCard(
            program=program,
            participants=enrolled.get("enrolled", 0),
            agreed=counts.get("agreed", 0),
            waiting=counts.get("waiting", 0),
            waiting_people=waiting.get("people", 0),
            waiting_to_nudge=waiting.get("to_nudge", 0),
            lapsing=counts.get("lapsing", 0),
            lapsing_to_nudge=waiting.get("lapsing_to_nudge", 0),
            unmatched=enrolled.get("learners", 0) - enrolled.get("matched", 0),
            never_signed_in=enrolled.get("never", 0),
            stalled_count=stalled_count,
            stalled=[
                StalledPairing(
                    pairing=shown_pairings[pk],
                    names=" and ".join(
                        m.participant.employee.name for m in shown_pairings[pk].members.all()
                    ),
                    due_since=shown_pairings[pk].next_checkin_due,
                )
                for pk in shown
            ],
        )
        card.stage = rules.program_stage(
            program=program,
            today=today,
            agreed=card.agreed,
            waiting=card.waiting,
            run_open=card.run_open,
        )
        card.next_step = _next_step(card)
        cards.append(card)
    return cards


def pairing_for_admin(*, program: Program, pk: int) -> Pairing:
    """A pairing of ``program`` (already checked to be the viewer's) with its members and
    their people, for the end-pairing page; 404 for any other programme's."""
    return get_object_or_404(
        Pairing.objects.filter(program=program).prefetch_related(
            Prefetch(
                "members",
                queryset=PairingMember.objects.select_related("participant__employee"),
            )
        ),
        pk=pk,
    )
