from django import forms

from pairing.models import SurveyResponse

RATINGS = [
    (1, "1 · Not useful"),
    (2, "2 · A little useful"),
    (3, "3 · Useful"),
    (4, "4 · Very useful"),
    (5, "5 · Extremely useful"),
]


class SurveyForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label="How useful was the programme for you?",
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = SurveyResponse
        fields = ["rating", "what_helped"]
        labels = {"what_helped": "What helped most?"}
        widgets = {"what_helped": forms.Textarea(attrs={"rows": 4})}
