"""The pairing workflow: proposals answered, pairings started and ended, check-ins logged.

Keyword-only, atomic. Refusals a person can act on raise ``PairingError`` with a message
the view shows as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from pairing import emails, later, rules, schedule, selectors
from pairing.matching import Breakdown, best_additions, score_group
from pairing.matchmaking.adapter import keys_by_employee, person_for, rules_for
from pairing.models import CaseSession, CheckIn, Choice, Pairing, PairingMember, RatherNot
from pairing.rules import LEFT_ORGANISATION, PAIRED_ELSEWHERE, REQUEST_WITHDRAWN, WITHDREW
from programs.models import AuditEvent, Employee, Participant, Program
from programs.selectors import programs_administered_by
from programs.services import audit_record, participants_mark_active
from programs.tasks import send_first_invitation


class PairingError(Exception):
    """A refused action, worded for the person who tried it."""


@transaction.atomic
def proposal_create(
    *,
    learner: Participant,
    partner: Participant,
    source: str,
    breakdown: Breakdown,
    reasons: list[str],
) -> Pairing:
    """A proposal between a learner (a mentee, or the peer it is made for) and a partner
    (their mentor, or another peer).

    Who must answer is rules.proposal_members' rule; a peer who asked for this partner
    (self-select) has answered already. Raises PairingError when either learner already
    has a live proposal or pairing.
    """
    program = learner.program
    now = timezone.now()
    pairing = Pairing(
        program=program,
        round=program.current_round,
        source=source,
        score=round(min(max(breakdown.total, 0), 100), 2),
        breakdown=breakdown.as_dict(),
        reasons=reasons,
        proposed_at=now,
        expires_at=schedule.proposal_expires_at(program, now),
    )
    pairing.full_clean()
    pairing.save()
    if program.is_peer:
        members = rules.proposal_members(
            pairing,
            guide_id=None,
            member_ids=[learner.pk, partner.pk],
            at=now,
            chosen_by=learner.pk if source == Pairing.Source.SELF_SELECT else None,
            request=source == Pairing.Source.SELF_SELECT,
        )
    else:
        members = rules.proposal_members(
            pairing,
            guide_id=partner.pk,
            member_ids=[learner.pk],
            at=now,
            request=source == Pairing.Source.SELF_SELECT,
        )
    try:
        # A savepoint, so the caller's transaction survives the refusal.
        with transaction.atomic():
            PairingMember.objects.bulk_create(members)
    except IntegrityError:
        # one_live_pairing_per_learner: someone got there first (another request, a
        # matching run, a double click).
        raise PairingError(
            "There is already a live proposal or pairing for this person in "
            f"{program.name}; it has to be answered or ended first."
        ) from None
    proposal_notify_later(pairing=pairing)
    return pairing


def proposal_notify_later(*, pairing: Pairing) -> None:
    """Email everyone who must answer the proposal, from a worker once the transaction
    commits, so a slow mail server never holds up the request."""
    pending = pairing.members.filter(response=PairingMember.Response.PENDING)
    later.proposal_emails(pending.values_list("pk", flat=True))


def proposal_notify(*, member_id: int) -> bool:
    """Send the new-proposal email to one member, at most once (see `_notify_once`); False
    when there was nothing to send (already emailed, answered, or the proposal has closed).
    A worker killed between the claim and the send loses that one email; the inbox and the
    "proposal waiting" reminder at half the expiry still tell the member."""
    member = _notify_once(
        member_id=member_id,
        stamp="notified_at",
        when=rules.awaiting_answer(),
        send=emails.proposal_new_send,
        related=("participant__employee__user",),
    )
    if member is None:
        return False
    # For someone who has never signed in, that email carried their invitation.
    Employee.objects.filter(pk=member.participant.employee_id, invited_at=None).update(
        invited_at=timezone.now()
    )
    return True


def _lock_pairing(pairing_pk: int) -> Pairing:
    # of=("self",): lock the pairing only, not its programme row too (which would queue
    # every answer in the programme behind each other).
    return (
        Pairing.objects.select_for_update(of=("self",)).select_related("program").get(pk=pairing_pk)
    )


def _fresh_member(member: PairingMember, user) -> PairingMember:
    fresh = PairingMember.objects.select_related("participant__employee").get(pk=member.pk)
    if fresh.participant.employee.user_id != user.pk:
        raise PermissionDenied("This is not your proposal.")
    return fresh


@transaction.atomic
def proposal_accept(*, member: PairingMember, user) -> Pairing:
    """``user`` accepts the proposal ``member`` belongs to.

    When every member has accepted, the pairing goes live: active, or accepted when the
    programme starts later. Going live takes one of the guide's places, so the guide's
    participant row is locked first and their accepted and active pairings counted under
    that lock: two acceptances racing for the last place are serialised, and the second
    is refused. A group goes live once it can start (see `_group_accept`).
    """
    seats = list(
        PairingMember.objects.filter(pairing_id=member.pairing_id).values_list(
            "participant_id", "waiting_request"
        )
    )
    if any(waiting for _pk, waiting in seats):
        # A request: its learners first, so two mentors accepting two requests of one
        # mentee take turns, and the second finds its request withdrawn.
        _lock_participants([pk for pk, _waiting in seats])
    pairing = _lock_pairing(member.pairing_id)
    member = _fresh_member(member, user)
    if pairing.program.is_group:
        return _group_accept(pairing=pairing, member=member)
    if pairing.status != Pairing.Status.PROPOSED:
        raise PairingError(_no_longer_open(pairing))
    if member.response != PairingMember.Response.PENDING:
        raise PairingError("You have already answered this proposal.")
    members = list(pairing.members.select_related("participant__employee__user"))
    goes_live = all(
        m.response == PairingMember.Response.ACCEPTED for m in members if m.pk != member.pk
    )
    guide = next((m for m in members if m.role == PairingMember.Role.GUIDE), None)
    if goes_live and guide is not None:
        _take_guide_place(guide=guide, answering=member, program=pairing.program)

    member.response = PairingMember.Response.ACCEPTED
    member.responded_at = timezone.now()
    member.save(update_fields=["response", "responded_at"])
    participants_mark_active(participant_ids=[member.participant_id])
    if not goes_live:
        return pairing  # the other peer still has to answer
    _request_settle(pairing=pairing, members=members)
    _go_live(pairing)
    _invite_to_start(pairing=pairing, members=members, accepted_by=user)
    return pairing


def _lock_participants(ids) -> None:
    # In id order, so two transactions locking overlapping people never deadlock.
    list(
        Participant.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Why a waiting self-select request closed (its end_reason, words kept in rules with the
# other closings by circumstance; pairing_closed_notify tells the others with them).
REQUEST_ENDS = (REQUEST_WITHDRAWN, PAIRED_ELSEWHERE)


def _request_settle(*, pairing: Pairing, members: list[PairingMember]) -> None:
    """A self-select request is accepted: its seats stop being waiting ones, so
    one_live_pairing_per_learner now guards them, and every other request still waiting
    with its mentee or peers is withdrawn (PAIRED_ELSEWHERE), the others in it told once.
    Runs under the learners' locks (proposal_accept). Nothing for other proposals."""
    learners = [m.participant_id for m in members if m.waiting_request]
    if not learners:
        return
    others = list(
        Pairing.objects.select_for_update(of=("self",)).filter(
            pk__in=PairingMember.objects.filter(rules.REQUEST_SEAT, participant_id__in=learners)
            .exclude(pairing=pairing)
            .values("pairing_id"),
            status=Pairing.Status.PROPOSED,
        )
    )
    try:
        with transaction.atomic():
            pairing.members.update(waiting_request=False)
    except IntegrityError:
        raise PairingError(
            "One of you already has a pairing in this programme; it has to end first."
        ) from None
    now = timezone.now()
    for other in others:
        _cancel_proposal(pairing=other, user=None, reason=PAIRED_ELSEWHERE, now=now)
    later.pairing_closed_emails(
        PairingMember.objects.filter(pairing__in=others)
        .exclude(participant_id__in=[m.participant_id for m in members])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _no_longer_open(pairing: Pairing) -> str:
    return f"This proposal is no longer open (it is {pairing.get_status_display().lower()})."


def _take_guide_place(*, guide: PairingMember, answering: PairingMember, program: Program) -> None:
    """Refuse to start a pairing (or group) whose guide has no free place. The guide's
    participant row is locked first and their accepted and active pairings counted under
    that lock, so two acceptances racing for the last place are serialised and the second
    is refused. A group takes one place, however many mentees it has."""
    locked = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=guide.participant_id)
    )
    taken = rules.guide_load([locked.pk]).get(locked.pk, 0)
    capacity = locked.effective_capacity
    if taken + 1 <= capacity:
        return
    if guide.pk == answering.pk:
        held = "groups you can lead" if program.is_group else "people you can take"
        raise PairingError(
            f"You already support {taken} of the {capacity} {held} in {program.name}. "
            "Raise your capacity in your enrolment or end a pairing before accepting another."
        )
    raise PairingError(
        f"{guide.participant.employee.name} has no free place left in {program.name}."
    )


def _go_live(pairing: Pairing) -> None:
    """Everyone needed has accepted: active, or accepted when the programme starts later."""
    program = pairing.program
    today = timezone.localdate()
    starts_later = program.starts_on is not None and program.starts_on > today
    pairing.status = Pairing.Status.ACCEPTED if starts_later else Pairing.Status.ACTIVE
    pairing.activated_at = timezone.now()
    pairing.next_checkin_due = schedule.first_checkin_due(program, today)
    pairing.save(update_fields=["status", "activated_at", "next_checkin_due"])


def _invite_to_start(*, pairing: Pairing, members: list[PairingMember], accepted_by) -> None:
    """Members who have never signed in now have a pairing to start (a mentee, whose side
    was accepted for them): invite them, once."""
    for member in members:
        user = member.participant.employee.user
        if user.pk == accepted_by.pk or user.last_login is not None:
            continue
        partners = [m.participant.employee.name for m in members if m.pk != member.pk]
        reason = (
            f"Your {pairing.program.name} pairing with {' and '.join(partners)} is starting: "
            "sign in to see it and log your check-ins."
        )
        send_first_invitation.delay_on_commit(member.participant.employee_id, reason)


def _close_proposal(*, pairing: Pairing, status: str) -> None:
    pairing.status = status
    pairing.save(update_fields=["status"])
    pairing.members.update(live=False)


def _cancel_proposal(*, pairing: Pairing, user, reason: str, now) -> None:
    pairing.status = Pairing.Status.CANCELLED
    pairing.ended_at = now
    pairing.ended_by = user
    pairing.end_reason = reason
    pairing.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    pairing.members.update(live=False)


def _repropose_all(participants: list[Participant], program: Program) -> list[Pairing]:
    if program.matching_mode != Program.MatchingMode.ADMIN:
        return []  # in self-select programmes people choose their next candidate themselves
    if program.is_group:
        return []  # groups are formed by HR's next matching run, never one pair at a time
    found = []
    for participant in participants:
        new = learner_repropose(participant=participant)
        if new is not None:
            found.append(new)
    return found


@transaction.atomic
def proposal_decline(
    *, member: PairingMember, user, reason: str, note: str = ""
) -> tuple[Pairing, list[Pairing]]:
    """``user`` declines (or, as the mentee who asked, withdraws) the proposal.

    The pairing is declined and nobody in it stays live. The pair is never proposed again
    in this programme (the declined row is the record). In programmes where HR runs
    matching, the other learners go back to the pool and are offered the next best free
    partner at once. Returns the declined pairing and any new proposals. A group loses
    only the one who declines (see `_group_decline`) and makes no new proposals.
    """
    if reason not in PairingMember.DeclineReason.values:
        raise PairingError("Please choose a reason.")
    pairing = _lock_pairing(member.pairing_id)
    member = _fresh_member(member, user)
    if pairing.program.is_group:
        return _group_decline(pairing=pairing, member=member, reason=reason, note=note), []
    if pairing.status != Pairing.Status.PROPOSED:
        raise PairingError(_no_longer_open(pairing))
    member.response = PairingMember.Response.DECLINED
    member.responded_at = timezone.now()
    member.decline_reason = reason
    member.decline_note = note[:500]
    member.full_clean()
    member.save(update_fields=["response", "responded_at", "decline_reason", "decline_note"])
    participants_mark_active(participant_ids=[member.participant_id])
    _close_proposal(pairing=pairing, status=Pairing.Status.DECLINED)
    others = [
        m.participant
        for m in pairing.members.select_related("participant__program")
        if m.pk != member.pk and m.role != PairingMember.Role.GUIDE
    ]
    return pairing, _repropose_all(others, pairing.program)


@transaction.atomic
def proposal_expire(*, pairing: Pairing) -> tuple[Pairing, list[Pairing]]:
    """A proposal nobody finished answering in time lapses, like a decline without a
    reason. Learners who had accepted go back to the pool and, where HR runs matching, are
    offered the next best partner. Safe to call twice: a closed proposal is left alone.
    A group starts without those who never answered if it can (see `_group_expire`)."""
    pairing = _lock_pairing(pairing.pk)
    if pairing.program.is_group:
        return _group_expire(pairing), []
    if pairing.status != Pairing.Status.PROPOSED:
        return pairing, []
    _close_proposal(pairing=pairing, status=Pairing.Status.EXPIRED)
    _pause_ghosts_of(pairing)
    waiting = [
        m.participant
        for m in pairing.members.select_related("participant__program")
        if m.role != PairingMember.Role.GUIDE and m.response == PairingMember.Response.ACCEPTED
    ]
    return pairing, _repropose_all(waiting, pairing.program)


# A ghost's automatic pause: four weeks keeps the next few proposals (each waits
# proposal_expiry_days, a week by default) away from someone who is not answering, yet
# brings back by itself a mentor who was only away (a holiday, a busy month), with the
# "you're back" reminder, without HR having to notice.
AUTO_PAUSE_WEEKS = 4


def _pause_ghosts_of(pairing: Pairing) -> None:
    """Those who never answered this lapsed proposal (a pair, or a group that expired or
    started without them) may now be ghosts."""
    ghosts_pause(
        program=pairing.program,
        participant_ids=pairing.members.filter(response=PairingMember.Response.PENDING).values_list(
            "participant_id", flat=True
        ),
    )


def ghosts_pause(*, program: Program, participant_ids) -> list[int]:
    """Pause for AUTO_PAUSE_WEEKS those of these people who have now let rules.GHOST_LAPSES
    proposals in a row lapse (rules.lapses_in_a_row), unless paused that long already; each
    is emailed how to resume, once, and HR's audit log records it. The ids paused."""
    streaks = rules.lapses_in_a_row(participant_ids)
    ghosts = [pk for pk, lapses in streaks.items() if lapses >= rules.GHOST_LAPSES]
    if not ghosts:
        return []
    until = timezone.localdate() + timedelta(weeks=AUTO_PAUSE_WEEKS)
    pausing = list(
        Participant.objects.filter(pk__in=ghosts, withdrawn_at=None)
        .filter(Q(paused_until=None) | Q(paused_until__lt=until))
        .select_related("employee")
        .order_by("pk")
    )
    Participant.objects.filter(pk__in=[p.pk for p in pausing]).update(paused_until=until)
    for participant in pausing:
        audit_record(
            program=program,
            actor=None,
            action=AuditEvent.Action.PARTICIPANT_AUTO_PAUSED,
            summary=f"Paused {participant.employee.name} until {until:%-d %B %Y}: "
            f"{streaks[participant.pk]} proposals in a row lapsed",
            detail={"participant": participant.pk, "until": until.isoformat()},
        )
    later.auto_pause_emails(p.pk for p in pausing)
    return [p.pk for p in pausing]


def auto_pause_notify(*, participant_id: int) -> bool:
    """Tell someone paused by ghosts_pause how to resume, once per pause: the pause
    (auto_pause_notified_for) is claimed before sending and released if sending fails.
    False when there was nothing to send (told already, or resumed meanwhile)."""
    today = timezone.localdate()
    claimed = (
        Participant.objects.filter(pk=participant_id, paused_until__gt=today)
        .filter(Q(auto_pause_notified_for=None) | ~Q(auto_pause_notified_for=F("paused_until")))
        .update(auto_pause_notified_for=F("paused_until"))
    )
    if claimed != 1:
        return False
    participant = Participant.objects.select_related("employee", "program").get(pk=participant_id)
    try:
        emails.auto_paused_send(
            participant=participant,
            lapses=rules.lapses_in_a_row([participant_id]).get(participant_id, 0),
        )
    except Exception:
        Participant.objects.filter(pk=participant_id).update(auto_pause_notified_for=None)
        raise
    return True


# --- groups ----------------------------------------------------------------------------

# Why a group proposal closed before it could start: its end_reason, which the others are
# emailed (pairing_closed_notify).
MENTOR_DECLINED = "the mentor declined"
TOO_FEW = "too few people accepted, and nobody else suits the group"
GROUP_CLOSED = (MENTOR_DECLINED, TOO_FEW)


def _group_accept(*, pairing: Pairing, member: PairingMember) -> Pairing:
    """A member accepts a group proposal. The group starts as soon as it can
    (rules.group_can_start); once it runs, members still pending join when they accept."""
    if pairing.status not in Pairing.LIVE_STATUSES:
        raise PairingError(_no_longer_open(pairing))
    if member.response != PairingMember.Response.PENDING:
        raise PairingError("You have already answered this proposal.")
    if not member.live:
        raise PairingError("This group started without you: the time to answer has passed.")
    member.response = PairingMember.Response.ACCEPTED
    member.responded_at = timezone.now()
    member.save(update_fields=["response", "responded_at"])
    if pairing.status == Pairing.Status.PROPOSED:
        members = list(pairing.members.select_related("participant__employee"))
        if rules.group_can_start(program=pairing.program, members=members):
            _group_start(pairing=pairing, members=members, answering=member)
    # Everyone who accepts signs in to do it, so nobody is left to invite (cf. pairs).
    return pairing


def _group_start(*, pairing: Pairing, members: list[PairingMember], answering=None) -> None:
    guide = next((m for m in members if m.role == PairingMember.Role.GUIDE), None)
    if guide is not None:
        _take_guide_place(guide=guide, answering=answering or guide, program=pairing.program)
    _go_live(pairing)


def _group_decline(*, pairing: Pairing, member: PairingMember, reason: str, note: str) -> Pairing:
    """A member declines a group proposal (or withdraws their acceptance before it starts)
    and leaves it. The mentor leaving closes the group. Anyone else is replaced by the
    best fitting free person of the pool, if there is one; when there is nobody and too
    few remain for the group to start, it closes. The others of a closed group are told
    and wait for HR's next matching run."""
    if pairing.status not in Pairing.LIVE_STATUSES or not member.live:
        raise PairingError(_no_longer_open(pairing))
    if member.response == PairingMember.Response.ACCEPTED and pairing.status != (
        Pairing.Status.PROPOSED
    ):
        raise PairingError("You have joined this group already; ask HR if you need to leave it.")
    member.response = PairingMember.Response.DECLINED
    member.responded_at = timezone.now()
    member.decline_reason = reason
    member.decline_note = note[:500]
    member.live = False
    member.full_clean()
    member.save(
        update_fields=["response", "responded_at", "decline_reason", "decline_note", "live"]
    )
    members = list(pairing.members.select_related("participant__employee__user"))
    if member.role == PairingMember.Role.GUIDE:
        _group_close(pairing=pairing, members=members, reason=MENTOR_DECLINED)
        return pairing
    added = _group_top_up(pairing=pairing, members=members)
    if added is None and not rules.group_can_still_start(program=pairing.program, members=members):
        _group_close(pairing=pairing, members=members, reason=TOO_FEW)
        return pairing
    group_rescore(pairing)
    return pairing


def _group_close(*, pairing: Pairing, members: list[PairingMember], reason: str) -> None:
    """Close a group proposal that cannot start; everyone still in it is told, once."""
    told = [m.pk for m in members if rules.in_group(m) and m.participant.employee.user.is_active]
    pairing.status = Pairing.Status.DECLINED
    pairing.ended_at = timezone.now()
    pairing.end_reason = reason
    pairing.save(update_fields=["status", "ended_at", "end_reason"])
    pairing.members.update(live=False)
    later.pairing_closed_emails(told)


def _group_pool(program: Program, *, leave_out: list[int]) -> list[Participant]:
    """Who could join a group of ``program``: its active peers (mentees, in group
    mentoring) in no live pairing, except ``leave_out`` (participant ids)."""
    live = PairingMember.objects.filter(participant=OuterRef("pk"), live=True)
    return list(
        Participant.objects.active(timezone.localdate())
        .filter(program=program, role=program.learner_role)
        .exclude(pk__in=leave_out)
        .exclude(Exists(live))
        .select_related("employee", "program")
        .prefetch_related("goals", "expertise")
    )


def _group_top_up(*, pairing: Pairing, members: list[PairingMember]) -> PairingMember | None:
    """Add the person of the pool who fits the group best (best_additions), never anyone
    who was in a group with one of its members before (rules.grouped_pairs); they must
    answer like everyone else, and get as long to do so as a new proposal. None when
    nobody fits or the group is full."""
    program = pairing.program
    scoring = rules_for(program)
    present = [m for m in members if rules.in_group(m)]
    guide = next((m for m in present if m.role == PairingMember.Role.GUIDE), None)
    learners = [m for m in present if m.role != PairingMember.Role.GUIDE]
    if len(learners) >= scoring.group_max:
        return None
    # Everyone who was ever in this group, the one leaving included, is grouped with it.
    pool = _group_pool(program, leave_out=[m.participant_id for m in members])
    if not pool:
        return None
    # The pairs between a member and an outsider: the members are grouped with each other
    # already, by this very group.
    inside = {m.participant_id for m in present}
    excluded = [
        (str(a), str(b))
        for a, b in rules.grouped_pairs(program=program)
        if (a in inside) != (b in inside)
    ]
    people = _group_people(present, pool)
    picked = best_additions(
        [people[m.participant_id] for m in learners],
        [people[p.pk] for p in pool],
        scoring,
        excluded,
        count=1,
        guide=people[guide.participant_id] if guide is not None else None,
    )
    if not picked:
        return None
    added = PairingMember(
        pairing=pairing,
        participant_id=int(picked[0]),
        role=PairingMember.Role.LEARNER if guide is not None else PairingMember.Role.PEER,
    )
    try:
        with transaction.atomic():
            added.save()
    except IntegrityError:
        return None  # proposed elsewhere meanwhile (one_live_pairing_per_learner)
    now = timezone.now()
    if pairing.expires_at is not None:
        pairing.expires_at = max(pairing.expires_at, schedule.proposal_expires_at(program, now))
        pairing.save(update_fields=["expires_at"])
    later.proposal_emails([added.pk])
    return added


def _group_people(members: list[PairingMember], pool: list[Participant] = ()) -> dict:
    """The engine's Person of each member and pool participant, by participant id."""
    participants = [m.participant for m in members] + list(pool)
    keys = keys_by_employee(participants)
    return {p.pk: person_for(p, key_of_employee=keys) for p in participants}


def group_rescore(pairing: Pairing) -> None:
    """Store the group's score (the mean pair score), breakdown and each member's reasons
    ({participant pk: [Reason dicts]}) for the people now in it (rules.in_group)."""
    present = [
        m
        for m in pairing.members.select_related("participant__employee").prefetch_related(
            "participant__goals", "participant__expertise"
        )
        if rules.in_group(m)
    ]
    people = _group_people(present)
    guide = next((m for m in present if m.role == PairingMember.Role.GUIDE), None)
    group = score_group(
        [people[m.participant_id] for m in present if m.role != PairingMember.Role.GUIDE],
        rules_for(pairing.program),
        people[guide.participant_id] if guide is not None else None,
    )
    pairing.score = round(min(max(group.score, 0), 100), 2)
    pairing.breakdown = group.breakdown.as_dict()
    pairing.reasons = {
        key: [reason.to_dict() for reason in reasons] for key, reasons in group.reasons.items()
    }
    pairing.save(update_fields=["score", "breakdown", "reasons"])


def _group_expire(pairing: Pairing) -> Pairing:
    """A group's time to answer is over: one that can start does, without the members who
    never answered (they are free again); one that cannot expires. A group that started
    early lets its unanswered members go the same way. Safe to call twice."""
    if pairing.status not in Pairing.LIVE_STATUSES:
        return pairing
    members = list(pairing.members.select_related("participant__employee"))
    if pairing.status == Pairing.Status.PROPOSED:
        started = False
        if rules.group_can_start(program=pairing.program, members=members):
            try:
                with transaction.atomic():
                    _group_start(pairing=pairing, members=members)
                started = True
            except PairingError:
                pass  # the mentor has no place left: the group lapses
        if not started:
            _close_proposal(pairing=pairing, status=Pairing.Status.EXPIRED)
            _pause_ghosts_of(pairing)
            return pairing
    dropped = pairing.members.filter(live=True, response=PairingMember.Response.PENDING).update(
        live=False
    )
    if dropped:
        group_rescore(pairing)
        _pause_ghosts_of(pairing)
    return pairing


@transaction.atomic
def learner_repropose(*, participant: Participant, avoid: Collection[int] = ()) -> Pairing | None:
    """Propose a mentee (or peer) without a live pairing to their best available partner:
    a mentor with a free place, or a peer not in a live pairing, never one they were
    declined with nor anyone in ``avoid`` (participant ids). None when nobody fits: they
    stay in the pool and HR sees them unmatched."""
    program = participant.program
    if program.status == Program.Status.CLOSED or participant.role == Participant.Role.MENTOR:
        return None
    if participant.withdrawn_at is not None or participant.is_paused:
        return None
    if PairingMember.objects.filter(participant=participant, live=True).exists():
        return None
    participant = (
        Participant.objects.select_related("program", "employee")
        .prefetch_related("goals", "expertise")
        .get(pk=participant.pk)
    )
    best = selectors.candidates_for(participant=participant, k=1, avoid=avoid)
    if not best:
        return None
    candidate = best[0]
    try:
        return proposal_create(
            learner=participant,
            partner=candidate.participant,
            source=Pairing.Source.MATCHING,
            breakdown=candidate.breakdown,
            reasons=candidate.reasons,
        )
    except PairingError:
        return None  # the peer chosen was proposed elsewhere meanwhile; HR's next run will


@transaction.atomic
def proposal_request(*, learner: Participant, partner_id: int, user) -> Pairing:
    """In a self-select programme, the learner asks one of their best candidates.

    Only someone on the learner's current top list can be asked (selectors.candidates_for
    holds the fair share: nobody is asked by more learners than they have free places). A
    learner may have up to the programme's max_requests_per_mentee waiting at once, and
    none once paired. Both people's rows are locked first, so requests racing for the same
    learner's or mentor's last slot take turns and the caps hold."""
    if learner.employee.user_id != user.pk:
        raise PermissionDenied("This is not your enrolment.")
    program = learner.program
    if program.matching_mode != Program.MatchingMode.SELF_SELECT:
        raise PairingError(f"In {program.name} HR proposes the pairings.")
    _lock_participants([learner.pk, partner_id])
    if PairingMember.objects.filter(rules.HELD, participant=learner).exists():
        raise PairingError(
            "You already have a pairing or a proposal in this programme; end it before "
            "asking someone else."
        )
    asked = rules.requests_made([learner.pk]).get(learner.pk, 0)
    cap = program.max_requests_per_mentee
    if asked >= cap:
        raise PairingError(
            f"You have asked {asked} of {cap} people already. Withdraw a request, or wait "
            "for an answer, before asking someone else."
        )
    chosen = next(
        (
            c
            for c in selectors.candidates_for(participant=learner)
            if c.participant.pk == partner_id
        ),
        None,
    )
    if chosen is None:
        raise PairingError(
            "That person is no longer among your best candidates: you may have asked them "
            "already, or they have as many requests waiting as free places. Choose someone else."
        )
    pairing = proposal_create(
        learner=learner,
        partner=chosen.participant,
        source=Pairing.Source.SELF_SELECT,
        breakdown=chosen.breakdown,
        reasons=chosen.reasons,
    )
    participants_mark_active(participant_ids=[learner.pk])
    return pairing


@transaction.atomic
def request_withdraw(*, member: PairingMember, user) -> Pairing:
    """The learner withdraws a request of theirs still waiting for its answer: it is
    cancelled (REQUEST_WITHDRAWN), whoever was asked is told once, and the learner may ask
    someone else in its place. PermissionDenied when it is not theirs."""
    pairing = _lock_pairing(member.pairing_id)
    member = _fresh_member(member, user)
    if pairing.status != Pairing.Status.PROPOSED:
        raise PairingError(_no_longer_open(pairing))
    if not (member.waiting_request and member.response == PairingMember.Response.ACCEPTED):
        raise PairingError("Only a request you made, still waiting for its answer, is withdrawn.")
    _cancel_proposal(pairing=pairing, user=user, reason=REQUEST_WITHDRAWN, now=timezone.now())
    later.pairing_closed_emails(
        pairing.members.exclude(pk=member.pk).order_by("pk").values_list("pk", flat=True)
    )
    participants_mark_active(participant_ids=[member.participant_id])
    return pairing


@transaction.atomic
def checkin_log(
    *,
    pairing: Pairing,
    participant: Participant,
    held_on: date,
    summary: str,
    private_note: str = "",
    rating: int,
    attended: Collection[Participant] = (),
    presenter: Participant | None = None,
    steps: Mapping[str, str] | None = None,
) -> CheckIn:
    """A member records a check-in; the next one falls due a cadence after the latest.

    In a group it says who ``attended`` (members of the group only). In a co-development
    group it also records the case worked: its ``presenter`` (a member) and the method's
    ``steps`` (CaseSession.STEPS; the case itself is required)."""
    pairing = _lock_pairing(pairing.pk)
    members = list(pairing.members.all())
    if not any(m.participant_id == participant.pk for m in members):
        raise PermissionDenied("Only members log check-ins.")
    if pairing.status != Pairing.Status.ACTIVE:
        raise PairingError("Check-ins can be logged once the pairing is active.")
    if held_on > timezone.localdate():
        raise PairingError("A check-in cannot be in the future.")
    first_day, last_day = pairing.checkin_dates()
    if not first_day <= held_on <= last_day:
        raise PairingError(
            f"A check-in must be dated between {first_day:%-d %B %Y} and {last_day:%-d %B %Y}, "
            "while the pairing runs."
        )
    joined = {
        m.participant_id
        for m in members
        if rules.in_group(m) and m.response == PairingMember.Response.ACCEPTED
    }
    if participant.pk not in joined:
        raise PairingError("Only the people in the group log its sessions.")
    attended_ids = {p.pk for p in attended}
    if not attended_ids <= joined:
        raise PairingError("Only the group's members can be marked as attending.")
    steps = {name: (steps or {}).get(name, "").strip() for name in CaseSession.STEPS}
    if pairing.program.is_co_development:
        if presenter is None or presenter.pk not in joined:
            raise PairingError("Choose who presented the case: one of the group's members.")
        if not steps["case"]:
            raise PairingError("Say what the case was.")
    checkin = CheckIn(
        pairing=pairing,
        held_on=held_on,
        logged_by=participant,
        summary=summary,
        private_note=private_note,
        rating=rating,
    )
    checkin.full_clean()
    checkin.save()
    participants_mark_active(participant_ids=[participant.pk])
    if attended_ids:
        checkin.attended.set(sorted(attended_ids))
    if pairing.program.is_co_development:
        case = CaseSession(checkin=checkin, presenter=presenter, **steps)
        case.full_clean()
        case.save()
    # Logging an older meeting late must not pull the due date back.
    latest = pairing.checkins.aggregate(latest=Max("held_on"))["latest"]
    pairing.next_checkin_due = schedule.next_checkin_due(
        start=schedule.schedule_start(pairing),
        latest_checkin=latest,
        cadence_days=pairing.program.checkin_cadence_days,
    )
    pairing.save(update_fields=["next_checkin_due"])
    return checkin


def pairings_start(*, today: date) -> int:
    """Pairings accepted before their programme began go active on its first day, so
    their members can log check-ins. Returns how many started."""
    return Pairing.objects.filter(
        status=Pairing.Status.ACCEPTED, program__starts_on__lte=today
    ).update(status=Pairing.Status.ACTIVE)


def _end(pairing: Pairing, *, user, reason: str) -> None:
    """End a locked pairing; everyone in it is free again."""
    if pairing.status not in rules.AGREED_STATUSES:
        raise PairingError("Only an accepted or active pairing can be ended.")
    pairing.status = Pairing.Status.ENDED
    pairing.ended_at = timezone.now()
    pairing.ended_by = user
    pairing.end_reason = reason
    pairing.next_checkin_due = None
    pairing.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "next_checkin_due"])
    pairing.members.update(live=False)


@transaction.atomic
def pairing_end(*, pairing: Pairing, user, reason: str) -> Pairing:
    """A member ends an accepted or active pairing; everyone in it is free again. In a
    group, only a member who joined it (accepted, still in it) may."""
    pairing = _lock_pairing(pairing.pk)
    mine = list(pairing.members.filter(participant__employee__user=user))
    if not mine:
        raise PermissionDenied("Only members end a pairing.")
    joined = any(rules.in_group(m) and m.response == PairingMember.Response.ACCEPTED for m in mine)
    if pairing.status in rules.AGREED_STATUSES and not joined:
        raise PermissionDenied("Only the people in the group end it.")
    _end(pairing, user=user, reason=reason)
    return pairing


def _require_admin(*, program: Program, user) -> None:
    if not programs_administered_by(user=user).filter(pk=program.pk).exists():
        raise PermissionDenied(f"Only the admins of {program.name} can do this.")


def _member_names(members: list[PairingMember]) -> str:
    return " and ".join(m.participant.employee.name for m in members)


@transaction.atomic
def pairing_end_by_admin(
    *, pairing: Pairing, actor, reason: str, rematch: bool = False
) -> tuple[Pairing, list[Pairing]]:
    """One of the programme's admins ends an accepted or active pairing, saying why.

    Everyone in it is free again and is told by email, with the reason; the audit log
    records it. With ``rematch``, each mentee (or peer) is proposed at once to their next
    best partner, never the one they just left. Returns the ended pairing and any new
    proposals.
    """
    _require_admin(program=pairing.program, user=actor)
    reason = " ".join(reason.split())
    if not reason:
        raise PairingError("Say why the pairing ends: the people in it are told.")
    pairing = _lock_pairing(pairing.pk)
    members = list(
        pairing.members.select_related("participant__employee__user", "participant__program")
    )
    _end(pairing, user=actor, reason=reason)
    later.pairing_ended_emails(m.pk for m in members if m.participant.employee.user.is_active)
    ids = [m.participant_id for m in members]
    proposed = []
    if rematch:
        for member in members:
            if member.role == PairingMember.Role.GUIDE:
                continue
            new = learner_repropose(participant=member.participant, avoid=ids)
            if new is not None:
                proposed.append(new)
    audit_record(
        program=pairing.program,
        actor=actor,
        action=AuditEvent.Action.PAIRING_ENDED,
        summary=f"Ended the pairing of {_member_names(members)}: {reason}",
        detail={
            "pairing": pairing.pk,
            "reason": reason,
            "rematch": rematch,
            "proposed": [p.pk for p in proposed],
        },
    )
    return pairing, proposed


def _claim(row, condition):
    """``row`` (a filter on the member's own columns) where ``condition`` (which may look
    across joins) holds, ready for a claiming update.

    The claim's own columns must stay in the UPDATE's own WHERE: filtered across a join,
    Django turns the whole filter into ``id IN (SELECT ...)``, and PostgreSQL re-checks
    only the outer WHERE on a row a concurrent claim has just changed, so every racer
    would win (an 8-thread race test sent 8 emails for 3 members)."""
    return row.filter(pk__in=condition.values("pk"))


def _notify_once(*, member_id: int, stamp: str, when: Q, send, related=()) -> PairingMember | None:
    """Send one member one email at most once: claim the member's `stamp` column where
    `when` holds (it may look across joins), send, and release the claim if sending fails,
    so retries and duplicate tasks never email twice. The member sent to, or None when
    there was nothing to send. `related`: what the email reads beyond the member's employee
    and programme."""
    claimed = _claim(
        PairingMember.objects.filter(pk=member_id, **{stamp: None}),
        PairingMember.objects.filter(when, pk=member_id),
    ).update(**{stamp: timezone.now()})
    if claimed != 1:
        return None
    member = (
        PairingMember.objects.select_related("participant__employee", "pairing__program", *related)
        .prefetch_related("pairing__members__participant__employee")
        .get(pk=member_id)
    )
    try:
        send(member)
    except Exception:
        PairingMember.objects.filter(pk=member_id).update(**{stamp: None})
        raise
    return member


def pairing_ended_notify(*, member_id: int) -> bool:
    """Tell one member that HR ended their pairing, and why, at most once (see
    `_notify_once`). False when there was nothing to send."""
    sent = _notify_once(
        member_id=member_id,
        stamp="ended_notified_at",
        when=Q(pairing__status=Pairing.Status.ENDED),
        send=emails.pairing_ended_send,
        related=("pairing__ended_by__employee",),
    )
    return sent is not None


# --- HR's nudges -----------------------------------------------------------------------


def _not_nudged(day: date) -> Q:
    return Q(nudged_on=None) | Q(nudged_on__lt=day)


# Whom a nudge is for: a member who has not answered a waiting proposal, or anyone in an
# active pairing (to hold their next check-in); in a group, not someone who declined it or
# has not joined.
_NUDGEABLE = Q(
    pairing__status=Pairing.Status.PROPOSED, response=PairingMember.Response.PENDING
) | Q(pairing__status=Pairing.Status.ACTIVE, live=True, response=PairingMember.Response.ACCEPTED)


def _nudge_later(*, program: Program, actor, members, summary: str) -> int:
    day = timezone.localdate()
    ids = list(members.filter(_not_nudged(day)).order_by("pk").values_list("pk", flat=True))
    if ids:
        later.nudge_emails(ids, day)
        audit_record(
            program=program,
            actor=actor,
            action=AuditEvent.Action.NUDGED,
            summary=f"{summary}: {len(ids)} {'person' if len(ids) == 1 else 'people'}",
            detail={"members": ids[:1000], "day": day.isoformat()},
        )
    return len(ids)


@transaction.atomic
def proposals_nudge(*, program: Program, actor, lapsing_only: bool = False) -> int:
    """Email everyone who has not answered a waiting proposal in the programme (only
    those lapsing soon, with ``lapsing_only``), from workers. A member is nudged at most
    once a day: those nudged today already are left out, and the send claims the day
    (member_nudge). Returns how many were asked for."""
    _require_admin(program=program, user=actor)
    members = PairingMember.objects.filter(
        pairing__program=program,
        pairing__status=Pairing.Status.PROPOSED,
        response=PairingMember.Response.PENDING,
    )
    summary = "Nudged the people who have not answered a proposal"
    if lapsing_only:
        members = members.filter(pairing__expires_at__lt=schedule.lapsing_soon_by(timezone.now()))
        summary = "Nudged the people whose proposals lapse soon"
    return _nudge_later(program=program, actor=actor, members=members, summary=summary)


@transaction.atomic
def pairing_nudge(*, pairing: Pairing, actor) -> int:
    """Email both (all) members of an active pairing to hold their next check-in, at most
    once a day each. Returns how many were asked for (0: all nudged today already)."""
    _require_admin(program=pairing.program, user=actor)
    if pairing.status != Pairing.Status.ACTIVE:
        raise PairingError("Only an active pairing can be nudged to check in.")
    joined = pairing.members.filter(live=True, response=PairingMember.Response.ACCEPTED)
    members = list(joined.select_related("participant__employee"))
    return _nudge_later(
        program=pairing.program,
        actor=actor,
        members=joined,
        summary=f"Nudged {_member_names(members)} to check in",
    )


def member_nudge(*, member_id: int, day: date) -> bool:
    """Send HR's nudge to one member, at most once on ``day``: the reminder to answer a
    waiting proposal, or to hold the next check-in of an active pairing. False when there
    was nothing to send (nudged that day already, answered, or the pairing moved on).

    The day is claimed (nudged_on) before sending and released if sending fails, as in
    proposal_notify, so retries and repeated clicks never email twice a day."""
    claimed = _claim(
        PairingMember.objects.filter(_not_nudged(day), pk=member_id),
        PairingMember.objects.filter(_NUDGEABLE, pk=member_id),
    ).update(nudged_on=day)
    if claimed != 1:
        return False
    member = (
        PairingMember.objects.select_related("participant__employee", "pairing__program")
        .prefetch_related("pairing__members__participant__employee")
        .get(pk=member_id)
    )
    try:
        # Dates in the email on the member's own wall clock, as in their reminders.
        with timezone.override(member.participant.employee.tzinfo):
            emails.nudge_send(member)
    except Exception:
        PairingMember.objects.filter(pk=member_id, nudged_on=day).update(nudged_on=None)
        raise
    return True


@transaction.atomic
def pairings_end_for_leavers(*, employee_ids: list[int]) -> list[Pairing]:
    """End every live pairing (proposed, accepted or active) with one of these people in
    it, with the reason "left the organisation". Runs in the transaction that marked the
    leavers (programs.signals.employees_left); a second call ends nothing."""
    return _close_live_pairings(
        leaving=Q(participant__employee_id__in=employee_ids),
        reason=LEFT_ORGANISATION,
        cancel_proposals=False,
        user=None,
        notify=later.partner_left_emails,
    )


def _close_live_pairings(
    *, leaving: Q, reason: str, cancel_proposals: bool, user, notify
) -> list[Pairing]:
    """Close every live pairing with a member matching ``leaving``, with ``reason``: an
    open proposal is cancelled (``cancel_proposals``) or ended like the rest. The partners
    are free again at once: each is told by email (``notify`` their member ids), and where
    HR runs matching a mentee or peer left without a partner is proposed the next best one
    straight away. The one way leavers and withdrawals let go of their pairings."""
    live = PairingMember.objects.filter(leaving, live=True)
    touched = (
        Pairing.objects.select_for_update(of=("self",))
        .filter(pk__in=live.values("pairing_id"), status__in=Pairing.LIVE_STATUSES)
        .select_related("program")
    )
    closing = [p for p in touched if not (p.program.is_group and _group_goes_on(p, leaving))]
    if not closing:
        return []
    now = timezone.now()
    # Who is told: everyone else still in it (in a group, not those who declined it).
    partners = list(
        PairingMember.objects.filter(pairing__in=closing, live=True)
        .exclude(leaving)
        .select_related("participant__program", "participant__employee__user")
    )
    for pairing in closing:
        proposed = pairing.status == Pairing.Status.PROPOSED
        pairing.status = (
            Pairing.Status.CANCELLED if cancel_proposals and proposed else Pairing.Status.ENDED
        )
        pairing.ended_at = now
        pairing.ended_by = user
        pairing.end_reason = reason
        pairing.next_checkin_due = None
    Pairing.objects.bulk_update(
        closing, ["status", "ended_at", "ended_by", "end_reason", "next_checkin_due"]
    )
    PairingMember.objects.filter(pairing__in=closing).update(live=False)
    notify(m.pk for m in partners if m.participant.employee.user.is_active)
    for program in {pairing.program for pairing in closing}:
        _repropose_all(
            [
                m.participant
                for m in partners
                if m.role != PairingMember.Role.GUIDE
                and m.participant.program_id == program.pk
                and m.participant.employee.user.is_active
            ],
            program,
        )
    return closing


def _group_goes_on(pairing: Pairing, leaving: Q) -> bool:
    """Members matching ``leaving`` leave a live group, which goes on without them if it
    can: each is replaced by the best fitting free person, as after a decline; a proposal
    goes on while it could still start, a running group while two who joined remain. A
    mentoring group without its mentor cannot. False (nothing changed) when the group must
    close, which the caller does for everyone."""
    gone = set(pairing.members.filter(leaving, live=True).values_list("pk", flat=True))
    members = list(pairing.members.select_related("participant__employee__user"))
    if any(m.pk in gone and m.role == PairingMember.Role.GUIDE for m in members):
        return False
    for member in members:
        if member.pk in gone:
            member.live = False
    if pairing.status == Pairing.Status.PROPOSED:
        viable = rules.group_can_still_start(program=pairing.program, members=members)
    else:
        joined = [
            m
            for m in members
            if rules.in_group(m) and m.response == PairingMember.Response.ACCEPTED
        ]
        viable = len(joined) >= 2
    added = None
    if viable or pairing.status == Pairing.Status.PROPOSED:
        PairingMember.objects.filter(pk__in=gone).update(live=False)
        added = _group_top_up(pairing=pairing, members=members)
    if added is not None and not viable:
        members.append(added)
        viable = rules.group_can_still_start(program=pairing.program, members=members)
    if not viable:
        return False
    group_rescore(pairing)
    return True


def leavers_release(sender, employee_ids: list[int], **kwargs) -> None:
    """The receiver of programs.signals.employees_left (connected in PairingConfig)."""
    pairings_end_for_leavers(employee_ids=employee_ids)


def partner_left_notify(*, member_id: int) -> bool:
    """Tell one member that their pairing ended because their partner left, at most once
    (see `_notify_once`). False when there was nothing to send."""
    sent = _notify_once(
        member_id=member_id,
        stamp="partner_left_notified_at",
        when=Q(pairing__status=Pairing.Status.ENDED, pairing__end_reason=LEFT_ORGANISATION),
        send=emails.partner_left_send,
    )
    return sent is not None


@transaction.atomic
def pairings_close_for_withdrawn(*, participant_ids: list[int], actor=None) -> list[Pairing]:
    """Close every live pairing with one of these (just withdrawn) participants in it,
    with the reason "withdrew from the programme": a proposal is cancelled, an accepted or
    active pairing ends, and the partners are told and re-proposed as for leavers. Runs in
    the withdrawing transaction (programs.signals.participants_withdrawn); a second call
    closes nothing."""
    return _close_live_pairings(
        leaving=Q(participant_id__in=participant_ids),
        reason=WITHDREW,
        cancel_proposals=True,
        user=actor if getattr(actor, "is_authenticated", False) else None,
        notify=later.pairing_closed_emails,
    )


def withdrawn_release(sender, participant_ids: list[int], actor=None, **kwargs) -> None:
    """The receiver of programs.signals.participants_withdrawn (connected in PairingConfig)."""
    pairings_close_for_withdrawn(participant_ids=participant_ids, actor=actor)


def _open_proposal(pairing: Pairing) -> Pairing:
    pairing = _lock_pairing(pairing.pk)
    if pairing.status != Pairing.Status.PROPOSED:
        raise PairingError(_no_longer_open(pairing))
    return pairing


def _names(members) -> str:
    return " and ".join(m.participant.employee.name for m in members)


@transaction.atomic
def proposal_cancel(*, pairing: Pairing, actor, reason: str) -> tuple[Pairing, list[Pairing]]:
    """HR cancels a published proposal nobody has finished answering, with a reason
    everyone in it is emailed. The pair is never proposed again (rules.never_again_pairs);
    where HR runs matching its mentee (or both peers) are proposed the next best free
    partner at once, else they stay unmatched. Returns the cancelled proposal and any
    new ones. Raises PairingError when the proposal is no longer open."""
    reason = reason.strip()
    if not reason:
        raise PairingError("Give a reason: everyone in the proposal is told it.")
    pairing = _open_proposal(pairing)
    members = list(pairing.members.select_related("participant__program", "participant__employee"))
    _cancel_proposal(pairing=pairing, user=actor, reason=reason, now=timezone.now())
    later.pairing_closed_emails(m.pk for m in members)
    new = _repropose_all(
        [m.participant for m in members if m.role != PairingMember.Role.GUIDE], pairing.program
    )
    audit_record(
        program=pairing.program,
        actor=actor,
        action=AuditEvent.Action.PROPOSAL_CANCELLED,
        summary=f"Cancelled the proposal of {_names(members)}: {reason}",
        detail={
            "pairing": pairing.pk,
            "reason": reason,
            "new_proposals": [p.pk for p in new],
        },
    )
    return pairing, new


@transaction.atomic
def proposal_reassign(*, pairing: Pairing, guide_id: int, actor, reason: str = "") -> Pairing:
    """HR gives a mentee's open proposal to another mentor: the old proposal is cancelled
    (its people are emailed, and the old pair is never proposed again) and a new one is
    made with ``guide_id``, who is emailed to answer it. The new mentor must be one of the
    mentee's candidates now: enrolled, not paused, with a free place, allowed by the
    programme's rules and never declined with the mentee. Raises PairingError otherwise
    (nothing changes) and for peer coaching, whose proposals have no mentor to swap."""
    pairing = _open_proposal(pairing)
    program = pairing.program
    if program.is_group:
        raise PairingError(
            "A group's proposal is not reassigned: cancel it, and the next matching run forms "
            "the group again."
        )
    if program.is_peer:
        raise PairingError("Peer proposals have no mentor to reassign; cancel it instead.")
    members = list(pairing.members.select_related("participant__program", "participant__employee"))
    guide = next(m for m in members if m.role == PairingMember.Role.GUIDE)
    learner = next(m for m in members if m.role == PairingMember.Role.LEARNER)
    if guide.participant_id == guide_id:
        raise PairingError(f"{guide.participant.employee.name} is already proposed.")
    # The new mentor's row is locked so that two reassignments (or acceptances) racing
    # for their last place take turns, and their load is counted under the lock.
    Participant.objects.select_for_update(of=("self",)).filter(pk=guide_id, program=program).first()
    chosen = next(
        (
            c
            for c in selectors.candidates_for(participant=learner.participant, k=10**6)
            if c.participant.pk == guide_id
        ),
        None,
    )
    if chosen is None:
        raise PairingError(
            "That mentor cannot take this mentee: they have no free place, are paused, or "
            "the programme's rules or an earlier decline bar the pair."
        )
    note = f"Reassigned to {chosen.participant.employee.name}" + (f": {reason}" if reason else "")
    _cancel_proposal(pairing=pairing, user=actor, reason=note, now=timezone.now())
    later.pairing_closed_emails(m.pk for m in members)
    new = proposal_create(
        learner=learner.participant,
        partner=chosen.participant,
        source=Pairing.Source.PINNED,
        breakdown=chosen.breakdown,
        reasons=chosen.reasons,
    )
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.PROPOSAL_REASSIGNED,
        summary=f"Reassigned {learner.participant.employee.name} from "
        f"{guide.participant.employee.name} to {chosen.participant.employee.name}"
        + (f": {reason}" if reason else ""),
        detail={"pairing": pairing.pk, "new_pairing": new.pk, "reason": reason},
    )
    return new


def pairing_closed_notify(*, member_id: int) -> bool:
    """Tell one member that their proposal or pairing was closed by someone else: HR
    cancelled or reassigned it, their partner withdrew from the programme, or their group
    could not start (GROUP_CLOSED). At most once (see `_notify_once`); False when there
    was nothing to send."""
    sent = _notify_once(
        member_id=member_id,
        stamp="partner_left_notified_at",
        when=Q(pairing__status=Pairing.Status.CANCELLED)
        | Q(pairing__status=Pairing.Status.ENDED, pairing__end_reason=WITHDREW)
        # Whoever declined the group knows already.
        | (
            Q(pairing__status=Pairing.Status.DECLINED, pairing__end_reason__in=GROUP_CLOSED)
            & ~Q(response=PairingMember.Response.DECLINED)
        ),
        send=lambda member: emails.pairing_closed_send(
            member,
            withdrew=member.pairing.end_reason == WITHDREW,
            request_withdrawn=member.pairing.status == Pairing.Status.CANCELLED
            and member.pairing.end_reason in REQUEST_ENDS,
        ),
    )
    return sent is not None


# --- preferences (HR-run matching) -----------------------------------------------------

MAX_CHOICES = 3


@transaction.atomic
def choices_set(*, learner: Participant, candidate_ids: Sequence[int], user) -> list[Choice]:
    """A mentee's or peer's ranking for the next matching run, first choice first (at most
    MAX_CHOICES, each among their current suggestions): it replaces the one before."""
    if learner.employee.user_id != user.pk:
        raise PermissionDenied("This is not your enrolment.")
    if learner.is_guide:
        raise PairingError("Mentors mark who they would rather not take instead.")
    if len(candidate_ids) > MAX_CHOICES or len(set(candidate_ids)) != len(candidate_ids):
        raise PairingError(f"Choose up to {MAX_CHOICES} different people.")
    offered = {c.participant.pk for c in selectors.candidates_for(participant=learner)}
    if not set(candidate_ids) <= offered:
        raise PairingError("Someone you chose is no longer among your suggestions.")
    Choice.objects.filter(chooser=learner).delete()
    return Choice.objects.bulk_create(
        Choice(chooser=learner, candidate_id=pk, rank=rank)
        for rank, pk in enumerate(candidate_ids, start=1)
    )


@transaction.atomic
def rather_not_set(*, guide: Participant, learner_ids: Collection[int], user) -> int:
    """The mentees a mentor would rather not take, among those matching could propose to
    them (selectors.learners_for): marks on the others shown are removed. Returns how many
    are marked."""
    if guide.employee.user_id != user.pk:
        raise PermissionDenied("This is not your enrolment.")
    if not guide.is_guide:
        raise PairingError("Only mentors mark who they would rather not take.")
    shown = {c.participant.pk for c in selectors.learners_for(guide=guide)}
    if not set(learner_ids) <= shown:
        raise PairingError("Someone you marked is no longer among the people shown.")
    RatherNot.objects.filter(guide=guide, learner_id__in=shown - set(learner_ids)).delete()
    existing = set(
        RatherNot.objects.filter(guide=guide, learner_id__in=learner_ids).values_list(
            "learner_id", flat=True
        )
    )
    RatherNot.objects.bulk_create(
        RatherNot(guide=guide, learner_id=pk) for pk in learner_ids if pk not in existing
    )
    return len(learner_ids)
