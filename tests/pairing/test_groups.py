"""Group life: answering a group proposal, top-ups and closing, expiry, sessions with
attendance and co-development cases, presenter rotation and its reminder, the group page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from pairing import reminders, rules, selectors, services
from pairing.models import CaseSession, CheckIn, Pairing, PairingMember, Reminder
from pairing.services import PairingError
from programs.models import Participant, Program
from tests.factories import make_group, make_participant, make_program

pytestmark = pytest.mark.django_db

Status, Response = Pairing.Status, PairingMember.Response


def peer(program, *, level=3, goals=(), department="Engineering", name=None):
    return make_participant(
        program=program,
        role=Participant.Role.PEER,
        goals=goals,
        employee_kwargs={"level": level, "department": department, "name": name},
    )


def circles(admins=(), **extra):
    return make_program(
        kind=Program.Kind.PEER_CIRCLES,
        admins=admins,
        group_min=4,
        group_max=6,
        group_level_spread=2,
        **extra,
    )


def co_development(admins=(), group_min=5, group_max=8):
    return make_program(
        kind=Program.Kind.CO_DEVELOPMENT,
        admins=admins,
        group_min=group_min,
        group_max=group_max,
        group_level_spread=2,
    )


def group_mentoring(**extra):
    return make_program(
        kind=Program.Kind.GROUP_MENTORING, group_min=3, group_max=5, group_level_spread=2, **extra
    )


def member(pairing, participant) -> PairingMember:
    return pairing.members.get(participant=participant)


def accept(pairing, participant) -> Pairing:
    return services.proposal_accept(
        member=member(pairing, participant), user=participant.employee.user
    )


def decline(pairing, participant):
    return services.proposal_decline(
        member=member(pairing, participant),
        user=participant.employee.user,
        reason=PairingMember.DeclineReason.NO_TIME,
    )


def emails_to(subject_start: str) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if m.subject.startswith(subject_start))


# --- accepting ---------------------------------------------------------------------------


def test_group_starts_when_group_min_peers_accepted_and_the_rest_may_join_later():
    program = circles()
    people = [peer(program) for _ in range(5)]
    group = make_group(program=program, members=people)
    for person in people[:3]:
        assert accept(group, person).status == Status.PROPOSED
    started = accept(group, people[3])
    assert started.status == Status.ACTIVE
    assert started.next_checkin_due == timezone.localdate() + timedelta(days=14)
    last = member(group, people[4])
    assert (last.response, last.live) == (Response.PENDING, True)
    # The group runs, and still waits for the fifth: their inbox has it, they may join.
    assert [i.pairing.pk for i in selectors.proposals_awaiting(user=people[4].employee.user)] == [
        group.pk
    ]
    assert accept(group, people[4]).status == Status.ACTIVE
    assert member(group, people[4]).response == Response.ACCEPTED
    assert selectors.proposals_awaiting(user=people[4].employee.user) == []
    with pytest.raises(PairingError, match="already answered"):
        accept(group, people[4])


def test_group_starts_later_when_the_programme_has_not_begun():
    program = circles(starts_on=timezone.localdate() + timedelta(days=10))
    people = [peer(program) for _ in range(4)]
    group = make_group(program=program, members=people)
    for person in people:
        group = accept(group, person)
    assert group.status == Status.ACCEPTED


def test_group_mentoring_starts_only_once_the_mentor_accepted_and_counts_one_place():
    program = group_mentoring()
    mentor = make_participant(
        program=program, role=Participant.Role.MENTOR, capacity=1, employee_kwargs={"level": 5}
    )
    mentees = [make_participant(program=program, employee_kwargs={"level": 3}) for _ in range(3)]
    group = make_group(program=program, members=mentees, guide=mentor)
    for mentee in mentees:
        assert accept(group, mentee).status == Status.PROPOSED
    assert accept(group, mentor).status == Status.ACTIVE
    assert rules.guide_load([mentor.pk]) == {mentor.pk: 1}
    # Their one place is taken by the group, however many mentees it has.
    others = [make_participant(program=program, employee_kwargs={"level": 3}) for _ in range(3)]
    second = make_group(program=program, members=others, guide=mentor)
    for mentee in others:
        accept(second, mentee)
    with pytest.raises(PairingError, match="You already support 1 of the 1 groups you can lead"):
        accept(second, mentor)
    assert Pairing.objects.get(pk=second.pk).status == Status.PROPOSED


# --- declining ---------------------------------------------------------------------------


def test_decline_tops_up_with_the_best_fitting_person_never_one_grouped_before(
    django_capture_on_commit_callbacks,
):
    program = circles()
    people = [peer(program, goals=["Hiring", "Writing"]) for _ in range(4)]
    group = make_group(program=program, members=people)
    # The best fit of all (every goal shared), but once in a group with people[0].
    grouped_before = peer(program, goals=["Hiring", "Writing"])
    make_group(
        program=program,
        members=[grouped_before, people[0], peer(program), peer(program)],
        status=Status.ENDED,
    )
    second_best = peer(program, goals=["Hiring"])
    peer(program)  # no goals: a worse fit
    peer(program, level=6, goals=["Hiring", "Writing"])  # outside the level spread
    accept(group, people[0])

    with pytest.raises(PairingError, match="Please choose a reason"):
        services.proposal_decline(
            member=member(group, people[3]), user=people[3].employee.user, reason="bogus"
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pairing, new = decline(group, people[3])
    assert new == []
    assert pairing.status == Status.PROPOSED
    gone = member(group, people[3])
    assert (gone.response, gone.live) == (Response.DECLINED, False)
    added = member(group, second_best)
    assert (added.role, added.response, added.live) == (
        PairingMember.Role.PEER,
        Response.PENDING,
        True,
    )
    assert [m.to for m in mail.outbox] == [[second_best.employee.email]]
    group.refresh_from_db()
    assert sorted(group.reasons) == sorted(str(p.pk) for p in [*people[:3], second_best])
    assert group.reasons[str(second_best.pk)][0]["code"] == "group_shares"
    assert group.reasons[str(second_best.pk)][0]["params"]["topics"] == ["Hiring"]
    # Three pairs share both goals (50 goal points), three with the newcomer half (25):
    # the mean of the six pairs, all at one level, in one department.
    assert (group.score, group.breakdown) == (
        82.5,
        {"goals": 37.5, "level": 25.0, "style": 20.0, "department": 0.0},
    )


def test_decline_with_nobody_to_top_up_closes_the_group_and_tells_the_others_once(
    django_capture_on_commit_callbacks,
):
    program = circles()
    people = [peer(program) for _ in range(4)]
    group = make_group(program=program, members=people)
    accept(group, people[0])
    with django_capture_on_commit_callbacks(execute=True):
        pairing, _ = decline(group, people[1])
    assert (pairing.status, pairing.end_reason) == (Status.DECLINED, services.TOO_FEW)
    assert list(group.members.filter(live=True)) == []
    told = sorted(p.employee.email for p in [people[0], people[2], people[3]])
    assert sorted(m.to[0] for m in mail.outbox) == told
    assert {m.subject for m in mail.outbox} == {f"Your {program.name} group will not start"}
    assert "HR's next matching run proposes you a new group" in mail.outbox[0].body
    # Told once: the claim holds against a retried task.
    assert [services.pairing_closed_notify(member_id=member(group, p).pk) for p in people] == [
        False
    ] * 4
    assert len(mail.outbox) == 3
    # Back in the pool for HR's next run.
    assert PairingMember.objects.filter(live=True).count() == 0


def test_mentor_declining_closes_the_group(django_capture_on_commit_callbacks):
    program = group_mentoring()
    mentor = make_participant(
        program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5}
    )
    mentees = [make_participant(program=program, employee_kwargs={"level": 3}) for _ in range(4)]
    make_participant(program=program, employee_kwargs={"level": 3})  # free, never asked
    group = make_group(program=program, members=mentees, guide=mentor)
    accept(group, mentees[0])
    with django_capture_on_commit_callbacks(execute=True):
        pairing, _ = decline(group, mentor)
    assert (pairing.status, pairing.end_reason) == (Status.DECLINED, services.MENTOR_DECLINED)
    assert group.members.count() == 5
    assert emails_to(f"Your {program.name} group") == sorted(m.employee.email for m in mentees)


def test_accepted_member_of_a_running_group_cannot_decline_it():
    program = circles()
    people = [peer(program) for _ in range(4)]
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    with pytest.raises(PairingError, match="You have joined this group already"):
        decline(group, people[0])


# --- expiry ------------------------------------------------------------------------------


def test_expiry_starts_a_group_that_can_start_without_those_who_never_answered():
    program = circles()
    people = [peer(program) for _ in range(5)]
    group = make_group(
        program=program,
        members=people,
        responses=dict.fromkeys(people[:4], Response.ACCEPTED),
    )
    pairing, new = services.proposal_expire(pairing=group)
    assert (pairing.status, new) == (Status.ACTIVE, [])
    silent = member(group, people[4])
    assert (silent.response, silent.live) == (Response.PENDING, False)
    group.refresh_from_db()
    assert sorted(group.reasons) == sorted(str(p.pk) for p in people[:4])
    # Twice is harmless.
    assert services.proposal_expire(pairing=group)[0].status == Status.ACTIVE


def test_expiry_closes_a_group_that_cannot_start():
    program = circles()
    people = [peer(program) for _ in range(5)]
    group = make_group(
        program=program, members=people, responses=dict.fromkeys(people[:3], Response.ACCEPTED)
    )
    pairing, _ = services.proposal_expire(pairing=group)
    assert pairing.status == Status.EXPIRED
    assert list(group.members.filter(live=True)) == []


def test_dispatcher_lets_the_unanswered_of_a_running_group_go_when_it_lapses():
    program = circles()
    people = [peer(program) for _ in range(5)]
    group = make_group(
        program=program,
        members=people,
        status=Status.ACTIVE,
        responses={people[4]: Response.PENDING},
    )
    Pairing.objects.filter(pk=group.pk).update(
        proposed_at=timezone.now() - timedelta(days=8),
        expires_at=timezone.now() - timedelta(days=1),
    )
    reminders.reminders_dispatch()
    assert member(group, people[4]).live is False
    assert Pairing.objects.get(pk=group.pk).status == Status.ACTIVE
    with pytest.raises(PairingError, match="started without you"):
        accept(group, people[4])


def test_a_member_who_never_answers_two_groups_is_paused_and_told_once(
    django_capture_on_commit_callbacks,
):
    program = circles()
    silent = peer(program)
    first = [peer(program) for _ in range(4)]
    started = make_group(
        program=program,
        members=[*first, silent],
        responses=dict.fromkeys(first, Response.ACCEPTED),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.proposal_expire(pairing=started)[0].status == Status.ACTIVE
    silent.refresh_from_db()
    assert silent.paused_until is None
    second = [peer(program) for _ in range(3)]
    closed = make_group(
        program=program,
        members=[*second, silent],
        responses=dict.fromkeys(second, Response.ACCEPTED),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.proposal_expire(pairing=closed)[0].status == Status.EXPIRED
    silent.refresh_from_db()
    assert silent.paused_until == timezone.localdate() + timedelta(weeks=services.AUTO_PAUSE_WEEKS)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([silent.employee.email], f"We paused you in {program.name}")
    ]
    # Those who answered are not paused.
    assert Participant.objects.filter(paused_until__isnull=False).count() == 1


# --- sessions ----------------------------------------------------------------------------


def login(client, participant):
    client.force_login(participant.employee.user)


def test_checkin_form_ticks_every_member_and_refuses_someone_outside(client):
    program = circles()
    people = [peer(program, name=f"Peer {n}") for n in range(4)]
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    stranger = peer(program)
    login(client, people[0])
    page = client.get(reverse("pairing:pairing_detail", args=[group.pk]))
    form = page.context["checkin_form"]
    assert form.fields["attended"].initial == [p.pk for p in people]
    assert "presenter" not in form.fields
    url = reverse("pairing:checkin_create", args=[group.pk])
    data = {
        "held_on": timezone.localdate().isoformat(),
        "summary": "Feedback",
        "rating": 4,
        "attended": [people[0].pk, stranger.pk],
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert list(refused.context["checkin_form"].errors) == ["attended"]
    assert CheckIn.objects.count() == 0
    data["attended"] = [people[0].pk, people[2].pk]
    assert client.post(url, data).status_code == 302
    checkin = CheckIn.objects.get()
    assert sorted(p.pk for p in checkin.attended.all()) == [people[0].pk, people[2].pk]
    with pytest.raises(PairingError, match="Only the group's members can be marked"):
        services.checkin_log(
            pairing=group,
            participant=people[0],
            held_on=timezone.localdate(),
            summary="x",
            rating=3,
            attended=[stranger],
        )


def case_data(presenter, **extra):
    return {
        "held_on": timezone.localdate().isoformat(),
        "summary": "A good session",
        "rating": 5,
        "presenter": presenter.pk,
        "case": "My team misses deadlines",
        "questions": "Since when?",
        "request": "How do I raise it?",
        "consultation": "Try a retrospective",
        "action_plan": "Run one on Friday",
        "learned": "Ask before telling",
        **extra,
    }


def test_co_development_session_saves_the_case_and_its_steps(client):
    program = co_development()
    people = [peer(program) for _ in range(5)]
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    login(client, people[1])
    page = client.get(reverse("pairing:pairing_detail", args=[group.pk]))
    assert page.context["checkin_form"].fields["presenter"].initial == people[0].pk
    url = reverse("pairing:checkin_create", args=[group.pk])
    missing = client.post(url, case_data(people[2], case=""))
    assert missing.status_code == 400
    assert list(missing.context["checkin_form"].errors) == ["case"]
    outside = client.post(url, case_data(peer(program)))
    assert list(outside.context["checkin_form"].errors) == ["presenter"]
    response = client.post(url, {**case_data(people[2]), "attended": [p.pk for p in people]})
    assert response.status_code == 302
    case = CaseSession.objects.get()
    assert (case.presenter, case.checkin.pairing) == (people[2], group)
    assert [getattr(case, step) for step in CaseSession.STEPS] == [
        "My team misses deadlines",
        "Since when?",
        "How do I raise it?",
        "Try a retrospective",
        "Run one on Friday",
        "Ask before telling",
    ]
    page = client.get(reverse("pairing:pairing_detail", args=[group.pk]))
    assert "My team misses deadlines" in page.content.decode()
    assert page.context["view"].next_presenter.participant == people[0]


def test_presenters_rotate_least_presented_then_longest_ago_then_join_order():
    program = co_development(group_min=3)
    people = [peer(program) for _ in range(4)]
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    Pairing.objects.filter(pk=group.pk).update(activated_at=timezone.now() - timedelta(days=60))
    group.refresh_from_db()
    today = timezone.localdate()
    order = []
    # Someone presents out of turn first: people[2], 40 days ago.
    chosen = [people[2], None, None, None, None]
    for n, pick in enumerate(chosen):
        view = selectors.pairing_get(user=people[0].employee.user, pk=group.pk)
        presenter = pick or view.next_presenter.participant
        order.append(presenter)
        services.checkin_log(
            pairing=group,
            participant=people[0],
            held_on=today - timedelta(days=40 - 10 * n),
            summary=f"Session {n}",
            rating=4,
            presenter=presenter,
            steps={"case": f"Case {n}"},
        )
    # Then the three who never presented in join order, then people[2] again: the one
    # whose case is longest ago among those who presented once.
    assert order == [people[2], people[0], people[1], people[3], people[2]]
    view = selectors.pairing_get(user=people[0].employee.user, pk=group.pk)
    assert view.next_presenter.participant == people[0]
    # A member who declined is never next.
    members = list(group.members.all())
    members[0].live = False
    assert rules.next_presenter(members=members, presented=[]).participant == people[1]


# --- reminders ---------------------------------------------------------------------------


def send_all(now=None):
    for reminder_id in reminders.reminders_dispatch(now=now):
        reminders.reminder_send(reminder_id=reminder_id)


def test_next_presenter_is_reminded_once():
    program = co_development(group_min=3)
    people = [peer(program) for _ in range(4)]
    group = make_group(
        program=program,
        members=people,
        status=Status.ACTIVE,
        next_checkin_due=timezone.localdate() + timedelta(days=3),
    )
    # A check-in already (people[0] presented), so no "no first check-in" reminder either.
    services.checkin_log(
        pairing=group,
        participant=people[0],
        held_on=timezone.localdate(),
        summary="First",
        rating=4,
        presenter=people[0],
        steps={"case": "Mine"},
    )
    Pairing.objects.filter(pk=group.pk).update(
        next_checkin_due=timezone.localdate() + timedelta(days=3)
    )
    send_all()
    send_all()
    assert [m.to for m in mail.outbox] == [[people[1].employee.email]]
    assert mail.outbox[0].subject.startswith(f"You bring the case to your {program.name} group on")
    assert list(Reminder.objects.values_list("kind", "recipient")) == [
        (Reminder.Kind.PRESENTER_NEXT, people[1].employee.user_id)
    ]


def test_group_checkin_reminders_go_to_every_member_in_it_once_each():
    program = circles()
    people = [peer(program) for _ in range(5)]
    group = make_group(
        program=program,
        members=people,
        status=Status.ACTIVE,
        responses={people[4]: Response.DECLINED},
        activated_at=timezone.now() - timedelta(days=30),
        next_checkin_due=timezone.localdate() - timedelta(days=1),
    )
    CheckIn.objects.create(
        pairing=group,
        held_on=timezone.localdate() - timedelta(days=15),
        logged_by=people[0],
        summary="Start",
        rating=4,
    )
    send_all()
    send_all()
    due = sorted(p.employee.email for p in people[:4])
    assert emails_to("Check-in with") == due
    assert len(mail.outbox) == 4
    sent = Reminder.objects.filter(kind=Reminder.Kind.CHECKIN_DUE, sent_at__isnull=False)
    assert sorted(sent.values_list("recipient", flat=True)) == sorted(
        p.employee.user_id for p in people[:4]
    )


# --- the group page ----------------------------------------------------------------------


def test_group_page_is_for_its_members_only(client, hr_admin, outsider):
    program = circles(admins=[hr_admin])
    people = [peer(program) for _ in range(5)]
    group = make_group(
        program=program,
        members=people,
        status=Status.ACTIVE,
        responses={people[4]: Response.DECLINED},
    )
    other = make_group(program=program, members=[peer(program) for _ in range(4)])
    url = reverse("pairing:pairing_detail", args=[group.pk])
    login(client, people[0])
    page = client.get(url)
    assert page.status_code == 200
    view = page.context["view"]
    assert [m.participant for m in view.members] == people[:4]
    assert view.can_act is True
    # No goals to share (0 of 50), one level (25), either style (20), one department (0).
    assert view.summary == (
        "A circle of 4 peers at level 3, from 1 department; the group's fit is 45 of 100."
    )
    assert view.reasons == [
        "you share no goals with the others in your circle; all of you are open to either "
        "feedback style"
    ]
    assert client.get(reverse("pairing:pairing_detail", args=[other.pk])).status_code == 404
    for stranger in (outsider, people[4].employee.user):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
    client.force_login(hr_admin)
    assert client.get(url).context["view"].me is None


def test_group_proposal_names_every_other_member(client):
    program = circles()
    people = [peer(program, name=f"Circle Person {n}") for n in range(5)]
    group = make_group(program=program, members=people)
    login(client, people[0])
    page = client.get(reverse("pairing:proposal_detail", args=[group.pk]))
    item = page.context["item"]
    assert [m.participant for m in item.others] == people[1:]
    text = page.content.decode()
    assert [f"Circle Person {n}" in text for n in range(1, 5)] == [True] * 4
    assert item.can_answer is True
    assert "Why you are together" in text


@pytest.mark.parametrize("size", [4, 8])
def test_group_page_query_count(client, size, django_assert_num_queries):
    program = co_development(group_min=4, group_max=8)
    people = [peer(program, goals=["Hiring"]) for _ in range(size)]
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    Pairing.objects.filter(pk=group.pk).update(activated_at=timezone.now() - timedelta(days=10))
    group.refresh_from_db()
    for day in range(3):
        services.checkin_log(
            pairing=group,
            participant=people[day],
            held_on=timezone.localdate() - timedelta(days=day),
            summary=f"Session {day}",
            private_note=f"Note {day}",
            rating=4,
            attended=people,
            presenter=people[day],
            steps={"case": f"Case {day}"},
        )
    login(client, people[0])
    # session, user, employee (context processor), the pairing with its programme, its
    # members, their goals, their expertise, the check-ins with their cases, who attended,
    # the HR group check, the meeting times: the same for 4 members and 8.
    with django_assert_num_queries(11):
        response = client.get(reverse("pairing:pairing_detail", args=[group.pk]))
    view = response.context["view"]
    assert len(view.checkins) == 3
    assert [c.private_note for c in sorted(view.checkins, key=lambda c: c.pk)] == ["Note 0", "", ""]
    assert view.next_presenter.participant == people[3]


def test_retention_clears_the_cases_of_an_old_group():
    from pairing.retention import retention_apply

    program = co_development(group_min=3)
    people = [peer(program) for _ in range(3)]
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    services.checkin_log(
        pairing=group,
        participant=people[0],
        held_on=timezone.localdate(),
        summary="Session",
        rating=4,
        presenter=people[1],
        steps={"case": "A case", "learned": "Listen"},
    )
    Pairing.objects.filter(pk=group.pk).update(
        status=Status.ENDED, ended_at=timezone.now() - timedelta(days=400)
    )
    assert retention_apply(months=12) == 1
    case = CaseSession.objects.get()
    assert [getattr(case, step) for step in CaseSession.STEPS] == [""] * 6
    assert case.presenter == people[1]
    assert retention_apply(months=12) == 0


def test_only_a_member_who_joined_may_end_the_group(client):
    program = circles()
    people = [peer(program) for _ in range(5)]
    group = make_group(
        program=program,
        members=people,
        status=Status.ACTIVE,
        responses={people[4]: Response.PENDING},
    )
    login(client, people[4])
    page = client.get(reverse("pairing:pairing_detail", args=[group.pk]))
    assert page.context["view"].can_act is False
    assert "End this group" not in page.content.decode()
    url = reverse("pairing:pairing_end", args=[group.pk])
    assert client.post(url, {"reason": "Not for me"}).status_code == 302
    assert Pairing.objects.get(pk=group.pk).status == Status.ACTIVE
    with pytest.raises(PermissionDenied):
        services.pairing_end(pairing=group, user=people[4].employee.user, reason="No")
    ended = services.pairing_end(pairing=group, user=people[0].employee.user, reason="Done")
    assert ended.status == Status.ENDED


def test_a_group_someone_declined_leaves_their_pairings_and_home():
    program = circles()
    people = [peer(program) for _ in range(6)]
    group = make_group(program=program, members=people[:5])
    decline(group, people[4])  # people[5] tops it up
    assert member(group, people[5]).live is True
    gone = people[4].employee.user
    assert list(selectors.pairings_for_user(user=gone)) == []
    home = selectors.home_for(user=gone)
    assert (home.awaiting, home.waiting_on_others, home.active) == ([], [], [])
    assert [p.pk for p in selectors.pairings_for_user(user=people[0].employee.user)] == [group.pk]


def test_my_data_holds_the_cases_of_my_group():
    from pairing.personal_data import employee_pairing_data

    program = co_development(group_min=3)
    people = [peer(program, name=f"Dev {n}") for n in range(3)]
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    services.checkin_log(
        pairing=group,
        participant=people[0],
        held_on=timezone.localdate(),
        summary="Session",
        rating=4,
        presenter=people[1],
        steps={"case": "A case", "learned": "Listen"},
    )
    data = employee_pairing_data(people[2].employee)
    assert data["pairings"][0]["reasons"] == [
        "you share no goals with the others in your group; all of you are open to either "
        "feedback style"
    ]
    [checkin] = data["pairings"][0]["check_ins"]
    assert checkin["case"] == {
        "presenter": "Dev 1",
        "case": "A case",
        "questions": "",
        "request": "",
        "consultation": "",
        "action_plan": "",
        "learned": "Listen",
    }


def test_hr_nudges_only_those_in_a_running_group(hr_admin, django_capture_on_commit_callbacks):
    program = circles(admins=[hr_admin])
    people = [peer(program) for _ in range(6)]
    group = make_group(
        program=program,
        members=people,
        status=Status.ACTIVE,
        responses={people[4]: Response.DECLINED, people[5]: Response.PENDING},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pairing_nudge(pairing=group, actor=hr_admin) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.employee.email for p in people[:4])


# --- leaving a group: withdrawing from the programme, or leaving the organisation ---------


def test_someone_withdrawing_from_a_running_circle_is_replaced_and_the_circle_goes_on(
    django_capture_on_commit_callbacks,
):
    program = circles()
    people = [peer(program, goals=["Negotiation"]) for _ in range(4)]
    newcomer = peer(program, goals=["Negotiation"])
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.pairings_close_for_withdrawn(participant_ids=[people[0].pk])
    assert closed == []
    group.refresh_from_db()
    assert group.status == Status.ACTIVE
    assert {(m.participant_id, m.live, m.response) for m in group.members.all()} == {
        (people[0].pk, False, Response.ACCEPTED),
        *((p.pk, True, Response.ACCEPTED) for p in people[1:]),
        (newcomer.pk, True, Response.PENDING),
    }
    assert sorted(group.reasons) == sorted(str(p.pk) for p in [*people[1:], newcomer])
    # Only the newcomer is written to: asked to join.
    assert [m.to for m in mail.outbox] == [[newcomer.employee.email]]


def test_a_running_group_left_with_one_member_ends_and_that_member_is_told(
    django_capture_on_commit_callbacks,
):
    program = circles()
    people = [peer(program) for _ in range(4)]
    group = make_group(program=program, members=people, status=Status.ACTIVE)
    services.pairings_close_for_withdrawn(participant_ids=[people[0].pk, people[1].pk])
    group.refresh_from_db()
    assert group.status == Status.ACTIVE  # two who joined are still there
    with django_capture_on_commit_callbacks(execute=True):
        (closed,) = services.pairings_close_for_withdrawn(participant_ids=[people[2].pk])
    assert (closed.pk, closed.status, closed.end_reason) == (
        group.pk,
        Status.ENDED,
        services.WITHDREW,
    )
    assert PairingMember.objects.filter(live=True).count() == 0
    assert sorted(m.to[0] for m in mail.outbox) == [people[3].employee.email]


def test_a_mentor_leaving_the_organisation_ends_their_group_for_every_mentee():
    program = group_mentoring()
    mentor = make_participant(
        program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5}
    )
    mentees = [make_participant(program=program, employee_kwargs={"level": 3}) for _ in range(3)]
    group = make_group(program=program, members=mentees, guide=mentor, status=Status.ACTIVE)
    (closed,) = services.pairings_end_for_leavers(employee_ids=[mentor.employee_id])
    assert (closed.pk, closed.status) == (group.pk, Status.ENDED)
    # No pair proposals in a group programme: HR's next run forms the groups.
    assert Pairing.objects.count() == 1


def test_a_proposed_group_that_can_no_longer_start_is_cancelled():
    program = circles()
    people = [peer(program) for _ in range(4)]
    group = make_group(program=program, members=people)
    (closed,) = services.pairings_close_for_withdrawn(participant_ids=[people[0].pk])
    assert (closed.pk, closed.status) == (group.pk, Status.CANCELLED)
    assert PairingMember.objects.filter(live=True).count() == 0


def test_a_groups_proposal_is_never_reassigned_to_another_mentor(hr_admin):
    program = group_mentoring(admins=[hr_admin])
    mentor, other = (
        make_participant(
            program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5}
        )
        for _ in range(2)
    )
    mentees = [make_participant(program=program, employee_kwargs={"level": 3}) for _ in range(3)]
    group = make_group(program=program, members=mentees, guide=mentor)
    with pytest.raises(PairingError, match="A group's proposal is not reassigned"):
        services.proposal_reassign(pairing=group, guide_id=other.pk, actor=hr_admin)
    assert member(group, mentor).live is True
