"""Whatever an HR system sends, SCIM answers it: a result or a SCIM error, never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.scim.tokens import scim_token_create
from tests.factories import make_employee, make_people_admin

pytestmark = pytest.mark.django_db

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PAIRWISE = "urn:ietf:params:scim:schemas:extension:pairwise:2.0:User"
KEYS = [
    "userName",
    "displayName",
    "title",
    "active",
    "emails",
    "name",
    "externalId",
    "id",
    ENTERPRISE,
    PAIRWISE,
    "department",
    "manager",
    "level",
    "value",
    "schemas",
]
PATHS = KEYS + [
    f"{ENTERPRISE}:manager",
    f"{ENTERPRISE}:department",
    f"{PAIRWISE}:level",
    'emails[type eq "work"].value',
    "name.givenName",
    "members",
    "[",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
operations = st.lists(
    st.fixed_dictionaries(
        {"op": st.sampled_from(["add", "replace", "remove", "Replace", "bogus"])},
        optional={"path": st.sampled_from(PATHS) | st.text(max_size=12), "value": json_values},
    ),
    max_size=3,
)


# The token fixture is made once per test, and every example may share it.
FUZZ = {
    "max_examples": 150,
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
}


@pytest.fixture
def headers(db):
    _, secret = scim_token_create(actor=make_people_admin(), name="fuzz")
    return {"Authorization": f"Bearer {secret}"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8))
def test_create_never_500(client, headers, body):
    payload = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], **body}

    response = client.post(
        "/scim/v2/Users", json.dumps(payload), content_type="application/scim+json", headers=headers
    )

    assert response.status_code in (201, 400, 409), response.content
    assert response["Content-Type"] == "application/scim+json"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_patch_never_500(client, headers, ops):
    employee = make_employee()
    payload = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}

    response = client.patch(
        f"/scim/v2/Users/{employee.scim_id}",
        json.dumps(payload),
        content_type="application/scim+json",
        headers=headers,
    )

    assert response.status_code in (200, 400, 409), response.content
