"""The directory CSV import: people admins' master data, all rows or none."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from pairing.models import Pairing
from programs.csvfiles import ImportRejected
from programs.directory_import import directory_import, directory_import_plan
from programs.models import AuditEvent, Employee
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_hr_admin,
    make_participant,
    make_people_admin,
    make_program,
)

pytestmark = pytest.mark.django_db

HEADER = "email,name,department,title,level,manager_email,time_zone,active\n"


def test_a_new_directory_creates_everyone_with_their_managers_in_any_order():
    text = HEADER + (
        "ana@example.org,Ana Ruiz,Finance,Analyst,2,bo@example.org,Europe/Madrid,\n"
        "bo@example.org,Bo Boss,Finance,Head of Finance,5,cy@example.org,,yes\n"
    )

    result = directory_import(text=text, actor=make_people_admin())

    assert result.counts == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "managers_created": 1,
        "left": 0,
        "returned": 0,
        "unchanged": 0,
    }
    ana = Employee.objects.select_related("manager__manager", "user").get(email="ana@example.org")
    assert (ana.name, ana.department, ana.title, ana.level, ana.time_zone) == (
        "Ana Ruiz", "Finance", "Analyst", 2, "Europe/Madrid",
    )  # fmt: skip
    assert (ana.manager.name, ana.manager.manager.email) == ("Bo Boss", "cy@example.org")
    assert ana.manager.manager.name == "cy"  # known only as a manager, named by the address
    assert ana.user.has_usable_password() is False and ana.user.is_active is True
    assert Employee.objects.get(email="bo@example.org").time_zone == "Europe/London"
    # Importing it again changes nothing and leaves no trace.
    again = directory_import(text=text, actor=None)
    assert (again.changes, again.counts["unchanged"]) == (0, 2)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PEOPLE_IMPORTED).count() == 1


def test_a_changed_row_updates_only_its_columns_and_a_missing_column_keeps_the_field():
    ana = make_employee(email="ana@example.org", name="Ana", level=2, department="Finance")
    ana.title, ana.time_zone = "Analyst", "Europe/Madrid"
    ana.save()
    text = "email,name,level\nana@example.org,Ana Ruiz,3\n"

    plan = directory_import_plan(text=text)
    directory_import(text=text)

    assert [p.differences for p in plan.rows] == [("name 'Ana' → 'Ana Ruiz'", "level 2 → 3")]
    ana.refresh_from_db()
    assert (ana.name, ana.level, ana.department, ana.title, ana.time_zone) == (
        "Ana Ruiz", 3, "Finance", "Analyst", "Europe/Madrid",
    )  # fmt: skip


def test_active_no_marks_a_leaver_whose_pairing_ends_and_yes_brings_them_back(
    hr_admin, django_capture_on_commit_callbacks
):
    program = make_program(admins=[hr_admin])
    guide = make_participant(program=program, role="mentor", employee_kwargs={"level": 5})
    learner = make_participant(program=program, role="mentee", employee_kwargs={"level": 2})
    pairing = make_active_pairing(guide=guide, learner=learner)
    row = f"{guide.employee.email},{guide.employee.name},,5,{{}}\n"

    with django_capture_on_commit_callbacks(execute=True):
        result = directory_import(
            text="email,name,title,level,active\n" + row.format("no"), actor=make_people_admin()
        )

    assert result.counts["left"] == 1
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (Pairing.Status.ENDED, "left the organisation")
    guide.employee.user.refresh_from_db()
    assert guide.employee.user.is_active is False

    back = directory_import(text="email,name,title,level,active\n" + row.format(""))
    assert back.counts["returned"] == 1
    guide.employee.user.refresh_from_db()
    assert guide.employee.user.is_active is True


def test_a_bad_row_anywhere_imports_nothing_and_every_bad_line_is_named():
    rows = [f"p{n}@example.org,Person {n},Ops,,3,,,\n" for n in range(40)]
    rows[17] = "p17@example.org,Person 17,Ops,,9,,Mars/Olympus,maybe\n"
    rows[30] = "o'brien@example.org,Oona,Ops,,3,,,\n"

    with pytest.raises(ImportRejected) as rejected:
        directory_import(text=HEADER + "".join(rows))

    assert [str(e) for e in rejected.value.errors] == [
        "line 19: level '9' is not a whole number from 1 to 6; time_zone 'Mars/Olympus' is not "
        "a time zone (e.g. Europe/London); active 'maybe' is not yes or no",
        'line 32: email "o\'brien@example.org" cannot be used to sign in here (letters, digits '
        "and @ . + - _ only)",
    ]
    assert not Employee.objects.exists()


def test_only_people_admins_import_the_directory():
    with pytest.raises(PermissionDenied):
        directory_import(text=HEADER, actor=make_hr_admin())


def test_the_command_imports_or_exits_non_zero_with_one_line(tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(HEADER + "ana@example.org,Ana,Finance,,2,,,\n")
    bad.write_text(HEADER + "ana@example.org,,Finance,,2,,,\n")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_directory", str(good), stdout=out)
    with pytest.raises(CommandError, match=r"^1 bad rows in .*bad.csv; nothing imported$"):
        call_command("import_directory", str(bad), stderr=err)

    assert out.getvalue() == (
        "directory: 1 rows: 1 people added, 0 updated, 0 managers added, 0 marked as leavers, "
        "0 back, 0 unchanged (1 changes)\n"
    )
    assert err.getvalue() == "line 2: name is missing\n"


def _queries_to_import(rows: int) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = "".join(
        f"n{rows}-{i}@example.org,N {i},Ops,,3,m{rows}@example.org,,\n" for i in range(rows)
    )
    changed = first.replace(",3,", ",4,")
    directory_import(text=HEADER + first)
    with CaptureQueriesContext(connection) as created:
        directory_import(text=HEADER + first.replace("@example.org,N", "@example.com,N"))
    with CaptureQueriesContext(connection) as updated:
        directory_import(text=HEADER + changed)
    return len(created), len(updated)


def test_the_import_takes_the_same_queries_for_ten_rows_as_for_two_hundred():
    assert _queries_to_import(10) == _queries_to_import(200)


def test_the_export_reimports_with_zero_changes_formulas_included(client):
    boss = make_employee(email="bo@example.org", name="=Bo Boss", department="+Finance")
    make_employee(email="ana@example.org", name="Ana", manager=boss, department="@home")
    gone = make_employee(email="gus@example.org", name="-Gus")
    gone.user.is_active = False
    gone.user.save()
    client.force_login(make_people_admin())

    response = client.get("/directory/people.csv", {"status": "everyone"})

    text = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "'=Bo Boss" in text and "'+Finance" in text and "'-Gus" in text
    assert "gus@example.org,'-Gus,Engineering,,3,,Europe/London,no" in text
    plan = directory_import_plan(text=text)
    assert (plan.ok, plan.changes, len(plan.rows)) == (True, 0, 4)
