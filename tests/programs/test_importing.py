import sqlite3
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from programs.benchmarks.bench import database_state
from programs.benchmarks.rowwise_import import rowwise_import
from programs.importing import (
    ImportRejected,
    RowError,
    participants_import,
    participants_import_plan,
)
from programs.models import AuditEvent, Employee, Participant, Program, Topic
from programs.permissions import is_people_admin
from tests.factories import (
    import_state,
    make_employee,
    make_hr_admin,
    make_participant,
    make_people_admin,
    make_program,
    make_user,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = "email,name,department,level,manager_email,role,goals,expertise,style,capacity\n"

BAD_FILE_ERRORS = [
    RowError(3, "level '9' is not a whole number from 1 to 6"),
    RowError(4, "email is missing"),
    RowError(5, "email ana@example.org already appears on line 2"),
    RowError(6, "role 'coach' is unknown (use mentor or mentee)"),
    RowError(7, "style 'sometimes' is not one of directive, reflective, either"),
    RowError(8, "capacity '0' is not a positive whole number"),
]


def test_bad_file_reports_six_errors_and_imports_nothing():
    program = make_program(kind=Program.Kind.MENTORING)
    text = (DATA / "bad-participants.csv").read_text()

    plan = participants_import_plan(program=program, text=text)
    with pytest.raises(ImportRejected) as rejected:
        participants_import(program=program, text=text)

    assert plan.errors == BAD_FILE_ERRORS
    assert rejected.value.errors == BAD_FILE_ERRORS
    assert [str(e) for e in rejected.value.errors][
        0
    ] == "line 3: level '9' is not a whole number from 1 to 6"
    assert Employee.objects.count() == 0
    assert Participant.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "kind", "employees", "roles", "manager_only"),
    [
        ("mentoring", Program.Kind.MENTORING, 57, {"mentee": 40, "mentor": 15}, 2),
        ("reverse-mentoring", Program.Kind.REVERSE_MENTORING, 32, {"mentee": 20, "mentor": 12}, 0),
        ("peer-coaching", Program.Kind.PEER_COACHING, 53, {"peer": 50}, 3),
    ],
)
def test_sample_imports_and_reimport_changes_nothing(name, kind, employees, roles, manager_only):
    program = make_program(kind=kind)
    text = (DATA / f"{name}-sample.csv").read_text()
    rows = sum(roles.values())

    result = participants_import(program=program, text=text)

    assert result.counts == {
        "rows": rows,
        "employees_created": rows,
        "employees_updated": 0,
        "employees_not_changed": 0,
        "managers_created": manager_only,
        "participants_enrolled": rows,
        "participants_updated": 0,
        "unchanged": 0,
    }
    assert result.changes == rows + manager_only
    assert Employee.objects.count() == employees
    assert {
        role: Participant.objects.filter(program=program, role=role).count() for role in roles
    } == roles
    assert Employee.objects.filter(enrolments__isnull=True).count() == manager_only
    assert (
        AuditEvent.objects.filter(program=program, action=AuditEvent.Action.IMPORTED).count() == 1
    )
    before = import_state(program)

    again = participants_import(program=program, text=text)

    assert again.changes == 0
    assert again.counts["unchanged"] == rows
    assert import_state(program) == before
    assert (
        AuditEvent.objects.filter(program=program, action=AuditEvent.Action.IMPORTED).count() == 1
    )


def test_import_cleans_emails_names_and_topics():
    program = make_program(kind=Program.Kind.MENTORING)
    text = (
        "\ufeff"
        "role,Email,name,department,level,manager_email,goals,expertise,style,capacity\n"
        "MENTEE, Ana.Ruiz@Example.ORG ,  Ana   Ruiz ,  Sales ,2,Boss@Example.org,"
        "  public  speaking ;PUBLIC SPEAKING; Leadership,,Directive,\n"
        "mentor,zoe@example.org,Zoe Kim,Legal,4,,,Public Speaking;leadership,either,3\n"
    )

    participants_import(program=program, text=text.encode())

    ana = Participant.objects.get(employee__email="ana.ruiz@example.org")
    zoe = Participant.objects.get(employee__email="zoe@example.org")
    boss = Employee.objects.get(email="boss@example.org")
    assert (ana.employee.name, ana.employee.department, ana.employee.manager) == (
        "Ana Ruiz",
        "Sales",
        boss,
    )
    assert (ana.role, ana.style, ana.capacity) == ("mentee", "directive", None)
    assert sorted(t.key for t in ana.goals.all()) == ["leadership", "public speaking"]
    assert sorted(t.key for t in zoe.expertise.all()) == ["leadership", "public speaking"]
    assert (zoe.capacity, zoe.effective_capacity) == (3, 3)
    assert Topic.objects.count() == 2
    assert (boss.name, boss.enrolments.count()) == ("boss", 0)


def test_reimport_by_a_people_admin_updates_what_differs():
    program = make_program(kind=Program.Kind.MENTORING)
    people_admin = make_people_admin()
    boss = make_employee(email="boss@example.org", name="Bo Boss")
    employee = make_employee(email="ana@example.org", name="Ana Old", level=1)
    make_participant(program=program, employee=employee, role="mentor", goals=["Python"])
    untouched = make_employee(email="zoe@example.org", name="Zoe Kim", level=4, department="Legal")
    make_participant(program=program, employee=untouched, role="mentor", style="either")
    text = HEADER + (
        "ana@example.org,Ana Ruiz,Engineering,2,boss@example.org,mentee,Leadership,,reflective,\n"
        "zoe@example.org,Zoe Kim,Legal,4,,mentor,,,either,\n"
    )

    plan = participants_import_plan(program=program, text=text, actor=people_admin)
    result = participants_import(program=program, text=text, actor=people_admin)

    assert [(p.row.email, p.employee, p.participant) for p in plan.rows] == [
        ("ana@example.org", "update", "update"),
        ("zoe@example.org", "unchanged", "unchanged"),
    ]
    assert result.changes == 1
    ana = Participant.objects.get(program=program, employee=employee)
    ana.employee.refresh_from_db()
    assert (ana.employee.name, ana.employee.level, ana.employee.manager) == ("Ana Ruiz", 2, boss)
    assert (ana.role, ana.style) == ("mentee", "reflective")
    assert [t.key for t in ana.goals.all()] == ["leadership"]
    assert (boss.name, boss.enrolments.count()) == ("Bo Boss", 0)


ROW = "ana@example.org,Ana,Sales,2,,mentee,,,either,"
MENTORING_ROLES = "(use mentor or mentee)"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (ROW.replace("ana@example.org", "ana@"), "email 'ana@' is not a valid address"),
        (ROW.replace(",,mentee", ",boss@,mentee"), "manager_email 'boss@' is not a valid address"),
        (
            ROW.replace(",,mentee", ",ANA@example.org,mentee"),
            "manager_email is the person's own email",
        ),
        (
            ROW.replace("mentee", "peer"),
            f"role 'peer' does not fit a mentoring programme {MENTORING_ROLES}",
        ),
        (ROW.replace(",2,", ",,"), "level '' is not a whole number from 1 to 6"),
        (
            ROW.replace(",2,", ",x,") + "-1",
            "level 'x' is not a whole number from 1 to 6; "
            "capacity '-1' is not a positive whole number",
        ),
        (
            ROW.replace("Ana", "").replace("mentee", ""),
            f"name is missing; role is missing {MENTORING_ROLES}",
        ),
        (ROW + ",extra", "has 11 fields but the header has 10"),
        # Values the database cannot hold, refused in the plan instead of crashing the import.
        (ROW.replace("Ana,", "A" * 201 + ","), "name is longer than 200 characters (201)"),
        (
            ROW.replace("Sales", "S" * 101),
            "department is longer than 100 characters (101)",
        ),
        (
            ROW.replace(",,,either", ",Ok;" + "g" * 101 + ",,either"),
            "goal is longer than 100 characters (101)",
        ),
        (
            ROW.replace("ana@example.org", "a" * 140 + "@example.org"),
            "email is longer than 150 characters (152)",
        ),
        (
            ROW.replace("ana@example.org", "o'brien@example.org"),
            'email "o\'brien@example.org" cannot be used to sign in here '
            "(letters, digits and @ . + - _ only)",
        ),
        (ROW + "99999", "capacity 99999 is more than 50"),
        # "²" passes str.isdigit() but not int(): a line error, not a crash.
        (ROW + "²", "capacity '²' is not a positive whole number"),
        (ROW.replace("Sales,2,", "Sales,²,"), "level '²' is not a whole number from 1 to 6"),
        (ROW.replace("Ana", "An\x00a"), "name contains a control character"),
    ],
)
def test_each_bad_value_is_reported(line, message):
    program = make_program(kind=Program.Kind.MENTORING)

    plan = participants_import_plan(program=program, text=HEADER + line + "\n")

    assert plan.errors == [RowError(2, message)]


def test_peer_programme_accepts_only_peers():
    program = make_program(kind=Program.Kind.PEER_COACHING)

    plan = participants_import_plan(
        program=program, text=HEADER + "ana@example.org,Ana,Sales,2,,mentee,,,either,\n"
    )

    assert plan.errors == [
        RowError(2, "role 'mentee' does not fit a peer coaching programme (use peer)")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "email,name,level,role\nana@example.org,Ana,2,mentee\n",
            "the header lacks the columns department, manager_email, goals, expertise, style, "
            "capacity",
        ),
        ("", "the file is empty; expected a header row"),
        (b"email\xff\n", "the file is not UTF-8 text (invalid start byte)"),
    ],
)
def test_file_level_errors_are_one_error_on_line_1(text, message):
    program = make_program(kind=Program.Kind.MENTORING)

    plan = participants_import_plan(program=program, text=text)

    assert plan.errors == [RowError(1, message)]


def test_blank_lines_are_skipped_and_line_numbers_stay_true():
    program = make_program(kind=Program.Kind.MENTORING)
    text = (
        HEADER
        + "\n"
        + 'ana@example.org,"Ruiz,\nAna",Sales,2,,mentee,,,either,\n'
        + "x,B,S,2,,mentee,,,either,\n"
    )

    plan = participants_import_plan(program=program, text=text)

    assert plan.errors == [RowError(5, "email 'x' is not a valid address")]


def test_a_programme_admin_cannot_rewrite_someone_enrolled_elsewhere():
    """The cross-programme rewrite: an HR admin running only their own programme imports
    a row for an employee enrolled in another. The row enrols her as the directory has
    her; her name, level, department and manager stay, and the preview says so."""
    mine, theirs = make_hr_admin(name="Mia Mine"), make_hr_admin(name="Theo Theirs")
    own = make_program(kind=Program.Kind.MENTORING, admins=[mine])
    other = make_program(kind=Program.Kind.MENTORING, admins=[theirs])
    boss = make_employee(email="boss@example.org", name="Bo Boss")
    ana = make_employee(
        email="ana@example.org", name="Ana Brennan", level=5, department="Finance", manager=boss
    )
    make_participant(program=other, employee=ana, role="mentor")
    text = HEADER + "ana@example.org,Ana B,Sales,2,,mentee,Leadership,,either,\n"

    plan = participants_import_plan(program=own, text=text, actor=mine)
    result = participants_import(program=own, text=text, actor=mine)

    assert [(p.employee, p.participant, p.differences) for p in plan.rows] == [
        (
            "differs from the directory - not changed",
            "enrol",
            (
                "name 'Ana Brennan' → 'Ana B'",
                "department 'Finance' → 'Sales'",
                "level 5 → 2",
                "manager_email 'boss@example.org' → ''",
            ),
        )
    ]
    ana.refresh_from_db()
    assert (ana.name, ana.level, ana.department, ana.manager) == (
        "Ana Brennan", 5, "Finance", boss,
    )  # fmt: skip
    assert Participant.objects.get(program=own, employee=ana).role == "mentee"
    assert result.counts["employees_not_changed"] == 1
    assert "1 differing from the directory not changed" in result.summary
    # Re-importing the same file: the enrolment is as it says, the difference stays shown.
    again = participants_import_plan(program=own, text=text, actor=mine)
    assert (again.changes, len(again.employees_differing)) == (0, 1)


def test_a_leaver_cannot_be_enrolled_by_import():
    program = make_program(kind=Program.Kind.MENTORING)
    gone = make_employee(email="gone@example.org", name="Gus Gone")
    gone.user.is_active = False
    gone.user.save()
    text = HEADER + "gone@example.org,Gus Gone,Engineering,3,,mentee,,,either,\n"

    with pytest.raises(ImportRejected) as rejected:
        participants_import(program=program, text=text, actor=make_people_admin())

    assert [str(e) for e in rejected.value.errors] == [
        "line 2: gone@example.org has left the organisation and cannot be enrolled (a people "
        "admin can mark them as back in the directory)"
    ]
    assert not Participant.objects.exists()


# --- The bulk writer against the row-by-row reference -----------------------------------


def _state_after(importer, program, text, setup=None):
    """The database an importer leaves (see bench.database_state), then undone."""
    savepoint = transaction.savepoint_create()
    if setup:
        setup()
    importer(program=program, text=text)
    state = database_state(program)
    events = list(program.audit_events.values_list("action", "summary", "detail"))
    transaction.savepoint_rollback(savepoint)
    return state, events


def _existing_people(program):
    """A database the file meets halfway: people to update, enrolments to change, topics
    spelt otherwise, a login without an employee, a manager outside the file."""

    def setup():
        boss = make_employee(email="boss@example.org", name="Boss")
        make_participant(
            program=program,
            role=Participant.Role.MENTOR,
            employee=make_employee(email="ben@example.org", name="Old Name", level=3),
            expertise=["negotiation", "Chess"],
            capacity=4,
        )
        make_participant(
            program=program,
            employee=make_employee(email="cara@example.org", name="Cara", level=2, manager=boss),
            goals=["PUBLIC speaking"],
        )
        make_user(username="dan@example.org")

    return setup


FILE = HEADER + (
    "ana@example.org,Ana,Sales,2,ben@example.org,mentee,Public Speaking;HIRING,,reflective,\n"
    "ben@example.org,Ben Okafor,Sales,5,boss@example.org,mentor,,Negotiation;hiring,directive,3\n"
    "cara@example.org,Cara,,2,boss@example.org,mentee,public speaking,,either,\n"
    "dan@example.org,Dan,Ops,1,eve@example.org,mentee,chess; budgeting ,,either,\n"
    "fay@example.org,Fay,Ops,4,dan@example.org,mentor,,Budgeting;Chess,either,\n"
)


@pytest.mark.parametrize("name", ["mentoring", "reverse-mentoring", "peer-coaching"])
def test_bulk_import_leaves_the_database_as_the_rowwise_reference(name):
    kind = {"reverse-mentoring": "reverse_mentoring", "peer-coaching": "peer_coaching"}
    program = make_program(kind=kind.get(name, name))
    text = (DATA / f"{name}-sample.csv").read_text()

    bulk = _state_after(participants_import, program, text)
    rowwise = _state_after(rowwise_import, program, text)

    assert bulk == rowwise
    state, events = bulk
    assert (len(state[1]), [action for action, *_ in events]) == (
        len(text.splitlines()) - 1,
        [AuditEvent.Action.IMPORTED],
    )


def test_bulk_import_over_existing_people_leaves_the_database_as_the_rowwise_reference():
    program = make_program()
    setup = _existing_people(program)

    bulk = _state_after(participants_import, program, FILE, setup)
    rowwise = _state_after(rowwise_import, program, FILE, setup)

    assert bulk == rowwise
    employees, participants, topics = bulk[0]
    # The login that was there is reused, the manager outside the file recorded.
    assert [e for e in employees if e[0] in ("dan@example.org", "eve@example.org")] == [
        ("dan@example.org", "Dan", "Ops", 1, "", "eve@example.org", "dan@example.org", True),
        ("eve@example.org", "eve", "", 3, "", "", "eve@example.org", False),
    ]
    assert [p for p in participants if p[0] == "ben@example.org"] == [
        ("ben@example.org", "mentor", "directive", 3, (), ("hiring", "negotiation"))
    ]
    # First spelling wins for new topics; existing topics keep their name.
    assert topics == [
        ("budgeting", "Budgeting"),
        ("chess", "Chess"),
        ("hiring", "Hiring"),
        ("negotiation", "negotiation"),
        ("public speaking", "PUBLIC speaking"),
    ]


def test_bulk_reimport_changes_nothing_and_records_nothing():
    program = make_program()
    participants_import(program=program, text=FILE)
    before = database_state(program)

    result = participants_import(program=program, text=FILE)

    assert (result.changes, database_state(program)) == (0, before)
    assert program.audit_events.count() == 1


def _file(rows: int) -> str:
    return HEADER + "".join(
        f"p{i}@example.org,P {i},Ops,{1 + i % 6},{f'p{i - 1}@example.org' if i else ''},"
        f"{'mentor' if i % 6 >= 3 else 'mentee'},Goal {i % 7};Shared,Skill {i % 5},either,\n"
        for i in range(rows)
    )


def test_plan_and_import_use_as_many_queries_for_100_rows_as_for_10(
    django_assert_num_queries,
):
    small, big = make_program(), make_program()
    participants_import(program=small, text=_file(10))
    participants_import(program=big, text=_file(100))
    # A people admin, so the changed departments are written (and their group is known).
    actor = make_people_admin()
    assert is_people_admin(actor)
    counts = []
    for program, rows in ((small, 10), (big, 100)):
        # Changed again: every row updates its employee, its enrolment and its topics.
        text = _file(rows).replace(",Ops,", ",Sales,").replace("Shared", f"New {rows}")
        with CaptureQueriesContext(connection) as plan_queries:
            participants_import_plan(program=program, text=text, actor=actor)
        with CaptureQueriesContext(connection) as import_queries:
            participants_import(program=program, text=text, actor=actor)
        counts.append((len(plan_queries), len(import_queries)))

    # Plan: employees, enrolments, their goals, their expertise. Import: a savepoint, the
    # plan's four, employees' update, enrolments' update, topics (read, create, re-read),
    # goals (delete, insert), the audit event, the savepoint's release.
    assert counts == [(4, 14), (4, 14)]


def test_a_first_import_uses_as_many_queries_for_100_rows_as_for_10():
    counts = []
    for rows in (10, 100):
        program = make_program()
        text = _file(rows).replace("@example.org", f"@{rows}.example.org")
        text = text.replace("Shared", f"Fresh {rows}")
        with CaptureQueriesContext(connection) as queries:
            participants_import(program=program, text=text)
        counts.append(len(queries))

    # A savepoint, the plan's employees (nobody is enrolled yet, so no more), logins (read,
    # insert), employees (insert, update with managers), enrolments, topics (read, create,
    # re-read), goals, expertise, the audit event, the release.
    assert counts == [14, 14]


@pytest.mark.sqlite  # SQLite's variable limit; CI runs it in the SQLite pass
def test_a_file_beyond_sqlites_variable_limit_is_read_and_written_in_chunks():
    program = make_program()
    participants_import(program=program, text=_file(300))
    text = _file(300).replace(",Ops,", ",Sales,").replace("Shared", "Chunked")
    expected = _state_after(participants_import, program, text)
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 120)
    try:
        with CaptureQueriesContext(connection) as queries:
            chunked = _state_after(participants_import, program, text)
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)

    assert chunked == expected
    # 300 emails and their enrolments in __in lists of at most 20.
    employee_reads = [q for q in queries if q["sql"].startswith('SELECT "programs_employee"')]
    assert len(employee_reads) > 10
