"""The HR run page for the group kinds: the groups with their members and reasons, the
figures, pin a group, remove a member, publish; access and query counts."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from pairing.models import MatchRun, Pairing, PairingMember
from programs.models import Participant, Program
from tests.factories import make_employee, make_hr_admin, make_participant, make_program

pytestmark = pytest.mark.django_db

PEER, MENTOR, MENTEE = Participant.Role.PEER, Participant.Role.MENTOR, Participant.Role.MENTEE


def _person(program, role, name, *, level=3, department="Engineering", **extra):
    email = name.split()[0].lower() + "@example.org"
    employee = make_employee(name=name, email=email, level=level, department=department)
    return make_participant(program=program, role=role, employee=employee, **extra)


@pytest.fixture
def circles(hr_admin):
    """Six peers in circles of three: three want Python, three want Sales; Gil, at level 6,
    is too far from everyone to join a circle."""
    program = make_program(
        kind=Program.Kind.PEER_CIRCLES, admins=[hr_admin], group_min=3, group_max=3
    )
    people = {}
    for name, goal, department in [
        ("Ana Py", "Python", "Engineering"),
        ("Ben Py", "Python", "Sales"),
        ("Cy Py", "Python", "Engineering"),
        ("Dan Sales", "Sales", "Sales"),
        ("Eve Sales", "Sales", "Sales"),
        ("Flo Sales", "Sales", "Sales"),
    ]:
        people[name.split()[0].lower()] = _person(
            program, PEER, name, department=department, goals=[goal]
        )
    people["gil"] = _person(program, PEER, "Gil Far", level=6, goals=["Python"])
    return program, people


def _start_run(client, program):
    response = client.post(reverse("hr:matchrun_create", args=[program.slug]))
    run = MatchRun.objects.filter(program=program).first()
    assert response["Location"] == reverse("hr:matchrun_detail", args=[run.pk])
    return run


def _page(client, run):
    return client.get(reverse("hr:matchrun_detail", args=[run.pk]))


def _groups(review):
    return [([m.person.name for m in group.everyone], group.pinned) for group in review["pairings"]]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _keys(*participants):
    return [str(p.pk) for p in participants]


def test_the_run_page_shows_each_circle_with_its_members_and_their_reasons(
    client, hr_admin, circles
):
    program, people = circles
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = _page(client, run)

    review = response.context["review"]
    # Best first: the Python circle mixes departments, the Sales one does not.
    assert _groups(review) == [
        (["Ana Py", "Ben Py", "Cy Py"], False),
        (["Dan Sales", "Eve Sales", "Flo Sales"], False),
    ]
    python = review["pairings"][0]
    assert python.score == 98.33
    assert python.criteria == [
        ("Goals", 50.0, 50),
        ("Level", 25.0, 25),
        ("Feedback style", 20.0, 20),
        ("Other department", 3.33, 5),
    ]
    ana = python.members[0]
    assert (ana.person.level, ana.person.department) == (3, "Engineering")
    assert ana.reasons == [
        "Ana Py shares Python with 2 of 2 others; all are open to either feedback style"
    ]
    assert [(who.name, reasons) for who, reasons in review["unmatched"]] == [
        (
            "Gil Far",
            [
                "only 0 other peers are within 2 levels of Gil Far (level 6), and a circle "
                "needs 3 people: widen the level spread or invite more peers at levels 4-8"
            ],
        )
    ]
    page = response.content.decode()
    totals = _text(re.search(r'<dl class="row run-totals">(.*?)</dl>', page, re.S).group(1))
    assert totals.startswith(
        "People placed 6 of 7 peers, in 2 circles Average score 96.7 of 100 for the people in a "
        "circle together (580 points in all) Best possible? Yes, proven: no other grouping "
        "places more people or scores higher."
    )
    assert "Compared with random circles" in totals
    assert '<h3 class="h6 mb-1">Circle 1: 3 people</h3>' in page
    assert "level 3, Engineering" in page
    assert "Remove Ana Py from this group" in page
    assert page.count(">Pin this group<") == 2
    assert "Publish 2 circles" in page
    assert "Pin a pair by hand" not in page
    assert "<li>Ana Py shares Python with 2 of 2 others; all are open to either feedback " in page


def test_pin_remove_and_publish_from_the_page(
    client, hr_admin, circles, mailoutbox, django_capture_on_commit_callbacks
):
    program, people = circles
    client.force_login(hr_admin)
    run = _start_run(client, program)
    mixed = _keys(people["ana"], people["dan"], people["eve"])
    url = reverse("hr:matchrun_detail", args=[run.pk])

    pinned = client.post(reverse("hr:matchrun_pin_group", args=[run.pk]), {"members": mixed})

    assert pinned["Location"] == url
    review = _page(client, run).context["review"]
    assert _groups(review) == [
        (["Ana Py", "Dan Sales", "Eve Sales"], True),
        (["Ben Py", "Cy Py", "Flo Sales"], False),
    ]

    removed = client.post(
        reverse("hr:matchrun_remove_member", args=[run.pk]),
        {"members": mixed, "person": people["ana"].pk},
        follow=True,
    )

    assert [str(m) for m in removed.context["messages"]] == [
        "Removed from the group; matching re-ran, never grouping them together."
    ]
    review = removed.context["review"]
    assert _groups(review) == [
        (["Ana Py", "Ben Py", "Cy Py"], False),
        (["Dan Sales", "Eve Sales", "Flo Sales"], False),
    ]
    assert [[p.name for p in pair] for pair in review["removed"]] == [
        ["Ana Py", "Dan Sales"],
        ["Ana Py", "Eve Sales"],
    ]
    assert "Kept apart by hand" in removed.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(reverse("hr:matchrun_publish", args=[run.pk]))

    assert published["Location"] == program.get_absolute_url()
    members = sorted(
        (m.pairing_id, m.participant.employee.name, m.role, m.response)
        for m in PairingMember.objects.filter(pairing__program=program).select_related(
            "participant__employee"
        )
    )
    first, second = sorted({pairing for pairing, *_ in members})
    assert members == [
        (first, "Ana Py", "peer", "pending"),
        (first, "Ben Py", "peer", "pending"),
        (first, "Cy Py", "peer", "pending"),
        (second, "Dan Sales", "peer", "pending"),
        (second, "Eve Sales", "peer", "pending"),
        (second, "Flo Sales", "peer", "pending"),
    ]
    assert list(Pairing.objects.order_by("pk").values_list("status", "score")) == [
        ("proposed", 98.33),
        ("proposed", 95.0),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        p.employee.email for key, p in people.items() if key != "gil"
    )


def test_the_page_words_a_refused_pin_for_hr(client, hr_admin, circles):
    program, people = circles
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = client.post(
        reverse("hr:matchrun_pin_group", args=[run.pk]),
        {"members": _keys(people["ana"], people["ben"], people["gil"])},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "This group cannot be pinned: levels run from 3 to 6, more than the spread of 2: move "
        "the furthest member or widen the level spread."
    ]
    run.refresh_from_db()
    assert run.pins == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("matchrun_pin_group", {"members": ["x", "2"]}),
        ("matchrun_pin_group", {}),
        ("matchrun_remove_member", {"members": ["1", "2"], "person": "zero"}),
        ("matchrun_remove_member", {"members": ["-1"], "person": "1"}),
        ("matchrun_pin_group", {"members": [str(n) for n in range(1, 15)]}),
    ],
)
def test_malformed_group_posts_are_404(client, hr_admin, circles, name, data):
    program, _ = circles
    client.force_login(hr_admin)
    run = _start_run(client, program)

    assert client.post(reverse(f"hr:{name}", args=[run.pk]), data).status_code == 404


def test_group_actions_are_404_for_another_programmes_admin_and_403_for_employees(
    client, hr_admin, outsider, circles
):
    program, people = circles
    client.force_login(hr_admin)
    run = _start_run(client, program)
    group = _keys(people["ana"], people["ben"], people["cy"])
    posts = [
        (reverse("hr:matchrun_pin_group", args=[run.pk]), {"members": group}),
        (
            reverse("hr:matchrun_remove_member", args=[run.pk]),
            {"members": group, "person": people["ana"].pk},
        ),
        (reverse("hr:matchrun_publish", args=[run.pk]), {}),
    ]

    client.force_login(make_hr_admin(name="Other HR"))
    assert [client.post(url, data).status_code for url, data in posts] == [404, 404, 404]
    assert _page(client, run).status_code == 404
    client.force_login(outsider)
    assert [client.post(url, data).status_code for url, data in posts] == [403, 403, 403]
    assert _page(client, run).status_code == 403

    run.refresh_from_db()
    assert (run.status, run.pins, run.removed, Pairing.objects.count()) == (
        MatchRun.Status.DONE,
        [],
        [],
        0,
    )


@pytest.mark.parametrize("name", ["matchrun_pin_group", "matchrun_remove_member"])
def test_group_actions_need_a_post_with_its_csrf_token(client, hr_admin, circles, name):
    program, people = circles
    client.force_login(hr_admin)
    run = _start_run(client, program)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(hr_admin)
    data = {"members": _keys(people["ana"], people["ben"], people["cy"])}

    assert client.get(reverse(f"hr:{name}", args=[run.pk])).status_code == 405
    assert strict.post(reverse(f"hr:{name}", args=[run.pk]), data).status_code == 403
    page = _page(client, run).content.decode()
    action = reverse(f"hr:{name}", args=[run.pk])
    form = re.search(f'<form method="post" action="{action}">(.*?)</form>', page, re.S).group(1)
    assert 'name="csrfmiddlewaretoken"' in form


def test_a_group_mentoring_run_names_the_mentor_and_what_they_cover(client, hr_admin):
    program = make_program(
        kind=Program.Kind.GROUP_MENTORING, admins=[hr_admin], group_min=3, group_max=3
    )
    mentor = _person(
        program, MENTOR, "Max Mentor", level=5, department="Sales", expertise=["Python"],
        capacity=2,
    )  # fmt: skip
    for name in ("Ana Py", "Ben Py", "Cy Py"):
        _person(program, MENTEE, name, goals=["Python"])
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = _page(client, run)

    review = response.context["review"]
    group = review["pairings"][0]
    assert [(m.person.name, m.reasons) for m in group.everyone] == [
        ("Max Mentor", ["Max Mentor covers Python for 3 of 3 mentees"]),
        (
            "Ana Py",
            [
                "Ana Py shares Python with 2 of 2 others; all are open to either feedback style",
                "the mentor Max Mentor covers 1 of Ana Py's 1 goal (Python)",
            ],
        ),
        (
            "Ben Py",
            [
                "Ben Py shares Python with 2 of 2 others; all are open to either feedback style",
                "the mentor Max Mentor covers 1 of Ben Py's 1 goal (Python)",
            ],
        ),
        (
            "Cy Py",
            [
                "Cy Py shares Python with 2 of 2 others; all are open to either feedback style",
                "the mentor Max Mentor covers 1 of Cy Py's 1 goal (Python)",
            ],
        ),
    ]
    assert [(who.name, free) for who, free in review["spare_capacity"]] == [("Max Mentor", 1)]
    page = response.content.decode()
    assert "<strong>Max Mentor</strong> (mentor)" in page
    assert "Mentors with groups left (1)" in page
    assert 'People placed</dt><dd class="col-sm-8">3 of 3 mentees, in 1 group</dd>' in page
    # The mentor's key is posted with the group: by the pin and by each of 4 removes.
    assert page.count(f'<input type="hidden" name="members" value="{mentor.pk}">') == 5


@pytest.mark.parametrize("groups", [2, 6])
def test_run_review_query_count_is_the_same_for_2_and_6_groups(
    client, hr_admin, django_assert_num_queries, groups
):
    program = make_program(
        kind=Program.Kind.PEER_CIRCLES, admins=[hr_admin], group_min=4, group_max=4
    )
    for n in range(groups):
        for _ in range(4):
            make_participant(program=program, role=PEER, goals=[f"Topic {n}"])
    client.force_login(hr_admin)
    run = _start_run(client, program)
    # session, user, HR group, run with its programme, the programme's people (one query
    # whatever the number of groups in the result), navbar's employee
    with django_assert_num_queries(6):
        response = _page(client, run)
    assert len(response.context["review"]["pairings"]) == groups
    assert response.content.decode().count('class="card h-100 run-group"') == groups


def test_the_run_page_places_who_waited_last_round_first(client, hr_admin, circles):
    """Wu shares no goal with anyone, so the best circles of three leave Wu out; Wu waited
    last round, so Wu is placed and someone else waits instead."""
    program, people = circles
    wu = _person(program, PEER, "Wu Wait", goals=["Gardening"])
    Participant.objects.filter(pk=wu.pk).update(rounds_waited=1)
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = _page(client, run)

    review = response.context["review"]
    placed = {m.person.name for group in review["pairings"] for m in group.everyone}
    assert "Wu Wait" in placed
    assert len(placed) == 6
    left = sorted(who.name for who, _ in review["unmatched"])
    # Gil, too far from everyone, and one of the six who did not wait.
    assert len(left) == 2 and "Gil Far" in left and "Wu Wait" not in left
    [with_wu] = [g for g in review["pairings"] if g.waited]
    assert [who.name for who in with_wu.waited] == ["Wu Wait"]
    totals = review["totals"]
    assert (totals["waited"], totals["waited_matched"], totals["matched"]) == (1, 1, 6)
    page = response.content.decode()
    text = _text(re.search(r'<dl class="row run-totals">(.*?)</dl>', page, re.S).group(1))
    assert (
        "Served first 1 of 1 who waited last round is placed Best possible? Yes, proven: "
        "no other grouping places more of those who waited last round, and none placing as "
        "many of them places more people or scores higher." in text
    )
    assert "simple grouping does not look at who waited." in text
    assert page.count('class="small mb-1 run-waited"') == 1
    assert "Waited last round, placed first:</span> Wu Wait</p>" in page


def test_a_mentor_who_waited_is_not_served_first(client, hr_admin):
    program = make_program(
        kind=Program.Kind.GROUP_MENTORING, admins=[hr_admin], group_min=3, group_max=3
    )
    mentor = _person(program, MENTOR, "Max Mentor", level=5, expertise=["Python"])
    Participant.objects.filter(pk=mentor.pk).update(rounds_waited=2)
    for name in ("Ana Py", "Ben Py", "Cy Py"):
        _person(program, MENTEE, name, goals=["Python"])
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = _page(client, run)

    totals = response.context["review"]["totals"]
    assert (totals["waited"], totals["waited_matched"], totals["matched"]) == (0, 0, 3)
    assert "Served first" not in response.content.decode()
