"""HR's cockpit: the stage rule, each to-do count, each one-click action's exact effect
(emails sent once), ending a pairing with a reason, who may do it, and query counts."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from pairing import rules, services
from pairing.hr.cockpit import cockpit_for
from pairing.hr.selectors import stalled_pairings
from pairing.models import CheckIn, MatchRun, Pairing, PairingMember
from programs.models import AuditEvent, Participant, Program
from tests.factories import (
    make_employee,
    make_hr_admin,
    make_live_pairing,
    make_participant,
    make_program,
)

pytestmark = pytest.mark.django_db

MENTOR = Participant.Role.MENTOR
Stage = rules.Stage
TODAY = date(2026, 3, 10)


# --- the stage rule ------------------------------------------------------------------


def _program(status=Program.Status.ENROLLING, ends_on=None):
    return SimpleNamespace(status=status, ends_on=ends_on)


@pytest.mark.parametrize(
    ("program", "agreed", "waiting", "run_open", "stage"),
    [
        (_program(), 0, 0, False, Stage.ENROLLING),
        (_program(Program.Status.DRAFT), 0, 0, False, Stage.ENROLLING),
        (_program(), 0, 0, True, Stage.MATCHING),
        (_program(), 0, 3, False, Stage.MATCHING),
        (_program(), 1, 3, True, Stage.RUNNING),
        (_program(Program.Status.ACTIVE, ends_on=TODAY + timedelta(days=31)), 5, 0, False,
         Stage.RUNNING),
        (_program(Program.Status.ACTIVE, ends_on=TODAY + timedelta(days=30)), 5, 0, False,
         Stage.CLOSING),
        (_program(Program.Status.ACTIVE, ends_on=TODAY - timedelta(days=3)), 5, 0, False,
         Stage.CLOSING),
        (_program(Program.Status.CLOSED), 0, 0, False, Stage.CLOSING),
    ],
)  # fmt: skip
def test_stage_is_read_from_the_data(program, agreed, waiting, run_open, stage):
    assert (
        rules.program_stage(
            program=program, today=TODAY, agreed=agreed, waiting=waiting, run_open=run_open
        )
        == stage
    )


# --- a programme with one of everything ------------------------------------------------


def _senior():
    return make_employee(level=5)


def _scene(program: Program) -> dict:
    """Two waiting proposals (one lapsing tomorrow), a stalled and a just-not-stalled
    active pairing, a free mentee, a paused one and a withdrawn one; everyone has signed
    in but two people."""
    now = timezone.now()
    today = timezone.localdate()
    cadence = program.checkin_cadence_days
    waiting = make_live_pairing(program=program, status="proposed", expires_at=now + timedelta(5))
    lapsing = make_live_pairing(program=program, status="proposed", expires_at=now + timedelta(1))
    # Each met last as its due date says: a cadence before it.
    stalled = make_live_pairing(
        program=program,
        activated_at=now - timedelta(days=90),
        next_checkin_due=today - timedelta(days=cadence + 1),
    )
    on_the_edge = make_live_pairing(
        program=program,
        activated_at=now - timedelta(days=90),
        next_checkin_due=today - timedelta(days=cadence),
    )
    for pairing in (stalled, on_the_edge):
        CheckIn.objects.create(
            pairing=pairing,
            held_on=pairing.next_checkin_due - timedelta(days=cadence),
            logged_by=pairing.members.get(role="learner").participant,
            summary="Met",
            rating=4,
        )
    free = make_participant(program=program)
    make_participant(program=program, paused_until=today + timedelta(days=10))
    make_participant(program=program, withdrawn_at=now)
    get_user_model().objects.update(last_login=now)
    never = [free, stalled.members.get(role="guide").participant]
    get_user_model().objects.filter(employee__enrolments__in=never).update(last_login=None)
    return {
        "waiting": waiting,
        "lapsing": lapsing,
        "stalled": stalled,
        "on_the_edge": on_the_edge,
        "free": free,
    }


def test_cockpit_counts_each_to_do_exactly(hr_admin, program):
    scene = _scene(program)
    [card] = cockpit_for(user=hr_admin)
    assert card.program == program
    assert (card.participants, card.agreed) == (10, 2)
    assert (card.waiting, card.waiting_people, card.waiting_to_nudge) == (2, 2, 2)
    assert (card.lapsing, card.lapsing_to_nudge) == (1, 1)
    assert card.unmatched == 1
    assert card.never_signed_in == 2
    assert card.stalled_count == 1
    assert [item.pairing for item in card.stalled] == [scene["stalled"]]
    assert card.stage == Stage.RUNNING
    assert card.next_step.label == "Follow up the stalled pairings"
    assert card.todo_count == 5


def test_a_mentor_guiding_several_is_counted_once(hr_admin, program):
    mentor = make_participant(program=program, role=MENTOR, capacity=3)
    for _ in range(3):
        make_live_pairing(program=program, guide=mentor)
    [card] = cockpit_for(user=hr_admin)
    assert (card.participants, card.never_signed_in, card.unmatched) == (4, 4, 0)


def test_unmatched_is_no_to_do_before_the_first_matching(hr_admin, program):
    make_participant(program=program)
    [card] = cockpit_for(user=hr_admin)
    assert (card.stage, card.unmatched, card.shows_unmatched) == (Stage.ENROLLING, 1, False)
    assert card.next_step.label == "Run matching"
    assert card.next_step.url == reverse("hr:matchrun_create", args=[program.slug])


def test_an_empty_programme_asks_for_participants(hr_admin, program):
    [card] = cockpit_for(user=hr_admin)
    assert (card.next_step.label, card.todo_count) == ("Add participants", 0)


def test_a_run_waiting_for_review_is_the_next_step(hr_admin, program):
    make_participant(program=program)
    run = MatchRun.objects.create(program=program, status=MatchRun.Status.DONE)
    [card] = cockpit_for(user=hr_admin)
    assert card.stage == Stage.MATCHING
    assert card.next_step.label == "Review and publish the proposals"
    assert card.next_step.url == reverse("hr:matchrun_detail", args=[run.pk])


def test_unmatched_see_why_links_the_latest_run_or_the_filtered_table(hr_admin, program):
    make_live_pairing(program=program, status="proposed", expires_at=timezone.now() + timedelta(5))
    make_participant(program=program)
    [card] = cockpit_for(user=hr_admin)
    assert card.shows_unmatched
    assert card.why_unmatched_url == (
        reverse("hr:participant_table", args=[program.slug]) + "?matched=no&role=mentee"
    )
    run = MatchRun.objects.create(program=program, status=MatchRun.Status.PUBLISHED)
    [card] = cockpit_for(user=hr_admin)
    assert card.why_unmatched_url == reverse("hr:matchrun_detail", args=[run.pk])


def test_the_page_shows_the_counts_and_the_actions(client, hr_admin, program):
    scene = _scene(program)
    client.force_login(hr_admin)
    page = client.get(reverse("hr:cockpit")).content.decode()
    assert "<strong>2</strong> proposals waiting for an answer" in page
    assert "<strong>1</strong> proposal lapsing within 2 days" in page
    assert "<strong>1</strong> mentee without a partner" in page
    assert "<strong>1</strong> stalled pairing" in page
    assert "<strong>2</strong> people never signed in" in page
    stalled = scene["stalled"].pk
    assert reverse("hr:pairing_nudge", args=[program.slug, stalled]) in page
    assert reverse("hr:pairing_end", args=[program.slug, stalled]) + "?rematch=1" in page
    assert 'aria-current="step">Running' in page


@pytest.mark.parametrize("programmes", [1, 3])
def test_cockpit_query_count_is_the_same_for_1_and_3_programmes(
    client, hr_admin, django_assert_num_queries, programmes
):
    for _ in range(programmes):
        program = make_program(admins=[hr_admin])
        _scene(program)
        MatchRun.objects.create(program=program, status=MatchRun.Status.PUBLISHED)
    client.force_login(hr_admin)
    # session, user, HR group, navbar's employee, programmes with their runs, pairing
    # counts, unanswered members, participant counts, stalled ids, stalled pairings and
    # their members
    with django_assert_num_queries(11):
        response = client.get(reverse("hr:cockpit"))
    assert [card.stalled_count for card in response.context["cards"]] == [1] * programmes


# --- landing and the navbar ------------------------------------------------------------


def test_hr_admins_land_on_the_cockpit_and_keep_their_home_in_the_nav(client, hr_admin, program):
    make_participant(program=program, employee=hr_admin.employee)
    client.force_login(hr_admin)
    assert client.get(reverse("landing"))["Location"] == reverse("hr:cockpit")
    page = client.get(reverse("hr:cockpit")).content.decode()
    assert f'<a class="nav-link" href="{reverse("home")}">Home</a>' in page
    assert f'<a class="nav-link" href="{reverse("hr:cockpit")}">Cockpit</a>' in page


# --- nudges ----------------------------------------------------------------------------


def _pending_emails(pairing: Pairing) -> list[str]:
    return sorted(
        m.participant.employee.email
        for m in pairing.members.filter(response=PairingMember.Response.PENDING)
    )


def test_nudging_waiting_proposals_emails_each_unanswered_member_once_a_day(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    scene = _scene(program)
    client.force_login(hr_admin)
    url = reverse("hr:proposals_nudge", args=[program.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"scope": "all"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"Nudging 2 people in {program.name} by email."
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        _pending_emails(scene["waiting"]) + _pending_emails(scene["lapsing"])
    )
    assert {m.subject for m in mail.outbox} == {
        f"A proposal in {program.name} is waiting for your answer"
    }
    event = AuditEvent.objects.get(action=AuditEvent.Action.NUDGED)
    assert (event.program, event.actor) == (program, hr_admin)
    assert event.summary == "Nudged the people who have not answered a proposal: 2 people"
    # A second click the same day sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"scope": "all"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Everyone waiting was nudged today already."
    ]
    assert len(mail.outbox) == 2
    [card] = cockpit_for(user=hr_admin)
    assert (card.waiting_to_nudge, card.lapsing_to_nudge) == (0, 0)


def test_nudging_lapsing_proposals_emails_only_theirs(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    scene = _scene(program)
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("hr:proposals_nudge", args=[program.slug]), {"scope": "lapsing"})
    assert [m.to[0] for m in mail.outbox] == _pending_emails(scene["lapsing"])
    [card] = cockpit_for(user=hr_admin)
    assert (card.waiting_to_nudge, card.lapsing_to_nudge) == (1, 0)


def test_a_bad_nudge_scope_is_an_error_message_not_a_500(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:proposals_nudge", args=[program.slug]), {"scope": "everything"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Choose which proposals to nudge."]
    assert mail.outbox == []


def test_member_nudge_sends_once_a_day_and_again_the_next(program):
    pairing = make_live_pairing(program=program, status="proposed")
    member = pairing.members.get(response=PairingMember.Response.PENDING)
    today = timezone.localdate()
    assert services.member_nudge(member_id=member.pk, day=today) is True
    assert services.member_nudge(member_id=member.pk, day=today) is False
    assert services.member_nudge(member_id=member.pk, day=today + timedelta(days=1)) is True
    assert len(mail.outbox) == 2


def test_member_nudge_releases_the_day_when_sending_fails(program, monkeypatch):
    pairing = make_live_pairing(program=program, status="proposed")
    member = pairing.members.get(response=PairingMember.Response.PENDING)
    today = timezone.localdate()

    def fail(member):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(services.emails, "nudge_send", fail)
    with pytest.raises(ConnectionError):
        services.member_nudge(member_id=member.pk, day=today)
    member.refresh_from_db()
    assert member.nudged_on is None
    monkeypatch.undo()
    assert services.member_nudge(member_id=member.pk, day=today) is True


def test_member_nudge_skips_an_answered_proposal(program):
    pairing = make_live_pairing(program=program, status="proposed")
    member = pairing.members.get(response=PairingMember.Response.PENDING)
    PairingMember.objects.filter(pk=member.pk).update(response=PairingMember.Response.ACCEPTED)
    assert services.member_nudge(member_id=member.pk, day=timezone.localdate()) is False
    assert mail.outbox == []


def test_nudging_a_stalled_pairing_emails_both_once(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    stalled = _scene(program)["stalled"]
    client.force_login(hr_admin)
    url = reverse("hr:pairing_nudge", args=[program.slug, stalled.pk])
    names = " and ".join(m.participant.employee.name for m in stalled.members.all())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert [str(m) for m in response.context["messages"]] == [f"Nudging {names} to check in."]
    members = {m.participant.employee.email: m for m in stalled.members.all()}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(members)
    for message in mail.outbox:
        partner = next(m for e, m in members.items() if e != message.to[0])
        assert message.subject == f"Time for a check-in with {partner.participant.employee.name}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert [str(m) for m in response.context["messages"]] == [f"{names} were nudged today already."]
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.NUDGED).count() == 1


def test_a_proposal_cannot_be_nudged_as_a_pairing(client, hr_admin, program):
    proposal = make_live_pairing(program=program, status="proposed")
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:pairing_nudge", args=[program.slug, proposal.pk]), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Only an active pairing can be nudged to check in."
    ]


# --- inviting those who never signed in -------------------------------------------------


def test_invite_all_invites_everyone_who_never_signed_in(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    _scene(program)
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hr:invite_all", args=[program.slug]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Sending 2 invitations."]
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.get(action=AuditEvent.Action.INVITED).summary == "Sent 2 invitations"


# --- ending a pairing with a reason ----------------------------------------------------


def _pair(program, *, mentor=None):
    mentor = mentor or make_participant(program=program, role=MENTOR, employee=_senior())
    mentee = make_participant(program=program)
    return make_live_pairing(
        program=program, guide=mentor, learner=mentee, activated_at=timezone.now()
    )


def test_the_end_page_says_what_will_happen(client, hr_admin, program):
    pairing = _pair(program)
    client.force_login(hr_admin)
    response = client.get(reverse("hr:pairing_end", args=[program.slug, pairing.pk]))
    assert response.status_code == 200
    names = " and ".join(m.participant.employee.name for m in pairing.members.all())
    page = response.content.decode()
    assert f"End the pairing of {names}" in page
    assert "are told by email, with the reason you give" in page
    assert response.context["form"]["rematch"].value() is False
    rematch = client.get(reverse("hr:pairing_end", args=[program.slug, pairing.pk]) + "?rematch=1")
    assert rematch.context["form"]["rematch"].value() is True
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


def test_ending_without_a_reason_is_a_field_error(client, hr_admin, program):
    pairing = _pair(program)
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:pairing_end", args=[program.slug, pairing.pk]), {"reason": "   "}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


def test_hr_ends_a_pairing_with_a_reason(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    pairing = _pair(program)
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("hr:pairing_end", args=[program.slug, pairing.pk]),
            {"reason": "  No check-in   for three months "},
            follow=True,
        )
    assert response.redirect_chain == [(reverse("hr:cockpit"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "The pairing has ended; everyone in it is told by email."
    ]
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason, pairing.ended_by) == (
        Pairing.Status.ENDED,
        "No check-in for three months",
        hr_admin,
    )
    assert pairing.next_checkin_due is None
    assert list(pairing.members.values_list("live", flat=True)) == [False, False]
    members = list(pairing.members.select_related("participant__employee"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        m.participant.employee.email for m in members
    )
    for message in mail.outbox:
        assert "The reason given: No check-in for three months" in message.body
        assert "Hana HR from the" in message.body
    event = AuditEvent.objects.get(action=AuditEvent.Action.PAIRING_ENDED)
    names = " and ".join(m.participant.employee.name for m in members)
    assert event.summary == f"Ended the pairing of {names}: No check-in for three months"
    assert event.detail == {
        "pairing": pairing.pk,
        "reason": "No check-in for three months",
        "rematch": False,
        "proposed": [],
    }
    # Told once: a repeated task finds the claim taken.
    assert services.pairing_ended_notify(member_id=members[0].pk) is False
    assert len(mail.outbox) == 2


def test_rematch_ends_and_proposes_the_mentee_someone_else(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    pairing = _pair(program)
    old_mentor = pairing.members.get(role="guide").participant
    mentee = pairing.members.get(role="learner").participant
    other = make_participant(program=program, role=MENTOR, employee=_senior())
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("hr:pairing_end", args=[program.slug, pairing.pk]),
            {"reason": "Poor fit", "rematch": "on"},
            follow=True,
        )
    assert [str(m) for m in response.context["messages"]] == [
        "The pairing has ended; everyone in it is told by email. 1 new proposal made."
    ]
    new = Pairing.objects.get(status=Pairing.Status.PROPOSED)
    assert {(m.participant, m.role) for m in new.members.all()} == {
        (other, "guide"),
        (mentee, "learner"),
    }
    assert old_mentor not in {m.participant for m in new.members.all()}
    # The ended pair are told, and the new mentor gets the proposal.
    assert sorted(m.subject for m in mail.outbox) == sorted(
        [
            f"Your {program.name} pairing with {mentee.employee.name} has ended",
            f"Your {program.name} pairing with {old_mentor.employee.name} has ended",
            f"New mentoring proposal in {program.name}",
        ]
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.PAIRING_ENDED)
    assert event.detail["proposed"] == [new.pk]


def test_rematch_with_nobody_free_says_so(client, hr_admin, program):
    pairing = _pair(program)
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:pairing_end", args=[program.slug, pairing.pk]),
        {"reason": "Poor fit", "rematch": "on"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The pairing has ended; everyone in it is told by email. "
        "Nobody free fits yet: they wait for the next matching."
    ]
    assert not Pairing.objects.filter(status=Pairing.Status.PROPOSED).exists()


def test_an_ended_pairing_cannot_be_ended_again(client, hr_admin, program):
    pairing = _pair(program)
    services.pairing_end_by_admin(pairing=pairing, actor=hr_admin, reason="Done")
    client.force_login(hr_admin)
    url = reverse("hr:pairing_end", args=[program.slug, pairing.pk])
    assert "there is nothing to end" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Again"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Only an accepted or active pairing can be ended."
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PAIRING_ENDED).count() == 1


# --- who may do what -----------------------------------------------------------------


def test_another_programmes_admin_gets_404_on_every_action(client, program):
    pairing = _pair(program)
    other_admin = make_hr_admin(name="Otto Other")
    theirs = make_program(admins=[other_admin])
    client.force_login(other_admin)
    assert [c.program for c in client.get(reverse("hr:cockpit")).context["cards"]] == [theirs]
    slug = program.slug
    posts = [
        reverse("hr:proposals_nudge", args=[slug]),
        reverse("hr:pairing_nudge", args=[slug, pairing.pk]),
        reverse("hr:invite_all", args=[slug]),
        reverse("hr:pairing_end", args=[slug, pairing.pk]),
        # Their own programme's slug does not open our pairing either.
        reverse("hr:pairing_nudge", args=[theirs.slug, pairing.pk]),
        reverse("hr:pairing_end", args=[theirs.slug, pairing.pk]),
    ]
    for url in posts:
        assert client.post(url, {"reason": "x", "scope": "all"}).status_code == 404, url
    assert client.get(reverse("hr:pairing_end", args=[slug, pairing.pk])).status_code == 404
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE
    assert mail.outbox == []


def test_employees_get_403(client, program, outsider):
    pairing = _pair(program)
    member = pairing.members.get(role="learner").participant.employee.user
    for user in (outsider, member):
        client.force_login(user)
        assert client.get(reverse("hr:cockpit")).status_code == 403
        end = reverse("hr:pairing_end", args=[program.slug, pairing.pk])
        assert client.post(end, {"reason": "x"}).status_code == 403


def test_actions_are_post_only(client, hr_admin, program):
    pairing = _pair(program)
    client.force_login(hr_admin)
    for url in (
        reverse("hr:proposals_nudge", args=[program.slug]),
        reverse("hr:pairing_nudge", args=[program.slug, pairing.pk]),
        reverse("hr:invite_all", args=[program.slug]),
    ):
        assert client.get(url).status_code == 405, url


def test_the_services_refuse_someone_who_does_not_administer_the_programme(program):
    pairing = _pair(program)
    other_admin = make_hr_admin(name="Otto Other")
    with pytest.raises(PermissionDenied):
        services.pairing_end_by_admin(pairing=pairing, actor=other_admin, reason="x")
    with pytest.raises(PermissionDenied):
        services.pairing_nudge(pairing=pairing, actor=other_admin)
    with pytest.raises(PermissionDenied):
        services.proposals_nudge(program=program, actor=other_admin)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


def test_stalled_counts_what_the_dashboard_counts(hr_admin, program):
    """The cockpit reads the stored due date, the dashboard the latest check-in: the same
    pairings, either side of the threshold."""
    scene = _scene(program)
    [card] = cockpit_for(user=hr_admin)
    count, shown = stalled_pairings(program=program)
    assert (count, shown) == (card.stalled_count, [scene["stalled"]])
