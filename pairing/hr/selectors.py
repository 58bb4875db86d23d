"""Reads for the HR admin's pages (pairing/hr/views/), filtered by the viewer where
access matters: programmes and their participants, programme admins, imports, matching
runs, programme health and exports, and the people admins' directory.

These read pairing's models directly (who is matched, live pairings): the HR pages sit
above both apps, so programs/ never has to know about pairings.

Programme health, for the dashboard, is aggregated in SQL, a fixed number of queries
whatever the programme's size. Definitions (shown on the dashboard too):
- matched: a mentee or peer in a pairing they agreed to, accepted (starting later) or
  active (rules.AGREED_STATUSES); one with a proposal waiting for an answer is counted
  apart, as proposed, and is still waiting;
- acceptance / decline / expiry rates: over the pairings that got an answer (everything
  but those still proposed); accepted covers accepted, active and ended pairings;
- time to acceptance: from the proposal to the last member's acceptance;
- check-ins due: one per cadence elapsed since each pairing became active (until it
  ended); held: the check-ins logged;
- stalled: an active pairing with no check-in (or, without any, no activation) within
  two cadences;
- supply vs demand: topics wanted by active mentees still waiting (not matched), against
  the mentors who offer them and still have free capacity (not paused, fewer live pairings
  than their capacity); a topic nobody waits for is left out;
- trends: enrolments (withdrawn people included: they did enrol), acceptances (the last
  member's acceptance) and check-ins held, by ISO week (Monday to Sunday, in the
  organisation's time zone), over the last TREND_WEEKS weeks, this one included.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pairing import rules, schedule
from pairing.matching import (
    CRITERION_LABELS,
    GROUP_KINDS,
    Criterion,
    Reason,
    criterion_for_hr,
    for_hr,
)
from pairing.matching.preferences import DEFERRED_ACCEPTANCE
from pairing.matchmaking.adapter import rules_for
from pairing.models import (
    CaseSession,
    CheckIn,
    MatchRun,
    Pairing,
    PairingMember,
    Reminder,
    SurveyResponse,
)
from pairing.selectors import RoundFigures, candidates_for, round_figures
from programs.models import (
    HR_ADMINS_GROUP,
    PEOPLE_ADMINS_GROUP,
    AuditEvent,
    Employee,
    ImportJob,
    Participant,
    Program,
    ScimToken,
    Topic,
)
from programs.selectors import programs_administered_by
from programs.topics import SEPARATOR

# --- Programmes, participants, programme admins and imports ----------------------


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


def participants_page(
    *,
    program: Program,
    number: object,
    per_page: int,
    search: str = "",
    role: str = "",
    level: int | None = None,
    department: str = "",
    matched: bool | None = None,
    paused: bool | None = None,
    today: date | None = None,
) -> Page:
    """One page of the programme's enrolled participants, filtered and ordered by name,
    with their employee, manager and topics, `is_matched` (in an accepted or active
    pairing, rules.AGREED_STATUSES), how many live pairings they are in by status:
    `proposed_pairings`, `accepted_pairings`, `active_pairings` (a mentor may have several
    of each), and for a mentee or peer their live pairing's id and status
    (`live_pairing_id`, `live_pairing_status`; None without one), for the row's actions.

    The page's ids are chosen first and only its rows are annotated: PostgreSQL computes a
    select list's subqueries for every row it sorts, so one annotated query cost about
    190 ms for 10,000 participants (400 ms at page 50) against a few ms this way."""
    today = today or timezone.localdate()
    live = PairingMember.objects.filter(participant=OuterRef("pk"), live=True)
    agreed = Exists(live.filter(pairing__status__in=rules.AGREED_STATUSES))
    chosen = Participant.objects.filter(program=program, withdrawn_at=None)
    if search:
        chosen = chosen.filter(
            Q(employee__name__icontains=search) | Q(employee__email__icontains=search)
        )
    if role:
        chosen = chosen.filter(role=role)
    if level is not None:
        chosen = chosen.filter(employee__level=level)
    if department:
        chosen = chosen.filter(employee__department=department)
    if matched is not None:
        chosen = chosen.filter(agreed if matched else ~agreed)
    if paused is True:
        chosen = chosen.filter(paused_until__gt=today)
    elif paused is False:
        chosen = chosen.filter(Q(paused_until=None) | Q(paused_until__lte=today))
    ordering = ("employee__name", "pk")
    page = Paginator(chosen.order_by(*ordering).values_list("pk", flat=True), per_page).get_page(
        number
    )
    # A mentee or peer has at most one live membership (a database constraint).
    learner_live = live.exclude(role=PairingMember.Role.GUIDE)
    page.object_list = list(
        Participant.objects.filter(pk__in=list(page.object_list))
        # The programme too: the role's label depends on its kind.
        .select_related("program", "employee__manager", "employee__user")
        .prefetch_related("goals", "expertise")
        .annotate(
            is_matched=agreed,
            proposed_pairings=_count_of(live.filter(pairing__status=Pairing.Status.PROPOSED)),
            accepted_pairings=_count_of(live.filter(pairing__status=Pairing.Status.ACCEPTED)),
            active_pairings=_count_of(live.filter(pairing__status=Pairing.Status.ACTIVE)),
            live_pairing_id=Subquery(learner_live.values("pairing_id")[:1]),
            live_pairing_status=Subquery(learner_live.values("pairing__status")[:1]),
        )
        .order_by(*ordering)
    )
    return page


def participant_for_admin(*, user, slug: str, pk: int) -> Participant:
    """An enrolled (not withdrawn) participant of a programme `user` administers, with
    their employee and topics; else 404."""
    return get_object_or_404(
        Participant.objects.filter(
            program__in=programs_administered_by(user=user),
            program__slug=slug,
            withdrawn_at=None,
        )
        .select_related("program", "employee__user")
        .prefetch_related("goals", "expertise"),
        pk=pk,
    )


def participant_live_pairings(*, participant: Participant) -> list[Pairing]:
    """The participant's live proposals and pairings, oldest first, with their members
    and `others` (the members but the participant): what withdrawing them would close."""
    pairings = list(
        Pairing.objects.filter(members__participant=participant, members__live=True)
        .prefetch_related(
            Prefetch(
                "members", queryset=PairingMember.objects.select_related("participant__employee")
            )
        )
        .order_by("proposed_at", "pk")
    )
    for pairing in pairings:
        pairing.others = [m for m in pairing.members.all() if m.participant_id != participant.pk]
    return pairings


def proposal_for_admin(*, user, slug: str, pk: int) -> Pairing:
    """A pairing (any status) of a programme `user` administers, with its programme and
    members; else 404. The actions refuse one that is no longer an open proposal."""
    return get_object_or_404(
        Pairing.objects.filter(program__in=programs_administered_by(user=user), program__slug=slug)
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=PairingMember.objects.select_related("participant__employee"),
            )
        ),
        pk=pk,
    )


# Mentors shown on the reassign page at once; the search narrows them by name.
REASSIGN_SHOWN = 20


def reassign_candidates(*, pairing: Pairing, search: str = "") -> tuple[list, int]:
    """(the shown, how many in all) mentors an open proposal's mentee could be given
    instead of the proposed one, best score first: pairing.selectors.candidates_for's
    rule (enrolled, not paused, a free place, allowed, never declined), narrowed to names
    containing `search`, at most REASSIGN_SHOWN."""
    learner = next(
        (m.participant for m in pairing.members.all() if m.role == PairingMember.Role.LEARNER),
        None,
    )
    if learner is None:
        return [], 0
    guide_ids = {
        m.participant_id for m in pairing.members.all() if m.role == PairingMember.Role.GUIDE
    }
    learner = (
        Participant.objects.select_related("program", "employee")
        .prefetch_related("goals", "expertise")
        .get(pk=learner.pk)
    )
    found = [
        c for c in candidates_for(participant=learner, k=10**6) if c.participant.pk not in guide_ids
    ]
    search = search.strip().casefold()
    if search:
        found = [c for c in found if search in c.participant.employee.name.casefold()]
    return found[:REASSIGN_SHOWN], len(found)


def _count_of(members: QuerySet[PairingMember]) -> Coalesce:
    """How many of `members` (correlated to the outer participant) there are, as an
    annotation: evaluated for the rows shown only, unlike a grouped join."""
    counted = members.order_by().values("participant").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def _topic_cells(through, participants: QuerySet[Participant]) -> dict[int, str]:
    """Participant id -> their topics of one relation as one CSV cell ("A;B"), sorted by
    name: one flat query, joined here. (A correlated aggregate per row cost PostgreSQL about
    150 ms for 10,000 participants, and its estimated cost switched JIT compilation on.)"""
    names: dict[int, list[str]] = defaultdict(list)
    rows = through.objects.filter(participant__in=participants).values_list(
        "participant_id", "topic__name"
    )
    for participant_id, name in rows:
        names[participant_id].append(name)
    return {pk: SEPARATOR.join(sorted(topics, key=str.casefold)) for pk, topics in names.items()}


def participants_export_rows(*, program: Program) -> Iterator[list]:
    """Every enrolled participant as a row in the participants CSV's column order
    (programs.importing.COLUMNS), by email: three flat queries (people, goals, expertise)
    and no model objects. Each is fetched whole rather than through a server-side cursor: in
    autocommit PostgreSQL materialises a held cursor's result anyway, and the chunked
    fetches only added round trips (about a third of a 10,000-row export's time)."""
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
    for pk, *person, style, capacity in rows:
        yield [*person, goals.get(pk, ""), expertise.get(pk, ""), style, capacity or ""]


def never_signed_in_count(*, program: Program) -> int:
    """How many of the programme's participants have never signed in (and could)."""
    # One enrolment per person and programme (a constraint), so the join repeats nobody
    # and needs no DISTINCT, which made PostgreSQL sort every employee column.
    return (
        Employee.objects.never_signed_in()
        .filter(enrolments__program=program, enrolments__withdrawn_at=None)
        .count()
    )


# --- The directory's pages (people admins only; the views check, these read) --------

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
    live = (
        PairingMember.objects.filter(participant=OuterRef("pk"), live=True)
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


def scim_tokens_listed() -> QuerySet[ScimToken]:
    """Every SCIM token, revoked ones included, with who created and revoked it."""
    return ScimToken.objects.select_related("created_by__employee", "revoked_by__employee")


# --- Programme health (the dashboard) ----------------------------------------------

ACCEPTED_STATUSES = (Pairing.Status.ACCEPTED, Pairing.Status.ACTIVE, Pairing.Status.ENDED)
STALLED_SHOWN = 20
COMMENTS_SHOWN = 5


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def enrolment_by_role(*, program: Program) -> list[tuple[str, int]]:
    """(role label, people enrolled) for each of the programme's roles, zeros included."""
    counts = dict(
        Participant.objects.filter(program=program, withdrawn_at=None)
        .order_by()
        .values_list("role")
        .annotate(n=Count("pk"))
    )
    return [(program.role_label(role), counts.get(role, 0)) for role in program.roles]


def _with_live_membership(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """Join each mentee or peer to their live membership, if any. They have at most one
    (a database constraint; the several waiting self-select requests it allows are left
    out: they are not a pairing yet), so the join never multiplies rows; it is much faster than an
    EXISTS per row on programmes of thousands."""
    return participants.annotate(
        live_membership=FilteredRelation(
            "memberships", condition=Q(memberships__live=True, memberships__waiting_request=False)
        )
    )


def _in_pairing(*statuses: str) -> Q:
    """A participant of _with_live_membership whose live pairing has one of `statuses`."""
    return Q(live_membership__pairing__status__in=statuses)


def match_rate(*, program: Program) -> dict:
    """Of the mentees (or peers) enrolled, how many are matched (in an accepted or active
    pairing), and how many are in a pairing of each live status; `waiting` is everyone
    not matched, those with a proposal waiting for an answer included."""
    learners = Participant.objects.filter(
        program=program, withdrawn_at=None, role=program.learner_role
    )
    # One row per status (None: in no live pairing), grouped in SQL.
    by_status = dict(
        _with_live_membership(learners)
        .order_by()
        .values_list("live_membership__pairing__status")
        .annotate(n=Count("pk"))
    )
    total = sum(by_status.values())
    matched = sum(by_status.get(status, 0) for status in rules.AGREED_STATUSES)
    proposed = by_status.get(Pairing.Status.PROPOSED, 0)
    return {
        "total": total,
        "matched": matched,
        "proposed": proposed,
        "accepted": by_status.get(Pairing.Status.ACCEPTED, 0),
        "active": by_status.get(Pairing.Status.ACTIVE, 0),
        "waiting": total - matched,
        "unpaired": total - matched - proposed,
        "rate": _rate(matched, total),
    }


def pairing_outcomes(*, program: Program) -> dict:
    """Pairings by status, and acceptance, decline and expiry rates over those answered."""
    by_status = dict(
        Pairing.objects.filter(program=program)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    accepted = sum(by_status.get(status, 0) for status in ACCEPTED_STATUSES)
    declined = by_status.get(Pairing.Status.DECLINED, 0)
    expired = by_status.get(Pairing.Status.EXPIRED, 0)
    answered = accepted + declined + expired
    return {
        "by_status": [(label, by_status.get(value, 0)) for value, label in Pairing.Status.choices],
        "pending": by_status.get(Pairing.Status.PROPOSED, 0),
        "accepted": accepted,
        "declined": declined,
        "expired": expired,
        "answered": answered,
        "acceptance_rate": _rate(accepted, answered),
        "decline_rate": _rate(declined, answered),
        "expiry_rate": _rate(expired, answered),
    }


def decline_reasons(*, program: Program) -> list[tuple[str, int]]:
    """(reason label, members who declined for it), every reason listed, most common first."""
    counts = dict(
        PairingMember.objects.filter(
            pairing__program=program, response=PairingMember.Response.DECLINED
        )
        .order_by()
        .values_list("decline_reason")
        .annotate(n=Count("pk"))
    )
    rows = [(label, counts.get(value, 0)) for value, label in PairingMember.DeclineReason.choices]
    return sorted(rows, key=lambda row: -row[1])


def acceptances(*, program: Program) -> list[tuple[datetime, datetime]]:
    """(proposed at, accepted at: the last member's acceptance) of every pairing accepted."""
    return list(
        Pairing.objects.filter(program=program, status__in=ACCEPTED_STATUSES)
        .order_by()
        .annotate(accepted_at=Max("members__responded_at"))
        .filter(accepted_at__isnull=False)
        .values_list("proposed_at", "accepted_at")
    )


def median_time_to_acceptance(
    *, program: Program, accepted: list[tuple[datetime, datetime]] | None = None
) -> timedelta | None:
    """The median time from proposal to the last member's acceptance, or None; from
    `accepted` (as `acceptances` returns it) when the caller has it already."""
    if accepted is None:
        accepted = acceptances(program=program)
    durations = [accepted_at - proposed_at for proposed_at, accepted_at in accepted]
    return statistics.median(durations) if durations else None


def duration_text(duration: timedelta | None) -> str:
    """ "2 days 5 hours", "3 hours", "under an hour": as precise as a dashboard needs."""
    if duration is None:
        return ""
    hours = int(duration.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts) or "under an hour"


def checkins_by_day(*, program: Program) -> dict[date, int]:
    """Check-ins held in the programme, by the day they were held: at most a row a day."""
    return dict(
        CheckIn.objects.filter(pairing__program=program)
        .order_by()
        .values_list("held_on")
        .annotate(n=Count("pk"))
    )


def checkins_held_vs_due(
    *, program: Program, today: date | None = None, by_day: dict[date, int] | None = None
) -> dict:
    """Check-ins logged, against one per cadence elapsed in each pairing's active life;
    those logged from `by_day` (as `checkins_by_day` returns it) when the caller has it."""
    today = today or timezone.localdate()
    cadence = program.checkin_cadence_days
    # Grouped by (activation day, end day): a few hundred rows however many pairings.
    spans = (
        Pairing.objects.filter(program=program, activated_at__isnull=False)
        .order_by()
        .values_list("activated_at__date", "ended_at__date")
        .annotate(n=Count("pk"))
    )
    due = sum(
        n
        * schedule.checkins_due(
            active_from=activated, until=min(today, ended or today), cadence_days=cadence
        )
        for activated, ended, n in spans
    )
    if by_day is None:
        by_day = checkins_by_day(program=program)
    held = sum(by_day.values())
    return {"held": held, "due": due, "rate": _rate(min(held, due), due)}


def stalled_pairings(*, program: Program, today: date | None = None) -> tuple[int, list[Pairing]]:
    """(how many, the first few) active pairings without a check-in for two cadences,
    longest silent first."""
    today = today or timezone.localdate()
    cutoff = schedule.stalled_cutoff(today=today, cadence_days=program.checkin_cadence_days)
    stalled = list(
        Pairing.objects.filter(program=program, status=Pairing.Status.ACTIVE)
        .annotate(last_checkin=Max("checkins__held_on"))
        .filter(Q(last_checkin__lt=cutoff) | Q(last_checkin=None, activated_at__date__lt=cutoff))
        .order_by(F("last_checkin").asc(nulls_first=True), "pk")
        .values_list("pk", "last_checkin")
    )
    shown = dict(stalled[:STALLED_SHOWN])
    pairings = Pairing.objects.filter(pk__in=shown).prefetch_related(
        Prefetch("members", queryset=PairingMember.objects.select_related("participant__employee"))
    )
    for pairing in pairings:
        pairing.last_checkin = shown[pairing.pk]
    order = list(shown)
    return len(stalled), sorted(pairings, key=lambda pairing: order.index(pairing.pk))


def free_mentors(*, program: Program, today: date | None = None) -> QuerySet[Participant]:
    """Mentors enrolled, not paused, with fewer live pairings than their capacity."""
    mentors = Participant.objects.active(today).filter(
        program=program, role=Participant.Role.MENTOR
    )
    # A proposal waiting for an answer holds a place, as on the candidates page.
    return (
        rules.with_guide_load(mentors, with_proposals=True)
        .annotate(places=Coalesce("capacity", program.default_capacity))
        .filter(places__gt=F("load"))
    )


@dataclass(frozen=True)
class TopicBalance:
    name: str
    waiting: int  # active mentees who want it and are not matched yet
    offered: int  # mentors with free capacity who offer it

    @property
    def unmet(self) -> bool:
        return self.offered == 0


def supply_and_demand(*, program: Program, today: date | None = None) -> list[TopicBalance]:
    """Every topic a mentee still waiting wants (see `match_rate`), with the free mentors
    who offer it: those nobody offers first, then the most waited for. Empty for peer
    coaching, where peers share goals rather than offer expertise."""
    if program.is_peer:
        return []
    learners = Participant.objects.active(today).filter(program=program, role=program.learner_role)
    demand = {
        topic_id: wanted - matched
        for topic_id, wanted, matched in _with_live_membership(learners)
        .filter(goals__isnull=False)
        .order_by()
        .values_list("goals")
        .annotate(
            wanted=Count("pk"), matched=Count("pk", filter=_in_pairing(*rules.AGREED_STATUSES))
        )
        if wanted > matched
    }
    supply = dict(
        Participant.expertise.through.objects.filter(
            participant__in=free_mentors(program=program, today=today).values("pk"),
            topic_id__in=demand,
        )
        .order_by()
        .values_list("topic_id")
        .annotate(n=Count("participant_id"))
    )
    names = dict(Topic.objects.filter(pk__in=demand).values_list("pk", "name"))
    rows = [TopicBalance(names[pk], waiting, supply.get(pk, 0)) for pk, waiting in demand.items()]
    return sorted(rows, key=lambda row: (row.offered > 0, -row.waiting, row.name))


# A quarter: long enough to see a trend, short enough to read as one bar a week on a phone.
TREND_WEEKS = 12


@dataclass(frozen=True)
class WeekCounts:
    starts: date  # the week's Monday
    enrolments: int
    acceptances: int
    checkins: int

    @property
    def iso_week(self) -> str:
        """ "2026-W49": the ISO year and week number."""
        year, week, _ = self.starts.isocalendar()
        return f"{year}-W{week:02}"


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def weekly_trends(
    *,
    program: Program,
    today: date | None = None,
    accepted: list[tuple[datetime, datetime]] | None = None,
    checkins: dict[date, int] | None = None,
) -> list[WeekCounts]:
    """Enrolments, acceptances and check-ins held in each of the last TREND_WEEKS ISO
    weeks, oldest first, empty weeks included; acceptances and check-ins from `accepted`
    and `checkins` (as `acceptances` and `checkins_by_day` return them) when the caller
    has them already. Grouped by day in SQL (at most one row a day), then by week here,
    so the time zone is the one Django uses."""
    today = today or timezone.localdate()
    first = week_start(today) - timedelta(weeks=TREND_WEEKS - 1)
    weeks = [first + timedelta(weeks=n) for n in range(TREND_WEEKS)]
    counts = {kind: dict.fromkeys(weeks, 0) for kind in ("enrolments", "acceptances", "checkins")}

    def add(kind: str, day: date, n: int = 1) -> None:
        week = week_start(day)
        if week in counts[kind]:
            counts[kind][week] += n

    enrolled = (
        Participant.objects.filter(
            program=program, enrolled_at__gte=timezone.make_aware(datetime.combine(first, time()))
        )
        .order_by()
        .annotate(day=TruncDate("enrolled_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    for day, n in enrolled:
        add("enrolments", day, n)
    if checkins is None:
        checkins = checkins_by_day(program=program)
    for day, n in checkins.items():
        add("checkins", day, n)
    if accepted is None:
        accepted = acceptances(program=program)
    for _, accepted_at in accepted:
        add("acceptances", timezone.localdate(accepted_at))
    return [
        WeekCounts(
            week,
            counts["enrolments"][week],
            counts["acceptances"][week],
            counts["checkins"][week],
        )
        for week in weeks
    ]


def survey_summary(*, program: Program) -> dict:
    """The closing survey: average rating, answers, ratings 1-5, latest comments."""
    answers = SurveyResponse.objects.filter(participant__program=program)
    totals = answers.aggregate(
        average=Avg("rating"),
        count=Count("pk"),
        **{f"rated_{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
    )
    comments = (
        answers.exclude(what_helped="")
        .select_related("participant")
        .order_by("-submitted_at", "-pk")[:COMMENTS_SHOWN]
    )
    return {
        "average": round(totals["average"], 1) if totals["average"] is not None else None,
        "count": totals["count"],
        "ratings": [(str(n), totals[f"rated_{n}"]) for n in range(1, 6)],
        "comments": list(comments),
    }


def group_figures(*, program: Program) -> dict:
    """A group programme's own figures: its running groups by size (members who joined),
    the sessions they held and who came (of the members now in each group), and, in
    co-development, the cases brought and by how many different members. Four queries."""
    running = (Pairing.Status.ACTIVE, Pairing.Status.ACCEPTED)
    size_of = dict(
        PairingMember.objects.filter(
            pairing__program=program,
            pairing__status__in=running,
            live=True,
            response=PairingMember.Response.ACCEPTED,
        )
        .order_by()
        .values_list("pairing_id")
        .annotate(n=Count("pk"))
    )
    sessions = dict(
        CheckIn.objects.filter(pairing__program=program, pairing__status__in=running)
        .order_by()
        .values_list("pairing_id")
        .annotate(n=Count("pk"))
    )
    attended = CheckIn.attended.through.objects.filter(
        checkin__pairing__program=program, checkin__pairing__status__in=running
    ).count()
    possible = sum(n * size_of.get(pairing_id, 0) for pairing_id, n in sessions.items())
    cases = CaseSession.objects.filter(checkin__pairing__program=program).aggregate(
        cases=Count("pk"), presenters=Count("presenter", distinct=True)
    )
    sizes = sorted(size_of.values())
    by_size = defaultdict(int)
    for size in sizes:
        by_size[size] += 1
    return {
        "running": len(sizes),
        "people": sum(sizes),
        "mean_size": round(sum(sizes) / len(sizes), 1) if sizes else None,
        "by_size": [(f"{size} members", by_size[size]) for size in sorted(by_size)],
        "sessions": sum(sessions.values()),
        "attended": attended,
        "possible": possible,
        "attendance_rate": _rate(attended, possible),
        "cases": cases["cases"],
        "presenters": cases["presenters"],
    }


# Reminders in doubt listed on the dashboard; the count covers them all.
IN_DOUBT_SHOWN = 20


def reminders_in_doubt(*, program: Program) -> tuple[int, list[Reminder]]:
    """(how many, the latest few) reminders a worker stopped while handing over to the mail
    server (Reminder.doubted_at): sent again with the same Message-ID, so the person may have
    had two, or still waiting for that resend."""
    doubted = Reminder.objects.filter(pairing__program=program, doubted_at__isnull=False)
    latest = doubted.select_related("recipient__employee").order_by("-doubted_at", "-pk")
    return doubted.count(), list(latest[:IN_DOUBT_SHOWN])


HEALTH_PARTS = (
    "enrolment",
    "match",
    "outcomes",
    "decline_reasons",
    "median_acceptance",
    "checkins",
    "stalled",
    "in_doubt",
    "topics",
    "trends",
    "survey",
    "groups",
)


def program_health(
    *, program: Program, today: date | None = None, parts: Collection[str] = HEALTH_PARTS
) -> dict:
    """What the dashboard shows, in one dictionary: every part of HEALTH_PARTS, or only
    those in `parts` (one chart's CSV needs one, and the topics alone cost more than most
    charts together). "median_acceptance", "stalled" and "in_doubt" come with a second key
    each: the text, the count."""
    today = today or timezone.localdate()
    wanted = set(parts)
    if unknown := wanted - set(HEALTH_PARTS):
        raise ValueError(f"unknown dashboard parts: {sorted(unknown)}")
    # Read once when two parts share them.
    accepted = acceptances(program=program) if wanted & {"median_acceptance", "trends"} else []
    by_day = checkins_by_day(program=program) if wanted & {"checkins", "trends"} else {}
    reads = {
        "enrolment": lambda: enrolment_by_role(program=program),
        "match": lambda: match_rate(program=program),
        "outcomes": lambda: pairing_outcomes(program=program),
        "decline_reasons": lambda: decline_reasons(program=program),
        "median_acceptance": lambda: median_time_to_acceptance(program=program, accepted=accepted),
        "checkins": lambda: checkins_held_vs_due(program=program, today=today, by_day=by_day),
        "stalled": lambda: stalled_pairings(program=program, today=today),
        "in_doubt": lambda: reminders_in_doubt(program=program),
        "topics": lambda: supply_and_demand(program=program, today=today),
        "trends": lambda: weekly_trends(
            program=program, today=today, accepted=accepted, checkins=by_day
        ),
        "survey": lambda: survey_summary(program=program),
        "groups": lambda: group_figures(program=program) if program.is_group else None,
    }
    health = {part: reads[part]() for part in HEALTH_PARTS if part in wanted}
    if "median_acceptance" in health:
        health["median_acceptance_text"] = duration_text(health["median_acceptance"])
    if "stalled" in health:
        health["stalled_count"], health["stalled"] = health["stalled"]
    if "in_doubt" in health:
        health["in_doubt_count"], health["in_doubt"] = health["in_doubt"]
    return health


PAIRING_COLUMNS = (
    "pairing",
    "status",
    "source",
    "score",
    "mentor_email",
    "mentor_name",
    "member_emails",
    "member_names",
    "proposed_at",
    "activated_at",
    "ended_at",
    "checkins",
    "last_checkin",
)


def _iso(value) -> str:
    return value.isoformat() if value else ""


# A group programme's export: the pairs' columns, where member_* are the people in the group
# now and not_in_group_emails whoever was asked but declined, never answered or left; then
# who came to its sessions.
GROUP_COLUMNS = (
    *PAIRING_COLUMNS[:8],
    "not_in_group_emails",
    *PAIRING_COLUMNS[8:],
    "attended",
    "attendance_rate",
)


def export_columns(program: Program) -> tuple[str, ...]:
    return GROUP_COLUMNS if program.is_group else PAIRING_COLUMNS


def pairing_export_rows(*, program: Program) -> Iterator[list]:
    """Every pairing (or group) of the programme as an export_columns row, with its
    check-in totals; peers are all in member_*. Flat queries (members, pairings, and for
    groups who attended) and no model objects: building instances for every member cost
    most of the export's time under load."""
    group = program.is_group
    # Per pairing: (guides, members, not in the group).
    members: dict[int, tuple[list, list, list]] = defaultdict(lambda: ([], [], []))
    for pairing_id, role, email, name, live, response, status in (
        PairingMember.objects.filter(pairing__program=program)
        .order_by("pairing", "role", "pk")
        .values_list(
            "pairing_id",
            "role",
            "participant__employee__email",
            "participant__employee__name",
            "live",
            "response",
            "pairing__status",
        )
    ):
        # rules.in_group, on values; a closed group keeps everyone who was in it at the end.
        gone = not live and status in Pairing.LIVE_STATUSES
        out = group and (response == PairingMember.Response.DECLINED or gone)
        side = 2 if out else int(role != PairingMember.Role.GUIDE)
        members[pairing_id][side].append((email, name))
    attended = (
        dict(
            CheckIn.attended.through.objects.filter(checkin__pairing__program=program)
            .order_by()
            .values_list("checkin__pairing_id")
            .annotate(n=Count("pk"))
        )
        if group
        else {}
    )
    pairings = (
        Pairing.objects.filter(program=program)
        .annotate(checkin_count=Count("checkins"), last_checkin=Max("checkins__held_on"))
        .order_by("pk")
        .values_list(
            "pk",
            "status",
            "source",
            "score",
            "proposed_at",
            "activated_at",
            "ended_at",
            "checkin_count",
            "last_checkin",
        )
    )
    for pk, status, source, score, proposed, activated, ended, checkins, last in pairings:
        guides, others, out = members[pk]
        row = [
            pk,
            status,
            source,
            round(score, 2),
            ";".join(email for email, _ in guides),
            ";".join(name for _, name in guides),
            ";".join(email for email, _ in others),
            ";".join(name for _, name in others),
        ]
        if group:
            row.append(";".join(email for email, _ in out))
        row += [_iso(proposed), _iso(activated), _iso(ended), checkins, _iso(last)]
        if group:
            came, places = attended.get(pk, 0), checkins * (len(guides) + len(others))
            rate = _rate(came, places)
            row += [came, "" if rate is None else rate]
        yield row


# --- The matching run pages --------------------------------------------------------


def match_run_for_admin(*, user, pk: int) -> MatchRun:
    """The run if `user` administers its programme, else 404."""
    return get_object_or_404(
        MatchRun.objects.select_related("program", "created_by__employee"),
        pk=pk,
        program__in=programs_administered_by(user=user),
    )


def match_runs_recent(*, program: Program, limit: int = 10) -> QuerySet[MatchRun]:
    return program.match_runs.select_related("created_by__employee").defer("result")[:limit]


@dataclass(frozen=True)
class RunPerson:
    key: str
    name: str
    email: str
    level: int | None = None
    department: str = ""


@dataclass(frozen=True)
class RunCriterion:
    """One criterion of a proposed pair, for HR: "Goals: 25 of 50 - covers 2 of ..."."""

    label: str
    points: float
    weight: float
    text: str
    scored: bool


@dataclass(frozen=True)
class RunPairing:
    guide: RunPerson | None
    members: list[RunPerson]
    score: float
    breakdown: dict
    pinned: bool
    # Empty for runs computed before the reasons were stored (the page says so).
    criteria: list[RunCriterion] = field(default_factory=list)
    # Who of them was left without a partner last round (served first).
    waited: list[RunPerson] = field(default_factory=list)

    @property
    def first(self) -> RunPerson:
        """The pair's first key as the run services take it: the guide, or the first peer."""
        return self.guide or self.members[0]

    @property
    def second(self) -> RunPerson:
        return self.members[-1]

    @property
    def reasons(self) -> list[RunCriterion]:
        """The criteria that scored: the reasons for the pair."""
        return [c for c in self.criteria if c.scored]

    @property
    def unscored(self) -> list[RunCriterion]:
        """The criteria that earned nothing, which HR may want to know about."""
        return [c for c in self.criteria if not c.scored]


@dataclass(frozen=True)
class RunMember:
    """Someone in a proposed group, with why they fit it in HR's words."""

    person: RunPerson
    reasons: list[str]


@dataclass(frozen=True)
class RunGroup:
    """A proposed group: its mentor (group mentoring) or None, its members, its mean score
    and breakdown as criteria (points of the programme's weights)."""

    guide: RunMember | None
    members: list[RunMember]
    score: float
    criteria: list[tuple[str, float, float]]  # label, points, weight
    pinned: bool
    # Who of its members was left out last round (served first).
    waited: list[RunPerson] = field(default_factory=list)

    @property
    def everyone(self) -> list[RunMember]:
        return [self.guide, *self.members] if self.guide else self.members

    @property
    def keys(self) -> list[str]:
        """What the group's buttons post: everyone's participant key, the mentor's too."""
        return [member.person.key for member in self.everyone]

    @property
    def first_name(self) -> str:
        return self.everyone[0].person.name


def _run_criterion(data: dict) -> RunCriterion:
    criterion = Criterion.from_dict(data)
    return RunCriterion(
        label=CRITERION_LABELS[criterion.name],
        points=criterion.points,
        weight=criterion.weight,
        text=criterion_for_hr(criterion.reason),
        scored=criterion.scored,
    )


def _hr_reasons(item: dict, name: str) -> list[str]:
    """An unmatched person's reasons in HR's words; runs computed before the reasons were
    stored as data kept the person's own words, which are shown as they are."""
    if "why" not in item:
        return item["reasons"]
    return [for_hr(Reason.from_dict(reason), name) for reason in item["why"]]


@dataclass(frozen=True)
class PickOption:
    """A person offered by the pin form's pick-lists. ``value`` is what the browser puts
    in the field; `email_in` reads the email back out of it."""

    name: str
    email: str

    @property
    def value(self) -> str:
        return f"{self.name} ({self.email})"

    @staticmethod
    def email_in(text: str) -> str | None:
        """The email of a picked ``value``, or the text itself when it is an email, else None
        (then it is a name)."""
        picked = _PICKED.search(text)
        if picked:
            return picked.group(1)
        return text if "@" in text else None


_PICKED = re.compile(r"\(([^()\s]+@[^()\s]+)\)\s*$")
# People suggested by each pick-list before anything is typed; typing searches everyone.
PICKS_SUGGESTED = 200
PICK_SIDES = ("first", "second")


def pin_role(*, program: Program, side: str) -> str:
    """Whom a side of the pin form names: peers, or the mentor (first) and mentee (second)."""
    if program.is_peer:
        return Participant.Role.PEER
    return Participant.Role.MENTOR if side == "first" else Participant.Role.MENTEE


def run_people(*, run: MatchRun) -> dict[str, RunPerson]:
    """Participant key -> name, email, level and department, for everyone a run can name:
    its programme's participants as they are today."""
    return {
        str(pk): RunPerson(str(pk), name, email, level, department)
        for pk, email, name, level, department in Participant.objects.filter(
            program=run.program
        ).values_list(
            "pk", "employee__email", "employee__name", "employee__level", "employee__department"
        )
    }


# Someone the run named who has been deleted since.
GONE = RunPerson("", "(no longer in the programme)", "")


def _suggested(people: list[RunPerson]) -> list[PickOption]:
    found = sorted((p for p in people if p is not GONE), key=lambda p: (p.name, p.email))
    return [PickOption(p.name, p.email) for p in found[:PICKS_SUGGESTED]]


def match_run_review(*, run: MatchRun) -> dict:
    """A finished run's result, with names, for HR to review: pairings best first (pins on
    top) with their criteria in words, the unmatched with HR's reasons, the guides with
    places left, the totals, and the pin form's first suggestions: the unmatched, and the
    mentors with places left."""
    result = run.result
    if not result:
        return {}
    people = run_people(run=run)

    def person(key: str) -> RunPerson:
        return people.get(key, GONE)

    unmatched = []
    for item in result["unmatched"]:
        who = person(item["key"])
        unmatched.append((who, _hr_reasons(item, who.name)))
    spare = [(person(s["key"]), s["free"]) for s in result["spare_capacity"]]
    common = {
        "unmatched": unmatched,
        "spare_capacity": spare,
        "totals": result["totals"],
        "removed": [[people[key] for key in pair if key in people] for pair in run.removed],
    }
    if result.get("kind") in GROUP_KINDS:
        return {**common, **_group_review(run, result, person)}
    pairings = [
        RunPairing(
            person(item["guide"]) if item["guide"] else None,
            [person(key) for key in item["members"]],
            item["score"],
            item["breakdown"],
            item["pinned"],
            [_run_criterion(c) for c in item.get("criteria", ())],
            [person(key) for key in item.get("waited", ())],
        )
        for item in result["pairings"]
    ]
    pairings.sort(key=lambda p: (not p.pinned, -p.score, p.first.name))
    seekers = _suggested([who for who, _ in unmatched])
    return {
        **common,
        "pairings": pairings,
        # The best score a pair could reach under the run's weights (older runs did not
        # keep it: the programme's weights today).
        "max_score": result["totals"].get("max_score", rules_for(run.program).max_score),
        "ranks": _rank_tables(result["totals"].get("ranks")),
        "picks": {
            "first": seekers if run.program.is_peer else _suggested([who for who, _ in spare]),
            "second": seekers,
        },
    }


def _rank_tables(ranks: dict | None) -> dict | None:
    """A run's rank tables as `preferences.compare` gives them: runs stored before peers
    had a table kept deferred acceptance under its own key."""
    if ranks and "deferred_acceptance" in ranks:
        return {
            "ours": ranks["ours"],
            "baseline": ranks["deferred_acceptance"],
            "baseline_name": DEFERRED_ACCEPTANCE,
        }
    return ranks


# What HR's page calls one group of each kind.
GROUP_UNITS = {
    Program.Kind.PEER_CIRCLES: ("circle", "circles"),
    Program.Kind.CO_DEVELOPMENT: ("group", "groups"),
    Program.Kind.GROUP_MENTORING: ("group", "groups"),
}


def _group_review(run: MatchRun, result: dict, person) -> dict:
    """The group parts of a run's review: each group (pins first, then best first) with
    its mentor and its members by name, everyone's level, department and reasons in HR's
    words, and its criteria."""
    # Out of the programme's weights today: a run keeps only its best score (max_score).
    programme = rules_for(run.program)
    weight = {
        "goals": programme.weight_goals,
        "level": programme.weight_level,
        "style": programme.weight_style,
        "department": programme.weight_department,
    }

    def member(key: str, reasons: dict) -> RunMember:
        who = person(key)
        why = [for_hr(Reason.from_dict(r), who.name) for r in reasons.get(key, ())]
        return RunMember(who, why)

    groups = [
        RunGroup(
            guide=member(item["guide"], item["reasons"]) if item["guide"] else None,
            members=sorted(
                (member(key, item["reasons"]) for key in item["members"]),
                key=lambda m: (m.person.name, m.person.key),
            ),
            score=item["score"],
            criteria=[
                (CRITERION_LABELS[name], points, weight[name])
                for name, points in item["breakdown"].items()
            ],
            pinned=item["pinned"],
            waited=sorted(
                (person(key) for key in item.get("waited", ())), key=lambda p: (p.name, p.key)
            ),
        )
        for item in result["pairings"]
    ]
    groups.sort(key=lambda g: (not g.pinned, -g.score, g.first_name))
    return {
        "is_group": True,
        "unit": GROUP_UNITS[result["kind"]],
        "pairings": groups,
        "max_score": result["totals"]["max_score"],
    }


def pin_candidates(*, program: Program, side: str, search: str, limit: int) -> list[PickOption]:
    """The programme's available people for one side of the pin form whose name or email
    contains ``search`` (the email of a picked suggestion, which the browser sends again), by
    name, at most ``limit`` (one query)."""
    search = PickOption.email_in(search) or search
    rows = (
        Participant.objects.active()
        .filter(program=program, role=pin_role(program=program, side=side))
        .filter(Q(employee__name__icontains=search) | Q(employee__email__icontains=search))
        .order_by("employee__name", "pk")
        .values_list("employee__name", "employee__email")[:limit]
    )
    return [PickOption(name, email) for name, email in rows]


def pin_people(*, program: Program, emails: list[str], names: list[str]) -> list[tuple]:
    """(key, email, name, role) of the programme's participants with one of these emails
    or (case aside) names, in one query, for the pin form to resolve what was typed."""
    match = Q(employee__email__in=emails)
    for name in names:
        match |= Q(employee__name__iexact=name)
    return [
        (str(pk), email, name, role)
        for pk, email, name, role in Participant.objects.filter(program=program)
        .filter(match)
        .order_by("pk")
        .values_list("pk", "employee__email", "employee__name", "role")
    ]


# --- rounds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundRow:
    number: int
    started_at: datetime
    started_by: str  # a name, "the schedule", or "" for the first round
    everyone: bool | None  # None for the first round: nobody moved on into it
    figures: RoundFigures
    current: bool


def round_history(*, program: Program) -> list[RoundRow]:
    """Every round of the programme, the current one last, with its figures: kept when
    the round ended, counted now for the current one. Three queries."""
    stored = {r.number: r for r in program.rounds.select_related("started_by__employee").order_by()}
    rows = []
    for number in range(1, program.current_round + 1):
        row = stored.get(number)
        current = number == program.current_round
        if current or row is None or not row.summary:
            figures = round_figures(program=program, number=number)
        else:
            figures = RoundFigures(**row.summary)
        if row is None or number == 1:
            started_at = row.started_at if row else program.created_at
            by, everyone = "", None
        else:
            user = row.started_by
            by = (
                "the schedule"
                if user is None
                else getattr(getattr(user, "employee", None), "name", user.get_username())
            )
            started_at, everyone = row.started_at, row.everyone
        rows.append(RoundRow(number, started_at, by, everyone, figures, current))
    return rows
