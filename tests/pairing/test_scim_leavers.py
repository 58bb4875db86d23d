"""A leaver reported by the HR system over SCIM: their live pairing ends, the partner is free."""

import pytest

from pairing.models import Pairing
from pairing.services import LEFT_ORGANISATION
from programs.models import Participant
from programs.scim.tokens import scim_token_create
from tests.factories import make_active_pairing, make_participant, make_people_admin

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "request_kind",
    ["patch", "delete"],
)
def test_scim_leaver_ends_their_pairing(
    client, program, request_kind, django_capture_on_commit_callbacks
):
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    mentee = make_participant(program=program, role=Participant.Role.MENTEE)
    pairing = make_active_pairing(guide=mentor, learner=mentee)
    _, secret = scim_token_create(actor=make_people_admin(), name="Entra ID")
    url = f"/scim/v2/Users/{mentor.employee.scim_id}"
    headers = {"Authorization": f"Bearer {secret}"}

    with django_capture_on_commit_callbacks(execute=True):
        if request_kind == "patch":
            body = {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            }
            response = client.patch(
                url, body, content_type="application/scim+json", headers=headers
            )
        else:
            response = client.delete(url, headers=headers)

    assert response.status_code == (200 if request_kind == "patch" else 204)
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (Pairing.Status.ENDED, LEFT_ORGANISATION)
    assert not pairing.members.filter(live=True).exists()
    mentee.employee.user.refresh_from_db()
    assert mentee.employee.user.is_active is True
