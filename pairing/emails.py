"""The pairing emails, one function each (see programs.emails for how they are made)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from pairing import rules
from pairing.models import PairingMember
from programs.accounts import sign_in_link
from programs.emails import render_templated, send_templated
from programs.models import Program

# Reminders. pairing.reminders builds the context (and the calendar file) and sends the
# message itself, so these only render.

CALENDAR_MIMETYPE = "text/calendar"


def checkin_due(*, to: str, context: dict, invitation: bytes) -> EmailMultiAlternatives:
    return render_templated(
        name="checkin-due",
        to=[to],
        context=context,
        attachments=[("check-in.ics", invitation, CALENDAR_MIMETYPE)],
    )


def checkin_overdue(*, to: str, context: dict, invitation: bytes) -> EmailMultiAlternatives:
    return render_templated(
        name="checkin-overdue",
        to=[to],
        context=context,
        attachments=[("check-in.ics", invitation, CALENDAR_MIMETYPE)],
    )


def proposal_waiting(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="proposal-waiting", to=[to], context=context)


def no_first_checkin(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="no-first-checkin", to=[to], context=context)


def pairing_stalled(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="pairing-stalled", to=[to], context=context)


def closing_survey(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="closing-survey", to=[to], context=context)


# What a proposal in each group kind proposes ("We propose you for a peer coaching circle").
GROUP_UNITS = {
    Program.Kind.PEER_CIRCLES: "peer coaching circle",
    Program.Kind.CO_DEVELOPMENT: "co-development group",
    Program.Kind.GROUP_MENTORING: "mentoring group",
}


def _joined(names: list[str]) -> str:
    """ "Ana", "Ana and Ben", "Ana, Ben and Cy"."""
    return names[0] if len(names) < 2 else ", ".join(names[:-1]) + " and " + names[-1]


def proposal_new_send(member) -> None:
    """Tell a member who must answer (a mentor, or a peer; in a group, everyone) about a
    new proposal. Someone who has never signed in gets their set-your-password link in it,
    which then lands them on the proposal."""
    pairing = member.pairing
    user = member.participant.employee.user
    others = [
        m for m in pairing.members.select_related("participant__employee") if m.pk != member.pk
    ]
    partners = [m.participant for m in others]
    guide = next((m.participant for m in others if m.role == m.Role.GUIDE), None)
    send_templated(
        name="proposal-new",
        to=[member.participant.employee.email],
        context={
            "member": member,
            "pairing": pairing,
            "program": pairing.program,
            "partners": partners,
            # A group: what it is, its mentor (when it has one and it is not the reader),
            # and the names of the others in it.
            "group": GROUP_UNITS.get(pairing.program.kind, ""),
            "guide": guide,
            "colleagues": _joined(
                [m.participant.employee.name for m in others if m.role != m.Role.GUIDE]
            ),
            "proposal_url": settings.SITE_URL
            + reverse("pairing:proposal_detail", args=[pairing.pk]),
            "sign_in_link": sign_in_link(user) if user.last_login is None else "",
        },
    )


def _partner_names(member) -> str:
    """The others in the pairing or group, leaving out who declined it."""
    names = [
        m.participant.employee.name
        for m in member.pairing.members.all()
        if m.pk != member.pk and m.response != m.Response.DECLINED
    ]
    return names[-1] if len(names) < 2 else ", ".join(names[:-1]) + " and " + names[-1]


def _home_link(user) -> str:
    """Where an email sends someone to carry on: their home page, or for someone who has
    never signed in (imported, invited), their set-your-password link, which lands there."""
    return sign_in_link(user) if user.last_login is None else settings.SITE_URL + reverse("home")


def _closed_send(member, *, name: str, **extra) -> None:
    """The email ``name`` telling a member their pairing (or proposal) closed without
    them: with whom, and what happens next for them (``extra`` adds to the context)."""
    pairing = member.pairing
    program = pairing.program
    send_templated(
        name=name,
        to=[member.participant.employee.email],
        context={
            "member": member,
            "pairing": pairing,
            "program": program,
            "partners": _partner_names(member),
            "is_guide": member.role == member.Role.GUIDE,
            "hr_matches": program.matching_mode == program.MatchingMode.ADMIN,
            "home_url": _home_link(member.participant.employee.user),
            **extra,
        },
    )


def partner_left_send(member) -> None:
    """Tell a member their pairing ended because their partner left the organisation."""
    _closed_send(member, name="partner-left")


def pairing_closed_send(member, *, withdrew: bool, request_withdrawn: bool = False) -> None:
    """Tell a member their proposal or pairing was closed by someone else: their partner
    withdrew from the programme (``withdrew``), HR cancelled or reassigned the proposal,
    the learner withdrew their self-select request (``request_withdrawn``), or their group
    could not start (its end_reason says why)."""
    status = member.pairing.status
    _closed_send(
        member,
        name="pairing-closed",
        withdrew=withdrew,
        request_withdrawn=request_withdrawn,
        group_closed=status == member.pairing.Status.DECLINED,
        was_proposal=status in (member.pairing.Status.CANCELLED, member.pairing.Status.DECLINED),
    )


def presenter_next(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="presenter-next", to=[to], context=context)


def nudge_send(member) -> None:
    """HR's nudge to one member: answer the waiting proposal (the same email as its
    reminder), or hold the next check-in of an active pairing."""
    pairing = member.pairing
    context = {
        "name": member.participant.employee.name,
        "program": pairing.program,
        "pairing": pairing,
        "partners": _partner_names(member),
    }
    to = [member.participant.employee.email]
    if pairing.status == pairing.Status.PROPOSED:
        proposal_waiting(
            to=to[0],
            context={
                **context,
                "expires_at": pairing.expires_at,
                "pairing_url": settings.SITE_URL
                + reverse("pairing:proposal_detail", args=[pairing.pk]),
            },
        ).send()
        return
    send_templated(
        name="checkin-nudge",
        to=to,
        context={
            **context,
            "due_on": pairing.next_checkin_due,
            "pairing_url": settings.SITE_URL + pairing.get_absolute_url(),
        },
    )


def pairing_ended_send(member) -> None:
    """Tell a member HR ended their pairing: who, and why (the pairing's end_reason)."""
    ended_by = member.pairing.ended_by
    _closed_send(
        member,
        name="pairing-ended",
        ended_by=getattr(getattr(ended_by, "employee", None), "name", "Someone"),
    )


def round_started_send(participant, number: int) -> None:
    """Tell someone of the round before that round ``number`` of their programme started:
    whether their pairing ended with the last round, and that they are in the new round
    or how to join it (a button on their home page)."""
    program = participant.program
    user = participant.employee.user
    ended = [
        m.participant.employee.name
        for m in PairingMember.objects.filter(
            pairing__members__participant=participant,
            pairing__end_reason=rules.round_finished_reason(number - 1),
            # A proposal the round cancelled was never a pairing.
            pairing__activated_at__isnull=False,
        )
        .exclude(participant=participant)
        .select_related("participant__employee")
    ]
    send_templated(
        name="round-started",
        to=[participant.employee.email],
        context={
            "participant": participant,
            "program": program,
            "number": number,
            "ended_with": _joined(ended) if ended else "",
            "joined": participant.round == number,
            "hr_matches": program.matching_mode == program.MatchingMode.ADMIN,
            "home_url": _home_link(user),
        },
    )


def auto_paused_send(*, participant, lapses: int) -> None:
    """Someone was paused for letting proposals lapse: until when, and how to resume."""
    send_templated(
        name="auto-paused",
        to=[participant.employee.email],
        context={
            "name": participant.employee.name,
            "program": participant.program,
            "paused_until": participant.paused_until,
            "lapses": lapses,
            "enrolment_url": settings.SITE_URL
            + reverse("programs:program_enrol", args=[participant.program.slug]),
        },
    )
