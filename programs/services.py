"""Writes for programmes, employees and participants. Keyword-only, typed, atomic."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction

from programs.models import AuditEvent, Employee, Program, Topic, normalise_email, normalise_topic


def topics_from_names(names: Iterable[str]) -> list[Topic]:
    """The topics for these names, creating the missing ones; "Public  speaking " and
    "PUBLIC SPEAKING" are one topic, named as it was first written."""
    wanted: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if clean:
            wanted.setdefault(normalise_topic(clean), clean)
    if not wanted:
        return []
    existing = {t.key: t for t in Topic.objects.filter(key__in=wanted)}
    for key, name in wanted.items():
        if key not in existing:
            topic = Topic(name=name)
            topic.save()
            existing[key] = topic
    return [existing[key] for key in wanted]


@transaction.atomic
def employee_upsert(
    *,
    email: str,
    name: str,
    department: str = "",
    level: int | None = None,
    title: str | None = None,
    manager: Employee | None = None,
) -> tuple[Employee, bool]:
    """The employee with this email, created with a login (no usable password yet: they
    set one through "forgotten password") or updated with the fields given.

    Returns (employee, changed) so imports can tell a re-run that changes nothing.
    """
    email = normalise_email(email)
    employee = Employee.objects.select_related("user").filter(email=email).first()
    if employee is None:
        User = get_user_model()
        user = User.objects.filter(username=email).first()
        if user is None:
            user = User(username=email, email=email)
            user.set_unusable_password()
            user.full_clean()
            user.save()
        employee = Employee(
            user=user,
            email=email,
            name=name,
            department=department,
            level=level or Employee._meta.get_field("level").default,
            title=title or "",
            manager=manager,
        )
        employee.full_clean()
        employee.save()
        return employee, True

    changes = {"name": name, "department": department, "manager": manager}
    if level is not None:
        changes["level"] = level
    if title is not None:
        changes["title"] = title
    changed = [field for field, value in changes.items() if getattr(employee, field) != value]
    if changed:
        for field in changed:
            setattr(employee, field, changes[field])
        employee.full_clean()
        employee.save(update_fields=changed)
    return employee, bool(changed)


def audit_record(
    *, program: Program, actor, action: str, summary: str = "", detail: dict | None = None
) -> AuditEvent:
    """Record an admin action on the programme page ("who did what, when")."""
    return AuditEvent.objects.create(
        program=program,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        summary=summary[:300],
        detail=detail or {},
    )
