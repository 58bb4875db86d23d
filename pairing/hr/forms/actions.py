"""Forms for HR's actions on people and proposals: edit or withdraw a participant,
cancel or reassign a proposal. They validate and convert; the services write."""

from django import forms
from django.utils import timezone

from pairing.hr.forms.programmes import ISO_DATE, _checked_topics
from programs.forms.fields import IdField
from programs.models import MAX_CAPACITY, Participant, Style
from programs.services import HR_EDITABLE_FIELDS
from programs.topics import SEPARATOR
from programs.validators import validate_no_control_characters

TOPICS_HELP = "Topics separated by semicolons or commas."


def _reason(*, required: bool, label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=500,
        validators=[validate_no_control_characters],
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ParticipantEditForm(forms.Form):
    """The fields HR may change for the participant's role (HR_EDITABLE_FIELDS)."""

    goals = forms.CharField(
        label="Goals", validators=[validate_no_control_characters], help_text=TOPICS_HELP
    )
    expertise = forms.CharField(
        label="Expertise", validators=[validate_no_control_characters], help_text=TOPICS_HELP
    )
    style = forms.ChoiceField(label="Feedback style", choices=Style.choices)
    capacity = forms.IntegerField(
        label="Capacity",
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text="Most people supported at once; blank means the programme default.",
    )
    paused_until = forms.DateField(
        label="Not taking anyone new until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        help_text="Leave empty when they are available now.",
    )

    def __init__(self, *args, participant: Participant, **kwargs):
        if not args or args[0] is None:
            kwargs.setdefault(
                "initial",
                {
                    "goals": f"{SEPARATOR} ".join(t.name for t in participant.goals.all()),
                    "expertise": f"{SEPARATOR} ".join(t.name for t in participant.expertise.all()),
                    "style": participant.style,
                    "capacity": participant.capacity,
                    "paused_until": participant.paused_until,
                },
            )
        super().__init__(*args, **kwargs)
        allowed = HR_EDITABLE_FIELDS[participant.role]
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
        if "capacity" in self.fields:
            default = participant.program.default_capacity
            self.fields[
                "capacity"
            ].help_text = (
                f"Most people supported at once; blank means the programme default ({default})."
            )

    def clean_goals(self):
        names = _checked_topics(self.cleaned_data["goals"], label="A goal")
        if not names:
            raise forms.ValidationError("Give at least one goal.")
        return names

    def clean_expertise(self):
        names = _checked_topics(self.cleaned_data["expertise"], label="An area of expertise")
        if not names:
            raise forms.ValidationError("Give at least one area of expertise.")
        return names

    def clean_paused_until(self):
        paused = self.cleaned_data["paused_until"]
        if paused is not None and paused <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today, or leave it empty.")
        return paused


class WithdrawForm(forms.Form):
    reason = _reason(
        required=False,
        label="Reason (optional)",
        help_text="Kept in the programme's audit log; not emailed.",
    )


class CancelForm(forms.Form):
    reason = _reason(
        required=True,
        label="Why is the proposal cancelled?",
        help_text="Everyone in the proposal is emailed this.",
    )


class ReassignForm(forms.Form):
    """The new mentor is picked from ``choices`` (the mentors a search shows); the service
    checks whoever is posted against the rules, so a search need not list them all."""

    guide = IdField(
        label="New mentor",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new mentor."},
    )
    reason = _reason(
        required=False,
        label="Reason (optional)",
        help_text="The people in the old proposal are emailed it.",
    )

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guide"].widget.choices = choices
