"""Forms for employees: the mentor-or-peer-coach guide and enrolment in a programme."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from programs.guide import QUESTIONS
from programs.models import Focus, Participant, Program, Style, Topic
from programs.services import MAX_PAUSE_WEEKS, new_topics_problem, topics_new_among
from programs.topics import near_duplicates, topic_names
from programs.validators import topic_problems, validate_no_control_characters

# <input type="date"> only takes yyyy-mm-dd; the locale's format (en-GB: dd/mm/yyyy) would
# render as an empty field, and saving would then clear the date.
ISO_DATE = "%Y-%m-%d"
# The topic picker writes every chosen topic into the box, existing ones too: room for a
# couple of dozen names (the service still limits how many are new).
TOPIC_BOX_LENGTH = 2000


class GuideForm(forms.Form):
    """Five questions, each answered by one of two statements (radio buttons)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label, options in QUESTIONS:
            self.fields[field] = forms.ChoiceField(
                label=label,
                choices=[(value, text) for value, text, _kind in options],
                widget=forms.RadioSelect,
            )


class ParticipantForm(forms.Form):
    """Enrol (or edit one's enrolment) as ``role`` in ``program``; the view decides the
    role (from the page address, or the existing enrolment), the form only shows its fields.

    Learners (mentees, peers) state goals; mentors state expertise and capacity. Everyone
    has a style and a note; those who take people on (mentors, and peers, who are both)
    may pause until a date. Mentees take nobody on: their form has no pause, and a pause HR
    set stays as it is. Topics are picked from the existing ones or typed in, separated by
    commas or semicolons; the service de-duplicates them.
    """

    goals = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Your goals",
        help_text="What you want to get better at.",
    )
    new_goals = forms.CharField(
        required=False,
        max_length=TOPIC_BOX_LENGTH,
        label="Add new topics (comma-separated)",
        validators=[validate_no_control_characters],
        # static/js/topic-picker.js turns the ticks above and this box into one picker.
        widget=forms.TextInput(attrs={"data-topic-picker": "goals"}),
    )
    expertise = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Your expertise",
        help_text="What you can help others with.",
    )
    new_expertise = forms.CharField(
        required=False,
        max_length=TOPIC_BOX_LENGTH,
        label="Add new topics (comma-separated)",
        validators=[validate_no_control_characters],
        widget=forms.TextInput(attrs={"data-topic-picker": "expertise"}),
    )
    style = forms.ChoiceField(choices=Style.choices, label="Feedback style you want")
    focus = forms.ChoiceField(choices=Focus.choices, label="Focus")
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=20,
        label="How many people can you support at once?",
    )
    paused_until = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        label="Pause: not taking anyone new until",
        help_text="Leave empty to be available now.",
    )
    note = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, program: Program, role: str, creator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.creator = creator  # who would create the new topics (see new_topics_problem)
        topics = Topic.objects.order_by("name")
        self.fields["goals"].queryset = topics
        self.fields["expertise"].queryset = topics
        if role == Participant.Role.MENTOR:
            for name in ("goals", "new_goals", "focus"):
                del self.fields[name]
            self.fields["style"].label = "Feedback style you offer"
            self.fields["note"].label = "Anything mentees should know"
            self.fields[
                "capacity"
            ].help_text = f"Leave empty for the programme's default ({program.default_capacity})."
            self.fields["paused_until"].label = "Pause: not taking new mentees until"
            if program.is_situational:
                # A helper's load is the programme's monthly cap, not a number of mentees.
                del self.fields["capacity"]
                self.fields["note"].label = "Anything people asking for help should know"
                self.fields["paused_until"].label = "Pause: not taking new sessions until"
        else:
            for name in ("expertise", "new_expertise", "capacity"):
                del self.fields[name]
            self.fields["note"].label = "What I hope to get"
            if program.is_situational:
                self.fields["goals"].label = "Topics you may ask for help with"
                self.fields["goals"].help_text = "Each challenge you describe names its own."
            if role == Participant.Role.PEER:
                self.fields["paused_until"].label = "Pause: not pairing with anyone new until"
            else:
                del self.fields["paused_until"]

    def clean_paused_until(self):
        paused = self.cleaned_data["paused_until"]
        if paused is not None and paused <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today, or leave it empty.")
        return paused

    def clean(self):
        data = super().clean()
        self.new_topics = []
        for field, extra in (("goals", "new_goals"), ("expertise", "new_expertise")):
            if field in self.fields:
                names = [t.name for t in data.get(field) or []]
                typed = topic_names(data.get(extra, ""), commas=True)
                new = topics_new_among(typed)
                if problems := topic_problems(typed, label="A topic"):
                    self.add_error(extra, problems)
                elif problem := new_topics_problem(new=new, creator=self.creator):
                    self.add_error(extra, problem)
                self.new_topics += new
                names += typed
                data[f"{field}_names"] = names
                if not names:
                    self.add_error(field, "Pick at least one topic or add a new one.")
            else:
                data[f"{field}_names"] = []
        data.setdefault("focus", Focus.LONG_TERM)
        data.setdefault("capacity", None)
        return data

    def near_duplicate_notes(self) -> list[str]:
        """A note for each new topic that nearly duplicates an existing one (the rule of
        programs.topics), for the page to show once saved: without the topic picker's
        script, this is where the person learns of it. Ask before saving, while the new
        topics do not exist yet."""
        if not self.new_topics:
            return []
        existing = list(Topic.objects.order_by("name").values_list("name", flat=True))
        notes = []
        for name in self.new_topics:
            if near := near_duplicates(name, existing):
                listed = ", ".join(f"“{other}”" for other in near)
                notes.append(
                    f"“{name}” is a new topic, close to {listed}: if it means the same, "
                    "choose the existing one on your enrolment instead."
                )
        return notes

    def service_kwargs(self) -> dict:
        """The cleaned data as the enrol/update services take it."""
        data = self.cleaned_data
        return {
            "goals": data["goals_names"],
            "expertise": data["expertise_names"],
            "style": data["style"],
            "focus": data.get("focus") or Focus.LONG_TERM,
            "capacity": data.get("capacity"),
            # Without the field (mentees), the pause stays what it was.
            "paused_until": data.get("paused_until", self.initial.get("paused_until")),
            "note": data["note"],
        }


class LeaveForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why are you leaving? (optional)",
        help_text="Only the programme's HR team sees this.",
        validators=[validate_no_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PauseForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label="Pause for",
        coerce=int,
        choices=[(n, f"{n} week{'s' if n > 1 else ''}") for n in range(1, MAX_PAUSE_WEEKS + 1)],
        initial=2,
        help_text="Nobody new is proposed to you meanwhile; you are back automatically on "
        "that day, and we remind you.",
    )
