"""iCalendar invitations (RFC 5545, with RFC 5546's methods) for sessions and meetings.

One event per thing that happens, identified by its UID for its whole life: the first
invitation and every update are METHOD:REQUEST, a cancellation METHOD:CANCEL, each with a
SEQUENCE higher than the last, so a calendar replaces (or removes) the event it already
holds instead of adding a second one. Times are written in UTC; each calendar shows them in
its owner's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import icalendar

PRODID = "-//Pairwise//Sessions and meetings//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def uid_for(key) -> str:
    """The event's UID for the life of a session or meeting (its UUID), globally unique as
    RFC 5545 asks."""
    return f"{key}@pairwise"


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Event:
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    organizer: Attendee
    attendees: Sequence[Attendee]
    url: str = ""


def _address(person: Attendee, *, role: str | None = None) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = icalendar.vText(person.name)
    if role:
        address.params["role"] = icalendar.vText(role)
        address.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        address.params["rsvp"] = icalendar.vText("FALSE")
    return address


def invitation(event: Event, *, method: str, stamp: datetime) -> bytes:
    """The .ics body for ``event``: a REQUEST (new or changed) or a CANCEL."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"method must be {REQUEST} or {CANCEL}, not {method!r}")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.starts_at)
    vevent.add("dtend", event.ends_at)
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    vevent.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    vevent.add("organizer", _address(event.organizer))
    for person in event.attendees:
        vevent.add("attendee", _address(person, role="REQ-PARTICIPANT"), encode=0)
    if event.url:
        vevent.add("url", event.url)
    calendar.add_component(vevent)
    return calendar.to_ical()


@dataclass(frozen=True, slots=True)
class DayEvent:
    """An all-day entry (a check-in's due date): the date is what is due, not a time, so
    it shows on that day in every time zone, and it does not mark the day busy."""

    uid: str
    day: date
    summary: str
    description: str
    url: str = ""


def invitation_with_days(
    event: Event, *, days: Sequence[DayEvent], method: str, stamp: datetime
) -> bytes:
    """``invitation(event)`` with the all-day ``days`` as further events of the same
    calendar file, so one attachment puts a meeting and the next check-in in a calendar."""
    calendar = icalendar.Calendar.from_ical(invitation(event, method=method, stamp=stamp))
    for day in days:
        vevent = icalendar.Event()
        vevent.add("uid", day.uid)
        vevent.add("sequence", 0)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", day.day)
        vevent.add("dtend", day.day + timedelta(days=1))
        vevent.add("summary", day.summary)
        vevent.add("description", day.description)
        vevent.add("transp", "TRANSPARENT")
        if day.url:
            vevent.add("url", day.url)
        calendar.add_component(vevent)
    return calendar.to_ical()
