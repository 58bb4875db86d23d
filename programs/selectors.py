"""Reads for programmes and enrolments, filtered by the viewer where access matters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from programs.models import (
    HR_ADMINS_GROUP,
    PEOPLE_ADMINS_GROUP,
    AuditEvent,
    Employee,
    ImportJob,
    Participant,
    Program,
)
from programs.permissions import is_hr_admin


def programs_open_for(*, employee, kind: str | None = None, today: date | None = None):
    """Programmes open for enrolment, each annotated with the viewer's own enrolment id
    (``my_participant_id``, None when not enrolled), by name."""
    programs = Program.objects.open_for_enrolment(today or timezone.localdate())
    if kind:
        programs = programs.filter(kind=kind)
    mine = Participant.objects.filter(program=OuterRef("pk"), employee=employee).values("pk")[:1]
    if employee is None:
        mine = Participant.objects.none().values("pk")
    return programs.annotate(my_participant_id=Subquery(mine)).order_by("name")


def program_for_enrolment(*, slug: str, employee) -> tuple[Program, Participant | None]:
    """The programme and the viewer's enrolment in it, for the enrol/edit form.

    Enrolling needs the programme open; editing one's own enrolment (the pause switch)
    works until the programme closes. Anything else is a 404.
    """
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        raise Http404("No such programme.")
    participant = (
        Participant.objects.filter(program=program, employee=employee)
        .select_related("employee")
        .prefetch_related("goals", "expertise")
        .first()
        if employee is not None
        else None
    )
    if participant is not None:
        if program.status == Program.Status.CLOSED:
            raise Http404("This programme has closed.")
        return program, participant
    if not Program.objects.open_for_enrolment().filter(pk=program.pk).exists():
        raise Http404("This programme is not open for enrolment.")
    return program, None


# --- The HR admin's pages (programs/views/hr.py, pairing/views/hr.py) -----------------


def programs_administered_by(*, user) -> QuerySet[Program]:
    """The programmes whose HR views `user` may open: the one rule every HR page, run and
    read-only pairing goes through.

    Superusers open all. Anyone else needs both the HR admins group and a place among the
    programme's admins: someone taken out of the group keeps their admin rows (the group
    is managed apart, in the Django admin) but must not keep a back door into any HR view.
    """
    if not is_hr_admin(user):
        return Program.objects.none()
    if user.is_superuser:
        return Program.objects.all()
    return Program.objects.filter(admins=user)


def program_for_admin(*, user, slug: str) -> Program:
    """The programme if `user` administers it (see programs_administered_by), else 404.

    Another HR admin's programme is a 404, not a 403: its existence is not theirs to know.
    """
    return get_object_or_404(programs_administered_by(user=user), slug=slug)


def programs_for_admin(*, user) -> QuerySet[Program]:
    """The programmes `user` administers, each with its count of enrolled people."""
    return programs_administered_by(user=user).annotate(
        participant_count=Count("participants", filter=Q(participants__withdrawn_at=None))
    )


def _in_hr_group(user_ref: OuterRef) -> Exists:
    """Whether the outer query's user is in the HR admins group, as an annotation."""
    memberships = get_user_model().groups.through.objects
    return Exists(memberships.filter(user=user_ref, group__name=HR_ADMINS_GROUP))


def program_admins(*, program: Program) -> QuerySet:
    """The programme's admins (users) by name, with their employee and `in_hr_group`:
    one out of the group opens none of its HR pages, and the admins page says so."""
    return (
        program.admins.select_related("employee")
        .annotate(in_hr_group=_in_hr_group(OuterRef("pk")))
        .order_by(Coalesce("employee__name", "username"), "pk")
    )


def admin_candidates(*, program: Program, search: str, limit: int) -> list[Employee]:
    """People of the directory whose name or email contains `search`, who can log in and
    do not administer the programme yet, by name, at most `limit`, with their user and
    `in_hr_group` (adding them puts them in it). Nothing for a blank search."""
    search = search.strip()
    if not search:
        return []
    return list(
        Employee.objects.filter(Q(name__icontains=search) | Q(email__icontains=search))
        .filter(user__is_active=True)
        .exclude(user__in=program.admins.all())
        .select_related("user")
        .annotate(in_hr_group=_in_hr_group(OuterRef("user")))
        .order_by("name", "pk")[:limit]
    )


def employee_by_email(*, email: str) -> Employee | None:
    """The directory's person with this address, with their login and manager."""
    return Employee.objects.by_email(email).select_related("user", "manager").first()


def program_audit_events(*, program: Program, limit: int = 50) -> QuerySet[AuditEvent]:
    """The programme's latest admin actions with who did them."""
    return program.audit_events.select_related("actor__employee")[:limit]


def program_departments(*, program: Program) -> list[str]:
    """The departments of the programme's participants, for the table's filter."""
    return list(
        Participant.objects.filter(program=program)
        .exclude(employee__department="")
        .order_by("employee__department")
        .values_list("employee__department", flat=True)
        .distinct()
    )


def _live_membership_model():
    # A pairing is pairing/'s business and programs/ never imports pairing/; the reverse
    # relation from Participant is how the table tells who is matched without that import.
    return Participant._meta.get_field("memberships").related_model


def participants_table(
    *,
    program: Program,
    search: str = "",
    role: str = "",
    level: int | None = None,
    department: str = "",
    matched: bool | None = None,
    paused: bool | None = None,
    today: date | None = None,
) -> QuerySet[Participant]:
    """The programme's enrolled participants, filtered, with `is_matched` (in a live
    pairing: proposed, accepted or active), their employee, manager and topics."""
    today = today or timezone.localdate()
    membership = _live_membership_model()
    participants = (
        Participant.objects.filter(program=program, withdrawn_at=None)
        .select_related("employee__manager", "employee__user")
        .prefetch_related("goals", "expertise")
        .annotate(
            is_matched=Exists(membership.objects.filter(participant=OuterRef("pk"), live=True))
        )
        .order_by("employee__name", "pk")
    )
    if search:
        participants = participants.filter(
            Q(employee__name__icontains=search) | Q(employee__email__icontains=search)
        )
    if role:
        participants = participants.filter(role=role)
    if level is not None:
        participants = participants.filter(employee__level=level)
    if department:
        participants = participants.filter(employee__department=department)
    if matched is not None:
        participants = participants.filter(is_matched=matched)
    if paused is True:
        participants = participants.filter(paused_until__gt=today)
    elif paused is False:
        participants = participants.filter(Q(paused_until=None) | Q(paused_until__lte=today))
    return participants


# Topics in one CSV cell, as the import reads them.
SEPARATOR = ";"


def _topic_cells(through, participants: QuerySet[Participant]) -> dict[int, str]:
    """Participant id -> their topics of one relation as one "A;B" cell, sorted by name:
    one flat query, joined here. (A correlated aggregate per row cost PostgreSQL about
    150 ms for 10,000 participants, and its estimated cost switched JIT compilation on.)"""
    names: dict[int, list[str]] = defaultdict(list)
    rows = through.objects.filter(participant__in=participants).values_list(
        "participant_id", "topic__name"
    )
    for participant_id, name in rows.iterator(chunk_size=5000):
        names[participant_id].append(name)
    return {pk: SEPARATOR.join(sorted(topics, key=str.casefold)) for pk, topics in names.items()}


def participants_export_rows(*, program: Program) -> Iterator[list]:
    """Every enrolled participant as a row in the participants CSV's column order
    (programs.importing.COLUMNS), by email: three flat queries (people, goals, expertise),
    the people read in chunks, no model objects, so a programme of thousands streams out
    at once."""
    enrolled = Participant.objects.filter(program=program, withdrawn_at=None)
    goals = _topic_cells(Participant.goals.through, enrolled)
    expertise = _topic_cells(Participant.expertise.through, enrolled)
    rows = (
        enrolled.annotate(manager_email=Coalesce("employee__manager__email", Value("")))
        .order_by("employee__email")
        .values_list(
            "pk",
            "employee__email",
            "employee__name",
            "employee__department",
            "employee__level",
            "manager_email",
            "role",
            "style",
            "capacity",
        )
    )
    for pk, *person, style, capacity in rows.iterator(chunk_size=2000):
        yield [*person, goals.get(pk, ""), expertise.get(pk, ""), style, capacity or ""]


def never_signed_in_count(*, program: Program) -> int:
    """How many of the programme's participants have never signed in (and could)."""
    return (
        Employee.objects.never_signed_in()
        .filter(enrolments__program=program, enrolments__withdrawn_at=None)
        .distinct()
        .count()
    )


# The directory's pages (people admins only; the views check, these read).

DIRECTORY_STATUSES = ("current", "leavers", "everyone")


def directory_people(
    *,
    search: str = "",
    department: str = "",
    level: int | None = None,
    status: str = "current",
    signed_in: bool | None = None,
) -> QuerySet[Employee]:
    """The directory filtered, by name, with each person's login (status, last sign-in)
    and manager. `status` is "current" (still in the organisation), "leavers" or
    "everyone"."""
    if status not in DIRECTORY_STATUSES:
        raise ValueError(f"unknown directory status: {status}")
    people = Employee.objects.select_related("user", "manager").order_by("name", "pk")
    if search:
        people = people.filter(Q(name__icontains=search) | Q(email__icontains=search))
    if department:
        people = people.filter(department=department)
    if level is not None:
        people = people.filter(level=level)
    if status == "current":
        people = people.filter(user__is_active=True)
    elif status == "leavers":
        people = people.filter(user__is_active=False)
    if signed_in is not None:
        people = people.filter(user__last_login__isnull=not signed_in)
    return people


def directory_departments() -> list[str]:
    """Every department someone in the directory is in, for the filter."""
    return list(
        Employee.objects.exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def directory_audit_events(*, limit: int = 20) -> QuerySet[AuditEvent]:
    """The directory's latest changes (audit events with no programme), with who did them."""
    return AuditEvent.objects.filter(program=None).select_related("actor__employee")[:limit]


def directory_person(*, pk: int) -> Employee:
    """One person of the directory, leavers included, with their login and manager."""
    return get_object_or_404(Employee.objects.select_related("user", "manager"), pk=pk)


def person_enrolments(*, employee: Employee) -> list[Participant]:
    """Every enrolment of the person, withdrawn ones included, newest first, with the
    programme and `live_pairings` (proposed, accepted or active pairings they are in)."""
    membership = _live_membership_model()
    live = (
        membership.objects.filter(participant=OuterRef("pk"), live=True)
        .order_by()
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Participant.objects.filter(employee=employee)
        .select_related("program")
        .annotate(live_pairings=Coalesce(Subquery(live), 0))
        .order_by("-enrolled_at", "-pk")
    )


def people_admins() -> QuerySet:
    """The people admins group's members (users) by name, with their employee; a member
    whose login is inactive is listed too, so they can be taken out."""
    return (
        get_user_model()
        .objects.filter(groups__name=PEOPLE_ADMINS_GROUP)
        .select_related("employee")
        .order_by(Coalesce("employee__name", "username"), "pk")
    )


def people_admin_candidates(*, search: str, limit: int) -> list[Employee]:
    """People of the directory whose name or email contains `search`, who can sign in and
    are not people admins yet, by name, at most `limit`. Nothing for a blank search."""
    search = search.strip()
    if not search:
        return []
    return list(
        Employee.objects.filter(Q(name__icontains=search) | Q(email__icontains=search))
        .filter(user__is_active=True)
        .exclude(user__groups__name=PEOPLE_ADMINS_GROUP)
        .select_related("user")
        .order_by("name", "pk")[:limit]
    )


def import_job_for_admin(*, user, pk: int) -> ImportJob:
    """The import job, without its file, if `user` administers its programme (or, for an
    import that belongs to no programme, started it); else 404."""
    visible = Q(program__in=programs_administered_by(user=user)) | Q(program=None, actor=user)
    jobs = ImportJob.objects.filter(kind=ImportJob.Kind.PARTICIPANTS).filter(visible)
    return get_object_or_404(jobs.defer("content").select_related("program"), pk=pk)


def directory_import_job(*, pk: int) -> ImportJob:
    """A directory import, without its file, for the people admins (who all keep the one
    directory, so each sees the others' imports); else 404."""
    jobs = ImportJob.objects.filter(kind=ImportJob.Kind.DIRECTORY, program=None)
    return get_object_or_404(jobs.defer("content"), pk=pk)
