import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from programs.models import AuditEvent, Employee, Participant, Program
from tests.factories import make_program

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("kind", "cadence"),
    [("mentoring", 28), ("reverse_mentoring", 28), ("peer_coaching", 14)],
)
def test_create_program_uses_the_kind_defaults(kind, cadence):
    out, _ = _run("create_program", "spring-cohort", "--kind", kind)

    program = Program.objects.get(slug="spring-cohort")
    assert (program.name, program.kind, program.status, program.checkin_cadence_days) == (
        "Spring cohort",
        kind,
        Program.Status.ENROLLING,
        cadence,
    )
    assert list(program.audit_events.values_list("action", flat=True)) == ["created"]
    assert out == (
        f"Created {program.get_kind_display().lower()} programme 'spring-cohort' "
        "(Spring cohort), open for enrolment\n"
    )


def test_create_program_takes_a_name():
    _run("create_program", "leaders", "--kind", "mentoring", "--name", "Future leaders")

    assert Program.objects.get(slug="leaders").name == "Future leaders"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("taken", "--kind", "mentoring"), "a programme with the slug 'taken' already exists"),
        (
            ("new", "--kind", "coaching"),
            "unknown kind 'coaching'; use one of mentoring, reverse_mentoring, peer_coaching, "
            "peer_circles, co_development, group_mentoring, situational",
        ),
        (
            ("not a slug!", "--kind", "mentoring"),
            "slug: Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        ),
    ],
)
def test_create_program_refuses_bad_input_in_one_line(args, message):
    make_program(slug="taken")

    with pytest.raises(CommandError) as error:
        _run("create_program", *args)

    assert str(error.value) == message
    assert Program.objects.count() == 1


def test_import_participants_prints_a_summary():
    program = make_program(slug="mentors", kind=Program.Kind.MENTORING)

    out, err = _run("import_participants", "mentors", str(DATA / "mentoring-sample.csv"))
    again, _ = _run("import_participants", "mentors", str(DATA / "mentoring-sample.csv"))

    assert out == (
        "mentors: 55 rows: 55 employees created, 0 updated, 2 managers added without "
        "enrolment, 55 participants enrolled, 0 updated, 0 unchanged (57 changes)\n"
    )
    assert again == (
        "mentors: 55 rows: 0 employees created, 0 updated, 0 managers added without "
        "enrolment, 0 participants enrolled, 0 updated, 55 unchanged (0 changes)\n"
    )
    assert err == ""
    assert program.participants.count() == 55


def test_import_participants_lists_every_error_and_imports_nothing():
    make_program(slug="mentors", kind=Program.Kind.MENTORING)
    err = StringIO()

    with pytest.raises(CommandError) as error:
        call_command(
            "import_participants", "mentors", str(DATA / "bad-participants.csv"), stderr=err
        )

    assert str(error.value) == f"6 bad rows in {DATA / 'bad-participants.csv'}; nothing imported"
    assert err.getvalue().splitlines() == [
        "line 3: level '9' is not a whole number from 1 to 6",
        "line 4: email is missing",
        "line 5: email ana@example.org already appears on line 2",
        "line 6: role 'coach' is unknown (use mentor or mentee)",
        "line 7: style 'sometimes' is not one of directive, reflective, either",
        "line 8: capacity '0' is not a positive whole number",
    ]
    assert (Employee.objects.count(), Participant.objects.count()) == (0, 0)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count() == 0


@pytest.mark.parametrize(
    ("slug", "file", "message"),
    [
        ("nope", "mentoring-sample.csv", "no programme with the slug 'nope'"),
        (
            "mentors",
            "missing.csv",
            f"cannot read {DATA / 'missing.csv'}: No such file or directory",
        ),
    ],
)
def test_import_participants_refuses_bad_input_in_one_line(slug, file, message):
    make_program(slug="mentors")

    with pytest.raises(CommandError) as error:
        _run("import_participants", slug, str(DATA / file))

    assert str(error.value) == message


# --- bench_import -----------------------------------------------------------------------


def test_bench_import_prints_both_paths_and_leaves_the_database_as_it_found_it():
    out, _ = _run("bench_import", "--rows", "40")

    report = json.loads(out)
    figures = {"rows", "seconds", "queries", "rows_per_s", "peak_memory_mb"}
    assert (set(report), set(report["rowwise"]), set(report["bulk"])) == (
        {"database", "rowwise", "bulk", "speedup", "identical"},
        figures,
        figures,
    )
    assert (report["rowwise"]["rows"], report["bulk"]["rows"], report["identical"]) == (
        40,
        40,
        True,
    )
    assert report["bulk"]["queries"] < report["rowwise"]["queries"]
    assert (Program.objects.count(), Employee.objects.count(), AuditEvent.objects.count()) == (
        0,
        0,
        0,
    )


def test_bench_import_takes_a_file():
    out, _ = _run("bench_import", "--file", str(DATA / "mentoring-sample.csv"))

    report = json.loads(out)
    assert (report["bulk"]["rows"], report["identical"]) == (55, True)


def test_bench_import_without_the_memory_runs_reports_no_peak_memory():
    report = json.loads(_run("bench_import", "--rows", "20", "--no-memory")[0])

    assert set(report["rowwise"]) == set(report["bulk"]) == {
        "rows", "seconds", "queries", "rows_per_s",
    }  # fmt: skip
    assert report["identical"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rows", "0"], "--rows must be at least 1"),
        (["--file", "missing.csv"], "cannot read missing.csv: [Errno 2] No such file or directory"),
        (
            ["--file", str(DATA / "bad-participants.csv")],
            "the file has errors: line 3: level '9' is not a whole number from 1 to 6",
        ),
    ],
)
def test_bench_import_refuses_bad_input_in_one_line(args, message):
    with pytest.raises(CommandError) as error:
        _run("bench_import", *args)
    assert str(error.value).startswith(message)
