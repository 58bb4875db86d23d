"""Forms for after a session: the two feedback questions, and the programme to continue in."""

from django import forms

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect, label=label
    )


class SessionFeedbackForm(forms.Form):
    helpful = _yes_no("Was it helpful?")
    meet_again = _yes_no("Would you meet again?")


class SessionConvertForm(forms.Form):
    """The programme to continue in, one of aftercare.convert_options."""

    program = forms.TypedChoiceField(
        coerce=int, widget=forms.RadioSelect, label="Continue in which programme?"
    )

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(o.program.pk, o.program.name) for o in options]
