"""REFERENCE IMPLEMENTATION, used only by `manage.py bench_import`: the participants import
as it wrote before it went to bulk statements (issue 11), one row at a time, several
queries a row (about 140 rows/s). It is the benchmark's measuring stick, kept so every run
compares the bulk writer with it on the same file and database; nothing else calls it.

It applies the same plan as programs.importing.participants_import and must leave the
database in the same state (the benchmark checks that, and so do its tests).
"""

from django.db import transaction

from programs.importing import (
    Action,
    ImportRejected,
    ImportResult,
    Row,
    participants_import_plan,
)
from programs.models import AuditEvent, Employee, Participant, Program
from programs.services import audit_record, employee_upsert, topics_from_names


@transaction.atomic
def rowwise_import(*, program: Program, text: str | bytes, actor=None) -> ImportResult:
    """The row-by-row participants import (see the module docstring)."""
    plan = participants_import_plan(program=program, text=text)
    if plan.errors:
        raise ImportRejected(plan.errors)

    for email in plan.managers_to_create:
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
