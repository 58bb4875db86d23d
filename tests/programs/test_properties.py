"""Whatever a person types or uploads, the import plan and the forms answer with listed
errors or a clean write: never an exception, never a 500."""

import csv
import io

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.importing import (
    COLUMNS,
    ImportRejected,
    participants_import,
    participants_import_plan,
)
from programs.models import Participant
from tests.factories import make_employee, make_program

pytestmark = pytest.mark.django_db

# One database for every example: each runs in a savepoint rolled back at its end.
EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a person might put anywhere: anything at all, or something near a limit or a rule.
ANY_TEXT = st.text(max_size=40) | st.text(min_size=95, max_size=260)
NEAR_MISSES = st.sampled_from(
    [
        "",
        " ",
        "o'brien@example.org",
        "a" * 140 + "@example.org",
        "ana@example.org",
        "ANA@example.org",
        "boss@example.org",
        '=HYPERLINK("http://x")',
        "'=1+1",
        "\x00",
        "a\x01b",
        "0",
        "7",
        "99999",
        "-1",
        "3",
        "mentor",
        "mentee",
        "peer",
        "reflective",
        "Python; ;SQL",
        "x" * 101,
    ]
)
CELL = ANY_TEXT | NEAR_MISSES | st.emails()


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _rolled_back(work):
    savepoint = transaction.savepoint_create()
    try:
        return work()
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.fixture
def program(hr_admin):
    program = make_program(admins=[hr_admin])
    make_employee(email="ana@example.org", name="Ana Brennan", level=4)
    return program


@EXAMPLES
@given(rows=st.lists(st.lists(CELL, min_size=len(COLUMNS), max_size=len(COLUMNS) + 1), max_size=4))
def test_any_rows_give_line_errors_or_a_clean_import(program, rows):
    text = _csv(COLUMNS, rows)

    def attempt():
        plan = participants_import_plan(program=program, text=text)
        try:
            result = participants_import(program=program, text=text)
        except ImportRejected as rejected:
            assert plan.errors and rejected.errors == plan.errors
            # A quoted cell may hold line breaks, so a row may start on a later line.
            last_line = len(text.splitlines()) + 1
            assert all(1 <= e.line <= last_line and e.message for e in plan.errors)
            assert not Participant.objects.filter(program=program).exists()
        else:
            assert plan.ok
            assert result.counts["rows"] == len(plan.rows)
            assert Participant.objects.filter(program=program).count() == len(plan.rows)

    _rolled_back(attempt)


@EXAMPLES
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_errors_or_a_plan(program, data):
    plan = participants_import_plan(program=program, text=data)
    assert plan.ok or all(e.line >= 1 and e.message for e in plan.errors)


ADD_FIELDS = (
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
)


@EXAMPLES
@given(values=st.fixed_dictionaries(dict.fromkeys(ADD_FIELDS, CELL)))
def test_anything_typed_into_add_a_participant_is_an_answer_not_a_500(client, program, values):
    client.force_login(program.admins.get())
    url = reverse("hr:participant_add", args=[program.slug])
    response = _rolled_back(lambda: client.post(url, {**values, "directory": "keep"}))

    assert response.status_code in (200, 302)


ENROL_FIELDS = ("new_goals", "new_expertise", "style", "focus", "capacity", "note")


@EXAMPLES
@given(
    values=st.fixed_dictionaries(dict.fromkeys(ENROL_FIELDS, CELL)),
    role=st.sampled_from(["mentor", "mentee"]),
)
def test_anything_typed_into_enrolment_is_an_answer_not_a_500(client, program, values, role):
    employee = make_employee(name="Eve Enrol")
    client.force_login(employee.user)
    url = reverse("programs:program_enrol", args=[program.slug]) + f"?role={role}"

    response = _rolled_back(lambda: client.post(url, values))

    # 400 is this page's answer to a form with errors.
    assert response.status_code in (302, 400)
