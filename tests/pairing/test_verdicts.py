"""What the trust rules hold against a pair or a person: only verdicts (a decline, a lapse,
HR cancelling, a member or HR ending a pairing early), never what merely happened around
them (a round finishing, someone leaving or withdrawing, a request withdrawn or settled
elsewhere), and ratings only of the partners someone actually had."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pairing import rounds, rules, services
from pairing.matchmaking.pool import _signals
from pairing.models import CheckIn, Pairing, SurveyResponse
from programs.models import Participant, Program
from programs.services import employee_reactivate, employees_deactivate, participant_withdraw
from tests.factories import (
    make_active_pairing,
    make_live_pairing,
    make_participant,
    make_people_admin,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db

MENTOR, MENTEE, PEER = Participant.Role.MENTOR, Participant.Role.MENTEE, Participant.Role.PEER


def _pair(a, b):
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def _mentor(program):
    return make_participant(program=program, role=MENTOR, employee_kwargs={"level": 5})


def _mentee(program):
    return make_participant(program=program, role=MENTEE, employee_kwargs={"level": 3})


def _early_endings(program, *people):
    signals = _signals(program, [p.pk for p in people])
    return [signals[p.pk].early_endings for p in people]


# --- 1. A round's own end, a leaver, a withdrawal: no early ending ------------------------


def test_pairs_ended_by_their_round_meet_again_once_the_programme_allows_it(hr_admin):
    """Ann and Bo's pairing ends with round 1 (no check-in); Cy's proposal to Di is
    cancelled by it, unanswered. Neither is a verdict: Ann and Bo are barred only as last
    round's partners (partner_repeat_rounds = 1), and Cy and Di not at all."""
    program = make_program(
        kind=Program.Kind.PEER_COACHING, admins=[hr_admin], partner_repeat_rounds=1
    )
    ann, bo, cy, di = (make_participant(program=program, role=PEER) for _ in range(4))
    make_live_pairing(program=program, guide=ann, learner=bo, status="active")
    make_live_pairing(program=program, guide=cy, learner=di, status="proposed")

    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    program.refresh_from_db()
    assert set(Pairing.objects.values_list("status", "end_reason")) == {
        ("ended", "Round 1 finished"),
        ("cancelled", "Round 1 finished"),
    }
    assert list(rules.ended_early(program_id=program.pk)) == []
    assert _early_endings(program, ann, bo) == [0, 0]
    assert rules.never_again_pairs(program=program) == {_pair(ann, bo)}

    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    program.refresh_from_db()
    assert rules.never_again_pairs(program=program) == set()


@pytest.mark.parametrize(
    "closing, early",
    [("member", True), ("hr", True), ("leaver", False), ("withdrawn", False)],
)
def test_only_a_member_or_hr_ends_a_pairing_early(hr_admin, closing, early):
    program = make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT)
    mentor, mentee = _mentor(program), _mentee(program)
    pairing = make_active_pairing(guide=mentor, learner=mentee)
    CheckIn.objects.create(
        pairing=pairing, held_on=timezone.localdate(), logged_by=mentee, summary="Plan", rating=4
    )
    if closing == "member":
        services.pairing_end(pairing=pairing, user=mentee.employee.user, reason="Not for us")
    elif closing == "hr":
        services.pairing_end_by_admin(pairing=pairing, actor=hr_admin, reason="Conflict")
    elif closing == "leaver":
        employees_deactivate(employees=[mentee.employee], actor=make_people_admin())
    else:
        participant_withdraw(participant=mentee, actor=hr_admin)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED

    assert [p.pk for p in rules.ended_early(program_id=program.pk)] == (
        [pairing.pk] if early else []
    )
    assert _early_endings(program, mentor, mentee) == [int(early)] * 2
    # Where partners may meet again after a round, an early ending still bars the pair.
    Program.objects.filter(pk=program.pk).update(partner_repeat_rounds=1, current_round=3)
    program.refresh_from_db()
    assert rules.never_again_pairs(program=program) == ({_pair(mentor, mentee)} if early else set())


# --- 2. Only declines, lapses and HR's cancellations bar a pair for good ------------------


def test_a_mentee_paired_elsewhere_may_ask_the_mentors_of_her_other_requests_again(
    hr_admin, django_assert_num_queries
):
    program = make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT)
    learner = _mentee(program)
    a, b, c, withdrawn, cancelled, declined, lapsed = (_mentor(program) for _ in range(7))

    def ask(guide):
        return services.proposal_request(
            learner=learner, partner_id=guide.pk, user=learner.employee.user
        )

    def seat(pairing, participant):
        return pairing.members.get(participant=participant)

    services.request_withdraw(member=seat(ask(withdrawn), learner), user=learner.employee.user)
    services.proposal_cancel(pairing=ask(cancelled), actor=hr_admin, reason="Same team")
    services.proposal_decline(
        member=seat(ask(declined), declined), user=declined.employee.user, reason="no_time"
    )
    services.proposal_expire(pairing=ask(lapsed))
    asked = [ask(a), ask(b), ask(c)]
    services.proposal_accept(member=seat(asked[1], b), user=b.employee.user)
    statuses = dict(Pairing.objects.values_list("members__participant_id", "status"))
    assert [statuses[m.pk] for m in (a, c, withdrawn, cancelled, declined, lapsed)] == [
        "cancelled", "cancelled", "cancelled", "cancelled", "declined", "expired",
    ]  # fmt: skip

    with django_assert_num_queries(1):
        pairs = rules.never_again_pairs(program=program)
    # B is her partner; HR's cancellation, the decline and the lapse bar their pairs.
    assert pairs == {_pair(learner, m) for m in (b, cancelled, declined, lapsed)}
    assert rules.barred_partner_ids(learner) == {b.pk, cancelled.pk, declined.pk, lapsed.pk}


def test_hr_reassigning_a_proposal_bars_the_old_pair(hr_admin):
    program = make_program(admins=[hr_admin])
    learner, old, new = _mentee(program), _mentor(program), _mentor(program)
    proposal = make_proposal(guide=old, learner=learner)
    services.proposal_reassign(pairing=proposal, guide_id=new.pk, actor=hr_admin)
    assert rules.never_again_pairs(program=program) == {_pair(learner, old)}


# --- 3. A leaver's unanswered proposal counts against nobody who stayed -------------------


def test_a_mentee_leaving_is_no_lapse_of_the_mentor_who_had_not_answered_yet(hr_admin):
    program = make_program(admins=[hr_admin])
    mentor, leaving, staying = _mentor(program), _mentee(program), _mentee(program)
    make_proposal(guide=mentor, learner=leaving)
    employees_deactivate(employees=[leaving.employee], actor=make_people_admin())
    assert rules.lapses_in_a_row([mentor.pk]) == {}

    # One real lapse is one, not the second of a streak: no automatic pause.
    later = make_proposal(guide=mentor, learner=staying)
    services.proposal_expire(pairing=later)
    assert rules.lapses_in_a_row([mentor.pk]) == {mentor.pk: 1}
    mentor.refresh_from_db()
    assert mentor.paused_until is None


def test_a_mentee_whose_mentor_left_before_answering_is_served_first_next_round(hr_admin):
    program = make_program(admins=[hr_admin])
    mentor, mentee = _mentor(program), _mentee(program)
    proposal = make_proposal(guide=mentor, learner=mentee)
    employees_deactivate(employees=[mentor.employee], actor=make_people_admin())
    proposal.refresh_from_db()
    assert (proposal.status, proposal.activated_at) == (Pairing.Status.ENDED, None)

    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    mentee.refresh_from_db()
    assert mentee.rounds_waited == 1


def test_a_pairing_accepted_to_start_later_is_a_partner_for_the_round(hr_admin):
    """Everyone accepted, the programme starts next month: the pairing went live
    (activated_at is stamped on acceptance), so the mentee did not wait."""
    program = make_program(admins=[hr_admin], starts_on=timezone.localdate() + timedelta(days=30))
    mentor, mentee = _mentor(program), _mentee(program)
    pairing = make_active_pairing(guide=mentor, learner=mentee)
    assert pairing.status == Pairing.Status.ACCEPTED

    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=False)
    mentee.refresh_from_db()
    assert mentee.rounds_waited == 0


# --- 4. Only people available at the round's end waited ----------------------------------


def test_people_paused_at_the_rounds_end_did_not_wait(hr_admin):
    program = make_program(kind=Program.Kind.PEER_COACHING, admins=[hr_admin])
    today = timezone.localdate()
    paused = make_participant(program=program, role=PEER, paused_until=today + timedelta(days=9))
    # Paused automatically (services.ghosts_pause) after waiting two rounds.
    ghost = make_participant(
        program=program,
        role=PEER,
        rounds_waited=2,
        paused_until=today + timedelta(weeks=services.AUTO_PAUSE_WEEKS),
    )
    back = make_participant(program=program, role=PEER, paused_until=today, rounds_waited=1)
    free = make_participant(program=program, role=PEER)

    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    waited = dict(Participant.objects.values_list("pk", "rounds_waited"))
    assert [waited[p.pk] for p in (paused, ghost, back, free)] == [0, 0, 2, 1]


# --- 5. Ratings speak of the partners someone had ----------------------------------------


def test_ratings_go_only_to_the_raters_partners_in_pairings_that_went_live():
    program = make_program()
    first, second, asked = _mentor(program), _mentor(program), _mentor(program)
    mentee, refused, lapsed, cancelled = (_mentee(program) for _ in range(4))
    now = timezone.now()
    earlier = make_live_pairing(
        program=program, guide=first, learner=mentee, status="ended",
        proposed_at=now - timedelta(days=90), ended_at=now - timedelta(days=40),
    )  # fmt: skip
    make_live_pairing(
        program=program, guide=second, learner=mentee, status="active", round=2,
        proposed_at=now - timedelta(days=30),
    )  # fmt: skip
    for learner, status in ((refused, "declined"), (lapsed, "expired"), (cancelled, "cancelled")):
        make_live_pairing(program=program, guide=asked, learner=learner, status=status)
    CheckIn.objects.create(
        pairing=earlier,
        held_on=timezone.localdate(now - timedelta(days=60)),
        logged_by=mentee,
        summary="Plan",
        rating=5,
    )
    for author, rating in ((mentee, 2), (refused, 1), (lapsed, 1), (cancelled, 1), (first, 4)):
        SurveyResponse.objects.create(participant=author, rating=rating)

    people = (first, second, asked, mentee, refused)
    signals = _signals(program, [p.pk for p in people])
    # The mentee's check-in rates her first mentor; her survey, the mentor she has now;
    # the first mentor's survey, her. Proposals never agreed rate nobody.
    assert [signals[p.pk].ratings for p in people] == [(5,), (2,), (), (4,), ()]


def test_a_leaver_back_again_was_never_the_partner_of_a_mentor_who_had_not_answered(hr_admin):
    program = make_program(admins=[hr_admin])
    mentor, mentee = _mentor(program), _mentee(program)
    make_proposal(guide=mentor, learner=mentee)
    people_admin = make_people_admin()
    employees_deactivate(employees=[mentee.employee], actor=people_admin)
    employee_reactivate(employee=mentee.employee, actor=people_admin)
    assert rules.barred_partner_ids(mentee) == set()
