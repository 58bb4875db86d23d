"""Reads for programmes and enrolments, filtered by the viewer where access matters.

The employees' pages read here; the HR admin's pages read pairing/hr/selectors.py, which
builds on `programs_administered_by` below."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from programs.models import Participant, Program, Topic
from programs.permissions import is_hr_admin
from programs.topics import near_duplicates, normalise_topic


def programs_open_for(*, employee, kind: str | None = None, today: date | None = None):
    """Programmes open for enrolment, each annotated with the viewer's own enrolment id
    (``my_participant_id``, None when not enrolled), by name."""
    programs = Program.objects.open_for_enrolment(today or timezone.localdate())
    if kind:
        programs = programs.filter(kind=kind)
    mine = Participant.objects.filter(
        program=OuterRef("pk"), employee=employee, withdrawn_at__isnull=True
    ).values("pk")[:1]
    if employee is None:
        mine = Participant.objects.none().values("pk")
    return programs.annotate(my_participant_id=Subquery(mine)).order_by("name")


def program_for_enrolment(*, slug: str, employee) -> tuple[Program, Participant | None]:
    """The programme and the viewer's enrolment in it (None when not enrolled or left),
    for the enrol/edit form.

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
    if participant is not None and participant.withdrawn_at is None:
        if program.status == Program.Status.CLOSED:
            raise Http404("This programme has closed.")
        return program, participant
    # Someone who left may enrol again while the programme is open (participant_enrol
    # takes their enrolment back).
    if not Program.objects.open_for_enrolment().filter(pk=program.pk).exists():
        raise Http404("This programme is not open for enrolment.")
    return program, None


def own_enrolment(*, slug: str, employee) -> Participant:
    """The viewer's current (not withdrawn) enrolment in a programme that has not closed,
    for leaving it; anything else is a 404."""
    participant = (
        Participant.objects.filter(program__slug=slug, employee=employee, withdrawn_at__isnull=True)
        .exclude(program__status=Program.Status.CLOSED)
        .select_related("program", "employee")
        .first()
        if employee is not None
        else None
    )
    if participant is None:
        raise Http404("You are not enrolled in this programme.")
    return participant


# --- Who administers what ----------------------------------------------------------


def programs_administered_by(*, user) -> QuerySet[Program]:
    """The programmes whose HR views `user` may open: the one rule every HR page, run and
    read-only pairing goes through.

    Superusers open all. Anyone else needs both the HR admins group and a place among the
    programme's admins: someone taken out of the group keeps their admin rows (the group
    is managed apart, in the Django admin) but must not keep a back door into any HR view.
    """
    if not is_hr_admin(user):
        return Program.objects.none()
    if user.is_superuser:
        return Program.objects.all()
    return Program.objects.filter(admins=user)


SUGGESTIONS_SHOWN = 8


def topic_suggestions(*, text: str, limit: int = SUGGESTIONS_SHOWN) -> dict:
    """What the topic picker offers for the typed ``text``: the existing topics whose name
    starts with it, then those containing it (``matches``, at most ``limit``); the one it
    names exactly (``exact``, or None); and the others it nearly duplicates (``near``,
    programs.topics.near_duplicates). Topics are the organisation's, seen by everyone."""
    key = normalise_topic(text)
    if not key:
        return {"matches": [], "exact": None, "near": []}
    topics = list(Topic.objects.order_by("name").values_list("name", "key"))
    starting = [name for name, topic_key in topics if topic_key.startswith(key)]
    containing = [name for name, topic_key in topics if key in topic_key[1:]]
    matches = list(dict.fromkeys(starting + containing))[:limit]
    exact = next((name for name, topic_key in topics if topic_key == key), None)
    near = near_duplicates(text, [name for name, _key in topics])[:limit]
    return {"matches": matches, "exact": exact, "near": near}
