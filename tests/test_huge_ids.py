"""Ids past what a database column holds (2**63 - 1), typed into a URL or posted by a
tampered form, are a 404 or a form error, never a 500 (SQLite raises OverflowError)."""

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse

from pairing.models import PairingMember
from programs.models import Participant, Program
from tests.factories import make_participant, make_program, make_proposal

pytestmark = pytest.mark.django_db

HUGE = "9" * 20


def test_a_huge_id_in_a_url_is_not_routed(client, hr_admin):
    client.force_login(hr_admin)
    program = make_program(admins=[hr_admin])
    assert client.get(f"/matching/runs/{HUGE}/").status_code == 404
    assert client.get(f"/programmes/{program.slug}/participants/{HUGE}/").status_code == 404
    assert client.post(f"/candidates/{program.slug}/requests/{HUGE}/withdraw/").status_code == 404
    # The largest id that fits is routed, and is simply not found.
    assert client.get(f"/matching/runs/{'9' * 18}/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("hr:matchrun_detail", args=[int(HUGE)])


def test_a_huge_posted_id_is_refused_and_changes_nothing(client, hr_admin):
    program = make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT)
    learner = make_participant(program=program, employee_kwargs={"level": 2})
    client.force_login(learner.employee.user)
    url = reverse("pairing:candidate_request", args=[program.slug])
    response = client.post(url, {"partner": HUGE})
    assert (response.status_code, response.content) == (400, b"Choose someone from the list.")
    assert PairingMember.objects.count() == 0


def test_inviting_huge_ids_is_a_form_error(client, hr_admin):
    program = make_program(admins=[hr_admin])
    make_participant(program=program)
    client.force_login(hr_admin)
    url = reverse("hr:participant_invite", args=[program.slug])
    expected = {
        "employees": "Those are not people from this table.",
        "one": "Ensure this value is less than or equal to 9223372036854775807.",
    }
    for field, message in expected.items():
        response = client.post(url, {field: [HUGE]}, follow=True)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not mail.outbox


def test_reassigning_to_a_huge_id_is_a_field_error(client, hr_admin):
    program = make_program(admins=[hr_admin])
    guide = make_participant(program=program, role=Participant.Role.MENTOR)
    learner = make_participant(program=program)
    pairing = make_proposal(guide=guide, learner=learner)
    client.force_login(hr_admin)
    url = reverse("hr:proposal_reassign", args=[program.slug, pairing.pk])
    response = client.post(url, {"guide": HUGE})
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to" in response.content.decode()
    assert pairing.members.get(role=PairingMember.Role.GUIDE).participant == guide
