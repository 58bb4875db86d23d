"""Reads for a situational programme's HR dashboard: requests, sessions, feedback, the
topics nobody offers, conversions to ongoing mentoring and each helper's load.

A fixed number of queries whatever the programme's size (SITUATIONAL_DASHBOARD_QUERIES).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from pairing import slots
from pairing.models import Challenge, HelpSession, OfficeHours, SessionFeedback
from pairing.situational import rules
from programs.models import Participant, Program, Topic

# The dashboard's period unless HR picks one.
DEFAULT_PERIOD_DAYS = 90


@dataclass(frozen=True)
class HelperLoad:
    name: str
    time_zone: str
    paused: bool
    this_month: int
    cap: int

    @property
    def full(self) -> bool:
        return self.this_month >= self.cap


@dataclass(frozen=True)
class SituationalFigures:
    start: date
    end: date
    requests: int
    booked: int
    held: int
    cancelled: int
    answers: int
    helpful: int
    meet_again: int
    converted: int
    converted_live: int
    # (topic name, challenges in the period that asked for it), most asked first.
    unoffered: list[tuple[str, int]]
    helpers: list[HelperLoad]

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def helpful_share(self) -> float | None:
        return self._share(self.helpful, self.answers)

    @property
    def meet_again_share(self) -> float | None:
        return self._share(self.meet_again, self.answers)


def default_period(today: date) -> tuple[date, date]:
    """The last DEFAULT_PERIOD_DAYS days, today included."""
    return today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


def _instants(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's dates (both included) as instants in the site's time zone."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time(), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(), tzinfo=zone),
    )


def helpers_of(program: Program):
    """The programme's people who may offer help now (rules.offers_help)."""
    return Participant.objects.filter(rules.offers_help(program))


def offering_helpers(program: Program):
    """The helpers anyone can book now: office hours published (at least one weekly
    slot) and not paused."""
    return helpers_of(program).filter(office_hours__paused=False, office_hours__slots__isnull=False)


def situational_figures(
    *, program: Program, start: date, end: date, now: datetime | None = None
) -> SituationalFigures:
    """The dashboard's figures for the period from ``start`` to ``end`` (dates, both
    included). Requests are the challenges created in it; sessions count by when they were
    booked, held or cancelled; feedback and conversions are of the sessions held in it;
    the helpers' load is of their own calendar month holding ``now``. Six queries."""
    now = now or timezone.now()
    since, until = _instants(start, end)
    challenges = Challenge.objects.filter(
        asker__program=program, created_at__gte=since, created_at__lt=until
    )
    requests = challenges.count()
    held_in = Q(status=HelpSession.Status.HELD, held_at__gte=since, held_at__lt=until)
    sessions = HelpSession.objects.filter(helper__program=program).aggregate(
        booked=Count("pk", filter=Q(booked_at__gte=since, booked_at__lt=until)),
        held=Count("pk", filter=held_in),
        cancelled=Count(
            "pk",
            filter=Q(
                status=HelpSession.Status.CANCELLED,
                cancelled_at__gte=since,
                cancelled_at__lt=until,
            ),
        ),
        converted=Count("pk", filter=held_in & Q(converted_to__isnull=False)),
        converted_live=Count("pk", filter=held_in & Q(converted_to__activated_at__isnull=False)),
    )
    feedback = SessionFeedback.objects.filter(
        session__helper__program=program,
        session__status=HelpSession.Status.HELD,
        session__held_at__gte=since,
        session__held_at__lt=until,
    ).aggregate(
        answers=Count("pk"),
        helpful=Count("pk", filter=Q(helpful=True)),
        meet_again=Count("pk", filter=Q(meet_again=True)),
    )
    offered = offering_helpers(program).filter(expertise=OuterRef("pk"))
    unoffered = (
        Topic.objects.filter(challenges__in=challenges)
        .exclude(Exists(offered))
        .annotate(asked=Count("challenges", distinct=True))
        .order_by("-asked", "name")
        .values_list("name", "asked")
    )
    return SituationalFigures(
        start=start,
        end=end,
        requests=requests,
        unoffered=list(unoffered),
        helpers=helper_loads(program=program, now=now),
        **sessions,
        **feedback,
    )


def helper_loads(*, program: Program, now: datetime) -> list[HelperLoad]:
    """Each helper with office hours (paused or not): the sessions booked or held in their
    own calendar month holding ``now``, against their cap (rules.monthly_cap). Two
    queries: the helpers, then every such session of the months concerned."""
    hours_list = list(
        OfficeHours.objects.filter(helper__in=helpers_of(program))
        .select_related("helper__employee", "helper__program")
        .order_by("helper__employee__name", "pk")
    )
    if not hours_list:
        return []
    months = {h.helper_id: slots.month_bounds(now, h.helper.employee.tzinfo) for h in hours_list}
    counts = Counter(
        helper_id
        for helper_id, starts_at in HelpSession.objects.filter(
            helper_id__in=list(months),
            status__in=rules.TAKE_A_PLACE,
            starts_at__gte=min(first for first, _ in months.values()),
            starts_at__lt=max(last for _, last in months.values()),
        ).values_list("helper_id", "starts_at")
        if months[helper_id][0] <= starts_at < months[helper_id][1]
    )
    return [
        HelperLoad(
            name=h.helper.employee.name,
            time_zone=h.helper.employee.time_zone,
            paused=h.paused,
            this_month=counts[h.helper_id],
            cap=rules.monthly_cap(h),
        )
        for h in hours_list
    ]
