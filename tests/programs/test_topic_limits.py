"""Employees add at most NEW_TOPICS_PER_SAVE new topics per save of their enrolment and
NEW_TOPICS_PER_DAY a day, so the organisation's topic list stays clean (issue 17)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programs.models import Participant, Topic
from programs.services import participant_enrol, topics_from_names
from tests.factories import make_topics

pytestmark = pytest.mark.django_db


def _enrol(client, program, user, new_goals):
    client.force_login(user)
    return client.post(
        reverse("programs:program_enrol", args=[program.slug]),
        {"new_goals": new_goals, "style": "either", "focus": "long_term"},
    )


def test_four_new_topics_in_one_save_are_a_field_error(client, program, outsider):
    response = _enrol(client, program, outsider, "Alpha, Beta, Gamma, Delta")
    assert response.status_code == 400
    [error] = response.context["form"].errors["new_goals"]
    assert error == (
        "You can add at most 3 new topics at a time, and 4 of these are new (Alpha, Beta, "
        "Gamma, Delta). Tick an existing topic where one fits, or add the rest later."
    )
    assert not Topic.objects.exists()
    assert not Participant.objects.exists()


def test_topics_that_exist_already_do_not_count(client, program, outsider):
    make_topics("Hiring", "Writing")
    response = _enrol(client, program, outsider, "hiring, WRITING, Alpha, Beta, Gamma")
    assert response.status_code == 302
    new = Topic.objects.filter(created_by=outsider).order_by("name")
    assert [t.name for t in new] == ["Alpha", "Beta", "Gamma"]
    assert Topic.objects.count() == 5


def test_the_daily_limit_counts_todays_topics_only(client, program, outsider):
    now = timezone.now()
    for i in range(8):
        Topic.objects.create(name=f"Today {i}", created_by=outsider, created_at=now)
    Topic.objects.create(name="Yesterday", created_by=outsider, created_at=now - timedelta(days=1))
    response = _enrol(client, program, outsider, "Alpha, Beta, Gamma")
    assert response.status_code == 400
    assert response.context["form"].errors["new_goals"] == [
        "You have added 8 new topics today; at most 10 a day. Tick existing topics, or add "
        "new ones tomorrow."
    ]
    assert _enrol(client, program, outsider, "Alpha, Beta").status_code == 302
    assert Topic.objects.filter(created_by=outsider).count() == 11


def test_the_service_refuses_too_many_new_topics(program, outsider):
    with pytest.raises(ValidationError, match="at most 3 new topics at a time"):
        participant_enrol(
            program=program,
            employee=outsider.employee,
            role=Participant.Role.MENTEE,
            goals=["A1", "A2", "A3", "A4"],
            expertise=[],
            style="either",
            focus="long_term",
        )
    assert not Topic.objects.exists()


def test_hr_imports_are_not_limited():
    topics = topics_from_names([f"Topic {i}" for i in range(20)])
    assert len(topics) == Topic.objects.filter(created_by=None).count() == 20
