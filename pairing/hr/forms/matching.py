"""Forms for the HR admin's matching run page: they validate, the services decide."""

from django import forms

from programs.models import Program


class PinForm(forms.Form):
    """Two people to force into the run, by email (a programme may have thousands)."""

    first = forms.EmailField(label="Mentor's email")
    second = forms.EmailField(label="Mentee's email")

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        if program.is_peer:
            self.fields["first"].label = "First peer's email"
            self.fields["second"].label = "Second peer's email"

    def clean_first(self):
        return self.cleaned_data["first"].strip().lower()

    def clean_second(self):
        return self.cleaned_data["second"].strip().lower()


class PairForm(forms.Form):
    """A proposed pair of the run, by participant keys, as the remove buttons post it."""

    first = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    second = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
