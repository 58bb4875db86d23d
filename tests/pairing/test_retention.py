"""Retention: the free text of pairings over more than RETENTION_MONTHS ago is deleted."""

import logging
from datetime import UTC, date, datetime

import pytest
from django.test import override_settings

from pairing import rules, tasks
from pairing.models import CheckIn, Pairing, PairingMember
from pairing.retention import retention_apply
from pairing.services import LEFT_ORGANISATION, PAIRED_ELSEWHERE, REQUEST_WITHDRAWN
from programs.models import Participant
from tests.factories import make_participant

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
# Six months before NOW, to the second: the boundary.
CUTOFF = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)


def _ended(program, *, ended_at, end_reason="Goals met", status=Pairing.Status.ENDED):
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    mentee = make_participant(program=program)
    pairing = Pairing.objects.create(
        program=program,
        status=status,
        proposed_at=datetime(2019, 1, 1, tzinfo=UTC),
        expires_at=ended_at if status != Pairing.Status.ENDED else None,
        ended_at=ended_at if status == Pairing.Status.ENDED else None,
        end_reason=end_reason,
    )
    PairingMember.objects.create(
        pairing=pairing,
        participant=mentor,
        role="guide",
        response="declined" if status == Pairing.Status.DECLINED else "accepted",
        decline_reason="no_time" if status == Pairing.Status.DECLINED else "",
        decline_note="Too busy" if status == Pairing.Status.DECLINED else "",
        live=False,
    )
    PairingMember.objects.create(
        pairing=pairing, participant=mentee, role="learner", response="accepted", live=False
    )
    CheckIn.objects.create(
        pairing=pairing,
        held_on=date(2026, 2, 1),
        logged_by=mentee,
        summary="Talked goals",
        private_note="Mine",
        rating=4,
    )
    return pairing


def _text(pairing):
    pairing.refresh_from_db()
    checkin = pairing.checkins.get()
    notes = sorted(pairing.members.values_list("decline_note", flat=True))
    return pairing.end_reason, checkin.summary, checkin.private_note, notes, checkin.rating


def test_retention_clears_pairings_over_before_the_cutoff_only(program):
    old = _ended(program, ended_at=datetime(2026, 6, 2, 11, 59, 59, tzinfo=UTC))
    boundary = _ended(program, ended_at=CUTOFF)
    declined = _ended(
        program,
        ended_at=datetime(2026, 3, 1, tzinfo=UTC),
        end_reason="",
        status=Pairing.Status.DECLINED,
    )
    left = _ended(program, ended_at=datetime(2026, 1, 5, tzinfo=UTC), end_reason=LEFT_ORGANISATION)

    assert retention_apply(months=6, now=NOW) == 3

    assert _text(old) == ("", "", "", ["", ""], 4)
    assert _text(declined) == ("", "", "", ["", ""], 4)
    # The app's own words are not free text; the rating and status stay.
    assert _text(left) == (LEFT_ORGANISATION, "", "", ["", ""], 4)
    assert left.status == Pairing.Status.ENDED
    # Ended exactly six months ago: not *more* than six months.
    assert _text(boundary) == ("Goals met", "Talked goals", "Mine", ["", ""], 4)


@pytest.mark.parametrize("reason", ["Round 3 finished", PAIRED_ELSEWHERE, REQUEST_WITHDRAWN])
def test_retention_keeps_the_words_the_trust_rules_read(program, reason):
    """Blanked, a round's end (or a request settled elsewhere) would read as someone's
    verdict: an early ending, a cancellation barring the pair (rules.closed_by_circumstance)."""
    status = Pairing.Status.ENDED if reason.startswith("Round") else Pairing.Status.CANCELLED
    pairing = _ended(program, ended_at=datetime(2026, 1, 5, tzinfo=UTC), end_reason=reason)
    Pairing.objects.filter(pk=pairing.pk).update(
        status=status, activated_at=datetime(2025, 12, 1, tzinfo=UTC)
    )
    assert retention_apply(months=6, now=NOW) == 1
    assert _text(pairing) == (reason, "", "", ["", ""], 4)
    assert list(rules.ended_early(program_id=program.pk)) == []
    # The round's partners stay partners (never paired again by default); nothing more.
    partners = {tuple(sorted(pairing.members.values_list("participant_id", flat=True)))}
    assert rules.never_again_pairs(program=program) == (
        partners if status == Pairing.Status.ENDED else set()
    )


def test_retention_leaves_live_pairings_alone(program):
    live = _ended(program, ended_at=datetime(2025, 1, 1, tzinfo=UTC), status=Pairing.Status.ACTIVE)
    assert retention_apply(months=1, now=NOW) == 0
    assert _text(live) == ("Goals met", "Talked goals", "Mine", ["", ""], 4)


def test_retention_is_idempotent(program):
    _ended(program, ended_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert retention_apply(months=6, now=NOW) == 1
    assert retention_apply(months=6, now=NOW) == 0


def test_retention_off_by_default_changes_nothing(program, caplog):
    pairing = _ended(program, ended_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert retention_apply(months=0, now=NOW) == 0
    assert tasks.apply_retention.run() == 0
    assert _text(pairing) == ("Goals met", "Talked goals", "Mine", ["", ""], 4)


@override_settings(RETENTION_MONTHS=12)
def test_retention_task_uses_the_setting_and_logs(program, caplog):
    old = _ended(program, ended_at=datetime(2020, 1, 1, tzinfo=UTC))
    with caplog.at_level(logging.INFO, logger="pairing.retention"):
        assert tasks.apply_retention.run() == 1
    assert _text(old)[:3] == ("", "", "")
    assert [r.getMessage().split(" over before ")[0] for r in caplog.records] == [
        "Retention cleared 1 pairings"
    ]


def test_retention_is_scheduled_daily():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "pairing.tasks.apply_retention"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {41})
