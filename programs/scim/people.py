"""Employees as SCIM Users, and the writes an HR system makes through SCIM.

userName is the work email and the sign-in (the login's username is the lower-cased
email), displayName the full name; department and manager come from the enterprise
extension, the level from Pairwise's own (resources.PAIRWISE_SCHEMA).
"""

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from scim2_models import Email, InvalidValueException, Meta, UniquenessException

from programs.models import Employee, normalise_email
from programs.scim.payloads import uuid_or_none
from programs.scim.resources import EnterpriseUser, Manager, PairwiseUser, Person
from programs.services import (
    employee_directory_update,
    employee_upsert,
    employees_deactivate,
)

DEFAULT_LEVEL = Employee._meta.get_field("level").default


def scim_employees():
    """Everyone SCIM can see: all but the people the HR system has deleted."""
    return Employee.objects.filter(scim_id__isnull=False).select_related("user", "manager")


def user_location(request, employee: Employee) -> str:
    return request.build_absolute_uri(reverse("scim:user", args=[employee.scim_id]))


def employee_to_scim(employee: Employee, request) -> Person:
    location = user_location(request, employee)
    person = Person(
        id=str(employee.scim_id),
        external_id=employee.scim_external_id or None,
        user_name=employee.email,
        display_name=employee.name,
        title=employee.title or None,
        active=employee.user.is_active,
        emails=[Email(value=employee.email, type=Email.Type.work, primary=True)],
        meta=Meta(resource_type="User", created=employee.user.date_joined, location=location),
    )
    manager = employee.manager
    enterprise = EnterpriseUser(
        department=employee.department or None,
        manager=Manager(value=str(manager.scim_id), ref=user_location(request, manager))
        if manager is not None and manager.scim_id is not None
        else None,
    )
    if enterprise.department or enterprise.manager:
        person[EnterpriseUser] = enterprise
    person[PairwiseUser] = PairwiseUser(level=employee.level)
    return person


@dataclass
class PersonFields:
    """What a SCIM User says about an employee, checked and converted."""

    email: str
    name: str
    title: str
    department: str
    manager: Employee | None
    level: int | None  # None: not sent (a new person gets the default, others keep theirs)
    active: bool
    external_id: str


def person_fields(person: Person) -> PersonFields:
    """The fields of a validated SCIM User; raises InvalidValueException (400) for a
    manager SCIM does not know or a level outside 1-6."""
    enterprise = person[EnterpriseUser] or EnterpriseUser()
    pairwise = person[PairwiseUser]
    manager = None
    if enterprise.manager is not None and enterprise.manager.value:
        scim_id = uuid_or_none(enterprise.manager.value)
        manager = scim_employees().filter(scim_id=scim_id).first()
        if manager is None:
            raise InvalidValueException(
                detail=f"No user with id {enterprise.manager.value!r} to be the manager."
            )
    level = pairwise.level if pairwise is not None else None
    if level is not None and not 1 <= level <= 6:
        raise InvalidValueException(detail=f"level must be 1 to 6, not {level}.")
    return PersonFields(
        email=normalise_email(person.user_name or ""),
        name=" ".join((person.display_name or "").split()),
        title=(person.title or "").strip(),
        department=(enterprise.department or "").strip(),
        manager=manager,
        level=level,
        active=True if person.active is None else person.active,
        external_id=person.external_id or "",
    )


def _invalid(error: ValidationError) -> InvalidValueException:
    messages = [
        f"{field}: {' '.join(errors)}" if field != "__all__" else " ".join(errors)
        for field, errors in error.message_dict.items()
    ]
    return InvalidValueException(detail=" ".join(messages))


def _check_email_free(email: str, *, employee: Employee | None) -> None:
    others = Employee.objects.by_email(email)
    users = get_user_model().objects.filter(username=email)
    if employee is not None:
        others = others.exclude(pk=employee.pk)
        users = users.exclude(pk=employee.user_id)
    if others.exists() or users.exists():
        raise UniquenessException(detail=f"userName {email!r} is already taken.")


def _rename(*, employee: Employee, email: str) -> None:
    """A new work email is a new sign-in too: the login's username is the email."""
    _check_email_free(email, employee=employee)
    user = employee.user
    user.username = user.email = email
    employee.email = email
    try:
        user.full_clean()
        employee.full_clean()
    except ValidationError as error:
        raise _invalid(error) from error
    user.save(update_fields=["username", "email"])
    employee.save(update_fields=["email"])


def _set_external_id(*, employee: Employee, external_id: str) -> None:
    if employee.scim_external_id != external_id:
        employee.scim_external_id = external_id
        employee.save(update_fields=["scim_external_id"])


# The actor of the directory services is None: the HR system, whose token was checked,
# its creator still a people admin (scim.views).


def _apply(*, employee: Employee, fields: PersonFields) -> Employee:
    """Write the fields to an existing employee through the directory's own update, so a
    change by SCIM is audited and a leaver handled like one marked in the browser."""
    if fields.email != employee.email:
        _rename(employee=employee, email=fields.email)
    try:
        employee_directory_update(
            actor=None,
            employee=employee,
            active=fields.active,
            name=fields.name,
            department=fields.department,
            title=fields.title,
            level=fields.level,
            manager=fields.manager,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    _set_external_id(employee=employee, external_id=fields.external_id)
    return employee


@transaction.atomic
def scim_person_create(*, fields: PersonFields) -> Employee:
    """A new employee from the HR system. Someone the HR system deleted earlier comes back
    under a new SCIM id, with their history; anyone else with that email is a conflict."""
    returning = Employee.objects.by_email(fields.email).filter(scim_id__isnull=True).first()
    if returning is not None:
        returning.scim_id = uuid.uuid4()
        returning.save(update_fields=["scim_id"])
        return _apply(employee=returning, fields=fields)
    _check_email_free(fields.email, employee=None)
    try:
        employee, _ = employee_upsert(
            email=fields.email,
            name=fields.name,
            department=fields.department,
            level=fields.level or DEFAULT_LEVEL,
            title=fields.title,
            manager=fields.manager,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    _set_external_id(employee=employee, external_id=fields.external_id)
    if not fields.active:
        employees_deactivate(employees=[employee], actor=None)
    return employee


@transaction.atomic
def scim_person_update(*, employee: Employee, fields: PersonFields) -> Employee:
    """The employee as the HR system now describes them (PUT, or PATCH once applied)."""
    employee = (
        Employee.objects.select_for_update(of=("self",)).select_related("user").get(pk=employee.pk)
    )
    if fields.level is None:
        fields.level = employee.level
    return _apply(employee=employee, fields=fields)


@transaction.atomic
def scim_person_delete(*, employee: Employee) -> None:
    """The HR system deleted the person: they leave (as with active=false), and SCIM no
    longer finds them. They stay in the directory, with their history, for reporting."""
    employees_deactivate(employees=[employee], actor=None)
    Employee.objects.filter(pk=employee.pk).update(scim_id=None, scim_external_id="")
