"""pairing/rules.py: who answers a new proposal, a guide's load, declined pairs."""

from datetime import UTC, datetime

import pytest

from pairing import rules
from pairing.models import Pairing, PairingMember
from programs.models import Participant, Program
from tests.factories import make_live_pairing, make_participant, make_program, make_proposal

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACCEPTED, PENDING = PairingMember.Response.ACCEPTED, PairingMember.Response.PENDING


def _shape(members):
    return [(m.participant_id, m.role, m.response, m.responded_at) for m in members]


def _proposal(kind="mentoring"):
    return Pairing(program=Program(kind=kind))


def test_a_mentor_answers_and_the_mentee_has_asked_already():
    members = rules.proposal_members(_proposal(), guide_id=7, member_ids=[9], at=AT)
    assert _shape(members) == [(7, "guide", PENDING, None), (9, "learner", ACCEPTED, AT)]


def test_both_peers_answer_unless_one_chose_the_other():
    peers = _proposal("peer_coaching")
    assert _shape(rules.proposal_members(peers, guide_id=None, member_ids=[3, 4], at=AT)) == [
        (3, "peer", PENDING, None),
        (4, "peer", PENDING, None),
    ]
    chosen = rules.proposal_members(peers, guide_id=None, member_ids=[3, 4], at=AT, chosen_by=3)
    assert _shape(chosen) == [(3, "peer", ACCEPTED, AT), (4, "peer", PENDING, None)]


def test_in_a_group_everyone_answers_mentees_too():
    group = rules.proposal_members(
        _proposal("group_mentoring"), guide_id=7, member_ids=[8, 9, 10], at=AT
    )
    assert _shape(group) == [
        (7, "guide", PENDING, None),
        (8, "learner", PENDING, None),
        (9, "learner", PENDING, None),
        (10, "learner", PENDING, None),
    ]
    circle = rules.proposal_members(
        _proposal("peer_circles"), guide_id=None, member_ids=[3, 4, 5], at=AT
    )
    assert [m.response for m in circle] == [PENDING] * 3


def test_a_guides_load_counts_agreed_pairings_and_the_variant_adds_proposals():
    program = make_program(default_capacity=5)
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    idle = make_participant(program=program, role=Participant.Role.MENTOR)
    for status in ("proposed", "accepted", "active", "active", "ended", "declined", "expired"):
        make_live_pairing(program=program, guide=mentor, status=status)
    assert rules.guide_load([mentor.pk, idle.pk]) == {mentor.pk: 3}
    assert rules.guide_load([mentor.pk, idle.pk], with_proposals=True) == {mentor.pk: 4}
    mentors = Participant.objects.filter(role="mentor")
    loads = rules.with_guide_load(mentors)
    assert dict(loads.values_list("pk", "load")) == {mentor.pk: 3, idle.pk: 0}
    loads = rules.with_guide_load(mentors, with_proposals=True)
    assert dict(loads.values_list("pk", "load")) == {mentor.pk: 4, idle.pk: 0}


def test_declined_and_expired_pairs_are_remembered_per_programme():
    program = make_program()
    other = make_program()
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    a, b, c = (make_participant(program=program) for _ in range(3))
    make_live_pairing(program=program, guide=mentor, learner=a, status="declined")
    make_live_pairing(program=program, guide=mentor, learner=b, status="expired")
    make_live_pairing(program=program, guide=mentor, learner=c, status="ended")
    make_live_pairing(program=other, status="declined")
    assert rules.never_again_pairs(program=program) == {
        tuple(sorted((mentor.pk, a.pk))),
        tuple(sorted((mentor.pk, b.pk))),
        # Ended without a single check-in: ended early, never proposed again.
        tuple(sorted((mentor.pk, c.pk))),
    }
    assert rules.never_again_pairs(program=program, participant_id=a.pk) == {
        tuple(sorted((mentor.pk, a.pk)))
    }
    assert rules.barred_partner_ids(mentor) == {a.pk, b.pk, c.pk}
    assert rules.barred_partner_ids(c) == {mentor.pk}


def test_partners_are_barred_for_as_many_rounds_as_the_programme_says():
    program = make_program(kind=Program.Kind.PEER_COACHING)
    ann, bo, cy, di, ed = (make_participant(program=program, role="peer") for _ in range(5))
    # Ended by the round's end, not by one of them (an early ending bars a pair for good).
    make_live_pairing(
        program=program, guide=ann, learner=bo, status="ended", end_reason="Round 1 finished"
    )
    make_live_pairing(program=program, guide=cy, learner=di, status="active", round=2)
    # A proposal nobody answered made nobody partners.
    make_live_pairing(program=program, guide=ann, learner=ed, status="proposed", round=2)
    Program.objects.filter(pk=program.pk).update(current_round=3)
    program.refresh_from_db()
    both = {tuple(sorted((ann.pk, bo.pk))), tuple(sorted((cy.pk, di.pk)))}

    assert rules.never_again_pairs(program=program) == both  # never again, by default
    program.partner_repeat_rounds = 1  # round 2 still bars, round 1 no longer
    assert rules.never_again_pairs(program=program) == {tuple(sorted((cy.pk, di.pk)))}
    program.partner_repeat_rounds = 2
    assert rules.never_again_pairs(program=program) == both
    assert rules.never_again_pairs(program=program, participant_id=ann.pk) == {
        tuple(sorted((ann.pk, bo.pk)))
    }


def test_peer_programmes_use_the_same_rules():
    program = make_program(kind=Program.Kind.PEER_COACHING)
    first, second = (make_participant(program=program, role="peer") for _ in range(2))
    make_live_pairing(program=program, guide=first, learner=second, status="declined")
    assert rules.barred_partner_ids(second) == {first.pk}


def test_everyone_who_shared_a_group_is_a_pair_whatever_became_of_it():
    program = make_program(kind="peer_circles")
    a, b, c, d, e = (make_participant(program=program, role="peer") for _ in range(5))
    for status, people in (("ended", (a, b, c)), ("declined", (c, d)), ("active", (e, a))):
        pairing = Pairing.objects.create(program=program, status=status)
        for person in people:
            PairingMember.objects.create(
                pairing=pairing, participant=person, role="peer", live=status == "active"
            )
    other = make_program(kind="peer_circles")
    elsewhere = Pairing.objects.create(program=other, status="ended")
    for person in (
        make_participant(program=other, role="peer"),
        make_participant(program=other, role="peer"),
    ):
        PairingMember.objects.create(pairing=elsewhere, participant=person, role="peer", live=False)
    pairs = {
        tuple(sorted(p))
        for p in [(a.pk, b.pk), (a.pk, c.pk), (b.pk, c.pk), (c.pk, d.pk), (a.pk, e.pk)]
    }
    assert rules.grouped_pairs(program=program) == pairs


def test_lapses_in_a_row_count_back_to_the_last_answer():
    program = make_program()
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    steady = make_participant(program=program, role=Participant.Role.MENTOR)
    mentees = [make_participant(program=program) for _ in range(4)]
    stamps = iter(datetime(2026, 3, day, tzinfo=UTC) for day in (1, 2, 3, 4, 5))

    def proposal(guide, learner, *, status, answer):
        pairing = make_proposal(guide=guide, learner=learner)
        Pairing.objects.filter(pk=pairing.pk).update(status=status, proposed_at=next(stamps))
        pairing.members.update(live=False)  # closed, as the services leave it
        if answer:
            pairing.members.filter(participant=guide).update(
                response=answer, decline_reason="no_time" if answer == "declined" else ""
            )
        return pairing

    # Lapsed, then answered (declined), then lapsed twice: two in a row.
    proposal(mentor, mentees[0], status=Pairing.Status.EXPIRED, answer=None)
    proposal(mentor, mentees[1], status=Pairing.Status.DECLINED, answer="declined")
    proposal(mentor, mentees[2], status=Pairing.Status.EXPIRED, answer=None)
    proposal(mentor, mentees[3], status=Pairing.Status.EXPIRED, answer=None)
    # A proposal HR cancelled before the answer is no lapse.
    proposal(steady, mentees[0], status=Pairing.Status.CANCELLED, answer=None)

    assert rules.lapses_in_a_row([mentor.pk, steady.pk]) == {mentor.pk: 2}
