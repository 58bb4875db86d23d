"""Programmes, the people in them and what they want to learn.

The matching rules of a programme live on the programme row (every number of the
contract in DESIGN.md), so HR can change them without a deploy.
"""

import uuid
import zoneinfo
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from programs.topics import normalise_topic

HR_ADMINS_GROUP = "HR admins"
# People admins keep the directory (master data of every employee, leavers included).
PEOPLE_ADMINS_GROUP = "People admins"


def normalise_email(email: str) -> str:
    return email.strip().lower()


class Level(models.IntegerChoices):
    ENTRY = 1, "1 · Entry"
    ASSOCIATE = 2, "2 · Associate"
    PROFESSIONAL = 3, "3 · Professional"
    SENIOR = 4, "4 · Senior"
    PRINCIPAL = 5, "5 · Principal / Manager"
    EXECUTIVE = 6, "6 · Executive"


class Style(models.TextChoices):
    DIRECTIVE = "directive", "Directive: experience-based advice"
    REFLECTIVE = "reflective", "Reflective: question-based support"
    EITHER = "either", "Either"


class Focus(models.TextChoices):
    LONG_TERM = "long_term", "Long-term career development"
    SHORT_TERM = "short_term", "Short-term skill or problem"


TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class EmployeeQuerySet(models.QuerySet):
    def by_email(self, email: str):
        return self.filter(email=normalise_email(email))

    def never_signed_in(self):
        """People with an active login who have never used it: the ones to invite."""
        return self.filter(user__last_login=None, user__is_active=True)

    def active(self):
        """Still in the organisation. A leaver is kept (their history is reported on)
        with an inactive login, so "active" lives in one place: the user."""
        return self.filter(user__is_active=True)


class Employee(models.Model):
    """A person in the organisation; each has a login (the CSV import creates it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employee"
    )
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200)
    department = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=150, blank=True)
    level = models.PositiveSmallIntegerField(choices=Level, default=Level.PROFESSIONAL)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    time_zone = models.CharField(
        max_length=64, choices=TIME_ZONE_CHOICES, default=settings.TIME_ZONE
    )
    optional_emails = models.BooleanField(
        default=True,
        help_text="Reminders about check-ins and surveys. Proposals are always emailed.",
    )
    # The last invitation (set-your-password email) sent; None until the first. Whether
    # the person ever signed in is their user's last_login.
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The id an HR system provisioning over SCIM knows this person by: random, so it tells
    # nothing about the row or how many there are. None once the HR system deleted the
    # person (they stay in the directory as a leaver, with their history, but SCIM no
    # longer finds them).
    scim_id = models.UUIDField(
        default=uuid.uuid4, unique=True, null=True, blank=True, editable=False
    )
    # The HR system's own id for the person (SCIM externalId), kept as it sent it.
    scim_external_id = models.CharField(max_length=255, blank=True, editable=False)
    # The latest of: signing in, answering a proposal, logging a check-in, asking someone
    # (self-select) and editing an enrolment (programs.services.employee_mark_active).
    # Kept on the row because HR's participants table shows it for thousands of people.
    last_active_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=6), name="employee_level_1_to_6"
            ),
            models.CheckConstraint(
                condition=Q(email=models.functions.Lower("email")),
                name="employee_email_lower_case",
            ),
            models.CheckConstraint(condition=~Q(manager=F("pk")), name="employee_not_own_manager"),
        ]
        indexes = [models.Index(fields=["department", "level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    def differences(self, *, name: str, department: str, level: int, manager_email: str):
        """How these directory values differ from the person's ("level 3 → 4"), by the
        CSV's column names: what an import or add-participant would change. Expects the
        manager loaded."""
        pairs = (
            ("name", self.name, name),
            ("department", self.department, department),
            ("level", self.level, level),
            ("manager_email", self.manager.email if self.manager else "", manager_email),
        )

        def shown(value) -> str:
            return repr(value) if isinstance(value, str) else str(value)

        return tuple(
            f"{column} {shown(current)} → {shown(wanted)}"
            for column, current, wanted in pairs
            if current != wanted
        )

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Topic(models.Model):
    """A goal or an area of expertise. `key` makes "Public speaking " and "PUBLIC SPEAKING" one."""

    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100, unique=True, editable=False)
    # Who typed it into their enrolment, and when: employees may add only a few a day
    # (programs.services.NEW_TOPICS_PER_DAY). None for HR's imports and the admin's.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.key = normalise_topic(self.name)
        super().save(*args, **kwargs)


class ProgramQuerySet(models.QuerySet):
    # Who administers what is programs.selectors.programs_administered_by, the one rule
    # every HR view goes through; it needs the HR admins group, so it is not a bare filter.
    def open_for_enrolment(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.filter(status=Program.Status.ENROLLING).filter(
            Q(enrol_closes__isnull=True) | Q(enrol_closes__gte=today)
        )


# Most people one guide may support at once: far above any real mentor, and it keeps a
# typing slip (99999) out of the database and of matching.
MAX_CAPACITY = 50


# The widest level gap there is (Entry to Executive): a setting beyond it means nothing.
MAX_LEVEL_GAP = Level.EXECUTIVE - Level.ENTRY
# A group larger than this is a meeting, not a circle (the engine takes any size).
MAX_GROUP_SIZE = 12
# A programme runs for months; longer than a year is a typing slip.
MAX_SETTING_DAYS = 365
# Rounds: a rotation longer than a year, or a rest of more rounds than a programme runs
# in years, is a typing slip too.
MAX_ROTATION_WEEKS = 52
MAX_ROUNDS = 50
# More requests waiting at once than anyone could weigh up is a flood, not a choice.
MAX_REQUESTS = 10
# A helper giving more one-off sessions than this a month is a job, not office hours.
MAX_MONTHLY_SESSIONS = 40


class Program(models.Model):
    class Kind(models.TextChoices):
        MENTORING = "mentoring", "Mentoring"
        REVERSE_MENTORING = "reverse_mentoring", "Reverse mentoring"
        PEER_COACHING = "peer_coaching", "Peer coaching"
        PEER_CIRCLES = "peer_circles", "Peer coaching circles"
        CO_DEVELOPMENT = "co_development", "Co-development groups"
        GROUP_MENTORING = "group_mentoring", "Group mentoring"
        SITUATIONAL = "situational", "Situational mentoring"

    # Equals, with no mentor among them; the group kinds meet as groups, not pairs.
    PEER_KINDS = (Kind.PEER_COACHING, Kind.PEER_CIRCLES, Kind.CO_DEVELOPMENT)
    GROUP_KINDS = (Kind.PEER_CIRCLES, Kind.CO_DEVELOPMENT, Kind.GROUP_MENTORING)

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ENROLLING = "enrolling", "Open for enrolment"
        ACTIVE = "active", "Running"
        CLOSED = "closed", "Closed"

    class MatchingMode(models.TextChoices):
        ADMIN = "admin", "HR runs matching"
        SELF_SELECT = "self_select", "Employees choose from their best candidates"

    # Mentors meet less often and on a schedule; peers check in regularly and lightly.
    # A co-development group works one case a month; circles meet like peer pairs.
    DEFAULT_CADENCE_DAYS = {
        Kind.MENTORING: 28,
        Kind.REVERSE_MENTORING: 28,
        Kind.PEER_COACHING: 14,
        Kind.PEER_CIRCLES: 14,
        Kind.CO_DEVELOPMENT: 28,
        Kind.GROUP_MENTORING: 28,
        # One-off sessions have no check-ins; a session turned into a pairing moves to a
        # mentoring programme, which has its own cadence.
        Kind.SITUATIONAL: 28,
    }

    # A situational programme matches nobody, but booking ranks helpers by the same scores:
    # any helper at or above the asker's level (up to five above) is fair, one above ideal.
    SITUATIONAL_GAPS = {"min_gap": 0, "ideal_gap": 1, "max_gap": 5}
    # The roles as a situational programme's people know them: helpers are enrolled as
    # mentors, askers as mentees, but nobody there is mentored.
    SITUATIONAL_ROLE_LABELS = {"mentor": "Offers help", "mentee": "Asks for help"}

    class HelpOfferedBy(models.TextChoices):
        MENTORS = "mentors", "The people HR enrols as mentors"
        ANYONE = "anyone", "Anyone enrolled in the programme"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    matching_mode = models.CharField(
        max_length=20, choices=MatchingMode, default=MatchingMode.ADMIN
    )
    enrol_opens = models.DateField(null=True, blank=True)
    enrol_closes = models.DateField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    checkin_cadence_days = models.PositiveSmallIntegerField(
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SETTING_DAYS)],
        help_text="Days between check-ins (mentoring 28, peer coaching 14 by default).",
    )
    default_capacity = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text="How many people a mentor supports unless they say otherwise.",
    )
    min_gap = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(MAX_LEVEL_GAP)],
        help_text="Fewest levels a mentor must be above (below, in reverse mentoring).",
    )
    ideal_gap = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(MAX_LEVEL_GAP)],
        help_text="The level gap that earns full level points.",
    )
    max_gap = models.PositiveSmallIntegerField(
        default=3,
        validators=[MaxValueValidator(MAX_LEVEL_GAP)],
        help_text="Most levels a mentor may be away.",
    )
    peer_max_gap = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(MAX_LEVEL_GAP)],
        help_text="Most levels two peer coaches may differ by.",
    )
    # The group kinds' sizes and spread; None (pair kinds) takes the engine's default for
    # the kind (DESIGN.md "Formats"). In group mentoring the sizes count the mentees.
    group_min = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_GROUP_SIZE)],
        help_text="Fewest people in a group (mentees, in group mentoring).",
    )
    group_max = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_GROUP_SIZE)],
        help_text="Most people in a group (mentees, in group mentoring).",
    )
    group_level_spread = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_LEVEL_GAP)],
        help_text="Most levels between the most and least senior members of a group.",
    )
    weight_goals = models.PositiveSmallIntegerField(
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="Points for goals covered by the mentor's expertise (or shared).",
    )
    weight_level = models.PositiveSmallIntegerField(
        default=25,
        validators=[MaxValueValidator(100)],
        help_text="Points for the level gap being ideal.",
    )
    weight_style = models.PositiveSmallIntegerField(
        default=20,
        validators=[MaxValueValidator(100)],
        help_text="Points for a matching feedback style.",
    )
    weight_department = models.PositiveSmallIntegerField(
        default=5,
        validators=[MaxValueValidator(100)],
        help_text="Points for coming from different departments.",
    )
    # 20 by default: a first choice counts as much as a matching style and well under full
    # goal cover (50), so it decides between good fits without pairing someone with a
    # mentor who covers none of their goals. Not part of the 100 points of fit.
    weight_preference = models.PositiveSmallIntegerField(
        default=20,
        validators=[MaxValueValidator(100)],
        help_text="Points for a mentee's first choice (2/3 and 1/3 for the second and third); "
        'a mentor\'s "rather not" takes as many away.',
    )
    proposal_expiry_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SETTING_DAYS)],
        help_text="Days a proposal waits for an answer before it lapses.",
    )
    # Rounds (cohorts): the round running now; each later one has a Round row.
    current_round = models.PositiveSmallIntegerField(default=1, editable=False)
    partner_repeat_rounds = models.PositiveSmallIntegerField(
        "Same partner again after",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ROUNDS)],
        help_text="Rounds that must pass before two people may be paired again. Leave "
        "blank to never pair the same people twice.",
    )
    rotate_every_weeks = models.PositiveSmallIntegerField(
        "Start a new round every",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ROTATION_WEEKS)],
        help_text="At each new round the pairings end, everyone still enrolled moves on "
        "and matching runs. Leave blank to start rounds yourself.",
    )
    auto_publish_rounds = models.BooleanField(
        "Publish scheduled rounds without review",
        default=False,
        help_text="Otherwise a scheduled round's matching waits for your review.",
    )
    # Self-select only: how many requests may wait for an answer at once. A learner asks a
    # few at a time instead of one after the other; a mentor's (or peer's) inbox stays
    # answerable however popular they are (see pairing.selectors.candidates_for).
    max_requests_per_mentee = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REQUESTS)],
        help_text="Requests a mentee (or peer) may have waiting at once.",
    )
    max_requests_per_mentor = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REQUESTS)],
        help_text="Requests a mentor (or a requested peer) may have waiting at once.",
    )
    # Situational only: who may publish office hours, and how many sessions a month each
    # helper gives at most (a helper may set a lower cap of their own, never a higher one).
    help_offered_by = models.CharField(
        "Who may offer help",
        max_length=10,
        choices=HelpOfferedBy,
        default=HelpOfferedBy.MENTORS,
    )
    monthly_help_cap = models.PositiveSmallIntegerField(
        "Sessions a month per helper",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MONTHLY_SESSIONS)],
        help_text="The most one-off sessions a helper gives in a calendar month.",
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="administered_programs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_capacity__gte=1), name="program_capacity_at_least_1"
            ),
            models.CheckConstraint(
                condition=Q(checkin_cadence_days__gte=1), name="program_cadence_at_least_1"
            ),
            models.CheckConstraint(
                condition=Q(proposal_expiry_days__gte=1), name="program_expiry_at_least_1"
            ),
            models.CheckConstraint(
                condition=Q(min_gap__lte=F("ideal_gap"), ideal_gap__lte=F("max_gap")),
                name="program_gaps_ordered",
            ),
            models.CheckConstraint(
                condition=Q(weight_goals__gte=0, weight_level__gte=0, weight_style__gte=0)
                & Q(weight_department__gte=0),
                name="program_weights_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(weight_goals__gt=0)
                | Q(weight_level__gt=0)
                | Q(weight_style__gt=0)
                | Q(weight_department__gt=0),
                name="program_weights_not_all_zero",
            ),
            models.CheckConstraint(
                condition=Q(enrol_opens__isnull=True)
                | Q(enrol_closes__isnull=True)
                | Q(enrol_opens__lte=F("enrol_closes")),
                name="program_enrolment_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lte=F("ends_on")),
                name="program_run_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "mentoring",
                        "reverse_mentoring",
                        "peer_coaching",
                        "peer_circles",
                        "co_development",
                        "group_mentoring",
                        "situational",
                    ]
                ),
                name="program_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(group_min__isnull=True)
                | Q(group_max__isnull=True)
                | Q(group_min__gte=2, group_min__lte=F("group_max")),
                name="program_group_sizes_ordered",
            ),
            models.CheckConstraint(
                condition=Q(max_requests_per_mentee__gte=1, max_requests_per_mentor__gte=1),
                name="program_request_caps_at_least_1",
            ),
            models.CheckConstraint(
                condition=Q(monthly_help_cap__gte=1), name="program_help_cap_at_least_1"
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_peer(self) -> bool:
        """Equals coaching each other (in pairs, circles or co-development groups)."""
        return self.kind in self.PEER_KINDS

    @property
    def is_group(self) -> bool:
        """Formed into groups by the group engine rather than into pairs."""
        return self.kind in self.GROUP_KINDS

    @property
    def is_co_development(self) -> bool:
        return self.kind == self.Kind.CO_DEVELOPMENT

    @property
    def is_situational(self) -> bool:
        """One-off sessions booked from helpers' office hours: no matching, no rounds."""
        return self.kind == self.Kind.SITUATIONAL

    @property
    def guide_role(self) -> str:
        return Participant.Role.PEER if self.is_peer else Participant.Role.MENTOR

    @property
    def learner_role(self) -> str:
        return Participant.Role.PEER if self.is_peer else Participant.Role.MENTEE

    @property
    def roles(self) -> list[str]:
        if self.is_peer:
            return [Participant.Role.PEER]
        return [Participant.Role.MENTOR, Participant.Role.MENTEE]

    def role_label(self, role: str) -> str:
        """The role's name in this programme ("Asks for help" in a situational one)."""
        label = Participant.Role(role).label
        if self.is_situational:
            # A peer enrolled before the kind changed keeps their own label.
            return self.SITUATIONAL_ROLE_LABELS.get(role, label)
        return label


def not_paused(today: date) -> Q:
    """Participants (a filter) not paused on ``today``: never paused, or back by then."""
    return Q(paused_until__isnull=True) | Q(paused_until__lte=today)


class ParticipantQuerySet(models.QuerySet):
    def active(self, today: date | None = None):
        """Enrolled in the programme's current round, not withdrawn, not paused and still
        in the organisation (a leaver's login is inactive): the people matching may use."""
        today = today or timezone.localdate()
        return self.in_current_round().filter(
            not_paused(today), withdrawn_at__isnull=True, employee__user__is_active=True
        )

    def in_current_round(self):
        """In the round running now: when a new round starts, only those who join it
        (or everyone, as HR chooses) move on."""
        return self.filter(round=F("program__current_round"))

    def guides(self):
        return self.filter(role=Participant.Role.MENTOR)

    def learners(self):
        return self.filter(role__in=[Participant.Role.MENTEE, Participant.Role.PEER])


class Participant(models.Model):
    """An employee's enrolment in one programme, with what they want or offer there."""

    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"
        PEER = "peer", "Peer coach"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participants")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(max_length=10, choices=Role)
    goals = models.ManyToManyField(Topic, blank=True, related_name="wanted_by")
    expertise = models.ManyToManyField(Topic, blank=True, related_name="offered_by")
    style = models.CharField(
        max_length=12,
        choices=Style,
        default=Style.EITHER,
        help_text="The feedback style wanted (mentees, peers) or offered (mentors).",
    )
    focus = models.CharField(max_length=12, choices=Focus, default=Focus.LONG_TERM)
    capacity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text="Most people supported at once; blank means the programme default.",
    )
    paused_until = models.DateField(
        null=True, blank=True, help_text="Not taking anyone new until this date."
    )
    # The paused_until a "you're back" email was sent for, claimed before sending, so the
    # resume reminder goes out once per pause however often the daily task runs.
    resume_reminded_for = models.DateField(null=True, blank=True, editable=False)
    # The paused_until an automatic pause (two proposals left to lapse) was emailed about,
    # claimed the same way.
    auto_pause_notified_for = models.DateField(null=True, blank=True, editable=False)
    note = models.TextField("What I hope to get", blank=True, max_length=1000)
    enrolled_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The latest round they are in (Program.current_round when they enrolled or joined).
    round = models.PositiveSmallIntegerField(default=1, editable=False)
    # Rounds in a row they were in and left without a partner (set when a round ends):
    # matching serves them first.
    rounds_waited = models.PositiveSmallIntegerField(default=0, editable=False)
    # The latest round they were emailed about (claimed before sending: told once).
    round_told = models.PositiveSmallIntegerField(default=1, editable=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["employee__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "employee"], name="participant_once_per_program"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="participant_capacity_at_least_1",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["mentor", "mentee", "peer"]), name="participant_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["program", "role"])]

    def __str__(self) -> str:
        return f"{self.employee} ({self.get_role_display()}, {self.program})"

    @property
    def effective_capacity(self) -> int:
        return self.capacity or self.program.default_capacity

    @property
    def is_paused(self) -> bool:
        return self.paused_until is not None and self.paused_until > timezone.localdate()

    @property
    def is_guide(self) -> bool:
        return self.role == self.Role.MENTOR

    @property
    def role_label(self) -> str:
        """The role as the programme names it (``program`` read)."""
        return self.program.role_label(self.role)


class Round(models.Model):
    """A round (cohort) of a programme. The first starts with the programme and gets its
    row when the second starts; what each round made is the pairings' `round`.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    started_at = models.DateTimeField(default=timezone.now)
    # None when the schedule started it (Program.rotate_every_weeks).
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Everyone still enrolled moved on; otherwise only those who join.
    everyone = models.BooleanField(default=False)
    # Its figures (pairing.selectors.round_figures), kept when the next round starts:
    # who was in a round is known for sure only until people move on.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="round_once_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="round_number_from_1"),
        ]

    def __str__(self) -> str:
        return f"Round {self.number} of {self.program}"


class AuditEvent(models.Model):
    """Who did what to a programme (shown on the programme page) or, with no programme,
    to the directory (shown on the directory page), and when."""

    class Action(models.TextChoices):
        CREATED = "created", "Created the programme"
        SETTINGS_CHANGED = "settings_changed", "Changed settings"
        PARTICIPANT_ADDED = "participant_added", "Added a participant"
        PARTICIPANT_CHANGED = "participant_changed", "Changed a participant"
        PARTICIPANT_WITHDRAWN = "participant_withdrawn", "Withdrew a participant"
        PARTICIPANT_LEFT = "participant_left", "Left the programme"
        PROPOSAL_CANCELLED = "proposal_cancelled", "Cancelled a proposal"
        PROPOSAL_REASSIGNED = "proposal_reassigned", "Reassigned a proposal"
        IMPORTED = "imported", "Imported participants"
        MATCHING_RUN = "matching_run", "Ran matching"
        PAIR_PINNED = "pair_pinned", "Pinned a pair"
        PAIR_REMOVED = "pair_removed", "Removed a proposed pair"
        PUBLISHED = "published", "Published proposals"
        INVITED = "invited", "Sent invitations"
        ADMIN_ADDED = "admin_added", "Added an admin"
        ADMIN_REMOVED = "admin_removed", "Removed an admin"
        NUDGED = "nudged", "Nudged people"
        PAIRING_ENDED = "pairing_ended", "Ended a pairing"
        ROUND_STARTED = "round_started", "Started a new round"
        # The directory's.
        PERSON_CHANGED = "person_changed", "Changed a person"
        PEOPLE_IMPORTED = "people_imported", "Imported the directory"
        PEOPLE_LEFT = "people_left", "Marked as leavers"
        PERSON_RETURNED = "person_returned", "Marked as back"
        PEOPLE_ADMIN_ADDED = "people_admin_added", "Added a people admin"
        PEOPLE_ADMIN_REMOVED = "people_admin_removed", "Removed a people admin"
        PERSON_ERASED = "person_erased", "Erased a person"
        # Support staff's, in the Django admin: on a programme's rows or the directory's.
        PARTICIPANT_AUTO_PAUSED = "participant_auto_paused", "Paused after lapsed proposals"
        ADMIN_SITE_ADDED = "admin_site_added", "Added in the Django admin"
        ADMIN_SITE_CHANGED = "admin_site_changed", "Changed in the Django admin"
        ADMIN_SITE_DELETED = "admin_site_deleted", "Deleted in the Django admin"

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=30, choices=Action)
    summary = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["program", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.program or 'the directory'}"


class Throttle(models.Model):
    """One request counted against a limit (e.g. password resets per address and per IP).

    In the database, not in a cache, so the limit holds across every web process and on a
    laptop with no cache server. ``key`` is a keyed hash: no addresses are kept.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]} {self.created_at:%Y-%m-%d %H:%M}"


class ScimTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token an HR system provisions the directory with (SCIM, /scim/v2/).

    Only a SHA-256 of the secret is kept: the secret is shown once, when a people admin
    creates the token. A long random secret needs no slow, salted hash, and the digest
    lets a request find its token with one indexed lookup.
    """

    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. “Entra ID”.")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so admins can tell tokens apart in the list and
    # in the HR system's settings without the secret being kept.
    prefix = models.CharField(max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scim_tokens"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ImportJob(models.Model):
    """One uploaded CSV on its way in: checked (planned), previewed, confirmed, imported.

    The file waits here, server-side, in the database, so a worker on another machine can
    read it; never in the session. Its content is emptied once the job has finished (done
    or failed), and the beat task purges jobs older than a day, previewed or not. `kind`
    names the importer (programs.import_jobs.IMPORTERS); `program` is empty for imports
    that belong to no programme.
    """

    class Kind(models.TextChoices):
        PARTICIPANTS = "participants", "Participants"
        DIRECTORY = "directory", "Directory"

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        PREVIEWED = "previewed", "Ready to import"
        QUEUED = "queued", "Waiting to import"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    kind = models.CharField(max_length=20, choices=Kind)
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="import_jobs"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    filename = models.CharField(max_length=255, blank=True)
    # Bytes as uploaded: the check reports a file that is not UTF-8, and PostgreSQL text
    # cannot hold the NUL bytes the check must be able to name.
    content = models.BinaryField(blank=True, default=b"")
    status = models.CharField(max_length=10, choices=Status, default=Status.CHECKING)
    # Rows checked or imported so far, of `total` (the file's lines until it is read).
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The plan's counts once checked, the import's once done.
    counts = models.JSONField(default=dict, blank=True)
    # The first rows that change something, for the preview: a list of dicts.
    preview = models.JSONField(default=list, blank=True)
    # Line errors: [[line, message], ...]; a file with any imports nothing.
    errors = models.JSONField(default=list, blank=True)
    # A failure that is not about a line (the database refused, a worker died).
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a worker claimed it to import (programs.leases): a dead worker's claim lapses.
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk} ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0
