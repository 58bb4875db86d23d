"""Slot instants across the clock changes of 2026: London (29 March, 25 October) and New
York (8 March, 1 November). A weekly slot keeps its wall-clock time, so its UTC instant
moves by an hour; a time the spring change skips is no slot that day, and a time the
autumn change repeats is one slot, at its first occurrence."""

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing import slots
from tests.factories import make_situational_program
from tests.pairing.situational.cast import asker, at, helper

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def _starts(zone, weekday, local, start, end, minutes=30):
    return [
        (s.starts_at, s.ends_at)
        for s in slots.occurrences(
            [(weekday, time.fromisoformat(local))],
            zone=zone,
            minutes=minutes,
            start=at(start),
            end=at(end),
        )
    ]


def _pairs(*starts, minutes=30):
    return [(at(s), at(s) + timedelta(minutes=minutes)) for s in starts]


@pytest.mark.parametrize(
    ("zone", "start", "end", "expected"),
    [
        # London spring: Tuesday 09:30 is 09:30Z in GMT, 08:30Z in BST.
        (
            LONDON,
            "2026-03-23T00:00Z",
            "2026-04-01T00:00Z",
            ["2026-03-24T09:30Z", "2026-03-31T08:30Z"],
        ),
        # London autumn: back from 08:30Z to 09:30Z.
        (
            LONDON,
            "2026-10-19T00:00Z",
            "2026-10-28T00:00Z",
            ["2026-10-20T08:30Z", "2026-10-27T09:30Z"],
        ),
        # New York spring: 14:30Z in EST, 13:30Z in EDT.
        (
            NEW_YORK,
            "2026-03-02T00:00Z",
            "2026-03-11T00:00Z",
            ["2026-03-03T14:30Z", "2026-03-10T13:30Z"],
        ),
        # New York autumn: back from 13:30Z to 14:30Z.
        (
            NEW_YORK,
            "2026-10-26T00:00Z",
            "2026-11-04T00:00Z",
            ["2026-10-27T13:30Z", "2026-11-03T14:30Z"],
        ),
    ],
)
def test_a_normal_slot_keeps_its_local_time_across_the_change(zone, start, end, expected):
    assert _starts(zone, 1, "09:30", start, end) == _pairs(*expected)


@pytest.mark.parametrize(
    ("zone", "local", "start", "end", "expected"),
    [
        # London skips 01:00-02:00 on Sunday 29 March: 01:30 is no slot that day only.
        (
            LONDON,
            "01:30",
            "2026-03-21T00:00Z",
            "2026-04-06T00:00Z",
            ["2026-03-22T01:30Z", "2026-04-05T00:30Z"],
        ),
        # New York skips 02:00-03:00 on Sunday 8 March.
        (
            NEW_YORK,
            "02:30",
            "2026-02-28T00:00Z",
            "2026-03-16T00:00Z",
            ["2026-03-01T07:30Z", "2026-03-15T06:30Z"],
        ),
    ],
)
def test_a_slot_in_the_spring_gap_is_absent_that_day_only(zone, local, start, end, expected):
    assert _starts(zone, 6, local, start, end) == _pairs(*expected)


@pytest.mark.parametrize(
    ("zone", "start", "end", "expected"),
    [
        # London repeats 01:00-02:00 on Sunday 25 October: 01:30 once, in BST (00:30Z).
        (
            LONDON,
            "2026-10-17T00:00Z",
            "2026-11-02T00:00Z",
            ["2026-10-18T00:30Z", "2026-10-25T00:30Z", "2026-11-01T01:30Z"],
        ),
        # New York repeats 01:00-02:00 on Sunday 1 November: 01:30 once, in EDT (05:30Z).
        (
            NEW_YORK,
            "2026-10-24T00:00Z",
            "2026-11-09T00:00Z",
            ["2026-10-25T05:30Z", "2026-11-01T05:30Z", "2026-11-08T06:30Z"],
        ),
    ],
)
def test_a_slot_in_the_autumn_repeat_is_offered_once_at_its_first_occurrence(
    zone, start, end, expected
):
    assert _starts(zone, 6, "01:30", start, end) == _pairs(*expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "shown", "value"),
    [
        # Both on winter time: GMT 09:30 is 04:30 EST.
        ("2026-03-02T12:00Z", "Tue 3 Mar, 04:30", "2026-03-03T09:30:00+00:00"),
        # New York moved on 8 March, London not yet: 09:30Z is 05:30 EDT.
        ("2026-03-09T12:00Z", "Tue 10 Mar, 05:30", "2026-03-10T09:30:00+00:00"),
        # London moved on 29 March too: BST 09:30 is 08:30Z, 04:30 EDT again.
        ("2026-03-30T12:00Z", "Tue 31 Mar, 04:30", "2026-03-31T08:30:00+00:00"),
    ],
)
def test_a_london_slot_shows_in_new_york_time_across_the_changes(
    client, monkeypatch, now, shown, value
):
    monkeypatch.setattr(timezone, "now", lambda: at(now))
    program = make_situational_program()
    helper(program, zone="Europe/London", slots=[(1, "09:30")])
    challenge = asker(program, zone="America/New_York")
    client.force_login(challenge.asker.employee.user)

    page = client.get(reverse("pairing:challenge_detail", args=[challenge.pk])).content.decode()

    buttons = re.findall(r'<button type="submit" class="[^"]*btn-sm"[^>]*>([^<]*)</button>', page)
    assert buttons[0] == shown
    assert f'name="starts_at" value="{value}"' in page
    assert "Times are in your time zone, <strong>America/New_York</strong>." in page
