"""Writes for programmes, employees and participants. Keyword-only, typed, atomic."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.models import (
    HR_ADMINS_GROUP,
    AuditEvent,
    Employee,
    Participant,
    Program,
    Topic,
    normalise_email,
    normalise_topic,
)
from programs.permissions import hr_admin_users


def _display_name(clean: str) -> str:
    """HR exports shout ("CLOUD ARCHITECTURE") or whisper ("remote work"); a topic made
    from such a spelling reads "Cloud Architecture". Short all-capital words ("AI", "UX")
    are taken for acronyms. Mixed case is the author's choice and kept."""
    if not (clean.isupper() or clean.islower()):
        return clean
    return " ".join(
        word if word.isupper() and len(word) <= 3 else word.capitalize() for word in clean.split()
    )


def topic_names_by_key(names: Iterable[str]) -> dict[str, str]:
    """Each topic key among these names with the name its topic gets if created: "Public
    speaking " and "PUBLIC SPEAKING" are one topic, named as first written (_display_name)."""
    wanted: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if clean:
            wanted.setdefault(normalise_topic(clean), _display_name(clean))
    return wanted


def topics_from_names(names: Iterable[str]) -> list[Topic]:
    """The topics for these names, creating the missing ones (see topic_names_by_key)."""
    wanted = topic_names_by_key(names)
    if not wanted:
        return []
    existing = {t.key: t for t in Topic.objects.filter(key__in=wanted)}
    for key, name in wanted.items():
        if key not in existing:
            try:
                # A savepoint: another request may create the same topic at this moment,
                # and the unique key then makes ours lose; theirs is the same topic.
                with transaction.atomic():
                    topic = Topic(name=name)
                    topic.save()
            except IntegrityError:
                topic = Topic.objects.get(key=key)
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


@transaction.atomic
def program_create(*, actor, data: dict) -> Program:
    """A new programme from the form's cleaned data, administered by its creator."""
    program = Program(**data)
    program.full_clean()
    program.save()
    program.admins.add(actor)
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.CREATED,
        summary=f"Created {program.name} ({program.get_kind_display()})",
    )
    return program


def _audit_value(value):
    """A field value as the audit log's JSON stores it (dates as ISO strings)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def program_update(*, program: Program, actor, data: dict) -> list[str]:
    """Change the programme's settings; returns the names of the fields that changed.

    The audit event lists each changed field with its old and new value. Nothing is
    recorded when nothing changed. The comparison is with the stored row (locked), since
    a ModelForm has already written the new values onto the instance it was given.
    """
    stored = Program.objects.select_for_update().get(pk=program.pk)
    changed = {
        field: (getattr(stored, field), value)
        for field, value in data.items()
        if getattr(stored, field) != value
    }
    if not changed:
        return []
    for field, (_, value) in changed.items():
        setattr(stored, field, value)
        setattr(program, field, value)
    stored.full_clean()
    stored.save(update_fields=list(changed))
    labels = [str(Program._meta.get_field(field).verbose_name) for field in changed]
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.SETTINGS_CHANGED,
        summary="Changed " + ", ".join(labels),
        detail={
            field: {"from": _audit_value(old), "to": _audit_value(new)}
            for field, (old, new) in changed.items()
        },
    )
    return list(changed)


def _person_name(user) -> str:
    """The name the directory knows someone by; a superuser made without a profile has
    only their login."""
    employee = getattr(user, "employee", None)
    return employee.name if employee is not None else user.get_username()


@transaction.atomic
def program_admin_add(*, program: Program, actor, user) -> bool:
    """Make `user` an admin of the programme, and put them in the HR admins group if they
    are not in it yet: without the group no HR page opens for them.

    Returns whether they joined the group. Raises ValidationError when they cannot log
    in or already administer the programme.
    """
    # The programme's row lock makes changes to its admins take turns (see the removal).
    Program.objects.select_for_update().get(pk=program.pk)
    name = _person_name(user)
    if not user.is_active:
        raise ValidationError(f"{name} cannot log in, so cannot be an admin.")
    if program.admins.filter(pk=user.pk).exists():
        raise ValidationError(f"{name} is already an admin of {program.name}.")
    link = Program.admins.through(program=program, user=user)
    link.full_clean()
    link.save()
    # get_or_create: the group comes from a data migration, which a flushed test
    # database no longer has.
    group, _ = Group.objects.get_or_create(name=HR_ADMINS_GROUP)
    joined = not user.groups.filter(pk=group.pk).exists()
    if joined:
        user.groups.add(group)
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.ADMIN_ADDED,
        summary=f"Added {name} as an admin" + (" and to the HR admins group" if joined else ""),
        detail={"user_id": user.pk, "email": user.email, "joined_hr_admins": joined},
    )
    return joined


@transaction.atomic
def program_admin_remove(*, program: Program, actor, user) -> None:
    """Take `user` off the programme's admins. They stay in the HR admins group: they may
    run other programmes, and the group itself is managed in the Django admin.

    Raises ValidationError when they are not an admin, or when they are the last admin
    who can open the programme's HR pages (active, and in the group or a superuser): a
    programme nobody can manage would need a superuser to rescue it.
    """
    # Locked so that two admins removing each other at once cannot both succeed.
    Program.objects.select_for_update().get(pk=program.pk)
    name = _person_name(user)
    if not program.admins.filter(pk=user.pk).exists():
        raise ValidationError(f"{name} is not an admin of {program.name}.")
    others = program.admins.exclude(pk=user.pk).filter(pk__in=hr_admin_users().values("pk"))
    if not others.exists():
        raise ValidationError(
            f"{name} is the last admin of {program.name} who can open its HR pages; "
            "add another admin first."
        )
    program.admins.remove(user)
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.ADMIN_REMOVED,
        summary=f"Removed {name} as an admin",
        detail={"user_id": user.pk, "email": user.email},
    )


@transaction.atomic
def participant_add(
    *,
    program: Program,
    actor,
    email: str,
    name: str,
    department: str,
    level: int,
    role: str,
    manager_email: str = "",
    goals: Iterable[str] = (),
    expertise: Iterable[str] = (),
    style: str = Participant._meta.get_field("style").default,
    capacity: int | None = None,
) -> Participant:
    """Enrol one person (creating or updating their employee record), as one CSV row would.

    A manager not known yet is recorded as an employee without enrolment, named after
    their address, exactly as the import does. Enrolling someone already enrolled updates
    their enrolment (and takes them back if they had withdrawn).
    """
    manager = None
    if manager_email:
        manager = Employee.objects.by_email(manager_email).first()
        if manager is None:
            manager, _ = employee_upsert(email=manager_email, name=manager_email.split("@")[0])
    employee, _ = employee_upsert(
        email=email, name=name, department=department, level=level, manager=manager
    )
    participant = Participant.objects.filter(program=program, employee=employee).first()
    created = participant is None
    if created:
        participant = Participant(program=program, employee=employee)
    participant.role = role
    participant.style = style
    participant.capacity = capacity
    participant.withdrawn_at = None
    participant.full_clean()
    participant.save()
    participant.goals.set(topics_from_names(goals))
    participant.expertise.set(topics_from_names(expertise))
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.PARTICIPANT_ADDED,
        summary=f"{'Enrolled' if created else 'Updated'} {employee.name} as "
        f"{participant.get_role_display().lower()}",
        detail={"email": employee.email, "role": role, "created": created},
    )
    return participant


def _enrolment_fields(
    *,
    participant: Participant,
    goals: list[str],
    expertise: list[str],
    style: str,
    focus: str,
    capacity: int | None,
    paused_until,
    note: str,
) -> Participant:
    participant.style = style
    participant.focus = focus
    participant.capacity = capacity if participant.role == Participant.Role.MENTOR else None
    participant.paused_until = paused_until
    participant.note = note
    participant.full_clean()
    participant.save()
    participant.goals.set(topics_from_names(goals))
    participant.expertise.set(topics_from_names(expertise))
    return participant


@transaction.atomic
def participant_enrol(
    *,
    program: Program,
    employee: Employee,
    role: str,
    goals: list[str],
    expertise: list[str],
    style: str,
    focus: str,
    capacity: int | None = None,
    paused_until=None,
    note: str = "",
) -> Participant:
    """An employee enrols themself: to ask for support (mentee, peer) or to give it (mentor).

    Goals and expertise are topic names; new ones become topics, matched case-insensitively
    to existing ones. Raises ValidationError when the programme is not open, the role does
    not exist in it, or the employee is already enrolled.
    """
    if not Program.objects.open_for_enrolment().filter(pk=program.pk).exists():
        raise ValidationError(f"{program.name} is not open for enrolment.")
    if role not in program.roles:
        raise ValidationError(f"{program.get_kind_display()} has no {role} role.")
    if Participant.objects.filter(program=program, employee=employee).exists():
        raise ValidationError(f"You are already enrolled in {program.name}.")
    participant = Participant(program=program, employee=employee, role=role)
    _enrolment_fields(
        participant=participant,
        goals=goals,
        expertise=expertise,
        style=style,
        focus=focus,
        capacity=capacity,
        paused_until=paused_until,
        note=note,
    )
    audit_record(
        program=program,
        actor=employee.user,
        action=AuditEvent.Action.PARTICIPANT_ADDED,
        summary=f"{employee.name} enrolled as {participant.get_role_display().lower()}",
        detail={"email": employee.email, "role": role, "self_service": True},
    )
    return participant


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    goals: list[str],
    expertise: list[str],
    style: str,
    focus: str,
    capacity: int | None = None,
    paused_until=None,
    note: str = "",
) -> Participant:
    """The employee edits their own enrolment (the role stays): goals, style, capacity and
    the pause switch that keeps them out of matching until a date."""
    return _enrolment_fields(
        participant=participant,
        goals=goals,
        expertise=expertise,
        style=style,
        focus=focus,
        capacity=capacity,
        paused_until=paused_until,
        note=note,
    )


@transaction.atomic
def employee_update_preferences(
    *, employee: Employee, optional_emails: bool, time_zone: str
) -> Employee:
    """The person's own email preferences. Reminders follow on the dispatcher's next run:
    switched-off ones still unsent are cancelled, and a new time zone moves later ones."""
    employee.optional_emails = optional_emails
    employee.time_zone = time_zone
    employee.full_clean()
    employee.save(update_fields=["optional_emails", "time_zone"])
    return employee
