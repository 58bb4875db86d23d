"""A programme's participants: the filterable table, invitations, adding one person,
editing or withdrawing one, and the CSV export (the import is in imports.py).

Every view is for HR admins only (403 otherwise) and finds the programme through
`program_for_admin`, so another HR admin's programme is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from pairing.hr.forms.actions import ParticipantEditForm, WithdrawForm
from pairing.hr.forms.programmes import InvitationForm, ParticipantAddForm, ParticipantFilterForm
from pairing.hr.selectors import (
    employee_by_email,
    never_signed_in_count,
    participant_for_admin,
    participant_live_pairings,
    participants_export_rows,
    participants_page,
    program_departments,
    program_for_admin,
)
from programs.accounts import invitations_send
from programs.importing import COLUMNS
from programs.permissions import hr_admin_required, is_people_admin
from programs.services import (
    participant_add,
    participant_add_check,
    participant_hr_update,
    participant_withdraw,
)
from programs.spreadsheets import csv_download

PARTICIPANTS_PER_PAGE = 50


@hr_admin_required
def participant_table(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    form = ParticipantFilterForm(
        request.GET or None, program=program, departments=program_departments(program=program)
    )
    page = participants_page(
        program=program,
        number=request.GET.get("page"),
        per_page=PARTICIPANTS_PER_PAGE,
        **form.filters(),
    )
    return render(
        request,
        "hr/participant_table.html",
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
        return redirect("hr:participant_table", slug=program.slug)
    invited, skipped = invitations_send(
        program=program, actor=request.user, employee_ids=form.employee_ids()
    )
    text = f"Sending {invited} invitation{pluralize(invited)}."
    if skipped:
        text += f" {skipped} {'has' if skipped == 1 else 'have'} signed in already."
    messages.success(request, text)
    return redirect("hr:participant_table", slug=program.slug)


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
                return render(request, "hr/participant_add.html", context)
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
            return redirect("hr:participant_table", slug=program.slug)
    return render(request, "hr/participant_add.html", context)


@hr_admin_required
def participant_export(request, slug):
    """The participants as a CSV in the import format, so an export re-imports unchanged.
    Streamed from one query: a big programme never holds a worker while it is built."""
    program = program_for_admin(user=request.user, slug=slug)
    return csv_download(
        f"{program.slug}-participants.csv", COLUMNS, participants_export_rows(program=program)
    )


@hr_admin_required
@require_http_methods(["GET", "POST"])
def participant_edit(request, slug, pk):
    """Change what a participant wants or offers (the fields of their role), see their
    live proposals and pairings with the actions on them, and a way to withdraw them."""
    participant = participant_for_admin(user=request.user, slug=slug, pk=pk)
    program = participant.program
    form = ParticipantEditForm(
        request.POST if request.method == "POST" else None, participant=participant
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = participant_hr_update(
                participant=participant, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = participant.employee.name
            if changed:
                messages.success(request, f"Saved {name}'s enrolment.")
            else:
                messages.info(request, f"Nothing changed for {name}.")
            return redirect("hr:participant_table", slug=program.slug)
    return render(
        request,
        "hr/participant_edit.html",
        {
            "program": program,
            "participant": participant,
            "form": form,
            "live": participant_live_pairings(participant=participant),
        },
        status=400 if form.errors else 200,
    )


@hr_admin_required
@require_http_methods(["GET", "POST"])
def participant_withdraw_view(request, slug, pk):
    """GET: what withdrawing the participant would close; POST: withdraw them."""
    participant = participant_for_admin(user=request.user, slug=slug, pk=pk)
    program = participant.program
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        participant_withdraw(
            participant=participant, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            f"Withdrew {participant.employee.name} from {program.name}. Their partners are "
            "told by email.",
        )
        return redirect("hr:participant_table", slug=program.slug)
    return render(
        request,
        "hr/participant_withdraw.html",
        {
            "program": program,
            "participant": participant,
            "form": form,
            "live": participant_live_pairings(participant=participant),
        },
        status=400 if form.errors else 200,
    )
