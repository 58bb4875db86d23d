"""The directory import page: upload, preview, confirm, result, for people admins only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pairing.models import Pairing
from programs.models import Employee, ImportJob
from tests.factories import (
    make_active_pairing,
    make_hr_admin,
    make_participant,
    make_people_admin,
    make_program,
)

pytestmark = pytest.mark.django_db

HEADER = "email,name,department,title,level,manager_email,time_zone,active\n"
UPLOAD = reverse("hr:directory_import")


def _upload(client, text: str, **extra):
    upload = SimpleUploadedFile("directory.csv", text.encode())
    return client.post(UPLOAD, {"file": upload}, **extra)


def test_upload_preview_confirm_and_result_with_a_leaver(
    client, hr_admin, django_capture_on_commit_callbacks
):
    program = make_program(admins=[hr_admin])
    guide = make_participant(program=program, role="mentor", employee_kwargs={"level": 5})
    learner = make_participant(program=program, role="mentee", employee_kwargs={"level": 2})
    pairing = make_active_pairing(guide=guide, learner=learner)
    client.force_login(make_people_admin())
    text = HEADER + (
        "new@example.org,Nia New,Ops,Analyst,2,,,\n"
        f"{guide.employee.email},{guide.employee.name},Engineering,,5,,,no\n"
    )

    uploaded = _upload(client, text)
    job = ImportJob.objects.get()
    preview = client.get(uploaded["Location"])

    assert uploaded["Location"] == reverse("hr:directory_import_job_detail", args=[job.pk])
    assert preview.status_code == 200
    assert "1 person to add, 0 to update" in preview.text
    assert "1 to mark as leaver (their live pairings end), 0 back" in preview.text
    assert "<strong>leaves</strong>" in preview.text
    assert not Employee.objects.filter(email="new@example.org").exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(reverse("hr:directory_import_job_confirm", args=[job.pk]))
    result = client.get(confirm["Location"])

    assert "Imported" in result.text and "1 person added, 0 updated" in result.text
    assert Employee.objects.get(email="new@example.org").title == "Analyst"
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED
    job.refresh_from_db()
    assert (job.status, bytes(job.content)) == (ImportJob.Status.DONE, b"")


def test_a_bad_row_names_its_line_and_nothing_is_imported(client):
    client.force_login(make_people_admin())
    text = HEADER + "a@example.org,Ann,Ops,,3,,,\nb@example.org,Bob,Ops,,9,,,\n"

    page = client.get(_upload(client, text)["Location"])

    assert "Nothing was imported: 1 error" in page.text
    assert "level &#x27;9&#x27; is not a whole number from 1 to 6" in page.text
    assert not Employee.objects.filter(email="a@example.org").exists()


def test_only_people_admins_see_the_pages_and_jobs(client, hr_admin):
    people = make_people_admin()
    client.force_login(people)
    job = ImportJob.objects.get(pk=_upload(client, HEADER)["Location"].split("/")[-2])

    client.force_login(hr_admin)
    assert client.get(UPLOAD).status_code == 403
    assert client.get(reverse("hr:directory_import_job_detail", args=[job.pk])).status_code == 403
    # A participants job page does not show a directory job either.
    client.force_login(make_hr_admin(name="Both"))
    assert client.get(reverse("hr:import_job_detail", args=[job.pk])).status_code == 404


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client):
    client.force_login(make_people_admin())
    response = client.post(UPLOAD, {}, CONTENT_LENGTH=str(11 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 10 MB; nothing was uploaded" in response.text
    assert not ImportJob.objects.exists()
