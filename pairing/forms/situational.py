"""Forms for situational mentoring: office hours, a challenge, picking a slot."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms

from pairing import slots
from pairing.models import Challenge, OfficeHours
from pairing.situational.booking import overlapping
from programs.forms.enrol import TOPIC_BOX_LENGTH
from programs.models import Program, Topic
from programs.services import new_topics_problem, topics_new_among
from programs.topics import topic_names
from programs.validators import topic_problems, validate_no_control_characters


def _topic_fields(label: str, help_text: str):
    """The enrolment form's topic picker (programs.forms.enrol.ParticipantForm): ticks for
    the existing topics and a box for new ones, which static/js/topic-picker.js joins."""
    picked = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
        help_text=help_text,
    )
    typed = forms.CharField(
        required=False,
        max_length=TOPIC_BOX_LENGTH,
        label="Add new topics (comma-separated)",
        validators=[validate_no_control_characters],
        widget=forms.TextInput(attrs={"data-topic-picker": "topics"}),
    )
    return picked, typed


class TopicsMixin:
    """Cleans the ``topics``/``new_topics`` pair into ``topic_names`` (existing and typed),
    with the enrolment form's checks on new topics."""

    creator = None

    def clean(self):
        data = super().clean()
        typed = topic_names(data.get("new_topics", ""), commas=True)
        if problems := topic_problems(typed, label="A topic"):
            self.add_error("new_topics", problems)
        elif problem := new_topics_problem(new=topics_new_among(typed), creator=self.creator):
            self.add_error("new_topics", problem)
        names = [t.name for t in data.get("topics") or []] + typed
        data["topic_names"] = names
        if not names:
            self.add_error("topics", "Pick at least one topic or add a new one.")
        return data


class OfficeHoursForm(TopicsMixin, forms.Form):
    session_minutes = forms.IntegerField(
        label="Session length (minutes)", min_value=15, max_value=120, initial=30
    )
    monthly_cap = forms.IntegerField(
        label="Sessions a month at most",
        min_value=1,
        required=False,
        help_text="Blank: as many as the programme allows.",
    )
    paused = forms.BooleanField(
        label="Pause: nobody can book me", required=False, help_text="Booked sessions stay."
    )
    topics, new_topics = _topic_fields("Topics you help with", "Your expertise in this programme.")

    def __init__(self, *args, program: Program, creator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.creator = creator
        self.fields[
            "monthly_cap"
        ].help_text = f"Blank: the programme's {program.monthly_help_cap}, which is also the most."

    def clean_monthly_cap(self):
        cap = self.cleaned_data["monthly_cap"]
        if cap is not None and cap > self.program.monthly_help_cap:
            raise forms.ValidationError(
                f"The programme allows at most {self.program.monthly_help_cap} sessions a month."
            )
        return cap

    @staticmethod
    def initial_for(hours: OfficeHours) -> dict:
        return {
            "session_minutes": hours.session_minutes,
            "monthly_cap": hours.monthly_cap,
            "paused": hours.paused,
            "topics": list(hours.helper.expertise.all()),
        }


class WeeklySlotForm(forms.Form):
    # Rendered as table cells under column headings: the labels are for screen readers.
    weekday = forms.TypedChoiceField(
        choices=[("", "—"), *enumerate(slots.WEEKDAYS)],
        coerce=int,
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "aria-label": "Day"}),
    )
    starts_at = forms.TimeField(
        label="Starts at",
        required=False,
        widget=forms.TimeInput(
            attrs={"type": "time", "class": "form-control", "aria-label": "Starts at"},
            format="%H:%M",
        ),
    )

    def clean(self):
        data = super().clean()
        day, at = data.get("weekday"), data.get("starts_at")
        if (day in (None, "")) != (at is None) and not self.errors:
            raise forms.ValidationError("Give both the day and the time, or neither.")
        return data


class BaseWeeklySlotFormSet(forms.BaseFormSet):
    """The weekly slots; blank rows are ignored. ``minutes`` (the session length, when the
    main form has a valid one) is what overlapping is judged by."""

    def __init__(self, *args, minutes: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.minutes = minutes

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs["aria-label"] = "Remove"

    def weekly(self) -> list[tuple[int, time]]:
        return [
            (form.cleaned_data["weekday"], form.cleaned_data["starts_at"])
            for form in self.forms
            if form.cleaned_data.get("starts_at") is not None
            and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        if any(self.errors) or self.minutes is None:
            return
        clashes = overlapping(self.weekly(), minutes=self.minutes)
        if clashes:
            named = ", ".join(f"{slots.WEEKDAYS[day]} {at:%H:%M}" for day, at in clashes)
            raise forms.ValidationError(
                f"These slots start before the one before them ends ({self.minutes}-minute "
                f"sessions): {named}."
            )


WeeklySlotFormSet = forms.formset_factory(
    WeeklySlotForm,
    formset=BaseWeeklySlotFormSet,
    extra=3,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


class ChallengeForm(TopicsMixin, forms.Form):
    topics, new_topics = _topic_fields("What it is about", "The topics a helper should know.")
    text = forms.CharField(
        label="The challenge",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_no_control_characters],
        help_text="A few sentences: what is happening, what you have tried. At most 1000 "
        "characters.",
    )
    urgency = forms.ChoiceField(choices=Challenge.Urgency.choices, initial=Challenge.Urgency.SOON)

    def __init__(self, *args, creator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.creator = creator


class SlotForm(forms.Form):
    """A slot picked on a page: its start, in UTC ISO 8601."""

    starts_at = forms.CharField(max_length=40)

    def clean_starts_at(self):
        try:
            instant = datetime.fromisoformat(self.cleaned_data["starts_at"])
            if instant.tzinfo is None:
                raise ValueError("no offset")
            # Near the ends of the calendar the conversion overflows: no time shown there.
            return instant.astimezone(UTC)
        except (ValueError, OverflowError) as error:
            raise forms.ValidationError("Pick one of the times shown.") from error


class BookForm(SlotForm):
    """A slot of one of the helpers a challenge page lists."""

    helper = forms.IntegerField(min_value=1, max_value=2**31 - 1)
