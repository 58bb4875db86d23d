"""Meeting times for pairings and groups: proposing, answering, agreeing, and the emails.

One member of an active pairing or group proposes one to MeetingProposal.MAX_OPTIONS
times; everyone else who meets ticks the ones that suit them. When they have all answered,
the earliest future time that suits every one of them is agreed and goes into everyone's
calendar (an .ics with the next check-in beside it); when none does, the proposer is asked
to propose again. A pairing has one open proposal at a time: a new one withdraws the open
one, and a new one made before an agreed meeting has happened cancels that meeting in the
calendars (METHOD:CANCEL, same UID, SEQUENCE one higher).

Who counts is decided at the moment of settling: the members who meet now (meeting_members).
Someone who leaves a group while a proposal is open is no longer waited for, and their
answer no longer counts; the proposal then settles at the next answer (or change of answer)
by someone still in it. A pair whose partner leaves is no longer active, so its proposal can
no longer be answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from pairing import ics, later, rules
from pairing.models import MeetingOption, MeetingProposal, MeetingReply, Pairing, PairingMember
from pairing.notices import send_once
from programs.emails import send_templated
from programs.models import Participant

Status = MeetingProposal.Status
CALENDAR_MIMETYPE = "text/calendar"


class MeetingError(Exception):
    """A change the rules refuse; the message is shown to the person who asked."""


def meeting_members(pairing: Pairing, members=None) -> list[PairingMember]:
    """Who meets: in the pairing or group now and accepted it (a pair's two, a group's
    joined members). ``members`` may pass the pairing's members already loaded."""
    members = pairing.members.all() if members is None else members
    return [
        m for m in members if rules.in_group(m) and m.response == PairingMember.Response.ACCEPTED
    ]


def _url(name: str, pk: int) -> str:
    return settings.SITE_URL + reverse(f"pairing:{name}", args=[pk])


# --- selectors -------------------------------------------------------------------------


def _member_of(members, user) -> PairingMember | None:
    return next((m for m in members if m.participant.employee.user_id == user.pk), None)


def _members_prefetch() -> Prefetch:
    return Prefetch(
        "members", queryset=PairingMember.objects.select_related("participant__employee")
    )


@dataclass
class ProposePage:
    pairing: Pairing
    me: PairingMember
    members: list[PairingMember]  # who meets

    @property
    def can_propose(self) -> bool:
        return self.pairing.status == Pairing.Status.ACTIVE and self.me in self.members


def propose_page_get(*, user, pk: int) -> ProposePage:
    """The pairing ``pk`` for one of its members (any answer but a decline); else 404."""
    pairing = (
        Pairing.objects.filter(pk=pk, members__participant__employee__user=user)
        .select_related("program")
        .prefetch_related(_members_prefetch())
        .distinct()
        .first()
    )
    me = _member_of(pairing.members.all(), user) if pairing else None
    if me is None or me.response == PairingMember.Response.DECLINED:
        raise Http404("No such pairing.")
    members = list(pairing.members.all())
    return ProposePage(pairing=pairing, me=me, members=meeting_members(pairing, members))


@dataclass
class MeetingPage:
    proposal: MeetingProposal
    me: PairingMember
    members: list[PairingMember]  # who meets
    options: list[MeetingOption]
    replies: dict[int, MeetingReply]  # by participant id

    @property
    def is_proposer(self) -> bool:
        return self.me.participant_id == self.proposal.proposed_by_id

    @property
    def can_answer(self) -> bool:
        return (
            self.proposal.status == Status.OPEN
            and self.proposal.pairing.status == Pairing.Status.ACTIVE
            and self.me in self.members
            and not self.is_proposer
        )

    @property
    def my_reply(self) -> MeetingReply | None:
        return self.replies.get(self.me.participant_id)

    @property
    def answers(self) -> list[tuple[PairingMember, MeetingReply | None]]:
        """Everyone asked, with their answer so far (None: not yet)."""
        return [
            (m, self.replies.get(m.participant_id))
            for m in self.members
            if m.participant_id != self.proposal.proposed_by_id
        ]


def meeting_page_get(*, user, pk: int) -> MeetingPage:
    """A meeting proposal for a member of its pairing who is in it now; else 404.
    Five queries, whatever the number of members, options and answers."""
    proposal = (
        MeetingProposal.objects.filter(pk=pk, pairing__members__participant__employee__user=user)
        .select_related("pairing__program", "proposed_by__employee", "agreed")
        .prefetch_related(
            Prefetch("pairing__members", queryset=_members_prefetch().queryset),
            "options",
            Prefetch("replies", queryset=MeetingReply.objects.prefetch_related("suits")),
        )
        .distinct()
        .first()
    )
    all_members = list(proposal.pairing.members.all()) if proposal else []
    me = _member_of(all_members, user)
    # Someone who declined or has left the group no longer sees who says what, nor gets
    # everyone's addresses in the .ics.
    if me is None or not rules.in_group(me):
        raise Http404("No such meeting.")
    return MeetingPage(
        proposal=proposal,
        me=me,
        members=meeting_members(proposal.pairing, all_members),
        options=list(proposal.options.all()),
        replies={r.participant_id: r for r in proposal.replies.all()},
    )


def meeting_for_pairing(*, pairing: Pairing, now: datetime | None = None):
    """For the pairing page: its latest proposal (withdrawn ones aside) when it is open,
    agreed for a time still to come, or found no time; else None. Two queries (the
    proposal, its options)."""
    now = now or timezone.now()
    proposal = (
        MeetingProposal.objects.filter(pairing=pairing)
        .exclude(status=Status.WITHDRAWN)
        .select_related("agreed")
        .prefetch_related("options")
        .first()
    )
    if (
        proposal is not None
        and proposal.status == Status.AGREED
        and proposal.agreed.starts_at <= now
    ):
        return None  # held: the check-ins take it from here
    return proposal


def upcoming_meeting(*, pairing: Pairing, now: datetime) -> MeetingProposal | None:
    """The pairing's agreed meeting still to come (the latest agreed), with its time as
    ``agreed``: what the check-in-due reminder points to. One query."""
    return (
        MeetingProposal.objects.filter(
            pairing=pairing, status=Status.AGREED, agreed__starts_at__gt=now
        )
        .select_related("agreed")
        .first()
    )


# --- services --------------------------------------------------------------------------


@transaction.atomic
def meeting_propose(
    *,
    pairing: Pairing,
    proposer: Participant,
    starts: list[datetime],
    minutes: int,
    now: datetime | None = None,
) -> MeetingProposal:
    """Propose ``starts`` (1 to MAX_OPTIONS distinct future instants) for a meeting of
    ``minutes``. Withdraws the pairing's open proposal, and cancels an agreed meeting that
    has not happened yet; everyone else is emailed the times."""
    now = now or timezone.now()
    # Locking the pairing serialises proposals: two at once cannot both stay open.
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.status != Pairing.Status.ACTIVE:
        raise MeetingError("Times can only be proposed while the pairing is active.")
    if proposer.pk not in {m.participant_id for m in meeting_members(pairing)}:
        raise MeetingError("Only someone who meets in this pairing can propose times.")
    if not 1 <= len(starts) <= MeetingProposal.MAX_OPTIONS:
        raise MeetingError(f"Propose one to {MeetingProposal.MAX_OPTIONS} times.")
    if len(set(starts)) != len(starts):
        raise MeetingError("Each time can be proposed once.")
    if any(start <= now for start in starts):
        raise MeetingError("Every time must be in the future.")
    cancelled = []
    for old in (
        pairing.meeting_proposals.select_for_update(of=("self",))
        .filter(status__in=(Status.OPEN, Status.AGREED))
        .select_related("agreed")
    ):
        if old.status == Status.AGREED:
            if old.agreed is None or old.agreed.starts_at <= now:
                continue  # it has happened: it stays agreed, in the history
            # The calendars hold it at this sequence; the cancellation must be higher.
            old.sequence += 1
            cancelled.append(old)
        old.status = Status.WITHDRAWN
        old.save(update_fields=["status", "sequence"])
    proposal = MeetingProposal(pairing=pairing, proposed_by=proposer, minutes=minutes)
    proposal.full_clean()
    proposal.save()
    MeetingOption.objects.bulk_create(
        MeetingOption(proposal=proposal, starts_at=start) for start in sorted(starts)
    )
    for old in cancelled:
        later.meeting_cancelled_emails(old.pk)
    later.meeting_proposed_emails(proposal.pk)
    return proposal


@transaction.atomic
def meeting_answer(
    *,
    proposal: MeetingProposal,
    participant: Participant,
    suits: list[MeetingOption],
    now: datetime | None = None,
) -> MeetingProposal:
    """Record which of the proposal's times suit ``participant`` (possibly none), replacing
    an earlier answer, then settle the proposal when everyone asked has answered."""
    now = now or timezone.now()
    # The row lock: of two last answers at once, the second waits here until the first
    # commits, then sees its answer and settles, exactly once. Unlocked, each would see
    # only its own answer and the proposal would stay open. (SQLite has no row locks; it
    # serialises the writing transactions instead.)
    proposal = (
        MeetingProposal.objects.select_for_update(of=("self",))
        .select_related("pairing")
        .get(pk=proposal.pk)
    )
    if proposal.status != Status.OPEN:
        raise MeetingError("These times are no longer open: " + proposal.get_status_display())
    if proposal.pairing.status != Pairing.Status.ACTIVE:
        raise MeetingError("The pairing is no longer active.")
    if participant.pk == proposal.proposed_by_id:
        raise MeetingError("You proposed these times; the others answer.")
    members = meeting_members(proposal.pairing)
    if participant.pk not in {m.participant_id for m in members}:
        raise MeetingError("Only someone who meets in this pairing can answer.")
    options = {o.pk: o for o in proposal.options.all()}
    if any(o.pk not in options for o in suits):
        raise MeetingError("Those are not this proposal's times.")
    reply, _ = MeetingReply.objects.update_or_create(
        proposal=proposal, participant=participant, defaults={"replied_at": now}
    )
    reply.suits.set(suits)
    _settle(proposal, members=members, options=list(options.values()), now=now)
    return proposal


def _settle(proposal: MeetingProposal, *, members, options, now: datetime) -> None:
    """Agree the earliest future time that suits everyone asked, or say none does, once
    they have all answered. Runs under the proposal's row lock."""
    asked = {m.participant_id for m in members} - {proposal.proposed_by_id}
    replies = MeetingReply.objects.filter(proposal=proposal, participant__in=asked)
    suits: dict[int, set[int]] = {}
    for participant_id, option_id in replies.values_list("participant_id", "suits"):
        suits.setdefault(participant_id, set())
        if option_id is not None:
            suits[participant_id].add(option_id)
    if set(suits) != asked:
        return
    common = set.intersection(*suits.values()) if suits else {o.pk for o in options}
    # A time that has passed while the answers came in cannot be agreed any more.
    agreed = next(
        (
            o
            for o in sorted(options, key=lambda o: o.starts_at)
            if o.pk in common and o.starts_at > now
        ),
        None,
    )
    if agreed is None:
        proposal.status = Status.NO_TIME
        proposal.save(update_fields=["status"])
        later.meeting_no_time_emails(proposal.pk)
        return
    proposal.status = Status.AGREED
    proposal.agreed = agreed
    proposal.agreed_at = now
    proposal.save(update_fields=["status", "agreed", "agreed_at"])
    later.meeting_agreed_emails(proposal.pk)


# --- the calendar file ------------------------------------------------------------------


def _attendee(participant: Participant) -> ics.Attendee:
    return ics.Attendee(name=participant.employee.name, email=participant.employee.email)


def _names(names: list[str]) -> str:
    return names[0] if len(names) < 2 else ", ".join(names[:-1]) + " and " + names[-1]


def meeting_calendar(proposal: MeetingProposal, *, members, method: str) -> bytes:
    """The agreed meeting as an .ics (REQUEST), with the pairing's next check-in as an
    all-day event beside it; or its cancellation (CANCEL, the meeting alone: cancelling must
    not remove the check-in). ``members`` are those who meet, employees loaded."""
    pairing = proposal.pairing
    program = pairing.program
    option = proposal.agreed
    url = _url("meeting_detail", proposal.pk)
    everyone = _names([m.participant.employee.name for m in members])
    event = ics.Event(
        uid=ics.uid_for(proposal.uid),
        sequence=proposal.sequence,
        starts_at=option.starts_at,
        ends_at=option.starts_at + timedelta(minutes=proposal.minutes),
        summary=f"{program.name}: meeting",
        description=f"{program.name}: {everyone}. Details: {url}",
        organizer=_attendee(proposal.proposed_by),
        attendees=[_attendee(m.participant) for m in members],
        url=url,
    )
    stamp = timezone.now()
    due = pairing.next_checkin_due
    if method == ics.CANCEL or due is None:
        return ics.invitation(event, method=method, stamp=stamp)
    pairing_url = settings.SITE_URL + pairing.get_absolute_url()
    checkin = ics.DayEvent(
        uid=f"checkin-{pairing.pk}-{due.isoformat()}@pairwise",
        day=due,
        summary=f"{program.name}: check-in due",
        description=f"{program.name}: the next check-in is due. Log it at {pairing_url}",
        url=pairing_url,
    )
    return ics.invitation_with_days(event, days=[checkin], method=method, stamp=stamp)


# --- emails (called by the tasks; each person hears each thing once) ---------------------


def _load(proposal_id: int) -> MeetingProposal | None:
    return (
        MeetingProposal.objects.select_related(
            "pairing__program", "proposed_by__employee", "agreed"
        )
        .prefetch_related(
            Prefetch("pairing__members", queryset=_members_prefetch().queryset), "options"
        )
        .filter(pk=proposal_id)
        .first()
    )


def _send(*, key: str, member: PairingMember, name: str, context: dict, attachments=()) -> bool:
    """Email ``name`` to ``member`` once per ``key``, rendered in their time zone."""
    employee = member.participant.employee

    def send() -> None:
        with timezone.override(employee.tzinfo):
            send_templated(
                name=name,
                to=[employee.email],
                context={"name": employee.name, "tz_name": employee.time_zone, **context},
                attachments=attachments,
            )

    return send_once(key=key, participant=member.participant, send=send)


def _context(proposal: MeetingProposal, members) -> dict:
    return {
        "proposal": proposal,
        "program": proposal.pairing.program,
        "proposer": proposal.proposed_by.employee.name,
        "options": list(proposal.options.all()),
        "meeting_url": _url("meeting_detail", proposal.pk),
        "propose_url": _url("meeting_propose", proposal.pairing_id),
        "everyone": _names([m.participant.employee.name for m in members]),
    }


def meeting_proposed_notify(*, proposal_id: int) -> int:
    """Email everyone asked (all who meet but the proposer) the proposed times, in their
    own time zone, with the link to answer. Returns how many were sent now."""
    proposal = _load(proposal_id)
    if proposal is None or proposal.status != Status.OPEN:
        return 0
    members = meeting_members(proposal.pairing, list(proposal.pairing.members.all()))
    # Whether these times replace earlier ones, which the email then says are withdrawn.
    replaces = (
        proposal.pairing.meeting_proposals.filter(
            status=Status.WITHDRAWN, created_at__lte=proposal.created_at
        )
        .exclude(pk=proposal.pk)
        .exists()
    )
    context = {**_context(proposal, members), "replaces": replaces}
    return sum(
        _send(
            key=f"meeting:{proposal.uid}:proposed",
            member=m,
            name="meeting-proposed",
            context=context,
        )
        for m in members
        if m.participant_id != proposal.proposed_by_id
    )


def meeting_agreed_notify(*, proposal_id: int) -> int:
    """Email everyone who meets the agreed time with its .ics (and the next check-in)."""
    proposal = _load(proposal_id)
    if proposal is None or proposal.status != Status.AGREED:
        return 0
    members = meeting_members(proposal.pairing, list(proposal.pairing.members.all()))
    body = meeting_calendar(proposal, members=members, method=ics.REQUEST)
    context = {**_context(proposal, members), "ics_url": _url("meeting_ics", proposal.pk)}
    return sum(
        _send(
            key=f"meeting:{proposal.uid}:invite:{proposal.sequence}",
            member=m,
            name="meeting-agreed",
            # "You and Nia meet", to each of them.
            context={
                **context,
                "everyone": "You and "
                + _names([o.participant.employee.name for o in members if o.pk != m.pk]),
            },
            attachments=[("meeting.ics", body, CALENDAR_MIMETYPE)],
        )
        for m in members
    )


def meeting_no_time_notify(*, proposal_id: int) -> int:
    """Tell the proposer that no time suited everyone, and to propose again."""
    proposal = _load(proposal_id)
    if proposal is None or proposal.status != Status.NO_TIME:
        return 0
    members = meeting_members(proposal.pairing, list(proposal.pairing.members.all()))
    return sum(
        _send(
            key=f"meeting:{proposal.uid}:no-time",
            member=m,
            name="meeting-no-time",
            context=_context(proposal, members),
        )
        for m in members
        if m.participant_id == proposal.proposed_by_id
    )


def meeting_cancelled_notify(*, proposal_id: int) -> int:
    """Tell everyone who meets that an agreed meeting is off (new times were proposed),
    with the METHOD:CANCEL .ics that takes it out of their calendar."""
    proposal = _load(proposal_id)
    if proposal is None or proposal.status != Status.WITHDRAWN or proposal.agreed is None:
        return 0
    members = meeting_members(proposal.pairing, list(proposal.pairing.members.all()))
    body = meeting_calendar(proposal, members=members, method=ics.CANCEL)
    return sum(
        _send(
            key=f"meeting:{proposal.uid}:cancel:{proposal.sequence}",
            member=m,
            name="meeting-cancelled",
            context=_context(proposal, members),
            attachments=[("meeting.ics", body, CALENDAR_MIMETYPE)],
        )
        for m in members
    )
