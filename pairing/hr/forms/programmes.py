"""Forms for the HR admin's pages: they validate and convert, the services write."""

from django import forms
from django.urls import Resolver404, resolve, reverse

from programs.models import MAX_CAPACITY, Level, Participant, Program, Style
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
    "default_capacity",
    "min_gap",
    "ideal_gap",
    "max_gap",
    "peer_max_gap",
    "weight_goals",
    "weight_level",
    "weight_style",
    "weight_department",
]
WEIGHT_FIELDS = ["weight_goals", "weight_level", "weight_style", "weight_department"]
DATE_FIELDS = ["enrol_opens", "enrol_closes", "starts_on", "ends_on"]
MAX_SCORE = 100


class ProgramForm(forms.ModelForm):
    """Every number of the matching contract, pre-filled with the defaults of DESIGN.md.

    The model's help texts give each field its one-line explanation; the database check
    constraints stay the last line of defence, this form names the field that is wrong.
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
        help_texts = {
            "slug": "The programme's address: lower-case letters, digits and hyphens.",
            "kind": "Mentoring pairs a mentee with a senior mentor; reverse mentoring the other "
            "way round; peer coaching pairs equals.",
            "matching_mode": "Whether HR runs matching or employees pick from their best "
            "candidates.",
            "enrol_opens": "First day employees may enrol (optional).",
            "enrol_closes": "Last day employees may enrol (optional).",
            "starts_on": "First day of the programme (optional).",
            "ends_on": "Last day of the programme (optional).",
        }

    def __init__(self, *args, kind_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
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
                "Days between check-ins; leave blank for the kind's default "
                "(mentoring 28, peer coaching 14)."
            )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        # "manage", "guide" and the like are pages of their own under /programmes/: a
        # programme with that slug could never be reached.
        path = reverse("hr:program_detail", args=[slug])
        try:
            match = resolve(path)
        except Resolver404:
            return slug
        if match.view_name != "hr:program_detail":
            raise forms.ValidationError("This address is taken by a page; choose another slug.")
        return slug

    def clean(self):
        data = super().clean()
        for start, end in (("enrol_opens", "enrol_closes"), ("starts_on", "ends_on")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                label = self.fields[start].label.lower()
                self.add_error(end, f"Must be on or after the {label}.")
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
        return data


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
            (role, Participant.Role(role).label) for role in program.roles
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
    )
    expertise = forms.CharField(
        label="Expertise",
        required=False,
        validators=[validate_no_control_characters],
        help_text="Topics separated by semicolons or commas.",
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
        self.fields["role"].choices = [
            (role, Participant.Role(role).label) for role in program.roles
        ]

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

    one = forms.IntegerField(required=False, min_value=1)
    employees = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    everyone = forms.BooleanField(required=False)

    def clean_employees(self) -> list[int]:
        values = self.cleaned_data["employees"] or []
        try:
            return sorted({int(value) for value in values})
        except (TypeError, ValueError):
            raise forms.ValidationError("Those are not people from this table.") from None

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
