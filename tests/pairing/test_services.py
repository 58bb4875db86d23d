from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pairing import selectors, services
from pairing.models import CheckIn, Pairing, PairingMember
from pairing.services import PairingError
from programs.models import Participant, Program, Topic
from programs.services import participant_enrol, participant_update
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_live_pairing,
    make_participant,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db

MENTOR = Participant.Role.MENTOR
MENTEE = Participant.Role.MENTEE
PEER = Participant.Role.PEER


def mentor(program, *, level=5, name=None, **extra):
    return make_participant(
        program=program,
        role=MENTOR,
        employee_kwargs={"level": level, "name": name, "department": "Sales"},
        **extra,
    )


def mentee(program, *, level=3, **extra):
    return make_participant(program=program, role=MENTEE, employee_kwargs={"level": level}, **extra)


def member_of(pairing, participant):
    return pairing.members.get(participant=participant)


# --- proposals ---------------------------------------------------------------------------


def test_proposal_create_mentee_side_starts_accepted_and_mentor_answers(program):
    guide, learner = mentor(program), mentee(program)
    pairing = make_proposal(guide=guide, learner=learner)
    assert pairing.status == Pairing.Status.PROPOSED
    assert pairing.score == 75.0
    assert pairing.expires_at - pairing.proposed_at == timedelta(days=7)
    assert member_of(pairing, learner).response == PairingMember.Response.ACCEPTED
    assert member_of(pairing, learner).role == PairingMember.Role.LEARNER
    assert member_of(pairing, guide).response == PairingMember.Response.PENDING
    assert member_of(pairing, guide).role == PairingMember.Role.GUIDE


def test_proposal_create_refuses_second_live_proposal_for_a_learner(program):
    learner = mentee(program)
    make_proposal(guide=mentor(program), learner=learner)
    with pytest.raises(PairingError, match="already a live proposal or pairing"):
        make_proposal(guide=mentor(program), learner=learner)
    assert Pairing.objects.count() == 1


def test_accept_by_mentor_activates_with_first_checkin_due(program):
    guide, learner = mentor(program), mentee(program)
    pairing = make_proposal(guide=guide, learner=learner)
    result = services.proposal_accept(member=member_of(pairing, guide), user=guide.employee.user)
    pairing.refresh_from_db()
    assert result.pk == pairing.pk
    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.activated_at is not None
    assert pairing.next_checkin_due == timezone.localdate() + timedelta(days=28)
    assert member_of(pairing, guide).response == PairingMember.Response.ACCEPTED


def test_accept_before_programme_start_is_accepted_and_due_counts_from_start(hr_admin):
    starts = timezone.localdate() + timedelta(days=10)
    program = make_program(admins=[hr_admin], starts_on=starts)
    guide, learner = mentor(program), mentee(program)
    pairing = make_proposal(guide=guide, learner=learner)
    services.proposal_accept(member=member_of(pairing, guide), user=guide.employee.user)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACCEPTED
    assert pairing.next_checkin_due == starts + timedelta(days=28)


def test_accept_over_capacity_is_refused_and_changes_nothing(program):
    guide = mentor(program, capacity=1)
    make_active_pairing(guide=guide, learner=mentee(program))
    pairing = make_proposal(guide=guide, learner=mentee(program))
    with pytest.raises(PairingError) as refused:
        services.proposal_accept(member=member_of(pairing, guide), user=guide.employee.user)
    assert str(refused.value) == (
        f"You already support 1 of the 1 people you can take in {program.name}. Raise your "
        "capacity in your enrolment or end a pairing before accepting another."
    )
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED
    assert member_of(pairing, guide).response == PairingMember.Response.PENDING


def test_accept_uses_programme_default_capacity(program):
    guide = mentor(program)  # capacity blank: the programme default, 2
    make_active_pairing(guide=guide, learner=mentee(program))
    make_active_pairing(guide=guide, learner=mentee(program))
    pairing = make_proposal(guide=guide, learner=mentee(program))
    with pytest.raises(PairingError):
        services.proposal_accept(member=member_of(pairing, guide), user=guide.employee.user)


def test_accept_by_someone_else_is_denied(program, outsider):
    guide = mentor(program)
    pairing = make_proposal(guide=guide, learner=mentee(program))
    with pytest.raises(PermissionDenied):
        services.proposal_accept(member=member_of(pairing, guide), user=outsider)


def test_accept_twice_is_refused(program):
    guide = mentor(program)
    pairing = make_proposal(guide=guide, learner=mentee(program))
    services.proposal_accept(member=member_of(pairing, guide), user=guide.employee.user)
    with pytest.raises(PairingError, match="no longer open"):
        services.proposal_accept(member=member_of(pairing, guide), user=guide.employee.user)


def test_peer_pairing_turns_active_only_when_second_peer_accepts(hr_admin):
    program = make_program(kind=Program.Kind.PEER_COACHING, admins=[hr_admin])
    a = make_participant(program=program, role=PEER)
    b = make_participant(program=program, role=PEER)
    pairing = make_proposal(guide=b, learner=a)
    assert set(pairing.members.values_list("response", flat=True)) == {"pending"}
    services.proposal_accept(member=member_of(pairing, a), user=a.employee.user)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED
    services.proposal_accept(member=member_of(pairing, b), user=b.employee.user)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.next_checkin_due == timezone.localdate() + timedelta(days=14)


# --- decline, expiry, re-proposal -------------------------------------------------------


def test_decline_closes_proposal_and_reproposes_learner_to_next_best_mentor(program):
    learner = mentee(program, goals=["Negotiation", "Hiring"])
    first = mentor(program, expertise=["Negotiation", "Hiring"])
    second = mentor(program, expertise=["Hiring"])
    pairing = make_proposal(guide=first, learner=learner)
    declined, new = services.proposal_decline(
        member=member_of(pairing, first),
        user=first.employee.user,
        reason=PairingMember.DeclineReason.NO_TIME,
        note="Busy quarter",
    )
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.DECLINED
    assert list(pairing.members.values_list("live", flat=True)) == [False, False]
    gone = member_of(pairing, first)
    assert (gone.response, gone.decline_reason, gone.decline_note) == (
        "declined",
        "no_time",
        "Busy quarter",
    )
    assert len(new) == 1
    assert new[0].source == Pairing.Source.MATCHING
    assert {(m.participant_id, m.response) for m in new[0].members.all()} == {
        (learner.pk, "accepted"),
        (second.pk, "pending"),
    }
    # 1 of 2 goals (25) + ideal gap of 2 (25) + either style (20) + other department (5).
    assert new[0].score == 75.0
    assert new[0].reasons[0] == "covers 1 of your 2 goals (Hiring)"


def test_declined_pair_is_never_proposed_again(program):
    learner = mentee(program, goals=["Hiring"])
    guide = mentor(program, expertise=["Hiring"])
    pairing = make_proposal(guide=guide, learner=learner)
    _, new = services.proposal_decline(
        member=member_of(pairing, guide),
        user=guide.employee.user,
        reason=PairingMember.DeclineReason.POOR_FIT,
    )
    assert new == []  # the only mentor declined: the learner waits in the pool
    assert PairingMember.objects.filter(participant=learner, live=True).count() == 0
    assert services.learner_repropose(participant=learner) is None
    assert selectors.candidates_for(participant=learner) == []


def test_decline_in_self_select_programme_does_not_repropose(hr_admin):
    program = make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT)
    learner, first = mentee(program), mentor(program)
    mentor(program)
    pairing = make_proposal(guide=first, learner=learner)
    _, new = services.proposal_decline(
        member=member_of(pairing, first),
        user=first.employee.user,
        reason=PairingMember.DeclineReason.NO_TIME,
    )
    assert new == []
    assert Pairing.objects.count() == 1


def test_decline_needs_a_known_reason(program):
    guide = mentor(program)
    pairing = make_proposal(guide=guide, learner=mentee(program))
    with pytest.raises(PairingError, match="choose a reason"):
        services.proposal_decline(
            member=member_of(pairing, guide), user=guide.employee.user, reason=""
        )


def test_learner_withdrawing_is_not_reproposed(program):
    learner = mentee(program)
    guide = mentor(program)
    mentor(program)
    pairing = make_proposal(guide=guide, learner=learner)
    _, new = services.proposal_decline(
        member=member_of(pairing, learner),
        user=learner.employee.user,
        reason=PairingMember.DeclineReason.OTHER,
    )
    assert new == []
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.DECLINED


def test_expire_lapses_proposal_reproposes_and_is_idempotent(program):
    learner = mentee(program)
    first, second = mentor(program), mentor(program)
    pairing = make_proposal(guide=first, learner=learner)
    expired, new = services.proposal_expire(pairing=pairing)
    assert expired.status == Pairing.Status.EXPIRED
    assert [m.participant_id for m in new[0].members.order_by("role")] == [second.pk, learner.pk]
    again, newer = services.proposal_expire(pairing=pairing)
    assert (again.status, newer) == (Pairing.Status.EXPIRED, [])
    assert Pairing.objects.count() == 2


def test_repropose_skips_paused_full_and_managing_mentors(program):
    boss = make_employee(level=5)
    learner = make_participant(
        program=program, role=MENTEE, employee=make_employee(level=3, manager=boss)
    )
    make_participant(program=program, role=MENTOR, employee=boss)
    mentor(program, paused_until=timezone.localdate() + timedelta(days=30))
    full = mentor(program, capacity=1)
    make_active_pairing(guide=full, learner=mentee(program))
    assert services.learner_repropose(participant=learner) is None
    free = mentor(program)
    new = services.learner_repropose(participant=learner)
    assert new.members.get(role=PairingMember.Role.GUIDE).participant == free


# --- self-select ------------------------------------------------------------------------


@pytest.fixture
def self_select(hr_admin):
    return make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT)


def test_candidates_are_best_first_in_plain_words(self_select):
    learner = mentee(self_select, goals=["Hiring", "Negotiation", "Budgeting", "Writing"])
    best = mentor(self_select, name="Bea Best", expertise=["Hiring", "Negotiation", "Budgeting"])
    mentor(self_select, name="Carl Close", level=6, expertise=["Hiring"])
    found = selectors.candidates_for(participant=learner)
    assert [c.participant.employee.name for c in found] == ["Bea Best", "Carl Close"]
    assert found[0].participant == best
    # 3 of 4 goals (37.5) + ideal gap (25) + either style (20) + other department (5).
    assert found[0].score == 87.5
    assert found[0].reasons == [
        "covers 3 of your 4 goals (Budgeting, Hiring, Negotiation)",
        "2 levels above you",
        "open to either feedback style, as you are",
        "from Sales",
    ]
    assert found[0].free == 2


def test_candidates_show_at_most_five(self_select):
    learner = mentee(self_select)
    for _ in range(7):
        mentor(self_select)
    assert len(selectors.candidates_for(participant=learner)) == 5


def test_request_creates_self_select_proposal_addressed_to_mentor(self_select):
    learner = mentee(self_select)
    chosen = mentor(self_select)
    pairing = services.proposal_request(
        learner=learner, partner_id=chosen.pk, user=learner.employee.user
    )
    assert pairing.source == Pairing.Source.SELF_SELECT
    assert member_of(pairing, chosen).response == PairingMember.Response.PENDING
    assert selectors.proposals_awaiting(user=chosen.employee.user)[0].pairing == pairing


def test_request_refused_beyond_the_mentee_cap(self_select):
    self_select.max_requests_per_mentee = 1
    self_select.save()
    learner = mentee(self_select)
    first, second = mentor(self_select), mentor(self_select)
    services.proposal_request(learner=learner, partner_id=first.pk, user=learner.employee.user)
    with pytest.raises(PairingError, match="You have asked 1 of 1 people already"):
        services.proposal_request(learner=learner, partner_id=second.pk, user=learner.employee.user)
    assert Pairing.objects.count() == 1


def test_request_refuses_someone_not_among_candidates(self_select, program):
    learner = mentee(self_select)
    elsewhere = mentor(program)
    with pytest.raises(PairingError, match="no longer among your best candidates"):
        services.proposal_request(
            learner=learner, partner_id=elsewhere.pk, user=learner.employee.user
        )


def test_request_refused_in_admin_run_programme(program):
    learner = mentee(program)
    with pytest.raises(PairingError, match="HR proposes the pairings"):
        services.proposal_request(
            learner=learner, partner_id=mentor(program).pk, user=learner.employee.user
        )


# --- check-ins and ending ---------------------------------------------------------------


def test_checkin_moves_next_due_and_an_older_one_does_not_pull_it_back(program):
    guide, learner = mentor(program), mentee(program)
    pairing = make_active_pairing(guide=guide, learner=learner)
    # Began a month ago, so a meeting 20 days back is within its life.
    pairing.activated_at = timezone.now() - timedelta(days=30)
    pairing.save(update_fields=["activated_at"])
    today = timezone.localdate()
    services.checkin_log(
        pairing=pairing, participant=learner, held_on=today, summary="Goals", rating=4
    )
    pairing.refresh_from_db()
    assert pairing.next_checkin_due == today + timedelta(days=28)
    services.checkin_log(
        pairing=pairing,
        participant=guide,
        held_on=today - timedelta(days=20),
        summary="Late entry",
        private_note="Mine only",
        rating=3,
    )
    pairing.refresh_from_db()
    assert pairing.next_checkin_due == today + timedelta(days=28)
    assert CheckIn.objects.filter(pairing=pairing).count() == 2


def test_checkin_refused_for_outsiders_future_dates_and_proposals(program):
    guide, learner = mentor(program), mentee(program)
    pairing = make_active_pairing(guide=guide, learner=learner)
    with pytest.raises(PermissionDenied):
        services.checkin_log(
            pairing=pairing,
            participant=mentee(program),
            held_on=date.today(),
            summary="x",
            rating=3,
        )
    with pytest.raises(PairingError, match="future"):
        services.checkin_log(
            pairing=pairing,
            participant=learner,
            held_on=timezone.localdate() + timedelta(days=1),
            summary="x",
            rating=3,
        )
    other = mentee(program)
    proposal = make_proposal(guide=guide, learner=other)
    with pytest.raises(PairingError, match="once the pairing is active"):
        services.checkin_log(
            pairing=proposal, participant=other, held_on=timezone.localdate(), summary="x", rating=3
        )


def test_pairing_end_frees_everyone(program):
    guide, learner = mentor(program), mentee(program)
    pairing = make_active_pairing(guide=guide, learner=learner)
    services.pairing_end(pairing=pairing, user=learner.employee.user, reason="Goals met")
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED
    assert pairing.ended_at is not None
    assert (pairing.ended_by, pairing.end_reason) == (learner.employee.user, "Goals met")
    assert pairing.next_checkin_due is None
    assert list(pairing.members.values_list("live", flat=True)) == [False, False]
    assert make_proposal(guide=mentor(program), learner=learner).status == "proposed"


def test_pairing_end_refused_for_outsider_and_twice(program, outsider):
    guide, learner = mentor(program), mentee(program)
    pairing = make_active_pairing(guide=guide, learner=learner)
    with pytest.raises(PermissionDenied):
        services.pairing_end(pairing=pairing, user=outsider, reason="x")
    services.pairing_end(pairing=pairing, user=guide.employee.user, reason="Done")
    with pytest.raises(PairingError, match="Only an accepted or active"):
        services.pairing_end(pairing=pairing, user=guide.employee.user, reason="Again")


# --- enrolment --------------------------------------------------------------------------


def test_enrol_dedupes_new_topics_case_insensitively(program):
    Topic.objects.create(name="Public speaking")
    employee = make_employee()
    participant = participant_enrol(
        program=program,
        employee=employee,
        role=MENTEE,
        goals=["Public speaking", "PUBLIC  SPEAKING ", "negotiation", "Negotiation"],
        expertise=[],
        style="reflective",
        focus="short_term",
        note="Present to the board",
    )
    assert sorted(t.name for t in participant.goals.all()) == ["Negotiation", "Public speaking"]
    assert Topic.objects.count() == 2
    assert (participant.role, participant.style, participant.focus, participant.capacity) == (
        "mentee",
        "reflective",
        "short_term",
        None,
    )
    assert program.audit_events.get().summary == f"{employee.name} enrolled as mentee"


def test_enrol_refuses_wrong_role_closed_programme_and_second_enrolment(program, hr_admin):
    employee = make_employee()
    kwargs = {"goals": ["Hiring"], "expertise": [], "style": "either", "focus": "long_term"}
    with pytest.raises(ValidationError, match="has no peer role"):
        participant_enrol(program=program, employee=employee, role=PEER, **kwargs)
    draft = make_program(admins=[hr_admin], status=Program.Status.DRAFT)
    with pytest.raises(ValidationError, match="not open for enrolment"):
        participant_enrol(program=draft, employee=employee, role=MENTEE, **kwargs)
    participant_enrol(program=program, employee=employee, role=MENTEE, **kwargs)
    with pytest.raises(ValidationError, match="already enrolled"):
        participant_enrol(program=program, employee=employee, role=MENTOR, **kwargs)


def test_update_sets_pause_which_keeps_mentor_out_of_candidates(program):
    guide = mentor(program, expertise=["Hiring"])
    learner = mentee(program)
    assert [c.participant for c in selectors.candidates_for(participant=learner)] == [guide]
    until = timezone.localdate() + timedelta(days=14)
    participant_update(
        participant=guide,
        goals=[],
        expertise=["Hiring", "Budgeting"],
        style="directive",
        focus="long_term",
        capacity=3,
        paused_until=until,
        note="Back after the launch",
    )
    guide.refresh_from_db()
    assert (guide.paused_until, guide.capacity, guide.is_paused) == (until, 3, True)
    assert selectors.candidates_for(participant=learner) == []


def test_accepted_pairings_start_on_the_programmes_first_day():
    program = make_program(starts_on=date(2026, 12, 1))
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    mentee = make_participant(program=program)
    pairing = make_live_pairing(program=program, guide=mentor, learner=mentee, status="accepted")

    assert services.pairings_start(today=date(2026, 11, 30)) == 0
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACCEPTED

    assert services.pairings_start(today=date(2026, 12, 1)) == 1
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


# --- proposal emails ---------------------------------------------------------------------


def test_a_self_select_request_emails_the_chosen_mentor_once_after_commit(
    self_select, django_capture_on_commit_callbacks
):
    learner = mentee(self_select)
    chosen = mentor(self_select, name="Bea Best")
    with django_capture_on_commit_callbacks(execute=True):
        pairing = services.proposal_request(
            learner=learner, partner_id=chosen.pk, user=learner.employee.user
        )

    assert [m.to for m in mail.outbox] == [[chosen.employee.email]]
    # The task running again (a retry, a duplicate message) sends nothing more.
    assert services.proposal_notify(member_id=member_of(pairing, chosen).pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_proposal_email_is_released_and_sent_once_on_retry(program, monkeypatch):
    guide = mentor(program)
    pairing = make_proposal(guide=guide, learner=mentee(program))
    member = member_of(pairing, guide)
    real_send = services.emails.proposal_new_send

    def down(member):
        raise ConnectionError("mail server unreachable")

    monkeypatch.setattr(services.emails, "proposal_new_send", down)
    with pytest.raises(ConnectionError):
        services.proposal_notify(member_id=member.pk)
    member.refresh_from_db()
    assert member.notified_at is None

    monkeypatch.setattr(services.emails, "proposal_new_send", real_send)
    assert services.proposal_notify(member_id=member.pk) is True
    assert services.proposal_notify(member_id=member.pk) is False
    assert [m.to for m in mail.outbox] == [[guide.employee.email]]


def test_no_proposal_email_once_the_member_has_answered(program):
    guide = mentor(program)
    pairing = make_proposal(guide=guide, learner=mentee(program))
    member = member_of(pairing, guide)
    services.proposal_accept(member=member, user=guide.employee.user)

    assert services.proposal_notify(member_id=member.pk) is False
    assert mail.outbox == []
