"""Reads for the people being paired: proposals, pairings, check-ins and candidates.

Every selector that returns someone's objects takes the viewer and filters by them, so a
URL naming another user's proposal or pairing is a 404 (never a leak). Each one loads what
its page needs in a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from pairing import rules
from pairing.matching import Breakdown, Person, Reason, explain, top_candidates
from pairing.matching.wording import for_person
from pairing.matchmaking.adapter import breakdown_for, keys_by_employee, person_for, rules_for
from pairing.models import CheckIn, Choice, Pairing, PairingMember, RatherNot
from pairing.situational.rules import may_offer_help
from programs.models import Participant, Program
from programs.permissions import is_hr_admin
from programs.selectors import programs_administered_by

# Check-ins due within this many days count as "to do" on the home page.
DUE_SOON_DAYS = 7
CANDIDATES_SHOWN = 5


def employee_of(user):
    """The viewer's Employee, or None (a superuser created without a profile has none)."""
    return getattr(user, "employee", None)


def reasons_for(*, pairing: Pairing, viewer: Participant, other: Participant) -> list[str]:
    """Why this pair was matched, in plain words addressed to ``viewer``.

    A guide has no goals of their own in the pairing, so the goal sentence (which speaks of
    "your goals") is left out for them; the page lists the learner's goals instead.
    """
    keys = keys_by_employee([viewer, other])
    return explain(
        breakdown_for(pairing.breakdown),
        person_for(other, key_of_employee=keys),
        person_for(viewer, key_of_employee=keys, goals=() if viewer.is_guide else None),
        rules_for(pairing.program),
    )


def group_reasons(*, pairing: Pairing, viewer_id: int) -> list[str]:
    """Why participant ``viewer_id`` is in this group, in their own words: a group's
    reasons are stored per member ({participant pk: [Reason dicts]})."""
    reasons = pairing.reasons
    stored = reasons.get(str(viewer_id), []) if isinstance(reasons, dict) else []
    return [for_person(Reason.from_dict(data)) for data in stored]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def group_summary(*, pairing: Pairing, members: list[PairingMember]) -> str:
    """The group in one line: who, at which levels, from how many departments, its fit."""
    guide = next((m for m in members if m.role == PairingMember.Role.GUIDE), None)
    learners = [m for m in members if m.role != PairingMember.Role.GUIDE]
    if not learners:
        return ""
    levels = sorted({m.participant.employee.level for m in learners})
    span = f"level {levels[0]}" if len(levels) == 1 else f"levels {levels[0]}-{levels[-1]}"
    departments = len({m.participant.employee.department for m in learners})
    if guide is not None:
        who = f"{guide.participant.employee.name} mentoring {_plural(len(learners), 'mentee')}"
    else:
        unit = "circle" if pairing.program.kind == Program.Kind.PEER_CIRCLES else "group"
        who = f"A {unit} of {len(learners)} peers"
    return (
        f"{who} at {span}, from {_plural(departments, 'department')}; "
        f"the group's fit is {pairing.score:.0f} of 100."
    )


def _in_it(member: PairingMember) -> bool:
    """A group member shown as one: in it now, or accepted (an ended group's members)."""
    return rules.in_group(member) or member.response == PairingMember.Response.ACCEPTED


# --- Proposals ---------------------------------------------------------------------------


def _members_prefetch() -> Prefetch:
    return Prefetch(
        "pairing__members",
        queryset=PairingMember.objects.select_related("participant__employee").prefetch_related(
            "participant__goals", "participant__expertise"
        ),
    )


@dataclass
class ProposalItem:
    """One proposal as the viewer sees it: their own member row, the others, and why."""

    member: PairingMember
    others: list[PairingMember]
    reasons: list[str]
    covered: set[int]  # ids of the learner's goals that the viewer (a guide) offers

    @property
    def pairing(self) -> Pairing:
        return self.member.pairing

    @property
    def can_answer(self) -> bool:
        """Whether the viewer may still accept or decline: an open proposal, or a group
        that started without them and still waits for their answer."""
        member, pairing = self.member, self.member.pairing
        if member.response != PairingMember.Response.PENDING or not member.live:
            return False
        if pairing.program.is_group:
            return pairing.status in Pairing.LIVE_STATUSES
        return pairing.status == Pairing.Status.PROPOSED


def _proposal_item(member: PairingMember) -> ProposalItem:
    pairing = member.pairing
    members = list(pairing.members.all())
    me = next(m for m in members if m.pk == member.pk).participant
    if pairing.program.is_group:
        others = [m for m in members if m.pk != member.pk and _in_it(m)]
        reasons = group_reasons(pairing=pairing, viewer_id=me.pk)
    else:
        others = [m for m in members if m.pk != member.pk]
        reasons = reasons_for(pairing=pairing, viewer=me, other=others[0].participant)
    offered = {t.pk for t in me.expertise.all()}
    covered = {t.pk for m in others for t in m.participant.goals.all() if t.pk in offered}
    return ProposalItem(member=member, others=others, reasons=reasons, covered=covered)


def _awaiting(*, user):
    """The user's members of open proposals that still need their answer."""
    return PairingMember.objects.filter(rules.awaiting_answer(), participant__employee__user=user)


def proposals_awaiting(*, user) -> list[ProposalItem]:
    """Open proposals waiting for this user's answer, oldest first (they expire first)."""
    members = (
        _awaiting(user=user)
        .select_related("pairing__program", "participant")
        .prefetch_related(_members_prefetch())
        .order_by("pairing__proposed_at", "pk")
    )
    return [_proposal_item(m) for m in members]


def landing_path(*, user) -> str:
    """Where someone goes once signed in: an HR admin to their cockpit (their own home
    stays a click away in the navbar); anyone else to the proposal waiting for their
    answer, the inbox when several wait, else the home page."""
    if is_hr_admin(user):
        return reverse("hr:cockpit")
    waiting = list(_awaiting(user=user).values_list("pairing_id", flat=True)[:2])
    if len(waiting) == 1:
        return reverse("pairing:proposal_detail", args=[waiting[0]])
    if waiting:
        return reverse("pairing:proposal_list")
    return reverse("home")


def proposals_awaiting_count(*, user) -> int:
    return _awaiting(user=user).count()


def proposal_get(*, user, pk: int) -> ProposalItem:
    """The viewer's own side of pairing ``pk`` (any status); 404 if they are not in it."""
    member = (
        PairingMember.objects.filter(participant__employee__user=user, pairing_id=pk)
        .select_related("pairing__program", "participant")
        .prefetch_related(_members_prefetch())
        .first()
    )
    if member is None:
        raise Http404("No such proposal.")
    return _proposal_item(member)


def member_for_user(*, user, pairing_pk: int) -> PairingMember:
    """The viewer's member row in a pairing, for the services; 404 if they are not in it."""
    member = (
        PairingMember.objects.filter(participant__employee__user=user, pairing_id=pairing_pk)
        .select_related("pairing__program", "participant__employee")
        .first()
    )
    if member is None:
        raise Http404("No such pairing.")
    return member


# --- Pairings ----------------------------------------------------------------------------


def pairings_for_user(*, user):
    """Every pairing the viewer is a member of, newest first, with members and programme;
    of the groups, those they are (or were) in: not one they declined or never answered."""
    mine = PairingMember.objects.filter(pairing=OuterRef("pk"), participant__employee__user=user)
    in_it = Q(response=PairingMember.Response.ACCEPTED) | (
        Q(live=True) & ~Q(response=PairingMember.Response.DECLINED)
    )
    return (
        Pairing.objects.filter(
            Exists(mine.filter(in_it)) | (Exists(mine) & ~Q(program__kind__in=Program.GROUP_KINDS))
        )
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=PairingMember.objects.select_related("participant__employee"),
            )
        )
        .order_by("-proposed_at", "-pk")
    )


@dataclass
class PairingView:
    pairing: Pairing
    me: PairingMember | None  # None when an HR admin of the programme looks on
    members: list[PairingMember]
    checkins: list[CheckIn]
    reasons: list[str]
    summary: str = ""  # a group's, in one line
    next_presenter: PairingMember | None = None  # a co-development group's

    @property
    def joined(self) -> list[PairingMember]:
        """The members who are in it and have accepted: those who meet."""
        return [
            m
            for m in self.members
            if rules.in_group(m) and m.response == PairingMember.Response.ACCEPTED
        ]

    @property
    def can_act(self) -> bool:
        return (
            self.me is not None
            and self.pairing.status == Pairing.Status.ACTIVE
            and self.me in self.joined
        )


def pairing_get(*, user, pk: int) -> PairingView:
    """A pairing for its members, or read-only for those who administer its programme
    (programs_administered_by: an admin out of the HR admins group sees it no more); else 404.

    Private notes of check-ins are blanked here unless the viewer wrote them, so no
    template can show someone else's note by mistake.
    """
    pairings = Pairing.objects.filter(pk=pk)
    if not user.is_superuser:
        pairings = pairings.filter(
            Q(members__participant__employee__user=user)
            | Q(program__in=programs_administered_by(user=user))
        ).distinct()
    pairing = (
        pairings.select_related("program")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=PairingMember.objects.select_related(
                    "participant__employee"
                ).prefetch_related("participant__goals", "participant__expertise"),
            ),
            Prefetch(
                "checkins",
                queryset=CheckIn.objects.select_related(
                    "logged_by__employee", "case_session__presenter__employee"
                ),
            ),
        )
        .first()
    )
    if pairing is None:
        raise Http404("No such pairing.")
    members = list(pairing.members.all())
    me = next((m for m in members if m.participant.employee.user_id == user.pk), None)
    checkins = list(pairing.checkins.all())
    for checkin in checkins:
        if me is None or checkin.logged_by_id != me.participant_id:
            checkin.private_note = ""
    if pairing.program.is_group:
        return _group_view(user=user, pairing=pairing, members=members, me=me, checkins=checkins)
    reasons: list[str] = []
    if me is not None and len(members) > 1:
        other = next(m for m in members if m.pk != me.pk)
        reasons = reasons_for(pairing=pairing, viewer=me.participant, other=other.participant)
    return PairingView(pairing=pairing, me=me, members=members, checkins=checkins, reasons=reasons)


def case_of(checkin: CheckIn):
    """The check-in's CaseSession, or None (a session of a pair or of a circle)."""
    return getattr(checkin, "case_session", None)


def _group_view(*, user, pairing: Pairing, members, me, checkins) -> PairingView:
    """The group page: only those in the group (and, read only, the programme's admins);
    whoever declined or never answered sees it no more."""
    if me is not None and not _in_it(me):
        me = None
        administers = programs_administered_by(user=user).filter(pk=pairing.program_id)
        if not user.is_superuser and not administers.exists():
            raise Http404("No such pairing.")
    members = [m for m in members if _in_it(m)]
    prefetch_related_objects(
        checkins, Prefetch("attended", queryset=Participant.objects.select_related("employee"))
    )
    view = PairingView(
        pairing=pairing,
        me=me,
        members=members,
        checkins=checkins,
        reasons=group_reasons(pairing=pairing, viewer_id=me.participant_id) if me else [],
        summary=group_summary(pairing=pairing, members=members),
    )
    if pairing.program.is_co_development:
        view.next_presenter = rules.next_presenter(
            members=members,
            presented=[
                (case.presenter_id, c.held_on) for c in checkins if (case := case_of(c)) is not None
            ],
        )
    return view


# --- Home --------------------------------------------------------------------------------


@dataclass
class Home:
    awaiting: list[ProposalItem]
    waiting_on_others: list[Pairing]
    due: list[Pairing]
    active: list[Pairing]
    open_programs: list[Program]
    choose_in: list[Participant]  # self-select enrolments with no live request yet
    join_rounds: list[Participant]  # enrolments whose programme started a round they are not in
    preferences_in: list[Participant]  # HR-run pair programmes waiting for their next run
    # Situational programmes the person is in: (enrolment, whether they may offer help).
    situational: list[tuple[Participant, bool]] = field(default_factory=list)


def home_for(*, user, today: date | None = None) -> Home:
    """What the viewer needs to do: answer proposals, hold check-ins, see their pairings."""
    today = today or timezone.localdate()
    awaiting = proposals_awaiting(user=user)
    live = list(
        pairings_for_user(user=user).filter(status__in=Pairing.LIVE_STATUSES).order_by("pk")
    )
    awaiting_ids = {item.pairing.pk for item in awaiting}
    waiting = [p for p in live if p.status == Pairing.Status.PROPOSED and p.pk not in awaiting_ids]
    current = [p for p in live if p.status != Pairing.Status.PROPOSED]
    soon = today + timedelta(days=DUE_SOON_DAYS)
    due = sorted(
        (
            p
            for p in current
            if p.status == Pairing.Status.ACTIVE
            and p.next_checkin_due is not None
            and p.next_checkin_due <= soon
        ),
        key=lambda p: p.next_checkin_due,
    )
    employee = employee_of(user)
    open_programs = Program.objects.open_for_enrolment(today)
    if employee is not None:
        # A programme they left is open to them again.
        enrolled = Participant.objects.filter(employee=employee, withdrawn_at__isnull=True)
        open_programs = open_programs.exclude(pk__in=enrolled.values("program_id"))
    choose_in: list[Participant] = []
    join_rounds: list[Participant] = []
    preferences_in: list[Participant] = []
    if employee is not None:
        live_member = PairingMember.objects.filter(rules.HELD, participant=OuterRef("pk"))
        choose_in = list(
            Participant.objects.in_current_round()
            .filter(
                employee=employee,
                program__matching_mode=Program.MatchingMode.SELF_SELECT,
                role__in=[Participant.Role.MENTEE, Participant.Role.PEER],
                withdrawn_at__isnull=True,
            )
            .exclude(program__status=Program.Status.CLOSED)
            .exclude(Exists(live_member))
            .select_related("program")
        )
        preferences_in = list(
            Participant.objects.in_current_round()
            .filter(
                employee=employee,
                withdrawn_at__isnull=True,
                program__matching_mode=Program.MatchingMode.ADMIN,
            )
            .exclude(program__kind__in=Program.GROUP_KINDS)
            .exclude(program__status=Program.Status.CLOSED)
            # A mentee or peer with a partner has nothing to rank; a mentor with one mentee
            # may still be proposed more.
            .exclude(Q(Exists(live_member)) & ~Q(role=Participant.Role.MENTOR))
            .select_related("program")
        )
        join_rounds = list(
            Participant.objects.filter(
                employee=employee, withdrawn_at__isnull=True, round__lt=F("program__current_round")
            )
            .exclude(program__status=Program.Status.CLOSED)
            .select_related("program")
        )
    situational = []
    if employee is not None:
        situational = [
            (participant, may_offer_help(participant))
            for participant in Participant.objects.filter(
                employee=employee,
                withdrawn_at__isnull=True,
                program__kind=Program.Kind.SITUATIONAL,
            )
            .exclude(program__status=Program.Status.CLOSED)
            .select_related("program")
        ]
    return Home(
        awaiting=awaiting,
        waiting_on_others=waiting,
        due=due,
        active=current,
        open_programs=list(open_programs.order_by("name")),
        choose_in=choose_in,
        join_rounds=join_rounds,
        preferences_in=preferences_in,
        situational=situational,
    )


# --- Self-select candidates --------------------------------------------------------------


@dataclass
class Candidate:
    participant: Participant
    breakdown: Breakdown
    reasons: list[str]
    free: int

    @property
    def score(self) -> float:
        return round(self.breakdown.total, 1)


def candidates_for(
    *, participant: Participant, k: int = CANDIDATES_SHOWN, avoid: Collection[int] = ()
) -> list[Candidate]:
    """The ``k`` best partners for a mentee (mentors with a free place) or a peer (peers
    not in a pairing), scored by the programme's rules, best first.

    Paused or withdrawn people are left out, and so is anyone this person was already
    declined with or partnered before (rules.never_again_pairs), is in a live proposal or
    request with, or in ``avoid`` (participant ids). ``participant`` needs its employee,
    goals and expertise loaded.

    A fair share: someone is offered only while rules.request_places is above 0, i.e.
    while the proposals waiting for their answer are fewer than their free places (a
    mentor's capacity less their agreed pairings; 1 for an unpaired peer) and, in a
    self-select programme, fewer than its max_requests_per_mentor. A mentor with 1 free
    place and 1 request waiting is shown to nobody else; with 2 free places and 1 waiting,
    to everyone, until a second learner asks. ``free`` is those places still open.
    """
    program = participant.program
    today = timezone.localdate()
    in_live_with_me = PairingMember.objects.filter(
        pairing__in=PairingMember.objects.filter(participant=participant, live=True).values(
            "pairing_id"
        )
    ).values("participant_id")
    owed = (
        PairingMember.objects.filter(rules.ANSWER_OWED, participant=OuterRef("pk"))
        .order_by()
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pool = (
        Participant.objects.active(today)
        .filter(program=program)
        .exclude(pk=participant.pk)
        .exclude(pk__in=rules.barred_partner_ids(participant))
        .exclude(pk__in=in_live_with_me)
        .exclude(pk__in=avoid)
        .select_related("employee", "program")
        .prefetch_related("goals", "expertise")
        .annotate(waiting=Coalesce(Subquery(owed), 0))
    )
    if program.is_peer:
        held = PairingMember.objects.filter(rules.HELD, participant=OuterRef("pk"))
        pool = pool.filter(role=Participant.Role.PEER).exclude(Exists(held))
    else:
        pool = rules.with_guide_load(pool.filter(role=Participant.Role.MENTOR))
    self_select = program.matching_mode == Program.MatchingMode.SELF_SELECT
    offered = []
    for other in pool:
        free = 1 if program.is_peer else other.effective_capacity - other.load
        places = rules.request_places(
            free=free,
            waiting=other.waiting,
            cap=program.max_requests_per_mentor if self_select else free,
        )
        if places > 0:
            offered.append((other, places))
    return _ranked(participant, offered, k=k)


def _ranked(
    participant: Participant, offered: list[tuple[Participant, int]], *, k: int
) -> list[Candidate]:
    """The ``k`` best of ``offered`` (each with the places they have) for ``participant``
    under the programme's rules, best first, with the reasons in a learner's words."""
    program = participant.program
    keys = keys_by_employee([participant, *(other for other, _ in offered)])
    by_key: dict[str, tuple[Participant, int]] = {}
    people: list[Person] = []
    for other, places in offered:
        person = person_for(other, key_of_employee=keys, capacity=places)
        by_key[person.key] = (other, places)
        people.append(person)
    me = person_for(participant, key_of_employee=keys, capacity=1)
    scoring = rules_for(program)
    found = []
    for person, breakdown in top_candidates(me, people, scoring, k=k):
        other, free = by_key[person.key]
        found.append(
            Candidate(
                participant=other,
                breakdown=breakdown,
                # A mentor reads the mentee's goals instead: the reasons speak to a learner.
                reasons=[] if participant.is_guide else explain(breakdown, person, me, scoring),
                free=free,
            )
        )
    return found


# Learners a mentor sees to mark "rather not": the ones matching could most likely propose.
LEARNERS_SHOWN = 10


def learners_for(*, guide: Participant, k: int = LEARNERS_SHOWN) -> list[Candidate]:
    """The ``k`` mentees an HR-run matching would most likely propose to ``guide``: active,
    in no live pairing, never barred with them, best first (``guide`` needs its employee,
    goals and expertise loaded)."""
    live = PairingMember.objects.filter(participant=OuterRef("pk"), live=True)
    pool = (
        Participant.objects.active()
        .filter(program=guide.program, role=Participant.Role.MENTEE)
        .exclude(Exists(live))
        .exclude(pk__in=rules.barred_partner_ids(guide))
        .select_related("employee", "program")
        .prefetch_related("goals", "expertise")
    )
    return _ranked(guide, [(learner, 1) for learner in pool], k=k)


def learner_participant_get(*, user, slug: str) -> Participant:
    """The viewer's own mentee or peer enrolment in a self-select programme; 404 otherwise.
    In an HR-run programme the candidates (other people's profiles, mentors' free places)
    are HR's to see, and asking one of them is refused anyway."""
    participant = (
        Participant.objects.filter(
            program__slug=slug,
            program__matching_mode=Program.MatchingMode.SELF_SELECT,
            employee__user=user,
            role__in=[Participant.Role.MENTEE, Participant.Role.PEER],
            withdrawn_at__isnull=True,
            round=F("program__current_round"),
        )
        .select_related("program", "employee")
        .prefetch_related("goals", "expertise")
        .first()
    )
    if participant is None:
        raise Http404("You are not looking for support in this programme.")
    return participant


def preferences_participant_get(*, user, slug: str) -> Participant:
    """The viewer's own enrolment, in the current round, of an HR-run pair programme (where
    preferences weigh in matching: Program.weight_preference); 404 otherwise."""
    participant = (
        Participant.objects.in_current_round()
        .filter(
            program__slug=slug,
            program__matching_mode=Program.MatchingMode.ADMIN,
            employee__user=user,
            withdrawn_at__isnull=True,
        )
        # Groups are formed from everyone at once; a situational programme books sessions.
        .exclude(program__kind__in=[*Program.GROUP_KINDS, Program.Kind.SITUATIONAL])
        .exclude(program__status=Program.Status.CLOSED)
        .select_related("program", "employee")
        .prefetch_related("goals", "expertise")
        .first()
    )
    if participant is None:
        raise Http404("There are no preferences to give in this programme.")
    return participant


def choice_ids(*, learner: Participant) -> list[int]:
    """The candidates the learner ranked, first choice first."""
    return list(
        Choice.objects.filter(chooser=learner)
        .order_by("rank")
        .values_list("candidate_id", flat=True)
    )


def rather_not_ids(*, guide: Participant) -> list[int]:
    return list(RatherNot.objects.filter(guide=guide).values_list("learner_id", flat=True))


def enrolment_get(*, user, slug: str) -> Participant:
    """The viewer's own enrolment in the programme (any role); 404 otherwise."""
    participant = (
        Participant.objects.filter(program__slug=slug, employee__user=user, withdrawn_at=None)
        .select_related("program", "employee")
        .first()
    )
    if participant is None:
        raise Http404("You are not enrolled in this programme.")
    return participant


def live_membership(*, participant: Participant) -> PairingMember | None:
    """The participant's agreed pairing or HR's proposal (not a waiting request), if any."""
    return (
        PairingMember.objects.filter(rules.HELD, participant=participant)
        .select_related("pairing")
        .first()
    )


@dataclass
class Requests:
    """A self-select learner's waiting requests and how many more they may make."""

    waiting: list[PairingMember]
    cap: int

    @property
    def asked(self) -> int:
        return len(self.waiting)

    @property
    def full(self) -> bool:
        return self.asked >= self.cap


def requests_of(*, participant: Participant) -> Requests:
    """The requests ``participant`` made that wait for an answer, oldest first, each with
    ``partners`` (the others' names), and the programme's cap. Two queries."""
    waiting = list(
        PairingMember.objects.filter(rules.REQUEST_MADE, participant=participant)
        .select_related("pairing")
        .prefetch_related(
            Prefetch(
                "pairing__members",
                queryset=PairingMember.objects.exclude(participant=participant).select_related(
                    "participant__employee"
                ),
                to_attr="others",
            )
        )
        .order_by("pairing__proposed_at", "pk")
    )
    for seat in waiting:
        seat.partners = ", ".join(m.participant.employee.name for m in seat.pairing.others)
    return Requests(waiting=waiting, cap=participant.program.max_requests_per_mentee)


# --- rounds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundFigures:
    """What a round made, for HR's history of rounds (programs.models.Round.summary)."""

    people: int  # mentees and peers in it
    matched: int  # of them, had a partner
    waited: int  # of them, left without one in the round before: matching serves them first
    served_first: int  # of those, had a partner
    repeats: int  # pairs made in it who had been partners in an earlier round

    def as_dict(self) -> dict[str, int]:
        return {
            "people": self.people,
            "matched": self.matched,
            "waited": self.waited,
            "served_first": self.served_first,
            "repeats": self.repeats,
        }


def round_figures(*, program: Program, number: int) -> RoundFigures:
    """Round ``number``'s figures as they stand (see rules.in_round). Two queries."""
    had = rules.had_partner_in_round(number)
    counts = rules.in_round(program=program, number=number).aggregate(
        people=Count("pk"),
        matched=Count("pk", filter=had),
        waited=Count("pk", filter=Q(rounds_waited__gt=0)),
        served_first=Count("pk", filter=had & Q(rounds_waited__gt=0)),
    )
    partners = defaultdict(list)
    for pairing_id, round_number, participant_id in PairingMember.objects.filter(
        pairing__program=program,
        pairing__round__lte=number,
        pairing__status__in=(*rules.AGREED_STATUSES, Pairing.Status.ENDED),
    ).values_list("pairing_id", "pairing__round", "participant_id"):
        partners[(pairing_id, round_number)].append(participant_id)
    before, now = set(), set()
    for (_, round_number), ids in partners.items():
        pairs = {frozenset((a, b)) for i, a in enumerate(ids) for b in ids[i + 1 :]}
        (now if round_number == number else before).update(pairs)
    return RoundFigures(**counts, repeats=len(now & before))
