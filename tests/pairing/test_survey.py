"""The closing survey page: only the participant, only after the programme ends, once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing.models import SurveyResponse
from programs.models import Program
from tests.factories import make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(program):
    Program.objects.filter(pk=program.pk).update(ends_on=timezone.localdate() - timedelta(1))
    return make_participant(program=program, role="mentee")


def url(participant) -> str:
    return reverse("pairing:survey", args=[participant.pk])


def test_participant_sees_the_form(client, ended):
    client.force_login(ended.employee.user)
    response = client.get(url(ended))
    assert response.status_code == 200
    assert response.context["is_open"] is True
    assert response.context["answer"] is None
    assert list(response.context["form"].fields) == ["rating", "what_helped"]


def test_participant_answers_once(client, ended):
    client.force_login(ended.employee.user)
    response = client.post(
        url(ended), {"rating": "4", "what_helped": "Honest questions"}, follow=True
    )
    assert response.redirect_chain == [(url(ended), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Thank you: your answer reaches the programme's HR team."
    ]
    again = client.post(url(ended), {"rating": "1", "what_helped": "Changed my mind"}, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "You have already answered this survey. Thank you!"
    ]
    assert list(SurveyResponse.objects.values_list("participant", "rating", "what_helped")) == [
        (ended.pk, 4, "Honest questions")
    ]
    assert again.context["answer"].rating == 4


def test_invalid_rating_is_refused_with_the_form(client, ended):
    client.force_login(ended.employee.user)
    response = client.post(url(ended), {"rating": "9"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["rating"]
    assert SurveyResponse.objects.count() == 0


def test_survey_before_the_programme_ends_is_not_open(client, program):
    Program.objects.filter(pk=program.pk).update(ends_on=timezone.localdate() + timedelta(1))
    participant = make_participant(program=program, role="mentee")
    client.force_login(participant.employee.user)
    assert client.get(url(participant)).context["is_open"] is False
    client.post(url(participant), {"rating": "5"})
    assert SurveyResponse.objects.count() == 0


def test_someone_elses_survey_is_404(client, ended, outsider):
    client.force_login(outsider)
    assert client.get(url(ended)).status_code == 404
    assert client.post(url(ended), {"rating": "1"}).status_code == 404
    assert SurveyResponse.objects.count() == 0


def test_survey_needs_login(client, ended):
    response = client.get(url(ended))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
