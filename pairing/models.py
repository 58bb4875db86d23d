"""Pairings and their members, check-ins, matching runs and reminders.

A pairing has members rather than two fixed seats, so peer circles of 3-6 and one-off
sessions fit the same tables later. Each member answers a proposal separately.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from pairing import schedule, slots
from programs.models import Participant, Program


class PairingQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=Pairing.LIVE_STATUSES)

    def for_employee(self, employee):
        return self.filter(members__participant__employee=employee).distinct()


class Pairing(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted (starts later)"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        ENDED = "ended", "Ended"
        # A proposal closed before everyone answered: by HR, or because one of its people
        # withdrew from the programme.
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        MATCHING = "matching", "Matching run"
        PINNED = "pinned", "Pinned by HR"
        SELF_SELECT = "self_select", "Requested by the employee"

    LIVE_STATUSES = (Status.PROPOSED, Status.ACCEPTED, Status.ACTIVE)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairings")
    status = models.CharField(max_length=10, choices=Status, default=Status.PROPOSED)
    source = models.CharField(max_length=12, choices=Source, default=Source.MATCHING)
    score = models.FloatField(default=0)
    breakdown = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(
        default=list, blank=True, help_text="Why they were matched, in plain words."
    )
    match_run = models.ForeignKey(
        "MatchRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="pairings"
    )
    # The programme's round it was made in (Program.current_round then).
    round = models.PositiveSmallIntegerField(default=1)
    proposed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    next_checkin_due = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    end_reason = models.TextField(blank=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="pairing_score_0_to_100"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gte=models.F("proposed_at")),
                name="pairing_expires_after_proposed",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "next_checkin_due"]),
        ]

    def __str__(self) -> str:
        return f"Pairing {self.pk} in {self.program}"

    def get_absolute_url(self) -> str:
        return reverse("pairing:pairing_detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    @property
    def checkin_overdue_days(self) -> int:
        """Days an active pairing's next check-in is past due; 0 when it is not."""
        if self.status != self.Status.ACTIVE or self.next_checkin_due is None:
            return 0
        return schedule.days_overdue(due=self.next_checkin_due, today=timezone.localdate())

    def checkin_dates(self) -> tuple[date, date]:
        """The first and last day a check-in may be dated: from the day it began (everyone
        accepted; the day it was proposed for rows from before that was stamped) to today,
        or to the day it ended."""
        began = self.activated_at or self.proposed_at
        last = timezone.localdate(self.ended_at) if self.ended_at else timezone.localdate()
        return timezone.localdate(began), last


class PairingMember(models.Model):
    class Role(models.TextChoices):
        GUIDE = "guide", "Mentor"
        LEARNER = "learner", "Mentee"
        PEER = "peer", "Peer coach"

    class Response(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    class DeclineReason(models.TextChoices):
        NO_TIME = "no_time", "I don't have time right now"
        POOR_FIT = "poor_fit", "Our goals don't fit"
        KNOW_WELL = "know_well", "We already work closely together"
        CONFLICT = "conflict", "Conflict of interest"
        OTHER = "other", "Another reason"

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role)
    response = models.CharField(max_length=10, choices=Response, default=Response.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=12, choices=DeclineReason, blank=True)
    decline_note = models.CharField(max_length=500, blank=True)
    # Claimed before the proposal email is sent, so a retried or repeated task never
    # emails the same member twice about the same proposal.
    notified_at = models.DateTimeField(null=True, blank=True)
    # Claimed the same way before telling a member that their pairing or proposal was
    # closed by someone else: their partner left the organisation or the programme, or HR
    # cancelled or reassigned the proposal.
    partner_left_notified_at = models.DateTimeField(null=True, blank=True)
    # The day HR last nudged this member (to answer the proposal, or to hold a check-in),
    # claimed before the email is sent: at most one nudge a day, however often HR clicks.
    nudged_on = models.DateField(null=True, blank=True)
    # Claimed before telling a member that HR ended their pairing, so it is said once.
    ended_notified_at = models.DateTimeField(null=True, blank=True)
    # Mirrors pairing.is_live so the database itself can refuse a second live pairing
    # for one mentee or peer (a partial unique index cannot look across a join).
    live = models.BooleanField(default=True)
    # A mentee's or peer's seat in a self-select request nobody has answered yet. A learner
    # may hold several such seats at once (Program.max_requests_per_mentee), so
    # one_live_pairing_per_learner skips them; proposal_accept clears the flag in the
    # transaction that makes the request a pairing, and from then on the constraint guards
    # it (rules.REQUEST_SEAT is the one place this is decided).
    waiting_request = models.BooleanField(default=False)

    class Meta:
        ordering = ["pairing", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "participant"], name="member_once_per_pairing"
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(live=True, waiting_request=False) & ~Q(role="guide"),
                name="one_live_pairing_per_learner",
            ),
            models.CheckConstraint(
                condition=~Q(response="declined") | ~Q(decline_reason=""),
                name="member_decline_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["participant", "live"])]

    def __str__(self) -> str:
        return f"{self.participant.employee} in pairing {self.pairing_id}"


class CheckIn(models.Model):
    """A meeting the members held, logged by one of them."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="checkins")
    held_on = models.DateField()
    logged_by = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="checkins_logged"
    )
    summary = models.TextField("What we discussed", max_length=2000)
    private_note = models.TextField(
        blank=True, max_length=2000, help_text="Only you will see this."
    )
    rating = models.PositiveSmallIntegerField(
        "How useful was it?", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Who came, in a group (pairs leave it empty: both were there).
    attended = models.ManyToManyField(Participant, blank=True, related_name="checkins_attended")

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="checkin_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["pairing", "-held_on"])]

    def __str__(self) -> str:
        return f"Check-in {self.held_on} for pairing {self.pairing_id}"

    def clean(self):
        # The form and checkin_log say so first; this holds for the Django admin too.
        if self.pairing_id is None or self.held_on is None:
            return
        first_day, last_day = self.pairing.checkin_dates()
        if not first_day <= self.held_on <= last_day:
            raise ValidationError(
                {
                    "held_on": f"Must be between {first_day:%-d %B %Y} and "
                    f"{last_day:%-d %B %Y}, while the pairing runs."
                }
            )


class CaseSession(models.Model):
    """The case a co-development session worked, in the method's steps: the presenter
    brings a case, the group asks clarifying questions, the presenter says what they ask
    of the group, the group consults, the presenter makes an action plan, and everyone
    says what they learned."""

    STEPS = ("case", "questions", "request", "consultation", "action_plan", "learned")

    checkin = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="case_session")
    presenter = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="cases_presented"
    )
    case = models.TextField("The case", max_length=2000)
    questions = models.TextField("Clarifying questions", blank=True, max_length=2000)
    request = models.TextField("What the presenter asked of the group", blank=True, max_length=2000)
    consultation = models.TextField("The consultation", blank=True, max_length=2000)
    action_plan = models.TextField("The action plan", blank=True, max_length=2000)
    learned = models.TextField("What we learned", blank=True, max_length=2000)

    def __str__(self) -> str:
        return f"Case of {self.presenter} at check-in {self.checkin_id}"


class MatchRun(models.Model):
    """One press of "Run matching": its preview, pins and removals, until published."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready for review"
        FAILED = "failed", "Failed"
        PUBLISHED = "published", "Published"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    pins = models.JSONField(default=list, blank=True)
    removed = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # When a worker claimed it to compute (programs.leases): a dead worker's claim lapses.
    claimed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A scheduled round's run, in a programme that publishes them without review.
    publish_when_done = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="matchrun_progress_at_most_100"
            ),
        ]
        indexes = [models.Index(fields=["program", "-created_at"])]

    def __str__(self) -> str:
        return f"Matching run {self.pk} for {self.program}"


class Reminder(models.Model):
    """One email to one person about one pairing and due date.

    The unique row is what makes reminders exactly-once: the dispatcher creates rows for
    what is due, a worker claims a row with a conditional update, sends, then stamps
    sent_at. A crash between claim and send leaves a stale claim the dispatcher releases.
    """

    class Kind(models.TextChoices):
        CHECKIN_DUE = "checkin_due", "Check-in due"
        CHECKIN_OVERDUE = "checkin_overdue", "Check-in overdue"
        PROPOSAL_WAITING = "proposal_waiting", "Proposal waiting for an answer"
        NO_FIRST_CHECKIN = "no_first_checkin", "No first check-in yet"
        STALLED = "stalled", "Pairing stalled"
        CLOSING_SURVEY = "closing_survey", "Closing survey"
        PRESENTER_NEXT = "presenter_next", "Presenting the next case"

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    due_on = models.DateField()
    send_after = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Who holds the claim: the Celery task id, so a redelivered task resumes its own claim.
    claim_token = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Stamped just before the email goes to the mail server. A claim that dies with it but
    # no sent_at may have gone out: it is sent again with the same Message-ID (a lost
    # reminder costs more than a duplicate) and doubted_at records it for HR.
    handed_over_at = models.DateTimeField(null=True, blank=True)
    doubted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["send_after", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "recipient", "kind", "due_on"], name="reminder_once_per_slot"
            ),
        ]
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="reminder_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient} ({self.due_on})"


class SurveyResponse(models.Model):
    """The closing survey a participant answers when their programme ends."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="survey_response"
    )
    rating = models.PositiveSmallIntegerField(
        "How useful was the programme?", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    what_helped = models.TextField("What helped most?", blank=True, max_length=2000)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="survey_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Survey from {self.participant}"


class Choice(models.Model):
    """A learner's (mentee's or peer's) ranking of a candidate before an HR-run matching:
    up to three, rank 1 the first choice. The engine weighs them (Program.weight_preference)."""

    chooser = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="choices")
    candidate = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="chosen_by")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])

    class Meta:
        ordering = ["chooser", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["chooser", "rank"], name="choice_one_per_rank"),
            models.UniqueConstraint(fields=["chooser", "candidate"], name="choice_once"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=3), name="choice_rank_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chooser} ranks {self.candidate} #{self.rank}"


class RatherNot(models.Model):
    """A mentor's mark on a learner they would rather not take: soft, the engine takes
    points away (see matching.scores). The note is for the mentor and HR only."""

    guide = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="rather_not")
    learner = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="rather_not_by")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guide", "learner"], name="rather_not_once"),
        ]

    def __str__(self) -> str:
        return f"{self.guide} would rather not take {self.learner}"


# --- Situational mentoring: office hours, challenges, one-off sessions --------------------


class OfficeHours(models.Model):
    """What a helper in a situational programme offers: weekly slots in their own time zone
    (Employee.time_zone), each one session long. The topics they help with are their
    enrolment's expertise, which the scores read as for any guide."""

    helper = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="office_hours"
    )
    session_minutes = models.PositiveSmallIntegerField(
        "Session length (minutes)",
        default=30,
        validators=[MinValueValidator(15), MaxValueValidator(120)],
    )
    # Blank takes the programme's monthly_help_cap; never above it (pairing.slots caps it).
    monthly_cap = models.PositiveSmallIntegerField(
        "Sessions a month at most",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Blank: as many as the programme allows.",
    )
    paused = models.BooleanField(
        "Paused", default=False, help_text="Nobody can book you while paused."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "office hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(session_minutes__gte=15, session_minutes__lte=120),
                name="office_hours_minutes_15_to_120",
            ),
            models.CheckConstraint(
                condition=Q(monthly_cap__isnull=True) | Q(monthly_cap__gte=1),
                name="office_hours_cap_at_least_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Office hours of {self.helper}"


class WeeklySlot(models.Model):
    """A weekly time a helper is free, as wall-clock time in the helper's time zone: it
    stays at 09:30 local across the clock changes (pairing.slots turns it into instants)."""

    office_hours = models.ForeignKey(OfficeHours, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(
        choices=[(i, day) for i, day in enumerate(slots.WEEKDAYS)],
        validators=[MaxValueValidator(6)],
    )
    starts_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["office_hours", "weekday", "starts_at"], name="weekly_slot_once"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_slot_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}"


class Challenge(models.Model):
    """One specific challenge an employee wants one-off help with."""

    class Urgency(models.TextChoices):
        THIS_WEEK = "this_week", "This week"
        SOON = "soon", "In the next two weeks"
        WHENEVER = "whenever", "Whenever suits"

    class Status(models.TextChoices):
        OPEN = "open", "Looking for help"
        BOOKED = "booked", "Session booked"
        DONE = "done", "Helped"
        WITHDRAWN = "withdrawn", "Withdrawn"

    asker = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="challenges")
    topics = models.ManyToManyField("programs.Topic", related_name="challenges")
    text = models.TextField("The challenge", max_length=1000)
    urgency = models.CharField(max_length=10, choices=Urgency, default=Urgency.SOON)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Challenge #{self.pk} of {self.asker}"


class HelpSession(models.Model):
    """A one-off session booked in a helper's office hours for a challenge.

    uid and sequence are the iCalendar identity (RFC 5545): every update or cancellation is
    sent with the same UID and a higher SEQUENCE, so calendars replace the event."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="sessions")
    helper = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="help_sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.BOOKED)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    booked_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    converted_to = models.ForeignKey(
        Pairing, null=True, blank=True, on_delete=models.SET_NULL, related_name="from_sessions"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            # The backstop under the helper lock (pairing.situational.booking): one
            # booked session per helper and start.
            models.UniqueConstraint(
                fields=["helper", "starts_at"],
                condition=Q(status="booked"),
                name="help_session_slot_once",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="help_session_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["helper", "starts_at"])]

    def __str__(self) -> str:
        return f"Session {self.starts_at:%Y-%m-%d %H:%M} with {self.helper}"


class SessionFeedback(models.Model):
    """The two questions each person answers after a session."""

    session = models.ForeignKey(HelpSession, on_delete=models.CASCADE, related_name="feedback")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="session_feedback"
    )
    helpful = models.BooleanField("Was it helpful?")
    meet_again = models.BooleanField("Would you meet again?")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="session_feedback_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback of {self.participant} on {self.session}"


class SentNotice(models.Model):
    """One email to one person, at most once: a worker claims it by inserting the row (the
    unique key refuses a second claim), sends, and deletes the row again if sending
    failed, so a retry sends it and a duplicate task does not. ``key`` names what was
    sent, e.g. "session:<uid>:invite:<sequence>" or "session:<uid>:reminder:<start>": an
    invitation per SEQUENCE, a reminder per start time (a moved session is reminded again)."""

    key = models.CharField(max_length=120)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "participant"], name="sent_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.participant}"


# --- Meeting times for pairings and groups -----------------------------------------------


class MeetingProposal(models.Model):
    """Up to three times one member of a pairing or group proposes; the others say which
    suit them, and the earliest time that suits everyone is agreed. The options are plain
    instants, so a free/busy lookup in someone's calendar could later propose or filter
    them without changing this shape. uid and sequence as on HelpSession."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for answers"
        AGREED = "agreed", "Agreed"
        NO_TIME = "no_time", "No time suits everyone"
        WITHDRAWN = "withdrawn", "Withdrawn"

    MAX_OPTIONS = 3

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="meeting_proposals")
    proposed_by = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="meetings_proposed"
    )
    minutes = models.PositiveSmallIntegerField(
        "Length (minutes)", default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    agreed = models.ForeignKey(
        "MeetingOption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Meeting times for {self.pairing}"


class MeetingOption(models.Model):
    proposal = models.ForeignKey(MeetingProposal, on_delete=models.CASCADE, related_name="options")
    starts_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "starts_at"], name="meeting_option_once"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class MeetingReply(models.Model):
    """One member's answer: the options that suit them (possibly none)."""

    proposal = models.ForeignKey(MeetingProposal, on_delete=models.CASCADE, related_name="replies")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="meeting_replies"
    )
    suits = models.ManyToManyField(MeetingOption, blank=True, related_name="suited_by")
    replied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "participant"], name="meeting_reply_once"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} on {self.proposal}"
