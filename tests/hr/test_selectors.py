"""Programme health figures, on one small programme whose every number is worked out by hand."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from pairing.hr import selectors as health
from pairing.hr.selectors import TopicBalance
from pairing.models import CheckIn, Pairing, PairingMember, SurveyResponse
from pairing.services import proposal_accept
from programs.models import Participant, Program
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_participant,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db

MENTOR = Participant.Role.MENTOR
MENTEE = Participant.Role.MENTEE
Status = Pairing.Status


def make_pairing(
    *,
    program,
    guide,
    learner,
    status,
    proposed_at,
    answered_after=None,
    decline_reason="",
    activated_at=None,
):
    """A mentoring pairing as the services leave it: the mentee's side accepted on
    proposal, the mentor's answer `answered_after` the proposal, `live` mirroring status."""
    live = status in Pairing.LIVE_STATUSES
    pairing = Pairing.objects.create(
        program=program,
        status=status,
        score=80,
        proposed_at=proposed_at,
        activated_at=activated_at,
    )
    response = PairingMember.Response.PENDING
    if decline_reason:
        response = PairingMember.Response.DECLINED
    elif answered_after is not None:
        response = PairingMember.Response.ACCEPTED
    PairingMember.objects.create(
        pairing=pairing,
        participant=guide,
        role=PairingMember.Role.GUIDE,
        response=response,
        responded_at=proposed_at + answered_after if answered_after else None,
        decline_reason=decline_reason,
        live=live,
    )
    PairingMember.objects.create(
        pairing=pairing,
        participant=learner,
        role=PairingMember.Role.LEARNER,
        response=PairingMember.Response.ACCEPTED,
        responded_at=proposed_at,
        live=live,
    )
    return pairing


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def scene(today):
    """3 mentors (one paused), 4 mentees (and one withdrawn), 5 pairings in 5 states."""
    program = make_program(kind=Program.Kind.MENTORING)  # cadence 28 days
    now = timezone.now()
    m1 = make_participant(program=program, role=MENTOR, expertise=["Python", "Leadership"])
    m2 = make_participant(program=program, role=MENTOR, expertise=["Python"], capacity=2)
    make_participant(
        program=program,
        role=MENTOR,
        expertise=["Negotiation"],
        paused_until=today + timedelta(days=30),
    )
    l1 = make_participant(program=program, goals=["Python", "Leadership"])
    l2 = make_participant(program=program, goals=["Negotiation"])
    l3 = make_participant(program=program, goals=["Python"])
    l4 = make_participant(program=program, goals=["Budgeting"])
    make_participant(program=program, goals=["Negotiation"], withdrawn_at=now)

    active = make_pairing(
        program=program,
        guide=m1,
        learner=l1,
        status=Status.ACTIVE,
        proposed_at=now - timedelta(days=80),
        answered_after=timedelta(days=2),
        activated_at=now - timedelta(days=70),
    )
    CheckIn.objects.create(
        pairing=active, held_on=today - timedelta(days=60), logged_by=l1, summary="Plan", rating=4
    )
    make_pairing(
        program=program,
        guide=m2,
        learner=l3,
        status=Status.ACCEPTED,
        proposed_at=now - timedelta(days=10),
        answered_after=timedelta(days=4),
    )
    make_pairing(
        program=program,
        guide=m1,
        learner=l2,
        status=Status.DECLINED,
        proposed_at=now - timedelta(days=9),
        decline_reason=PairingMember.DeclineReason.NO_TIME,
    )
    make_pairing(
        program=program,
        guide=m2,
        learner=l4,
        status=Status.EXPIRED,
        proposed_at=now - timedelta(days=20),
    )
    make_pairing(
        program=program,
        guide=m1,
        learner=l4,
        status=Status.PROPOSED,
        proposed_at=now - timedelta(days=1),
    )
    SurveyResponse.objects.create(
        participant=l1, rating=4, what_helped="Honest feedback", submitted_at=now - timedelta(2)
    )
    SurveyResponse.objects.create(participant=l3, rating=5, submitted_at=now - timedelta(1))
    SurveyResponse.objects.create(participant=m1, rating=3, what_helped="Structure")
    return {"program": program, "active": active}


def test_enrolment_by_role_counts_the_enrolled(scene):
    assert health.enrolment_by_role(program=scene["program"]) == [("Mentor", 3), ("Mentee", 4)]


def test_match_rate_counts_mentees_in_an_accepted_or_active_pairing(scene):
    # l1 active, l3 accepted (starting later), l4 only proposed, l2 declined.
    assert health.match_rate(program=scene["program"]) == {
        "total": 4,
        "matched": 2,
        "proposed": 1,
        "accepted": 1,
        "active": 1,
        "waiting": 2,
        "unpaired": 1,
        "rate": 50.0,
    }


@pytest.mark.parametrize(
    ("starts_in_days", "accepted_status"), [(None, "active"), (30, "accepted")]
)
def test_published_proposals_are_no_match_until_accepted(starts_in_days, accepted_status):
    starts_on = None
    if starts_in_days is not None:
        starts_on = timezone.localdate() + timedelta(days=starts_in_days)
    program = make_program(kind=Program.Kind.MENTORING, starts_on=starts_on)
    mentors = [make_participant(program=program, role=MENTOR) for _ in range(3)]
    mentees = [make_participant(program=program) for _ in range(4)]
    proposals = [
        make_proposal(guide=mentor, learner=mentee)
        for mentor, mentee in zip(mentors, mentees, strict=False)
    ]

    published = health.match_rate(program=program)

    guide = proposals[0].members.get(role=PairingMember.Role.GUIDE)
    proposal_accept(member=guide, user=guide.participant.employee.user)
    after_one_yes = health.match_rate(program=program)

    assert (published["matched"], published["proposed"], published["total"]) == (0, 3, 4)
    assert published["rate"] == 0.0
    assert (after_one_yes["matched"], after_one_yes["proposed"], after_one_yes["total"]) == (
        1,
        2,
        4,
    )
    assert after_one_yes[accepted_status] == 1
    assert after_one_yes["rate"] == 25.0


def test_outcomes_rate_the_answered_pairings(scene):
    outcomes = health.pairing_outcomes(program=scene["program"])
    assert outcomes["by_status"] == [
        ("Proposed", 1),
        ("Accepted (starts later)", 1),
        ("Active", 1),
        ("Declined", 1),
        ("Expired", 1),
        ("Ended", 0),
        ("Cancelled", 0),
    ]
    assert {k: v for k, v in outcomes.items() if k != "by_status"} == {
        "pending": 1,
        "accepted": 2,
        "declined": 1,
        "expired": 1,
        "answered": 4,
        "acceptance_rate": 50.0,
        "decline_rate": 25.0,
        "expiry_rate": 25.0,
    }


def test_decline_reasons_most_common_first(scene):
    assert health.decline_reasons(program=scene["program"]) == [
        ("I don't have time right now", 1),
        ("Our goals don't fit", 0),
        ("We already work closely together", 0),
        ("Conflict of interest", 0),
        ("Another reason", 0),
    ]


def test_median_time_to_acceptance(scene):
    median = health.median_time_to_acceptance(program=scene["program"])
    assert median == timedelta(days=3)
    assert health.duration_text(median) == "3 days"
    assert health.duration_text(timedelta(days=1, hours=5, minutes=10)) == "1 day 5 hours"
    assert health.duration_text(timedelta(minutes=20)) == "under an hour"


def test_checkins_held_against_one_per_elapsed_cadence(scene, today):
    # Active for 70 days at a 28-day cadence: 2 due, 1 held.
    assert health.checkins_held_vs_due(program=scene["program"], today=today) == {
        "held": 1,
        "due": 2,
        "rate": 50.0,
    }


def test_stalled_means_no_checkin_for_two_cadences(scene, today):
    count, shown = health.stalled_pairings(program=scene["program"], today=today)
    assert (count, shown) == (1, [scene["active"]])
    # 55 days after the last check-in it is not stalled yet (two cadences are 56 days).
    count, _ = health.stalled_pairings(program=scene["program"], today=today - timedelta(days=5))
    assert count == 0


def test_supply_and_demand_counts_only_mentees_still_waiting(scene, today):
    # Waiting: l2 (declined, Negotiation) and l4 (only a proposal, Budgeting). l1 (active)
    # and l3 (accepted) are matched, so Python and Leadership, wanted by nobody waiting,
    # are left out. m1 is full (an active pairing and a proposal), m2 has one place left
    # (Python), the paused mentor offers Negotiation but takes nobody new.
    assert health.supply_and_demand(program=scene["program"], today=today) == [
        TopicBalance("Budgeting", waiting=1, offered=0),
        TopicBalance("Negotiation", waiting=1, offered=0),
    ]


def test_supply_and_demand_puts_topics_nobody_free_offers_first(today):
    program = make_program(kind=Program.Kind.MENTORING)
    make_participant(program=program, role=MENTOR, expertise=["Python"])
    for goals in (["Python"], ["Python"], ["Python", "Hiring"], ["Hiring"]):
        make_participant(program=program, goals=goals)
    matched = make_participant(program=program, goals=["Budgeting"])
    make_active_pairing(guide=make_participant(program=program, role=MENTOR), learner=matched)

    assert health.supply_and_demand(program=program, today=today) == [
        TopicBalance("Hiring", waiting=2, offered=0),
        TopicBalance("Python", waiting=3, offered=1),
    ]


def test_supply_and_demand_is_empty_for_peer_coaching():
    program = make_program(kind=Program.Kind.PEER_COACHING)
    make_participant(program=program, role=Participant.Role.PEER, goals=["Python"])
    assert health.supply_and_demand(program=program) == []


def test_survey_summary(scene):
    survey = health.survey_summary(program=scene["program"])
    assert (survey["average"], survey["count"], survey["ratings"]) == (
        4.0,
        3,
        [("1", 0), ("2", 0), ("3", 1), ("4", 1), ("5", 1)],
    )
    assert [answer.what_helped for answer in survey["comments"]] == [
        "Structure",
        "Honest feedback",
    ]


def test_an_empty_programme_has_no_rates():
    program = make_program()
    figures = health.program_health(program=program)
    assert figures["match"] == {
        "total": 0,
        "matched": 0,
        "proposed": 0,
        "accepted": 0,
        "active": 0,
        "waiting": 0,
        "unpaired": 0,
        "rate": None,
    }
    assert [week.enrolments for week in figures["trends"]] == [0] * health.TREND_WEEKS
    assert figures["outcomes"]["acceptance_rate"] is None
    assert figures["median_acceptance"] is None
    assert figures["checkins"] == {"held": 0, "due": 0, "rate": None}
    assert figures["survey"]["average"] is None


def test_other_programmes_do_not_count(scene):
    other = make_program()
    make_participant(program=other, employee=make_employee())
    assert health.enrolment_by_role(program=scene["program"]) == [("Mentor", 3), ("Mentee", 4)]


def _local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def test_weekly_trends_bucket_by_iso_week_in_local_time():
    today = date(2026, 12, 2)  # a Wednesday: the last week is 30 Nov - 6 Dec (W49)
    program = make_program(kind=Program.Kind.MENTORING)
    early = _local(2026, 8, 1, 12)  # before the 12 weeks shown
    mentor = make_participant(program=program, role=MENTOR, enrolled_at=early)
    for enrolled_at in (
        _local(2026, 9, 13, 23, 30),  # Sunday before the first week: not shown
        _local(2026, 9, 14, 0, 30),  # Monday 00:30 BST, still Sunday in UTC: W38
        _local(2026, 11, 29, 23, 59),  # Sunday: W48
        _local(2026, 11, 30, 0, 0),  # Monday: W49
        _local(2026, 12, 2, 9),  # W49
    ):
        make_participant(program=program, enrolled_at=enrolled_at)
    make_participant(program=program, enrolled_at=_local(2026, 12, 1), withdrawn_at=timezone.now())
    learner = make_participant(program=program, enrolled_at=early)
    pairing = make_pairing(
        program=program,
        guide=mentor,
        learner=learner,
        status=Status.ACTIVE,
        proposed_at=_local(2026, 11, 20, 9),
        answered_after=timedelta(days=3),  # Monday 23 Nov: W48
        activated_at=_local(2026, 11, 23, 9),
    )
    for held_on in (date(2026, 11, 22), date(2026, 11, 23), date(2026, 12, 1), date(2026, 9, 1)):
        CheckIn.objects.create(
            pairing=pairing, held_on=held_on, logged_by=learner, summary="Met", rating=4
        )

    trends = health.weekly_trends(program=program, today=today)

    assert [week.iso_week for week in trends] == [f"2026-W{n}" for n in range(38, 50)]
    assert (trends[0].starts, trends[-1].starts) == (date(2026, 9, 14), date(2026, 11, 30))
    assert [
        (w.iso_week, w.enrolments, w.acceptances, w.checkins)
        for w in trends
        if any((w.enrolments, w.acceptances, w.checkins))
    ] == [
        ("2026-W38", 1, 0, 0),
        ("2026-W47", 0, 0, 1),
        ("2026-W48", 1, 1, 1),
        ("2026-W49", 3, 0, 1),
    ]


def test_participants_page_annotates_only_the_rows_of_the_page_asked_for(program):
    def enrol(name, role=MENTEE):
        return make_participant(program=program, role=role, employee=make_employee(name=name))

    mentor = enrol("Ana Ruiz", MENTOR)
    enrol("Ben Okafor")
    enrol("Cara Lind")
    dev = enrol("Dev Patel")
    pairing = make_active_pairing(guide=mentor, learner=dev)

    page = health.participants_page(program=program, number=2, per_page=3)

    assert (page.number, page.paginator.count, page.paginator.num_pages) == (2, 4, 2)
    (row,) = page.object_list
    assert (row.employee.name, row.is_matched, row.active_pairings) == ("Dev Patel", True, 1)
    assert (row.live_pairing_id, row.live_pairing_status) == (pairing.pk, "active")
    first = health.participants_page(program=program, number=1, per_page=3, matched=False)
    assert [(p.employee.name, p.is_matched) for p in first] == [
        ("Ben Okafor", False),
        ("Cara Lind", False),
    ]
