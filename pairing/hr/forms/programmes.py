"""Forms for the HR admin's pages: they validate and convert, the services write."""

from dataclasses import dataclass
from itertools import count

from django import forms
from django.forms import BoundField
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.utils.text import slugify

from pairing.matching import GROUP_DEFAULTS
from programs.forms.fields import MAX_ID, IdField
from programs.models import MAX_CAPACITY, Level, Program, Style
from programs.topics import topic_names
from programs.uploads import MAX_UPLOAD_BYTES
from programs.validators import (
    login_email_max_length,
    topic_problems,
    validate_login_email,
    validate_no_control_characters,
)

# <input type="date"> only takes yyyy-mm-dd; the locale's format (en-GB: dd/mm/yyyy) would
# render as an empty field, and saving would then clear the date.
ISO_DATE = "%Y-%m-%d"

PROGRAM_FIELDS = [
    "name",
    "slug",
    "description",
    "kind",
    "matching_mode",
    "status",
    "enrol_opens",
    "enrol_closes",
    "starts_on",
    "ends_on",
    "checkin_cadence_days",
    "proposal_expiry_days",
    "max_requests_per_mentee",
    "max_requests_per_mentor",
    "default_capacity",
    "min_gap",
    "ideal_gap",
    "max_gap",
    "peer_max_gap",
    "group_min",
    "group_max",
    "group_level_spread",
    "weight_goals",
    "weight_level",
    "weight_style",
    "weight_department",
    "weight_preference",
    "partner_repeat_rounds",
    "rotate_every_weeks",
    "auto_publish_rounds",
    "help_offered_by",
    "monthly_help_cap",
]
ROUND_SETTINGS = ["partner_repeat_rounds", "rotate_every_weeks", "auto_publish_rounds"]
WEIGHT_FIELDS = ["weight_goals", "weight_level", "weight_style", "weight_department"]
DATE_FIELDS = ["enrol_opens", "enrol_closes", "starts_on", "ends_on"]
MAX_SCORE = 100

_GUIDED = (Program.Kind.MENTORING, Program.Kind.REVERSE_MENTORING, Program.Kind.GROUP_MENTORING)
_GROUPS = Program.GROUP_KINDS
_SITUATIONAL = (Program.Kind.SITUATIONAL,)
# Every kind but situational is matched: a situational programme books one session at a
# time from helpers' office hours, with no matching, proposals, check-ins or rounds.
_MATCHED = tuple(kind for kind in Program.Kind if kind not in _SITUATIONAL)
# Self-select is for matched pairs only (groups are formed by HR's run), so are its
# request caps.
_PAIRS = tuple(kind for kind in _MATCHED if kind not in Program.GROUP_KINDS)
GROUP_SETTINGS = ("group_min", "group_max", "group_level_spread")
HELP_SETTINGS = ("help_offered_by", "monthly_help_cap")
# The settings only some kinds use: peers have no mentor to hold a capacity or stand levels
# above them, mentors and mentees are never compared as equals, pairs have no group size;
# only a situational programme has helpers, and it has none of matching's settings (its
# level gaps keep SITUATIONAL_GAPS, which booking's ranking reads). The others apply to
# every kind.
KINDS_OF_FIELD = {
    **dict.fromkeys(
        [
            "matching_mode",
            "checkin_cadence_days",
            "proposal_expiry_days",
            *ROUND_SETTINGS,
            *WEIGHT_FIELDS,
            "weight_preference",
        ],
        _MATCHED,
    ),
    **dict.fromkeys(HELP_SETTINGS, _SITUATIONAL),
    "default_capacity": _GUIDED,
    "min_gap": _GUIDED,
    "ideal_gap": _GUIDED,
    "max_gap": _GUIDED,
    "peer_max_gap": (Program.Kind.PEER_COACHING,),
    "max_requests_per_mentee": _PAIRS,
    "max_requests_per_mentor": _PAIRS,
    **dict.fromkeys(GROUP_SETTINGS, _GROUPS),
}

# The form's sections, in order: (title, fields, folded away under "Advanced").
SECTIONS = [
    ("Basics", ["name", "slug", "kind", "description", "starts_on", "ends_on"], False),
    (
        "Enrolment",
        [
            "status",
            "enrol_opens",
            "enrol_closes",
            "matching_mode",
            "proposal_expiry_days",
            "max_requests_per_mentee",
            "max_requests_per_mentor",
            "default_capacity",
        ],
        False,
    ),
    ("Help", list(HELP_SETTINGS), False),
    ("Check-ins", ["checkin_cadence_days"], False),
    ("Groups", list(GROUP_SETTINGS), False),
    ("Rounds", ROUND_SETTINGS, False),
    (
        "Matching rules",
        ["min_gap", "ideal_gap", "max_gap", "peer_max_gap", *WEIGHT_FIELDS, "weight_preference"],
        True,
    ),
]
FALLBACK_SLUG = "programme"


@dataclass(frozen=True)
class Section:
    title: str
    advanced: bool
    # (bound field, the kinds it applies to as "kind other_kind", or "" for every kind)
    fields: list[tuple[BoundField, str]]

    @property
    def has_errors(self) -> bool:
        return any(field.errors for field, _kinds in self.fields)

    @property
    def kinds(self) -> str:
        """The kinds the whole section applies to, when all its fields share them (the
        script then hides the section itself); "" otherwise."""
        shared = {kinds for _field, kinds in self.fields}
        return shared.pop() if len(shared) == 1 else ""

    @property
    def blocks(self) -> list[tuple[BoundField, str]]:
        """(bound field, the attribute the page's script hides it by, or "")."""
        return [(field, _hiding(kinds)) for field, kinds in self.fields]

    @property
    def hiding(self) -> str:
        """The attribute the script hides the whole section by, or ""."""
        return _hiding(self.kinds)

    @property
    def folded_hiding(self) -> str:
        """For a folded section none of whose fields a situational programme uses: hidden
        for it, where it would be empty."""
        if any(
            not kinds or Program.Kind.SITUATIONAL in kinds.split() for _field, kinds in self.fields
        ):
            return ""
        return _hiding(_MATCHED_KINDS)


_MATCHED_KINDS = " ".join(_MATCHED)


def _hiding(kinds: str) -> str:
    """The attribute static/js/program-form.js reads: data-kinds lists the kinds a block
    is shown for; a setting of every matched kind is hidden for situational only
    (data-hidden-kinds), so it shows as before while no kind is chosen."""
    if not kinds:
        return ""
    if kinds == _MATCHED_KINDS:
        return format_html(' data-hidden-kinds="{}"', Program.Kind.SITUATIONAL)
    return format_html(' data-kinds="{}"', kinds)


class ProgramForm(forms.ModelForm):
    """Every number of the matching contract, pre-filled with the defaults of DESIGN.md.

    The model's help texts give each field its one-line explanation; the database check
    constraints stay the last line of defence, this form names the field that is wrong.
    A setting the chosen kind does not use (KINDS_OF_FIELD) is ignored: it keeps its stored
    value (or its default), whatever was posted, so the form is right without the script
    that hides such fields.
    """

    class Meta:
        model = Program
        fields = PROGRAM_FIELDS
        widgets = {
            **{
                name: forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
                for name in DATE_FIELDS
            },
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "slug": "Address (slug)",
            "kind": "Kind of programme",
            "matching_mode": "How people are matched",
            "enrol_opens": "Enrolment opens",
            "enrol_closes": "Enrolment closes",
            "starts_on": "Programme starts",
            "ends_on": "Programme ends",
            "checkin_cadence_days": "Days between check-ins",
            "proposal_expiry_days": "Days to answer a proposal",
            "default_capacity": "People each mentor supports",
            "max_requests_per_mentee": "Requests a mentee may have waiting",
            "max_requests_per_mentor": "Requests a mentor may have waiting",
            "min_gap": "Fewest levels between mentor and mentee",
            "ideal_gap": "Ideal levels between mentor and mentee",
            "max_gap": "Most levels between mentor and mentee",
            "peer_max_gap": "Most levels between two peer coaches",
            "group_min": "Fewest people in a group",
            "group_max": "Most people in a group",
            "group_level_spread": "Most levels apart within a group",
            "weight_goals": "Points for goals",
            "weight_level": "Points for the level gap",
            "weight_style": "Points for the feedback style",
            "weight_department": "Points for different departments",
            "partner_repeat_rounds": "Rounds before the same people may be paired again",
            "rotate_every_weeks": "Weeks between rounds",
            "auto_publish_rounds": "Publish scheduled rounds without review",
            "help_offered_by": "Who may offer help",
            "monthly_help_cap": "Sessions a month per helper",
        }
        help_texts = {
            "slug": "The end of the programme's web address: lower-case letters, digits and "
            "hyphens. Leave it blank to have it made from the name.",
            "kind": "Mentoring pairs a mentee with a senior mentor; reverse mentoring the other "
            "way round; peer coaching pairs equals. Circles and co-development groups bring "
            "several peers together (in co-development one brings a case each session); group "
            "mentoring gives one mentor several mentees who share goals. In situational mentoring "
            "people book a one-off session with a helper about one challenge; nobody is "
            "matched.",
            "status": "Employees see and join the programme while it is open for enrolment.",
            "matching_mode": "Whether HR runs matching or employees pick from their best "
            "candidates.",
            "enrol_opens": "First day employees may enrol (optional).",
            "enrol_closes": "Last day employees may enrol (optional).",
            "starts_on": "First day of the programme (optional).",
            "ends_on": "Last day of the programme (optional).",
            "proposal_expiry_days": "A proposed pairing nobody answers lapses after this many "
            "days, and the people in it go back to matching.",
            "max_requests_per_mentee": "When employees choose (self-select): how many people "
            "a mentee (or peer) may ask at once, 1 to 10. The first to accept wins; the other "
            "requests are withdrawn.",
            "max_requests_per_mentor": "When employees choose: the most requests waiting for "
            "one mentor's (or peer's) answer, 1 to 10. A mentor is never offered to more "
            "learners than they have free places either.",
            "default_capacity": "Unless a mentor says otherwise when enrolling. In group "
            "mentoring, the groups each mentor leads.",
            "group_min": "A group starts once this many have accepted. Leave blank for the "
            "kind's default: 4 for circles, 5 for co-development, 3 mentees for group mentoring.",
            "group_max": "Leave blank for the kind's default: 6 for circles, 8 for "
            "co-development, 5 mentees for group mentoring.",
            "group_level_spread": "Leave blank for the default of 2.",
            "min_gap": "A mentor stands at least this many levels above the mentee (below, in "
            "reverse mentoring).",
            "ideal_gap": "The gap that earns the full points for the level gap.",
            "max_gap": "A mentor stands at most this many levels away.",
            "peer_max_gap": "Two peer coaches differ by at most this many levels.",
            "help_offered_by": "Who may publish office hours. Everyone else enrolled asks for "
            "help.",
            "monthly_help_cap": "The most one-off sessions one helper gives in a calendar "
            "month, 1 to 40; a helper may set a lower cap of their own.",
        }

    def __init__(self, *args, kind_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        # Blank keeps what the programme has (a new one: the default), so forms posted
        # without the setting (older pages, scripts) change nothing.
        self.fields["weight_preference"].required = False
        if kind_locked:
            # A disabled field keeps the stored kind whatever the browser posts.
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = (
                "Fixed: the programme has pairings, whose roles and check-ins were made for "
                "this kind. Start a new programme for another kind."
            )
        if self.instance.pk is None:
            # A new programme's cadence follows its kind (mentoring 28, peer coaching 14)
            # unless HR types a number.
            cadence = self.fields["checkin_cadence_days"]
            cadence.required = False
            cadence.initial = None
            cadence.help_text = (
                "Leave blank for the kind's default: every 28 days for mentoring, 14 for peer "
                "coaching."
            )
        else:
            self.fields[
                "checkin_cadence_days"
            ].help_text = "Moving it moves the due dates of the pairings' next check-ins."

    def sections(self) -> list[Section]:
        """The fields in their sections. With the kind fixed, the settings of other kinds
        are left out; otherwise each carries its kinds for the page's script to hide."""
        locked = self.fields["kind"].disabled
        sections = []
        for title, names, advanced in SECTIONS:
            fields = []
            for name in names:
                kinds = KINDS_OF_FIELD.get(name, ())
                if locked and kinds and self.instance.kind not in kinds:
                    continue
                fields.append((self[name], " ".join(kinds)))
            if fields:
                sections.append(Section(title=title, advanced=advanced, fields=fields))
        return sections

    def _slug_taken_by_page(self, slug: str) -> bool:
        # "manage", "guide" and the like are pages of their own under /programmes/: a
        # programme with that slug could never be reached.
        try:
            match = resolve(reverse("hr:program_detail", args=[slug]))
        except Resolver404:
            return False
        return match.view_name != "hr:program_detail"

    def _slug_from_name(self, name: str) -> str:
        """The name as a slug, numbered ("grow-2027-2") past programmes and pages that
        already have it."""
        limit = Program._meta.get_field("slug").max_length
        base = slugify(name)[: limit - 4].strip("-") or FALLBACK_SLUG
        taken = set(
            Program.objects.filter(slug__startswith=base)
            .exclude(pk=self.instance.pk)
            .values_list("slug", flat=True)
        )
        candidates = (base if number == 1 else f"{base}-{number}" for number in count(1))
        return next(
            slug for slug in candidates if slug not in taken and not self._slug_taken_by_page(slug)
        )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if not slug:
            if self.instance.pk is not None:
                return self.instance.slug  # blanking it keeps the address people know
            return self._slug_from_name(self.cleaned_data.get("name") or "")
        if self._slug_taken_by_page(slug):
            raise forms.ValidationError("This address is taken by a page; choose another slug.")
        return slug

    def _ignore_settings_of_other_kinds(self, data: dict) -> None:
        kind = data.get("kind")
        if not kind:
            return
        for name, kinds in KINDS_OF_FIELD.items():
            if kind not in kinds:
                self.errors.pop(name, None)
                data[name] = self.get_initial_for_field(self.fields[name], name)

    def clean(self):
        data = super().clean()
        if data.get("weight_preference") is None:
            data["weight_preference"] = (
                self.instance.weight_preference
                if self.instance.pk
                else Program._meta.get_field("weight_preference").default
            )
        self._ignore_settings_of_other_kinds(data)
        for start, end, message in (
            ("enrol_opens", "enrol_closes", "Enrolment cannot close before it opens."),
            ("starts_on", "ends_on", "The programme cannot end before it starts."),
        ):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, message)
        if data.get("rotate_every_weeks") and (
            data.get("matching_mode") == Program.MatchingMode.SELF_SELECT
        ):
            # A scheduled round runs HR's matching, which a self-select programme has not.
            self.add_error(
                "rotate_every_weeks",
                "Where employees choose their partners, start each round yourself.",
            )
        gaps = [data.get(name) for name in ("min_gap", "ideal_gap", "max_gap")]
        if None not in gaps:
            if gaps[0] > gaps[1]:
                self.add_error("min_gap", "The smallest gap must not exceed the ideal gap.")
            if gaps[1] > gaps[2]:
                self.add_error("max_gap", "The largest gap must not be below the ideal gap.")
        weights = [data.get(name) for name in WEIGHT_FIELDS]
        if None not in weights:
            if sum(weights) == 0:
                self.add_error("weight_goals", "At least one weight must be above zero.")
            elif sum(weights) > MAX_SCORE:
                # A pair's score is the weighted sum and scores are out of 100.
                self.add_error(
                    "weight_goals",
                    f"The four weights add up to {sum(weights)}; they may add up to at most "
                    f"{MAX_SCORE} (scores are out of {MAX_SCORE}).",
                )
        # Only a new programme's blank cadence means "the kind's default"; 0 or a negative
        # number is an error (the field's validators say so), never silently replaced.
        new = self.instance.pk is None
        blank = (
            data.get("checkin_cadence_days") is None and "checkin_cadence_days" not in self.errors
        )
        if new and blank and data.get("kind"):
            data["checkin_cadence_days"] = Program.DEFAULT_CADENCE_DAYS[data["kind"]]
        self._group_settings(data)
        self._situational_settings(data)
        return data

    def _situational_settings(self, data: dict) -> None:
        """A situational programme is never matched: whatever the programme held before
        (its kind may have just changed) nothing schedules rounds or lets employees pick,
        and its level gaps are SITUATIONAL_GAPS, which booking's ranking reads."""
        if data.get("kind") != Program.Kind.SITUATIONAL:
            return
        data["matching_mode"] = Program.MatchingMode.ADMIN
        data["rotate_every_weeks"] = None
        data["auto_publish_rounds"] = False
        if self.instance.kind != Program.Kind.SITUATIONAL:
            data.update(Program.SITUATIONAL_GAPS)

    def _group_settings(self, data: dict) -> None:
        """A group kind's blank sizes and spread become the kind's defaults (stored, so HR
        sees the numbers in use); a pair kind keeps none. Self-select is for pairs only: a
        group is formed from everyone at once."""
        kind = data.get("kind")
        if kind not in _GROUPS:
            for name in GROUP_SETTINGS:
                data[name] = None
            return
        defaults = dict(zip(GROUP_SETTINGS, GROUP_DEFAULTS[kind], strict=True))
        for name in GROUP_SETTINGS:
            if data.get(name) is None and name not in self.errors:
                data[name] = defaults[name]
        low, high = data.get("group_min"), data.get("group_max")
        if low is not None and high is not None and low > high:
            self.add_error("group_max", "The largest group must not be smaller than the smallest.")
        if data.get("matching_mode") == Program.MatchingMode.SELF_SELECT:
            self.add_error(
                "matching_mode",
                'Groups are formed by HR\'s matching run: choose "HR runs matching".',
            )


class ParticipantFilterForm(forms.Form):
    """The participants table's search and filters, read from the query string."""

    MATCHED_CHOICES = [("", "Matched or not"), ("yes", "Matched"), ("no", "Not matched")]
    PAUSED_CHOICES = [("", "Paused or not"), ("yes", "Paused"), ("no", "Not paused")]

    q = forms.CharField(label="Search name or email", required=False, max_length=200)
    role = forms.ChoiceField(label="Role", required=False)
    level = forms.TypedChoiceField(
        label="Level", required=False, coerce=int, empty_value=None,
        choices=[("", "Any level"), *Level.choices],
    )  # fmt: skip
    department = forms.ChoiceField(label="Department", required=False)
    matched = forms.ChoiceField(label="Matched", required=False, choices=MATCHED_CHOICES)
    paused = forms.ChoiceField(label="Paused", required=False, choices=PAUSED_CHOICES)

    def __init__(self, *args, program: Program, departments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Any role")] + [
            (role, program.role_label(role)) for role in program.roles
        ]
        self.fields["department"].choices = [("", "Any department")] + [
            (name, name) for name in departments
        ]

    def filters(self) -> dict:
        """The cleaned filters, with "yes"/"no" turned into booleans and blanks dropped."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        flags = {"yes": True, "no": False}
        return {
            "search": data["q"].strip(),
            "role": data["role"],
            "level": data["level"],
            "department": data["department"],
            "matched": flags.get(data["matched"]),
            "paused": flags.get(data["paused"]),
        }


def _checked_topics(value: str, *, label: str) -> list[str]:
    names = topic_names(value, commas=True)
    if problems := topic_problems(names, label=label):
        raise forms.ValidationError(problems)
    return names


class ParticipantAddForm(forms.Form):
    """One person, with the columns of the CSV import (DESIGN.md) and its limits."""

    email = forms.EmailField(
        label="Email",
        max_length=login_email_max_length(),
        validators=[validate_login_email],
    )
    name = forms.CharField(
        label="Name", max_length=200, validators=[validate_no_control_characters]
    )
    department = forms.CharField(
        label="Department",
        max_length=100,
        required=False,
        validators=[validate_no_control_characters],
    )
    level = forms.TypedChoiceField(label="Level", choices=Level.choices, coerce=int)
    manager_email = forms.EmailField(
        label="Manager's email",
        required=False,
        max_length=login_email_max_length(),
        validators=[validate_login_email],
        help_text="Optional; someone not yet known is recorded as an employee without enrolment.",
    )
    role = forms.ChoiceField(label="Role")
    goals = forms.CharField(
        label="Goals",
        required=False,
        validators=[validate_no_control_characters],
        help_text="Topics separated by semicolons or commas.",
        # static/js/topic-picker.js turns the box into a picker of existing topics.
        widget=forms.TextInput(attrs={"data-topic-picker": ""}),
    )
    expertise = forms.CharField(
        label="Expertise",
        required=False,
        validators=[validate_no_control_characters],
        help_text="Topics separated by semicolons or commas.",
        # static/js/topic-picker.js turns the box into a picker of existing topics.
        widget=forms.TextInput(attrs={"data-topic-picker": ""}),
    )
    style = forms.ChoiceField(label="Feedback style", choices=Style.choices, initial=Style.EITHER)
    capacity = forms.IntegerField(
        label="Capacity",
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text="Most people supported at once; blank means the programme default.",
    )

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, program.role_label(role)) for role in program.roles]
        if program.is_situational:
            # A helper's load is the monthly cap of sessions, not people supported at once.
            del self.fields["capacity"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_manager_email(self):
        return self.cleaned_data["manager_email"].strip().lower()

    def clean_goals(self):
        return _checked_topics(self.cleaned_data["goals"], label="A goal")

    def clean_expertise(self):
        return _checked_topics(self.cleaned_data["expertise"], label="An expertise")

    def clean(self):
        data = super().clean()
        if data.get("email") and data.get("email") == data.get("manager_email"):
            self.add_error("manager_email", "A person cannot be their own manager.")
        return data


class ParticipantImportForm(forms.Form):
    file = forms.FileField(
        label="Participants CSV",
        help_text="UTF-8, comma-separated, with the header "
        "email,name,department,level,manager_email,role,goals,expertise,style,capacity.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB.")
        return upload.read()


class InvitationForm(forms.Form):
    """Whom to invite from the participants table: one person (their row's button), the
    ticked ones, or everyone in the programme who has not signed in yet. Ids outside the
    programme are not refused here; the service keeps only the programme's own people."""

    one = IdField(required=False)
    employees = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    everyone = forms.BooleanField(required=False)

    def clean_employees(self) -> list[int]:
        values = self.cleaned_data["employees"] or []
        try:
            ids = sorted({int(value) for value in values})
        except (TypeError, ValueError):
            raise forms.ValidationError("Those are not people from this table.") from None
        if any(not 1 <= pk <= MAX_ID for pk in ids):
            raise forms.ValidationError("Those are not people from this table.")
        return ids

    def clean(self):
        data = super().clean()
        if not (data.get("one") or data.get("employees") or data.get("everyone")):
            raise forms.ValidationError("Tick the people to invite first.")
        return data

    def employee_ids(self) -> list[int] | None:
        """The chosen people's ids, or None for everyone not signed in yet."""
        if self.cleaned_data["everyone"]:
            return None
        if self.cleaned_data["one"]:
            return [self.cleaned_data["one"]]
        return self.cleaned_data["employees"]
