"""The HR admin's programme pages: the list, a new programme, a programme's overview
(settings and audit log) and its settings.

Every view is for HR admins only (403 otherwise) and finds the programme through
`program_for_admin`, so another HR admin's programme is a 404. Saving the settings goes
through pairing.programmes: a new check-in cadence moves the pairings' open schedules,
and the kind is fixed once there are pairings.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pairing.hr.forms.programmes import KINDS_OF_FIELD, PROGRAM_FIELDS, ProgramForm
from pairing.hr.selectors import program_audit_events, program_for_admin, programs_for_admin
from pairing.programmes import program_settings_update
from pairing.rules import program_kind_locked
from programs.permissions import hr_admin_required
from programs.services import program_create


@hr_admin_required
def program_manage_list(request):
    programs = programs_for_admin(user=request.user)
    return render(request, "hr/program_manage_list.html", {"programs": programs})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_create_view(request):
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        program = program_create(actor=request.user, data=form.cleaned_data)
        messages.success(request, f"Created {program.name}.")
        return redirect(program)
    return render(request, "hr/program_form.html", {"form": form, "program": None})


def _settings_summary(program) -> list[tuple[str, object]]:
    """(label, shown value) for each setting of the programme's kind, as the programme
    page lists them, under the labels the settings form gives them."""
    rows = []
    for name in PROGRAM_FIELDS:
        if name in ("name", "description"):
            continue
        if program.kind not in KINDS_OF_FIELD.get(name, (program.kind,)):
            continue
        field = program._meta.get_field(name)
        if field.choices:
            value = getattr(program, f"get_{name}_display")()
        else:
            value = getattr(program, name)
        label = ProgramForm.Meta.labels.get(name, field.verbose_name.capitalize())
        rows.append((label, "—" if value in (None, "") else value))
    return rows


@hr_admin_required
def program_detail(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    return render(
        request,
        "hr/program_detail.html",
        {
            "program": program,
            "settings_summary": _settings_summary(program),
            "audit_events": program_audit_events(program=program),
        },
    )


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_edit(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    locked = program_kind_locked(program=program)
    form = ProgramForm(request.POST or None, instance=program, kind_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            changed = program_settings_update(
                program=program, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, "Settings saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect(program)
    return render(request, "hr/program_form.html", {"form": form, "program": program})
