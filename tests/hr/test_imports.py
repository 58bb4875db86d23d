"""The participants CSV import through its pages: upload, preview, confirm."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from programs.models import (
    AuditEvent,
    Employee,
    ImportJob,
    Participant,
    Program,
)
from tests.factories import (
    import_state,
    make_employee,
    make_program,
)

pytestmark = pytest.mark.django_db


DATA = Path(__file__).resolve().parent.parent / "data"


def _upload(client, program, name, **kwargs):
    path = DATA / name
    with path.open("rb") as handle:
        return client.post(
            reverse("hr:participant_import", args=[program.slug]), {"file": handle}, **kwargs
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
    assert upload["Location"] == reverse("hr:import_job_detail", args=[job.pk])
    preview = client.get(upload["Location"])
    assert Participant.objects.count() == 0  # the preview writes nothing
    assert preview.context["job"].status == ImportJob.Status.PREVIEWED
    enrolled = preview.context["job"].counts["participants_enrolled"]
    confirm = client.post(reverse("hr:import_job_confirm", args=[job.pk]))

    assert confirm.status_code == 302
    assert confirm["Location"] == reverse("hr:import_job_detail", args=[job.pk])
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
    confirm = reverse("hr:import_job_confirm", args=[job.pk])
    client.post(confirm)

    again = client.post(confirm, follow=True)

    assert [str(m) for m in again.context["messages"]] == [
        "This import is not waiting for a confirmation any more."
    ]
    assert program.audit_events.count() == 1


def test_import_refuses_an_upload_over_the_limit_before_reading_it(client, hr_admin, program):
    client.force_login(hr_admin)
    big = SimpleUploadedFile(
        "people.csv",
        b"email,name\n" + b"x" * (10 * 1024 * 1024 + 16 * 1024),
        content_type="text/csv",
    )

    response = client.post(reverse("hr:participant_import", args=[program.slug]), {"file": big})

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
        reverse("hr:participant_import", args=[program.slug]), {"file": upload}, follow=True
    )

    assert preview.status_code == 200
    assert "1 row differs from the directory - not changed" in preview.text
    assert "name &#x27;Ana Brennan&#x27; → &#x27;Ana B&#x27;; level 5 → 2" in preview.text
    job = ImportJob.objects.get()
    client.post(reverse("hr:import_job_confirm", args=[job.pk]))
    ana.refresh_from_db()
    assert (ana.name, ana.level) == ("Ana Brennan", 5)
    assert Participant.objects.get(program=program).employee == ana
