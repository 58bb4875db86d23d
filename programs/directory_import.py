"""The directory CSV import of DESIGN.md: people admins bring the organisation in.

`email,name,department,title,level,manager_email,time_zone,active`, in any order. email,
name and level are required; a column left out of the header leaves that field as it is
(a file from a payroll system without time zones changes nobody's time zone). `active`
is yes or no, blank meaning yes: a "no" marks a leaver, whose live pairings then end.
People not in the file are left alone, so a file may cover one department.

Same two steps and rules as the participants import: `directory_import_plan` checks every
row and previews the changes without writing; `directory_import` applies a file with no
errors in one transaction, with a fixed number of queries, or refuses it whole.
"""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from programs.bulk import bulk_set, chunks, logins_for, select_in
from programs.csvfiles import ImportRejected, RowError, clean_person, plain_text, read_rows
from programs.models import AuditEvent, Employee
from programs.services import audit_record, employees_deactivate, require_people_admin
from programs.validators import max_length

REQUIRED = ("email", "name", "level")
OPTIONAL = ("department", "title", "manager_email", "time_zone", "active")
COLUMNS = ("email", "name", "department", "title", "level", "manager_email", "time_zone", "active")
ACTIVE = {"": True, "yes": True, "no": False}


# What the export reads for each person, in COLUMNS order (active as the login's flag).
EXPORT_VALUES = (
    "email",
    "name",
    "department",
    "title",
    "level",
    "manager__email",
    "time_zone",
    "user__is_active",
)


def export_row(values: tuple) -> list:
    """One person's EXPORT_VALUES as a row of COLUMNS, so an export re-imports with zero
    changes."""
    *person, manager_email, time_zone, active = values
    return [*person, manager_email or "", time_zone, "yes" if active else "no"]


class Change:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PersonRow:
    """One valid row; None for a column the file does not have (left as it is)."""

    line: int
    email: str
    name: str
    level: int
    department: str | None
    title: str | None
    manager_email: str | None
    time_zone: str | None
    active: bool


@dataclass(frozen=True)
class PersonPlan:
    row: PersonRow
    change: str  # Change.CREATE, UPDATE or UNCHANGED (the master data)
    differences: tuple[str, ...] = ()
    leaves: bool = False  # active now, "no" in the file
    returns: bool = False  # a leaver, "yes" in the file


@dataclass
class DirectoryPlan:
    errors: list[RowError] = field(default_factory=list)
    rows: list[PersonPlan] = field(default_factory=list)
    managers_to_create: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        def count(test) -> int:
            return sum(1 for plan in self.rows if test(plan))

        return {
            "rows": len(self.rows),
            "created": count(lambda p: p.change == Change.CREATE),
            "updated": count(lambda p: p.change == Change.UPDATE),
            "managers_created": len(self.managers_to_create),
            "left": count(lambda p: p.leaves),
            "returned": count(lambda p: p.returns),
            "unchanged": count(
                lambda p: p.change == Change.UNCHANGED and not (p.leaves or p.returns)
            ),
        }

    @property
    def changes(self) -> int:
        counts = self.counts()
        return counts["rows"] - counts["unchanged"] + counts["managers_created"]

    @property
    def changing(self) -> list[PersonPlan]:
        return [p for p in self.rows if p.change != Change.UNCHANGED or p.leaves or p.returns]

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{c['rows']} rows: {c['created']} people added, {c['updated']} updated, "
            f"{c['managers_created']} managers added, {c['left']} marked as leavers, "
            f"{c['returned']} back, {c['unchanged']} unchanged ({self.changes} changes)"
        )


@dataclass(frozen=True)
class DirectoryResult:
    """What a directory import did (the counts of the plan it applied)."""

    counts: dict[str, int]
    changes: int
    summary: str


def _clean(values: dict[str, str], line: int) -> tuple[PersonRow | None, list[str]]:
    person, problems = clean_person(values)
    title = plain_text(values["title"]) if "title" in values else None
    if title and len(title) > max_length(Employee, "title"):
        problems.append(f"title is longer than {max_length(Employee, 'title')} characters")
    time_zone = values["time_zone"].strip() if "time_zone" in values else None
    if time_zone and time_zone not in zoneinfo.available_timezones():
        problems.append(f"time_zone {time_zone!r} is not a time zone (e.g. Europe/London)")
    raw_active = values.get("active", "")
    if raw_active.strip().lower() not in ACTIVE:
        problems.append(f"active {raw_active.strip()!r} is not yes or no")
    if problems:
        return None, problems
    return PersonRow(
        line=line,
        email=person["email"],
        name=person["name"],
        level=person["level"],
        department=person["department"] if "department" in values else None,
        title=title,
        manager_email=person["manager_email"] if "manager_email" in values else None,
        time_zone=time_zone or None,
        active=ACTIVE[raw_active.strip().lower()],
    ), []


def _employees_by_email(emails: Iterable[str]) -> dict[str, Employee]:
    people = Employee.objects.select_related("user", "manager")
    return {e.email: e for e in select_in(people, "email", sorted(emails))}


def _wanted(row: PersonRow, employee: Employee | None) -> dict:
    """The master data the row asks for, by field; columns the file lacks keep the
    employee's (or, for someone new, the defaults)."""
    wanted = {"name": row.name, "level": row.level}
    for column in ("department", "title", "time_zone"):
        value = getattr(row, column)
        if value is not None:
            wanted[column] = value
        elif employee is None:
            wanted[column] = Employee._meta.get_field(column).get_default()
    return wanted


def _differences(row: PersonRow, employee: Employee) -> tuple[str, ...]:
    current_manager = employee.manager.email if employee.manager else ""
    shown = []
    for column, value in _wanted(row, employee).items():
        if getattr(employee, column) != value:
            shown.append(f"{column} {getattr(employee, column)!r} → {value!r}")
    if row.manager_email is not None and row.manager_email != current_manager:
        shown.append(f"manager_email {current_manager!r} → {row.manager_email!r}")
    return tuple(shown)


def directory_import_plan(*, text: str | bytes, progress=None) -> DirectoryPlan:
    """Check a directory CSV and preview what importing it would change (no writes).
    `progress`, if given, is called with the number of rows read, every few thousand."""
    plan = DirectoryPlan()
    rows, plan.errors = read_rows(
        text, required=REQUIRED, optional=OPTIONAL, clean=_clean, progress=progress
    )
    if plan.errors:
        return plan
    managers = {row.manager_email for row in rows if row.manager_email}
    employees = _employees_by_email({row.email for row in rows} | managers)
    in_file = {row.email for row in rows}
    plan.managers_to_create = sorted(managers - in_file - employees.keys())
    for row in rows:
        employee = employees.get(row.email)
        if employee is None:
            plan.rows.append(PersonPlan(row=row, change=Change.CREATE, leaves=not row.active))
            continue
        differences = _differences(row, employee)
        plan.rows.append(
            PersonPlan(
                row=row,
                change=Change.UPDATE if differences else Change.UNCHANGED,
                differences=differences,
                leaves=employee.user.is_active and not row.active,
                returns=not employee.user.is_active and row.active,
            )
        )
    return plan


@transaction.atomic
def directory_import(
    *, text: str | bytes, actor=None, plan: DirectoryPlan | None = None
) -> DirectoryResult:
    """Import a directory CSV: every row or, on any error, nothing (ImportRejected).

    Newcomers get a login without a usable password (they get in through an invitation
    or "forgotten password"); leavers are marked through employees_deactivate, so their
    pairings end as anywhere else. `actor` None is the command line; anyone else must be
    a people admin. `plan` is this file's plan when the caller has just made it (a worker
    that reported progress while checking); otherwise the file is planned here.
    """
    require_people_admin(actor)
    if plan is None:
        plan = directory_import_plan(text=text)
    if plan.errors:
        raise ImportRejected(plan.errors)

    new_emails = plan.managers_to_create + [
        p.row.email for p in plan.rows if p.change == Change.CREATE
    ]
    users = logins_for(new_emails)
    newcomers = {p.row.email: p.row for p in plan.rows if p.change == Change.CREATE}
    Employee.objects.bulk_create(
        [
            Employee(
                user=users[email],
                email=email,
                # Someone known only as a manager: the address stands in for the name.
                **(
                    {"name": email.split("@")[0], "time_zone": settings.TIME_ZONE}
                    if email not in newcomers
                    else _wanted(newcomers[email], None)
                ),
            )
            for email in new_emails
        ]
    )

    managers = {row.manager_email for row in (p.row for p in plan.rows) if row.manager_email}
    employees = _employees_by_email({p.row.email for p in plan.rows} | managers)
    changed: list[Employee] = []
    fields: set[str] = set()
    for item in plan.rows:
        if item.change == Change.UNCHANGED:
            continue
        employee, row = employees[item.row.email], item.row
        for column, value in _wanted(row, employee).items():
            if getattr(employee, column) != value:
                setattr(employee, column, value)
                fields.add(column)
        if row.manager_email is not None:
            manager = employees.get(row.manager_email) if row.manager_email else None
            if employee.manager_id != (manager.pk if manager else None):
                employee.manager = manager
                fields.add("manager")
        changed.append(employee)
    if fields:
        bulk_set(changed, sorted(fields))

    leaving = [employees[p.row.email] for p in plan.rows if p.leaves]
    if leaving:
        employees_deactivate(employees=leaving, actor=actor)
    returning = [employees[p.row.email].user_id for p in plan.rows if p.returns]
    for chunk in chunks(returning):
        get_user_model().objects.filter(pk__in=chunk).update(is_active=True)

    if plan.changes:
        audit_record(
            program=None,
            actor=actor,
            action=AuditEvent.Action.PEOPLE_IMPORTED,
            summary=f"Imported the directory: {plan.summary()}",
            detail=plan.counts(),
        )
    return DirectoryResult(counts=plan.counts(), changes=plan.changes, summary=plan.summary())
