"""A worker that dies mid-task leaves its row running; the task's redelivered message
claims it again once the claim's lease has lapsed (programs.leases), never while a live
worker may still hold it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pairing.matchmaking.runs import match_run_execute
from pairing.models import MatchRun
from programs import leases
from programs.benchmarks.bench import participants_csv
from programs.import_jobs import import_job_run
from programs.models import ImportJob, Participant, Program
from tests.factories import make_participant, make_program

pytestmark = pytest.mark.django_db


def lapsed():
    return leases.lease_expired_before() - timedelta(seconds=1)


@pytest.fixture
def program(hr_admin):
    program = make_program(admins=[hr_admin], status=Program.Status.ENROLLING)
    make_participant(program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5})
    make_participant(program=program, employee_kwargs={"level": 2})
    return program


@pytest.mark.parametrize(
    ("claimed_at", "status"),
    [
        (lapsed, MatchRun.Status.DONE),
        (lambda: None, MatchRun.Status.DONE),  # claimed before claims were stamped
        (timezone.now, MatchRun.Status.RUNNING),
    ],
)
def test_a_run_left_running_is_computed_again_only_once_its_claim_lapsed(
    program, claimed_at, status
):
    run = MatchRun.objects.create(
        program=program, status=MatchRun.Status.RUNNING, claimed_at=claimed_at()
    )
    match_run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == status
    assert len(run.result.get("pairings", [])) == (1 if status == MatchRun.Status.DONE else 0)


@pytest.mark.parametrize(
    ("claimed_at", "status", "imported"),
    [
        (lapsed, ImportJob.Status.DONE, 3),
        (timezone.now, ImportJob.Status.RUNNING, 0),
    ],
)
def test_an_import_left_running_is_imported_again_only_once_its_claim_lapsed(
    program, hr_admin, claimed_at, status, imported
):
    before = Participant.objects.count()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.PARTICIPANTS,
        program=program,
        actor=hr_admin,
        content=participants_csv(3, seed=7).encode(),
        status=ImportJob.Status.RUNNING,
        claimed_at=claimed_at(),
    )
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == status
    assert Participant.objects.count() - before == imported
