"""Forms for the HR admin's matching run page: they validate, the services decide."""

from django import forms

from pairing.hr.selectors import participant_keys_by_email
from programs.models import Program, normalise_email


class PinForm(forms.Form):
    """Two people to force into the run, typed by email (a programme may have thousands)
    and cleaned into the participant keys the run services take."""

    first = forms.EmailField(label="Mentor's email")
    second = forms.EmailField(label="Mentee's email")

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        if program.is_peer:
            self.fields["first"].label = "First peer's email"
            self.fields["second"].label = "Second peer's email"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        emails = [normalise_email(data["first"]), normalise_email(data["second"])]
        keys = participant_keys_by_email(program=self.program, emails=emails)
        if missing := [email for email in emails if email not in keys]:
            raise forms.ValidationError(f"Not in this programme: {', '.join(missing)}.")
        data["first"], data["second"] = (keys[email] for email in emails)
        return data


class PairForm(forms.Form):
    """A proposed pair of the run, by participant keys, as the remove buttons post it."""

    first = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    second = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
