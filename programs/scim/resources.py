"""What the endpoint serves: the SCIM User, trimmed to the attributes an employee has.

A service provider publishes its own schemas (RFC 7643 §7), so these declare only what is
stored and given back: a client, or the compliance tester, can rely on every attribute
listed here round-tripping.
"""

from typing import Annotated

from pydantic import Field
from scim2_models import (
    URN,
    AnyExtension,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    Email,
    ETag,
    Extension,
    Filter,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PAIRWISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:pairwise:2.0:User"

# Most resources one page of a list or search holds; a larger count gets this many.
MAX_RESULTS = 100


class Manager(ComplexAttribute):
    """The enterprise extension's manager, by SCIM id. Entra ID sends only the value, so
    the $ref that RFC 7643 §4.3 marks required is optional here."""

    value: Annotated[str | None, Required.true, CaseExact.true] = None
    """The id of the manager's SCIM User."""

    ref: Annotated[Reference["User"] | None, Required.false] = Field(  # noqa: F821 - a SCIM resource type name, not a Python one
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The URI of the manager's SCIM User."""


class EnterpriseUser(Extension):
    """The enterprise extension's attributes a directory entry has."""

    __schema__ = URN(ENTERPRISE_SCHEMA)

    department: str | None = None
    """The employee's department."""

    manager: Manager | None = None
    """The employee's manager, who must be provisioned too."""


class PairwiseUser(Extension):
    """Pairwise's own attributes: the level that matching compares."""

    __schema__ = URN(PAIRWISE_SCHEMA)

    level: Annotated[int | None, Required.true] = None
    """Seniority from 1 (entry) to 6 (executive): 3 (professional) for someone created
    without it, and unchanged by a replacement without it."""


class User(Resource[AnyExtension]):
    """An employee. userName is their work email, which is also their sign-in."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    """The work email, the person's sign-in; compared without case."""

    display_name: Annotated[str | None, Required.true] = None
    """The full name shown everywhere in Pairwise."""

    title: str | None = None
    """The job title."""

    active: Annotated[bool | None, Required.true] = None
    """False for a leaver: they can no longer sign in and their pairings end."""

    emails: Annotated[list[Email] | None, Mutability.read_only] = None
    """The work email, always userName: one login has one address."""


# Every employee has a level, so every User carries Pairwise's extension (RFC 7643 §6
# "required"); a request without it gets the level filled in (payloads.py).
Person = User[EnterpriseUser | Annotated[PairwiseUser, Required.true]]

provider = ScimProvider(
    models=[User, EnterpriseUser, PairwiseUser],
    resource_types=[ResourceType.from_resource(Person)],
    config=ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A token a people admin creates under Directory → SCIM tokens, "
                "sent as 'Authorization: Bearer <token>'.",
                primary=True,
            )
        ],
    ),
)
