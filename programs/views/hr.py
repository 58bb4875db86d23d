"""The HR admin's programme pages: programmes, their settings and audit log, participants.

Every view is for HR admins only (403 otherwise) and finds the programme through
`program_for_admin`, so another HR admin's programme is a 404. The settings edit page
lives in pairing/views/hr.py: changing the check-in cadence must move the pairings' open
schedules, and programs/ never imports pairing/.
"""

from itertools import chain

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from programs.accounts import invitations_send
from programs.forms.hr import (
    PROGRAM_FIELDS,
    InvitationForm,
    ParticipantAddForm,
    ParticipantFilterForm,
    ParticipantImportForm,
    ProgramForm,
)
from programs.import_jobs import ImportJobError, import_job_confirm, import_job_create
from programs.importing import COLUMNS
from programs.models import ImportJob
from programs.permissions import hr_admin_required, is_people_admin
from programs.selectors import (
    employee_by_email,
    import_job_for_admin,
    never_signed_in_count,
    participants_export_rows,
    participants_table,
    program_audit_events,
    program_departments,
    program_for_admin,
    programs_for_admin,
)
from programs.services import participant_add, participant_add_check, program_create
from programs.spreadsheets import csv_lines
from programs.uploads import TOO_LARGE, upload_too_large

PARTICIPANTS_PER_PAGE = 50


@hr_admin_required
def program_manage_list(request):
    programs = programs_for_admin(user=request.user)
    return render(request, "programs/program_manage_list.html", {"programs": programs})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_create_view(request):
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        program = program_create(actor=request.user, data=form.cleaned_data)
        messages.success(request, f"Created {program.name}.")
        return redirect(program)
    return render(request, "programs/program_form.html", {"form": form, "program": None})


def _settings_summary(program) -> list[tuple[str, object]]:
    """(label, shown value) for each setting, as the programme page lists them."""
    rows = []
    for name in PROGRAM_FIELDS:
        if name in ("name", "description"):
            continue
        field = program._meta.get_field(name)
        if field.choices:
            value = getattr(program, f"get_{name}_display")()
        else:
            value = getattr(program, name)
        rows.append((field.verbose_name.capitalize(), "—" if value in (None, "") else value))
    return rows


@hr_admin_required
def program_detail(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "settings_summary": _settings_summary(program),
            "audit_events": program_audit_events(program=program),
        },
    )


@hr_admin_required
def participant_table(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    form = ParticipantFilterForm(
        request.GET or None, program=program, departments=program_departments(program=program)
    )
    participants = participants_table(program=program, **form.filters())
    page = Paginator(participants, PARTICIPANTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/participant_table.html",
        {
            "program": program,
            "form": form,
            "page": page,
            "never_signed_in": never_signed_in_count(program=program),
        },
    )


@hr_admin_required
@require_POST
def participant_invite(request, slug):
    """Send (or resend) invitations: one person, the ticked ones, or everyone who has not
    signed in yet. The emails go out from workers; this only queues them."""
    program = program_for_admin(user=request.user, slug=slug)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        # The first problem only: a bad id also leaves "nobody ticked" behind it.
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("programs:participant_table", slug=program.slug)
    invited, skipped = invitations_send(
        program=program, actor=request.user, employee_ids=form.employee_ids()
    )
    text = f"Sending {invited} invitation{pluralize(invited)}."
    if skipped:
        text += f" {skipped} {'has' if skipped == 1 else 'have'} signed in already."
    messages.success(request, text)
    return redirect("programs:participant_table", slug=program.slug)


# The buttons under "already in the directory": enrol them as they are, or (people
# admins) change the directory to the form's values as well.
KEEP_DIRECTORY, UPDATE_DIRECTORY = "keep", "update"


@hr_admin_required
@require_http_methods(["GET", "POST"])
def participant_add_view(request, slug):
    """Enrol one person. Someone already in the directory whose entry the form
    contradicts is shown with the differences first: nothing is overwritten silently."""
    program = program_for_admin(user=request.user, slug=slug)
    form = ParticipantAddForm(request.POST or None, program=program)
    context = {"program": program, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choice = request.POST.get("directory", "")
        existing = employee_by_email(email=data["email"])
        differences = existing and existing.differences(
            name=data["name"],
            department=data["department"],
            level=data["level"],
            manager_email=data["manager_email"],
        )
        try:
            participant_add_check(program=program, employee=existing)
            if differences and choice not in (KEEP_DIRECTORY, UPDATE_DIRECTORY):
                context.update(
                    existing=existing,
                    differences=differences,
                    may_update_directory=is_people_admin(request.user),
                )
                return render(request, "programs/participant_add.html", context)
            participant = participant_add(
                program=program,
                actor=request.user,
                update_directory=bool(differences) and choice == UPDATE_DIRECTORY,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            text = f"Enrolled {participant.employee.name}."
            if differences and choice == KEEP_DIRECTORY:
                text += " Their directory entry is unchanged."
            elif differences:
                text += " Their directory entry is updated."
            messages.success(request, text)
            return redirect("programs:participant_table", slug=program.slug)
    return render(request, "programs/participant_add.html", context)


@hr_admin_required
@require_http_methods(["GET", "POST"])
def participant_import(request, slug):
    """Upload: the file is kept server-side in an import job (never in the session) and
    checked, in the request when small, else on a worker; the job's page previews it."""
    program = program_for_admin(user=request.user, slug=slug)

    if request.method == "POST" and upload_too_large(request):
        context = {"program": program, "form": ParticipantImportForm(), "upload_error": TOO_LARGE}
        return render(request, "programs/participant_import.html", context, status=413)

    form = ParticipantImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            kind=ImportJob.Kind.PARTICIPANTS,
            program=program,
            actor=request.user,
            filename=request.FILES["file"].name,
            content=form.cleaned_data["file"],
        )
        return redirect("programs:import_job_detail", pk=job.pk)
    return render(request, "programs/participant_import.html", {"program": program, "form": form})


@hr_admin_required
def import_job_detail(request, pk):
    """An import's one page: its progress, then its preview (and confirm), its result or
    the lines to fix."""
    job = import_job_for_admin(user=request.user, pk=pk)
    context = {"job": job, "program": job.program, "job_urls": "programs"}
    return render(request, "programs/import_job_detail.html", context)


@hr_admin_required
def import_job_status(request, pk):
    """The progress bar, polled by htmx every second while the job works; then the whole
    page reloads to show what came of it."""
    job = import_job_for_admin(user=request.user, pk=pk)
    if job.in_progress:
        return render(
            request, "programs/import_job_status.html", {"job": job, "job_urls": "programs"}
        )
    return HttpResponseClientRefresh()


@hr_admin_required
@require_POST
def import_job_confirm_view(request, pk):
    job = import_job_for_admin(user=request.user, pk=pk)
    try:
        import_job_confirm(job=job)
    except ImportJobError as error:
        messages.error(request, str(error))
    return redirect("programs:import_job_detail", pk=job.pk)


@hr_admin_required
def participant_export(request, slug):
    """The participants as a CSV in the import format, so an export re-imports unchanged.
    Streamed from one query: a big programme never holds a worker while it is built."""
    program = program_for_admin(user=request.user, slug=slug)
    response = StreamingHttpResponse(
        csv_lines(chain([COLUMNS], participants_export_rows(program=program))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-participants.csv"'
    return response
