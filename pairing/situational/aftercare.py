"""After a session: marking it held, the two-question feedback, and continuing it as
ongoing mentoring.

Continuing is the asker's request to the helper in a mentoring programme both are in:
the asker's POST makes a proposal there (a self-select request, as candidate_request
makes, whatever the programme's matching mode), and the helper agrees by accepting it in
their inbox like any proposal, or declines it. The pair must pass every rule a request
passes (selectors.candidates_for: capacity, fair share, pauses, never-again pairs, the
manager and level rules); the checks before it only word the refusal exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from pairing import rules, selectors, services
from pairing.matching import barred_reason
from pairing.matchmaking.adapter import keys_by_employee, person_for, rules_for
from pairing.models import Challenge, HelpSession, Pairing, PairingMember, SessionFeedback
from programs.models import Participant, Program
from programs.services import participants_mark_active


class AftercareError(Exception):
    """A refused action, worded for the person who tried it."""


# The programmes a session may continue in: one mentor, one mentee, open or running.
CONVERT_KINDS = (Program.Kind.MENTORING, Program.Kind.REVERSE_MENTORING)
CONVERT_STATUSES = (Program.Status.ENROLLING, Program.Status.ACTIVE)

NOT_OFFERED = "Continuing this session as ongoing mentoring is not offered."


# --- held ----------------------------------------------------------------------------


def _locked(session: HelpSession) -> HelpSession:
    return (
        HelpSession.objects.select_for_update(of=("self",))
        .select_related("challenge")
        .get(pk=session.pk)
    )


@transaction.atomic
def session_mark_held(*, session: HelpSession, now: datetime | None = None) -> HelpSession:
    """The asker or the helper says the session took place: HELD, held_at, and the
    challenge DONE. Once is enough: marking a held session again changes nothing. Refused
    before the start and once cancelled."""
    now = now or timezone.now()
    session = _locked(session)
    if session.status == HelpSession.Status.HELD:
        return session
    if session.status == HelpSession.Status.CANCELLED:
        raise AftercareError("This session was cancelled, so it cannot be marked held.")
    if now < session.starts_at:
        raise AftercareError("This session has not started yet: mark it held once it has.")
    session.status = HelpSession.Status.HELD
    session.held_at = now
    session.save(update_fields=["status", "held_at"])
    Challenge.objects.filter(pk=session.challenge_id).update(status=Challenge.Status.DONE)
    return session


# --- feedback ------------------------------------------------------------------------


def feedback_open(session: HelpSession, *, now: datetime) -> bool:
    """Feedback is asked once the session is held, or its end has passed (people forget
    to mark it held); never for a cancelled one."""
    if session.status == HelpSession.Status.CANCELLED:
        return False
    return session.status == HelpSession.Status.HELD or session.ends_at <= now


def feedback_give(
    *,
    session: HelpSession,
    participant: Participant,
    helpful: bool,
    meet_again: bool,
    now: datetime | None = None,
) -> tuple[SessionFeedback, bool]:
    """Record one person's two answers, once: (their feedback, True) when recorded now; a
    second answer changes nothing and returns (the first, False)."""
    now = now or timezone.now()
    if not feedback_open(session, now=now):
        raise AftercareError(
            "Feedback opens once the session has taken place."
            if session.status != HelpSession.Status.CANCELLED
            else "This session was cancelled, so there is nothing to give feedback on."
        )
    try:
        with transaction.atomic():
            feedback = SessionFeedback.objects.create(
                session=session,
                participant=participant,
                helpful=helpful,
                meet_again=meet_again,
                created_at=now,
            )
    except IntegrityError:
        return SessionFeedback.objects.get(session=session, participant=participant), False
    return feedback, True


# --- continue as ongoing mentoring -----------------------------------------------------


@dataclass(frozen=True)
class ConvertOption:
    """A programme the session may continue in, with the asker's and the helper's
    enrolments there."""

    program: Program
    mentee: Participant
    mentor: Participant


def convert_options(session: HelpSession) -> list[ConvertOption]:
    """The mentoring programmes (CONVERT_KINDS, CONVERT_STATUSES) where the asker is an
    active mentee and the helper an active mentor of the current round, by name. Two
    queries; ``session`` needs challenge__asker and helper loaded."""
    enrolments = (
        Participant.objects.active()
        .filter(program__kind__in=CONVERT_KINDS, program__status__in=CONVERT_STATUSES)
        .select_related("program", "employee")
    )
    mentors = {
        p.program_id: p
        for p in enrolments.filter(
            employee_id=session.helper.employee_id, role=Participant.Role.MENTOR
        )
    }
    mentees = enrolments.filter(
        employee_id=session.challenge.asker.employee_id,
        role=Participant.Role.MENTEE,
        program_id__in=list(mentors),
    ).order_by("program__name", "program_id")
    return [
        ConvertOption(program=m.program, mentee=m, mentor=mentors[m.program_id]) for m in mentees
    ]


def someone_said_no(session: HelpSession) -> bool:
    """Whether the asker or the helper answered "would you meet again?" with no: then
    continuing is offered to neither, whoever said it (answers are private, so the page
    does not say who)."""
    return SessionFeedback.objects.filter(session=session, meet_again=False).exists()


def convert_refusal(session: HelpSession) -> str | None:
    """Why this session cannot continue as ongoing mentoring at all, or None."""
    if session.converted_to_id is not None:
        return "This session already continued as ongoing mentoring."
    if session.status != HelpSession.Status.HELD:
        return "A session continues as ongoing mentoring once it is marked held."
    if someone_said_no(session):
        return NOT_OFFERED
    return None


def _lock_people(ids) -> None:
    # In id order, as services locks them, so that this and a request or an acceptance
    # racing for the same mentor's last place take turns and never deadlock.
    list(
        Participant.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _pair_refusal(option: ConvertOption) -> str | None:
    """Why the hard rules bar this mentee and mentor, in words, or None. Each rule is the
    one the rest of the app applies (rules, the engine's barred_reason)."""
    program, mentee, mentor = option.program, option.mentee, option.mentor
    name = mentor.employee.name
    if PairingMember.objects.filter(rules.HELD, participant=mentee).exists():
        return (
            f"You already have a pairing or a proposal in {program.name}; it has to end "
            "before you continue with someone else."
        )
    asked = rules.requests_made([mentee.pk]).get(mentee.pk, 0)
    if asked >= program.max_requests_per_mentee:
        return (
            f"You have asked {asked} of {program.max_requests_per_mentee} people already in "
            f"{program.name}. Withdraw a request, or wait for an answer, first."
        )
    if mentor.pk in rules.barred_partner_ids(mentee):
        return (
            f"You and {name} were proposed or paired in {program.name} before and may not "
            "be paired again."
        )
    keys = keys_by_employee([mentee, mentor])
    barred = barred_reason(
        person_for(mentor, key_of_employee=keys),
        person_for(mentee, key_of_employee=keys),
        rules_for(program),
    )
    if barred is not None:
        return f"You and {name} cannot be paired in {program.name} under its rules: {barred}."
    load = rules.guide_load([mentor.pk]).get(mentor.pk, 0)
    if load >= mentor.effective_capacity:
        return f"{name} has no free place left in {program.name}."
    return None


@transaction.atomic
def session_convert(*, session: HelpSession, program_id: int, user) -> Pairing:
    """The asker asks the helper to continue as ongoing mentoring in one of
    convert_options: a proposal in that programme, waiting for the mentor's answer, and
    the session's converted_to. A session converts once, whatever the answer."""
    session = (
        HelpSession.objects.select_for_update(of=("self",))
        .select_related("challenge__asker__employee", "helper__employee")
        .get(pk=session.pk)
    )
    if session.challenge.asker.employee.user_id != user.pk:
        raise PermissionDenied("Only the person who asked for help continues the session.")
    refusal = convert_refusal(session)
    if refusal is not None:
        raise AftercareError(refusal)
    option = next((o for o in convert_options(session) if o.program.pk == program_id), None)
    if option is None:
        raise AftercareError(
            "Choose a mentoring programme where you are a mentee and your helper a mentor."
        )
    _lock_people([option.mentee.pk, option.mentor.pk])
    mentee = (
        Participant.objects.select_related("program", "employee")
        .prefetch_related("goals", "expertise")
        .get(pk=option.mentee.pk)
    )
    mentor = (
        Participant.objects.select_related("program", "employee")
        .prefetch_related("goals", "expertise")
        .get(pk=option.mentor.pk)
    )
    option = ConvertOption(program=mentee.program, mentee=mentee, mentor=mentor)
    refusal = _pair_refusal(option)
    if refusal is not None:
        raise AftercareError(refusal)
    # The gate every request passes, which also holds the fair share (no more requests
    # waiting for a mentor than their free places) and pauses.
    chosen = next(
        (
            c
            for c in selectors.candidates_for(participant=mentee, k=10**6)
            if c.participant.pk == mentor.pk
        ),
        None,
    )
    if chosen is None:
        raise AftercareError(
            f"{mentor.employee.name} cannot take another mentee in {option.program.name} "
            "now: they are paused, or have as many proposals waiting as free places."
        )
    try:
        pairing = services.proposal_create(
            learner=mentee,
            partner=chosen.participant,
            source=Pairing.Source.SELF_SELECT,
            breakdown=chosen.breakdown,
            reasons=chosen.reasons,
        )
    except services.PairingError as error:
        raise AftercareError(str(error)) from None
    session.converted_to = pairing
    session.save(update_fields=["converted_to"])
    participants_mark_active(participant_ids=[mentee.pk])
    return pairing


# --- reads for the pages -------------------------------------------------------------


@dataclass(frozen=True)
class AfterView:
    """What the after-the-session block shows one of the two people (see
    templates/pairing/includes/session_after.html)."""

    session: HelpSession
    me: Participant
    other: Participant
    is_asker: bool
    can_mark_held: bool
    feedback_open: bool
    my_feedback: SessionFeedback | None
    # Why continuing is not possible at all (None: it is, or the session is not held yet).
    convert_refusal: str | None
    # The asker's programmes to continue in (empty for the helper, and when refused).
    convert_options: list[ConvertOption]


def after_view(*, session: HelpSession, me: Participant, now: datetime) -> AfterView:
    """The block's content for ``me`` (selectors.session_side). At most four queries."""
    is_asker = me.pk == session.challenge.asker_id
    held = session.status == HelpSession.Status.HELD
    refusal = convert_refusal(session) if held else None
    return AfterView(
        session=session,
        me=me,
        other=session.helper if is_asker else session.challenge.asker,
        is_asker=is_asker,
        can_mark_held=session.status == HelpSession.Status.BOOKED and session.starts_at <= now,
        feedback_open=feedback_open(session, now=now),
        my_feedback=SessionFeedback.objects.filter(session=session, participant=me).first(),
        convert_refusal=refusal,
        convert_options=convert_options(session) if is_asker and held and not refusal else [],
    )
