"""The HR admin's programme pages: programmes, their settings and audit log, participants.

Every view is for HR admins only (403 otherwise) and finds the programme through
`program_for_admin`, so another HR admin's programme is a 404. The settings edit page
lives in pairing/views/hr.py: changing the check-in cadence must move the pairings' open
schedules, and programs/ never imports pairing/.
"""

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from programs.accounts import invitations_send
from programs.forms.hr import (
    PROGRAM_FIELDS,
    InvitationForm,
    ParticipantAddForm,
    ParticipantFilterForm,
    ParticipantImportForm,
    ProgramForm,
)
from programs.importing import (
    COLUMNS,
    Action,
    ImportRejected,
    export_row,
    participants_import,
    participants_import_plan,
)
from programs.permissions import hr_admin_required, is_people_admin
from programs.selectors import (
    employee_by_email,
    never_signed_in_count,
    participants_for_export,
    participants_table,
    program_audit_events,
    program_departments,
    program_for_admin,
    programs_for_admin,
)
from programs.services import participant_add, participant_add_check, program_create
from programs.spreadsheets import SafeWriter

PARTICIPANTS_PER_PAGE = 50
# Rows of an import preview listed one by one; the counts above the list cover them all.
PREVIEW_ROWS = 200


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


def _import_session_key(program) -> str:
    return f"participant_import:{program.pk}"


def _upload_too_large(request) -> bool:
    # The multipart envelope around the file takes a few hundred bytes; allow a little.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django refuses a malformed length itself
    return declared > ParticipantImportForm.MAX_BYTES + 8 * 1024


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@hr_admin_required
@require_http_methods(["GET", "POST"])
def participant_import(request, slug):
    """Upload, preview, confirm. The previewed file waits in the session (server-side,
    never round-tripped through the browser); the confirm form carries its digest so the
    import applies exactly the file that was previewed, even with two tabs open."""
    program = program_for_admin(user=request.user, slug=slug)
    key = _import_session_key(program)

    if request.method == "POST" and _upload_too_large(request):
        # Refused on the declared size, before the body is read: nothing reaches the disk.
        context = {
            "program": program,
            "form": ParticipantImportForm(),
            "upload_error": "The file is larger than 10 MB; nothing was uploaded.",
        }
        return render(request, "programs/participant_import.html", context, status=413)

    if request.method == "POST" and "digest" in request.POST:
        text = request.session.get(key)
        if text is None or _digest(text) != request.POST["digest"]:
            messages.error(request, "That preview has expired; upload the file again.")
            return redirect("programs:participant_import", slug=program.slug)
        try:
            result = participants_import(program=program, text=text, actor=request.user)
        except ImportRejected as rejected:
            del request.session[key]
            form = ParticipantImportForm()
            context = {"program": program, "form": form, "errors": rejected.errors}
            return render(request, "programs/participant_import.html", context)
        del request.session[key]
        messages.success(request, f"Imported: {result.summary}.")
        return redirect("programs:participant_table", slug=program.slug)

    form = ParticipantImportForm(request.POST or None, request.FILES or None)
    context = {"program": program, "form": form}
    if request.method == "POST" and form.is_valid():
        plan = participants_import_plan(
            program=program, text=form.cleaned_data["file"], actor=request.user
        )
        if plan.errors:
            context["errors"] = plan.errors
        else:
            text = form.cleaned_data["file"].decode("utf-8").removeprefix("\ufeff")
            request.session[key] = text
            changing = [
                row
                for row in plan.rows
                if row.employee in (Action.CREATE, Action.UPDATE)
                or row.participant != Action.UNCHANGED
            ]
            context.update(
                plan=plan,
                digest=_digest(text),
                changing=changing[:PREVIEW_ROWS],
                changing_more=max(0, len(changing) - PREVIEW_ROWS),
                differing=plan.employees_differing[:PREVIEW_ROWS],
                form=None,
            )
    return render(request, "programs/participant_import.html", context)


@hr_admin_required
def participant_export(request, slug):
    """The participants as a CSV in the import format, so an export re-imports unchanged."""
    program = program_for_admin(user=request.user, slug=slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-participants.csv"'
    writer = SafeWriter(response)
    writer.writerow(COLUMNS)
    for participant in participants_for_export(program=program).iterator(chunk_size=2000):
        writer.writerow(export_row(participant))
    return response
