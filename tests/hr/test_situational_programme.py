"""A situational programme in HR's pages and everywhere matching lives: the settings form
shows what it uses, and every matching, rounds and preferences entry point refuses it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from pairing import rounds
from pairing.matchmaking.runs import MatchingError, match_run_start, program_match
from pairing.models import MatchRun
from programs.models import Participant, Program
from tests.factories import make_employee, make_participant, make_situational_program
from tests.hr.test_programmes import _program_post

pytestmark = pytest.mark.django_db

MENTOR, MENTEE = Participant.Role.MENTOR, Participant.Role.MENTEE
NO_MATCHING = "Situational programmes book sessions; there is no matching."
NO_ROUNDS = "Situational programmes have no rounds: people book one session at a time."


@pytest.fixture
def situational(hr_admin):
    program = make_situational_program(admins=[hr_admin], slug="ask", name="Ask an expert")
    make_participant(
        program=program,
        role=MENTOR,
        employee=make_employee(name="Ada Helper", level=5),
        expertise=["Python"],
    )
    make_participant(
        program=program, employee=make_employee(name="Eve Asker", level=2), goals=["Python"]
    )
    return program


# --- the settings form -------------------------------------------------------------------


def test_create_stores_the_help_settings_and_ignores_matchings(client, hr_admin):
    client.force_login(hr_admin)

    response = client.post(
        reverse("hr:program_create"),
        _program_post(
            kind="situational",
            help_offered_by="anyone",
            monthly_help_cap="6",
            # Settings a situational programme has no use for, posted anyway: ignored.
            matching_mode="self_select",
            rotate_every_weeks="4",
            auto_publish_rounds="on",
            weight_goals="0",
            weight_level="0",
            weight_style="0",
            weight_department="0",
            min_gap="4",
            group_min="3",
            proposal_expiry_days="0",
        ),
    )

    assert response.status_code == 302
    program = Program.objects.get(slug="grow-2027")
    assert (program.kind, program.help_offered_by, program.monthly_help_cap) == (
        "situational",
        "anyone",
        6,
    )
    assert (program.min_gap, program.ideal_gap, program.max_gap) == (0, 1, 5)
    assert (program.matching_mode, program.rotate_every_weeks, program.auto_publish_rounds) == (
        "admin",
        None,
        False,
    )
    assert (program.weight_goals, program.proposal_expiry_days, program.group_min) == (50, 7, None)
    assert program.checkin_cadence_days == 28


def test_help_cap_out_of_range_is_a_field_error(client, hr_admin):
    client.force_login(hr_admin)

    response = client.post(
        reverse("hr:program_create"),
        _program_post(kind="situational", help_offered_by="mentors", monthly_help_cap="41"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "monthly_help_cap": ["Ensure this value is less than or equal to 40."]
    }
    assert not Program.objects.exists()


def test_other_kinds_ignore_the_help_settings(client, hr_admin):
    client.force_login(hr_admin)

    client.post(reverse("hr:program_create"), _program_post(monthly_help_cap="99"))

    program = Program.objects.get(slug="grow-2027")
    assert (program.kind, program.monthly_help_cap, program.min_gap) == ("mentoring", 4, 1)


def test_the_form_shows_a_situational_programme_only_its_settings(client, hr_admin, situational):
    client.force_login(hr_admin)
    # Settings of other kinds are left out once the kind is fixed (here: by a pairing).
    from tests.factories import make_live_pairing

    make_live_pairing(program=situational)

    form = client.get(reverse("hr:program_edit", args=["ask"])).context["form"]

    shown = {s.title: [f.name for f, _kinds in s.fields] for s in form.sections()}
    assert shown == {
        "Basics": ["name", "slug", "kind", "description", "starts_on", "ends_on"],
        "Enrolment": ["status", "enrol_opens", "enrol_closes"],
        "Help": ["help_offered_by", "monthly_help_cap"],
    }
    assert (form["help_offered_by"].label, form["monthly_help_cap"].label) == (
        "Who may offer help",
        "Sessions a month per helper",
    )


def test_editing_keeps_the_level_gaps(client, hr_admin, situational):
    Program.objects.filter(pk=situational.pk).update(min_gap=1, ideal_gap=2, max_gap=4)
    client.force_login(hr_admin)

    response = client.post(
        reverse("hr:program_edit", args=["ask"]),
        _program_post(
            name="Ask an expert",
            slug="ask",
            kind="situational",
            help_offered_by="mentors",
            monthly_help_cap="8",
        ),
    )

    assert response.status_code == 302
    situational.refresh_from_db()
    assert (situational.monthly_help_cap, situational.help_offered_by) == (8, "mentors")
    assert (situational.min_gap, situational.ideal_gap, situational.max_gap) == (1, 2, 4)


def test_the_programme_page_lists_the_help_settings(client, hr_admin, situational):
    client.force_login(hr_admin)

    rows = dict(client.get(reverse("hr:program_detail", args=["ask"])).context["settings_summary"])

    assert rows == {
        "Address (slug)": "ask",
        "Kind of programme": "Situational mentoring",
        "Status": "Open for enrolment",
        "Enrolment opens": "—",
        "Enrolment closes": "—",
        "Programme starts": "—",
        "Programme ends": "—",
        "Who may offer help": "The people HR enrols as mentors",
        "Sessions a month per helper": 4,
    }


def test_create_program_command_takes_the_situational_defaults():
    out = StringIO()
    call_command("create_program", "ask", "--kind", "situational", stdout=out)

    program = Program.objects.get(slug="ask")
    assert (program.min_gap, program.ideal_gap, program.max_gap) == (0, 1, 5)
    assert (program.help_offered_by, program.monthly_help_cap, program.matching_mode) == (
        "mentors",
        4,
        "admin",
    )
    assert out.getvalue() == (
        "Created situational mentoring programme 'ask' (Ask), open for enrolment\n"
    )


# --- HR's pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "hr:program_detail",
        "hr:program_edit",
        "hr:participant_table",
        "hr:participant_add",
        "hr:participant_import",
        "hr:program_admins",
        "hr:situational_dashboard",
    ],
)
def test_hr_pages_open(client, hr_admin, situational, name):
    client.force_login(hr_admin)

    assert client.get(reverse(name, args=["ask"])).status_code == 200


def test_hr_exports_open(client, hr_admin, situational):
    client.force_login(hr_admin)

    participants = client.get(reverse("hr:participant_export", args=["ask"]))
    pairings = client.get(reverse("hr:pairing_export", args=["ask"]))

    assert (participants.status_code, pairings.status_code) == (200, 200)


@pytest.mark.parametrize("method", ["get", "post"])
def test_matching_page_refuses(client, hr_admin, situational, method):
    client.force_login(hr_admin)

    response = getattr(client, method)(reverse("hr:matchrun_create", args=["ask"]), follow=True)

    assert response.redirect_chain == [(situational.get_absolute_url(), 302)]
    assert NO_MATCHING in response.content.decode()
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_rounds_page_refuses(client, hr_admin, situational, method):
    client.force_login(hr_admin)

    response = getattr(client, method)(
        reverse("hr:program_rounds", args=["ask"]),
        {"number": "2", "who": "everyone"},
        follow=True,
    )

    assert response.redirect_chain == [(situational.get_absolute_url(), 302)]
    assert NO_ROUNDS in response.content.decode()
    situational.refresh_from_db()
    assert situational.current_round == 1


def test_pairings_dashboard_sends_hr_to_the_situational_one(client, hr_admin, situational):
    client.force_login(hr_admin)

    response = client.get(reverse("hr:dashboard", args=["ask"]))

    assert response.status_code == 302
    assert response["Location"] == reverse("hr:situational_dashboard", args=["ask"])


def test_the_tabs_have_no_matching_or_rounds(client, hr_admin, situational):
    client.force_login(hr_admin)

    html = client.get(reverse("hr:participant_table", args=["ask"])).content.decode()

    assert reverse("hr:matchrun_create", args=["ask"]) not in html
    assert reverse("hr:program_rounds", args=["ask"]) not in html
    assert f'href="{reverse("hr:situational_dashboard", args=["ask"])}">Requests and sessions' in (
        html
    )


def test_roles_read_as_helpers_and_askers(client, hr_admin, situational):
    client.force_login(hr_admin)

    table = client.get(reverse("hr:participant_table", args=["ask"]))
    add = client.get(reverse("hr:participant_add", args=["ask"]))

    html = table.content.decode()
    assert "<td>Offers help</td>" in html
    assert "<td>Asks for help</td>" in html
    # No mentee capacity to show, and nobody is waiting to be matched.
    assert '<td class="text-end">—</td>' in html
    assert '<td class="text-end">2</td>' not in html
    assert "Not matched" not in html.split("<tbody>")[1]
    assert add.context["form"].fields["role"].choices == [
        ("mentor", "Offers help"),
        ("mentee", "Asks for help"),
    ]


def test_cockpit_points_to_the_requests_not_matching(client, hr_admin, situational):
    client.force_login(hr_admin)

    html = client.get(reverse("hr:cockpit")).content.decode()

    url = reverse("hr:situational_dashboard", args=["ask"])
    assert (
        f'<a class="btn btn-primary next-step" href="{url}">See the requests and sessions</a>'
        in html
    )
    assert reverse("hr:matchrun_create", args=["ask"]) not in html


# --- the services behind them ---------------------------------------------------------------


def test_matching_services_refuse(situational, hr_admin):
    with pytest.raises(
        MatchingError, match="^situational programmes book sessions; there is no matching$"
    ):
        match_run_start(program=situational, actor=hr_admin)
    with pytest.raises(MatchingError):
        program_match(situational)
    assert not MatchRun.objects.exists()


def test_match_command_exits_with_one_line(situational):
    with pytest.raises(CommandError) as raised:
        call_command("match", "ask", stdout=StringIO(), stderr=StringIO())

    assert str(raised.value) == "situational programmes book sessions; there is no matching"


def test_match_command_exits_non_zero(situational, capfd):
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as raised:
        execute_from_command_line(["manage.py", "match", "ask"])

    assert raised.value.code == 1
    assert capfd.readouterr().err == (
        "CommandError: situational programmes book sessions; there is no matching\n"
    )


def test_rounds_refuse_and_the_schedule_skips(situational, hr_admin):
    Program.objects.filter(pk=situational.pk).update(rotate_every_weeks=1)
    Program.objects.filter(pk=situational.pk).update(created_at=timezone.now() - timedelta(weeks=3))
    situational.refresh_from_db()

    with pytest.raises(rounds.RoundError, match=f"^{NO_ROUNDS}$"):
        rounds.round_start(program=situational, actor=hr_admin, everyone=True, end_pairings=True)
    assert rounds.rounds_due(timezone.now()) == []
    assert rounds.round_start_scheduled(program_id=situational.pk, now=timezone.now()) is None
    situational.refresh_from_db()
    assert situational.current_round == 1


def test_a_participants_page_opens(client, hr_admin, situational):
    helper = situational.participants.get(role=MENTOR)
    client.force_login(hr_admin)

    response = client.get(reverse("hr:participant_edit", args=["ask", helper.pk]))

    assert response.status_code == 200
    assert (
        '<span class="badge text-bg-secondary align-middle">Offers help</span>'
        in response.content.decode()
    )


def test_hr_adds_a_helper_without_a_capacity(client, hr_admin, situational):
    client.force_login(hr_admin)
    url = reverse("hr:participant_add", args=["ask"])
    assert "capacity" not in client.get(url).context["form"].fields

    response = client.post(
        url,
        {
            "email": "Helen.Helper@example.org",
            "name": "Helen Helper",
            "department": "Finance",
            "level": "5",
            "role": "mentor",
            "expertise": "Budgeting",
            "style": "either",
            "capacity": "7",
        },
    )

    assert response.status_code == 302
    helper = situational.participants.get(employee__email="helen.helper@example.org")
    assert (helper.role, helper.capacity) == ("mentor", None)
    assert situational.role_label(helper.role) == "Offers help"
