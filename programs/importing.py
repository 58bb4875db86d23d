"""The participants CSV import of DESIGN.md, in two steps: plan (validate and preview), import.

`participants_import_plan` reads the file and compares it with the database without writing
anything, so an upload page can show every error, or a preview of what would change, before
anyone confirms. `participants_import` applies a plan with no errors in one transaction: a
file with any bad row imports nothing, and re-importing the same file changes nothing.
"""

from dataclasses import dataclass, field

from django.db import transaction

from programs.csvfiles import (
    ImportRejected,
    RowError,
    clean_person,
    read_rows,
)
from programs.models import (
    MAX_CAPACITY,
    AuditEvent,
    Employee,
    Participant,
    Program,
    Style,
    normalise_topic,
)
from programs.permissions import is_people_admin
from programs.services import audit_record, employee_upsert, topics_from_names
from programs.validators import (
    topic_problems,
)

COLUMNS = (
    "email",
    "name",
    "department",
    "level",
    "manager_email",
    "role",
    "goals",
    "expertise",
    "style",
    "capacity",
)


def export_row(participant: Participant) -> list:
    """The participant as a row of COLUMNS, so an export re-imports unchanged. Expects the
    employee, their manager, goals and expertise loaded (see participants_for_export)."""
    employee = participant.employee
    return [
        employee.email,
        employee.name,
        employee.department,
        employee.level,
        employee.manager.email if employee.manager else "",
        participant.role,
        ";".join(topic.name for topic in participant.goals.all()),
        ";".join(topic.name for topic in participant.expertise.all()),
        participant.style,
        participant.capacity or "",
    ]


class Action:
    """What importing one row does to an employee or an enrolment."""

    CREATE = "create"
    UPDATE = "update"
    # An existing employee whose directory data the row contradicts, imported by someone
    # who does not keep the directory: the row enrols them as they are.
    DIFFERS = "differs from the directory - not changed"
    ENROL = "enrol"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Row:
    """One valid row, cleaned: emails lower-case, texts trimmed, topics as typed."""

    line: int
    email: str
    name: str
    department: str
    level: int
    manager_email: str
    role: str
    goals: tuple[str, ...]
    expertise: tuple[str, ...]
    style: str
    capacity: int | None


@dataclass(frozen=True)
class RowPlan:
    """What importing one row will do: to the employee, and to their enrolment."""

    row: Row
    employee: str  # Action.CREATE, UPDATE, DIFFERS or UNCHANGED
    participant: str  # Action.ENROL, UPDATE or UNCHANGED
    # How the row differs from the directory ("level 3 → 4"), for UPDATE and DIFFERS.
    differences: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    """The preview of an import: errors (then nothing may be imported) or the changes."""

    program: Program
    errors: list[RowError] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    # Managers named by manager_email who are neither in the file nor in the database yet.
    managers_to_create: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def _count(self, attribute: str, action: str) -> int:
        return sum(1 for plan in self.rows if getattr(plan, attribute) == action)

    @property
    def employees_to_create(self) -> int:
        return self._count("employee", Action.CREATE)

    @property
    def employees_to_update(self) -> int:
        return self._count("employee", Action.UPDATE)

    @property
    def employees_differing(self) -> list[RowPlan]:
        """Rows whose directory data is left as it is (see Action.DIFFERS)."""
        return [plan for plan in self.rows if plan.employee == Action.DIFFERS]

    @property
    def participants_to_enrol(self) -> int:
        return self._count("participant", Action.ENROL)

    @property
    def participants_to_update(self) -> int:
        return self._count("participant", Action.UPDATE)

    @property
    def rows_unchanged(self) -> int:
        return sum(
            1
            for plan in self.rows
            if plan.employee in (Action.UNCHANGED, Action.DIFFERS)
            and plan.participant == Action.UNCHANGED
        )

    @property
    def changes(self) -> int:
        """Rows that change something, plus managers to create: 0 means a no-op re-import."""
        return len(self.rows) - self.rows_unchanged + len(self.managers_to_create)

    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "employees_created": self.employees_to_create,
            "employees_updated": self.employees_to_update,
            "employees_not_changed": len(self.employees_differing),
            "managers_created": len(self.managers_to_create),
            "participants_enrolled": self.participants_to_enrol,
            "participants_updated": self.participants_to_update,
            "unchanged": self.rows_unchanged,
        }


@dataclass(frozen=True)
class ImportResult:
    """What an import did (the counts of the plan it applied)."""

    program: Program
    counts: dict[str, int]
    changes: int

    @property
    def summary(self) -> str:
        c = self.counts
        differing = c["employees_not_changed"]
        return (
            f"{c['rows']} rows: {c['employees_created']} employees created, "
            f"{c['employees_updated']} updated, "
            + (f"{differing} differing from the directory not changed, " if differing else "")
            + f"{c['managers_created']} managers added "
            f"without enrolment, {c['participants_enrolled']} participants enrolled, "
            f"{c['participants_updated']} updated, {c['unchanged']} unchanged "
            f"({self.changes} changes)"
        )


def _topic_names(value: str) -> tuple[str, ...]:
    return tuple(name for name in (" ".join(part.split()) for part in value.split(";")) if name)


def _clean_row(values: dict[str, str], line: int, program: Program) -> tuple[Row | None, list[str]]:
    """The row cleaned, or None and the reasons it is bad."""
    person, problems = clean_person(values)

    raw_role = values["role"].strip()
    role = raw_role.lower()
    allowed = " or ".join(program.roles)
    if not role:
        problems.append(f"role is missing (use {allowed})")
    elif role not in program.roles:
        if role in Participant.Role.values:
            problems.append(
                f"role {raw_role!r} does not fit a {program.get_kind_display().lower()} "
                f"programme (use {allowed})"
            )
        else:
            problems.append(f"role {raw_role!r} is unknown (use {allowed})")

    raw_style = values["style"].strip()
    style = raw_style.lower() or Style.EITHER
    if style not in Style.values:
        problems.append(f"style {raw_style!r} is not one of {', '.join(Style.values)}")

    raw_capacity = values["capacity"].strip()
    capacity = int(raw_capacity) if raw_capacity.isdigit() else None
    if raw_capacity and (capacity is None or capacity < 1):
        problems.append(f"capacity {raw_capacity!r} is not a positive whole number")
    elif capacity is not None and capacity > MAX_CAPACITY:
        problems.append(f"capacity {raw_capacity} is more than {MAX_CAPACITY}")

    goals, expertise = _topic_names(values["goals"]), _topic_names(values["expertise"])
    problems += topic_problems(goals, label="goal") + topic_problems(expertise, label="expertise")

    if problems:
        return None, problems
    return Row(
        line=line,
        email=person["email"],
        name=person["name"],
        department=person["department"],
        level=person["level"],
        manager_email=person["manager_email"],
        role=role,
        goals=goals,
        expertise=expertise,
        style=style,
        capacity=capacity,
    ), []


def participants_import_plan(*, program: Program, text: str | bytes, actor=None) -> ImportPlan:
    """Validate a participants CSV and preview what importing it would change (no writes).

    `text` is the file's content (bytes are decoded as UTF-8; a byte-order mark is fine).
    Existing employees' directory data changes only when `actor` is a people admin;
    otherwise rows that contradict it are Action.DIFFERS (the command line has no actor:
    the directory has its own import). Leavers cannot be enrolled.
    """
    plan = ImportPlan(program=program)
    update_directory = is_people_admin(actor)
    rows, plan.errors = read_rows(
        text, required=COLUMNS, clean=lambda values, line: _clean_row(values, line, program)
    )
    if plan.errors:
        return plan

    emails = {row.email for row in rows} | {row.manager_email for row in rows if row.manager_email}
    employees = {
        e.email: e
        for e in Employee.objects.filter(email__in=emails).select_related("manager", "user")
    }
    participants = {
        p.employee.email: p
        for p in Participant.objects.filter(program=program, employee__email__in=emails)
        .select_related("employee")
        .prefetch_related("goals", "expertise")
    }
    in_file = {row.email for row in rows}
    plan.managers_to_create = sorted(
        {row.manager_email for row in rows if row.manager_email} - in_file - employees.keys()
    )
    for row in rows:
        employee = employees.get(row.email)
        if employee is not None and not employee.user.is_active:
            plan.errors.append(
                RowError(
                    row.line,
                    f"{row.email} has left the organisation and cannot be enrolled (a people "
                    "admin can mark them as back in the directory)",
                )
            )
            continue
        differences = (
            ()
            if employee is None
            else employee.differences(
                name=row.name,
                department=row.department,
                level=row.level,
                manager_email=row.manager_email,
            )
        )
        if employee is None:
            action = Action.CREATE
        elif not differences:
            action = Action.UNCHANGED
        else:
            action = Action.UPDATE if update_directory else Action.DIFFERS
        plan.rows.append(
            RowPlan(
                row=row,
                employee=action,
                participant=_participant_action(row, participants.get(row.email)),
                differences=differences,
            )
        )
    if plan.errors:
        plan.rows = []
    return plan


def _topic_keys(names) -> set[str]:
    return {normalise_topic(name) for name in names}


def _participant_action(row: Row, participant: Participant | None) -> str:
    if participant is None:
        return Action.ENROL
    current = (
        participant.role,
        participant.style,
        participant.capacity,
        {topic.key for topic in participant.goals.all()},
        {topic.key for topic in participant.expertise.all()},
    )
    wanted = (row.role, row.style, row.capacity, _topic_keys(row.goals), _topic_keys(row.expertise))
    return Action.UNCHANGED if current == wanted else Action.UPDATE


@transaction.atomic
def participants_import(*, program: Program, text: str | bytes, actor=None) -> ImportResult:
    """Import a participants CSV into `program`: all rows or, on any error, nothing.

    Raises ImportRejected (carrying every error) when the file has errors. Employees are
    created or updated, people named only as managers are created without an enrolment,
    and enrolments get the row's role, style, capacity, goals and expertise. An audit event
    is recorded when something changed (a no-op re-import leaves no trace).
    """
    plan = participants_import_plan(program=program, text=text, actor=actor)
    if plan.errors:
        raise ImportRejected(plan.errors)

    for email in plan.managers_to_create:
        # Someone outside the file: all we know is the address, so it stands in for the name.
        employee_upsert(email=email, name=email.split("@")[0])
    employees = {
        e.email: e for e in Employee.objects.filter(email__in=[p.row.email for p in plan.rows])
    }
    # Create the newcomers first so every manager_email resolves, whatever the row order.
    for item in plan.rows:
        if item.employee == Action.CREATE:
            employees[item.row.email], _ = employee_upsert(
                email=item.row.email,
                name=item.row.name,
                department=item.row.department,
                level=item.row.level,
            )
    managers = {
        e.email: e
        for e in Employee.objects.filter(email__in={p.row.manager_email for p in plan.rows})
    }
    for item in plan.rows:
        row = item.row
        if item.employee in (Action.CREATE, Action.UPDATE):
            employees[row.email], _ = employee_upsert(
                email=row.email,
                name=row.name,
                department=row.department,
                level=row.level,
                manager=managers.get(row.manager_email),
            )
        if item.participant != Action.UNCHANGED:
            _participant_save(program, employees[row.email], row)

    if plan.changes:
        audit_record(
            program=program,
            actor=actor,
            action=AuditEvent.Action.IMPORTED,
            summary=f"Imported {len(plan.rows)} participants ({plan.changes} changes)",
            detail=plan.counts(),
        )
    return ImportResult(program=program, counts=plan.counts(), changes=plan.changes)


def _participant_save(program: Program, employee: Employee, row: Row) -> None:
    participant = Participant.objects.filter(program=program, employee=employee).first()
    participant = participant or Participant(program=program, employee=employee)
    participant.role = row.role
    participant.style = row.style
    participant.capacity = row.capacity
    participant.full_clean()
    participant.save()
    participant.goals.set(topics_from_names(row.goals))
    participant.expertise.set(topics_from_names(row.expertise))
