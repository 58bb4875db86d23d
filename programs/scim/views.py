"""The SCIM 2.0 endpoints (RFC 7644) under /scim/v2/, for HR systems only.

Every view goes through `scim_endpoint`: a bearer token instead of a session (no cookie,
no CSRF), and every failure answered as a SCIM Error document, never a page or a 500.
The token opens these views and nothing else: no other view reads it.
"""

import logging
from functools import wraps
from http import HTTPStatus

from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    ListResponse,
    NotFoundException,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
)

from programs.permissions import is_people_admin
from programs.scim import payloads
from programs.scim.filters import filter_to_q
from programs.scim.people import (
    DEFAULT_LEVEL,
    employee_to_scim,
    person_fields,
    scim_employees,
    scim_person_create,
    scim_person_delete,
    scim_person_update,
)
from programs.scim.resources import MAX_RESULTS, Person, provider
from programs.scim.tokens import scim_token_for_secret

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/scim+json"


def scim_response(data: dict | None, status: int = 200, location: str | None = None):
    if data is None:
        response = HttpResponse(status=status)
    else:
        response = JsonResponse(data, status=status, content_type=CONTENT_TYPE)
    if location:
        response["Location"] = location
    # People's details, to a client with no session: NoStoreMiddleware does not see it.
    add_never_cache_headers(response)
    return response


def scim_error(status: int, detail: str, scim_type: str | None = None) -> JsonResponse:
    error = Error(status=status, detail=detail, scim_type=scim_type)
    return scim_response(error.model_dump(), status=status)


def _unauthorized(detail: str) -> JsonResponse:
    response = scim_error(HTTPStatus.UNAUTHORIZED, detail)
    response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def _authenticate(request):
    """The token the request carries, if it is live and its creator may still change the
    directory; a people admin who leaves the group takes their tokens' power with them."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = scim_token_for_secret(secret.strip())
    if token is None or not token.created_by.is_active or not is_people_admin(token.created_by):
        return None
    return token


def scim_endpoint(*methods: str):
    """Bearer-token authentication, the allowed methods, and SCIM errors for everything
    that goes wrong (RFC 7644 §3.12)."""

    def decorator(view):
        @csrf_exempt
        @login_not_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.scim_token = _authenticate(request)
            if request.scim_token is None:
                return _unauthorized("A valid SCIM bearer token is required.")
            if request.method not in methods:
                response = scim_error(
                    HTTPStatus.METHOD_NOT_ALLOWED, f"{request.method} is not supported here."
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, **kwargs)
            except SCIMException as error:
                scim = error.to_error()
                return scim_response(scim.model_dump(), status=int(scim.status))
            except ValidationError as error:
                scim = Error.from_validation_error(error.errors()[0])
                return scim_response(scim.model_dump(), status=int(scim.status))
            except payloads.BadPayload as error:
                return scim_error(HTTPStatus.BAD_REQUEST, str(error), "invalidSyntax")
            except IntegrityError:
                # Two requests creating or renaming to the same email at once: the
                # database's unique constraint decided, and this one lost.
                return scim_error(
                    HTTPStatus.CONFLICT, "That userName was taken meanwhile.", "uniqueness"
                )
            except Exception:
                logger.exception("SCIM request failed: %s %s", request.method, request.path)
                return scim_error(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal error.")

        return wrapper

    return decorator


def _response_parameters(request) -> ResponseParameters:
    return ResponseParameters.model_validate(request.GET.dict())


def _list(request, query: SearchRequest, scim_ctx: Context) -> JsonResponse:
    employees = scim_employees().order_by("pk")
    if query.filter is not None:
        employees = employees.filter(filter_to_q(query.filter))
    start = query.start_index_0 or 0
    count = MAX_RESULTS if query.count is None else max(0, min(query.count, MAX_RESULTS))
    total = employees.count()
    page = list(employees[start : start + count]) if count else []
    response = ListResponse[Person](
        total_results=total,
        start_index=start + 1,
        items_per_page=len(page),
        resources=[employee_to_scim(employee, request) for employee in page],
    )
    return scim_response(response.model_dump(scim_ctx=scim_ctx, response_parameters=query))


def _employee(scim_id: str):
    employee = scim_employees().filter(scim_id=payloads.uuid_or_none(scim_id)).first()
    if employee is None:
        raise NotFoundException(detail=f"No user with id {scim_id!r}.")
    return employee


def _resource(request, employee, scim_ctx: Context, status: int = 200) -> JsonResponse:
    employee = scim_employees().get(pk=employee.pk)
    person = employee_to_scim(employee, request)
    return scim_response(
        person.model_dump(scim_ctx=scim_ctx, response_parameters=_response_parameters(request)),
        status=status,
        location=person.meta.location,
    )


@scim_endpoint("GET", "POST")
def users(request):
    if request.method == "GET":
        query = SearchRequest[Person].model_validate(request.GET.dict())
        return _list(request, query, Context.SEARCH_RESPONSE)
    person = Person.model_validate(
        payloads.for_creation(payloads.body(request), default_level=DEFAULT_LEVEL),
        scim_ctx=Context.RESOURCE_CREATION_REQUEST,
    )
    employee = scim_person_create(fields=person_fields(person))
    return _resource(request, employee, Context.RESOURCE_CREATION_RESPONSE, HTTPStatus.CREATED)


@scim_endpoint("POST")
def users_search(request):
    query = SearchRequest[Person].model_validate(
        payloads.body(request), scim_ctx=Context.SEARCH_REQUEST
    )
    return _list(request, query, Context.SEARCH_RESPONSE)


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user(request, scim_id):
    employee = _employee(scim_id)
    if request.method == "GET":
        return _resource(request, employee, Context.RESOURCE_QUERY_RESPONSE)
    if request.method == "DELETE":
        scim_person_delete(employee=employee)
        return scim_response(None, status=HTTPStatus.NO_CONTENT)
    current = employee_to_scim(employee, request)
    if request.method == "PUT":
        replacement = Person.model_validate(
            payloads.for_replacement(payloads.body(request), current_level=employee.level),
            scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
        )
        replacement.replace(current)
        scim_person_update(employee=employee, fields=person_fields(replacement))
        return _resource(request, employee, Context.RESOURCE_REPLACEMENT_RESPONSE)
    sent = payloads.body(request)
    usable = payloads.for_patch(sent)
    if sent.get("Operations") and not usable["Operations"]:
        # Only attributes Pairwise does not keep (payloads.py): nothing to change.
        return _resource(request, employee, Context.RESOURCE_PATCH_RESPONSE)
    patch = PatchOp[Person].model_validate(usable, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    patch.patch(current)
    scim_person_update(employee=employee, fields=person_fields(current))
    return _resource(request, employee, Context.RESOURCE_PATCH_RESPONSE)


@scim_endpoint("GET")
def service_provider_config(request):
    return scim_response(provider.config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _discovery_list(resources, model) -> JsonResponse:
    response = ListResponse[model](
        total_results=len(resources),
        start_index=1,
        items_per_page=len(resources),
        resources=list(resources),
    )
    return scim_response(response.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _discovery_one(resources, resource_id: str, what: str) -> JsonResponse:
    for resource in resources:
        if str(resource.id) == resource_id:
            return scim_response(resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    raise NotFoundException(detail=f"No {what} {resource_id!r}.")


@scim_endpoint("GET")
def resource_types(request, resource_id=None):
    if resource_id is None:
        return _discovery_list(provider.resource_types, ResourceType)
    return _discovery_one(provider.resource_types, resource_id, "resource type")


@scim_endpoint("GET")
def schemas(request, schema_id=None):
    if schema_id is None:
        return _discovery_list(provider.schemas, Schema)
    return _discovery_one(provider.schemas, schema_id, "schema")


@scim_endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def not_implemented(request, *args, **kwargs):
    """Bulk and /Me: features the service provider config does not offer answer 501
    (RFC 7644 §3.12)."""
    return scim_error(HTTPStatus.NOT_IMPLEMENTED, "Not supported by this service provider.")


@scim_endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request, *args, **kwargs):
    """Groups and anything else this service provider does not serve."""
    return scim_error(HTTPStatus.NOT_FOUND, f"No such endpoint: {request.path}")
