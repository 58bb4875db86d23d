"""Reads for situational mentoring: the free slots of helpers' office hours."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from pairing import slots
from pairing.models import HelpSession, OfficeHours
from pairing.situational import rules


def free_slots(
    hours_list: Sequence[OfficeHours], *, now: datetime, ignoring: HelpSession | None = None
) -> dict[int, list[slots.Slot]]:
    """Each helper's bookable sessions (by helper participant id) from MIN_NOTICE after
    ``now`` to BOOKING_HORIZON ahead, earliest first: their weekly slots, less what
    overlaps a booked session and the months (the helper's own) where they reached their
    monthly cap. ``ignoring`` is a session being moved, whose time and place count as free.
    Paused office hours have none. One query, for the booked sessions; the caller loads
    each hours' slots (prefetch "slots") and helper__employee, helper__program."""
    start, end = now + rules.MIN_NOTICE, now + rules.BOOKING_HORIZON
    live = [hours for hours in hours_list if not hours.paused]
    booked: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if live:
        # The whole months the window touches, for the caps.
        first = min(slots.month_bounds(start, h.helper.employee.tzinfo)[0] for h in live)
        last = max(slots.month_bounds(end, h.helper.employee.tzinfo)[1] for h in live)
        sessions = HelpSession.objects.filter(
            helper_id__in=[h.helper_id for h in live],
            status=HelpSession.Status.BOOKED,
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
