"""SCIM 2.0 at /scim/v2/: what an HR system (Entra ID, Okta) does, request by request."""

import json

import pytest
from django.urls import reverse

from programs.models import AuditEvent, Employee, ScimToken
from programs.scim.tokens import scim_token_create, scim_token_revoke
from tests.factories import make_employee, make_people_admin

pytestmark = pytest.mark.django_db

SCIM = "application/scim+json"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PAIRWISE = "urn:ietf:params:scim:schemas:extension:pairwise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def secret(db):
    _, secret = scim_token_create(actor=make_people_admin(), name="Entra ID")
    return secret


class Scim:
    """A test client that talks like an identity provider: bearer token, SCIM JSON."""

    def __init__(self, client, secret):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"}

    def _send(self, method, path, body=None, **params):
        url = "/scim/v2/" + path
        call = getattr(self.client, method)
        if body is None:
            return call(url, params or None, headers=self.headers)
        return call(url, json.dumps(body), content_type=SCIM, headers=self.headers)

    def get(self, path, **params):
        return self._send("get", path, **params)

    def post(self, path, body):
        return self._send("post", path, body)

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, *operations):
        return self._send("patch", path, {"schemas": [PATCH_OP], "Operations": list(operations)})

    def delete(self, path):
        return self._send("delete", path)


@pytest.fixture
def scim(client, secret):
    return Scim(client, secret)


def new_user(email="ana.brennan@example.org", **extra):
    return {
        "schemas": [CORE, ENTERPRISE, PAIRWISE],
        "userName": email,
        "displayName": "Ana Brennan",
        "title": "Engineer",
        "active": True,
        ENTERPRISE: {"department": "Platform"},
        PAIRWISE: {"level": 2},
        **extra,
    }


def test_create_makes_the_employee_and_their_login(scim):
    response = scim.post("Users", new_user(email="Ana.Brennan@Example.org"))

    assert response.status_code == 201
    body = response.json()
    employee = Employee.objects.select_related("user").get(email="ana.brennan@example.org")
    assert body["id"] == str(employee.scim_id)
    assert response["Location"] == f"http://testserver/scim/v2/Users/{employee.scim_id}"
    assert body["userName"] == "ana.brennan@example.org"
    assert body["emails"] == [{"value": "ana.brennan@example.org", "type": "work", "primary": True}]
    assert body[ENTERPRISE] == {"department": "Platform"}
    assert body[PAIRWISE] == {"level": 2}
    assert (employee.email, employee.name, employee.title, employee.department, employee.level) == (
        "ana.brennan@example.org",
        "Ana Brennan",
        "Engineer",
        "Platform",
        2,
    )
    assert employee.user.username == "ana.brennan@example.org"
    assert employee.user.is_active is True
    assert employee.user.has_usable_password() is False


def test_create_with_entra_defaults_keeps_what_we_store(scim):
    manager = make_employee(name="Mo Manager")
    payload = {
        "schemas": [CORE, ENTERPRISE],
        "externalId": "entra-1234",
        "userName": "lee@example.org",
        "active": True,
        "name": {"givenName": "Lee", "familyName": "Park"},
        "emails": [{"primary": True, "type": "work", "value": "other@example.org"}],
        "phoneNumbers": [{"type": "work", "value": "+44 20 0000 0000"}],
        "preferredLanguage": "en-GB",
        ENTERPRISE: {"employeeNumber": "42", "manager": str(manager.scim_id)},
    }

    response = scim.post("Users", payload)

    assert response.status_code == 201
    employee = Employee.objects.get(email="lee@example.org")
    assert (employee.name, employee.manager, employee.level, employee.scim_external_id) == (
        "Lee Park",
        manager,
        3,
        "entra-1234",
    )
    assert response.json()[ENTERPRISE]["manager"] == {
        "value": str(manager.scim_id),
        "$ref": f"http://testserver/scim/v2/Users/{manager.scim_id}",
    }


def test_create_an_existing_email_is_a_conflict(scim):
    make_employee(email="ana.brennan@example.org", name="Ana B")

    response = scim.post("Users", new_user())

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert Employee.objects.get(email="ana.brennan@example.org").name == "Ana B"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"userName": "not an email"}, "email"),
        # A valid address Django's usernames cannot hold.
        ({"userName": "o'brien@example.org"}, "username"),
        ({"userName": "a" * 150 + "@example.org"}, "username"),
        ({"displayName": "x" * 201}, "name"),
        ({PAIRWISE: {"level": 7}}, "level must be 1 to 6"),
        ({ENTERPRISE: {"manager": {"value": "00000000-0000-0000-0000-000000000000"}}}, "manager"),
        ({"active": "maybe"}, ""),
    ],
)
def test_create_bad_values_are_400_and_write_nothing(scim, change, message):
    before = Employee.objects.count()

    response = scim.post("Users", {**new_user(), **change})

    assert response.status_code == 400
    assert response["Content-Type"] == SCIM
    assert message in response.json()["detail"]
    assert Employee.objects.count() == before


def test_a_lost_race_for_an_email_is_409(scim, monkeypatch):
    from django.db import IntegrityError

    from programs.scim import views

    def taken(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: auth_user.username")

    monkeypatch.setattr(views, "scim_person_create", taken)

    response = scim.post("Users", new_user())

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


def test_not_json_is_400(scim, client, secret):
    response = client.post(
        "/scim/v2/Users", "{", content_type=SCIM, headers={"Authorization": f"Bearer {secret}"}
    )

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidSyntax"


def test_get_one_and_unknown_ids(scim):
    employee = make_employee(name="Ana Brennan", email="ana@example.org", title="Lead")

    response = scim.get(f"Users/{employee.scim_id}")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    body = response.json()
    assert (body["userName"], body["displayName"], body["title"], body["active"]) == (
        "ana@example.org",
        "Ana Brennan",
        "Lead",
        True,
    )
    assert scim.get("Users/00000000-0000-0000-0000-000000000000").status_code == 404
    assert scim.get("Users/not-a-uuid").json()["status"] == "404"


def test_replace_rewrites_the_person(scim):
    manager = make_employee(name="Mo Manager")
    employee = make_employee(email="ana@example.org", name="Ana", department="Sales", level=4)
    employee.manager = manager
    employee.save()

    response = scim.put(
        f"Users/{employee.scim_id}",
        {
            "schemas": [CORE],
            "userName": "ana.brennan@example.org",
            "displayName": "Ana Brennan",
            "active": True,
        },
    )

    assert response.status_code == 200
    employee.refresh_from_db()
    employee.user.refresh_from_db()
    # A replacement without the enterprise extension clears department and manager; the
    # level, which cannot be blank, stays.
    assert (employee.email, employee.user.username, employee.name) == (
        "ana.brennan@example.org",
        "ana.brennan@example.org",
        "Ana Brennan",
    )
    assert (employee.department, employee.manager, employee.level) == ("", None, 4)


def test_replace_to_a_taken_email_is_a_conflict(scim):
    make_employee(email="taken@example.org")
    employee = make_employee(email="ana@example.org")

    response = scim.put(f"Users/{employee.scim_id}", new_user(email="taken@example.org"))

    assert response.status_code == 409
    employee.refresh_from_db()
    assert employee.email == "ana@example.org"


def test_patch_entra_style(scim):
    manager = make_employee(name="Mo Manager")
    employee = make_employee(email="ana@example.org", name="Ana", level=3)

    response = scim.patch(
        f"Users/{employee.scim_id}",
        {"op": "Replace", "path": "displayName", "value": "Ana Brennan"},
        {"op": "Add", "path": "title", "value": "Staff Engineer"},
        {"op": "Replace", "path": "name.givenName", "value": "Ana"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "ana@example.org"},
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Research"},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(manager.scim_id)},
        {"op": "Replace", "path": f"{PAIRWISE}:level", "value": 5},
        {"op": "Add", "path": f"{ENTERPRISE}:employeeNumber", "value": "42"},
    )

    assert response.status_code == 200, response.json()
    employee.refresh_from_db()
    assert (employee.name, employee.title, employee.department, employee.manager) == (
        "Ana Brennan",
        "Staff Engineer",
        "Research",
        manager,
    )
    assert employee.level == 5
    assert response.json()[PAIRWISE] == {"level": 5}


def test_patch_without_path_and_remove(scim):
    employee = make_employee(email="ana@example.org", department="Sales")
    employee.title = "Lead"
    employee.save()

    response = scim.patch(
        f"Users/{employee.scim_id}",
        {"op": "replace", "value": {"displayName": "Ana Brennan", "title": "Principal"}},
        {"op": "remove", "path": f"{ENTERPRISE}:department"},
    )

    assert response.status_code == 200, response.json()
    employee.refresh_from_db()
    assert (employee.name, employee.title, employee.department) == (
        "Ana Brennan",
        "Principal",
        "",
    )


def test_patch_without_path_naming_extension_attributes(scim):
    manager = make_employee(name="Mo Manager")
    employee = make_employee(email="ana@example.org", department="Sales", level=2)

    response = scim.patch(
        f"Users/{employee.scim_id}",
        {
            "op": "Add",
            "value": {
                f"{ENTERPRISE}:department": "Research",
                f"{ENTERPRISE}:manager": str(manager.scim_id),
                f"{ENTERPRISE}:employeeNumber": "42",
                f"{PAIRWISE}:level": 4,
            },
        },
        {"op": "replace", "path": PAIRWISE, "value": {"level": 5}},
    )

    assert response.status_code == 200, response.json()
    employee.refresh_from_db()
    assert (employee.department, employee.manager, employee.level) == ("Research", manager, 5)


def test_patch_that_breaks_a_rule_changes_nothing(scim):
    employee = make_employee(email="ana@example.org", name="Ana")

    response = scim.patch(
        f"Users/{employee.scim_id}",
        {"op": "replace", "path": "displayName", "value": "Ana Brennan"},
        {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": str(employee.scim_id)},
    )

    assert response.status_code == 400
    employee.refresh_from_db()
    assert (employee.name, employee.manager) == ("Ana", None)


def test_filter_on_username_ignores_case(scim):
    ana = make_employee(email="ana@example.org")
    make_employee(email="bo@example.org")

    response = scim.get("Users", filter='userName eq "ANA@example.org"')

    assert response.status_code == 200
    body = response.json()
    assert (body["totalResults"], body["itemsPerPage"], body["startIndex"]) == (1, 1, 1)
    assert [r["id"] for r in body["Resources"]] == [str(ana.scim_id)]


@pytest.mark.parametrize(
    "scim_filter",
    [
        'emails eq "ana@example.org"',
        'emails.value eq "ana@example.org"',
        'emails[type eq "work" and value eq "ana@example.org"]',
        'emails.value sw "ana@"',
        'userName eq "ana@example.org" and active eq true',
    ],
)
def test_filter_on_emails(scim, scim_filter):
    ana = make_employee(email="ana@example.org")
    make_employee(email="bo@example.org")

    response = scim.get("Users", filter=scim_filter)

    assert [r["id"] for r in response.json()["Resources"]] == [str(ana.scim_id)]


def test_filter_that_we_cannot_answer_is_400(scim):
    assert scim.get("Users", filter="title eq").json()["scimType"] == "invalidFilter"
    assert scim.get("Users", filter='nickName eq "x"').status_code == 400
    assert scim.get("Users", filter="meta.created pr").status_code == 400


def test_search_by_post(scim):
    ana = make_employee(email="ana@example.org")
    make_employee(email="bo@example.org")

    response = scim.post(
        "Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "ana@example.org"',
            "attributes": ["userName"],
        },
    )

    assert response.status_code == 200
    assert response.json()["Resources"] == [
        {"schemas": [CORE], "id": str(ana.scim_id), "userName": "ana@example.org"}
    ]


def test_root_search_is_a_users_search(scim):
    ana = make_employee(email="ana@example.org")

    response = scim.post(
        ".search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'emails.value eq "ana@example.org"',
        },
    )

    assert [r["id"] for r in response.json()["Resources"]] == [str(ana.scim_id)]


def test_attributes_and_excluded_attributes(scim):
    ana = make_employee(email="ana@example.org", name="Ana")

    only = scim.get(f"Users/{ana.scim_id}", attributes="displayName").json()
    without = scim.get(f"Users/{ana.scim_id}", excludedAttributes="emails,title").json()

    assert only == {"schemas": [CORE], "id": str(ana.scim_id), "displayName": "Ana"}
    assert "emails" not in without
    assert without["userName"] == "ana@example.org"


def test_paging(scim):
    for n in range(5):
        make_employee(email=f"p{n}@example.org")
    # The token's creator is in the directory too: six people.
    people = list(Employee.objects.order_by("pk"))

    first = scim.get("Users", startIndex=1, count=2).json()
    third = scim.get("Users", startIndex=5, count=2).json()
    beyond = scim.get("Users", startIndex=9, count=2).json()
    counted = scim.get("Users", count=0).json()

    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (6, 2, 1)
    assert [r["id"] for r in first["Resources"]] == [str(p.scim_id) for p in people[:2]]
    assert [r["id"] for r in third["Resources"]] == [str(p.scim_id) for p in people[4:6]]
    assert (beyond["totalResults"], beyond["itemsPerPage"], beyond["Resources"]) == (6, 0, [])
    assert (counted["totalResults"], counted["itemsPerPage"]) == (6, 0)


@pytest.mark.parametrize("size", [1, 3])
def test_users_page_query_count(scim, django_assert_num_queries, size):
    manager = make_employee()
    for _ in range(size):
        make_employee(manager=manager)
    scim.get("ServiceProviderConfig")  # records the token's use, written once per 5 minutes

    # Token lookup, its creator's group, the count and the page (with user and manager).
    with django_assert_num_queries(4):
        response = scim.get("Users")

    assert response.json()["totalResults"] == size + 2  # and the token's creator


def test_deactivate_and_reactivate(scim):
    employee = make_employee(email="ana@example.org")

    response = scim.patch(
        f"Users/{employee.scim_id}", {"op": "replace", "path": "active", "value": False}
    )

    assert response.status_code == 200
    assert response.json()["active"] is False
    employee.user.refresh_from_db()
    assert employee.user.is_active is False

    scim.patch(f"Users/{employee.scim_id}", {"op": "replace", "value": {"active": True}})
    employee.user.refresh_from_db()
    assert employee.user.is_active is True


@pytest.mark.parametrize("how", ["patch", "put", "delete"])
def test_deactivate_goes_through_the_directory_service(scim, monkeypatch, how):
    from programs import services

    employee = make_employee(email="ana@example.org")
    calls = []
    real = services.employees_deactivate

    def spy(*, employees, actor):
        calls.append(([e.pk for e in employees], actor))
        return real(employees=employees, actor=actor)

    monkeypatch.setattr(services, "employees_deactivate", spy)
    monkeypatch.setattr("programs.scim.people.employees_deactivate", spy)
    path = f"Users/{employee.scim_id}"

    if how == "patch":
        scim.patch(path, {"op": "replace", "path": "active", "value": False})
    elif how == "put":
        scim.put(path, new_user(email="ana@example.org", active=False))
    else:
        scim.delete(path)

    assert calls == [([employee.pk], None)]


def test_changes_are_in_the_directory_audit_log(scim):
    employee = make_employee(email="ana@example.org", name="Ana", department="Sales")

    scim.patch(
        f"Users/{employee.scim_id}",
        {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Research"},
        {"op": "replace", "path": "active", "value": False},
    )

    events = list(AuditEvent.objects.order_by("pk").values_list("action", "actor", "summary"))
    assert events == [
        (AuditEvent.Action.PERSON_CHANGED, None, "Changed Ana: department"),
        (AuditEvent.Action.PEOPLE_LEFT, None, "1 left the organisation: Ana"),
    ]


def test_a_deactivated_person_cannot_sign_in(scim, client):
    employee = make_employee(email="ana@example.org")  # password "pass-for-tests"
    scim.patch(f"Users/{employee.scim_id}", {"op": "replace", "path": "active", "value": False})

    response = client.post(
        reverse("login"), {"username": "ana@example.org", "password": "pass-for-tests"}
    )

    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_delete_deactivates_and_hides_the_person(scim):
    employee = make_employee(email="ana@example.org")
    scim_id = employee.scim_id

    response = scim.delete(f"Users/{scim_id}")

    assert response.status_code == 204
    employee.refresh_from_db()
    employee.user.refresh_from_db()
    assert (employee.scim_id, employee.user.is_active) == (None, False)
    assert scim.get(f"Users/{scim_id}").status_code == 404
    assert scim.get("Users", filter='userName eq "ana@example.org"').json()["totalResults"] == 0

    # Provisioned again later: the same person, their history kept, under a new id.
    again = scim.post("Users", new_user(email="ana@example.org"))
    assert again.status_code == 201
    employee.refresh_from_db()
    employee.user.refresh_from_db()
    assert again.json()["id"] == str(employee.scim_id) != str(scim_id)
    assert employee.user.is_active is True


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer pws_wrong", "Basic dXNlcjpwYXNz", "Token pws_x"],
)
def test_without_a_valid_token_401(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/scim/v2/Users", headers=headers)

    assert response.status_code == 401
    assert response["Content-Type"] == SCIM
    assert response["WWW-Authenticate"] == 'Bearer realm="scim"'
    assert response.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "401",
        "detail": "A valid SCIM bearer token is required.",
    }


def test_a_session_is_not_enough(client):
    client.force_login(make_people_admin())

    assert client.get("/scim/v2/Users").status_code == 401


def test_revoked_token_401(client, secret):
    token = ScimToken.objects.get()
    admin = token.created_by
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/scim/v2/Users", headers=headers).status_code == 200

    assert scim_token_revoke(token=token, actor=admin) is True
    assert scim_token_revoke(token=token, actor=admin) is False

    assert client.get("/scim/v2/Users", headers=headers).status_code == 401


def test_token_of_someone_no_longer_people_admin_401(client, secret):
    token = ScimToken.objects.get()
    token.created_by.groups.clear()

    response = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 401


def test_token_records_its_last_use(client, secret):
    token = ScimToken.objects.get()
    assert token.last_used_at is None

    client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {secret}"})

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_is_stored_hashed(secret):
    import hashlib

    token = ScimToken.objects.get()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.name, token.prefix)
    assert secret.startswith(token.prefix)


def test_the_token_opens_nothing_else(client, secret):
    headers = {"Authorization": f"Bearer {secret}"}

    for url in [reverse("home"), reverse("programs:program_list"), "/admin/"]:
        response = client.get(url, headers=headers)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"] or "login" in response["Location"], url


def test_no_csrf_needed(secret):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        "/scim/v2/Users",
        json.dumps(new_user()),
        content_type=SCIM,
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "Groups", 404),
        ("post", "Groups", 404),
        ("get", "Groups/abc", 404),
        ("get", "Nope", 404),
        ("post", "Bulk", 501),
        ("get", "Me", 501),
        ("post", "ServiceProviderConfig", 405),
        ("delete", "Users", 405),
        ("get", "Schemas/urn:nope", 404),
    ],
)
def test_unsupported_endpoints_answer_scim_errors(scim, method, path, status):
    response = scim._send(method, path, {} if method == "post" else None)

    assert response.status_code == status
    assert response["Content-Type"] == SCIM
    assert response.json()["status"] == str(status)


def test_discovery(scim):
    config = scim.get("ServiceProviderConfig").json()
    types = scim.get("ResourceTypes").json()
    schemas = scim.get("Schemas").json()

    assert config["patch"] == {"supported": True}
    assert config["filter"] == {"supported": True, "maxResults": 100}
    assert config["bulk"]["supported"] is False
    assert [t["id"] for t in types["Resources"]] == ["User"]
    assert types["Resources"][0]["schemaExtensions"] == [
        {"schema": ENTERPRISE, "required": False},
        {"schema": PAIRWISE, "required": True},
    ]
    assert sorted(s["id"] for s in schemas["Resources"]) == sorted([CORE, ENTERPRISE, PAIRWISE])
    pairwise = scim.get(f"Schemas/{PAIRWISE}").json()
    assert [(a["name"], a["type"]) for a in pairwise["attributes"]] == [("level", "integer")]
