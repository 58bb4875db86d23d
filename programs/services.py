"""Writes for programmes, employees and participants. Keyword-only, typed, atomic."""

from collections.abc import Iterable
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from programs import emails
from programs.models import (
    HR_ADMINS_GROUP,
    PEOPLE_ADMINS_GROUP,
    AuditEvent,
    Employee,
    Participant,
    Program,
    Topic,
    normalise_email,
)
from programs.permissions import hr_admin_users, is_people_admin
from programs.signals import employee_erased, employees_left, participants_withdrawn
from programs.topics import normalise_topic


def _display_name(clean: str) -> str:
    """HR exports shout ("CLOUD ARCHITECTURE") or whisper ("remote work"); a topic made
    from such a spelling reads "Cloud Architecture". Short all-capital words ("AI", "UX")
    are taken for acronyms. Mixed case is the author's choice and kept."""
    if not (clean.isupper() or clean.islower()):
        return clean
    return " ".join(
        word if word.isupper() and len(word) <= 3 else word.capitalize() for word in clean.split()
    )


# The topic list is the whole organisation's: what an employee types into their enrolment
# becomes a topic everyone sees. So that it stays a short clean list, one person adds at
# most this many new topics in one save of their enrolment, and this many a day (the
# site's TIME_ZONE); they pick from the list for the rest. HR's imports are not limited.
NEW_TOPICS_PER_SAVE = 3
NEW_TOPICS_PER_DAY = 10


def topic_names_by_key(names: Iterable[str]) -> dict[str, str]:
    """Each topic key among these names with the name its topic gets if created: "Public
    speaking " and "PUBLIC SPEAKING" are one topic, named as first written (_display_name)."""
    wanted: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if clean:
            wanted.setdefault(normalise_topic(clean), _display_name(clean))
    return wanted


def topics_new_among(names: Iterable[str]) -> list[str]:
    """The names, as they would be saved, that no topic has yet."""
    wanted = topic_names_by_key(names)
    existing = set(Topic.objects.filter(key__in=wanted).values_list("key", flat=True))
    return [name for key, name in wanted.items() if key not in existing]


def new_topics_problem(*, new: list[str], creator) -> str | None:
    """Why `creator` may not add these new topics now, or None."""
    if len(new) > NEW_TOPICS_PER_SAVE:
        return (
            f"You can add at most {NEW_TOPICS_PER_SAVE} new topics at a time, and "
            f"{len(new)} of these are new ({', '.join(new)}). Tick an existing topic where "
            "one fits, or add the rest later."
        )
    if creator is None or not new:
        return None
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    made = Topic.objects.filter(created_by=creator, created_at__gte=start_of_day).count()
    if made + len(new) > NEW_TOPICS_PER_DAY:
        return (
            f"You have added {made} new topics today; at most {NEW_TOPICS_PER_DAY} a day. "
            "Tick existing topics, or add new ones tomorrow."
        )
    return None


def topics_from_names(names: Iterable[str], *, created_by=None) -> list[Topic]:
    """The topics for these names, creating the missing ones (see topic_names_by_key).
    New topics are stamped with `created_by`, who is limited (new_topics_problem)."""
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
                    topic = Topic(name=name, created_by=created_by)
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
    *, program: Program | None, actor, action: str, summary: str = "", detail: dict | None = None
) -> AuditEvent:
    """Record an admin action on the programme page ("who did what, when"), or on the
    directory's with no programme."""
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


def participant_add_check(*, program: Program, employee: Employee | None) -> Participant | None:
    """Whether this person (None: someone new) may be added to the programme: raises
    ValidationError (on the email) when they have left or are enrolled already. Returns
    their withdrawn enrolment, if any, which adding takes back."""
    if employee is None:
        return None
    if not employee.user.is_active:
        raise ValidationError({"email": f"{employee.name} has left the organisation."})
    participant = Participant.objects.filter(program=program, employee=employee).first()
    if participant is not None and participant.withdrawn_at is None:
        raise ValidationError(
            {
                "email": f"{employee.name} is already enrolled in {program.name} as "
                f"{participant.get_role_display().lower()}."
            }
        )
    return participant


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
    update_directory: bool = False,
) -> Participant:
    """Enrol one person, as one CSV row would: someone new is created in the directory
    (with a manager not known yet, named after their address); someone already in it is
    enrolled as the directory has them, unless `update_directory` (people admins only)
    asks for their name, department, level and manager to change too.

    Raises ValidationError when they have left, or are enrolled already (their
    enrolment is theirs to edit, and re-adding them must not wipe their goals); someone
    who had withdrawn is taken back with these answers.
    """
    employee = Employee.objects.by_email(email).select_related("user", "manager").first()
    participant = participant_add_check(program=program, employee=employee)
    if update_directory:
        require_people_admin(actor)
    if employee is None or update_directory:
        manager = None
        if manager_email:
            manager = Employee.objects.by_email(manager_email).first()
            if manager is None:
                manager, _ = employee_upsert(email=manager_email, name=manager_email.split("@")[0])
        employee, _ = employee_upsert(
            email=email, name=name, department=department, level=level, manager=manager
        )
    created = participant is None
    if created:
        participant = Participant(program=program, employee=employee)
    participant.role = role
    participant.style = style
    participant.capacity = capacity
    participant.withdrawn_at = None
    participant.round = program.current_round
    participant.full_clean()
    participant.save()
    participant.goals.set(topics_from_names(goals))
    participant.expertise.set(topics_from_names(expertise))
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.PARTICIPANT_ADDED,
        summary=f"{'Enrolled' if created else 'Took back'} {employee.name} as "
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
    # The employee typed these; the form says so first, this is the last word.
    creator = participant.employee.user
    if problem := new_topics_problem(new=topics_new_among([*goals, *expertise]), creator=creator):
        raise ValidationError(problem)
    participant.full_clean()
    participant.save()
    participant.goals.set(topics_from_names(goals, created_by=creator))
    participant.expertise.set(topics_from_names(expertise, created_by=creator))
    return participant


def participants_mark_active(*, participant_ids: Iterable[int], at=None) -> None:
    """The people of these enrolments did something (answered, asked, logged a check-in,
    edited an enrolment): their Employee.last_active_at moves to ``at`` (now), never back."""
    at = at or timezone.now()
    Employee.objects.filter(
        Q(last_active_at=None) | Q(last_active_at__lt=at),
        pk__in=Participant.objects.filter(pk__in=list(participant_ids)).values("employee_id"),
    ).update(last_active_at=at)


def signed_in_mark_active(sender, request, user, **kwargs) -> None:
    """The receiver of user_logged_in (connected in ProgramsConfig): signing in is activity."""
    now = timezone.now()
    Employee.objects.filter(Q(last_active_at=None) | Q(last_active_at__lt=now), user=user).update(
        last_active_at=now
    )


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
    participant = Participant.objects.filter(program=program, employee=employee).first()
    if participant is not None and participant.withdrawn_at is None:
        raise ValidationError(f"You are already enrolled in {program.name}.")
    if participant is None:
        participant = Participant(program=program, employee=employee, role=role)
    else:
        # Someone who left the programme (or was withdrawn) comes back with new answers.
        participant.role = role
        participant.withdrawn_at = None
    participant.round = program.current_round
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
    participants_mark_active(participant_ids=[participant.pk])
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
    participants_mark_active(participant_ids=[participant.pk])
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


# What HR may change in someone's enrolment, by role: what they want or offer and how,
# never their own words (the note) nor their role.
HR_EDITABLE_FIELDS = {
    Participant.Role.MENTOR: ("expertise", "style", "capacity", "paused_until"),
    Participant.Role.MENTEE: ("goals", "style"),
    Participant.Role.PEER: ("goals", "style"),
}


def _topic_names(topics) -> list[str]:
    return sorted((t.name for t in topics), key=str.casefold)


@transaction.atomic
def participant_hr_update(*, participant: Participant, actor, **fields) -> list[str]:
    """An HR admin edits an enrolment: the fields of HR_EDITABLE_FIELDS for the person's
    role (goals and expertise as topic names, created as HR's imports create them).
    Returns the names of the fields that changed; the audit entry lists each with its old
    and new value, and nothing changed leaves no trace. Raises ValidationError on a field
    the role does not have or a refused value."""
    allowed = HR_EDITABLE_FIELDS[participant.role]
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(
            f"A {participant.get_role_display().lower()} has no "
            + ", ".join(sorted(unknown)).replace("_", " ")
            + "."
        )
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("employee", "program")
        .get(pk=participant.pk)
    )
    if participant.withdrawn_at is not None:
        raise ValidationError(f"{participant.employee.name} has withdrawn from the programme.")
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for name, value in fields.items():
        if name in ("goals", "expertise"):
            old = _topic_names(getattr(participant, name).all())
            topics = topics_from_names(value)
            new = _topic_names(topics)
            if {normalise_topic(n) for n in old} != {normalise_topic(n) for n in new}:
                getattr(participant, name).set(topics)
                before[name], after[name] = old, new
        elif getattr(participant, name) != value:
            before[name], after[name] = getattr(participant, name), value
            setattr(participant, name, value)
    scalar = [name for name in after if name not in ("goals", "expertise")]
    if scalar:
        participant.full_clean()
        participant.save(update_fields=scalar)
    if after:
        audit_record(
            program=participant.program,
            actor=actor,
            action=AuditEvent.Action.PARTICIPANT_CHANGED,
            summary=f"Changed {participant.employee.name}'s "
            + ", ".join(name.replace("_", " ") for name in after),
            detail={
                "email": participant.employee.email,
                **{
                    name: {"from": _audit_value(before[name]), "to": _audit_value(after[name])}
                    for name in after
                },
            },
        )
    return list(after)


@transaction.atomic
def participant_withdraw(*, participant: Participant, actor, reason: str = "") -> bool:
    """Take someone out of a programme: HR withdraws them, or (``actor`` being their own
    login) they leave it. Their enrolment and history stay, marked withdrawn, so matching
    leaves them out; through programs.signals.participants_withdrawn the pairing app
    closes their live proposals (cancelled) and pairings (ended), tells their partners
    and proposes them someone new where HR runs matching, all in this transaction.
    Returns False when they had withdrawn already (nothing happens twice)."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("employee", "program")
        .get(pk=participant.pk)
    )
    if participant.withdrawn_at is not None:
        return False
    participant.withdrawn_at = timezone.now()
    participant.save(update_fields=["withdrawn_at"])
    own = actor is not None and actor.pk == participant.employee.user_id
    participants_withdrawn.send(sender=Participant, participant_ids=[participant.pk], actor=actor)
    name = participant.employee.name
    Action = AuditEvent.Action
    audit_record(
        program=participant.program,
        actor=actor,
        action=Action.PARTICIPANT_LEFT if own else Action.PARTICIPANT_WITHDRAWN,
        summary=(f"{name} left the programme" if own else f"Withdrew {name}")
        + (f": {reason}" if reason else ""),
        detail={"email": participant.employee.email, "reason": reason},
    )
    return True


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


def require_people_admin(actor) -> None:
    # None is the command line or a SCIM client, already trusted by how they got in.
    if actor is not None and not is_people_admin(actor):
        raise PermissionDenied("Only people admins change the directory.")


def _leavers_mark(ids: list[int]) -> list[Employee]:
    """The leaving itself, without the audit entry: logins off, and the pairing app ends
    the live pairings. Returns those who were still active."""
    leaving = list(
        Employee.objects.filter(pk__in=ids, user__is_active=True)
        .select_related("user")
        .select_for_update(of=("self",))
    )
    if not leaving:
        return []
    get_user_model().objects.filter(pk__in=[e.user_id for e in leaving]).update(is_active=False)
    for employee in leaving:
        employee.user.is_active = False
    employees_left.send(sender=Employee, employee_ids=[e.pk for e in leaving])
    return leaving


@transaction.atomic
def employees_deactivate(*, employees: Iterable[Employee], actor) -> list[Employee]:
    """Mark people as leavers: their logins stop working at once (sessions included, as
    Django refuses an inactive user on the next request), and the pairing app ends their
    live pairings ("left the organisation") in this same transaction. Their enrolments
    and history stay, for reporting. Returns those who were still active; calling it for
    someone who has already left does nothing.
    """
    require_people_admin(actor)
    leaving = _leavers_mark([employee.pk for employee in employees])
    if not leaving:
        return []
    names = ", ".join(e.name for e in leaving[:5]) + (" and others" if len(leaving) > 5 else "")
    audit_record(
        program=None,
        actor=actor,
        action=AuditEvent.Action.PEOPLE_LEFT,
        summary=f"{len(leaving)} left the organisation: {names}",
        detail={"emails": [e.email for e in leaving]},
    )
    return leaving


@transaction.atomic
def employee_reactivate(*, employee: Employee, actor) -> bool:
    """Someone marked as a leaver is back (rehired, or marked by mistake): they can sign
    in again and matching may use their enrolments. Pairings that ended stay ended.
    Returns whether anything changed."""
    require_people_admin(actor)
    changed = (
        get_user_model().objects.filter(pk=employee.user_id, is_active=False).update(is_active=True)
    )
    if changed:
        employee.user.is_active = True
        audit_record(
            program=None,
            actor=actor,
            action=AuditEvent.Action.PERSON_RETURNED,
            summary=f"{employee.name} is back in the organisation",
            detail={"email": employee.email},
        )
    return bool(changed)


def people_admin_users():
    """Everyone who keeps the directory: the group's active members (superusers also
    pass is_people_admin, but are not listed as members)."""
    return get_user_model().objects.filter(groups__name=PEOPLE_ADMINS_GROUP, is_active=True)


@transaction.atomic
def people_admin_add(*, actor, user) -> None:
    """Put someone in the people admins group. Raises ValidationError when they cannot
    sign in or are in it already."""
    require_people_admin(actor)
    name = _person_name(user)
    if not user.is_active:
        raise ValidationError(f"{name} cannot sign in, so cannot be a people admin.")
    group, _ = Group.objects.get_or_create(name=PEOPLE_ADMINS_GROUP)
    if user.groups.filter(pk=group.pk).exists():
        raise ValidationError(f"{name} is already a people admin.")
    user.groups.add(group)
    audit_record(
        program=None,
        actor=actor,
        action=AuditEvent.Action.PEOPLE_ADMIN_ADDED,
        summary=f"Added {name} as a people admin",
        detail={"user_id": user.pk, "email": user.email},
    )


@transaction.atomic
def people_admin_remove(*, actor, user) -> None:
    """Take someone out of the people admins group. Raises ValidationError when they are
    not in it, or are its last active member and no active superuser could take over."""
    require_people_admin(actor)
    name = _person_name(user)
    # Locked so that two people admins removing each other at once cannot both succeed.
    group = Group.objects.select_for_update().get_or_create(name=PEOPLE_ADMINS_GROUP)[0]
    if not user.groups.filter(pk=group.pk).exists():
        raise ValidationError(f"{name} is not a people admin.")
    others = people_admin_users().exclude(pk=user.pk)
    superusers = get_user_model().objects.filter(is_superuser=True, is_active=True)
    if not others.exists() and not superusers.exists():
        raise ValidationError(f"{name} is the last people admin; add another one first.")
    user.groups.remove(group)
    audit_record(
        program=None,
        actor=actor,
        action=AuditEvent.Action.PEOPLE_ADMIN_REMOVED,
        summary=f"Removed {name} as a people admin",
        detail={"user_id": user.pk, "email": user.email},
    )


# The directory's fields of an employee: who they are, for every programme at once.
MASTER_DATA_FIELDS = ("name", "department", "title", "level", "manager", "time_zone")


@transaction.atomic
def employee_directory_update(
    *, actor, employee: Employee, active: bool | None = None, **fields
) -> list[str]:
    """A people admin changes one person's master data (any of MASTER_DATA_FIELDS) and,
    with `active`, marks them as a leaver or as back. Returns the names of the fields
    that changed ("active" included); nothing changed leaves no trace."""
    require_people_admin(actor)
    unknown = set(fields) - set(MASTER_DATA_FIELDS)
    if unknown:
        raise TypeError(f"not directory fields: {', '.join(sorted(unknown))}")
    if fields.get("manager") is not None and fields["manager"].pk == employee.pk:
        raise ValidationError({"manager": "A person cannot be their own manager."})
    before = {name: getattr(employee, name) for name in fields}
    changed = [name for name, value in fields.items() if before[name] != value]
    if changed:
        for name in changed:
            setattr(employee, name, fields[name])
        employee.full_clean()
        employee.save(update_fields=changed)
        audit_record(
            program=None,
            actor=actor,
            action=AuditEvent.Action.PERSON_CHANGED,
            summary=f"Changed {employee.name}: " + ", ".join(changed),
            detail={
                "email": employee.email,
                **{
                    name: {"from": _plain(before[name]), "to": _plain(fields[name])}
                    for name in changed
                },
            },
        )
    if active is False:
        moved = bool(employees_deactivate(employees=[employee], actor=actor))
    else:
        moved = active is True and employee_reactivate(employee=employee, actor=actor)
    if moved:
        changed.append("active")
    return changed


def _plain(value):
    """A field value as the audit log's JSON keeps it: a manager by their email."""
    return value.email if isinstance(value, Employee) else value


ERASED_NAME = "Erased person"


def erased_email(employee: Employee) -> str:
    """The address an erased person's rows carry: unique, and in a domain that can never
    receive mail (RFC 2606)."""
    return f"erased-{employee.pk}@erased.invalid"


def is_erased(employee: Employee) -> bool:
    return employee.email == erased_email(employee)


def employee_erase_problem(*, employee: Employee, actor) -> str | None:
    """Why `actor` may not erase `employee`, or None. The one rule the page and the service
    share."""
    if is_erased(employee):
        return "This person has already been erased."
    if actor is not None and actor.pk == employee.user_id:
        return "You cannot erase yourself."
    user = employee.user
    if user.is_superuser and not (actor is None or actor.is_superuser):
        return "Only a superuser can erase a superuser."
    if people_admin_users().filter(pk=user.pk).exists():
        others = people_admin_users().exclude(pk=user.pk)
        superusers = get_user_model().objects.filter(is_superuser=True, is_active=True)
        if not others.exists() and not superusers.exclude(pk=user.pk).exists():
            return f"{employee.name} is the last people admin; add another one first."
    return None


@transaction.atomic
def employee_erase(*, employee: Employee, actor) -> Employee:
    """Erase a person on request: first they leave (their live pairings end as a leaver's,
    partners are told and proposed again), then their login and directory fields are
    anonymised and, through programs.signals.employee_erased, the pairing app deletes the
    free text they wrote. Their rows stay under "Erased person", so partners' histories
    and every count and rating read as before. One transaction; the audit entry names the
    person by id only. Raises PermissionDenied for a refused actor, ValidationError for a
    refused erasure (themself, a superuser, the last people admin).
    """
    require_people_admin(actor)
    employee = Employee.objects.select_for_update().select_related("user").get(pk=employee.pk)
    if problem := employee_erase_problem(employee=employee, actor=actor):
        raise ValidationError(problem)
    _leavers_mark([employee.pk])
    user = employee.user
    old_addresses = {employee.email, user.email.lower(), user.get_username().lower()}
    address = erased_email(employee)
    user.username = address
    user.email = address
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user.administered_programs.clear()
    employee.email = address
    employee.name = ERASED_NAME
    employee.department = ""
    employee.title = ""
    employee.manager = None
    employee.time_zone = settings.TIME_ZONE
    employee.optional_emails = False
    # SCIM finds them no more; the HR system's own id for them goes too.
    employee.scim_id = None
    employee.scim_external_id = ""
    employee.save()
    Participant.objects.filter(employee=employee).update(note="")
    _sign_in_traces_delete(user=user, addresses=old_addresses)
    employee_erased.send(sender=Employee, employee_id=employee.pk)
    audit_record(
        program=None,
        actor=actor,
        action=AuditEvent.Action.PERSON_ERASED,
        summary=f"Erased person #{employee.pk}",
        detail={"employee_id": employee.pk},
    )
    return employee


def _sign_in_traces_delete(*, user, addresses: set[str]) -> None:
    """What the sign-in machinery keeps by the person's address or account: lockout
    records (django-axes) and two-factor devices. Their sessions need nothing: Django
    refuses an inactive user's session on its next request."""
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=addresses).delete()
    TOTPDevice.objects.filter(user=user).delete()


# --- pausing ----------------------------------------------------------------------------

MAX_PAUSE_WEEKS = 12


@transaction.atomic
def participant_pause(*, participant: Participant, weeks: int, user) -> Participant:
    """The person pauses their own enrolment for ``weeks`` (1 to MAX_PAUSE_WEEKS): nobody
    new is proposed to them (or shown them as a candidate) until it resumes by itself on
    that day, when they are reminded once (resume_remind)."""
    if participant.employee.user_id != user.pk:
        raise PermissionDenied("This is not your enrolment.")
    if not 1 <= weeks <= MAX_PAUSE_WEEKS:
        raise ValidationError(f"Pause for 1 to {MAX_PAUSE_WEEKS} weeks.")
    participant.paused_until = timezone.localdate() + timedelta(weeks=weeks)
    participant.save(update_fields=["paused_until"])
    participants_mark_active(participant_ids=[participant.pk])
    return participant


@transaction.atomic
def participant_resume(*, participant: Participant, user) -> Participant:
    """The person ends their pause now (a pause HR or the lapse rule set, too)."""
    if participant.employee.user_id != user.pk:
        raise PermissionDenied("This is not your enrolment.")
    participant.paused_until = None
    participant.save(update_fields=["paused_until"])
    participants_mark_active(participant_ids=[participant.pk])
    return participant


def _resuming(today) -> Q:
    """Enrolments whose pause ends ``today`` and who are still there to be told: enrolled,
    in the organisation, in a programme that is not closed."""
    return Q(paused_until=today, withdrawn_at=None, employee__user__is_active=True) & ~Q(
        program__status=Program.Status.CLOSED
    )


def resumes_due(*, today) -> list[int]:
    """The enrolments whose pause ends today and whose "you're back" email is not sent."""
    return list(
        Participant.objects.filter(_resuming(today))
        .exclude(resume_reminded_for=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def resume_remind(*, participant_id: int, today) -> bool:
    """Send the "you're back" email for a pause ending ``today``, at most once: the pause
    (resume_reminded_for) is claimed before sending and released if sending fails, so a
    task that runs twice or is retried never emails twice. False when there was nothing
    to send."""
    unclaimed = Q(resume_reminded_for=None) | Q(resume_reminded_for__lt=today)
    claimed = Participant.objects.filter(unclaimed, _resuming(today), pk=participant_id).update(
        resume_reminded_for=today
    )
    if claimed != 1:
        return False
    participant = Participant.objects.select_related("employee", "program").get(pk=participant_id)
    try:
        emails.pause_ended_send(participant=participant)
    except Exception:
        Participant.objects.filter(pk=participant_id).update(resume_reminded_for=None)
        raise
    return True
