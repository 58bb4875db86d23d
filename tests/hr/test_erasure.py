"""Erasure on request: a people admin anonymises a person and deletes what they wrote;
partners' records and every figure stay."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from pairing.hr.selectors import program_health
from pairing.models import CheckIn, Pairing, PairingMember, SurveyResponse
from pairing.services import LEFT_ORGANISATION
from programs.models import PEOPLE_ADMINS_GROUP, AuditEvent, Employee, Participant
from programs.services import employee_erase, employees_deactivate
from tests.factories import make_employee, make_participant, make_people_admin, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_admin(db):
    return make_people_admin(name="Pia People")


@pytest.fixture
def scene(program):
    """Mia (a mentee, a manager herself) in an active pairing with Ola, each with a
    check-in and a private note; a proposal she declined with a note; her survey."""
    max_ = make_employee(name="Max Manager")
    mia = make_employee(
        name="Mia Mentee",
        email="mia@example.org",
        title="Developer",
        manager=max_,
        time_zone="Europe/Berlin",
        scim_external_id="hr-42",
    )
    rae = make_employee(name="Rae Report", manager=mia)
    me = make_participant(program=program, employee=mia, goals=["Python"], note="Grow")
    ola = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Ola Mentor"),
        expertise=["Python"],
        capacity=2,
    )
    now = timezone.now()
    pairing = Pairing.objects.create(
        program=program,
        status=Pairing.Status.ACTIVE,
        score=80,
        proposed_at=now - timedelta(days=30),
        activated_at=now - timedelta(days=29),
    )
    PairingMember.objects.create(
        pairing=pairing, participant=ola, role="guide", response="accepted"
    )
    PairingMember.objects.create(
        pairing=pairing, participant=me, role="learner", response="accepted"
    )
    today = timezone.localdate()
    mine = CheckIn.objects.create(
        pairing=pairing,
        held_on=today - timedelta(days=20),
        logged_by=me,
        summary="Planned the quarter",
        private_note="Mia's own thought",
        rating=4,
    )
    theirs = CheckIn.objects.create(
        pairing=pairing,
        held_on=today - timedelta(days=10),
        logged_by=ola,
        summary="Code review habits",
        private_note="Ola's secret",
        rating=5,
    )
    other = make_participant(program=program, role=Participant.Role.MENTOR)
    declined = Pairing.objects.create(
        program=program, status=Pairing.Status.DECLINED, score=60, proposed_at=now
    )
    PairingMember.objects.create(
        pairing=declined, participant=other, role="guide", response="accepted", live=False
    )
    declined_by_mia = PairingMember.objects.create(
        pairing=declined,
        participant=me,
        role="learner",
        response="declined",
        decline_reason="no_time",
        decline_note="Busy until spring",
        live=False,
    )
    survey = SurveyResponse.objects.create(participant=me, rating=5, what_helped="Weekly notes")
    TOTPDevice.objects.create(user=mia.user, name="phone", confirmed=True)
    AccessAttempt.objects.create(
        username="mia@example.org", ip_address="10.0.0.1", user_agent="x", failures_since_start=1
    )
    return {
        "mia": mia,
        "max": max_,
        "rae": rae,
        "me": me,
        "ola": ola,
        "pairing": pairing,
        "mine": mine,
        "theirs": theirs,
        "declined_by_mia": declined_by_mia,
        "survey": survey,
    }


def _erase(client, user, employee, typed=None):
    client.force_login(user)
    return client.post(
        reverse("hr:person_erase", args=[employee.pk]),
        {"confirm_email": employee.email if typed is None else typed},
    )


def test_erasure_anonymises_the_person_and_deletes_what_they_wrote(
    client, people_admin, scene, django_capture_on_commit_callbacks, mailoutbox
):
    mia = scene["mia"]
    with django_capture_on_commit_callbacks(execute=True):
        response = _erase(client, people_admin, mia, typed="  MIA@example.org ")
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:person_edit", args=[mia.pk])

    mia = Employee.objects.select_related("user").get(pk=mia.pk)
    address = f"erased-{mia.pk}@erased.invalid"
    assert (mia.email, mia.name, mia.department, mia.title) == (address, "Erased person", "", "")
    assert (mia.manager, mia.time_zone, mia.optional_emails) == (None, settings.TIME_ZONE, False)
    assert (mia.scim_id, mia.scim_external_id, mia.level) == (None, "", 3)
    user = mia.user
    assert (user.username, user.email, user.first_name, user.last_name) == (
        address,
        address,
        "",
        "",
    )
    assert (user.is_active, user.is_staff, user.is_superuser) == (False, False, False)
    assert not user.has_usable_password()
    assert not user.groups.exists()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not AccessAttempt.objects.exists()
    # Her report still points at the (now anonymous) record: who managed whom stays.
    assert Employee.objects.get(pk=scene["rae"].pk).manager_id == mia.pk

    me = Participant.objects.get(pk=scene["me"].pk)
    assert me.note == ""
    assert [t.name for t in me.goals.all()] == ["Python"]
    mine = CheckIn.objects.get(pk=scene["mine"].pk)
    assert (mine.summary, mine.private_note, mine.rating) == ("Planned the quarter", "", 4)
    assert PairingMember.objects.get(pk=scene["declined_by_mia"].pk).decline_note == ""
    survey = SurveyResponse.objects.get(pk=scene["survey"].pk)
    assert (survey.rating, survey.what_helped) == (5, "")

    # Her live pairing ended as a leaver's; Ola was told.
    pairing = Pairing.objects.get(pk=scene["pairing"].pk)
    assert (pairing.status, pairing.end_reason) == (Pairing.Status.ENDED, LEFT_ORGANISATION)
    assert [m.to for m in mailoutbox] == [[scene["ola"].employee.email]]


def test_erasure_keeps_partners_records(client, people_admin, scene):
    _erase(client, people_admin, scene["mia"])
    theirs = CheckIn.objects.get(pk=scene["theirs"].pk)
    assert (theirs.summary, theirs.private_note, theirs.rating) == (
        "Code review habits",
        "Ola's secret",
        5,
    )
    ola = Employee.objects.get(pk=scene["ola"].employee.pk)
    assert (ola.name, ola.user.is_active) == ("Ola Mentor", True)
    # The shared check-in Mia logged stays in the pairing, under her new name.
    logged = CheckIn.objects.select_related("logged_by__employee").get(pk=scene["mine"].pk)
    assert logged.logged_by.employee.name == "Erased person"


def test_erasure_is_audited_by_id_only(client, people_admin, scene):
    mia = scene["mia"]
    _erase(client, people_admin, mia)
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSON_ERASED)
    assert (event.program, event.actor, event.summary) == (
        None,
        people_admin,
        f"Erased person #{mia.pk}",
    )
    assert event.detail == {"employee_id": mia.pk}
    # Erasing leaves no leaver's entry with her name either.
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PEOPLE_LEFT).exists()


def test_erasure_changes_no_dashboard_figure(client, people_admin, program, scene):
    # Leaving changes live figures by itself; the erasure must change none.
    employees_deactivate(employees=[scene["mia"]], actor=people_admin)
    before = program_health(program=program)
    _erase(client, people_admin, Employee.objects.get(pk=scene["mia"].pk))
    after = program_health(program=program)
    # Only the survey's comments change: hers was free text, and it is gone.
    assert [r.what_helped for r in before["survey"].pop("comments")] == ["Weekly notes"]
    assert after["survey"].pop("comments") == []
    assert after == before


def test_erase_page_get_changes_nothing_and_shows_the_form(client, people_admin, scene):
    client.force_login(people_admin)
    response = client.get(reverse("hr:person_erase", args=[scene["mia"].pk]))
    assert response.status_code == 200
    assert 'name="confirm_email"' in response.content.decode()
    mia = Employee.objects.get(pk=scene["mia"].pk)
    assert (mia.name, mia.user.is_active) == ("Mia Mentee", True)
    person = client.get(reverse("hr:person_edit", args=[mia.pk])).content.decode()
    assert f'href="{reverse("hr:person_erase", args=[mia.pk])}"' in person


@pytest.mark.parametrize("typed", ["", "someone@example.org", "x" * 300])
def test_erase_with_the_wrong_email_is_a_field_error(client, people_admin, scene, typed):
    response = _erase(client, people_admin, scene["mia"], typed=typed)
    assert response.status_code == 400
    assert response.context["form"].errors["confirm_email"]
    assert Employee.objects.get(pk=scene["mia"].pk).name == "Mia Mentee"


def test_erase_is_for_people_admins_only(client, hr_admin, scene):
    employee = make_employee(name="Eve Employee")
    for user in (hr_admin, employee.user):
        client.force_login(user)
        url = reverse("hr:person_erase", args=[scene["mia"].pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"confirm_email": "mia@example.org"}).status_code == 403
    assert Employee.objects.get(pk=scene["mia"].pk).name == "Mia Mentee"
    with pytest.raises(PermissionDenied):
        employee_erase(employee=scene["mia"], actor=hr_admin)


def test_erase_of_an_unknown_person_is_404(client, people_admin):
    client.force_login(people_admin)
    assert client.post(reverse("hr:person_erase", args=[999999])).status_code == 404


def test_erase_needs_csrf(people_admin, scene):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = _erase(client, people_admin, scene["mia"])
    assert response.status_code == 403
    assert Employee.objects.get(pk=scene["mia"].pk).name == "Mia Mentee"


def test_erase_refuses_yourself(client, people_admin):
    me = people_admin.employee
    response = _erase(client, people_admin, me)
    assert response.status_code == 400
    assert response.context["refused"] == "You cannot erase yourself."
    assert Employee.objects.get(pk=me.pk).name == "Pia People"


def test_only_a_superuser_erases_a_superuser(client, people_admin):
    boss = make_employee(name="Sue Super")
    boss.user.is_superuser = True
    boss.user.save()
    response = _erase(client, people_admin, boss)
    assert response.context["refused"] == "Only a superuser can erase a superuser."
    assert Employee.objects.get(pk=boss.pk).name == "Sue Super"
    root = make_user(is_superuser=True)
    assert _erase(client, root, boss).status_code == 302
    boss = Employee.objects.select_related("user").get(pk=boss.pk)
    assert (boss.name, boss.user.is_superuser) == ("Erased person", False)


def test_erase_refuses_the_last_people_admin(people_admin):
    with pytest.raises(ValidationError) as refused:
        employee_erase(employee=people_admin.employee, actor=None)
    assert refused.value.messages == ["Pia People is the last people admin; add another one first."]
    other = make_people_admin(name="Oz Other")
    employee_erase(employee=people_admin.employee, actor=other)
    assert (
        not get_user_model()
        .objects.get(pk=people_admin.pk)
        .groups.filter(name=PEOPLE_ADMINS_GROUP)
        .exists()
    )
    assert Group.objects.get(name=PEOPLE_ADMINS_GROUP).user_set.get() == other


def test_erase_twice_is_refused(client, people_admin, scene):
    _erase(client, people_admin, scene["mia"])
    mia = Employee.objects.get(pk=scene["mia"].pk)
    response = _erase(client, people_admin, mia)
    assert response.status_code == 400
    assert response.context["refused"] == "This person has already been erased."
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERSON_ERASED).count() == 1
