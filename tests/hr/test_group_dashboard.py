"""The dashboard and the export of a group programme: groups running by size, sessions,
attendance and cases brought; one row per group with who is in it and who came."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pairing import services
from pairing.hr.selectors import GROUP_COLUMNS, group_figures
from pairing.models import Pairing
from tests.factories import make_group
from tests.pairing.test_groups import co_development, peer

pytestmark = pytest.mark.django_db

Status = Pairing.Status


def _session(group, people, came, presenter):
    return services.checkin_log(
        pairing=group,
        participant=people[0],
        held_on=timezone.localdate(),
        summary="Worked a case.",
        rating=4,
        attended=came,
        presenter=presenter,
        steps={"case": "A hard conversation with a client."},
    )


@pytest.fixture
def scene(hr_admin):
    """A co-development programme with two running groups (five and six who joined, one
    more still asked in the second) and one proposal."""
    program = co_development(admins=[hr_admin], group_min=5, group_max=8)
    first = [peer(program, name=f"First {n}") for n in range(5)]
    second = [peer(program, name=f"Second {n}") for n in range(7)]
    waiting = [peer(program) for _ in range(5)]
    a = make_group(program=program, members=first, status=Status.ACTIVE)
    b = make_group(
        program=program, members=second, status=Status.ACTIVE, responses={second[6]: "pending"}
    )
    make_group(program=program, members=waiting)
    _session(a, first, first[:4], first[0])
    _session(a, first, first, first[1])
    _session(b, second, second[:3], second[0])
    return program, (a, first), (b, second)


def test_group_figures_count_running_groups_sessions_attendance_and_cases(scene):
    program, _, _ = scene
    assert group_figures(program=program) == {
        "running": 2,
        "people": 11,
        "mean_size": 5.5,
        "by_size": [("5 members", 1), ("6 members", 1)],
        "sessions": 3,
        "attended": 12,
        "possible": 16,  # two sessions of five, one of six
        "attendance_rate": 75.0,
        "cases": 3,
        "presenters": 3,
    }


def test_the_group_dashboard_speaks_of_groups_and_shows_their_figures(client, hr_admin, scene):
    program, _, _ = scene
    client.force_login(hr_admin)
    response = client.get(reverse("hr:dashboard", args=[program.slug]))
    html = response.content.decode()
    assert [chart.title for chart in response.context["charts"]] == [
        "Peers by group status",
        "Enrolment by role",
        "Groups by status",
        "Why people declined",
        "Check-ins held vs due",
        "Closing survey ratings",
        "Running groups by size",
    ]
    assert "75.0%" in html
    assert "12 of 16 places at those sessions" in html
    assert "by 3 different members" in html
    assert "Export every group (CSV)" in html
    sizes = client.get(reverse("hr:dashboard_csv", args=[program.slug]), {"chart": "group_sizes"})
    assert sizes.content.decode().splitlines() == ["size,groups", "5 members,1", "6 members,1"]


def test_a_pair_programmes_dashboard_has_no_group_part(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.get(reverse("hr:dashboard", args=[program.slug]))
    assert response.context["health"]["groups"] is None
    assert "group_sizes" not in [chart.key for chart in response.context["charts"]]
    sizes = client.get(reverse("hr:dashboard_csv", args=[program.slug]), {"chart": "group_sizes"})
    assert sizes.status_code == 404


def test_groups_export_one_row_each_with_who_is_in_and_who_came(client, hr_admin, scene):
    program, (a, first), (b, second) = scene
    # Someone of the second group leaves the programme: no longer in it.
    services.pairings_close_for_withdrawn(participant_ids=[second[5].pk])
    client.force_login(hr_admin)
    response = client.get(reverse("hr:pairing_export", args=[program.slug]))
    assert response["Content-Disposition"] == f'attachment; filename="{program.slug}-groups.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert list(rows[0]) == list(GROUP_COLUMNS)
    by_pk = {int(row["pairing"]): row for row in rows}
    assert len(rows) == 3
    row_a = by_pk[a.pk]
    assert (row_a["status"], row_a["checkins"], row_a["attended"], row_a["attendance_rate"]) == (
        "active",
        "2",
        "9",
        "90.0",
    )
    assert row_a["member_names"] == ";".join(p.employee.name for p in first)
    assert (row_a["mentor_email"], row_a["not_in_group_emails"]) == ("", "")
    row_b = by_pk[b.pk]
    assert row_b["not_in_group_emails"] == second[5].employee.email
    assert second[5].employee.email not in row_b["member_emails"].split(";")
    assert (row_b["checkins"], row_b["attended"]) == ("1", "3")


def test_groups_export_query_count_is_the_same_for_1_and_3_groups(
    client, hr_admin, django_assert_num_queries
):
    program = co_development(admins=[hr_admin], group_min=2, group_max=3)
    client.force_login(hr_admin)
    counts = []
    for _ in range(3):
        make_group(program=program, members=[peer(program), peer(program)], status=Status.ACTIVE)
        with django_assert_num_queries(7) as captured:
            response = client.get(reverse("hr:pairing_export", args=[program.slug]))
            b"".join(response.streaming_content)
        counts.append(len(captured))
    assert counts == [7, 7, 7]


def test_group_dashboard_query_count_is_the_same_for_1_and_3_groups(client, hr_admin):
    program = co_development(admins=[hr_admin], group_min=2, group_max=3)
    client.force_login(hr_admin)
    counts = []
    for _ in range(3):
        people = [peer(program), peer(program)]
        group = make_group(program=program, members=people, status=Status.ACTIVE)
        _session(group, people, people, people[0])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("hr:dashboard", args=[program.slug])).status_code == 200
        counts.append(len(captured))
    assert counts == [22, 22, 22]
