"""The SCIM tokens page: people admins only; a secret shown once; revoke by POST."""

import hashlib

import pytest
from django.urls import reverse

from programs.models import ScimToken
from programs.scim.tokens import scim_token_create
from tests.factories import make_hr_admin, make_people_admin

pytestmark = pytest.mark.django_db

PAGE = reverse("hr:scim_tokens")
CREATE = reverse("hr:scim_token_create")


@pytest.fixture
def people_admin(client):
    admin = make_people_admin()
    client.force_login(admin)
    return admin


def test_the_page_is_at_directory_scim_tokens():
    assert PAGE == "/directory/scim-tokens/"


def test_create_shows_the_secret_once(client, people_admin):
    response = client.post(CREATE, {"name": "Entra ID"})

    assert response.status_code == 200
    secret = response.context["secret"]
    token = ScimToken.objects.get()
    assert (token.name, token.created_by, token.revoked_at) == ("Entra ID", people_admin, None)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"

    again = client.get(PAGE)
    assert secret not in again.content.decode()
    assert token.prefix in again.content.decode()


def test_create_without_a_name_is_an_error(client, people_admin):
    response = client.post(CREATE, {"name": "  "})

    assert response.status_code == 400
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert ScimToken.objects.count() == 0


def test_revoke(client, people_admin):
    token, secret = scim_token_create(actor=people_admin, name="Okta")
    revoke = reverse("hr:scim_token_revoke", args=[token.pk])

    assert client.get(revoke).status_code == 405
    response = client.post(revoke)

    assert response.status_code == 302
    assert response["Location"] == PAGE
    token.refresh_from_db()
    assert (token.revoked_by, token.is_revoked) == (people_admin, True)
    scim = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {secret}"})
    assert scim.status_code == 401
    assert client.post(revoke).status_code == 302  # already revoked: nothing changes
    unknown = reverse("hr:scim_token_revoke", args=[token.pk + 1])
    assert client.post(unknown).status_code == 404


@pytest.mark.parametrize("who", ["hr_admin", "employee"])
def test_only_people_admins(client, who, outsider):
    user = make_hr_admin() if who == "hr_admin" else outsider
    token, _ = scim_token_create(actor=make_people_admin(name="Other"), name="Okta")
    client.force_login(user)

    assert client.get(PAGE).status_code == 403
    assert client.post(CREATE, {"name": "Mine"}).status_code == 403
    assert client.post(reverse("hr:scim_token_revoke", args=[token.pk])).status_code == 403
    assert ScimToken.objects.get().revoked_at is None
    assert ScimToken.objects.count() == 1


def test_signed_out_goes_to_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("size", [1, 3])
def test_token_list_query_count(client, people_admin, django_assert_num_queries, size):
    for n in range(size):
        token, _ = scim_token_create(actor=people_admin, name=f"Token {n}")
    token.revoked_at, token.revoked_by = token.created_at, people_admin
    token.save()

    # Session, user, their groups, the navbar's employee, then the tokens with their
    # creators and revokers in one query.
    with django_assert_num_queries(5):
        response = client.get(PAGE)

    assert response.status_code == 200
    assert len(response.context["tokens"]) == size
