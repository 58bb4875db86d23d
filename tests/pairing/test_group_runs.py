"""Matching runs for the group kinds: run, pin a group, remove a member, publish, match --json."""

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from pairing.matchmaking.runs import (
    MatchingError,
    match_run_pin,
    match_run_pin_group,
    match_run_publish,
    match_run_remove,
    match_run_remove_member,
    match_run_start,
)
from pairing.models import MatchRun, Pairing, PairingMember
from programs.models import Participant, Program
from tests.factories import make_employee, make_participant, make_program

pytestmark = pytest.mark.django_db

PEER, MENTOR, MENTEE = Participant.Role.PEER, Participant.Role.MENTOR, Participant.Role.MENTEE


def _person(program, role, name, *, level=3, department="Engineering", **extra):
    email = name.split()[0].lower() + "@example.org"
    employee = make_employee(name=name, email=email, level=level, department=department)
    return make_participant(program=program, role=role, employee=employee, **extra)


@pytest.fixture
def circles():
    """Six peers in circles of three: three want Python, three want Sales."""
    program = make_program(
        kind=Program.Kind.PEER_CIRCLES, slug="circles", name="Circles", group_min=3, group_max=3
    )
    names = ["Ana Py", "Ben Py", "Cy Py", "Dan Sales", "Eve Sales", "Flo Sales"]
    people = {
        name.split()[0].lower(): _person(program, PEER, name, goals=[_goal(name)]) for name in names
    }
    return program, people


@pytest.fixture
def mentoring_groups():
    """Two mentors (one group each) and six mentees in groups of three."""
    program = make_program(
        kind=Program.Kind.GROUP_MENTORING, slug="groups", name="Groups", group_min=3, group_max=3
    )
    people = {
        "max": _person(program, MENTOR, "Max Mentor", level=5, expertise=["Python"], capacity=1),
        "nia": _person(program, MENTOR, "Nia Mentor", level=5, expertise=["Sales"], capacity=1),
    }
    for name in ["Ana Py", "Ben Py", "Cy Py", "Dan Sales", "Eve Sales", "Flo Sales"]:
        people[name.split()[0].lower()] = _person(program, MENTEE, name, goals=[_goal(name)])
    return program, people


def _goal(name):
    return "Python" if name.endswith("Py") else "Sales"


def _keys(*participants):
    return [str(p.pk) for p in participants]


def _groups(run):
    """The run's groups as (guide name or None, sorted member names, pinned)."""
    names = {
        str(pk): name
        for pk, name in Participant.objects.filter(program=run.program).values_list(
            "pk", "employee__name"
        )
    }
    return sorted(
        (
            names[item["guide"]] if item["guide"] else None,
            sorted(names[key] for key in item["members"]),
            item["pinned"],
        )
        for item in run.result["pairings"]
    )


PY = ["Ana Py", "Ben Py", "Cy Py"]
SALES = ["Dan Sales", "Eve Sales", "Flo Sales"]


def test_a_circles_run_groups_the_people_who_share_goals(hr_admin, circles):
    program, people = circles

    run = match_run_start(program=program, actor=hr_admin)

    assert run.status == MatchRun.Status.DONE
    assert _groups(run) == [(None, PY, False), (None, SALES, False)]
    ana_group = next(g for g in run.result["pairings"] if str(people["ana"].pk) in g["members"])
    # Same level, same department, either style, the same goal: 95 for every pair inside.
    assert (ana_group["score"], ana_group["breakdown"]) == (
        95.0,
        {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 0.0},
    )
    assert ana_group["reasons"][str(people["ana"].pk)] == [
        {
            "code": "group_shares",
            "params": {
                "topics": ["Python"],
                "count": 2,
                "size": 2,
                "style": "either",
                "all_same": True,
                "unit": "circle",
            },
        }
    ]
    assert run.result["kind"] == "peer_circles"
    assert run.result["unmatched"] == []
    objective = run.result["objective"]
    assert (objective["matched"], objective["total_score"], objective["certified"]) == (
        6,
        570.0,
        True,
    )
    assert sorted(objective) == [
        "certified",
        "gap",
        "greedy",
        "matched",
        "method",
        "random_mean",
        "rounds",
        "solve_seconds",
        "total_score",
        "upper_bound",
        "waited",
        "waited_matched",
    ]
    totals = run.result["totals"]
    assert {k: v for k, v in totals.items() if k not in ("random_total_score", "times_random")} == {
        "people": 6,
        "seekers": 6,
        "matched": 6,
        "groups": 2,
        "total_score": 570.0,
        "average_score": 95.0,
        "max_score": 100,
        "upper_bound": 570.0,
        "gap": 0.0,
        "of_upper_bound": 100.0,
        "greedy_total_score": 570.0,
        "score_above_greedy": 0.0,
        "certified": True,
        "waited": 0,
        "waited_matched": 0,
        "already_paired": 0,
        "full_guides": 0,
    }
    assert totals["times_random"] == round(570.0 / totals["random_total_score"], 2)


def test_pin_a_group_then_remove_a_member_then_publish(
    hr_admin, circles, mailoutbox, django_capture_on_commit_callbacks
):
    program, people = circles
    run = match_run_start(program=program, actor=hr_admin)
    mixed = _keys(people["ana"], people["dan"], people["eve"])

    run = match_run_pin_group(run=run, keys=mixed, actor=hr_admin)

    assert run.pins == [mixed]
    assert _groups(run) == [
        (None, ["Ana Py", "Dan Sales", "Eve Sales"], True),
        (None, ["Ben Py", "Cy Py", "Flo Sales"], False),
    ]

    run = match_run_remove_member(
        run=run, group=mixed, person=str(people["ana"].pk), actor=hr_admin
    )

    ana, dan, eve = mixed
    assert (run.pins, run.removed) == ([], [[ana, dan], [ana, eve]])
    # Ana may not join Dan or Eve, so she is with the other Python peers again.
    assert _groups(run) == [(None, PY, False), (None, SALES, False)]
    assert list(program.audit_events.values_list("summary", flat=True)) == [
        f"Removed Ana Py from the group with Dan Sales and Eve Sales (run {run.pk})",
        f"Pinned the group of Ana Py, Dan Sales and Eve Sales (run {run.pk})",
        f"Ran matching (run {run.pk})",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        pairings = match_run_publish(run=run, actor=hr_admin)

    assert len(pairings) == 2
    rows = sorted(
        (
            m.pairing.status,
            m.pairing.score,
            m.participant.employee.name,
            m.role,
            m.response,
        )
        for m in PairingMember.objects.filter(pairing__program=program).select_related(
            "pairing", "participant__employee"
        )
    )
    assert rows == [("proposed", 95.0, name, "peer", "pending") for name in [*PY, *SALES]]
    python = next(p for p in pairings if p.members.filter(participant=people["ana"]).exists())
    assert python.breakdown == {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 0.0}
    assert sorted(python.reasons) == sorted(_keys(people["ana"], people["ben"], people["cy"]))
    assert python.reasons[str(people["ben"].pk)] == [
        {
            "code": "group_shares",
            "params": {
                "topics": ["Python"],
                "count": 2,
                "size": 2,
                "style": "either",
                "all_same": True,
                "unit": "circle",
            },
        }
    ]
    assert {(p.source, p.match_run_id) for p in pairings} == {("matching", run.pk)}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.employee.email for p in people.values())


def test_a_mentoring_group_is_published_with_one_mentor_and_its_mentees(
    hr_admin, mentoring_groups, django_capture_on_commit_callbacks
):
    program, people = mentoring_groups
    run = match_run_start(program=program, actor=hr_admin)

    assert _groups(run) == [("Max Mentor", PY, False), ("Nia Mentor", SALES, False)]

    with django_capture_on_commit_callbacks(execute=True):
        pairings = match_run_publish(run=run, actor=hr_admin)

    max_group = next(p for p in pairings if p.members.filter(participant=people["max"]).exists())
    members = sorted(
        (m.participant.employee.name, m.role, m.response)
        for m in max_group.members.select_related("participant__employee")
    )
    assert members == [
        ("Ana Py", "learner", "pending"),
        ("Ben Py", "learner", "pending"),
        ("Cy Py", "learner", "pending"),
        ("Max Mentor", "guide", "pending"),
    ]
    assert max_group.reasons[str(people["max"].pk)] == [
        {"code": "group_guide", "params": {"covered": ["Python"], "helped": 3, "learners": 3}}
    ]
    assert max_group.reasons[str(people["ana"].pk)][1] == {
        "code": "guide_covers",
        "params": {"guide": "Max Mentor", "covered": ["Python"], "wanted": 1},
    }


def _intro(message) -> str:
    """The email's sentence after the greeting."""
    return message.body.split("\n\n")[1]


def _published_emails(program, hr_admin, capture) -> dict[str, object]:
    with capture(execute=True):
        match_run_publish(run=match_run_start(program=program, actor=hr_admin), actor=hr_admin)
    return {message.to[0]: message for message in mail.outbox}


def test_the_proposal_email_words_a_circle(hr_admin, circles, django_capture_on_commit_callbacks):
    program, _ = circles

    emails = _published_emails(program, hr_admin, django_capture_on_commit_callbacks)

    assert len(emails) == 6
    ana = emails["ana@example.org"]
    assert ana.subject == "New peer coaching circle proposal in Circles"
    assert (
        _intro(ana) == "We propose you for a peer coaching circle in Circles with Ben Py and Cy Py."
    )
    assert (
        "<p>We propose you for a peer coaching circle in Circles with Ben Py and Cy Py.</p>"
    ) in ana.alternatives[0][0]


def test_the_proposal_email_words_a_mentoring_group_for_its_mentor_and_its_mentees(
    hr_admin, mentoring_groups, django_capture_on_commit_callbacks
):
    program, _ = mentoring_groups

    emails = _published_emails(program, hr_admin, django_capture_on_commit_callbacks)

    assert len(emails) == 8
    ana, max_ = emails["ana@example.org"], emails["max@example.org"]
    assert ana.subject == max_.subject == "New mentoring group proposal in Groups"
    assert _intro(ana) == (
        "We propose you for a mentoring group in Groups, mentored by Max Mentor, with Ben Py "
        "and Cy Py."
    )
    assert _intro(max_) == (
        "We propose you as the mentor of a mentoring group in Groups for Ana Py, Ben Py and Cy Py."
    )


def test_pinning_a_mentoring_group_needs_one_mentor_and_a_place(hr_admin, mentoring_groups):
    program, people = mentoring_groups
    run = match_run_start(program=program, actor=hr_admin)
    ana, ben, cy = people["ana"], people["ben"], people["cy"]

    with pytest.raises(MatchingError) as no_mentor:
        match_run_pin_group(run=run, keys=_keys(ana, ben, cy), actor=hr_admin)
    run = match_run_pin_group(run=run, keys=_keys(people["max"], ana, ben, cy), actor=hr_admin)
    with pytest.raises(MatchingError) as full:
        match_run_pin_group(
            run=run, keys=_keys(people["max"], people["dan"], people["eve"], people["flo"]),
            actor=hr_admin,
        )  # fmt: skip

    assert str(no_mentor.value) == "A mentoring group needs exactly one mentor."
    assert str(full.value) == "Max Mentor has no group left for another pinned group."
    run.refresh_from_db()
    assert run.pins == [_keys(people["max"], ana, ben, cy)]


def test_pinning_a_group_refuses_what_the_rules_forbid(hr_admin, circles):
    program, people = circles
    boss = _person(program, PEER, "Gus Boss", level=4)
    people["ana"].employee.manager = boss.employee
    people["ana"].employee.save(update_fields=["manager"])
    run = match_run_start(program=program, actor=hr_admin)

    def refusal(*participants):
        with pytest.raises(MatchingError) as error:
            match_run_pin_group(run=run, keys=_keys(*participants), actor=hr_admin)
        return str(error.value)

    assert refusal(people["ben"], people["cy"]) == (
        "This group cannot be pinned: the group has 2 members; it needs 3 to 3: add or remove "
        "members."
    )
    assert refusal(boss, people["ana"], people["ben"]) == (
        "This group cannot be pinned: Gus Boss manages Ana Py: move one of them to another group."
    )
    outsider = make_participant(program=make_program(kind=Program.Kind.PEER_CIRCLES), role=PEER)
    assert refusal(people["ben"], people["cy"], outsider) == (
        "Everyone in the group must be active in this programme and not in a group that "
        "stays; run matching again."
    )
    match_run_pin_group(run=run, keys=_keys(people["ben"], people["cy"], boss), actor=hr_admin)
    run.refresh_from_db()
    assert refusal(people["cy"], people["dan"], people["eve"]) == (
        "Cy Py is already in a pinned group in this run."
    )
    # The pair actions do not apply to groups, nor the group actions to pairs.
    with pytest.raises(MatchingError) as pair_pin:
        match_run_pin(run=run, first=str(people["ben"].pk), second=str(people["cy"].pk),
                      actor=hr_admin)  # fmt: skip
    with pytest.raises(MatchingError) as pair_remove:
        match_run_remove(run=run, pair=_keys(people["ben"], people["cy"]), actor=hr_admin)
    assert str(pair_pin.value) == "This programme forms groups: pin a whole group."
    assert str(pair_remove.value) == (
        "This programme forms groups: remove one person from a group."
    )


def test_removing_a_member_refuses_someone_outside_the_group(hr_admin, circles):
    program, people = circles
    run = match_run_start(program=program, actor=hr_admin)
    group = _keys(people["ana"], people["ben"], people["cy"])

    with pytest.raises(MatchingError) as stranger:
        match_run_remove_member(run=run, group=group, person=str(people["dan"].pk), actor=hr_admin)
    elsewhere = make_participant(program=make_program(kind=Program.Kind.PEER_CIRCLES), role=PEER)
    with pytest.raises(MatchingError) as foreign:
        match_run_remove_member(
            run=run, group=[*group, str(elsewhere.pk)], person=group[0], actor=hr_admin
        )

    assert str(stranger.value) == "That person is not in this group."
    assert str(foreign.value) == "Everyone in the group must be a participant of this programme."
    run.refresh_from_db()
    assert run.removed == []


def test_group_actions_refuse_a_pair_programme(hr_admin):
    program = make_program(kind=Program.Kind.PEER_COACHING)
    a, b = (make_participant(program=program, role=PEER) for _ in range(2))
    run = match_run_start(program=program, actor=hr_admin)

    with pytest.raises(MatchingError) as pin:
        match_run_pin_group(run=run, keys=_keys(a, b), actor=hr_admin)
    with pytest.raises(MatchingError) as remove:
        match_run_remove_member(run=run, group=_keys(a, b), person=str(a.pk), actor=hr_admin)

    assert str(pin.value) == "This programme forms pairs: pin a pair."
    assert str(remove.value) == "This programme forms pairs: remove a pair."


def test_publishing_rechecks_each_group_against_todays_rules(hr_admin, circles):
    program, people = circles
    run = match_run_start(program=program, actor=hr_admin)
    # Since the run, Ana's level changed beyond the spread of her circle.
    people["ana"].employee.level = 6
    people["ana"].employee.save(update_fields=["level"])

    with pytest.raises(MatchingError) as error:
        match_run_publish(run=run, actor=hr_admin)

    assert str(error.value) == (
        "The group of Ana Py, Ben Py and Cy Py can no longer be made (levels run from 3 to 6, "
        "more than the spread of 2: move the furthest member or widen the level spread); run "
        "matching again."
    )
    assert Pairing.objects.count() == 0


def test_a_new_run_may_propose_the_groups_it_replaces_but_not_kept_ones(hr_admin, circles):
    program, people = circles
    match_run_publish(run=match_run_start(program=program, actor=hr_admin), actor=hr_admin)

    again = match_run_start(program=program, actor=hr_admin)

    # Nobody answered: the same circles come back, and publishing replaces the proposals.
    assert _groups(again) == [(None, PY, False), (None, SALES, False)]
    python = Pairing.objects.get(members__participant=people["ana"])
    member = python.members.get(participant=people["ana"])
    member.response, member.responded_at = "accepted", python.proposed_at
    member.save(update_fields=["response", "responded_at"])

    third = match_run_start(program=program, actor=hr_admin)

    # Ana answered: her circle stays, and nobody is left to group with the Sales three.
    assert _groups(third) == [(None, SALES, False)]
    assert third.result["totals"]["already_paired"] == 3


def test_match_json_lists_circles_with_all_their_members(circles):
    program, people = circles
    out = StringIO()

    call_command("match", "circles", "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert (result["program"], result["kind"]) == ("circles", "peer_circles")
    assert result["pairings"] == [
        {
            "guide": None,
            "members": ["ana@example.org", "ben@example.org", "cy@example.org"],
            "score": 95.0,
            "breakdown": {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 0.0},
        },
        {
            "guide": None,
            "members": ["dan@example.org", "eve@example.org", "flo@example.org"],
            "score": 95.0,
            "breakdown": {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 0.0},
        },
    ]
    assert (result["unmatched"], result["spare_capacity"]) == ([], [])
    assert (result["objective"]["matched"], result["objective"]["upper_bound"]) == (6, 570.0)
    assert Pairing.objects.count() == 0


def test_match_json_names_the_mentor_of_each_group(mentoring_groups):
    program, people = mentoring_groups
    _person(program, MENTEE, "Gil Lone", level=1)  # both mentors are 4 levels above
    out = StringIO()

    call_command("match", "groups", "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert [(p["guide"], p["members"]) for p in result["pairings"]] == [
        ("max@example.org", ["ana@example.org", "ben@example.org", "cy@example.org"]),
        ("nia@example.org", ["dan@example.org", "eve@example.org", "flo@example.org"]),
    ]
    assert [u["email"] for u in result["unmatched"]] == ["gil@example.org"]
    assert result["spare_capacity"] == []


def test_match_commit_writes_groups(circles):
    program, people = circles

    call_command("match", "circles", "--commit", stdout=StringIO(), stderr=StringIO())

    assert sorted(
        sorted(m.participant.employee.name for m in p.members.all())
        for p in Pairing.objects.filter(program=program)
    ) == [PY, SALES]
    assert set(
        PairingMember.objects.filter(pairing__program=program).values_list("role", "response")
    ) == {("peer", "pending")}


def test_match_prints_each_group_on_one_line(circles):
    out = StringIO()

    call_command("match", "circles", stdout=out)

    assert out.getvalue().splitlines() == [
        "circles (peer_circles): 2 groups, 6 people matched, total score 570.00",
        "",
        "  ana@example.org  ben@example.org, cy@example.org    95.00",
        "  dan@example.org  eve@example.org, flo@example.org   95.00",
    ]


def test_a_co_development_run_forms_one_group_of_five(hr_admin):
    program = make_program(kind=Program.Kind.CO_DEVELOPMENT)
    peers = [make_participant(program=program, role=PEER, goals=["Cases"]) for _ in range(5)]

    run = match_run_start(program=program, actor=hr_admin)

    [group] = run.result["pairings"]
    assert (group["guide"], sorted(group["members"]), run.result["unmatched"]) == (
        None,
        sorted(_keys(*peers)),
        [],
    )
    assert group["reasons"][str(peers[0].pk)][0]["params"]["unit"] == "group"
    [pairing] = match_run_publish(run=run, actor=hr_admin)
    assert sorted(pairing.members.values_list("role", "response")) == [("peer", "pending")] * 5


def test_a_mentors_capacity_counts_groups(hr_admin):
    program = make_program(
        kind=Program.Kind.GROUP_MENTORING, name="Groups", group_min=3, group_max=3
    )
    mentor = _person(program, MENTOR, "Max Mentor", level=5, expertise=["Python"], capacity=2)
    for name in ["Ana Py", "Ben Py", "Cy Py", "Dan Py", "Eve Py", "Flo Py"]:
        _person(program, MENTEE, name, goals=["Python"])
    run = match_run_start(program=program, actor=hr_admin)

    assert [item["guide"] for item in run.result["pairings"]] == [str(mentor.pk)] * 2
    assert run.result["spare_capacity"] == []
    Participant.objects.filter(pk=mentor.pk).update(capacity=1)
    with pytest.raises(MatchingError) as error:
        match_run_publish(run=run, actor=hr_admin)

    assert str(error.value) == "Max Mentor has no place left since this run; run matching again."
    assert Pairing.objects.count() == 0
    rerun = match_run_start(program=program, actor=hr_admin)
    assert len(rerun.result["pairings"]) == 1
    assert len(rerun.result["unmatched"]) == 3
