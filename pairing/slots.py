"""Office-hours slots as instants: weekly wall-clock times in a helper's time zone turned
into the UTC start and end of each session, across the clock changes. Plain Python, no ORM.

A weekly slot means the same wall-clock time every week (09:30 in London stays 09:30 in
summer and in winter), so its distance from UTC moves with the clock changes. Two days a
year need a rule:
- spring forward: a local time that does not exist that day (01:30 in London on the last
  Sunday of March) is no slot that day, rather than a guess at what the helper meant;
- fall back: a local time that happens twice (01:30 in London on the last Sunday of
  October) is one slot, at its first occurrence (fold=0), so it is never offered twice.

Busy time is any iterable of (start, end) instants: the sessions already booked today; a
free/busy lookup in someone's calendar would add its intervals the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Slot:
    """One bookable session: UTC instants."""

    starts_at: datetime
    ends_at: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.starts_at < end and start < self.ends_at


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """``day`` at wall-clock ``at`` in ``zone`` as a UTC instant; None when that local time
    does not exist that day (skipped by a spring clock change). An ambiguous time (repeated
    by an autumn change) is its first occurrence."""
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    # A skipped local time does not survive the round trip: 01:30 in a gap comes back as
    # 02:30 (or 00:30), whichever fold is asked for.
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def occurrences(
    weekly: Iterable[tuple[int, time]],
    *,
    zone: ZoneInfo,
    minutes: int,
    start: datetime,
    end: datetime,
    busy: Iterable[tuple[datetime, datetime]] = (),
) -> list[Slot]:
    """Every session of the weekly slots ((weekday 0=Monday, local time) pairs) starting at
    or after ``start`` and before ``end`` (aware instants), earliest first, leaving out any
    that overlaps a busy interval."""
    length = timedelta(minutes=minutes)
    busy = list(busy)
    by_weekday: dict[int, list[time]] = {}
    for weekday, at in weekly:
        by_weekday.setdefault(weekday, []).append(at)
    found: list[Slot] = []
    # A day either side: a slot late on one local day can start early on the next UTC one.
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        for at in by_weekday.get(day.weekday(), ()):
            instant = local_instant(day, at, zone)
            if instant is None or not start <= instant < end:
                continue
            slot = Slot(instant, instant + length)
            if not any(slot.overlaps(b_start, b_end) for b_start, b_end in busy):
                found.append(slot)
        day += timedelta(days=1)
    return sorted(set(found), key=lambda slot: slot.starts_at)


def month_bounds(instant: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The calendar month (in ``zone``, the helper's) holding ``instant``, as UTC instants:
    a helper's monthly cap counts the sessions of their own month."""
    local = instant.astimezone(zone)
    first = date(local.year, local.month, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        datetime.combine(first, time(), tzinfo=zone).astimezone(UTC),
        datetime.combine(following, time(), tzinfo=zone).astimezone(UTC),
    )
