"""The writes of situational mentoring: office hours, challenges, and holding, moving and
cancelling a session.

A slot is held under the helper's lock: booking and rescheduling lock the helper's
OfficeHours row, recompute the helper's free slots (selectors.free_slots, the same read the
pages show) and only then write, so two people booking the last free place of a helper's
month, or the same slot, are served one after the other and the second sees the first's
session. The partial unique constraint on (helper, starts_at) while booked is the backstop.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from pairing import later, slots
from pairing.models import Challenge, HelpSession, OfficeHours, WeeklySlot
from pairing.situational import rules, selectors
from programs.models import Participant, Program
from programs.services import topics_from_names

MINUTES_A_WEEK = 7 * 24 * 60


class BookingError(Exception):
    """A booking, move or cancellation refused; the message is for the person."""


JUST_TAKEN = "That time was just taken. Please pick another."


# --- Office hours ---------------------------------------------------------------------------


def overlapping(weekly: Iterable[tuple[int, time]], *, minutes: int) -> list[tuple[int, time]]:
    """The weekly slots ((weekday, local time) pairs) that start before the one before them
    ends, given sessions of ``minutes``; the week wraps (Sunday late runs into Monday)."""
    starts = sorted(weekly)
    if len(starts) < 2:
        return []
    week = [(day * 24 * 60 + at.hour * 60 + at.minute, (day, at)) for day, at in starts]
    clashes = []
    for i, (start, slot) in enumerate(week):
        # The first slot of the week follows the last one of the week before.
        previous = week[i - 1][0] - (MINUTES_A_WEEK if i == 0 else 0)
        if start - previous < minutes:
            clashes.append(slot)
    return clashes


@transaction.atomic
def office_hours_save(
    *,
    helper: Participant,
    session_minutes: int,
    monthly_cap: int | None,
    paused: bool,
    expertise: list[str],
    weekly: list[tuple[int, time]],
    user,
) -> OfficeHours:
    """Publish (or change) ``helper``'s office hours: the session length, their monthly cap
    (never above the programme's), the pause, the topics they help with (their
    expertise) and the weekly slots, which replace the old ones. Sessions already booked
    stay as they are."""
    if helper.employee.user_id != user.pk or not rules.may_offer_help(helper):
        raise BookingError("You cannot offer help in this programme.")
    program_cap = helper.program.monthly_help_cap
    if monthly_cap is not None and monthly_cap > program_cap:
        raise BookingError(f"The programme allows at most {program_cap} sessions a month.")
    if overlapping(weekly, minutes=session_minutes):
        raise BookingError("Two of your weekly slots overlap.")
    OfficeHours.objects.get_or_create(helper=helper)
    # Under the bookings' lock: a booking in flight sees the old hours or the new, whole.
    hours = _hours_for_update(helper.pk)
    hours.session_minutes = session_minutes
    hours.monthly_cap = monthly_cap
    hours.paused = paused
    hours.updated_at = timezone.now()
    hours.full_clean()
    hours.save()
    hours.slots.all().delete()
    WeeklySlot.objects.bulk_create(
        WeeklySlot(office_hours=hours, weekday=day, starts_at=at) for day, at in sorted(weekly)
    )
    helper.expertise.set(topics_from_names(expertise, created_by=user))
    return hours


# --- Challenges ----------------------------------------------------------------------------


@transaction.atomic
def challenge_create(
    *, asker: Participant, topics: list[str], text: str, urgency: str, user
) -> Challenge:
    """Describe one challenge to get help with."""
    if asker.employee.user_id != user.pk or asker.withdrawn_at is not None:
        raise BookingError("You are not in this programme.")
    challenge = Challenge(asker=asker, text=text, urgency=urgency)
    challenge.full_clean()
    challenge.save()
    challenge.topics.set(topics_from_names(topics, created_by=user))
    return challenge


# --- Sessions ------------------------------------------------------------------------------


def _hours_for_update(helper_id: int) -> OfficeHours | None:
    """The helper's office hours, locked until the transaction ends: every booking and move
    of this helper's sessions waits here for the one before it. (The race test replaces
    this with a plain read to show what the lock prevents.)"""
    return (
        OfficeHours.objects.select_for_update(of=("self",))
        .select_related("helper__employee__user", "helper__program")
        .filter(helper_id=helper_id)
        .first()
    )


def _refusal(
    hours: OfficeHours, starts_at: datetime, *, now: datetime, ignoring: HelpSession | None
) -> str:
    """Why ``starts_at`` is not one of the helper's free slots, in words."""
    name = hours.helper.employee.name
    if hours.paused and ignoring is None:
        return f"{name} is not taking bookings right now."
    if starts_at < now + rules.MIN_NOTICE:
        hours_notice = int(rules.MIN_NOTICE.total_seconds() // 3600)
        return f"That time is too soon: book at least {hours_notice} hours ahead."
    if starts_at >= now + rules.BOOKING_HORIZON:
        return f"Sessions can be booked up to {rules.BOOKING_HORIZON.days} days ahead."
    zone = hours.helper.employee.tzinfo
    offered = slots.occurrences(
        [(s.weekday, s.starts_at) for s in hours.slots.all()],
        zone=zone,
        minutes=hours.session_minutes,
        start=starts_at,
        end=starts_at + timedelta(seconds=1),
    )
    if not offered:
        return f"{name} does not offer that time."
    # free_slots already left the full months out; counting again only picks the words.
    first, last = slots.month_bounds(starts_at, zone)
    booked = HelpSession.objects.filter(
        helper=hours.helper,
        status__in=rules.TAKE_A_PLACE,
        starts_at__gte=first,
        starts_at__lt=last,
    )
    if ignoring is not None:
        booked = booked.exclude(pk=ignoring.pk)
    if booked.count() >= rules.monthly_cap(hours):
        return f"{name} has no sessions left that month. Please pick a time in another month."
    return JUST_TAKEN


def _free(hours: OfficeHours, *, now: datetime, ignoring: HelpSession | None = None):
    return selectors.free_slots([hours], now=now, ignoring=ignoring)[hours.helper_id]


@transaction.atomic
def session_book(
    *,
    challenge: Challenge,
    helper_id: int,
    starts_at: datetime,
    user,
    now: datetime | None = None,
) -> HelpSession:
    """Book ``helper_id``'s free slot at ``starts_at`` for ``challenge``, under the helper's
    lock; both people get an invitation once it commits. Refused (BookingError) unless
    the asker books, the challenge has no booked session, the helper may help with it
    (the engine's hard rules) and ``starts_at`` is one of the helper's free slots now."""
    now = now or timezone.now()
    # The challenge first, then the helper: one booked session per challenge, and always
    # the same order of locks.
    challenge = (
        Challenge.objects.select_for_update(of=("self",))
        .select_related("asker__employee", "asker__program")
        .get(pk=challenge.pk)
    )
    if challenge.asker.employee.user_id != user.pk:
        raise BookingError("Only the person who asked can book a session.")
    if challenge.asker.withdrawn_at is not None or challenge.asker.program.status == (
        Program.Status.CLOSED
    ):
        raise BookingError("You are no longer in this programme.")
    if challenge.status == Challenge.Status.BOOKED:
        raise BookingError("This challenge already has a session booked: move or cancel it.")
    if challenge.status != Challenge.Status.OPEN:
        raise BookingError("This challenge is closed.")
    hours = _hours_for_update(helper_id)
    if (
        hours is None
        or hours.helper.program_id != challenge.asker.program_id
        or hours.helper_id == challenge.asker_id
        or not rules.may_offer_help(hours.helper)
        or not hours.helper.employee.user.is_active
        or selectors.helper_breakdown(challenge=challenge, helper=hours.helper) is None
    ):
        raise BookingError("Choose one of the people listed for your challenge.")
    free = _free(hours, now=now)
    slot = next((s for s in free if s.starts_at == starts_at), None)
    if slot is None:
        raise BookingError(_refusal(hours, starts_at, now=now, ignoring=None))
    session = HelpSession(
        challenge=challenge,
        helper=hours.helper,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        booked_at=now,
    )
    # The slot's own checks ran above; the constraint is the database's backstop below.
    session.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as error:
        # Only the lock being bypassed gets here: the constraint still holds the slot.
        raise BookingError(JUST_TAKEN) from error
    challenge.status = Challenge.Status.BOOKED
    challenge.save(update_fields=["status"])
    later.session_invites(session.pk, session.sequence)
    return session


def _participant_of(session: HelpSession, user) -> Participant:
    if session.challenge.asker.employee.user_id == user.pk:
        return session.challenge.asker
    if session.helper.employee.user_id == user.pk:
        return session.helper
    raise BookingError("This is not your session.")


def _locked_session(session: HelpSession) -> HelpSession:
    return (
        HelpSession.objects.select_for_update(of=("self",))
        .select_related("challenge__asker__employee", "helper__employee", "helper__program")
        .get(pk=session.pk)
    )


def unchangeable(session: HelpSession, *, now: datetime) -> str | None:
    """Why the session can no longer be cancelled or moved, or None while it can: only a
    booked session that has not started."""
    if session.status != HelpSession.Status.BOOKED:
        return "This session is no longer booked."
    if session.starts_at <= now:
        return "This session has already started."
    return None


def _changeable(session: HelpSession, *, now: datetime) -> None:
    if (problem := unchangeable(session, now=now)) is not None:
        raise BookingError(problem)


@transaction.atomic
def session_cancel(*, session: HelpSession, user, now: datetime | None = None) -> HelpSession:
    """Cancel a booked session that has not started (the asker or the helper). The
    challenge is open again, so the asker can book someone else; both people get the
    calendar's cancellation (same UID, next SEQUENCE) once it commits."""
    now = now or timezone.now()
    session = _locked_session(session)
    who = _participant_of(session, user)
    _changeable(session, now=now)
    session.status = HelpSession.Status.CANCELLED
    session.cancelled_at = now
    session.cancelled_by = who
    session.sequence += 1
    session.save(update_fields=["status", "cancelled_at", "cancelled_by", "sequence"])
    Challenge.objects.filter(pk=session.challenge_id, status=Challenge.Status.BOOKED).update(
        status=Challenge.Status.OPEN
    )
    later.session_invites(session.pk, session.sequence)
    return session


@transaction.atomic
def sessions_close_for(*, participant_ids: Iterable[int], now: datetime | None = None) -> int:
    """When these participants withdrew from their programme or left the organisation:
    cancel their sessions still to come, as asker or helper (both people get the
    calendar's cancellation; nobody is named as cancelling), and withdraw their open
    challenges, so nobody books them or is reminded of a session that cannot happen. The
    number of sessions cancelled; a second call cancels nothing."""
    now = now or timezone.now()
    ids = list(participant_ids)
    sessions = list(
        HelpSession.objects.select_for_update(of=("self",)).filter(
            Q(helper_id__in=ids) | Q(challenge__asker_id__in=ids),
            status=HelpSession.Status.BOOKED,
            starts_at__gt=now,
        )
    )
    for session in sessions:
        session.status = HelpSession.Status.CANCELLED
        session.cancelled_at = now
        session.sequence += 1
        session.save(update_fields=["status", "cancelled_at", "sequence"])
        later.session_invites(session.pk, session.sequence)
    # The other side's challenge is open again (they book someone else); the leaver's own
    # challenges are withdrawn.
    Challenge.objects.filter(
        pk__in=[s.challenge_id for s in sessions], status=Challenge.Status.BOOKED
    ).exclude(asker_id__in=ids).update(status=Challenge.Status.OPEN)
    Challenge.objects.filter(
        asker_id__in=ids, status__in=(Challenge.Status.OPEN, Challenge.Status.BOOKED)
    ).update(status=Challenge.Status.WITHDRAWN)
    return len(sessions)


@transaction.atomic
def session_reschedule(
    *, session: HelpSession, starts_at: datetime, user, now: datetime | None = None
) -> HelpSession:
    """Move a booked session to another of the helper's free slots (the asker or the
    helper), under the helper's lock as a booking is; both people get the updated
    invitation (same UID, next SEQUENCE) once it commits."""
    now = now or timezone.now()
    hours = _hours_for_update(session.helper_id)
    session = _locked_session(session)
    _participant_of(session, user)
    _changeable(session, now=now)
    if hours is None:
        raise BookingError("These office hours are gone.")
    if starts_at == session.starts_at:
        raise BookingError("The session is already at that time.")
    slot = next(
        (s for s in _free(hours, now=now, ignoring=session) if s.starts_at == starts_at), None
    )
    if slot is None:
        raise BookingError(_refusal(hours, starts_at, now=now, ignoring=session))
    session.starts_at, session.ends_at = slot.starts_at, slot.ends_at
    session.sequence += 1
    try:
        with transaction.atomic():
            session.save(update_fields=["starts_at", "ends_at", "sequence"])
    except IntegrityError as error:
        raise BookingError(JUST_TAKEN) from error
    later.session_invites(session.pk, session.sequence)
    return session
