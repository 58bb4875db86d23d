"""Forms for HR's cockpit actions: they validate, the services decide."""

from django import forms

LAPSING, ALL = "lapsing", "all"


class NudgeForm(forms.Form):
    """Which unanswered proposals to nudge: all of the programme's, or those lapsing soon."""

    scope = forms.ChoiceField(choices=[(ALL, "All waiting"), (LAPSING, "Lapsing soon")])

    @property
    def lapsing_only(self) -> bool:
        return self.cleaned_data["scope"] == LAPSING


class PairingEndForm(forms.Form):
    """HR ends a pairing: the reason, which the people in it are told, and whether to
    propose the mentee (or peers) a new partner straight away."""

    reason = forms.CharField(
        max_length=1000,
        label="Why does the pairing end?",
        help_text="Everyone in the pairing receives this in their email.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rematch = forms.BooleanField(
        required=False,
        label="Propose a new partner straight away",
        help_text="The mentee (or each peer) is offered their next best match, never the "
        "partner they leave.",
    )
