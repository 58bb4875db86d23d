"""Reads for programmes and enrolments, filtered by the viewer where access matters."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from programs.models import Participant, Program, Topic


def programs_open_for(*, employee, kind: str | None = None, today: date | None = None):
    """Programmes open for enrolment, each annotated with the viewer's own enrolment id
    (``my_participant_id``, None when not enrolled), by name."""
    programs = Program.objects.open_for_enrolment(today or timezone.localdate())
    if kind:
        programs = programs.filter(kind=kind)
    mine = Participant.objects.filter(program=OuterRef("pk"), employee=employee).values("pk")[:1]
    if employee is None:
        mine = Participant.objects.none().values("pk")
    return programs.annotate(my_participant_id=Subquery(mine)).order_by("name")


def program_for_enrolment(*, slug: str, employee) -> tuple[Program, Participant | None]:
    """The programme and the viewer's enrolment in it, for the enrol/edit form.

    Enrolling needs the programme open; editing one's own enrolment (the pause switch)
    works until the programme closes. Anything else is a 404.
    """
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        raise Http404("No such programme.")
    participant = (
        Participant.objects.filter(program=program, employee=employee)
        .select_related("employee")
        .prefetch_related("goals", "expertise")
        .first()
        if employee is not None
        else None
    )
    if participant is not None:
        if program.status == Program.Status.CLOSED:
            raise Http404("This programme has closed.")
        return program, participant
    if not Program.objects.open_for_enrolment().filter(pk=program.pk).exists():
        raise Http404("This programme is not open for enrolment.")
    return program, None


def topics_all():
    return Topic.objects.order_by("name")
