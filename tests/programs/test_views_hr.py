"""The HR admin's programme pages: access, programme forms, participants, import, export."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone

from programs.importing import participants_import, participants_import_plan
from programs.models import (
    PEOPLE_ADMINS_GROUP,
    AuditEvent,
    Employee,
    ImportJob,
    Participant,
    Program,
)
from tests.factories import (
    import_state,
    make_employee,
    make_hr_admin,
    make_participant,
    make_program,
    make_proposal,
    make_user,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
PROGRAM_PAGES = [
    "programs:program_detail",
    "programs:participant_table",
    "programs:participant_add",
    "programs:participant_import",
    "programs:participant_export",
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


# --- Access -----------------------------------------------------------------------------


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


@pytest.mark.parametrize("name", ["programs:program_manage_list", "programs:program_create"])
def test_manage_pages_are_403_for_employees(client, outsider, name):
    client.force_login(outsider)
    assert client.get(reverse(name)).status_code == 403


def test_programme_writes_by_an_hr_admin_of_another_programme_are_404_and_change_nothing(
    client, program
):
    client.force_login(make_hr_admin(name="Other HR"))
    add = client.post(
        reverse("programs:participant_add", args=[program.slug]),
        {"email": "new@example.org", "name": "New", "level": "3", "role": "mentee"},
    )
    upload = client.post(
        reverse("programs:participant_import", args=[program.slug]),
        {"file": SimpleUploadedFile("people.csv", (DATA / "mentoring-sample.csv").read_bytes())},
    )
    assert (add.status_code, upload.status_code) == (404, 404)
    assert Participant.objects.count() == 0
    assert AuditEvent.objects.filter(program=program).count() == 0


def test_manage_urls_are_not_taken_for_programme_slugs():
    assert resolve("/programmes/manage/").view_name == "programs:program_manage_list"
    assert resolve("/programmes/manage/new/").view_name == "programs:program_create"
    assert resolve("/programmes/some-slug/").view_name == "programs:program_detail"


def test_nav_shows_the_manage_link_to_hr_admins_only(client, hr_admin, outsider):
    link = f'href="{reverse("programs:program_manage_list")}"'
    client.force_login(hr_admin)
    assert link in client.get(reverse("home")).content.decode()
    client.force_login(outsider)
    assert link not in client.get(reverse("home")).content.decode()


# --- Programme list, create, detail -----------------------------------------------------


def test_manage_list_shows_only_the_admins_programmes_with_counts(client, hr_admin, program):
    make_participant(program=program)
    make_participant(program=program, withdrawn_at=timezone.now())
    other = make_program(name="Someone else's", admins=[make_hr_admin(name="Other HR")])
    client.force_login(hr_admin)

    response = client.get(reverse("programs:program_manage_list"))

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
        response = client.get(reverse("programs:program_manage_list"))
    assert len(response.context["programs"]) == programs


def test_create_form_prefills_every_contract_number(client, hr_admin):
    client.force_login(hr_admin)
    form = client.get(reverse("programs:program_create")).context["form"]
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

    response = client.post(reverse("programs:program_create"), _program_post(kind="peer_coaching"))

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

    response = client.post(reverse("programs:program_create"), _program_post(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Program.objects.count() == 0


def test_detail_lists_settings_and_the_audit_log(client, hr_admin, program):
    AuditEvent.objects.create(
        program=program, actor=hr_admin, action=AuditEvent.Action.IMPORTED, summary="40 rows"
    )
    client.force_login(hr_admin)

    response = client.get(reverse("programs:program_detail", args=[program.slug]))

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


# --- Participants table -----------------------------------------------------------------


@pytest.fixture
def cast(program):
    """Five participants covering every filter."""
    today = timezone.localdate()
    ana = make_participant(
        program=program,
        role=Participant.Role.MENTEE,
        employee=make_employee(name="Ana Ruiz", email="ana@example.org", level=2),
    )
    ben = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Ben Okafor", email="ben@example.org", level=4),
    )
    cara = make_participant(
        program=program,
        role=Participant.Role.MENTEE,
        employee=make_employee(name="Cara Lind", level=2, department="Sales"),
        paused_until=today + timedelta(days=10),
    )
    dev = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Dev Patel", level=5, department="Sales"),
        paused_until=today - timedelta(days=1),
    )
    make_participant(
        program=program,
        employee=make_employee(name="Wes Withdrawn"),
        withdrawn_at=timezone.now(),
    )
    make_proposal(guide=ben, learner=ana)
    return {"ana": ana, "ben": ben, "cara": cara, "dev": dev}


def _names(client, program, **query):
    response = client.get(reverse("programs:participant_table", args=[program.slug]), query)
    assert response.status_code == 200
    return [p.employee.name for p in response.context["page"]]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({}, ["Ana Ruiz", "Ben Okafor", "Cara Lind", "Dev Patel"]),
        ({"q": "okaf"}, ["Ben Okafor"]),
        ({"q": "ANA@EXAMPLE"}, ["Ana Ruiz"]),
        ({"role": "mentor"}, ["Ben Okafor", "Dev Patel"]),
        ({"level": "2"}, ["Ana Ruiz", "Cara Lind"]),
        ({"department": "Sales"}, ["Cara Lind", "Dev Patel"]),
        ({"matched": "yes"}, ["Ana Ruiz", "Ben Okafor"]),
        ({"matched": "no"}, ["Cara Lind", "Dev Patel"]),
        ({"paused": "yes"}, ["Cara Lind"]),
        ({"paused": "no"}, ["Ana Ruiz", "Ben Okafor", "Dev Patel"]),
        ({"role": "mentee", "matched": "no"}, ["Cara Lind"]),
    ],
)
def test_participant_table_filters(client, hr_admin, program, cast, query, names):
    client.force_login(hr_admin)
    assert _names(client, program, **query) == names


def test_participant_table_offers_the_programmes_roles_and_departments(
    client, hr_admin, program, cast
):
    client.force_login(hr_admin)
    response = client.get(reverse("programs:participant_table", args=[program.slug]))
    form = response.context["form"]
    assert form.fields["role"].choices == [
        ("", "Any role"),
        ("mentor", "Mentor"),
        ("mentee", "Mentee"),
    ]
    assert form.fields["department"].choices == [
        ("", "Any department"),
        ("Engineering", "Engineering"),
        ("Sales", "Sales"),
    ]


def test_participant_table_pages_by_50(client, hr_admin, program):
    for n in range(51):
        make_participant(program=program, employee=make_employee(name=f"P{n:03}"))
    client.force_login(hr_admin)

    first = _names(client, program)
    second = _names(client, program, page=2)

    assert (len(first), second) == (50, ["P050"])


@pytest.mark.parametrize("rows", [1, 3])
def test_participant_table_query_count_is_the_same_for_1_and_3_rows(
    client, hr_admin, program, django_assert_num_queries, rows
):
    for _ in range(rows):
        participant = make_participant(
            program=program,
            employee=make_employee(manager=make_employee()),
            goals=["Leadership"],
            expertise=["Python"],
        )
    client.force_login(hr_admin)
    url = reverse("programs:participant_table", args=[program.slug])
    # session, user, HR group, navbar's employee, programme, departments, count, page,
    # goals, expertise, people never signed in (the invite button)
    with django_assert_num_queries(11):
        response = client.get(url, {"matched": "no"})
    assert response.context["page"].paginator.count == rows
    assert participant.employee.name in response.content.decode()


# --- Add one participant ----------------------------------------------------------------


def test_add_creates_the_employee_enrols_them_and_records_it(client, hr_admin, program):
    client.force_login(hr_admin)

    response = client.post(
        reverse("programs:participant_add", args=[program.slug]),
        {
            "email": " Zoe@Example.org ",
            "name": "Zoe Kowalski",
            "department": "Legal",
            "level": "2",
            "manager_email": "boss@example.org",
            "role": "mentee",
            "goals": "Public speaking;  LEADERSHIP ",
            "expertise": "",
            "style": "reflective",
            "capacity": "",
        },
    )

    assert response.status_code == 302
    participant = Participant.objects.select_related("employee__manager").get(program=program)
    employee = participant.employee
    assert (employee.email, employee.name, employee.department, employee.level) == (
        "zoe@example.org",
        "Zoe Kowalski",
        "Legal",
        2,
    )
    assert (employee.manager.email, employee.manager.name) == ("boss@example.org", "boss")
    assert (participant.role, participant.style, participant.capacity) == (
        "mentee",
        "reflective",
        None,
    )
    assert sorted(t.key for t in participant.goals.all()) == ["leadership", "public speaking"]
    assert list(program.audit_events.values_list("action", "summary")) == [
        (AuditEvent.Action.PARTICIPANT_ADDED, "Enrolled Zoe Kowalski as mentee")
    ]


def test_add_refuses_someone_already_enrolled_and_keeps_their_goals(client, hr_admin, program):
    ben = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Ben", email="ben@example.org", level=5),
        expertise=["Python"],
    )
    client.force_login(hr_admin)

    response = client.post(
        reverse("programs:participant_add", args=[program.slug]),
        {**ANA_FORM, "email": "ben@example.org", "name": "Ben", "level": "5", "role": "mentor"},
    )

    assert response.context["form"].errors == {
        "email": [f"Ben is already enrolled in {program.name} as mentor."]
    }
    ben.refresh_from_db()
    assert [t.name for t in ben.expertise.all()] == ["Python"]
    assert not program.audit_events.exists()


ANA_FORM = {
    "email": "ana@example.org",
    "name": "Ana Brennan",
    "department": "",
    "level": "2",
    "manager_email": "",
    "role": "mentee",
    "goals": "Negotiation",
    "expertise": "",
    "style": "either",
    "capacity": "",
}


@pytest.fixture
def ana_elsewhere(hr_admin):
    """Ana, enrolled in a programme this HR admin does not run, with goals there."""
    other = make_program(admins=[make_hr_admin(name="Theo Theirs")])
    ana = make_employee(email="ana@example.org", name="Ana Brennan", level=4, department="Finance")
    make_participant(program=other, employee=ana, role="mentee", goals=["Budgeting"])
    return ana


def test_add_shows_someone_already_in_the_directory_and_what_would_change(
    client, hr_admin, program, ana_elsewhere
):
    """The silent overwrite: an existing email used to rewrite the person's level, clear
    their department and say only "Enrolled Ana Brennan."."""
    client.force_login(hr_admin)
    url = reverse("programs:participant_add", args=[program.slug])

    shown = client.post(url, ANA_FORM)

    assert shown.status_code == 200
    assert shown.context["differences"] == ("department 'Finance' → ''", "level 4 → 2")
    assert "Ana Brennan is already in the directory" in shown.text
    assert 'value="update"' not in shown.text  # an HR admin cannot change the directory
    assert not Participant.objects.filter(program=program).exists()

    kept = client.post(url, {**ANA_FORM, "directory": "keep"})

    assert kept.status_code == 302
    ana_elsewhere.refresh_from_db()
    assert (ana_elsewhere.level, ana_elsewhere.department) == (4, "Finance")
    enrolled = Participant.objects.get(program=program)
    assert (enrolled.employee, [t.name for t in enrolled.goals.all()]) == (
        ana_elsewhere,
        ["Negotiation"],
    )
    assert [str(m) for m in get_messages(kept.wsgi_request)] == [
        "Enrolled Ana Brennan. Their directory entry is unchanged."
    ]


def test_only_a_people_admin_may_update_the_directory_from_add(
    client, hr_admin, program, ana_elsewhere
):
    client.force_login(hr_admin)
    url = reverse("programs:participant_add", args=[program.slug])
    assert client.post(url, {**ANA_FORM, "directory": "update"}).status_code == 403
    assert not Participant.objects.filter(program=program).exists()

    hr_admin.groups.add(Group.objects.get_or_create(name=PEOPLE_ADMINS_GROUP)[0])
    client.force_login(hr_admin)  # a fresh request: group membership is cached per user
    assert 'value="update"' in client.post(url, ANA_FORM).text
    updated = client.post(url, {**ANA_FORM, "directory": "update"})

    assert updated.status_code == 302
    ana_elsewhere.refresh_from_db()
    assert (ana_elsewhere.level, ana_elsewhere.department) == (2, "")


def test_add_refuses_a_leaver(client, hr_admin, program, ana_elsewhere):
    ana_elsewhere.user.is_active = False
    ana_elsewhere.user.save()
    client.force_login(hr_admin)
    response = client.post(reverse("programs:participant_add", args=[program.slug]), ANA_FORM)
    assert response.context["form"].errors == {"email": ["Ana Brennan has left the organisation."]}
    assert not Participant.objects.filter(program=program).exists()


def test_add_refuses_a_role_outside_the_programme_kind(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.post(
        reverse("programs:participant_add", args=[program.slug]),
        {"email": "p@example.org", "name": "P", "level": "3", "role": "peer", "style": "either"},
    )
    assert response.context["form"].errors == {
        "role": ["Select a valid choice. peer is not one of the available choices."]
    }
    assert Employee.objects.filter(email="p@example.org").count() == 0


# --- Import -----------------------------------------------------------------------------


def _upload(client, program, name, **kwargs):
    path = DATA / name
    with path.open("rb") as handle:
        return client.post(
            reverse("programs:participant_import", args=[program.slug]), {"file": handle}, **kwargs
        )


def test_bad_file_imports_nothing_and_lists_six_errors_by_line(client, hr_admin, program):
    client.force_login(hr_admin)
    employees_before = Employee.objects.count()

    response = _upload(client, program, "bad-participants.csv", follow=True)

    job = response.context["job"]
    assert job.errors == [
        [3, "level '9' is not a whole number from 1 to 6"],
        [4, "email is missing"],
        [5, "email ana@example.org already appears on line 2"],
        [6, "role 'coach' is unknown (use mentor or mentee)"],
        [7, "style 'sometimes' is not one of directive, reflective, either"],
        [8, "capacity '0' is not a positive whole number"],
    ]
    assert "Nothing was imported: 6 errors" in response.content.decode()
    assert Employee.objects.count() == employees_before
    assert Participant.objects.count() == 0
    assert (job.status, bytes(ImportJob.objects.get(pk=job.pk).content)) == ("failed", b"")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("mentoring-sample.csv", Program.Kind.MENTORING),
        ("reverse-mentoring-sample.csv", Program.Kind.REVERSE_MENTORING),
        ("peer-coaching-sample.csv", Program.Kind.PEER_COACHING),
    ],
)
def test_import_through_the_page_gives_the_commands_result(client, hr_admin, name, kind):
    program = make_program(kind=kind, admins=[hr_admin])
    # What the command does, measured and then undone.
    savepoint = transaction.savepoint_create()
    call_command("import_participants", program.slug, str(DATA / name), stdout=io.StringIO())
    expected = import_state(program)
    transaction.savepoint_rollback(savepoint)
    assert Participant.objects.count() == 0
    client.force_login(hr_admin)

    upload = _upload(client, program, name)
    job = ImportJob.objects.get()
    assert upload["Location"] == reverse("programs:import_job_detail", args=[job.pk])
    preview = client.get(upload["Location"])
    assert Participant.objects.count() == 0  # the preview writes nothing
    assert preview.context["job"].status == ImportJob.Status.PREVIEWED
    enrolled = preview.context["job"].counts["participants_enrolled"]
    confirm = client.post(reverse("programs:import_job_confirm", args=[job.pk]))

    assert confirm.status_code == 302
    assert confirm["Location"] == reverse("programs:import_job_detail", args=[job.pk])
    assert import_state(program) == expected
    assert enrolled == Participant.objects.filter(program=program).count()
    assert list(program.audit_events.values_list("action", "actor")) == [
        (AuditEvent.Action.IMPORTED, hr_admin.pk)
    ]
    result = client.get(confirm["Location"])
    assert result.context["job"].status == ImportJob.Status.DONE
    assert f"{enrolled} participants enrolled" in " ".join(result.content.decode().split())


def test_import_confirmed_twice_imports_once(client, hr_admin, program):
    client.force_login(hr_admin)
    _upload(client, program, "mentoring-sample.csv")
    job = ImportJob.objects.get()
    confirm = reverse("programs:import_job_confirm", args=[job.pk])
    client.post(confirm)

    again = client.post(confirm, follow=True)

    assert [str(m) for m in again.context["messages"]] == [
        "This import is not waiting for a confirmation any more."
    ]
    assert program.audit_events.count() == 1


# --- Export -----------------------------------------------------------------------------


def test_export_reimports_without_changes(client, hr_admin, program):
    client.force_login(hr_admin)
    participants_import(
        program=program, text=(DATA / "mentoring-sample.csv").read_bytes(), actor=hr_admin
    )

    response = client.get(reverse("programs:participant_export", args=[program.slug]))
    exported = b"".join(response.streaming_content).decode()

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == [
        "email",
        "name",
        "department",
        "level",
        "manager_email",
        "role",
        "goals",
        "expertise",
        "style",
        "capacity",
    ]
    assert len(rows) == 1 + 55
    plan = participants_import_plan(program=program, text=exported)
    assert (plan.errors, plan.changes) == ([], 0)


def test_export_writes_one_exact_row(client, hr_admin, program):
    boss = make_employee(email="boss@example.org")
    make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(
            name="Ben Okafor", email="ben@example.org", level=4, department="Sales", manager=boss
        ),
        expertise=["Negotiation", "Hiring"],
        style="directive",
        capacity=3,
    )
    client.force_login(hr_admin)

    response = client.get(reverse("programs:participant_export", args=[program.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[1] == [
        "ben@example.org",
        "Ben Okafor",
        "Sales",
        "4",
        "boss@example.org",
        "mentor",
        "",
        "Hiring;Negotiation",
        "directive",
        "3",
    ]


# --- Query counts of the lists ------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_participant_export_query_count_is_the_same_for_1_and_3_rows(
    client, hr_admin, program, django_assert_num_queries, rows
):
    for _ in range(rows):
        make_participant(
            program=program,
            employee=make_employee(manager=make_employee()),
            goals=["Leadership"],
            expertise=["Python"],
        )
    client.force_login(hr_admin)
    # session, user, HR group, programme; then the goals, the expertise, and the
    # participants with their employee and manager, each one flat query (no aggregate per
    # row): the export streams, so it is read inside the count.
    with django_assert_num_queries(7):
        response = client.get(reverse("programs:participant_export", args=[program.slug]))
        exported = b"".join(response.streaming_content).decode()
    rows_written = list(csv.reader(io.StringIO(exported)))
    assert len(rows_written) == 1 + rows
    assert [row[6:8] for row in rows_written[1:]] == [["Leadership", "Python"]] * rows


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
        response = client.get(reverse("programs:program_detail", args=[program.slug]))
    assert len(response.context["audit_events"]) == rows


def test_import_refuses_an_upload_over_the_limit_before_reading_it(client, hr_admin, program):
    client.force_login(hr_admin)
    big = SimpleUploadedFile(
        "people.csv",
        b"email,name\n" + b"x" * (10 * 1024 * 1024 + 16 * 1024),
        content_type="text/csv",
    )

    response = client.post(
        reverse("programs:participant_import", args=[program.slug]), {"file": big}
    )

    assert response.status_code == 413
    assert response.context["upload_error"] == (
        "The file is larger than 10 MB; nothing was uploaded."
    )
    assert b"The file is larger than 10 MB; nothing was uploaded." in response.content
    assert ImportJob.objects.count() == 0
    assert Participant.objects.count() == 0


def test_the_preview_lists_rows_that_differ_from_the_directory_as_not_changed(
    client, hr_admin, program
):
    ana = make_employee(email="ana@example.org", name="Ana Brennan", level=5)
    client.force_login(hr_admin)
    header = "email,name,department,level,manager_email,role,goals,expertise,style,capacity\n"
    upload = SimpleUploadedFile(
        "people.csv", (header + "ana@example.org,Ana B,Engineering,2,,mentee,,,either,\n").encode()
    )

    preview = client.post(
        reverse("programs:participant_import", args=[program.slug]), {"file": upload}, follow=True
    )

    assert preview.status_code == 200
    assert "1 row differs from the directory - not changed" in preview.text
    assert "name &#x27;Ana Brennan&#x27; → &#x27;Ana B&#x27;; level 5 → 2" in preview.text
    job = ImportJob.objects.get()
    client.post(reverse("programs:import_job_confirm", args=[job.pk]))
    ana.refresh_from_db()
    assert (ana.name, ana.level) == ("Ana Brennan", 5)
    assert Participant.objects.get(program=program).employee == ana


def test_a_leaver_is_marked_left_in_the_participants_table(client, hr_admin, program):
    gone = make_participant(program=program, employee=make_employee(name="Gus Gone"))
    gone.employee.user.is_active = False
    gone.employee.user.save()
    client.force_login(hr_admin)

    response = client.get(reverse("programs:participant_table", args=[program.slug]))

    assert 'Gus Gone <span class="badge text-bg-secondary">Left</span>' in response.text
