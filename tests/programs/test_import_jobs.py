"""Imports as jobs: a big file through the pages on workers (eager Celery here), the file
kept server-side and deleted, the purge, access and query counts of the job pages."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from programs import tasks
from programs.benchmarks.bench import participants_csv
from programs.import_jobs import import_jobs_purge
from programs.models import AuditEvent, Employee, ImportJob, Participant
from tests.factories import make_hr_admin

pytestmark = pytest.mark.django_db

BIG = 50_000


@pytest.fixture(scope="module")
def big_file() -> str:
    return participants_csv(BIG, seed=7)


def _upload(client, program, text: str):
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("hr:participant_import", args=[program.slug]), {"file": upload})


def _status(client, job):
    return client.get(reverse("hr:import_job_status", args=[job.pk]))


def test_a_50000_row_file_goes_through_preview_confirm_progress_and_result_on_workers(
    client, hr_admin, program, big_file, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 1000
    client.force_login(hr_admin)
    people_before = Employee.objects.count()

    with django_capture_on_commit_callbacks() as checks:
        upload = _upload(client, program, big_file)
    job = ImportJob.objects.get()
    assert upload["Location"] == reverse("hr:import_job_detail", args=[job.pk])
    # The request only kept the file: the check waits for a worker, the page shows a bar.
    assert (job.status, job.total, len(checks)) == (ImportJob.Status.CHECKING, BIG, 1)
    page = client.get(upload["Location"])
    assert b'id="import-progress-bar"' in page.content
    assert b"0 of 50000 rows checked" in page.content
    assert _status(client, job).status_code == 200

    checks[0]()  # the worker

    assert _status(client, job).headers["HX-Refresh"] == "true"
    preview = client.get(upload["Location"]).context["job"]
    managers = {
        row["manager_email"]
        for row in csv.DictReader(io.StringIO(big_file))
        if row["manager_email"].startswith("lead")
    }
    counts = {
        "rows": BIG,
        "employees_created": BIG,
        "employees_updated": 0,
        "employees_not_changed": 0,
        "managers_created": len(managers),
        "participants_enrolled": BIG,
        "participants_updated": 0,
        "unchanged": 0,
        "changes": BIG + len(managers),
    }
    assert (preview.status, preview.counts, len(preview.preview["rows"])) == (
        ImportJob.Status.PREVIEWED,
        counts,
        200,
    )
    assert Participant.objects.count() == 0

    with django_capture_on_commit_callbacks() as runs:
        confirm = client.post(reverse("hr:import_job_confirm", args=[job.pk]))
    assert confirm["Location"] == upload["Location"]
    assert ImportJob.objects.get().status == ImportJob.Status.QUEUED
    assert b'id="import-progress-bar"' in client.get(upload["Location"]).content

    runs[0]()

    job = ImportJob.objects.get()
    assert (job.status, job.counts, bytes(job.content)) == (ImportJob.Status.DONE, counts, b"")
    assert Participant.objects.filter(program=program).count() == BIG
    assert Employee.objects.count() == people_before + BIG + len(managers)
    assert _status(client, job).headers["HX-Refresh"] == "true"
    result = " ".join(client.get(upload["Location"]).content.decode().split())
    assert f"{BIG} participants enrolled" in result
    assert list(program.audit_events.values_list("action", "actor")) == [
        (AuditEvent.Action.IMPORTED, hr_admin.pk)
    ]


def test_the_50000_row_file_with_one_bad_row_imports_nothing_and_names_the_line(
    client, hr_admin, program, big_file, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 1000
    lines = big_file.splitlines(keepends=True)
    bad = 25_001  # the file's line numbers count the header as line 1
    fields = lines[bad - 1].split(",")
    fields[3] = "9"
    lines[bad - 1] = ",".join(fields)
    client.force_login(hr_admin)
    people_before = Employee.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        upload = _upload(client, program, "".join(lines))

    page = client.get(upload["Location"])
    job = page.context["job"]
    assert (job.status, job.errors) == (
        ImportJob.Status.FAILED,
        [[bad, "level '9' is not a whole number from 1 to 6"]],
    )
    assert bytes(ImportJob.objects.get().content) == b""
    assert "Nothing was imported: 1 error" in page.content.decode()
    assert f"<tr><td>{bad}</td>" in page.content.decode()
    assert b"import_job_confirm" not in page.content
    assert (Employee.objects.count(), Participant.objects.count()) == (people_before, 0)
    confirm = client.post(reverse("hr:import_job_confirm", args=[job.pk]), follow=True)
    assert [str(m) for m in confirm.context["messages"]] == [
        "This import is not waiting for a confirmation any more."
    ]
    assert Participant.objects.count() == 0


SMALL = (
    "email,name,department,level,manager_email,role,goals,expertise,style,capacity\n"
    "ana@example.org,Ana,Sales,2,,mentee,Hiring,,either,\n"
)


def test_a_finished_import_keeps_no_file(client, hr_admin, program):
    client.force_login(hr_admin)
    _upload(client, program, SMALL)
    job = ImportJob.objects.get()
    assert (job.status, bytes(job.content)) == (ImportJob.Status.PREVIEWED, SMALL.encode())

    client.post(reverse("hr:import_job_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, bytes(job.content), job.counts["participants_enrolled"]) == (
        ImportJob.Status.DONE,
        b"",
        1,
    )
    assert job.finished_at is not None


def test_the_purge_removes_jobs_older_than_a_day_and_keeps_the_rest(program, hr_admin):
    now = timezone.now()
    old, young = (
        ImportJob.objects.create(
            kind=ImportJob.Kind.PARTICIPANTS,
            program=program,
            actor=hr_admin,
            content=SMALL.encode(),
            status=ImportJob.Status.PREVIEWED,
            created_at=now - age,
        )
        for age in (timedelta(hours=25), timedelta(hours=23))
    )

    assert tasks.purge_import_jobs.delay().get() == 1

    assert list(ImportJob.objects.values_list("pk", flat=True)) == [young.pk]
    assert import_jobs_purge(now=now + timedelta(hours=2)) == 1
    assert ImportJob.objects.count() == 0
    assert old.pk != young.pk


def test_the_purge_runs_on_the_beat():
    entries = [entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()]
    assert "programs.tasks.purge_import_jobs" in entries


def test_an_import_job_is_404_to_another_hr_admin_and_403_to_an_employee(
    client, hr_admin, program, outsider
):
    client.force_login(hr_admin)
    _upload(client, program, SMALL)
    job = ImportJob.objects.get()
    pages = [
        reverse("hr:import_job_detail", args=[job.pk]),
        reverse("hr:import_job_status", args=[job.pk]),
    ]
    confirm = reverse("hr:import_job_confirm", args=[job.pk])

    client.force_login(make_hr_admin(name="Other HR"))
    assert [client.get(url).status_code for url in pages] + [client.post(confirm).status_code] == [
        404,
        404,
        404,
    ]
    client.force_login(outsider)
    assert [client.get(url).status_code for url in pages] + [client.post(confirm).status_code] == [
        403,
        403,
        403,
    ]
    assert ImportJob.objects.get().status == ImportJob.Status.PREVIEWED
    assert Participant.objects.count() == 0
    client.force_login(hr_admin)
    assert client.get(confirm).status_code == 405


@pytest.mark.parametrize("rows", [1, 3])
def test_import_job_page_query_count_is_the_same_for_1_and_3_preview_rows(
    client, hr_admin, program, django_assert_num_queries, rows
):
    text = SMALL.splitlines(keepends=True)[0] + "".join(
        f"p{n}@example.org,P {n},Sales,2,,mentee,Hiring,,either,\n" for n in range(rows)
    )
    client.force_login(hr_admin)
    _upload(client, program, text)
    job = ImportJob.objects.get()
    assert len(job.preview["rows"]) == rows
    # session, user, HR group, the job with its programme, navbar's employee
    with django_assert_num_queries(5):
        response = client.get(reverse("hr:import_job_detail", args=[job.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_import_progress_query_count_is_the_same_for_1_and_3_rows(
    client, hr_admin, program, django_assert_num_queries, rows
):
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.PARTICIPANTS, program=program, actor=hr_admin, total=rows
    )
    client.force_login(hr_admin)
    # session, user, HR group, the job with its programme, the context processor's employee
    with django_assert_num_queries(5):
        response = _status(client, job)
    assert f"0 of {rows} row".encode() in response.content
