"""A programme's participants: the table and its filters, adding one person, the export."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from pairing.hr.forms.programmes import ParticipantAddForm
from programs.importing import participants_import, participants_import_plan
from programs.models import (
    PEOPLE_ADMINS_GROUP,
    AuditEvent,
    Employee,
    Participant,
)
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_hr_admin,
    make_live_pairing,
    make_participant,
    make_program,
)

pytestmark = pytest.mark.django_db


DATA = Path(__file__).resolve().parent.parent / "data"


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
    make_active_pairing(guide=ben, learner=ana)
    # A proposal nobody has answered is no match: Cara and Dev stay "not matched".
    make_live_pairing(program=program, guide=dev, learner=cara, status="proposed")
    return {"ana": ana, "ben": ben, "cara": cara, "dev": dev}


def _names(client, program, **query):
    response = client.get(reverse("hr:participant_table", args=[program.slug]), query)
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
    response = client.get(reverse("hr:participant_table", args=[program.slug]))
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
    url = reverse("hr:participant_table", args=[program.slug])
    # session, user, HR group, navbar's employee, programme, departments, count, the
    # page's ids, its rows, goals, expertise, people never signed in (the invite button)
    with django_assert_num_queries(12):
        response = client.get(url, {"matched": "no"})
    assert response.context["page"].paginator.count == rows
    assert participant.employee.name in response.content.decode()


def _badges(page: str, name: str) -> list[str]:
    """The pairing badges in `name`'s row of the participants table."""
    # The name cell links to the participant's page.
    row = next(r for r in page.split("<tr>") if f">{name}</a></td>" in r)
    cell = re.search(r'<td class="pairing-badges">(.*?)</td>', row, re.S).group(1)
    return re.findall(r'<span class="badge [^"]*">([^<]*)</span>', cell)


def test_participant_table_badges_each_pairing_status_per_person(client, hr_admin):
    starts_on = timezone.localdate() + timedelta(days=30)
    program = make_program(admins=[hr_admin], starts_on=starts_on)
    mentor = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Mo Mentor"),
        capacity=4,
    )
    names = ["Ana Active", "Al Active", "Acy Accepted", "Pia Proposed"]
    mentees = {
        name: make_participant(program=program, employee=make_employee(name=name))
        for name in [*names, "Nell None"]
    }
    for name, status in zip(names, ["active", "active", "accepted", "proposed"], strict=True):
        make_live_pairing(program=program, guide=mentor, learner=mentees[name], status=status)
    client.force_login(hr_admin)

    page = client.get(reverse("hr:participant_table", args=[program.slug])).content.decode()

    starts = f"{starts_on.day} {starts_on:%b %Y}"
    assert _badges(page, "Mo Mentor") == ["2 Active", f"Accepted (starts {starts})", "Proposed"]
    assert _badges(page, "Ana Active") == ["Active"]
    assert _badges(page, "Acy Accepted") == [f"Accepted (starts {starts})"]
    assert _badges(page, "Pia Proposed") == ["Proposed"]
    assert _badges(page, "Nell None") == ["Not matched"]


@pytest.mark.parametrize("rows", [1, 3])
def test_participant_table_query_count_is_the_same_for_1_and_3_pairings(
    client, hr_admin, program, django_assert_num_queries, rows
):
    for _ in range(rows):
        mentor = make_participant(program=program, role=Participant.Role.MENTOR, capacity=4)
        make_live_pairing(program=program, guide=mentor, status="active")
        make_live_pairing(program=program, guide=mentor, status="proposed")
    client.force_login(hr_admin)
    url = reverse("hr:participant_table", args=[program.slug])
    # session, user, HR group, navbar's employee, programme, departments, count, the
    # page's ids, its rows (their pairing counts are subqueries), goals, expertise, people
    # never signed in
    with django_assert_num_queries(12):
        response = client.get(url)
    assert response.context["page"].paginator.count == 3 * rows
    assert response.content.decode().count(">Proposed</span>") == 2 * rows


def test_add_creates_the_employee_enrols_them_and_records_it(client, hr_admin, program):
    client.force_login(hr_admin)

    response = client.post(
        reverse("hr:participant_add", args=[program.slug]),
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
        reverse("hr:participant_add", args=[program.slug]),
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
    url = reverse("hr:participant_add", args=[program.slug])

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
    url = reverse("hr:participant_add", args=[program.slug])
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
    response = client.post(reverse("hr:participant_add", args=[program.slug]), ANA_FORM)
    assert response.context["form"].errors == {"email": ["Ana Brennan has left the organisation."]}
    assert not Participant.objects.filter(program=program).exists()


def test_add_refuses_a_role_outside_the_programme_kind(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:participant_add", args=[program.slug]),
        {"email": "p@example.org", "name": "P", "level": "3", "role": "peer", "style": "either"},
    )
    assert response.context["form"].errors == {
        "role": ["Select a valid choice. peer is not one of the available choices."]
    }
    assert Employee.objects.filter(email="p@example.org").count() == 0


def test_export_reimports_without_changes(client, hr_admin, program):
    client.force_login(hr_admin)
    participants_import(
        program=program, text=(DATA / "mentoring-sample.csv").read_bytes(), actor=hr_admin
    )

    response = client.get(reverse("hr:participant_export", args=[program.slug]))
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

    response = client.get(reverse("hr:participant_export", args=[program.slug]))
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
        response = client.get(reverse("hr:participant_export", args=[program.slug]))
        exported = b"".join(response.streaming_content).decode()
    rows_written = list(csv.reader(io.StringIO(exported)))
    assert len(rows_written) == 1 + rows
    assert [row[6:8] for row in rows_written[1:]] == [["Leadership", "Python"]] * rows


def test_a_leaver_is_marked_left_in_the_participants_table(client, hr_admin, program):
    gone = make_participant(program=program, employee=make_employee(name="Gus Gone"))
    gone.employee.user.is_active = False
    gone.employee.user.save()
    client.force_login(hr_admin)

    response = client.get(reverse("hr:participant_table", args=[program.slug]))

    assert 'Gus Gone</a> <span class="badge text-bg-secondary">Left</span>' in response.text


def test_adding_someone_takes_topics_separated_by_semicolons_or_commas(program):
    form = ParticipantAddForm(
        {
            "email": "Nia@Example.org",
            "name": "Nia New",
            "level": "2",
            "role": "mentee",
            "goals": "Python, Public  Speaking; Hiring",
            "expertise": "",
            "style": "either",
        },
        program=program,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["goals"] == ["Python", "Public Speaking", "Hiring"]


def test_participant_table_shows_last_active(client, hr_admin, program):
    active = make_participant(program=program)
    quiet = make_participant(program=program)
    Employee.objects.filter(pk=active.employee_id).update(
        last_active_at=timezone.make_aware(timezone.datetime(2026, 11, 2, 12))
    )
    client.force_login(hr_admin)
    html = client.get(reverse("hr:participant_table", args=[program.slug])).content.decode()
    shown = re.findall(r'<span class="[^"]*participant-last-active">([^<]*)</span>', html)
    assert quiet.employee.user.last_login is None
    assert sorted(shown) == ["Active 2 Nov 2026", "Active never"]
