"""Pages for employees: the mentor-or-peer-coach guide, open programmes, enrolment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs import selectors, services
from programs.forms.enrol import GuideForm, LeaveForm, ParticipantForm, PauseForm
from programs.guide import ALSO_OPEN, recommend
from programs.models import Program


def _employee(request):
    return getattr(request.user, "employee", None)


@require_GET
def guide(request):
    """Five questions in a GET form: the answer is a recommendation, nothing is stored."""
    form = GuideForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        result = recommend(form.cleaned_data)
        employee = _employee(request)
        context["result"] = result
        context["kind_label"] = Program.Kind(result.kind).label
        context["other_label"] = Program.Kind(result.other_kind).label
        context["programs"] = list(selectors.programs_open_for(employee=employee, kind=result.kind))
        if result.kind in ALSO_OPEN:
            # A variation of the recommended kind: shown beside it, not instead.
            also, about = ALSO_OPEN[result.kind]
            context["also"] = {
                "label": Program.Kind(also).label,
                "about": about,
                "programs": list(selectors.programs_open_for(employee=employee, kind=also)),
            }
    return render(request, "programs/guide.html", context)


@require_GET
def program_list(request):
    kind = request.GET.get("kind")
    if kind not in Program.Kind.values:
        kind = None
    programs = selectors.programs_open_for(employee=_employee(request), kind=kind)
    return render(
        request,
        "programs/program_list.html",
        {
            "programs": programs,
            "kind": kind,
            "kind_label": Program.Kind(kind).label if kind else "",
        },
    )


@require_http_methods(["GET", "POST"])
def program_enrol(request, slug: str):
    """Enrol in a programme, or edit one's own enrolment (goals, capacity, pause)."""
    employee = _employee(request)
    program, participant = selectors.program_for_enrolment(slug=slug, employee=employee)
    if participant is not None:
        role = participant.role
    else:
        # The role travels in the address (?role=mentor), which the form posts back to.
        role = request.GET.get("role") or program.learner_role
        # In a situational programme employees join to ask for help; HR enrols helpers.
        if role not in program.roles or program.is_situational:
            role = program.learner_role
    initial = {}
    if participant is not None:
        initial.update(
            goals=list(participant.goals.all()),
            expertise=list(participant.expertise.all()),
            style=participant.style,
            focus=participant.focus,
            capacity=participant.capacity,
            paused_until=participant.paused_until,
            note=participant.note,
        )
    form = ParticipantForm(
        request.POST if request.method == "POST" else None,
        program=program,
        role=role,
        initial=initial,
        creator=request.user,
    )
    if request.method == "POST" and form.is_valid():
        notes = form.near_duplicate_notes()
        try:
            if participant is None:
                if employee is None:
                    raise ValidationError("Only employees can enrol.")
                services.participant_enrol(
                    program=program, employee=employee, role=role, **form.service_kwargs()
                )
                messages.success(request, f"You are enrolled in {program.name}.")
            else:
                services.participant_update(participant=participant, **form.service_kwargs())
                messages.success(request, "Your enrolment is updated.")
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            for note in notes:
                messages.warning(request, note)
            return redirect("home")
    return render(
        request,
        "programs/participant_form.html",
        {
            "program": program,
            "participant": participant,
            "role": role,
            "role_label": program.role_label(role),
            "form": form,
            "pause_form": PauseForm() if participant is not None else None,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def program_pause(request, slug: str):
    """Pause one's own enrolment for a number of weeks (programs.services.participant_pause)."""
    participant = selectors.own_enrolment(slug=slug, employee=_employee(request))
    form = PauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how many weeks to pause for: 1 to 12.")
        return redirect("programs:program_enrol", slug=slug)
    participant = services.participant_pause(
        participant=participant, weeks=form.cleaned_data["weeks"], user=request.user
    )
    messages.success(
        request, f"Paused until {participant.paused_until:%-d %B %Y}. We will remind you then."
    )
    return redirect("programs:program_enrol", slug=slug)


@require_POST
def program_resume(request, slug: str):
    """End one's own pause now."""
    participant = selectors.own_enrolment(slug=slug, employee=_employee(request))
    services.participant_resume(participant=participant, user=request.user)
    messages.success(request, "You are back: new people can be proposed to you again.")
    return redirect("programs:program_enrol", slug=slug)


@require_http_methods(["GET", "POST"])
def program_leave(request, slug: str):
    """GET: what leaving the programme does; POST: leave it (programs.services
    .participant_withdraw, the same rule as HR withdrawing someone)."""
    participant = selectors.own_enrolment(slug=slug, employee=_employee(request))
    form = LeaveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.participant_withdraw(
            participant=participant, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"You have left {participant.program.name}.")
        return redirect("home")
    return render(
        request,
        "programs/program_leave.html",
        {"program": participant.program, "participant": participant, "form": form},
        status=400 if form.errors else 200,
    )
