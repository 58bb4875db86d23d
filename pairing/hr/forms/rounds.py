"""HR starts a programme's next round: who moves on, and whether the pairings end."""

from django import forms

EVERYONE, JOIN = "everyone", "join"


class RoundStartForm(forms.Form):
    who = forms.ChoiceField(
        label="Who is in the new round",
        choices=[
            (EVERYONE, "Everyone still enrolled"),
            (JOIN, "Only those who join: each is emailed and joins from their home page"),
        ],
        initial=EVERYONE,
        widget=forms.RadioSelect,
    )
    end_pairings = forms.BooleanField(
        required=False,
        help_text="Everyone in them is told, and nobody is paired with the same person again.",
    )

    # The round the page offered to start: a second click does not start another.
    number = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].initial = program.current_round + 1
        self.fields["end_pairings"].label = f"End the pairings of round {program.current_round}"
        # Peers rotate; a mentoring cohort usually keeps its pairs until they finish.
        self.fields["end_pairings"].initial = program.is_peer

    @property
    def everyone(self) -> bool:
        return self.cleaned_data["who"] == EVERYONE
