import hashlib
import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from pairing.demo import LARGE_SLUG, LOGINS, PASSWORD, demo_seed
from pairing.matching import Person, Rules, score_pair
from pairing.models import CheckIn, Pairing, PairingMember
from programs.models import HR_ADMINS_GROUP, AuditEvent, Employee, Participant, Program, Topic

pytestmark = pytest.mark.django_db

User = get_user_model()
Status = Pairing.Status


def seed(**kwargs) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def fingerprint() -> tuple[dict[str, int], str]:
    """Counts of every table the demo writes, and a hash of their key fields."""
    models = [
        User,
        Employee,
        Topic,
        Program,
        Participant,
        Participant.goals.through,
        Participant.expertise.through,
        Program.admins.through,
        User.groups.through,
        Pairing,
        PairingMember,
        CheckIn,
        AuditEvent,
    ]
    counts = {m._meta.label: m.objects.count() for m in models}
    rows = [
        list(User.objects.order_by("pk").values_list("pk", "username", "password", "is_superuser")),
        list(
            Employee.objects.order_by("pk").values_list(
                "pk", "email", "name", "department", "level", "title", "manager_id", "time_zone"
            )
        ),
        list(Program.objects.order_by("pk").values_list("pk", "slug", "status", "starts_on")),
        list(Participant.objects.order_by("pk").values_list("pk", "employee_id", "role", "style")),
        list(
            Pairing.objects.order_by("pk").values_list(
                "pk", "status", "score", "breakdown", "proposed_at", "next_checkin_due"
            )
        ),
        list(
            PairingMember.objects.order_by("pk").values_list(
                "pk", "participant_id", "response", "live"
            )
        ),
        list(CheckIn.objects.order_by("pk").values_list("pk", "held_on", "summary", "rating")),
    ]
    return counts, hashlib.sha256(repr(rows).encode()).hexdigest()


def test_seed_demo_creates_five_programmes_of_each_kind_and_state():
    seed()

    programmes = {p.slug: (p.kind, p.status, p.matching_mode) for p in Program.objects.all()}
    assert programmes == {
        "engineering-mentoring-2026": ("mentoring", "active", "admin"),
        "leaders-learn-digital": ("reverse_mentoring", "enrolling", "self_select"),
        "peer-coaching-circle-spring": ("peer_coaching", "active", "admin"),
        "leadership-circles-2027": ("peer_circles", "enrolling", "admin"),
        "ask-an-expert": ("situational", "active", "admin"),
    }
    hr = User.objects.get(username="hr@demo.example.org")
    assert [list(p.admins.all()) for p in Program.objects.all()] == [[hr]] * 5
    circles = Program.objects.get(slug="leadership-circles-2027")
    assert (circles.group_min, circles.group_max, circles.group_level_spread) == (4, 6, 2)
    assert circles.participants.filter(role="peer").count() == 12
    assert not circles.pairings.exists()  # HR forms the circles


def test_seed_demo_organisation_is_60_people_in_a_tree_with_every_level():
    seed()

    employees = list(Employee.objects.all())
    assert len(employees) == 60
    by_pk = {e.pk: e for e in employees}
    assert Counter(e.department for e in employees) == {
        "Engineering": 19,
        "Sales": 12,
        "Marketing": 10,
        "Finance": 9,
        "People": 9,
        "Executive": 1,
    }
    assert Counter(e.level for e in employees) == {1: 9, 2: 13, 3: 17, 4: 14, 5: 6, 6: 1}
    (ceo,) = [e for e in employees if e.manager_id is None]
    assert (ceo.level, ceo.title) == (6, "Chief Executive Officer")
    heads = [e for e in employees if e.manager_id == ceo.pk]
    assert sorted((e.department, e.level) for e in heads) == [
        ("Engineering", 5),
        ("Finance", 5),
        ("Marketing", 5),
        ("People", 5),
        ("Sales", 5),
    ]
    for employee in employees:
        seen, walk = set(), employee
        while walk.manager_id is not None:
            assert walk.manager_id in by_pk  # every manager is in the organisation
            assert walk.pk not in seen  # and the chain has no cycle
            seen.add(walk.pk)
            walk = by_pk[walk.manager_id]
        assert walk == ceo
    assert Counter(e.time_zone for e in employees) == {
        "Europe/London": 40,
        "America/New_York": 11,
        "Asia/Singapore": 9,
    }
    assert Topic.objects.count() == 25


def test_seed_demo_logins_use_the_demo_password_and_roles():
    output = seed()

    for login in LOGINS:
        user = User.objects.get(username=login.email)
        assert user.check_password(PASSWORD) is True
    assert output.splitlines()[0] == "Created the demo organisation."
    hr_group = Group.objects.get(name=HR_ADMINS_GROUP)
    assert list(hr_group.user_set.values_list("username", flat=True)) == ["hr@demo.example.org"]
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "admin@demo.example.org"
    ]
    assert User.objects.filter(is_staff=True).count() == 1
    assert User.objects.exclude(username__in=[x.email for x in LOGINS]).filter(
        password__startswith="!"
    ).count() == User.objects.count() - len(LOGINS)


def test_seed_demo_people_without_a_login_get_in_through_a_reset():
    from django.core import mail

    from programs.accounts import password_reset_deliver

    seed()
    others = User.objects.exclude(username__in=[x.email for x in LOGINS]).order_by("pk")
    assert others.count() == User.objects.count() - len(LOGINS)
    sent = [password_reset_deliver(email=user.email) for user in others]
    assert sent == [1] * others.count()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in others)


def test_seed_demo_has_pairings_in_every_state_with_consistent_members():
    seed()

    assert Counter(Pairing.objects.values_list("status", flat=True)) == {
        Status.PROPOSED: 4,
        Status.ACCEPTED: 2,
        Status.ACTIVE: 7,
        Status.DECLINED: 3,
        Status.ENDED: 2,
        Status.EXPIRED: 2,
    }
    for pairing in Pairing.objects.prefetch_related("members"):
        members = list(pairing.members.all())
        assert len(members) == 2
        assert {m.live for m in members} == {pairing.is_live}
        roles = sorted(m.role for m in members)
        assert roles == (["peer", "peer"] if pairing.program.is_peer else ["guide", "learner"])
        declined = [m for m in members if m.response == "declined"]
        assert len(declined) == (1 if pairing.status == Status.DECLINED else 0)
        if pairing.status in (Status.ACCEPTED, Status.ACTIVE, Status.ENDED):
            assert {m.response for m in members} == {"accepted"}
        assert (pairing.ended_at is not None, bool(pairing.end_reason)) == (
            (pairing.status == Status.ENDED,) * 2
        )
    # Hierarchical proposals: the learner asked, so has said yes; the guide has not answered.
    hierarchical = PairingMember.objects.filter(
        pairing__status=Status.PROPOSED,
        pairing__program__kind__in=["mentoring", "reverse_mentoring"],
    )
    assert sorted(hierarchical.values_list("role", "response")) == [
        ("guide", "pending"),
        ("guide", "pending"),
        ("learner", "accepted"),
        ("learner", "accepted"),
    ]
    peers = PairingMember.objects.filter(
        pairing__status=Status.PROPOSED, pairing__program__kind="peer_coaching"
    )
    assert sorted(peers.values_list("response", flat=True)) == [
        "accepted",
        "pending",
        "pending",
        "pending",
    ]
    decline = PairingMember.objects.get(
        response="declined", participant__employee__email="daniel.osei@demo.example.org"
    )
    assert (decline.decline_reason, decline.responded_at is not None) == ("no_time", True)


def engine_person(participant: Participant) -> Person:
    employee = participant.employee
    return Person(
        key=str(employee.pk),
        role={"mentor": "guide", "mentee": "learner", "peer": "peer"}[participant.role],
        level=employee.level,
        department=employee.department,
        manager=str(employee.manager_id) if employee.manager_id else None,
        goals=frozenset(t.name for t in participant.goals.all()),
        expertise=frozenset(t.name for t in participant.expertise.all()),
        style=participant.style,
    )


def test_seed_demo_scores_are_the_engines():
    seed()

    for pairing in Pairing.objects.select_related("program"):
        program = pairing.program
        rules = Rules(
            kind=program.kind,
            **{
                name: getattr(program, name)
                for name in ("min_gap", "ideal_gap", "max_gap", "peer_max_gap")
                + ("weight_goals", "weight_level", "weight_style", "weight_department")
            },
        )
        # The guide was written first (or, for peers, the one the reasons do not address).
        first, second = (engine_person(m.participant) for m in pairing.members.order_by("pk"))
        expected = score_pair(first, second, rules)
        assert pairing.breakdown == expected.as_dict()
        assert pairing.score == round(expected.total, 2)
        assert set(pairing.breakdown) == {"goals", "level", "style", "department"}
        # One reason per criterion that scored, and none for those that did not.
        assert len(pairing.reasons) == sum(points > 0 for points in pairing.breakdown.values())


def test_seed_demo_mentor_mentee_and_peer_see_what_the_readme_promises():
    seed()
    today = timezone.localdate()

    mentor_pairings = Pairing.objects.filter(
        members__participant__employee__email="mentor@demo.example.org"
    )
    assert sorted(mentor_pairings.values_list("status", flat=True)) == ["active", "proposed"]
    waiting = PairingMember.objects.get(
        pairing__status=Status.PROPOSED, participant__employee__email="mentor@demo.example.org"
    )
    assert (waiting.role, waiting.response) == ("guide", "pending")

    shared = mentor_pairings.get(status=Status.ACTIVE)
    emails = set(shared.members.values_list("participant__employee__email", flat=True))
    assert emails == {"mentor@demo.example.org", "mentee@demo.example.org"}
    held = list(shared.checkins.order_by("held_on").values_list("held_on", flat=True))
    assert held == [today - timedelta(days=58), today - timedelta(days=30)]
    assert shared.next_checkin_due == held[-1] + timedelta(days=28)
    assert shared.next_checkin_due <= today

    peer = Pairing.objects.get(members__participant__employee__email="peer@demo.example.org")
    assert (peer.status, peer.program.kind) == ("active", "peer_coaching")


def test_seed_demo_has_check_ins_held_and_due_now():
    seed()
    today = timezone.localdate()

    due_now = Pairing.objects.filter(status=Status.ACTIVE, next_checkin_due__lte=today)
    assert sorted(due_now.values_list("next_checkin_due", flat=True)) == [
        today - timedelta(days=2),
        today,
    ]
    assert CheckIn.objects.count() == 21
    assert CheckIn.objects.filter(held_on__gte=today).count() == 0
    for pairing in Pairing.objects.filter(status=Status.ACTIVE):
        last = pairing.checkins.order_by("-held_on").values_list("held_on", flat=True).first()
        start = last or pairing.activated_at.date()
        assert pairing.next_checkin_due == start + timedelta(
            days=pairing.program.checkin_cadence_days
        )
    assert (
        Pairing.objects.exclude(status=Status.ACTIVE).filter(next_checkin_due__isnull=False).count()
        == 0
    )


def test_seed_demo_rerun_changes_nothing():
    seed()
    before = fingerprint()

    output = seed()

    assert fingerprint() == before
    lines = output.splitlines()
    assert lines[0] == "The demo organisation exists already: nothing changed."
    # The logins are printed on every run, not only the first.
    assert re.findall(r"(\S+@demo\.example\.org) +demo-pass-2026", output) == [
        login.email for login in LOGINS
    ]


def test_seed_demo_large_adds_one_programme_and_is_idempotent():
    demo_seed(size="large", large_count=200)
    before = fingerprint()

    program = Program.objects.get(slug=LARGE_SLUG)
    participants = program.participants.all()
    assert Counter(participants.values_list("role", flat=True)) == {"mentee": 160, "mentor": 40}
    assert Employee.objects.count() == 60 + 200
    assert Participant.goals.through.objects.filter(participant__program=program).count() == sum(
        p.goals.count() for p in participants
    )
    mentors = participants.filter(role="mentor")
    assert {p.capacity for p in mentors} == {1, 2, 3, 4, 5}
    for mentor in mentors:
        assert mentor.memberships.filter(live=True).count() <= mentor.capacity
    statuses = set(program.pairings.values_list("status", flat=True))
    # Every state a pairing reaches by itself; cancelling is an HR or withdrawal action.
    assert statuses == set(Status.values) - {Status.CANCELLED}
    assert program.pairings.count() == 20
    assert PairingMember.objects.filter(pairing__program=program).count() == 40
    # Every large employee's manager chain reaches the demo's CEO.
    by_pk = dict(Employee.objects.values_list("pk", "manager_id"))
    for pk in by_pk:
        seen = set()
        while by_pk[pk] is not None:
            assert pk not in seen
            seen.add(pk)
            pk = by_pk[pk]
        assert pk == Employee.objects.get(email="eleanor.whitfield@demo.example.org").pk

    demo_seed(size="large", large_count=200)

    assert fingerprint() == before


def test_seed_demo_ask_an_expert_has_office_hours_challenges_and_a_session_held():
    from pairing.hr.situational import situational_figures
    from pairing.models import Challenge, HelpSession, OfficeHours, SessionFeedback, WeeklySlot

    seed()
    program = Program.objects.get(slug="ask-an-expert")
    assert (program.name, program.kind, program.min_gap, program.ideal_gap, program.max_gap) == (
        "Ask an expert",
        "situational",
        0,
        1,
        5,
    )
    hours = OfficeHours.objects.filter(helper__program=program).select_related("helper__employee")
    assert sorted(
        (h.helper.employee.name, h.helper.employee.time_zone, h.paused, h.slots.count())
        for h in hours
    ) == [
        ("Carlos Mendes", "America/New_York", False, 2),
        ("David Kim", "America/New_York", False, 1),
        ("Priya Natarajan", "Europe/London", False, 2),
        ("Zoe Adams", "Europe/London", True, 1),
    ]
    assert Counter(Challenge.objects.values_list("status", flat=True)) == {"open": 3, "done": 1}
    held = HelpSession.objects.get()
    assert (held.status, held.helper.employee.name, held.challenge.asker.employee.name) == (
        "held",
        "Priya Natarajan",
        "Ella Brooks",
    )
    assert sorted(SessionFeedback.objects.values_list("helpful", "meet_again")) == [
        (True, False),
        (True, True),
    ]
    today = timezone.localdate()
    figures = situational_figures(program=program, start=today - timedelta(days=89), end=today)
    assert (figures.requests, figures.held, figures.answers) == (4, 1, 2)
    assert figures.unoffered == [
        ("Public speaking", 1),
        ("SEO and content", 1),
        ("Social media", 1),
    ]
    counts = (OfficeHours.objects.count(), WeeklySlot.objects.count(), Challenge.objects.count())

    seed()

    assert counts == (4, 6, 4)
    assert (
        OfficeHours.objects.count(),
        WeeklySlot.objects.count(),
        Challenge.objects.count(),
        HelpSession.objects.count(),
        SessionFeedback.objects.count(),
    ) == (4, 6, 4, 1, 2)
