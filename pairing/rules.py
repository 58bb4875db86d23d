"""The pairing rules every layer shares, each written once: when a programme's kind is
fixed, what stage a programme is in, who answers a new proposal, how full a guide is,
which closings are a verdict on the pair and which pairs are never proposed again, when
a group can start and who presents next in a co-development group.

The services, the selectors, matching runs, the demo and the test factories all come here,
so changing a rule changes it everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from pairing.matchmaking.adapter import rules_for
from pairing.models import Pairing, PairingMember
from programs.models import Participant, Program

Role, Response = PairingMember.Role, PairingMember.Response

# --- a programme's kind ---------------------------------------------------------------


def program_kind_locked(*, program: Program) -> bool:
    """Whether the programme's kind is fixed: it has pairings, whose roles and check-ins
    were made for that kind."""
    return Pairing.objects.filter(program=program).exists()


# --- a programme's stage --------------------------------------------------------------


class Stage(models.TextChoices):
    ENROLLING = "enrolling", "Enrolling"
    MATCHING = "matching", "Matching"
    RUNNING = "running", "Running"
    CLOSING = "closing", "Closing"


# A programme this close to its end date is closing: time to read how it went.
CLOSING_DAYS = 30


def program_stage(
    *, program: Program, today: date, agreed: int, waiting: int, run_open: bool
) -> Stage:
    """Where a programme is, read from what has happened rather than from its status
    switch (which only opens and closes enrolment). The first that holds:

    - closing: it is closed, or its end date is CLOSING_DAYS away or nearer (or past);
    - running: at least one pairing is agreed (``agreed``: accepted or active);
    - matching: proposals wait for answers (``waiting``), or a matching run is queued,
      running or waiting for HR's review (``run_open``);
    - enrolling: anything else: people are being brought in, nobody is matched yet.
    """
    if program.status == Program.Status.CLOSED or (
        program.ends_on is not None and program.ends_on <= today + timedelta(days=CLOSING_DAYS)
    ):
        return Stage.CLOSING
    if agreed:
        return Stage.RUNNING
    if waiting or run_open:
        return Stage.MATCHING
    return Stage.ENROLLING


# --- who answers a proposal ------------------------------------------------------------

# A mentor answers for themself, and so does each peer. A mentee asked for support, so
# their side of a proposal starts accepted.
ANSWERING_ROLES = (Role.GUIDE, Role.PEER)


def answering_roles(program: Program) -> tuple[str, ...]:
    """The roles whose members answer a new proposal themselves: ANSWERING_ROLES, and in
    a group everyone (see proposal_members)."""
    return (Role.GUIDE, Role.LEARNER, Role.PEER) if program.is_group else ANSWERING_ROLES


def proposal_members(
    pairing: Pairing,
    *,
    guide_id: int | None,
    member_ids: Sequence[int],
    at: datetime,
    chosen_by: int | None = None,
    request: bool = False,
) -> list[PairingMember]:
    """The (unsaved) members of a new proposal, in the engine's shape: a guide and their
    learners, or peers when ``guide_id`` is None. Whoever must answer starts pending; the
    learner, and a peer who chose this partner themself (``chosen_by``), start accepted.
    In a group everyone answers, mentees too: they asked for a mentor, not for these
    colleagues. In a self-select ``request`` the mentee's and peers' seats are
    REQUEST_SEAT ones until it is accepted."""
    members = []
    if guide_id is not None:
        members.append(PairingMember(pairing=pairing, participant_id=guide_id, role=Role.GUIDE))
    role = Role.PEER if guide_id is None else Role.LEARNER
    group = pairing.program.is_group
    for participant_id in member_ids:
        answered = not group and (role == Role.LEARNER or participant_id == chosen_by)
        members.append(
            PairingMember(
                pairing=pairing,
                participant_id=participant_id,
                role=role,
                response=Response.ACCEPTED if answered else Response.PENDING,
                responded_at=at if answered else None,
                waiting_request=request,
            )
        )
    return members


# --- self-select requests --------------------------------------------------------------

# A mentee's or peer's seat in a waiting self-select request (PairingMember
# .waiting_request): one_live_pairing_per_learner skips it, so a learner may hold several;
# proposal_accept clears it, and from then on the constraint holds the accepted one alone.
REQUEST_SEAT = Q(waiting_request=True, live=True, pairing__status=Pairing.Status.PROPOSED)
# The requests someone made (their seat started accepted) and the ones waiting for their
# answer (a mentor's, or a requested peer's, pending seat in an open proposal).
REQUEST_MADE = REQUEST_SEAT & Q(response=Response.ACCEPTED)
ANSWER_OWED = Q(live=True, response=Response.PENDING, pairing__status=Pairing.Status.PROPOSED)
# Not a waiting request: an agreed pairing, or a proposal HR made.
HELD = Q(live=True, waiting_request=False)


def requests_made(participant_ids: Iterable[int]) -> dict[int, int]:
    """How many waiting requests each of these learners has made; none are left out.
    One query."""
    return _count_members(REQUEST_MADE, participant_ids)


def answers_owed(participant_ids: Iterable[int]) -> dict[int, int]:
    """How many open proposals (requests) wait for each of these people's answer; those
    with none are left out. One query."""
    return _count_members(ANSWER_OWED, participant_ids)


def _count_members(condition: Q, participant_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        PairingMember.objects.filter(condition, participant_id__in=list(participant_ids))
        .order_by()
        .values_list("participant_id")
        .annotate(n=Count("pk"))
    )


def request_places(*, free: int, waiting: int, cap: int) -> int:
    """How many more learners may ask someone now: their free places (a mentor's capacity
    less the pairings agreed; 1 for a peer not yet paired) capped at the programme's
    max_requests_per_mentor, less the requests already waiting for their answer. A popular
    mentor is thus offered to as many learners as they have free places, never more: with
    1 free place and 1 request waiting, nobody else sees them until it is answered or
    lapses."""
    return max(min(free, cap) - waiting, 0)


def awaiting_answer() -> Q:
    """The members (a PairingMember filter) whose answer a proposal still waits for:
    pending in an open proposal, or pending and still live in a group that started without
    them (they may accept and join until the proposal lapses)."""
    return Q(response=Response.PENDING, live=True) & (
        Q(pairing__status=Pairing.Status.PROPOSED)
        | Q(pairing__status__in=AGREED_STATUSES, pairing__program__kind__in=Program.GROUP_KINDS)
    )


# --- a guide's load --------------------------------------------------------------------

# The pairings a guide's places go to: those their people agreed to (starting later or
# running). Where the question is who could still be offered someone (candidates, HR's
# free mentors), a proposal waiting for an answer holds a place too.
# The same pairings make someone "matched" in HR's figures (the match rate, the people
# still waiting for supply vs demand, the participants table): a proposal nobody has
# answered yet is not a match.
AGREED_STATUSES = (Pairing.Status.ACCEPTED, Pairing.Status.ACTIVE)


def _guiding(*, with_proposals: bool, through: str = "") -> Q:
    statuses = Pairing.LIVE_STATUSES if with_proposals else AGREED_STATUSES
    return Q(**{f"{through}role": Role.GUIDE, f"{through}pairing__status__in": statuses})


def guide_load(
    participant_ids: Iterable[int] | QuerySet, *, with_proposals: bool = False
) -> dict[int, int]:
    """How many people each of these guides (ids, or a query of them) supports (see
    AGREED_STATUSES); guides with nobody are left out. One query."""
    if not isinstance(participant_ids, QuerySet):
        participant_ids = list(participant_ids)
    return dict(
        PairingMember.objects.filter(
            _guiding(with_proposals=with_proposals), participant_id__in=participant_ids
        )
        .order_by()
        .values_list("participant_id")
        .annotate(load=Count("pk"))
    )


def with_guide_load(
    participants: QuerySet[Participant], *, with_proposals: bool = False
) -> QuerySet[Participant]:
    """``participants`` annotated with ``load``, counted as guide_load counts it."""
    return participants.annotate(
        load=Count(
            "memberships", filter=_guiding(with_proposals=with_proposals, through="memberships__")
        )
    )


# --- why a pairing closed --------------------------------------------------------------

# The app's own end_reason words for pairings closed by what happened around them rather
# than by anyone's verdict on the pair (services and rounds write them; retention keeps
# them, as it keeps no free text).
LEFT_ORGANISATION = "left the organisation"
WITHDREW = "withdrew from the programme"
# A waiting self-select request closed (pairing_closed_notify tells the others these words).
REQUEST_WITHDRAWN = "the person who asked withdrew it"
PAIRED_ELSEWHERE = "one of you has agreed a pairing with someone else"
_CIRCUMSTANCES = (LEFT_ORGANISATION, WITHDREW, REQUEST_WITHDRAWN, PAIRED_ELSEWHERE)
_ROUND_FINISHED = r"^Round [0-9]+ finished$"  # round_finished_reason's words, any round


def round_finished_reason(number: int) -> str:
    """The end_reason of the pairings closed when round ``number`` ended."""
    return f"Round {number} finished"


def closed_by_circumstance(through: str = "") -> Q:
    """Pairings (a filter; ``through`` prefixes the lookups, e.g. "pairing__") closed by
    what happened around them, not by a verdict on the pair: someone left the organisation
    or withdrew from the programme, the learner withdrew a request or was paired
    elsewhere, or the round finished. Everything else closed by a person is a verdict: a
    member or HR ending a pairing, HR cancelling or reassigning a proposal."""
    return Q(**{f"{through}end_reason__in": _CIRCUMSTANCES}) | Q(
        **{f"{through}end_reason__regex": _ROUND_FINISHED}
    )


def went_live(through: str = "") -> Q:
    """Pairings (a filter, ``through`` as above) everyone needed accepted: services
    _go_live stamps activated_at then, whether the pairing runs at once or is accepted to
    start with the programme, and nothing clears it."""
    return Q(**{f"{through}activated_at__isnull": False})


# --- pairs never proposed again --------------------------------------------------------

# Proposals that bar their pair for good: declined, lapsed (expired), and cancelled by HR
# (cancelled or reassigned), as proposing the same pair straight back would undo HR's
# decision. Proposals cancelled by circumstance (closed_by_circumstance: the learner
# withdrew the request or was paired elsewhere, someone withdrew, the round finished) bar
# nobody: nobody said no to the pair.
CLOSED_UNAGREED = (Pairing.Status.DECLINED, Pairing.Status.EXPIRED)


def _refused(through: str = "") -> Q:
    cancelled = Q(**{f"{through}status": Pairing.Status.CANCELLED}) & ~closed_by_circumstance(
        through
    )
    return Q(**{f"{through}status__in": CLOSED_UNAGREED}) | cancelled


# A pairing that went live and was ended by a member or HR after this many check-ins or
# fewer "ended early": the pair is never proposed again, and it counts against both
# people's history (matching.history).
EARLY_END_CHECKINS = 1


def ended_early(*, program_id: int) -> QuerySet[Pairing]:
    """The programme's pairings that went live and that a member or HR ended after
    EARLY_END_CHECKINS check-ins or fewer; not those ended by circumstance
    (closed_by_circumstance: a round finishing, a leaver, a withdrawal)."""
    return (
        Pairing.objects.filter(went_live(), program_id=program_id, status=Pairing.Status.ENDED)
        .exclude(closed_by_circumstance())
        .annotate(checkin_count=Count("checkins"))
        .filter(checkin_count__lte=EARLY_END_CHECKINS)
    )


def _pairs(members: QuerySet[PairingMember], participant_id: int | None) -> set[tuple[int, int]]:
    """The pairs (lower id first) of the two-member pairings of ``members``, only
    ``participant_id``'s when given. One query."""
    if participant_id is not None:
        members = members.filter(pairing__members__participant_id=participant_id)
    by_pairing: dict[int, list[int]] = defaultdict(list)
    for pairing_id, member_id in members.values_list("pairing_id", "participant_id"):
        by_pairing[pairing_id].append(member_id)
    return {(min(ids), max(ids)) for ids in by_pairing.values() if len(ids) == 2}


def _declined(program_id: int) -> Q:
    """Members of the programme's declined, expired or HR-cancelled proposals (_refused),
    and of its pairings that ended early."""
    early = ended_early(program_id=program_id).values("pk")
    return Q(pairing__program_id=program_id) & (_refused("pairing__") | Q(pairing_id__in=early))


def _partnered(program: Program) -> Q:
    # went_live: a proposal ended before it was answered (someone left) made no partners.
    return went_live("pairing__") & Q(
        pairing__program_id=program.pk,
        pairing__status__in=(*AGREED_STATUSES, Pairing.Status.ENDED),
        pairing__round__gte=barred_since(program),
    )


def barred_since(program: Program) -> int:
    """The first round whose partners may not be paired again in the current one: all
    rounds when the programme never repeats a pair (partner_repeat_rounds blank), else the
    last ``partner_repeat_rounds`` rounds and this one."""
    if program.partner_repeat_rounds is None:
        return 1
    return max(program.current_round - program.partner_repeat_rounds, 1)


def never_again_pairs(
    *, program: Program, participant_id: int | None = None
) -> set[tuple[int, int]]:
    """Pairs of participant ids (lower first) not proposed (again), only
    ``participant_id``'s when given, in one query: for good, those of declined, expired or
    HR-cancelled proposals (_refused) and of pairings that ended early (ended_early),
    whatever the programme's partner_repeat_rounds; and the partners (a pairing that went
    live: accepted, running or since ended) of the rounds barred_since still counts (pair
    kinds; the group kinds use grouped_pairs)."""
    members = PairingMember.objects.filter(_declined(program.pk) | _partnered(program))
    return _pairs(members, participant_id)


def barred_partner_ids(participant: Participant) -> set[int]:
    """Everyone ``participant`` is not proposed to (again): never_again_pairs."""
    pairs = never_again_pairs(program=participant.program, participant_id=participant.pk)
    return {b if a == participant.pk else a for a, b in pairs}


def grouped_pairs(*, program: Program, ignoring: Collection[int] = ()) -> set[tuple[int, int]]:
    """Pairs of participant ids (lower first) who have been in a group together in the
    programme, in a round barred_since still counts, whatever became of it (proposed,
    running, ended, declined, or one of them declined or left it): in the group kinds
    nobody is grouped again with the same people. Groups whose ids are in ``ignoring`` are
    left out (a matching run leaves out the proposals it replaces). One query; a programme
    of 5,000 in circles of six has about 12,500 such pairs."""
    by_pairing: dict[int, list[int]] = defaultdict(list)
    rows = PairingMember.objects.filter(
        pairing__program_id=program.pk, pairing__round__gte=barred_since(program)
    ).values_list("pairing_id", "participant_id")
    for pairing_id, participant_id in rows:
        by_pairing[pairing_id].append(participant_id)
    # Filtered here rather than in SQL: thousands of ids would be thousands of parameters.
    skipped = set(ignoring)
    return {
        (min(a, b), max(a, b))
        for pairing_id, ids in by_pairing.items()
        if pairing_id not in skipped
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    }


# --- rounds ----------------------------------------------------------------------------


def in_round(*, program: Program, number: int) -> QuerySet[Participant]:
    """The mentees and peers in round ``number`` (who matching serves), still enrolled.
    Exact for the current round; an earlier round's people are those who did not move on."""
    return Participant.objects.filter(
        program=program, round=number, withdrawn_at__isnull=True, role=program.learner_role
    )


def had_partner_in_round(number: int) -> Q:
    """A participant (filter) who had a partner during round ``number``: in a pairing
    that went live (went_live: accepted by everyone, running or to start with the
    programme) and runs now, or that was made in that round and has since ended. A
    proposal that ended before its partner answered (they left) was no partner."""
    agreed = PairingMember.objects.filter(
        went_live("pairing__"), participant=OuterRef("pk"), response=Response.ACCEPTED
    ).filter(
        Q(pairing__status__in=AGREED_STATUSES)
        | Q(pairing__status=Pairing.Status.ENDED, pairing__round=number)
    )
    return Q(Exists(agreed))


# --- groups ----------------------------------------------------------------------------


def in_group(member: PairingMember) -> bool:
    """Whether a member of a group is in it now: live and not declined. A member still
    pending may accept and join until the proposal lapses; one who declined, or never
    answered before it lapsed, is no longer live."""
    return member.live and member.response != Response.DECLINED


def _enough(program: Program, members: Iterable[PairingMember]) -> bool:
    members = list(members)
    if not program.is_peer and not any(m.role == Role.GUIDE for m in members):
        return False
    learners = sum(1 for m in members if m.role != Role.GUIDE)
    return learners >= rules_for(program).group_min


def group_can_start(*, program: Program, members: Iterable[PairingMember]) -> bool:
    """Whether a group can start (or go on): at least the programme's smallest group size
    of peers (mentees, in group mentoring) have accepted, and in group mentoring the mentor
    has. The others need not have answered yet: they join when they accept."""
    return _enough(program, (m for m in members if in_group(m) and m.response == Response.ACCEPTED))


def group_can_still_start(*, program: Program, members: Iterable[PairingMember]) -> bool:
    """Whether the group could still start if everyone who has not answered accepted."""
    return _enough(program, (m for m in members if in_group(m)))


def next_presenter(
    *, members: Iterable[PairingMember], presented: Iterable[tuple[int, date]]
) -> PairingMember | None:
    """Who brings the case to a co-development group's next session: of the members who
    are in the group and have accepted, the one who has presented least, then the one whose
    last case is longest ago, then the one who joined first. ``presented`` holds (presenter
    participant id, day held) of the group's case sessions. None when nobody is in it."""
    count: dict[int, int] = defaultdict(int)
    last: dict[int, date] = {}
    for participant_id, held_on in presented:
        count[participant_id] += 1
        last[participant_id] = max(held_on, last.get(participant_id, held_on))
    joined = [m for m in members if in_group(m) and m.response == Response.ACCEPTED]
    if not joined:
        return None
    return min(
        joined,
        key=lambda m: (count[m.participant_id], last.get(m.participant_id, date.min), m.pk),
    )


# --- people who do not answer -----------------------------------------------------------


def _lapsed() -> Q:
    """A member (PairingMember filter) who let a proposal lapse: still pending when it
    expired, or when their group went live without them (only a group goes live with
    someone pending). Not someone still pending when a proposal closed for another
    reason: their partner left the organisation, HR cancelled it, the round finished."""
    return Q(response=Response.PENDING) & (
        Q(pairing__status=Pairing.Status.EXPIRED) | (Q(live=False) & went_live("pairing__"))
    )


# Whoever lets this many proposals in a row lapse (a mentor, a peer, a group's member) is
# paused automatically (services.ghosts_pause).
GHOST_LAPSES = 2


def lapses_in_a_row(participant_ids: Iterable[int] | QuerySet) -> dict[int, int]:
    """How many proposals each of these people (ids, or a query of them: a whole pool is
    one subquery, not thousands of parameters) let lapse since they last answered one
    (accepted or declined); people with none are left out. A "ghost" is someone with two
    or more. One query."""
    if not isinstance(participant_ids, QuerySet):
        participant_ids = list(participant_ids)
    answered = Q(response__in=(Response.ACCEPTED, Response.DECLINED))
    rows = (
        PairingMember.objects.filter(participant_id__in=participant_ids)
        .filter(answered | _lapsed())
        .order_by("participant_id", "-pairing__proposed_at", "-pairing_id")
        .values_list("participant_id", "response")
    )
    streak: dict[int, int] = {}
    stopped: set[int] = set()
    for participant_id, response in rows:
        if participant_id in stopped:
            continue
        if response != Response.PENDING:
            stopped.add(participant_id)
            continue
        streak[participant_id] = streak.get(participant_id, 0) + 1
    return streak
