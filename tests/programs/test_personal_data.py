"""Download my data: everything held about the signed-in person, as JSON and as a page."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pairing.models import CheckIn, Pairing, PairingMember, Reminder, SurveyResponse
from programs.models import Participant
from tests.factories import make_employee, make_participant, make_program, make_user

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _at(days: int) -> datetime:
    return T0 + timedelta(days=days)


def _scene(*, extra_pairings: int = 0):
    """Mia, a mentee with an active pairing (check-ins by her and her mentor, each with a
    private note), a proposal she declined, a survey answer and emails sent to her."""
    program = make_program(name="Grow 2026")
    manager = make_employee(name="Max Manager")
    mia = make_employee(
        name="Mia Mentee",
        email="mia@example.org",
        title="Developer",
        manager=manager,
        time_zone="Europe/Berlin",
        invited_at=_at(-10),
    )
    mia.user.date_joined = _at(-20)
    mia.user.save()
    me = make_participant(
        program=program,
        employee=mia,
        goals=["Python"],
        style="reflective",
        note="Grow into a lead",
        enrolled_at=_at(-8),
    )
    ola = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Ola Mentor"),
        expertise=["Python"],
    )
    pairing = Pairing.objects.create(
        program=program,
        status=Pairing.Status.ACTIVE,
        score=80,
        reasons=["covers 1 of your 1 goals"],
        proposed_at=_at(0),
        activated_at=_at(1),
    )
    PairingMember.objects.create(
        pairing=pairing, participant=ola, role="guide", response="accepted", notified_at=_at(0)
    )
    mine = PairingMember.objects.create(
        pairing=pairing, participant=me, role="learner", response="accepted", notified_at=_at(0)
    )
    CheckIn.objects.create(
        pairing=pairing,
        held_on=date(2026, 3, 10),
        logged_by=me,
        summary="Planned the quarter",
        private_note="Mia's own thought",
        rating=4,
    )
    CheckIn.objects.create(
        pairing=pairing,
        held_on=date(2026, 3, 20),
        logged_by=ola,
        summary="Code review habits",
        private_note="Ola's secret",
        rating=5,
    )
    declined = Pairing.objects.create(
        program=program, status=Pairing.Status.DECLINED, score=60, proposed_at=_at(-5)
    )
    other = make_participant(
        program=program, role=Participant.Role.MENTOR, employee=make_employee(name="Pat Other")
    )
    PairingMember.objects.create(
        pairing=declined, participant=other, role="guide", response="accepted", live=False
    )
    PairingMember.objects.create(
        pairing=declined,
        participant=me,
        role="learner",
        response="declined",
        decline_reason="no_time",
        decline_note="Busy until spring",
        live=False,
    )
    SurveyResponse.objects.create(
        participant=me, rating=5, what_helped="Weekly notes", submitted_at=_at(30)
    )
    Reminder.objects.create(
        pairing=pairing,
        recipient=mia.user,
        kind=Reminder.Kind.CHECKIN_DUE,
        due_on=date(2026, 4, 7),
        send_after=_at(35),
        sent_at=_at(36),
    )
    # Not sent (yet): not an email she received.
    Reminder.objects.create(
        pairing=pairing,
        recipient=mia.user,
        kind=Reminder.Kind.CHECKIN_OVERDUE,
        due_on=date(2026, 4, 14),
        send_after=_at(42),
    )
    for n in range(extra_pairings):
        other_program = make_program(name=f"Extra {n}")
        extra = make_participant(program=other_program, employee=mia, goals=[f"Topic {n}"])
        guide = make_participant(program=other_program, role=Participant.Role.MENTOR)
        p = Pairing.objects.create(program=other_program, status="active", proposed_at=_at(2))
        PairingMember.objects.create(pairing=p, participant=guide, role="guide")
        PairingMember.objects.create(pairing=p, participant=extra, role="learner")
        CheckIn.objects.create(
            pairing=p, held_on=date(2026, 3, 11), logged_by=guide, summary="x", rating=3
        )
        SurveyResponse.objects.create(participant=extra, rating=3)
    return mia, mine


EXPECTED = {
    "profile": {
        "email": "mia@example.org",
        "name": "Mia Mentee",
        "department": "Engineering",
        "title": "Developer",
        "level": "3 · Professional",
        "manager": "Max Manager",
        "time_zone": "Europe/Berlin",
        "optional_emails": True,
        "active": True,
        "joined": "2026-02-10T09:00:00+00:00",
    },
    "enrolments": [
        {
            "programme": "Grow 2026",
            "role": "Mentee",
            "goals": ["Python"],
            "expertise": [],
            "style": "Reflective: question-based support",
            "focus": "Long-term career development",
            "capacity": None,
            "paused_until": None,
            "note": "Grow into a lead",
            "enrolled_at": "2026-02-22T09:00:00+00:00",
            "withdrawn_at": None,
        }
    ],
    "invitation_emails": [{"last_sent_at": "2026-02-20T09:00:00+00:00"}],
    "pairings": [
        {
            "programme": "Grow 2026",
            "my_role": "Mentee",
            "partners": ["Pat Other"],
            "status": "Declined",
            "proposed_at": "2026-02-25T09:00:00+00:00",
            "activated_at": None,
            "ended_at": None,
            "end_reason": "",
            "score": 60.0,
            "reasons": [],
            "my_answer": "Declined",
            "my_decline_reason": "I don't have time right now",
            "my_decline_note": "Busy until spring",
            "check_ins": [],
        },
        {
            "programme": "Grow 2026",
            "my_role": "Mentee",
            "partners": ["Ola Mentor"],
            "status": "Active",
            "proposed_at": "2026-03-02T09:00:00+00:00",
            "activated_at": "2026-03-03T09:00:00+00:00",
            "ended_at": None,
            "end_reason": "",
            "score": 80.0,
            "reasons": ["covers 1 of your 1 goals"],
            "my_answer": "Accepted",
            "my_decline_reason": "",
            "my_decline_note": "",
            "check_ins": [
                {
                    "held_on": "2026-03-10",
                    "logged_by": "Mia Mentee",
                    "summary": "Planned the quarter",
                    "rating": 4,
                    "my_private_note": "Mia's own thought",
                },
                {
                    "held_on": "2026-03-20",
                    "logged_by": "Ola Mentor",
                    "summary": "Code review habits",
                    "rating": 5,
                },
            ],
        },
    ],
    "survey_answers": [
        {
            "programme": "Grow 2026",
            "rating": 5,
            "what_helped": "Weekly notes",
            "submitted_at": "2026-04-01T09:00:00+00:00",
        }
    ],
    "reminder_emails": [
        {
            "programme": "Grow 2026",
            "kind": "Check-in due",
            "due_on": "2026-04-07",
            "sent_at": "2026-04-07T09:00:00+00:00",
        }
    ],
    "proposal_emails": [{"programme": "Grow 2026", "sent_at": "2026-03-02T09:00:00+00:00"}],
    "partner_left_emails": [],
    "nudge_emails": [],
    "pairing_ended_emails": [],
}


def test_my_data_json_has_exactly_what_is_held_and_no_partners_private_note(client):
    mia, _ = _scene()
    client.force_login(mia.user)
    response = client.get(reverse("programs:my_data_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    data = json.loads(response.content)
    assert data.pop("generated_at").endswith("+00:00")
    # Signing in for the download stamped it.
    assert (
        data["profile"].pop("last_signed_in")
        == mia.user.__class__.objects.get(pk=mia.user.pk).last_login.isoformat()
    )
    assert data == EXPECTED
    assert b"Ola's secret" not in response.content


def test_my_data_page_shows_the_same_data(client):
    mia, _ = _scene()
    client.force_login(mia.user)
    response = client.get(reverse("programs:my_data"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Mia Mentee", "Max Manager", "Grow into a lead", "Mia&#x27;s own thought",
                 "Busy until spring", "Weekly notes", "Check-in due", "Ola Mentor"):  # fmt: skip
        assert text in page
    assert "secret" not in page
    assert reverse("programs:my_data_json") in page


def test_profile_page_links_to_my_data(client):
    mia, _ = _scene()
    client.force_login(mia.user)
    page = client.get(reverse("programs:profile")).content.decode()
    assert f'href="{reverse("programs:my_data")}"' in page
    assert f'href="{reverse("programs:my_data_json")}"' in page


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("programs:my_data_json")).status_code == 200
    return len(queries)


def test_my_data_query_count_does_not_grow_with_history(client):
    mia, _ = _scene()
    few = _queries(client, mia.user)
    client.logout()
    get_user_model().objects.all().delete()
    mia_many, _ = _scene(extra_pairings=3)
    # The session and the user, 4 for the profile and enrolments, 5 for the pairing part.
    assert _queries(client, mia_many.user) == few == 11


def test_my_data_needs_a_login(client):
    for name in ("programs:my_data", "programs:my_data_json"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_my_data_is_only_ever_the_viewers_own(client):
    _scene()
    someone = make_employee(name="Sam Else")
    client.force_login(someone.user)
    data = json.loads(client.get(reverse("programs:my_data_json")).content)
    assert data["profile"]["name"] == "Sam Else"
    assert data["enrolments"] == data["pairings"] == data["survey_answers"] == []
    assert b"Mia" not in client.get(reverse("programs:my_data_json")).content
    # The URLs take no id, and a query string picks nobody else.
    response = client.get(reverse("programs:my_data_json") + "?user=1&employee=1")
    assert b"Mia" not in response.content


def test_my_data_for_an_account_outside_the_directory_is_404(client):
    client.force_login(make_user(is_superuser=True))
    assert client.get(reverse("programs:my_data")).status_code == 404
    assert client.get(reverse("programs:my_data_json")).status_code == 404


def test_my_data_refuses_post(client):
    mia, _ = _scene()
    client.force_login(mia.user)
    assert client.post(reverse("programs:my_data_json")).status_code == 405
