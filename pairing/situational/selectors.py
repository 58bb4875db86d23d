"""Reads for situational mentoring: the free slots of helpers' office hours, who can help
with a challenge, and the pages' objects, each loaded for the viewer (404 for others)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from pairing import slots
from pairing.matching import (
    GUIDE,
    LEARNER,
    Breakdown,
    Criterion,
    Person,
    criteria,
    explain,
    score_pair,
)
from pairing.matchmaking import adapter
from pairing.models import Challenge, HelpSession, OfficeHours
from pairing.situational import rules
from programs.models import Participant, Program

# The helpers a challenge page offers, and the free slots shown for each.
HELPERS_SHOWN = 5
SLOTS_SHOWN = 6
# The criteria a helper is explained by: what a one-off session turns on. (Departments
# score too, but "from another department" is no reason to pick a helper for one hour.)
EXPLAINED = ("goals", "level", "style")


def free_slots(
    hours_list: Sequence[OfficeHours], *, now: datetime, ignoring: HelpSession | None = None
) -> dict[int, list[slots.Slot]]:
    """Each helper's bookable sessions (by helper participant id) from MIN_NOTICE after
    ``now`` to BOOKING_HORIZON ahead, earliest first: their weekly slots, less what
    overlaps a booked (or held) session and the months (the helper's own) where they
    reached their monthly cap. ``ignoring`` is a session being moved, whose time and place
    count as free. Paused office hours have none but for such a move. One query, for the
    sessions; the caller loads each hours' slots (prefetch "slots") and helper__employee,
    helper__program."""
    start, end = now + rules.MIN_NOTICE, now + rules.BOOKING_HORIZON
    # A pause stops new bookings, not moving a session already booked.
    live = [hours for hours in hours_list if not hours.paused or ignoring is not None]
    booked: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if live:
        # The whole months the window touches, for the caps.
        first = min(slots.month_bounds(start, h.helper.employee.tzinfo)[0] for h in live)
        last = max(slots.month_bounds(end, h.helper.employee.tzinfo)[1] for h in live)
        sessions = HelpSession.objects.filter(
            helper_id__in=[h.helper_id for h in live],
            status__in=rules.TAKE_A_PLACE,
            starts_at__gte=first,
            starts_at__lt=last,
        )
        if ignoring is not None:
            sessions = sessions.exclude(pk=ignoring.pk)
        for helper_id, starts_at, ends_at in sessions.values_list(
            "helper_id", "starts_at", "ends_at"
        ):
            booked[helper_id].append((starts_at, ends_at))
    found: dict[int, list[slots.Slot]] = {hours.helper_id: [] for hours in hours_list}
    for hours in live:
        zone = hours.helper.employee.tzinfo
        busy = booked[hours.helper_id]
        per_month = Counter(slots.month_bounds(s, zone)[0] for s, _ in busy)
        cap = rules.monthly_cap(hours)
        found[hours.helper_id] = [
            slot
            for slot in slots.occurrences(
                [(s.weekday, s.starts_at) for s in hours.slots.all()],
                zone=zone,
                minutes=hours.session_minutes,
                start=start,
                end=end,
                busy=busy,
            )
            if per_month[slots.month_bounds(slot.starts_at, zone)[0]] < cap
        ]
    return found


# --- Pages ---------------------------------------------------------------------------------


def helper_get(*, user, slug: str) -> Participant:
    """The viewer's own enrolment in the situational programme ``slug``, when they may
    offer help there (rules.may_offer_help); 404 otherwise."""
    helper = (
        Participant.objects.select_related("program", "employee")
        .filter(program__slug=slug, employee__user=user, program__kind=Program.Kind.SITUATIONAL)
        .first()
    )
    if helper is None or not rules.may_offer_help(helper):
        raise Http404("You do not offer help in this programme.")
    return helper


def asker_get(*, user, slug: str) -> Participant:
    """The viewer's own enrolment in the situational programme ``slug``, still enrolled and
    the programme not closed; 404 otherwise."""
    return get_object_or_404(
        Participant.objects.select_related("program", "employee").exclude(
            program__status=Program.Status.CLOSED
        ),
        program__slug=slug,
        program__kind=Program.Kind.SITUATIONAL,
        employee__user=user,
        withdrawn_at__isnull=True,
    )


def office_hours_of(*, helper: Participant) -> OfficeHours:
    """The helper's office hours with their weekly slots, or new unsaved ones (30
    minutes, no slots) for someone who has not published any yet."""
    hours = OfficeHours.objects.filter(helper=helper).prefetch_related("slots").first()
    if hours is None:
        hours = OfficeHours(helper=helper)
    hours.helper = helper  # already loaded, with its programme and employee
    return hours


def upcoming_sessions(*, helper: Participant, now: datetime) -> list[HelpSession]:
    """The helper's booked sessions that have not ended, earliest first, with the askers."""
    return list(
        HelpSession.objects.filter(
            helper=helper, status=HelpSession.Status.BOOKED, ends_at__gt=now
        ).select_related("challenge__asker__employee")
    )


def challenges_of(*, asker: Participant) -> list[Challenge]:
    """The asker's challenges, newest first, with their topics and booked sessions."""
    return list(
        Challenge.objects.filter(asker=asker).prefetch_related(
            "topics",
            Prefetch(
                "sessions",
                queryset=HelpSession.objects.filter(status=HelpSession.Status.BOOKED),
                to_attr="booked",
            ),
        )
    )


def challenge_get(*, user, pk: int) -> Challenge:
    """A challenge of the viewer's, with its asker, programme and topics; 404 for anyone
    but the asker (a challenge is the asker's to share by booking, nobody else's to see)."""
    return get_object_or_404(
        Challenge.objects.select_related("asker__employee", "asker__program").prefetch_related(
            "topics"
        ),
        pk=pk,
        asker__employee__user=user,
    )


def session_get(*, user, pk: int) -> HelpSession:
    """A session the viewer is in (the asker or the helper), with both people, the
    programme and the challenge's topics; 404 for anyone else."""
    return get_object_or_404(
        HelpSession.objects.select_related(
            "challenge__asker__employee__user",
            "challenge__asker__program",
            "helper__employee__user",
            "helper__program",
            "cancelled_by__employee",
            "converted_to__program",
        ).prefetch_related("challenge__topics"),
        Q(challenge__asker__employee__user=user) | Q(helper__employee__user=user),
        pk=pk,
    )


def session_side(session: HelpSession, user) -> Participant:
    """The viewer's own enrolment in ``session`` (from session_get): the asker's or the
    helper's."""
    asker = session.challenge.asker
    return asker if asker.employee.user_id == user.pk else session.helper


def hours_for_booking(*, helper_id: int) -> OfficeHours | None:
    """One helper's office hours, loaded as free_slots needs them."""
    return (
        OfficeHours.objects.select_related("helper__employee", "helper__program")
        .prefetch_related("slots")
        .filter(helper_id=helper_id)
        .first()
    )


def reschedule_slots(*, session: HelpSession, now: datetime) -> list[slots.Slot]:
    """The helper's free slots a session could move to: its own time counts as free for
    the others it overlaps, and is left out itself (the session is already there)."""
    hours = hours_for_booking(helper_id=session.helper_id)
    if hours is None:
        return []
    free = free_slots([hours], now=now, ignoring=session)[hours.helper_id]
    return [s for s in free if s.starts_at != session.starts_at]


# --- Who can help ------------------------------------------------------------------------


@dataclass
class HelperOption:
    """One helper offered for a challenge: the engine's breakdown and reasons, their next
    free slots."""

    hours: OfficeHours
    breakdown: Breakdown
    reasons: list[str]
    criteria: list[Criterion]
    slots: list[slots.Slot]
    more: int  # free slots beyond the ones shown

    @property
    def helper(self) -> Participant:
        return self.hours.helper

    @property
    def score(self) -> float:
        return round(self.breakdown.total, 1)


def _people(
    challenge: Challenge, helpers: Sequence[Participant]
) -> tuple[Person, dict[int, Person]]:
    """The asker (a learner whose goals are the challenge's topics) and the helpers
    (guides offering their expertise) as the engine sees them; prefetch the challenge's
    topics and the helpers' expertise. The pool is the asker and these helpers, so the
    manager rule sees who manages whom among them."""
    asker = challenge.asker
    keys = adapter.keys_by_employee([asker, *helpers])
    learner = replace(
        adapter.person_for(
            asker,
            key_of_employee=keys,
            goals=[t.name for t in challenge.topics.all()],
            expertise=(),
        ),
        role=LEARNER,
    )
    # Anyone may offer help in some programmes: as a helper, a mentee guides too.
    guides = {
        h.pk: replace(adapter.person_for(h, key_of_employee=keys, goals=()), role=GUIDE)
        for h in helpers
    }
    return learner, guides


def helper_breakdown(*, challenge: Challenge, helper: Participant) -> Breakdown | None:
    """The engine's score of ``helper`` for ``challenge``, None when a hard rule forbids
    the two (one manages the other, the levels, the same person)."""
    learner, guides = _people(challenge, [helper])
    return score_pair(guides[helper.pk], learner, adapter.rules_for(challenge.asker.program))


def helpers_for(
    *, challenge: Challenge, now: datetime, k: int = HELPERS_SHOWN, shown: int = SLOTS_SHOWN
) -> list[HelperOption]:
    """The ``k`` best helpers for ``challenge`` by the programme's own scores, best first
    (ties by participant id), each with their next ``shown`` free slots. Leaves out the
    asker, paused office hours, helpers with no free slot, people who may not (or no
    longer) offer help, leavers, and whoever a hard rule forbids (manager and report).
    A fixed number of queries whatever the number of helpers."""
    asker = challenge.asker
    program = asker.program
    candidates = list(
        OfficeHours.objects.filter(rules.offers_help(program, "helper__"), paused=False)
        .exclude(helper=asker)
        .select_related("helper__employee", "helper__program")
        .prefetch_related("slots", "helper__expertise")
    )
    if not candidates:
        return []
    learner, guides = _people(challenge, [hours.helper for hours in candidates])
    engine_rules = adapter.rules_for(program)
    scored = []
    for hours in candidates:
        breakdown = score_pair(guides[hours.helper_id], learner, engine_rules)
        if breakdown is not None:
            scored.append((hours, breakdown))
    free = free_slots([hours for hours, _ in scored], now=now)
    scored = [(hours, b) for hours, b in scored if free[hours.helper_id]]
    scored.sort(key=lambda item: (-item[1].total, item[0].helper_id))
    options = []
    for hours, breakdown in scored[:k]:
        guide = guides[hours.helper_id]
        mine = free[hours.helper_id]
        options.append(
            HelperOption(
                hours=hours,
                breakdown=breakdown,
                reasons=explain(breakdown, guide, learner, engine_rules),
                criteria=[
                    c
                    for c in criteria(breakdown, guide, learner, engine_rules)
                    if c.name in EXPLAINED
                ],
                slots=mine[:shown],
                more=max(len(mine) - shown, 0),
            )
        )
    return options
