"""The participants CSV import of DESIGN.md, in two steps: plan (validate and preview), import.

`participants_import_plan` reads the file and compares it with the database without writing
anything, so an upload page can show every error, or a preview of what would change, before
anyone confirms. `participants_import` applies a plan with no errors in one transaction: a
file with any bad row imports nothing, and re-importing the same file changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from programs.bulk import bulk_set, chunks, logins_for, select_in
from programs.csvfiles import (
    ImportRejected,
    RowError,
    clean_person,
    read_rows,
    whole_number,
)
from programs.models import (
    MAX_CAPACITY,
    AuditEvent,
    Employee,
    Participant,
    Program,
    Style,
    Topic,
)
from programs.permissions import is_people_admin
from programs.services import audit_record, topic_names_by_key
from programs.topics import normalise_topic, topic_names
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
    # What the plan read from the database, so the writer need not read it again: the
    # employees named in the file (as people or managers) and the programme's enrolments
    # of the people in it, by email, and their current goals and expertise.
    existing: "_Existing | None" = field(default=None, repr=False)

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
    return tuple(topic_names(value))


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
    capacity = whole_number(raw_capacity)
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


def participants_import_plan(
    *,
    program: Program,
    text: str | bytes,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Validate a participants CSV and preview what importing it would change (no writes).

    `text` is the file's content (bytes are decoded as UTF-8; a byte-order mark is fine).
    Existing employees' directory data changes only when `actor` is a people admin;
    otherwise rows that contradict it are Action.DIFFERS (the command line has no actor:
    the directory has its own import). Leavers cannot be enrolled. `progress`, if given,
    is called with the number of rows read, every few thousand.
    """
    plan = ImportPlan(program=program)
    update_directory = is_people_admin(actor)
    rows, plan.errors = read_rows(
        text,
        required=COLUMNS,
        clean=lambda values, line: _clean_row(values, line, program),
        progress=progress,
    )
    if plan.errors:
        return plan

    plan.existing = _Existing.load(program=program, rows=rows)
    employees, participants = plan.existing.employees, plan.existing.participants
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
        participant = participants.get(row.email)
        plan.rows.append(
            RowPlan(
                row=row,
                employee=action,
                participant=_participant_action(
                    row, participant, plan.existing.topics_of(participant)
                ),
                differences=differences,
            )
        )
    if plan.errors:
        plan.rows = []
    return plan


@dataclass
class _Existing:
    """The database rows a plan compares the file with, read in a fixed number of queries
    (one per table, whatever the file's size; see programs.bulk.chunks)."""

    employees: dict[str, Employee]
    participants: dict[str, Participant]
    # (participant id, topic id) -> through row id, with the topic's key, per relation.
    goals: dict[int, dict[int, tuple[int, str]]]
    expertise: dict[int, dict[int, tuple[int, str]]]

    @classmethod
    def load(cls, *, program: Program, rows: list[Row]) -> "_Existing":
        emails = {row.email for row in rows} | {r.manager_email for r in rows if r.manager_email}
        employees = {
            e.email: e
            for e in select_in(Employee.objects.select_related("manager", "user"), "email", emails)
        }
        enrolled = [employees[row.email].pk for row in rows if row.email in employees]
        participants = {
            p.employee.email: p
            for p in select_in(
                Participant.objects.filter(program=program).select_related("employee"),
                "employee_id",
                enrolled,
            )
        }
        ids = [p.pk for p in participants.values()]
        return cls(
            employees=employees,
            participants=participants,
            goals=_through_rows(Participant.goals.through, ids),
            expertise=_through_rows(Participant.expertise.through, ids),
        )

    def topics_of(self, participant: Participant | None) -> tuple[set[str], set[str]]:
        if participant is None:
            return set(), set()
        return (
            {key for _, key in self.goals.get(participant.pk, {}).values()},
            {key for _, key in self.expertise.get(participant.pk, {}).values()},
        )


def _through_rows(through, participant_ids: list[int]) -> dict[int, dict[int, tuple[int, str]]]:
    rows: dict[int, dict[int, tuple[int, str]]] = {}
    queryset = through.objects.values_list("pk", "participant_id", "topic_id", "topic__key")
    for pk, participant_id, topic_id, key in select_in(queryset, "participant_id", participant_ids):
        rows.setdefault(participant_id, {})[topic_id] = (pk, key)
    return rows


def _topic_keys(names) -> set[str]:
    return {normalise_topic(name) for name in names}


def _participant_action(
    row: Row, participant: Participant | None, topics: tuple[set[str], set[str]]
) -> str:
    if participant is None:
        return Action.ENROL
    current = (participant.role, participant.style, participant.capacity, *topics)
    wanted = (row.role, row.style, row.capacity, _topic_keys(row.goals), _topic_keys(row.expertise))
    return Action.UNCHANGED if current == wanted else Action.UPDATE


@transaction.atomic
def participants_import(
    *, program: Program, text: str | bytes, actor=None, plan: ImportPlan | None = None
) -> ImportResult:
    """Import a participants CSV into `program`: all rows or, on any error, nothing.

    Raises ImportRejected (carrying every error) when the file has errors. Employees are
    created or updated, people named only as managers are created without an enrolment,
    and enrolments get the row's role, style, capacity, goals and expertise. An audit event
    is recorded when something changed (a no-op re-import leaves no trace).

    `plan` is this file's plan when the caller has just made it (a worker that reported
    progress while checking); otherwise the file is planned here. Every write is a bulk
    statement, so the number of queries does not grow with the file (see programs.bulk.chunks).
    """
    if plan is None:
        plan = participants_import_plan(program=program, text=text, actor=actor)
    if plan.errors:
        raise ImportRejected(plan.errors)

    employees = _employees_write(plan)
    participants = _participants_write(plan, employees)
    _topics_write(plan, participants)

    if plan.changes:
        audit_record(
            program=program,
            actor=actor,
            action=AuditEvent.Action.IMPORTED,
            summary=f"Imported {len(plan.rows)} participants ({plan.changes} changes)",
            detail=plan.counts(),
        )
    return ImportResult(program=program, counts=plan.counts(), changes=plan.changes)


# The writers below skip full_clean(): the plan has checked every value against every
# limit of the database (that is its job), and per-row validation would cost queries.
# Each writes a table in one statement; Django splits a bulk_create only where the
# backend caps a statement's parameters (SQLite), and so does _bulk_set.


def _employees_write(plan: ImportPlan) -> dict[str, Employee]:
    """Create the new employees (with logins) and the managers named only by address,
    then give the created and the updated rows their master data. Rows the plan leaves
    alone (unchanged, or anything but CREATE and UPDATE) are not touched."""
    employees = dict(plan.existing.employees)
    created = [item.row for item in plan.rows if item.employee == Action.CREATE]
    # Someone outside the file: all we know is the address, so it stands in for the name.
    newcomers = [(row.email, row.name, row.department, row.level) for row in created] + [
        (email, email.split("@")[0], "", Employee._meta.get_field("level").default)
        for email in plan.managers_to_create
    ]
    users = logins_for([email for email, *_ in newcomers])
    new = [
        Employee(user=users[email], email=email, name=name, department=department, level=level)
        for email, name, department, level in newcomers
    ]
    Employee.objects.bulk_create(new)
    employees.update((employee.email, employee) for employee in new)

    # Managers only now: a row's manager may be a newcomer created in the same statement.
    changed = []
    for item in plan.rows:
        row = item.row
        wanted = item.employee == Action.UPDATE or (
            item.employee == Action.CREATE and row.manager_email
        )
        if not wanted:
            continue
        employee = employees[row.email]
        employee.name, employee.department, employee.level = row.name, row.department, row.level
        employee.manager = employees[row.manager_email] if row.manager_email else None
        changed.append(employee)
    bulk_set(changed, ["name", "department", "level", "manager"])
    return employees


def _participants_write(plan: ImportPlan, employees: dict[str, Employee]) -> list:
    """Enrol and update; returns (participant, row, is_new) for each enrolment written."""
    program, existing = plan.program, plan.existing.participants
    new, updated, written = [], [], []
    for item in plan.rows:
        row = item.row
        if item.participant == Action.ENROL:
            participant = Participant(
                program=program, employee=employees[row.email], round=program.current_round
            )
            new.append(participant)
        elif item.participant == Action.UPDATE:
            participant = existing[row.email]
            updated.append(participant)
        else:
            continue
        participant.role, participant.style, participant.capacity = (
            row.role,
            row.style,
            row.capacity,
        )
        written.append((participant, row))
    Participant.objects.bulk_create(new)
    bulk_set(updated, ["role", "style", "capacity"])
    return written


def _topics_write(plan: ImportPlan, written: list) -> None:
    """Goals and expertise as set-based inserts and deletes on the through tables, with
    the missing topics created in one statement."""
    topics = _topics_by_key(name for _, row in written for name in (*row.goals, *row.expertise))
    for relation, names_of, current in (
        (Participant.goals, lambda row: row.goals, plan.existing.goals),
        (Participant.expertise, lambda row: row.expertise, plan.existing.expertise),
    ):
        through = relation.through
        add, remove = [], []
        for participant, row in written:
            wanted = {topics[normalise_topic(name)].pk for name in names_of(row)}
            have = current.get(participant.pk, {})
            remove += [pk for topic_id, (pk, _) in have.items() if topic_id not in wanted]
            add += [
                through(participant_id=participant.pk, topic_id=topic_id)
                for topic_id in sorted(wanted - have.keys())
            ]
        for chunk in chunks(remove):
            if chunk:
                through.objects.filter(pk__in=chunk).delete()
        through.objects.bulk_create(add)


def _topics_by_key(names) -> dict[str, Topic]:
    """The topics for these names by key, creating the missing ones in bulk. The rules of
    topics_from_names: one topic per key, named as first written (topic_names_by_key)."""
    wanted = topic_names_by_key(names)
    topics = {topic.key: topic for topic in select_in(Topic.objects, "key", wanted)}
    missing = [Topic(name=name, key=key) for key, name in wanted.items() if key not in topics]
    if missing:
        # Another import may create the same topic at this moment: the unique key makes
        # ours give way, and theirs is the same topic, read back below.
        Topic.objects.bulk_create(missing, ignore_conflicts=True)
        topics.update(
            (topic.key, topic)
            for topic in select_in(Topic.objects, "key", [t.key for t in missing])
        )
    return topics
