"""The closing survey: one answer per participant once their programme has ended."""

from datetime import date

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pairing.models import SurveyResponse
from programs.models import Participant, Program


class SurveyError(Exception):
    """A refused answer, worded for the person who gave it."""


def participant_for_survey(*, user, participant_pk: int) -> Participant:
    """The viewer's own enrolment with its programme and any answer; anyone else's is a 404."""
    return get_object_or_404(
        Participant.objects.select_related("program", "employee", "survey_response"),
        pk=participant_pk,
        employee__user=user,
    )


def survey_is_open(participant: Participant, today: date | None = None) -> bool:
    program = participant.program
    today = today or timezone.localdate()
    if program.status == Program.Status.CLOSED:
        return True
    return program.ends_on is not None and program.ends_on <= today


@transaction.atomic
def survey_response_create(
    *, participant: Participant, rating: int, what_helped: str = ""
) -> SurveyResponse:
    """Record the participant's one closing-survey answer. Raises SurveyError before the
    programme ends or when they have answered already (a double submit included)."""
    if not survey_is_open(participant):
        raise SurveyError(f"The survey opens when {participant.program.name} ends.")
    response = SurveyResponse(participant=participant, rating=rating, what_helped=what_helped)
    response.full_clean(validate_unique=False)
    try:
        # A savepoint, so the caller's transaction survives the refusal.
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise SurveyError("You have already answered this survey. Thank you!") from None
    return response
