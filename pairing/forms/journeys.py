"""Forms for the people being paired: answering proposals, check-ins, ending a pairing."""

from django import forms
from django.utils import timezone

from pairing.models import CaseSession, CheckIn, Pairing, PairingMember
from programs.forms.fields import IdField

# <input type="date"> only takes yyyy-mm-dd; the locale's format (en-GB: dd/mm/yyyy) would
# render as an empty field, and saving would then clear the date.
ISO_DATE = "%Y-%m-%d"


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        choices=PairingMember.DeclineReason.choices,
        widget=forms.RadioSelect,
        label="Why are you declining?",
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        label="Anything to add (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CheckInForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        label="How useful was it? (1 not at all, 5 very)",
    )

    class Meta:
        model = CheckIn
        fields = ["held_on", "summary", "private_note", "rating"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "private_note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"held_on": "When did you meet?"}

    def __init__(
        self,
        *args,
        pairing: Pairing,
        members: list[PairingMember] = (),
        presenter: PairingMember | None = None,
        **kwargs,
    ):
        """``members``: a group's members who meet (they may be ticked as attending);
        ``presenter``: a co-development group's next presenter, the presenter's default."""
        super().__init__(*args, **kwargs)
        self.first_day, self.last_day = pairing.checkin_dates()
        held_on = self.fields["held_on"]
        held_on.initial = self.last_day
        held_on.widget.attrs.update(min=self.first_day.isoformat(), max=self.last_day.isoformat())
        if pairing.program_id is None or not pairing.program.is_group:
            return  # a pair's (or an unsaved pairing's) check-in: the date and the notes
        self.members = {m.participant_id: m.participant for m in members}
        choices = [(pk, p.employee.name) for pk, p in self.members.items()]
        group = {
            "attended": forms.TypedMultipleChoiceField(
                choices=choices,
                coerce=int,
                required=False,
                initial=list(self.members),
                widget=forms.CheckboxSelectMultiple,
                label="Who came?",
            )
        }
        if pairing.program.is_co_development:
            group["presenter"] = forms.TypedChoiceField(
                choices=choices,
                coerce=int,
                initial=presenter.participant_id if presenter is not None else None,
                label="Who presented the case?",
            )
            group |= forms.fields_for_model(
                CaseSession,
                fields=CaseSession.STEPS,
                widgets={name: forms.Textarea(attrs={"rows": 2}) for name in CaseSession.STEPS},
            )
        # The group's fields after the date, before the summary.
        self.fields = {"held_on": held_on, **group} | {
            name: field for name, field in self.fields.items() if name != "held_on"
        }

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("A check-in cannot be in the future.")
        if held_on < self.first_day:
            raise forms.ValidationError(
                f"The pairing began on {self.first_day:%-d %B %Y}: a check-in cannot be earlier."
            )
        if held_on > self.last_day:
            raise forms.ValidationError(
                f"The pairing ended on {self.last_day:%-d %B %Y}: a check-in cannot be later."
            )
        return held_on

    def clean_attended(self):
        return [self.members[pk] for pk in self.cleaned_data["attended"]]

    def clean_presenter(self):
        return self.members[self.cleaned_data["presenter"]]

    def clean(self):
        cleaned = super().clean()
        if "presenter" in self.fields:
            # The service takes the case's steps together.
            cleaned["steps"] = {name: cleaned.pop(name, "") for name in CaseSession.STEPS}
        return cleaned


class EndForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        label="Why are you ending the pairing?",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CandidateRequestForm(forms.Form):
    partner = IdField(widget=forms.HiddenInput)


RANKS = (("first", "First choice"), ("second", "Second choice"), ("third", "Third choice"))


class ChoicesForm(forms.Form):
    """Up to three of the learner's suggestions, ranked; blanks are skipped, never twice."""

    def __init__(self, *args, candidates, current=(), **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", "No one")] + [
            (str(c.participant.pk), c.participant.employee.name) for c in candidates
        ]
        for (name, label), chosen in zip(RANKS, [*current, None, None, None], strict=False):
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=options,
                coerce=int,
                empty_value=None,
                required=False,
                initial=chosen,
            )

    def clean(self):
        cleaned = super().clean()
        picked = [cleaned.get(name) for name, _ in RANKS]
        seen = set()
        for (name, _), pk in zip(RANKS, picked, strict=True):
            if pk is not None and pk in seen:
                self.add_error(name, "You chose this person already.")
            seen.add(pk)
        cleaned["ranking"] = [pk for pk in picked if pk is not None]
        return cleaned


class RatherNotForm(forms.Form):
    """The mentees shown that the mentor would rather not take."""

    def __init__(self, *args, candidates, marked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learners"] = forms.TypedMultipleChoiceField(
            label="I would rather not take",
            choices=[(str(c.participant.pk), c.participant.employee.name) for c in candidates],
            coerce=int,
            required=False,
            initial=[str(pk) for pk in marked],
            widget=forms.CheckboxSelectMultiple,
            help_text="Matching then proposes them to you only when nobody else fits. Only "
            "you and the programme's HR admins see this.",
        )
