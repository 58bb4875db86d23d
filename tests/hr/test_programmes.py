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
    make_live_pairing,
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
        "max_requests_per_mentee": "3",
        "max_requests_per_mentor": "3",
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
        "max_requests_per_mentee": 3,
        "max_requests_per_mentor": 3,
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
            {"enrol_closes": ["Enrolment cannot close before it opens."]},
        ),
        (
            {"starts_on": "2027-06-01", "ends_on": "2027-05-31"},
            {"ends_on": ["The programme cannot end before it starts."]},
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
        (
            {"matching_mode": "self_select", "rotate_every_weeks": "6"},
            {
                "rotate_every_weeks": [
                    "Where employees choose their partners, start each round yourself."
                ]
            },
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
    assert (
        summary["Kind of programme"],
        summary["Points for goals"],
        summary["Enrolment opens"],
        summary["Days between check-ins"],
    ) == ("Mentoring", 50, "—", program.checkin_cadence_days)
    # Under the form's plain labels, and only the settings of the programme's kind.
    assert "Most levels between two peer coaches" not in summary
    assert "Checkin cadence days" not in response.content.decode()
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
        "max_requests_per_mentee", "max_requests_per_mentor", "default_capacity", "min_gap",
        "ideal_gap", "max_gap", "peer_max_gap", "weight_goals",
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


# --- the form in sections, by kind, with a slug made from the name ------------------------


def test_create_form_comes_in_sections_with_the_matching_rules_folded_away(client, hr_admin):
    client.force_login(hr_admin)
    response = client.get(reverse("hr:program_create"))
    sections = [
        (section.title, section.advanced, [(f.name, kinds) for f, kinds in section.fields])
        for section in response.context["form"].sections()
    ]
    hierarchical = "mentoring reverse_mentoring group_mentoring"
    groups = "peer_circles co_development group_mentoring"
    # Every kind but situational, which is never matched.
    matched = "mentoring reverse_mentoring peer_coaching peer_circles co_development " + (
        "group_mentoring"
    )
    assert sections == [
        (
            "Basics",
            False,
            [
                (name, "")
                for name in ["name", "slug", "kind", "description", "starts_on", "ends_on"]
            ],
        ),
        (
            "Enrolment",
            False,
            [
                ("status", ""),
                ("enrol_opens", ""),
                ("enrol_closes", ""),
                ("matching_mode", matched),
                ("proposal_expiry_days", matched),
                ("max_requests_per_mentee", "mentoring reverse_mentoring peer_coaching"),
                ("max_requests_per_mentor", "mentoring reverse_mentoring peer_coaching"),
                ("default_capacity", hierarchical),
            ],
        ),
        (
            "Help",
            False,
            [("help_offered_by", "situational"), ("monthly_help_cap", "situational")],
        ),
        ("Check-ins", False, [("checkin_cadence_days", matched)]),
        (
            "Groups",
            False,
            [("group_min", groups), ("group_max", groups), ("group_level_spread", groups)],
        ),
        (
            "Rounds",
            False,
            [
                ("partner_repeat_rounds", matched),
                ("rotate_every_weeks", matched),
                ("auto_publish_rounds", matched),
            ],
        ),
        (
            "Matching rules",
            True,
            [
                ("min_gap", hierarchical),
                ("ideal_gap", hierarchical),
                ("max_gap", hierarchical),
                ("peer_max_gap", "peer_coaching"),
                ("weight_goals", matched),
                ("weight_level", matched),
                ("weight_style", matched),
                ("weight_department", matched),
                ("weight_preference", matched),
            ],
        ),
    ]
    html = response.content.decode()
    # Folded away and, for a situational programme (which has none of them), hidden.
    assert '<details class="program-form-advanced mb-4" data-hidden-kinds="situational">' in html
    assert '<fieldset class="mb-4" data-hidden-kinds="situational">' in html
    assert '<div data-kinds="peer_coaching">' in html
    # The whole Groups section hides for the pair kinds.
    assert f'<fieldset class="mb-4" data-kinds="{groups}">' in html
    form = response.context["form"]
    assert (form["checkin_cadence_days"].label, form["peer_max_gap"].label) == (
        "Days between check-ins",
        "Most levels between two peer coaches",
    )


def test_a_locked_kind_leaves_the_other_kinds_settings_out(client, hr_admin, program):
    make_live_pairing(program=program)
    client.force_login(hr_admin)
    form = client.get(reverse("hr:program_edit", args=[program.slug])).context["form"]
    shown = [field.name for section in form.sections() for field, _kinds in section.fields]
    assert "peer_max_gap" not in shown
    assert "min_gap" in shown


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Grow 2027", "grow-2027"),
        ("  Ça va, l'équipe !  ", "ca-va-lequipe"),
        ("Manage", "manage-2"),  # /programmes/manage/ is a page
        ("日本語", "programme"),
    ],
)
def test_a_blank_slug_is_made_from_the_name(client, hr_admin, name, slug):
    client.force_login(hr_admin)
    response = client.post(reverse("hr:program_create"), _program_post(name=name, slug=""))
    assert response.status_code == 302
    assert Program.objects.get().slug == slug


def test_a_slug_made_from_the_name_is_numbered_past_the_taken_ones(client, hr_admin):
    make_program(slug="grow-2027")
    make_program(slug="grow-2027-2")
    client.force_login(hr_admin)
    client.post(reverse("hr:program_create"), _program_post(slug=""))
    assert Program.objects.filter(name="Grow 2027").get().slug == "grow-2027-3"


def test_a_name_and_a_kind_typed_into_the_prefilled_form_make_a_programme(client, hr_admin):
    client.force_login(hr_admin)
    form = client.get(reverse("hr:program_create")).context["form"]
    posted = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    response = client.post(
        reverse("hr:program_create"), {**posted, "name": "Peers 2027", "kind": "peer_coaching"}
    )
    assert response.status_code == 302
    program = Program.objects.get()
    assert (program.slug, program.checkin_cadence_days) == ("peers-2027", 14)


def test_editing_with_a_blank_slug_keeps_the_address(client, hr_admin, program):
    client.force_login(hr_admin)
    client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, slug="", name="A new name"),
    )
    program.refresh_from_db()
    assert (program.name, program.slug) == ("A new name", _settings_post(program)["slug"])


def test_peer_coaching_ignores_the_mentoring_settings_posted(client, hr_admin):
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:program_create"),
        _program_post(
            kind="peer_coaching", min_gap="9", ideal_gap="", max_gap="x", default_capacity="0"
        ),
    )
    assert response.status_code == 302
    program = Program.objects.get()
    assert (program.min_gap, program.ideal_gap, program.max_gap, program.default_capacity) == (
        1,
        2,
        3,
        2,
    )


def test_mentoring_ignores_the_peer_setting_but_peer_coaching_checks_it(client, hr_admin):
    client.force_login(hr_admin)
    client.post(reverse("hr:program_create"), _program_post(peer_max_gap="9"))
    assert Program.objects.get().peer_max_gap == 1
    response = client.post(
        reverse("hr:program_create"),
        _program_post(name="Peers", slug="peers", kind="peer_coaching", peer_max_gap="9"),
    )
    assert response.context["form"].errors == {
        "peer_max_gap": ["Ensure this value is less than or equal to 5."]
    }


def test_settings_of_another_kind_stay_as_stored_when_edited(client, hr_admin):
    program = make_program(admins=[hr_admin], kind=Program.Kind.PEER_COACHING)
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, min_gap=3, max_gap=4, ideal_gap=3),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.min_gap, program.ideal_gap, program.max_gap) == (1, 2, 3)
    assert program.audit_events.count() == 0


def test_programme_form_errors_are_summed_up_with_links_and_the_rules_unfolded(client, hr_admin):
    client.force_login(hr_admin)
    response = client.post(reverse("hr:program_create"), _program_post(weight_goals="60", name=""))
    html = response.content.decode()
    assert '<a href="#id_name">Name: This field is required.</a>' in html
    assert (
        '<a href="#id_weight_goals">Points for goals: The four weights add up to 110; they may '
        "add up to at most 100 (scores are out of 100).</a>"
    ) in html
    assert '<details class="program-form-advanced mb-4" open data-hidden-kinds="situational">' in (
        html
    )


@pytest.mark.parametrize(
    ("kind", "sizes"),
    [("peer_circles", (4, 6, 2)), ("co_development", (5, 8, 2)), ("group_mentoring", (3, 5, 2))],
)
def test_a_group_programme_left_blank_stores_its_kinds_sizes(client, hr_admin, kind, sizes):
    client.force_login(hr_admin)
    data = _program_post(name="Circles 2027", slug="", kind=kind)
    response = client.post(reverse("hr:program_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    program = Program.objects.get(name="Circles 2027")
    assert (program.group_min, program.group_max, program.group_level_spread) == sizes


def test_group_sizes_out_of_order_or_self_select_are_field_errors(client, hr_admin):
    client.force_login(hr_admin)
    data = _program_post(
        kind="peer_circles", group_min="7", group_max="5", matching_mode="self_select"
    )
    response = client.post(reverse("hr:program_create"), data)
    errors = response.context["form"].errors
    assert errors == {
        "group_max": ["The largest group must not be smaller than the smallest."],
        "matching_mode": ['Groups are formed by HR\'s matching run: choose "HR runs matching".'],
    }
    assert not Program.objects.exists()


def test_a_pair_programme_keeps_no_group_sizes_whatever_is_posted(client, hr_admin):
    client.force_login(hr_admin)
    data = _program_post(name="Pairs", slug="", group_min="3")
    client.post(reverse("hr:program_create"), data)
    program = Program.objects.get(name="Pairs")
    assert (program.kind, program.group_min, program.group_max) == ("mentoring", None, None)


@pytest.mark.parametrize("field", ["max_requests_per_mentee", "max_requests_per_mentor"])
@pytest.mark.parametrize("value", ["0", "11"])
def test_request_caps_out_of_bounds_are_field_errors(client, hr_admin, field, value):
    client.force_login(hr_admin)
    response = client.post(reverse("hr:program_create"), _program_post(**{field: value}))
    assert dict(response.context["form"].errors) == {
        field: ["Ensure this value is less than or equal to 10."]
        if value == "11"
        else ["Ensure this value is greater than or equal to 1."]
    }
    assert not Program.objects.exists()
