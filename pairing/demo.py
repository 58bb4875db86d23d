"""The demo organisation behind ``manage.py seed_demo``: people, programmes, pairings, check-ins.

Everything is fixed data or drawn from ``random.Random(SEED)``, and every date is relative to
the day of the first run, so a fresh ``make run`` always has a check-in due now. The demo is
written in one transaction and skipped when its programme already exists: re-running it
changes nothing, on the same day or on a later one (the dates then stay where they were).

Scores, breakdowns and reasons come from the matching engine itself, so the numbers on the
demo's pages are the ones the engine would give.
"""

# ruff: noqa: E501 - the people and programme tables read best one row per line

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from pairing import rules, schedule
from pairing.matching import GROUP_DEFAULTS, Person, Rules, explain, score_pair
from pairing.matchmaking.adapter import keys_by_employee, person_for, rules_for
from pairing.models import (
    Challenge,
    CheckIn,
    HelpSession,
    OfficeHours,
    Pairing,
    PairingMember,
    SessionFeedback,
    WeeklySlot,
)
from programs.models import (
    HR_ADMINS_GROUP,
    PEOPLE_ADMINS_GROUP,
    AuditEvent,
    Employee,
    Focus,
    Participant,
    Program,
    Style,
    Topic,
)
from programs.services import employee_upsert, topics_from_names

SEED = 2026
PASSWORD = "demo-pass-2026"
DOMAIN = "demo.example.org"
LARGE_DOMAIN = "large.demo.example.org"
LARGE_COUNT = 10_000
BATCH = 2_000

LONDON, NEW_YORK, SINGAPORE = "Europe/London", "America/New_York", "Asia/Singapore"
DEPARTMENTS = ("Engineering", "Sales", "Marketing", "Finance", "People")
EXECUTIVE = "Executive"

Status = Pairing.Status
Role = Participant.Role
Decline = PairingMember.DeclineReason


@dataclass(frozen=True)
class Login:
    role: str
    key: str
    what: str

    @property
    def email(self) -> str:
        return email_of(self.key)


LOGINS = (
    Login("HR admin", "hr", "runs every programme and keeps the directory"),
    Login("mentor", "mentor", "one proposal to answer, one active mentee"),
    Login("mentee", "mentee", "active pairing, check-in due now"),
    Login("peer coach", "peer", "active peer pairing"),
    Login("superuser", "admin", "Django admin at /admin/"),
)

TOPICS = (
    "Public speaking",
    "Stakeholder management",
    "People management",
    "Career planning",
    "Giving feedback",
    "Coaching conversations",
    "Time management",
    "Conflict resolution",
    "Influencing without authority",
    "Executive presence",
    "Hiring and interviewing",
    "Python",
    "System design",
    "Cloud architecture",
    "Data analysis",
    "Machine learning basics",
    "AI tools at work",
    "Negotiation",
    "Account planning",
    "Financial modelling",
    "Budgeting",
    "Product strategy",
    "Brand storytelling",
    "SEO and content",
    "Social media",
)

# fmt: off
# The organisation, managers before their reports:
# (key, name, department, level, title, manager's key, time zone). The email is key@DOMAIN.
PEOPLE = (
    ("eleanor.whitfield", "Eleanor Whitfield", EXECUTIVE, 6, "Chief Executive Officer", None, LONDON),
    # Engineering
    ("rajesh.iyer", "Rajesh Iyer", "Engineering", 5, "VP of Engineering", "eleanor.whitfield", LONDON),
    ("mentor", "Priya Natarajan", "Engineering", 5, "Principal Engineer", "rajesh.iyer", LONDON),
    ("tom.becker", "Tom Becker", "Engineering", 4, "Engineering Manager, Platform", "rajesh.iyer", LONDON),
    ("grace.liu", "Grace Liu", "Engineering", 4, "Engineering Manager, Product", "rajesh.iyer", SINGAPORE),
    ("daniel.osei", "Daniel Osei", "Engineering", 4, "Senior Software Engineer", "tom.becker", LONDON),
    ("ben.carter", "Ben Carter", "Engineering", 4, "Senior Site Reliability Engineer", "tom.becker", LONDON),
    ("wei.chen", "Wei Chen", "Engineering", 4, "Senior Software Engineer", "grace.liu", SINGAPORE),
    ("admin", "Alex Morgan", "Engineering", 3, "Site Reliability Engineer", "tom.becker", LONDON),
    ("sofia.marino", "Sofia Marino", "Engineering", 3, "Software Engineer II", "tom.becker", LONDON),
    ("nurul.aziz", "Nurul Aziz", "Engineering", 3, "Software Engineer II", "grace.liu", SINGAPORE),
    ("marcus.reed", "Marcus Reed", "Engineering", 3, "QA Engineer", "grace.liu", NEW_YORK),
    ("fatima.haddad", "Fatima Haddad", "Engineering", 3, "Data Analyst", "grace.liu", LONDON),
    ("mentee", "Jordan Blake", "Engineering", 2, "Software Engineer", "tom.becker", LONDON),
    ("liam.walsh", "Liam Walsh", "Engineering", 2, "Software Engineer", "tom.becker", LONDON),
    ("hannah.fischer", "Hannah Fischer", "Engineering", 2, "Software Engineer", "grace.liu", LONDON),
    ("kenji.tanaka", "Kenji Tanaka", "Engineering", 2, "Data Engineer", "grace.liu", SINGAPORE),
    ("aisha.khan", "Aisha Khan", "Engineering", 1, "Graduate Software Engineer", "tom.becker", LONDON),
    ("oliver.grant", "Oliver Grant", "Engineering", 1, "Engineering Apprentice", "tom.becker", LONDON),
    ("ella.brooks", "Ella Brooks", "Engineering", 1, "Graduate Software Engineer", "grace.liu", LONDON),
    # Sales
    ("james.oconnor", "James O'Connor", "Sales", 5, "Head of Sales", "eleanor.whitfield", LONDON),
    ("rebecca.stone", "Rebecca Stone", "Sales", 4, "Sales Manager, EMEA", "james.oconnor", LONDON),
    ("carlos.mendes", "Carlos Mendes", "Sales", 4, "Sales Manager, Americas", "james.oconnor", NEW_YORK),
    ("mei.lim", "Mei Lim", "Sales", 4, "Senior Account Manager, APAC", "james.oconnor", SINGAPORE),
    ("lucy.hughes", "Lucy Hughes", "Sales", 3, "Account Executive", "rebecca.stone", LONDON),
    ("peter.novak", "Peter Novak", "Sales", 3, "Account Executive", "rebecca.stone", LONDON),
    ("maria.gonzalez", "Maria Gonzalez", "Sales", 3, "Account Executive", "carlos.mendes", NEW_YORK),
    ("chloe.martin", "Chloe Martin", "Sales", 2, "Sales Development Representative", "rebecca.stone", LONDON),
    ("tyler.johnson", "Tyler Johnson", "Sales", 2, "Sales Development Representative", "carlos.mendes", NEW_YORK),
    ("arjun.menon", "Arjun Menon", "Sales", 2, "Account Manager", "mei.lim", SINGAPORE),
    ("ryan.patel", "Ryan Patel", "Sales", 1, "Sales Associate", "rebecca.stone", LONDON),
    ("ashley.brown", "Ashley Brown", "Sales", 1, "Sales Associate", "carlos.mendes", NEW_YORK),
    # Marketing
    ("sophie.laurent", "Sophie Laurent", "Marketing", 5, "Head of Marketing", "eleanor.whitfield", LONDON),
    ("nathan.price", "Nathan Price", "Marketing", 4, "Marketing Manager", "sophie.laurent", LONDON),
    ("zoe.adams", "Zoe Adams", "Marketing", 4, "Brand Manager", "sophie.laurent", LONDON),
    ("peer", "Isla Campbell", "Marketing", 3, "Content Marketing Specialist", "nathan.price", LONDON),
    ("diego.ramos", "Diego Ramos", "Marketing", 3, "Digital Marketing Specialist", "nathan.price", NEW_YORK),
    ("samuel.green", "Samuel Green", "Marketing", 3, "Product Marketing Specialist", "sophie.laurent", LONDON),
    ("yuki.sato", "Yuki Sato", "Marketing", 2, "Social Media Coordinator", "zoe.adams", SINGAPORE),
    ("jack.turner", "Jack Turner", "Marketing", 2, "Marketing Coordinator", "nathan.price", LONDON),
    ("amelia.wright", "Amelia Wright", "Marketing", 1, "Marketing Assistant", "zoe.adams", LONDON),
    ("olivia.king", "Olivia King", "Marketing", 1, "Marketing Apprentice", "nathan.price", LONDON),
    # Finance
    ("michael.hart", "Michael Hart", "Finance", 5, "Finance Director", "eleanor.whitfield", LONDON),
    ("anna.kowalski", "Anna Kowalski", "Finance", 4, "Financial Controller", "michael.hart", LONDON),
    ("david.kim", "David Kim", "Finance", 4, "FP&A Manager", "michael.hart", NEW_YORK),
    ("emma.wilson", "Emma Wilson", "Finance", 3, "Management Accountant", "anna.kowalski", LONDON),
    ("raj.singh", "Raj Singh", "Finance", 3, "Financial Analyst", "david.kim", NEW_YORK),
    ("siew.ling.tan", "Siew Ling Tan", "Finance", 3, "Finance Business Partner", "michael.hart", SINGAPORE),
    ("george.evans", "George Evans", "Finance", 2, "Finance Analyst", "anna.kowalski", LONDON),
    ("laura.bennett", "Laura Bennett", "Finance", 2, "Finance Analyst", "david.kim", NEW_YORK),
    ("priscilla.owusu", "Priscilla Owusu", "Finance", 1, "Finance Assistant", "anna.kowalski", LONDON),
    # People
    ("claire.donovan", "Claire Donovan", "People", 5, "Head of People", "eleanor.whitfield", LONDON),
    ("hr", "Nadia Rahman", "People", 4, "HR Business Partner", "claire.donovan", LONDON),
    ("ian.foster", "Ian Foster", "People", 4, "Talent Acquisition Manager", "claire.donovan", LONDON),
    ("ruth.adeyemi", "Ruth Adeyemi", "People", 3, "Learning & Development Specialist", "hr", LONDON),
    ("kevin.lee", "Kevin Lee", "People", 3, "People Operations Specialist", "hr", SINGAPORE),
    ("victor.alvarez", "Victor Alvarez", "People", 3, "Talent Partner", "ian.foster", NEW_YORK),
    ("megan.shaw", "Megan Shaw", "People", 2, "Recruiter", "ian.foster", LONDON),
    ("paul.murphy", "Paul Murphy", "People", 2, "People Operations Coordinator", "hr", NEW_YORK),
    ("jade.roberts", "Jade Roberts", "People", 1, "HR Assistant", "hr", LONDON),
)


# fmt: on


def email_of(key: str) -> str:
    return f"{key}@{DOMAIN}"


# --- The three programmes ---------------------------------------------------------------


@dataclass(frozen=True)
class Enrol:
    key: str
    role: str
    goals: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    style: str = Style.EITHER
    focus: str = Focus.LONG_TERM
    capacity: int | None = None
    note: str = ""
    paused_for_days: int | None = None


@dataclass(frozen=True)
class Match:
    """One pairing: ``keys`` is (guide, learner) for mentoring kinds, two peers otherwise.

    Days are counted back from today. ``declined_by`` is (key, reason, note);
    ``accepted_by`` names peers who already said yes to a proposal.
    """

    status: str
    keys: tuple[str, str]
    proposed: int
    activated: int | None = None
    checkins: tuple[int, ...] = ()
    ended: int | None = None
    ended_by: str | None = None
    end_reason: str = ""
    declined_by: tuple[str, str, str] | None = None
    accepted_by: tuple[str, ...] = ()
    source: str = Pairing.Source.MATCHING


@dataclass(frozen=True)
class Programme:
    slug: str
    name: str
    description: str
    kind: str
    status: str
    matching_mode: str
    # Days relative to today (negative is the past).
    enrol_opens: int
    enrol_closes: int
    starts_on: int
    ends_on: int
    enrolments: tuple[Enrol, ...]
    matches: tuple[Match, ...] = field(default=())


# fmt: off
D, R, E = Style.DIRECTIVE, Style.REFLECTIVE, Style.EITHER
SHORT = Focus.SHORT_TERM

MENTORING = Programme(
    slug="engineering-mentoring-2026",
    name="Engineering Mentoring 2026",
    description=(
        "A year of career mentoring for engineers at levels 1-3, with senior engineers and "
        "a few leaders from other departments as mentors. Meet about once a month."
    ),
    kind=Program.Kind.MENTORING,
    status=Program.Status.ACTIVE,
    matching_mode=Program.MatchingMode.ADMIN,
    enrol_opens=-120,
    enrol_closes=-90,
    starts_on=-75,
    ends_on=290,
    enrolments=(
        Enrol("mentor", Role.MENTOR, expertise=("System design", "Cloud architecture", "Career planning", "Public speaking", "Python"), style=D, capacity=3, note="I enjoy helping engineers grow into technical leadership."),
        Enrol("rajesh.iyer", Role.MENTOR, expertise=("People management", "Career planning", "Stakeholder management", "Executive presence"), style=D, capacity=1),
        Enrol("tom.becker", Role.MENTOR, expertise=("Python", "System design", "Giving feedback", "Time management")),
        Enrol("grace.liu", Role.MENTOR, expertise=("People management", "Hiring and interviewing", "Data analysis", "Coaching conversations"), style=R),
        Enrol("daniel.osei", Role.MENTOR, expertise=("Python", "Cloud architecture", "Machine learning basics"), style=D, paused_for_days=30, note="Back after the billing platform launch."),
        Enrol("ben.carter", Role.MENTOR, expertise=("Cloud architecture", "System design", "Time management", "Conflict resolution"), style=D),
        Enrol("wei.chen", Role.MENTOR, expertise=("Data analysis", "Machine learning basics", "Python", "Public speaking")),
        Enrol("sophie.laurent", Role.MENTOR, expertise=("Public speaking", "Stakeholder management", "Influencing without authority", "Brand storytelling"), style=R, capacity=1),
        Enrol("mentee", Role.MENTEE, goals=("System design", "Public speaking", "Career planning"), style=D, note="I want to lead the design of a service end to end within a year."),
        Enrol("liam.walsh", Role.MENTEE, goals=("Cloud architecture", "System design", "Python"), style=D),
        Enrol("aisha.khan", Role.MENTEE, goals=("Python", "Data analysis", "Career planning")),
        Enrol("hannah.fischer", Role.MENTEE, goals=("Giving feedback", "Python", "Time management")),
        Enrol("kenji.tanaka", Role.MENTEE, goals=("Machine learning basics", "Cloud architecture"), style=D),
        Enrol("ella.brooks", Role.MENTEE, goals=("Python", "Public speaking")),
        Enrol("oliver.grant", Role.MENTEE, goals=("Data analysis", "Python", "Time management")),
        Enrol("sofia.marino", Role.MENTEE, goals=("People management", "Stakeholder management", "Career planning"), style=D, note="Preparing for my first team lead role."),
        Enrol("nurul.aziz", Role.MENTEE, goals=("Stakeholder management", "Public speaking", "Influencing without authority"), style=R),
        Enrol("marcus.reed", Role.MENTEE, goals=("Conflict resolution", "Giving feedback", "Career planning"), style=R),
        Enrol("fatima.haddad", Role.MENTEE, goals=("Machine learning basics", "Data analysis", "Public speaking")),
    ),
    matches=(
        Match(Status.ACTIVE, ("mentor", "mentee"), proposed=74, activated=72, checkins=(58, 30)),
        Match(Status.PROPOSED, ("mentor", "liam.walsh"), proposed=2),
        Match(Status.ACTIVE, ("tom.becker", "hannah.fischer"), proposed=74, activated=71, checkins=(60, 33, 12)),
        Match(Status.ACTIVE, ("grace.liu", "aisha.khan"), proposed=74, activated=73, checkins=(64, 36, 6)),
        Match(Status.ACCEPTED, ("wei.chen", "oliver.grant"), proposed=4, activated=3),
        Match(Status.DECLINED, ("daniel.osei", "kenji.tanaka"), proposed=74, declined_by=("daniel.osei", Decline.NO_TIME, "Launching the new billing platform this quarter; happy to mentor after the summer.")),
        Match(Status.ACTIVE, ("ben.carter", "kenji.tanaka"), proposed=68, activated=66, checkins=(52, 23)),
        Match(Status.ENDED, ("rajesh.iyer", "sofia.marino"), proposed=74, activated=72, checkins=(62, 38, 17), ended=10, ended_by="sofia.marino", end_reason="Sofia moved into the platform team lead role: the goals we set are met."),
        Match(Status.EXPIRED, ("daniel.osei", "ella.brooks"), proposed=40),
        Match(Status.ACTIVE, ("sophie.laurent", "nurul.aziz"), proposed=24, activated=20),
    ),
)

REVERSE = Programme(
    slug="leaders-learn-digital",
    name="Leaders Learn Digital",
    description=(
        "Reverse mentoring: early-career colleagues show senior leaders how they use social "
        "media and AI tools. Leaders choose their mentor from their best candidates."
    ),
    kind=Program.Kind.REVERSE_MENTORING,
    status=Program.Status.ENROLLING,
    matching_mode=Program.MatchingMode.SELF_SELECT,
    enrol_opens=-10,
    enrol_closes=20,
    starts_on=30,
    ends_on=210,
    enrolments=(
        Enrol("yuki.sato", Role.MENTOR, expertise=("Social media", "AI tools at work", "Brand storytelling"), style=R),
        Enrol("aisha.khan", Role.MENTOR, expertise=("AI tools at work", "Python", "Data analysis"), capacity=1),
        Enrol("diego.ramos", Role.MENTOR, expertise=("SEO and content", "Social media", "AI tools at work", "Data analysis")),
        Enrol("arjun.menon", Role.MENTOR, expertise=("AI tools at work", "Data analysis"), capacity=1),
        Enrol("kenji.tanaka", Role.MENTOR, expertise=("Machine learning basics", "AI tools at work", "Python"), capacity=1),
        Enrol("eleanor.whitfield", Role.MENTEE, goals=("AI tools at work", "Social media", "Machine learning basics"), style=R, note="I want to see what our younger customers see in us online."),
        Enrol("james.oconnor", Role.MENTEE, goals=("Social media", "AI tools at work")),
        Enrol("michael.hart", Role.MENTEE, goals=("AI tools at work", "Data analysis", "Machine learning basics"), style=D),
        Enrol("claire.donovan", Role.MENTEE, goals=("AI tools at work", "Social media"), style=R),
        Enrol("carlos.mendes", Role.MENTEE, goals=("AI tools at work", "SEO and content")),
        Enrol("anna.kowalski", Role.MENTEE, goals=("Data analysis", "AI tools at work")),
    ),
    matches=(
        Match(Status.ACCEPTED, ("diego.ramos", "eleanor.whitfield"), proposed=6, activated=5, source=Pairing.Source.SELF_SELECT),
        Match(Status.PROPOSED, ("yuki.sato", "james.oconnor"), proposed=1, source=Pairing.Source.SELF_SELECT),
        Match(Status.DECLINED, ("arjun.menon", "michael.hart"), proposed=8, source=Pairing.Source.SELF_SELECT, declined_by=("arjun.menon", Decline.NO_TIME, "Quarter-end pipeline push; I could start next month.")),
    ),
)

PEERS = Programme(
    slug="peer-coaching-circle-spring",
    name="Peer Coaching Circle – Spring",
    description=(
        "Twelve weeks of peer coaching across departments: pairs at the same level meet "
        "every two weeks and coach each other on one skill or problem."
    ),
    kind=Program.Kind.PEER_COACHING,
    status=Program.Status.ACTIVE,
    matching_mode=Program.MatchingMode.ADMIN,
    enrol_opens=-75,
    enrol_closes=-50,
    starts_on=-45,
    ends_on=45,
    enrolments=(
        Enrol("peer", Role.PEER, goals=("Public speaking", "Giving feedback", "Time management"), style=R, focus=SHORT, note="Presenting our quarterly campaign results without rambling."),
        Enrol("emma.wilson", Role.PEER, goals=("Public speaking", "Time management", "Stakeholder management"), style=R, focus=SHORT),
        Enrol("lucy.hughes", Role.PEER, goals=("Negotiation", "Conflict resolution", "Giving feedback"), focus=SHORT),
        Enrol("ruth.adeyemi", Role.PEER, goals=("Coaching conversations", "Giving feedback", "Conflict resolution"), style=R, focus=SHORT),
        Enrol("chloe.martin", Role.PEER, goals=("Negotiation", "Public speaking"), focus=SHORT),
        Enrol("megan.shaw", Role.PEER, goals=("Hiring and interviewing", "Public speaking"), focus=SHORT),
        Enrol("jack.turner", Role.PEER, goals=("Time management", "Data analysis"), focus=SHORT),
        Enrol("george.evans", Role.PEER, goals=("Data analysis", "Time management", "Financial modelling"), focus=SHORT),
        Enrol("peter.novak", Role.PEER, goals=("Account planning", "Negotiation"), style=D, focus=SHORT),
        Enrol("raj.singh", Role.PEER, goals=("Stakeholder management", "Negotiation"), focus=SHORT),
        Enrol("paul.murphy", Role.PEER, goals=("Time management", "Conflict resolution"), style=R, focus=SHORT),
        Enrol("samuel.green", Role.PEER, goals=("Product strategy", "Influencing without authority"), focus=SHORT),
        Enrol("victor.alvarez", Role.PEER, goals=("Influencing without authority", "Hiring and interviewing"), focus=SHORT),
        Enrol("zoe.adams", Role.PEER, goals=("Executive presence", "Influencing without authority", "People management"), style=D, focus=SHORT),
        Enrol("rebecca.stone", Role.PEER, goals=("People management", "Coaching conversations"), focus=SHORT),
        Enrol("siew.ling.tan", Role.PEER, goals=("Stakeholder management", "Influencing without authority"), style=R, focus=SHORT),
    ),
    matches=(
        Match(Status.ACTIVE, ("emma.wilson", "peer"), proposed=44, activated=42, checkins=(38, 24, 10)),
        Match(Status.ACTIVE, ("ruth.adeyemi", "lucy.hughes"), proposed=44, activated=43, checkins=(42, 28, 14)),
        Match(Status.PROPOSED, ("megan.shaw", "chloe.martin"), proposed=1),
        Match(Status.PROPOSED, ("george.evans", "jack.turner"), proposed=3, accepted_by=("jack.turner",)),
        Match(Status.ENDED, ("raj.singh", "peter.novak"), proposed=44, activated=41, checkins=(33, 19), ended=8, ended_by="raj.singh", end_reason="Raj is starting parental leave; we agreed to close the pairing rather than pause it."),
        Match(Status.EXPIRED, ("samuel.green", "paul.murphy"), proposed=30),
        Match(Status.DECLINED, ("zoe.adams", "victor.alvarez"), proposed=44, declined_by=("zoe.adams", Decline.POOR_FIT, "I'm working on executive presence, Victor on hiring: we'd coach past each other.")),
    ),
)

CIRCLES = Programme(
    slug="leadership-circles-2027",
    name="Leadership Circles 2027",
    description=(
        "Peer coaching circles for new and aspiring team leads: groups of four to six "
        "colleagues at similar levels, from different departments, meet every two weeks to "
        "exchange feedback and hold each other to account. HR forms the circles once "
        "enrolment closes."
    ),
    kind=Program.Kind.PEER_CIRCLES,
    status=Program.Status.ENROLLING,
    matching_mode=Program.MatchingMode.ADMIN,
    enrol_opens=-7,
    enrol_closes=14,
    starts_on=21,
    ends_on=200,
    enrolments=(
        Enrol("wei.chen", Role.PEER, goals=("People management", "Giving feedback", "Coaching conversations"), style=R),
        Enrol("ben.carter", Role.PEER, goals=("People management", "Conflict resolution", "Time management")),
        Enrol("mei.lim", Role.PEER, goals=("People management", "Stakeholder management", "Giving feedback"), style=R),
        Enrol("carlos.mendes", Role.PEER, goals=("Coaching conversations", "Hiring and interviewing", "People management")),
        Enrol("nathan.price", Role.PEER, goals=("Giving feedback", "Executive presence", "People management"), style=D),
        Enrol("david.kim", Role.PEER, goals=("Stakeholder management", "Executive presence", "Time management")),
        Enrol("ian.foster", Role.PEER, goals=("Hiring and interviewing", "Coaching conversations", "Conflict resolution"), style=R),
        Enrol("maria.gonzalez", Role.PEER, goals=("Influencing without authority", "Giving feedback", "Conflict resolution")),
        Enrol("diego.ramos", Role.PEER, goals=("Influencing without authority", "Public speaking", "People management"), style=R),
        Enrol("kevin.lee", Role.PEER, goals=("Conflict resolution", "Coaching conversations", "Time management"), style=R),
        Enrol("fatima.haddad", Role.PEER, goals=("Public speaking", "Stakeholder management", "Influencing without authority")),
        Enrol("laura.bennett", Role.PEER, goals=("Time management", "Giving feedback", "Executive presence")),
    ),
)

# fmt: on

PROGRAMMES = (MENTORING, REVERSE, PEERS, CIRCLES)

MENTORING_NOTES = (
    "Mapped the skills for the next level against the career framework; picked two to focus on.",
    "Walked through a recent design review and how to structure the trade-offs section.",
    "Practised the five-minute version of the quarterly demo; agreed to record a dry run.",
    "Talked about saying no to work without damaging relationships; role-played one example.",
    "Reviewed progress on the 90-day plan. Next: shadow an architecture meeting.",
    "Discussed how to get visibility for work that other teams depend on.",
    "Went through feedback from the last sprint retro and what to try differently.",
    "Explored whether a move towards data engineering fits the long-term goals.",
)
PEER_NOTES = (
    "Each brought one stuck conversation; we coached each other with questions only.",
    "Reviewed how the experiments from last time went; both kept one new habit.",
    "Focused on preparing for a difficult meeting next week; agreed an opening line.",
    "Swapped notes on time-blocking; set a small experiment for the next fortnight.",
    "Talked through giving feedback upwards; practised with the GROW questions.",
    "Short check-in: both on track, nothing blocking, moved the next session earlier.",
)
PRIVATE_NOTES = ("Ask about the conference budget next time.", "", "", "Felt rushed: book an hour.")

LIVE = set(Pairing.LIVE_STATUSES)
# Everyone said yes to these (some have ended since).
AGREED = {Status.ACCEPTED, Status.ACTIVE, Status.ENDED}


@dataclass(frozen=True)
class SeedResult:
    created: bool
    large_created: bool | None = None
    counts: dict[str, int] = field(default_factory=dict)


# --- Entry point ------------------------------------------------------------------------


def demo_seed(
    *, size: str = "normal", large_count: int = LARGE_COUNT, today: date | None = None
) -> SeedResult:
    """Create the demo organisation unless it exists; with ``size="large"`` also the large
    programme of ``large_count`` participants. Each part is one transaction, keyed by its
    programme's slug, so a re-run (or a run interrupted half-way) never leaves a partial or
    a doubled demo."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    with transaction.atomic():
        created = not Program.objects.filter(slug=MENTORING.slug).exists()
        if created:
            _seed_organisation(today=today, rng=rng)
    large_created = None
    if size == "large":
        with transaction.atomic():
            large_created = not Program.objects.filter(slug=LARGE_SLUG).exists()
            if large_created:
                _seed_large(today=today, rng=random.Random(SEED + 1), count=large_count)
    return SeedResult(
        created=created,
        large_created=large_created,
        counts={
            "people": Employee.objects.count(),
            "programmes": Program.objects.count(),
            "participants": Participant.objects.count(),
            "pairings": Pairing.objects.count(),
            "check-ins": CheckIn.objects.count(),
        },
    )


# --- The organisation and its three programmes ------------------------------------------


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _seed_organisation(*, today: date, rng: random.Random) -> None:
    topics_from_names(TOPICS)
    password = make_password(PASSWORD)  # one hash for every demo login: hashing is slow
    employees: dict[str, Employee] = {}
    for key, name, department, level, title, manager, tz in PEOPLE:
        employee, _ = employee_upsert(
            email=email_of(key),
            name=name,
            department=department,
            level=level,
            title=title,
            manager=employees[manager] if manager else None,
        )
        if employee.time_zone != tz:
            employee.time_zone = tz
            employee.save(update_fields=["time_zone"])
        employees[key] = employee

    hr = employees["hr"].user
    for login in LOGINS:
        user = employees[login.key].user
        user.password = password
        user.save(update_fields=["password"])
    hr.groups.add(
        Group.objects.get(name=HR_ADMINS_GROUP), Group.objects.get(name=PEOPLE_ADMINS_GROUP)
    )
    admin = employees["admin"].user
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])

    for spec in PROGRAMMES:
        _seed_programme(spec, employees=employees, hr=hr, today=today, rng=rng)
    _seed_situational(employees=employees, hr=hr, today=today)


def _scored(guide: Person, learner: Person, scoring: Rules) -> tuple[float, dict, list[str]]:
    breakdown = score_pair(guide, learner, scoring)
    if breakdown is None:
        raise ValueError(
            f"the demo pairs {guide.label} and {learner.label}, which the rules forbid"
        )
    points = breakdown.as_dict()
    return round(breakdown.total, 2), points, explain(breakdown, guide, learner, scoring)


def _seed_programme(spec: Programme, *, employees, hr, today: date, rng: random.Random) -> None:
    program = Program(
        slug=spec.slug,
        name=spec.name,
        description=spec.description,
        kind=spec.kind,
        status=spec.status,
        matching_mode=spec.matching_mode,
        enrol_opens=today + timedelta(days=spec.enrol_opens),
        enrol_closes=today + timedelta(days=spec.enrol_closes),
        starts_on=today + timedelta(days=spec.starts_on),
        ends_on=today + timedelta(days=spec.ends_on),
        checkin_cadence_days=Program.DEFAULT_CADENCE_DAYS[spec.kind],
    )
    if program.is_group:
        # As the programme form stores them: the kind's sizes, for HR to see and change.
        program.group_min, program.group_max, program.group_level_spread = GROUP_DEFAULTS[spec.kind]
    program.full_clean()
    program.save()
    program.admins.set([hr])
    opened = today + timedelta(days=spec.enrol_opens)
    Program.objects.filter(pk=program.pk).update(created_at=_at(opened - timedelta(days=14)))

    topics = {t.name: t for t in Topic.objects.filter(name__in=TOPICS)}
    participants: dict[str, Participant] = {}
    for n, enrol in enumerate(spec.enrolments):
        employee = employees[enrol.key]
        participant = Participant(
            program=program,
            employee=employee,
            role=enrol.role,
            style=enrol.style,
            focus=enrol.focus,
            capacity=enrol.capacity,
            note=enrol.note,
            paused_until=today + timedelta(days=enrol.paused_for_days)
            if enrol.paused_for_days
            else None,
            enrolled_at=_at(opened + timedelta(days=n % 9), hour=9 + n % 8),
        )
        participant.full_clean()
        participant.save()
        participant.goals.set([topics[name] for name in enrol.goals])
        participant.expertise.set([topics[name] for name in enrol.expertise])
        participants[enrol.key] = participant
    keys = keys_by_employee(participants.values())
    people = {
        enrol.key: person_for(
            participants[enrol.key],
            key_of_employee=keys,
            goals=enrol.goals,
            expertise=enrol.expertise,
        )
        for enrol in spec.enrolments
    }

    scoring = rules_for(program)
    for match in spec.matches:
        first, second = match.keys
        score, breakdown, reasons = _scored(people[first], people[second], scoring)
        _create_pairing(
            program,
            match,
            members=[participants[first], participants[second]],
            score=score,
            breakdown=breakdown,
            reasons=reasons,
            employees=employees,
            today=today,
            rng=rng,
        )
    _record_history(program, spec, hr=hr, today=today)


def _create_pairing(
    program, match: Match, *, members, score, breakdown, reasons, employees, today, rng
):
    proposed_at = _at(today - timedelta(days=match.proposed))
    responded_at = proposed_at + timedelta(days=1)
    activated_at = _at(today - timedelta(days=match.activated)) if match.activated else None
    held = [today - timedelta(days=days) for days in match.checkins]
    next_due = None
    if match.status == Status.ACTIVE:
        next_due = schedule.next_checkin_due(
            start=activated_at.date(),
            latest_checkin=max(held, default=None),
            cadence_days=program.checkin_cadence_days,
        )
    pairing = Pairing.objects.create(
        program=program,
        status=match.status,
        source=match.source,
        score=score,
        breakdown=breakdown,
        reasons=reasons,
        proposed_at=proposed_at,
        expires_at=schedule.proposal_expires_at(program, proposed_at),
        activated_at=activated_at,
        next_checkin_due=next_due,
        ended_at=_at(today - timedelta(days=match.ended), 16) if match.ended else None,
        ended_by=employees[match.ended_by].user if match.ended_by else None,
        end_reason=match.end_reason,
    )
    peer = program.is_peer
    built = rules.proposal_members(
        pairing,
        guide_id=None if peer else members[0].pk,
        member_ids=[m.pk for m in (members if peer else members[1:])],
        at=proposed_at,
    )
    key_of = {m.pk: m.employee.email.split("@")[0] for m in members}
    declined_key, reason, note = match.declined_by or (None, "", "")
    for member in built:
        key = key_of[member.participant_id]
        # What happened since it was proposed: someone declined, or people said yes.
        if key == declined_key:
            member.response, member.responded_at = PairingMember.Response.DECLINED, responded_at
            member.decline_reason, member.decline_note = reason, note
        elif match.status in AGREED or key in match.accepted_by:
            member.response, member.responded_at = PairingMember.Response.ACCEPTED, responded_at
        member.live = match.status in LIVE
    PairingMember.objects.bulk_create(built)
    notes = PEER_NOTES if peer else MENTORING_NOTES
    for n, day in enumerate(sorted(held)):
        # Learners usually log the meeting; peers take turns.
        logger = members[n % 2] if peer else members[1]
        CheckIn.objects.create(
            pairing=pairing,
            held_on=day,
            logged_by=logger,
            summary=rng.choice(notes),
            private_note=rng.choice(PRIVATE_NOTES),
            rating=rng.choice((3, 4, 4, 5, 5)),
            created_at=_at(day, 17),
        )


def _record_history(program: Program, spec: Programme, *, hr, today: date) -> None:
    opened = today + timedelta(days=spec.enrol_opens)
    A = AuditEvent.Action
    events = [
        (opened - timedelta(days=14), A.CREATED, f"Created {program.name}"),
        (opened + timedelta(days=1), A.IMPORTED, f"Imported {len(spec.enrolments)} participants"),
    ]
    matched = [m for m in spec.matches if m.source == Pairing.Source.MATCHING]
    if matched:
        first = today - timedelta(days=max(m.proposed for m in matched))
        events += [
            (first, A.MATCHING_RUN, "Ran matching"),
            (first, A.PUBLISHED, f"Published {len(matched)} proposals"),
        ]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            program=program, actor=hr, action=action, summary=summary, created_at=_at(day, 11)
        )
        for day, action, summary in events
    )


# --- The situational programme: office hours, challenges, one session held ---------------

ASK_SLUG = "ask-an-expert"
ASK_NAME = "Ask an expert"


@dataclass(frozen=True)
class Helper:
    key: str
    expertise: tuple[str, ...]
    # (weekday 0=Monday, "HH:MM") in the helper's own time zone.
    slots: tuple[tuple[int, str], ...]
    minutes: int = 30
    monthly_cap: int | None = None
    paused: bool = False


@dataclass(frozen=True)
class Ask:
    key: str
    topics: tuple[str, ...]
    text: str
    urgency: str = Challenge.Urgency.SOON
    # (helper's key, days ago) for the one session held; None leaves the challenge open.
    held_with: tuple[str, int] | None = None
    created_days_ago: int = 2


# fmt: off
# Helpers in London and New York, so slots show across time zones; Zoe is paused, so
# "Social media" shows among the topics nobody offers, as do "Public speaking" and "SEO".
HELPERS = (
    Helper("mentor", ("System design", "Python", "Cloud architecture"), ((1, "10:00"), (3, "14:00"))),
    Helper("carlos.mendes", ("Negotiation", "Account planning"), ((0, "09:00"), (2, "16:00")), minutes=45),
    Helper("david.kim", ("Financial modelling", "Budgeting"), ((4, "11:00"),), monthly_cap=2),
    Helper("zoe.adams", ("Brand storytelling", "Social media"), ((2, "13:00"),), paused=True),
)
ASKS = (
    Ask("mentee", ("System design",), "My first design review is next week: how do I present the trade-offs?", Challenge.Urgency.THIS_WEEK),
    Ask("tyler.johnson", ("Negotiation", "Public speaking"), "A client wants a 30% discount on a renewal; I present to them on Friday."),
    Ask("diego.ramos", ("SEO and content", "Social media"), "Our blog traffic halved since the redesign.", Challenge.Urgency.WHENEVER, created_days_ago=5),
    Ask("ella.brooks", ("Python",), "Tests in our service take 20 minutes; where do I start?", held_with=("mentor", 10), created_days_ago=14),
)
# fmt: on


def _seed_situational(*, employees, hr, today: date) -> None:
    """ "Ask an expert": helpers with weekly office hours, open challenges, and one session
    held with both people's feedback, so its pages and HR's dashboard show something."""
    program = Program(
        slug=ASK_SLUG,
        name=ASK_NAME,
        description=(
            "Stuck on something specific? Describe the challenge and book 30 minutes with "
            "someone who has solved it before."
        ),
        kind=Program.Kind.SITUATIONAL,
        status=Program.Status.ACTIVE,
        enrol_opens=today - timedelta(days=45),
        starts_on=today - timedelta(days=30),
        checkin_cadence_days=Program.DEFAULT_CADENCE_DAYS[Program.Kind.SITUATIONAL],
        monthly_help_cap=4,
        **Program.SITUATIONAL_GAPS,
    )
    program.full_clean()
    program.save()
    program.admins.set([hr])
    topics = {t.name: t for t in Topic.objects.filter(name__in=TOPICS)}
    enrolled = _at(today - timedelta(days=40), hour=9)
    helpers: dict[str, Participant] = {}
    for spec in HELPERS:
        helper = Participant.objects.create(
            program=program, employee=employees[spec.key], role=Role.MENTOR, enrolled_at=enrolled
        )
        helper.expertise.set([topics[name] for name in spec.expertise])
        hours = OfficeHours.objects.create(
            helper=helper,
            session_minutes=spec.minutes,
            monthly_cap=spec.monthly_cap,
            paused=spec.paused,
        )
        WeeklySlot.objects.bulk_create(
            WeeklySlot(office_hours=hours, weekday=day, starts_at=time.fromisoformat(at))
            for day, at in spec.slots
        )
        helpers[spec.key] = helper
    minutes = {spec.key: spec.minutes for spec in HELPERS}
    for ask in ASKS:
        asker = Participant.objects.create(
            program=program, employee=employees[ask.key], role=Role.MENTEE, enrolled_at=enrolled
        )
        asker.goals.set([topics[name] for name in ask.topics])
        challenge = Challenge.objects.create(
            asker=asker,
            text=ask.text,
            urgency=ask.urgency,
            status=Challenge.Status.DONE if ask.held_with else Challenge.Status.OPEN,
            created_at=_at(today - timedelta(days=ask.created_days_ago), hour=12),
        )
        challenge.topics.set([topics[name] for name in ask.topics])
        if ask.held_with:
            key, days_ago = ask.held_with
            starts_at = _at(today - timedelta(days=days_ago), hour=14)
            ends_at = starts_at + timedelta(minutes=minutes[key])
            session = HelpSession.objects.create(
                challenge=challenge,
                helper=helpers[key],
                starts_at=starts_at,
                ends_at=ends_at,
                status=HelpSession.Status.HELD,
                booked_at=challenge.created_at + timedelta(hours=1),
                held_at=ends_at,
            )
            SessionFeedback.objects.bulk_create(
                SessionFeedback(
                    session=session,
                    participant=person,
                    helpful=True,
                    meet_again=again,
                    created_at=ends_at + timedelta(hours=2),
                )  # fmt: skip
                for person, again in ((asker, True), (helpers[key], False))
            )
    AuditEvent.objects.create(
        program=program,
        actor=hr,
        action=AuditEvent.Action.CREATED,
        summary=f"Created {program.name}",
        created_at=_at(today - timedelta(days=50), hour=11),
    )


# --- The large programme (performance work) ---------------------------------------------

LARGE_SLUG = "company-wide-mentoring-large"
LARGE_NAME = "Company-wide Mentoring (large)"
# fmt: off
FIRST_NAMES = (
    "Aaliyah", "Adam", "Ahmed", "Alice", "Amara", "Andrew", "Ania", "Ben", "Bilal", "Camila",
    "Charlotte", "Chen", "Chidi", "Clara", "Daniel", "Dara", "Elif", "Emily", "Ethan", "Farah",
    "Felix", "Freya", "Gabriel", "Hana", "Harry", "Ines", "Isaac", "Jasmine", "Javier", "Jin",
    "Kai", "Karim", "Laila", "Leo", "Lina", "Luca", "Maya", "Mohammed", "Nia", "Noah", "Omar",
    "Oscar", "Ravi", "Rosa", "Ruby", "Sara", "Sean", "Tariq", "Tess", "Umar", "Vera", "William",
    "Yara", "Zain", "Zoe",
)
LAST_NAMES = (
    "Abbott", "Adeyemi", "Ahmed", "Andersen", "Baker", "Banerjee", "Bell", "Costa", "Davies",
    "Dubois", "Edwards", "Evans", "Fernandes", "Fischer", "Garcia", "Gupta", "Hall", "Hansen",
    "Hughes", "Ibrahim", "Jensen", "Jones", "Kaur", "Khan", "Kowalski", "Lee", "Lopez", "Martin",
    "Mensah", "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Park",
    "Patel", "Quinn", "Reid", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith", "Tan",
    "Taylor", "Walker", "Wang", "Wilson", "Wong", "Yilmaz", "Young", "Zhang",
)
DEPARTMENT_WEIGHTS = (36, 24, 14, 12, 14)
TITLES = {
    "Engineering": ("Graduate Engineer", "Software Engineer", "Software Engineer II", "Senior Software Engineer", "Principal Engineer", "Director of Engineering"),
    "Sales": ("Sales Associate", "Sales Development Representative", "Account Executive", "Senior Account Manager", "Regional Sales Manager", "Sales Director"),
    "Marketing": ("Marketing Assistant", "Marketing Coordinator", "Marketing Specialist", "Senior Marketing Manager", "Head of Brand", "Marketing Director"),
    "Finance": ("Finance Assistant", "Finance Analyst", "Accountant", "Senior Finance Manager", "Financial Controller", "Finance Director"),
    "People": ("HR Assistant", "People Coordinator", "HR Advisor", "Senior HR Business Partner", "Head of Talent", "People Director"),
}
# The topics people in each department most often want or offer, before a few general ones.
DEPARTMENT_TOPICS = {
    "Engineering": ("Python", "System design", "Cloud architecture", "Data analysis", "Machine learning basics", "AI tools at work"),
    "Sales": ("Negotiation", "Account planning", "Stakeholder management", "Public speaking", "AI tools at work"),
    "Marketing": ("Brand storytelling", "SEO and content", "Social media", "Product strategy", "Data analysis"),
    "Finance": ("Financial modelling", "Budgeting", "Data analysis", "Stakeholder management"),
    "People": ("Hiring and interviewing", "Coaching conversations", "Conflict resolution", "People management"),
}
GENERAL_TOPICS = ("Public speaking", "Career planning", "Giving feedback", "Time management", "Influencing without authority", "Executive presence", "People management")
MENTEE_LEVELS = ((1, 2, 3, 4), (25, 35, 30, 10))
MENTOR_LEVELS = ((3, 4, 5, 6), (25, 40, 30, 5))
TIME_ZONES = ((LONDON, NEW_YORK, SINGAPORE), (70, 20, 10))
# Mixed states for the large programme's pairings; every state appears in the first eight.
LARGE_STATES = (
    Status.ACTIVE, Status.PROPOSED, Status.DECLINED, Status.ACTIVE, Status.ENDED,
    Status.ACCEPTED, Status.ACTIVE, Status.EXPIRED, Status.ACTIVE, Status.PROPOSED,
    Status.ACTIVE, Status.ENDED, Status.ACTIVE, Status.ACCEPTED, Status.DECLINED,
    Status.ACTIVE, Status.PROPOSED, Status.ACTIVE, Status.ACTIVE, Status.ACTIVE,
)
# fmt: on


@dataclass
class _LargePerson:
    email: str
    name: str
    department: str
    level: int
    role: str
    time_zone: str
    goals: tuple[str, ...]
    expertise: tuple[str, ...]
    style: str
    capacity: int | None
    manager: _LargePerson | None = None
    employee: Employee | None = None


def _topics_for(department: str, count: int, rng: random.Random) -> tuple[str, ...]:
    pool = list(DEPARTMENT_TOPICS[department]) * 2 + list(GENERAL_TOPICS)
    chosen: list[str] = []
    while len(chosen) < count:
        topic = rng.choice(pool)
        if topic not in chosen:
            chosen.append(topic)
    return tuple(chosen)


def _large_people(count: int, rng: random.Random) -> list[_LargePerson]:
    mentors = count // 5
    people = []
    for i in range(count):
        is_mentor = i < mentors
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        department = rng.choices(DEPARTMENTS, DEPARTMENT_WEIGHTS)[0]
        levels, weights = MENTOR_LEVELS if is_mentor else MENTEE_LEVELS
        people.append(
            _LargePerson(
                email=f"{first}.{last}.{i + 1:05d}@{LARGE_DOMAIN}".lower(),
                name=f"{first} {last}",
                department=department,
                level=rng.choices(levels, weights)[0],
                role=Role.MENTOR if is_mentor else Role.MENTEE,
                time_zone=rng.choices(*TIME_ZONES)[0],
                goals=() if is_mentor else _topics_for(department, rng.randint(1, 3), rng),
                expertise=_topics_for(department, rng.randint(2, 5), rng) if is_mentor else (),
                style=rng.choices((E, D, R), (50, 25, 25))[0],
                capacity=rng.randint(1, 5) if is_mentor else None,
            )
        )
    # A reporting tree: each person reports to someone in their department one level up
    # (or the nearest level above that has anyone); the top reports to the demo's CEO.
    by_rank: dict[tuple[str, int], list[_LargePerson]] = {}
    for person in people:
        by_rank.setdefault((person.department, person.level), []).append(person)
    for person in people:
        for level in range(person.level + 1, 7):
            bosses = by_rank.get((person.department, level))
            if bosses:
                person.manager = rng.choice(bosses)
                break
    return people


def _seed_large(*, today: date, rng: random.Random, count: int) -> None:
    """About ``count`` participants in one mentoring programme, written with bulk inserts
    (a few seconds for 10,000 people); a few hundred pairings so the dashboards have data."""
    User = get_user_model()
    ceo = Employee.objects.get(email=email_of("eleanor.whitfield"))
    hr = Employee.objects.get(email=email_of("hr")).user
    people = _large_people(count, rng)
    # Hashing is the slow part of creating users: one unusable hash serves them all (they
    # set a password through "forgotten password", as employees from an import do).
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=p.email, email=p.email, password=unusable) for p in people],
        batch_size=BATCH,
    )
    # Managers before reports, so each manager's id is known when its reports are written.
    order = sorted(zip(people, users, strict=True), key=lambda pair: -pair[0].level)
    for level in range(6, 0, -1):
        rows = [(p, u) for p, u in order if p.level == level]
        employees = Employee.objects.bulk_create(
            [
                Employee(
                    user=user,
                    email=p.email,
                    name=p.name,
                    department=p.department,
                    title=TITLES[p.department][p.level - 1],
                    level=p.level,
                    manager=p.manager.employee if p.manager else ceo,
                    time_zone=p.time_zone,
                )
                for p, user in rows
            ],
            batch_size=BATCH,
        )
        for (p, _), employee in zip(rows, employees, strict=True):
            p.employee = employee

    program = Program.objects.create(
        slug=LARGE_SLUG,
        name=LARGE_NAME,
        description="Everyone who asked for a mentor this year, company-wide: for performance work.",
        kind=Program.Kind.MENTORING,
        status=Program.Status.ACTIVE,
        matching_mode=Program.MatchingMode.ADMIN,
        enrol_opens=today - timedelta(days=190),
        enrol_closes=today - timedelta(days=160),
        starts_on=today - timedelta(days=150),
        ends_on=today + timedelta(days=300),
        checkin_cadence_days=Program.DEFAULT_CADENCE_DAYS[Program.Kind.MENTORING],
    )
    program.admins.set([hr])
    enrolled = _at(today - timedelta(days=180))
    participants = Participant.objects.bulk_create(
        [
            Participant(
                program=program,
                employee=p.employee,
                role=p.role,
                style=p.style,
                focus=Focus.LONG_TERM,
                capacity=p.capacity,
                # One mentor in a hundred is taking a break: the tables' filters have data.
                paused_until=today + timedelta(days=30)
                if p.capacity and rng.random() < 0.01
                else None,
                enrolled_at=enrolled + timedelta(minutes=i),
            )
            for i, p in enumerate(people)
        ],
        batch_size=BATCH,
    )
    topic_ids = {t.name: t.pk for t in Topic.objects.filter(name__in=TOPICS)}
    Goals, Expertise = Participant.goals.through, Participant.expertise.through
    Goals.objects.bulk_create(
        [
            Goals(participant_id=part.pk, topic_id=topic_ids[name])
            for p, part in zip(people, participants, strict=True)
            for name in p.goals
        ],
        batch_size=BATCH * 2,
    )
    Expertise.objects.bulk_create(
        [
            Expertise(participant_id=part.pk, topic_id=topic_ids[name])
            for p, part in zip(people, participants, strict=True)
            for name in p.expertise
        ],
        batch_size=BATCH * 2,
    )
    _large_pairings(program, people, participants, today=today, rng=rng)
    AuditEvent.objects.create(
        program=program,
        actor=hr,
        action=AuditEvent.Action.IMPORTED,
        summary=f"Imported {count} participants",
        created_at=enrolled,
    )


def _large_pairings(program, people, participants, *, today: date, rng: random.Random) -> None:
    scoring = rules_for(program)
    keys = keys_by_employee(participants)
    cadence = program.checkin_cadence_days
    mentors = [(p, part) for p, part in zip(people, participants, strict=True) if p.capacity]
    mentees = [(p, part) for p, part in zip(people, participants, strict=True) if not p.capacity]
    rng.shuffle(mentees)
    wanted = max(len(LARGE_STATES), len(people) // 25)
    load: dict[int, int] = {}

    def person(p: _LargePerson, participant: Participant) -> Person:
        return person_for(participant, key_of_employee=keys, goals=p.goals, expertise=p.expertise)

    pairings, members, checkins, plans = [], [], [], []
    for n, (mentee, learner) in enumerate(mentees[:wanted]):
        status = LARGE_STATES[n % len(LARGE_STATES)]
        live = status in LIVE
        for _ in range(200):
            mentor, guide = rng.choice(mentors)
            if live and load.get(guide.pk, 0) >= mentor.capacity:
                continue
            scored = score_pair(person(mentor, guide), person(mentee, learner), scoring)
            if scored is not None:
                break
        else:
            continue  # nobody suitable for this mentee: the demo leaves them unmatched
        if live:
            load[guide.pk] = load.get(guide.pk, 0) + 1
        score, breakdown, reasons = _scored(person(mentor, guide), person(mentee, learner), scoring)
        started = rng.randint(5, 145) if status in (Status.ACTIVE, Status.ENDED) else None
        proposed = (started or 0) + 2 if started else rng.randint(1, 5)
        if status in (Status.EXPIRED, Status.DECLINED):
            proposed = rng.randint(20, 55)
        proposed_at = _at(today - timedelta(days=proposed))
        held = []
        if started:
            day = today - timedelta(days=started)
            # Some pairs meet a few days late, so some check-ins are overdue today.
            while (day := day + timedelta(days=cadence + rng.randint(-3, 4))) < today:
                held.append(day)
            if rng.random() < 0.1:
                held = held[:1]  # a stalled pair: met once, then nothing for months
        activated_at = _at(today - timedelta(days=started)) if started else None
        if status == Status.ACCEPTED:
            # Stamped when everyone accepted (services._go_live), though it starts later.
            activated_at = proposed_at + timedelta(days=1)
        pairing = Pairing(
            program=program,
            status=status,
            score=score,
            breakdown=breakdown,
            reasons=reasons,
            proposed_at=proposed_at,
            expires_at=schedule.proposal_expires_at(program, proposed_at),
            activated_at=activated_at,
            next_checkin_due=schedule.next_checkin_due(
                start=activated_at.date(),
                latest_checkin=max(held, default=None),
                cadence_days=cadence,
            )
            if status == Status.ACTIVE
            else None,
            ended_at=_at(today - timedelta(days=1), 16) if status == Status.ENDED else None,
            ended_by=mentee.employee.user if status == Status.ENDED else None,
            end_reason="Goals met ahead of schedule." if status == Status.ENDED else "",
        )
        pairings.append(pairing)
        plans.append((pairing, guide, learner, held, status))
    Pairing.objects.bulk_create(pairings, batch_size=BATCH)

    Response = PairingMember.Response
    for pairing, guide, learner, held, status in plans:
        responded = pairing.proposed_at + timedelta(days=1)
        built = rules.proposal_members(
            pairing, guide_id=guide.pk, member_ids=[learner.pk], at=pairing.proposed_at
        )
        for member in built:
            if member.role == PairingMember.Role.GUIDE and status == Status.DECLINED:
                member.response, member.responded_at = Response.DECLINED, responded
                member.decline_reason = Decline.NO_TIME
            elif member.role == PairingMember.Role.GUIDE and status in AGREED:
                member.response, member.responded_at = Response.ACCEPTED, responded
            member.live = status in LIVE
        members += built
        checkins += [
            CheckIn(
                pairing=pairing,
                held_on=day,
                logged_by=learner,
                summary=rng.choice(MENTORING_NOTES),
                rating=rng.choice((2, 3, 4, 4, 5, 5)),
                created_at=_at(day, 17),
            )
            for day in held
        ]
    PairingMember.objects.bulk_create(members, batch_size=BATCH)
    CheckIn.objects.bulk_create(checkins, batch_size=BATCH)
