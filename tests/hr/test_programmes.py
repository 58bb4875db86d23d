"""The HR admin's programme pages: access, the list, a new programme, its overview and settings."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone

from pairing.models import Pairing
from programs.models import (
    AuditEvent,
    Participant,
    Program,
)
from tests.factories import (
    make_hr_admin,
    make_participant,
    make_program,
    make_user,
)
from tests.hr.test_selectors import make_pairing

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"


PROGRAM_PAGES = [
    "hr:program_detail",
    "hr:participant_table",
    "hr:participant_add",
    "hr:participant_import",
    "hr:participant_export",
]


def _program_post(**overrides):
    """A valid programme form, as the browser posts it with the defaults pre-filled."""
    data = {
        "name": "Grow 2027",
        "slug": "grow-2027",
        "description": "",
        "kind": "mentoring",
        "matching_mode": "admin",
        "status": "draft",
        "enrol_opens": "",
        "enrol_closes": "",
        "starts_on": "",
        "ends_on": "",
        "checkin_cadence_days": "",
        "proposal_expiry_days": "7",
        "default_capacity": "2",
        "min_gap": "1",
        "ideal_gap": "2",
        "max_gap": "3",
        "peer_max_gap": "1",
        "weight_goals": "50",
        "weight_level": "25",
        "weight_style": "20",
        "weight_department": "5",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("name", PROGRAM_PAGES)
def test_program_pages_open_for_the_programme_admin(client, hr_admin, program, name):
    client.force_login(hr_admin)
    assert client.get(reverse(name, args=[program.slug])).status_code == 200


@pytest.mark.parametrize("name", PROGRAM_PAGES)
def test_program_pages_are_404_for_an_hr_admin_of_another_programme(client, program, name):
    client.force_login(make_hr_admin(name="Other HR"))
    assert client.get(reverse(name, args=[program.slug])).status_code == 404


@pytest.mark.parametrize("name", PROGRAM_PAGES)
def test_program_pages_are_403_for_employees(client, outsider, program, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[program.slug])).status_code == 403


@pytest.mark.parametrize("name", PROGRAM_PAGES)
def test_program_pages_open_for_superusers(client, program, name):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    assert client.get(reverse(name, args=[program.slug])).status_code == 200


@pytest.mark.parametrize("name", ["hr:program_manage_list", "hr:program_create"])
def test_manage_pages_are_403_for_employees(client, outsider, name):
    client.force_login(outsider)
    assert client.get(reverse(name)).status_code == 403


def test_programme_writes_by_an_hr_admin_of_another_programme_are_404_and_change_nothing(
    client, program
):
    client.force_login(make_hr_admin(name="Other HR"))
    add = client.post(
        reverse("hr:participant_add", args=[program.slug]),
        {"email": "new@example.org", "name": "New", "level": "3", "role": "mentee"},
    )
    upload = client.post(
        reverse("hr:participant_import", args=[program.slug]),
        {"file": SimpleUploadedFile("people.csv", (DATA / "mentoring-sample.csv").read_bytes())},
    )
    assert (add.status_code, upload.status_code) == (404, 404)
    assert Participant.objects.count() == 0
    assert AuditEvent.objects.filter(program=program).count() == 0


def test_manage_urls_are_not_taken_for_programme_slugs():
    assert resolve("/programmes/manage/").view_name == "hr:program_manage_list"
    assert resolve("/programmes/manage/new/").view_name == "hr:program_create"
    assert resolve("/programmes/some-slug/").view_name == "hr:program_detail"


def test_nav_shows_the_manage_link_to_hr_admins_only(client, hr_admin, outsider):
    link = f'href="{reverse("hr:program_manage_list")}"'
    client.force_login(hr_admin)
    assert link in client.get(reverse("home")).content.decode()
    client.force_login(outsider)
    assert link not in client.get(reverse("home")).content.decode()


def test_manage_list_shows_only_the_admins_programmes_with_counts(client, hr_admin, program):
    make_participant(program=program)
    make_participant(program=program, withdrawn_at=timezone.now())
    other = make_program(name="Someone else's", admins=[make_hr_admin(name="Other HR")])
    client.force_login(hr_admin)

    response = client.get(reverse("hr:program_manage_list"))

    assert list(response.context["programs"]) == [program]
    assert response.context["programs"][0].participant_count == 1
    assert other.name not in response.content.decode()


@pytest.mark.parametrize("programs", [1, 3])
def test_manage_list_query_count_is_the_same_for_1_and_3_programmes(
    client, hr_admin, django_assert_num_queries, programs
):
    for _ in range(programs):
        make_participant(program=make_program(admins=[hr_admin]))
    client.force_login(hr_admin)
    # session, user, HR group check, the navbar's employee, programmes with counts
    with django_assert_num_queries(5):
        response = client.get(reverse("hr:program_manage_list"))
    assert len(response.context["programs"]) == programs


def test_create_form_prefills_every_contract_number(client, hr_admin):
    client.force_login(hr_admin)
    form = client.get(reverse("hr:program_create")).context["form"]
    initial = {name: form[name].value() for name in form.fields}
    assert {k: initial[k] for k in _program_post() if k.startswith(("weight", "min", "max"))} == {
        "weight_goals": 50,
        "weight_level": 25,
        "weight_style": 20,
        "weight_department": 5,
        "min_gap": 1,
        "max_gap": 3,
    }
    assert (initial["ideal_gap"], initial["peer_max_gap"], initial["default_capacity"]) == (2, 1, 2)
    assert form.fields["weight_goals"].help_text == (
        "Points for goals covered by the mentor's expertise (or shared)."
    )


def test_create_makes_the_creator_admin_and_records_it(client, hr_admin):
    client.force_login(hr_admin)

    response = client.post(reverse("hr:program_create"), _program_post(kind="peer_coaching"))

    program = Program.objects.get(slug="grow-2027")
    assert response.status_code == 302
    assert response["Location"] == program.get_absolute_url()
    assert list(program.admins.all()) == [hr_admin]
    # A blank cadence takes the kind's default: peers check in every 14 days.
    assert program.checkin_cadence_days == 14
    assert list(program.audit_events.values_list("action", "actor")) == [
        (AuditEvent.Action.CREATED, hr_admin.pk)
    ]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"enrol_opens": "2027-03-01", "enrol_closes": "2027-02-01"},
            {"enrol_closes": ["Must be on or after the enrol opens."]},
        ),
        (
            {"starts_on": "2027-06-01", "ends_on": "2027-05-31"},
            {"ends_on": ["Must be on or after the starts on."]},
        ),
        (
            {"min_gap": "3", "ideal_gap": "2", "max_gap": "3"},
            {"min_gap": ["The smallest gap must not exceed the ideal gap."]},
        ),
        (
            {"min_gap": "1", "ideal_gap": "4", "max_gap": "3"},
            {"max_gap": ["The largest gap must not be below the ideal gap."]},
        ),
        (
            {
                "weight_goals": "0",
                "weight_level": "0",
                "weight_style": "0",
                "weight_department": "0",
            },
            {"weight_goals": ["At least one weight must be above zero."]},
        ),
        (
            {"weight_goals": "60"},
            {
                "weight_goals": [
                    "The four weights add up to 110; they may add up to at most 100 "
                    "(scores are out of 100)."
                ]
            },
        ),
        (
            {"default_capacity": "0"},
            {"default_capacity": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"slug": "manage"},
            {"slug": ["This address is taken by a page; choose another slug."]},
        ),
    ],
)
def test_create_refuses_invalid_settings_with_field_errors(client, hr_admin, overrides, errors):
    client.force_login(hr_admin)

    response = client.post(reverse("hr:program_create"), _program_post(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Program.objects.count() == 0


def test_detail_lists_settings_and_the_audit_log(client, hr_admin, program):
    AuditEvent.objects.create(
        program=program, actor=hr_admin, action=AuditEvent.Action.IMPORTED, summary="40 rows"
    )
    client.force_login(hr_admin)

    response = client.get(reverse("hr:program_detail", args=[program.slug]))

    assert [(e.action, e.summary) for e in response.context["audit_events"]] == [
        (AuditEvent.Action.IMPORTED, "40 rows")
    ]
    summary = dict(response.context["settings_summary"])
    assert (summary["Kind"], summary["Weight goals"], summary["Enrol opens"]) == (
        "Mentoring",
        50,
        "—",
    )
    assert "Hana HR" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 3])
def test_programme_page_query_count_is_the_same_for_1_and_3_audit_events(
    client, hr_admin, program, django_assert_num_queries, rows
):
    for n in range(rows):
        AuditEvent.objects.create(
            program=program, actor=hr_admin, action=AuditEvent.Action.IMPORTED, summary=f"Run {n}"
        )
    client.force_login(hr_admin)
    # session, user, HR group, programme, navbar's employee, events with their actors
    with django_assert_num_queries(6):
        response = client.get(reverse("hr:program_detail", args=[program.slug]))
    assert len(response.context["audit_events"]) == rows


MENTOR = Participant.Role.MENTOR


def _settings_post(program, **overrides):
    fields = [
        "name", "slug", "description", "kind", "matching_mode", "status", "enrol_opens",
        "enrol_closes", "starts_on", "ends_on", "checkin_cadence_days", "proposal_expiry_days",
        "default_capacity", "min_gap", "ideal_gap", "max_gap", "peer_max_gap", "weight_goals",
        "weight_level", "weight_style", "weight_department",
    ]  # fmt: skip
    data = {name: getattr(program, name) or "" for name in fields}
    return {**data, **overrides}


def test_settings_change_is_recorded_with_old_and_new_values(client, hr_admin, program):
    client.force_login(hr_admin)

    response = client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, weight_goals=40, weight_department=15),
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.weight_goals, program.weight_department) == (40, 15)
    event = program.audit_events.get()
    assert (event.action, event.actor, event.summary, event.detail) == (
        AuditEvent.Action.SETTINGS_CHANGED,
        hr_admin,
        "Changed weight goals, weight department",
        {"weight_goals": {"from": 50, "to": 40}, "weight_department": {"from": 5, "to": 15}},
    )


def test_saving_unchanged_settings_records_nothing(client, hr_admin, program):
    client.force_login(hr_admin)
    client.post(reverse("hr:program_edit", args=[program.slug]), _settings_post(program))
    assert program.audit_events.count() == 0


def test_settings_refuse_gaps_out_of_order(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, min_gap=1, ideal_gap=3, max_gap=2),
    )
    assert response.context["form"].errors == {
        "max_gap": ["The largest gap must not be below the ideal gap."]
    }
    program.refresh_from_db()
    assert (program.ideal_gap, program.max_gap) == (2, 3)


def test_a_new_cadence_moves_open_schedules(client, hr_admin, program, people):
    started = timezone.now() - timedelta(days=3)
    pairing = make_pairing(
        program=program,
        guide=people["ada"],
        learner=people["cy"],
        status=Pairing.Status.ACTIVE,
        proposed_at=started - timedelta(days=1),
        answered_after=timedelta(hours=1),
        activated_at=started,
    )
    pairing.next_checkin_due = timezone.localdate(started) + timedelta(days=28)
    pairing.save()
    client.force_login(hr_admin)

    client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, checkin_cadence_days=14),
    )

    pairing.refresh_from_db()
    assert pairing.next_checkin_due == timezone.localdate(started) + timedelta(days=14)
