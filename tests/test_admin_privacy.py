"""The Django admin: private check-in notes never reach it, and support staff's changes
are in the audit log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing.models import CheckIn, Pairing
from programs.models import AuditEvent, Employee
from tests.factories import make_employee, make_live_pairing, make_user

pytestmark = pytest.mark.django_db

SECRET = "my-manager-is-the-problem-7f3a"


@pytest.fixture
def root(client):
    user = make_user(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def checkin(program):
    began = timezone.make_aware(datetime.datetime(2026, 10, 1, 12))
    pairing = make_live_pairing(program=program, proposed_at=began, activated_at=began)
    learner = pairing.members.get(role="learner").participant
    return CheckIn.objects.create(
        pairing=pairing,
        held_on=datetime.date(2026, 11, 1),
        logged_by=learner,
        summary="Talked about the roadmap",
        private_note=SECRET,
        rating=4,
    )


@pytest.mark.parametrize(
    "url",
    [
        lambda c: reverse("admin:pairing_checkin_changelist"),
        lambda c: reverse("admin:pairing_checkin_change", args=[c.pk]),
        lambda c: reverse("admin:pairing_checkin_history", args=[c.pk]),
        lambda c: reverse("admin:pairing_checkin_delete", args=[c.pk]),
        lambda c: reverse("admin:pairing_pairing_changelist"),
        lambda c: reverse("admin:pairing_pairing_change", args=[c.pairing_id]),
        lambda c: reverse("admin:pairing_pairing_delete", args=[c.pairing_id]),
    ],
)
def test_no_admin_page_shows_a_private_note(client, root, checkin, url):
    response = client.get(url(checkin))
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "private_note" not in response.content.decode()


def test_searching_check_ins_does_not_match_private_notes(client, root, checkin):
    response = client.get(reverse("admin:pairing_checkin_changelist"), {"q": SECRET})
    assert response.context["cl"].result_count == 0


def test_saving_a_check_in_in_the_admin_keeps_its_note_and_is_audited(client, root, checkin):
    url = reverse("admin:pairing_checkin_change", args=[checkin.pk])
    response = client.post(
        url,
        {
            "pairing": checkin.pairing_id,
            "held_on": "2026-11-02",
            "logged_by": checkin.logged_by_id,
            "summary": "Talked about the roadmap",
            "rating": 5,
            "created_at_0": "2026-11-02",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    checkin.refresh_from_db()
    assert (checkin.private_note, checkin.rating) == (SECRET, 5)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_SITE_CHANGED)
    assert event.program == checkin.pairing.program
    assert event.actor == root
    assert event.detail == {
        "model": "pairing.checkin",
        "pk": checkin.pk,
        "fields": ["created_at", "held_on", "rating"],
    }
    assert SECRET not in event.summary


def test_deleting_a_pairing_in_the_admin_is_audited_on_its_programme(client, root, checkin):
    pairing = checkin.pairing
    url = reverse("admin:pairing_pairing_delete", args=[pairing.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Pairing.objects.filter(pk=pairing.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_SITE_DELETED)
    assert (event.program, event.summary) == (pairing.program, f"Deleted pairing {pairing}")


def test_bulk_deleting_people_in_the_admin_records_directory_events(client, root, program):
    people = [make_employee(name="Ann Able"), make_employee(name="Bob Baker")]
    response = client.post(
        reverse("admin:programs_employee_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Employee.objects.filter(pk__in=[p.pk for p in people]).exists()
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ADMIN_SITE_DELETED)
    assert sorted((e.program, e.summary) for e in events) == [
        (None, "Deleted employee Ann Able"),
        (None, "Deleted employee Bob Baker"),
    ]


def test_deleting_a_programme_in_the_admin_is_kept_on_the_directory(client, root, program):
    url = reverse("admin:programs_program_delete", args=[program.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_SITE_DELETED)
    assert (event.program, event.summary) == (None, f"Deleted program {program}")


def test_the_audit_log_is_read_only_in_the_admin(client, root, program):
    event = AuditEvent.objects.create(program=program, action=AuditEvent.Action.CREATED)
    assert client.get(reverse("admin:programs_auditevent_add")).status_code == 403
    url = reverse("admin:programs_auditevent_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- Beyond the admin: exports and pages -------------------------------------------------


def _download(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )


def test_no_export_contains_a_private_note(client, hr_admin, checkin):
    client.force_login(hr_admin)
    slug = checkin.pairing.program.slug
    urls = [
        reverse("hr:pairing_export", args=[slug]),
        reverse("hr:participant_export", args=[slug]),
    ] + [
        reverse("hr:dashboard_csv", args=[slug]) + f"?chart={chart}"
        for chart in ["enrolment", "outcomes", "decline_reasons", "checkins", "ratings"]
    ]
    for url in urls:
        assert SECRET not in _download(client, url), url


def test_only_the_author_sees_a_private_note_on_the_pairing_page(client, hr_admin, checkin):
    url = reverse("pairing:pairing_detail", args=[checkin.pairing_id])
    author = checkin.logged_by.employee.user
    partner = checkin.pairing.members.exclude(participant=checkin.logged_by).get()
    seen = {}
    for who, user in [
        ("author", author),
        ("partner", partner.participant.employee.user),
        ("hr", hr_admin),
        ("root", make_user(username="r2", is_superuser=True)),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, who
        seen[who] = SECRET in response.content.decode()
    assert seen == {"author": True, "partner": False, "hr": False, "root": False}


def test_a_persons_admin_page_shows_their_enrolments_and_sign_in(client, root, checkin):
    employee = checkin.logged_by.employee
    response = client.get(reverse("admin:programs_employee_change", args=[employee.pk]))
    content = response.content.decode()
    assert checkin.pairing.program.name in content
    listing = client.get(reverse("admin:programs_employee_changelist"))
    assert "Last sign-in" in listing.content.decode()
    assert SECRET not in content


def test_the_admin_refuses_a_check_in_dated_before_its_pairing(client, root, checkin):
    url = reverse("admin:pairing_checkin_change", args=[checkin.pk])
    response = client.post(
        url,
        {
            "pairing": checkin.pairing_id,
            "held_on": "2026-09-30",
            "logged_by": checkin.logged_by_id,
            "summary": "x",
            "rating": 3,
            "created_at_0": "2026-11-02",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert "held_on" in response.context["adminform"].form.errors
    checkin.refresh_from_db()
    assert checkin.held_on == datetime.date(2026, 11, 1)


def test_the_admin_shows_a_programmes_kind_read_only_once_it_has_pairings(client, root, checkin):
    program = checkin.pairing.program
    form = (
        client.get(reverse("admin:programs_program_change", args=[program.pk]))
        .context["adminform"]
        .form
    )
    assert "kind" not in form.fields


def test_programme_kind_is_read_only_in_the_admin_once_it_has_pairings(root, client, program):
    url = reverse("admin:programs_program_change", args=[program.pk])
    assert 'name="kind"' in client.get(url).content.decode()
    make_live_pairing(program=program)
    assert 'name="kind"' not in client.get(url).content.decode()
