"""Data migrations rewrite what earlier versions stored."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("pairing", "0005_partner_left_notified_at")
AFTER = ("pairing", "0006_match_run_results_by_key")


def _migrate(target):
    """Pairing at ``target``, every other app at its latest migration."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [target, *(n for n in executor.loader.graph.leaf_nodes() if n[0] != "pairing")]
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Leave the database fully migrated, as the tests after this one expect."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_stored_runs_move_from_emails_to_participant_keys():
    apps = _migrate(BEFORE)
    User = apps.get_model("auth", "User")
    Employee = apps.get_model("programs", "Employee")
    Program = apps.get_model("programs", "Program")
    Participant = apps.get_model("programs", "Participant")
    MatchRun = apps.get_model("pairing", "MatchRun")
    program = Program.objects.create(slug="old", name="Old", kind="mentoring")
    keys = {}
    for name, role in (("ada", "mentor"), ("bo", "mentee"), ("cy", "mentee"), ("di", "mentor")):
        user = User.objects.create(username=f"{name}@example.org")
        employee = Employee.objects.create(
            user=user, email=f"{name}@example.org", name=name.title(), level=3
        )
        keys[name] = str(
            Participant.objects.create(program=program, employee=employee, role=role).pk
        )
    breakdown = {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 0.0}
    run = MatchRun.objects.create(
        program=program,
        status="done",
        result={
            "program": "old",
            "kind": "mentoring",
            "objective": {"matched": 1, "total_score": 95.0, "certified": True},
            "totals": {"matched": 1},
            "pairings": [
                {
                    "guide": "ada@example.org",
                    "members": ["bo@example.org"],
                    "score": 95.0,
                    "breakdown": breakdown,
                }
            ],
            "unmatched": [
                {"email": "cy@example.org", "reasons": ["no mentor"]},
                {"email": "gone@example.org", "reasons": ["left"]},
            ],
            "spare_capacity": [{"email": "di@example.org", "free": 2}],
            "keys": [{"guide": keys["ada"], "members": [keys["bo"]], "pinned": True}],
        },
    )

    apps = _migrate(AFTER)

    run = apps.get_model("pairing", "MatchRun").objects.get(pk=run.pk)
    assert run.result == {
        "objective": {"matched": 1, "total_score": 95.0, "certified": True},
        "totals": {"matched": 1},
        "pairings": [
            {
                "guide": keys["ada"],
                "members": [keys["bo"]],
                "score": 95.0,
                "breakdown": breakdown,
                "pinned": True,
            }
        ],
        "unmatched": [{"key": keys["cy"], "reasons": ["no mentor"]}],
        "spare_capacity": [{"key": keys["di"], "free": 2}],
    }
