"""Plain helpers that build test data with sensible defaults; override what matters."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from programs.models import (
    HR_ADMINS_GROUP,
    PEOPLE_ADMINS_GROUP,
    Employee,
    Participant,
    Program,
    Topic,
)

_seq = itertools.count(1)


def make_user(*, username: str | None = None, password: str = "pass-for-tests", **extra):
    n = next(_seq)
    username = username or f"user{n}@example.org"
    return get_user_model().objects.create_user(
        username=username, email=username, password=password, **extra
    )


def make_employee(
    *,
    name: str | None = None,
    email: str | None = None,
    level: int = 3,
    department: str = "Engineering",
    manager: Employee | None = None,
    **extra,
) -> Employee:
    n = next(_seq)
    email = (email or f"person{n}@example.org").lower()
    user = make_user(username=email)
    return Employee.objects.create(
        user=user,
        email=email,
        name=name or f"Person {n}",
        level=level,
        department=department,
        manager=manager,
        **extra,
    )


def make_hr_admin(*, name: str = "Hana HR"):
    user = make_employee(name=name, department="People", level=4).user
    # get_or_create: a transactional test's flush deletes the group the migration made.
    user.groups.add(Group.objects.get_or_create(name=HR_ADMINS_GROUP)[0])
    return user


def make_people_admin(*, name: str = "Pia People"):
    user = make_employee(name=name, department="People", level=4).user
    user.groups.add(Group.objects.get_or_create(name=PEOPLE_ADMINS_GROUP)[0])
    return user


def make_program(*, kind: str = Program.Kind.MENTORING, admins=(), **extra) -> Program:
    n = next(_seq)
    extra.setdefault("status", Program.Status.ENROLLING)
    program = Program.objects.create(
        slug=extra.pop("slug", f"programme-{n}"),
        name=extra.pop("name", f"Programme {n}"),
        kind=kind,
        checkin_cadence_days=Program.DEFAULT_CADENCE_DAYS[kind],
        **extra,
    )
    program.admins.set(admins)
    return program


def make_topics(*names: str) -> list[Topic]:
    return [
        Topic.objects.get_or_create(key=" ".join(n.split()).casefold(), defaults={"name": n})[0]
        for n in names
    ]


def make_participant(
    *,
    program: Program,
    role: str = Participant.Role.MENTEE,
    employee: Employee | None = None,
    goals=(),
    expertise=(),
    **extra,
) -> Participant:
    employee = employee or make_employee(**extra.pop("employee_kwargs", {}))
    participant = Participant.objects.create(program=program, employee=employee, role=role, **extra)
    participant.goals.set(make_topics(*goals))
    participant.expertise.set(make_topics(*expertise))
    return participant


def make_proposal(*, guide: Participant, learner: Participant, goals: float = 25.0):
    """A proposal made the way the services make them: a mentee's side starts accepted and
    the mentor answers; between peers both answer (``guide`` is then the second peer)."""
    # Imported here so these appended helpers leave the shared import block alone.
    from pairing.matching import Breakdown
    from pairing.models import Pairing
    from pairing.services import proposal_create

    return proposal_create(
        learner=learner,
        partner=guide,
        source=Pairing.Source.MATCHING,
        breakdown=Breakdown(goals=goals, level=25.0, style=20.0, department=5.0),
        reasons=["covers 1 of your 2 goals", "2 levels above you"],
    )


def make_active_pairing(*, guide: Participant, learner: Participant):
    """A pairing everyone has accepted (active from today)."""
    from pairing.models import PairingMember
    from pairing.services import proposal_accept

    pairing = make_proposal(guide=guide, learner=learner)
    for member in pairing.members.filter(response=PairingMember.Response.PENDING):
        pairing = proposal_accept(member=member, user=member.participant.employee.user)
    return pairing


def make_live_pairing(
    *,
    program: Program,
    guide: Participant | None = None,
    learner: Participant | None = None,
    status: str = "active",
    **fields,
):
    """A pairing of two participants in ``program`` (mentor and mentee, or two peers),
    written directly: everyone accepted (and, once agreed, gone live now), or for a
    proposal as rules.proposal_members starts one."""
    from django.utils import timezone

    from pairing import rules
    from pairing.models import Pairing, PairingMember

    guide = guide or make_participant(program=program, role=program.guide_role)
    learner = learner or make_participant(program=program, role=program.learner_role)
    if status in (*rules.AGREED_STATUSES, Pairing.Status.ENDED):
        # Everyone accepted, the moment services._go_live stamps (rules.went_live).
        fields.setdefault("proposed_at", timezone.now())
        fields.setdefault("activated_at", fields["proposed_at"])
    pairing = Pairing.objects.create(program=program, status=status, **fields)
    members = rules.proposal_members(
        pairing,
        guide_id=None if program.is_peer else guide.pk,
        member_ids=[guide.pk, learner.pk] if program.is_peer else [learner.pk],
        at=pairing.proposed_at,
        # Between peers, as if the second one had asked the first.
        chosen_by=learner.pk,
    )
    for member in members:
        if status != Pairing.Status.PROPOSED:
            member.response = PairingMember.Response.ACCEPTED
        member.live = status in Pairing.LIVE_STATUSES
    PairingMember.objects.bulk_create(members)
    return pairing


def make_due_pairing(*, program: Program, **fields):
    """An active pairing that met one cadence ago and was due again yesterday: what the
    reminder dispatcher sends check-in reminders for."""
    from datetime import timedelta

    from django.utils import timezone

    from pairing.models import CheckIn

    due = timezone.localdate() - timedelta(days=1)
    pairing = make_live_pairing(
        program=program,
        activated_at=timezone.now() - timedelta(days=60),
        next_checkin_due=due,
        **fields,
    )
    CheckIn.objects.create(
        pairing=pairing,
        held_on=due - timedelta(days=program.checkin_cadence_days),
        logged_by=pairing.members.exclude(role="guide").first().participant,
        summary="Goals",
        rating=4,
    )
    return pairing


def import_state(program: Program):
    """Everything a participants import writes, as comparable plain data."""
    employees = sorted(
        (e.email, e.name, e.department, e.level, e.manager.email if e.manager else "")
        for e in Employee.objects.select_related("manager")
    )
    participants = sorted(
        (
            p.employee.email,
            p.role,
            p.style,
            p.capacity,
            sorted(t.key for t in p.goals.all()),
            sorted(t.key for t in p.expertise.all()),
        )
        for p in Participant.objects.filter(program=program).select_related("employee")
    )
    return employees, participants, sorted(Topic.objects.values_list("key", flat=True))


def make_group(
    *,
    program: Program,
    members,
    guide: Participant | None = None,
    status: str = "proposed",
    responses=None,
    **fields,
):
    """A group pairing of ``members`` (peers, or the mentees of ``guide``) as HR's matching
    run publishes one: everyone starts pending (rules.proposal_members), the score and each
    member's reasons come from the engine. ``responses`` maps participants to their answer
    (every member accepted when ``status`` is not proposed); an active group began today."""
    from datetime import timedelta

    from django.utils import timezone

    from pairing import rules, schedule
    from pairing.models import Pairing, PairingMember
    from pairing.services import group_rescore

    now = timezone.now()
    fields.setdefault("expires_at", schedule.proposal_expires_at(program, now))
    if status in (Pairing.Status.ACCEPTED, Pairing.Status.ACTIVE):
        fields.setdefault("activated_at", now)
        fields.setdefault(
            "next_checkin_due", timezone.localdate() + timedelta(days=program.checkin_cadence_days)
        )
    pairing = Pairing.objects.create(program=program, status=status, proposed_at=now, **fields)
    rows = rules.proposal_members(
        pairing,
        guide_id=guide.pk if guide is not None else None,
        member_ids=[m.pk for m in members],
        at=now,
    )
    answers = {p.pk: r for p, r in (responses or {}).items()}
    for row in rows:
        answer = answers.get(row.participant_id)
        if answer is None and status != Pairing.Status.PROPOSED:
            answer = PairingMember.Response.ACCEPTED
        if answer is not None and answer != PairingMember.Response.PENDING:
            row.response = answer
            row.responded_at = now
            if answer == PairingMember.Response.DECLINED:
                row.decline_reason = PairingMember.DeclineReason.NO_TIME
        row.live = status in Pairing.LIVE_STATUSES and row.response != "declined"
    PairingMember.objects.bulk_create(rows)
    group_rescore(pairing)
    return pairing


def make_situational_program(**extra) -> Program:
    """A situational programme: helpers' office hours, booked one session at a time."""
    extra.setdefault("min_gap", 0)
    extra.setdefault("ideal_gap", 1)
    extra.setdefault("max_gap", 5)
    return make_program(kind=Program.Kind.SITUATIONAL, **extra)


def make_office_hours(*, helper: Participant, slots=(), **fields):
    """``helper``'s office hours with weekly ``slots``: (weekday 0=Monday, "HH:MM") pairs, in
    the helper's own time zone."""
    from datetime import time

    from pairing.models import OfficeHours, WeeklySlot

    hours = OfficeHours.objects.create(helper=helper, **fields)
    WeeklySlot.objects.bulk_create(
        WeeklySlot(office_hours=hours, weekday=day, starts_at=time.fromisoformat(at))
        for day, at in slots
    )
    return hours


def make_challenge(*, asker: Participant, topics=(), text: str = "My first retro", **fields):
    from pairing.models import Challenge

    challenge = Challenge.objects.create(asker=asker, text=text, **fields)
    challenge.topics.set(make_topics(*topics))
    return challenge


def make_help_session(*, challenge, helper: Participant, starts_at, minutes: int = 30, **fields):
    """A booked session written directly (booking's lock and checks are not under test)."""
    from datetime import timedelta

    from pairing.models import HelpSession

    return HelpSession.objects.create(
        challenge=challenge,
        helper=helper,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **fields,
    )
