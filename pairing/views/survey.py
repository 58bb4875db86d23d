"""The closing survey page, linked from the email sent when a programme ends."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pairing import surveys
from pairing.forms.survey import SurveyForm


@require_http_methods(["GET", "POST"])
def survey(request, participant_pk: int):
    participant = surveys.participant_for_survey(user=request.user, participant_pk=participant_pk)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_response_create(
                participant=participant,
                rating=form.cleaned_data["rating"],
                what_helped=form.cleaned_data["what_helped"],
            )
        except surveys.SurveyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Thank you: your answer reaches the programme's HR team.")
        return redirect("pairing:survey", participant_pk=participant.pk)
    return render(
        request,
        "pairing/survey_form.html",
        {
            "participant": participant,
            "program": participant.program,
            "answer": getattr(participant, "survey_response", None),
            "is_open": surveys.survey_is_open(participant),
            "form": form,
        },
    )
