"""The directory pages: everyone in the organisation, one person's master data, and the
people admins who keep it.

People admins only (403 for everyone else, HR admins included): the directory is
organisation-wide, so a programme's admins do not change it here.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from pairing.hr.forms.directory import (
    DirectoryFilterForm,
    DirectoryImportForm,
    PeopleAdminAddForm,
    PeopleAdminRemoveForm,
    PeopleAdminSearchForm,
    PersonEraseForm,
    PersonForm,
)
from pairing.hr.selectors import (
    directory_audit_events,
    directory_departments,
    directory_import_job,
    directory_people,
    directory_person,
    people_admin_candidates,
    people_admins,
    person_enrolments,
)
from programs import directory_import
from programs.import_jobs import ImportJobError, import_job_confirm, import_job_create
from programs.models import ImportJob
from programs.permissions import people_admin_required
from programs.services import (
    employee_directory_update,
    employee_erase,
    employee_erase_problem,
    is_erased,
    people_admin_add,
    people_admin_remove,
)
from programs.spreadsheets import csv_download
from programs.uploads import TOO_LARGE, upload_too_large

PEOPLE_PER_PAGE = 50
# Matches listed for a search on the people admins page; "type more" beyond that.
CANDIDATES_SHOWN = 20
# How the success message names what changed.
CHANGE_NAMES = {"time_zone": "time zone"}


@people_admin_required
@require_GET
def directory_list(request):
    form = DirectoryFilterForm(request.GET or None, departments=directory_departments())
    people = directory_people(**form.filters())
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "hr/directory_list.html",
        {"form": form, "page": page, "events": directory_audit_events()},
    )


def _saved_message(changed: list[str], *, active: bool) -> str:
    if not changed:
        return "Nothing changed."
    names = [CHANGE_NAMES.get(name, name) for name in changed if name != "active"]
    if "active" in changed:
        names.append("marked as back" if active else "marked as a leaver")
    return f"Saved: {', '.join(names)}."


@people_admin_required
@require_GET
def directory_export(request):
    """The people the list shows (its filters apply) as a directory CSV, which imports
    back with zero changes. Streamed from one values() query, as it is read."""
    form = DirectoryFilterForm(request.GET or None, departments=directory_departments())
    rows = directory_people(**form.filters()).values_list(*directory_import.EXPORT_VALUES)
    return csv_download(
        "directory.csv",
        directory_import.COLUMNS,
        map(directory_import.export_row, rows.iterator(chunk_size=2000)),
    )


@people_admin_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    employee = directory_person(pk=pk)
    form = PersonForm(request.POST or None, employee=employee, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            changed = employee_directory_update(
                actor=request.user, employee=employee, **form.changes()
            )
        except ValidationError as error:
            # The model's own checks, should a rule the form does not know refuse it;
            # nothing was written (the service is atomic).
            form.add_error(None, error.messages)
            employee = directory_person(pk=pk)
        else:
            messages.success(request, _saved_message(changed, active=form.cleaned_data["active"]))
            return redirect("hr:person_edit", pk=employee.pk)
    enrolments = person_enrolments(employee=employee)
    return render(
        request,
        "hr/person_form.html",
        {
            "employee": employee,
            "form": form,
            "enrolments": enrolments,
            "live_pairings": sum(enrolment.live_pairings for enrolment in enrolments),
            "erased": is_erased(employee),
        },
    )


@people_admin_required
@require_http_methods(["GET", "POST"])
def person_erase(request, pk):
    """Erase a person on their request, after the people admin typed their email; a GET
    shows what it does and changes nothing."""
    employee = directory_person(pk=pk)
    refused = employee_erase_problem(employee=employee, actor=request.user)
    form = PersonEraseForm(request.POST or None, employee=employee)
    if request.method == "POST" and refused is None and form.is_valid():
        try:
            employee_erase(employee=employee, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Person #{employee.pk} is erased.")
            return redirect("hr:person_edit", pk=employee.pk)
    context = {"employee": employee, "form": form, "refused": refused}
    status = 400 if request.method == "POST" else 200
    return render(request, "hr/person_erase.html", context, status=status)


@people_admin_required
@require_GET
def people_admins_view(request):
    form = PeopleAdminSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    # One more than shown, to tell "these are all" from "there are more".
    found = people_admin_candidates(search=search, limit=CANDIDATES_SHOWN + 1)
    context = {
        "form": form,
        "search": search,
        "candidates": found[:CANDIDATES_SHOWN],
        "more": len(found) > CANDIDATES_SHOWN,
    }
    # htmx asks for the matches alone, except when it restores a page from its history.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "hr/includes/people_admin_candidates.html", context)
    else:
        context["admins"] = people_admins()
        response = render(request, "hr/people_admins.html", context)
    # One URL, two bodies: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@people_admin_required
@require_POST
def people_admin_add_view(request):
    form = PeopleAdminAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose someone from the search results.")
        return redirect("hr:people_admins")
    employee = form.cleaned_data["employee"]
    try:
        people_admin_add(actor=request.user, user=employee.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{employee.name} is now a people admin.")
    return redirect("hr:people_admins")


@people_admin_required
@require_POST
def people_admin_remove_view(request):
    form = PeopleAdminRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That person is not a people admin.")
        return redirect("hr:people_admins")
    user = form.cleaned_data["user"]
    try:
        people_admin_remove(actor=request.user, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("hr:people_admins")
    if user.pk == request.user.pk and not request.user.is_superuser:
        # The directory pages are a 403 for them from now on.
        messages.success(request, "You are no longer a people admin.")
        return redirect("home")
    employee = getattr(user, "employee", None)
    name = employee.name if employee is not None else user.get_username()
    messages.success(request, f"{name} is no longer a people admin.")
    return redirect("hr:people_admins")


@people_admin_required
@require_http_methods(["GET", "POST"])
def directory_import_view(request):
    """Upload the directory: kept server-side in an import job and checked, in the request
    when small, else on a worker; the job's page previews it and confirms."""
    if request.method == "POST" and upload_too_large(request):
        context = {"form": DirectoryImportForm(), "upload_error": TOO_LARGE}
        return render(request, "hr/directory_import.html", context, status=413)
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            kind=ImportJob.Kind.DIRECTORY,
            program=None,
            actor=request.user,
            filename=request.FILES["file"].name,
            content=form.cleaned_data["file"],
        )
        return redirect("hr:directory_import_job_detail", pk=job.pk)
    return render(request, "hr/directory_import.html", {"form": form})


@people_admin_required
@require_GET
def import_job_detail(request, pk):
    job = directory_import_job(pk=pk)
    context = {"job": job, "program": None, "job_url_prefix": "hr:directory_"}
    return render(request, "hr/import_job_detail.html", context)


@people_admin_required
@require_GET
def import_job_status(request, pk):
    job = directory_import_job(pk=pk)
    if job.in_progress:
        context = {"job": job, "job_url_prefix": "hr:directory_"}
        return render(request, "hr/import_job_status.html", context)
    return HttpResponseClientRefresh()


@people_admin_required
@require_POST
def import_job_confirm_view(request, pk):
    job = directory_import_job(pk=pk)
    try:
        import_job_confirm(job=job)
    except ImportJobError as error:
        messages.error(request, str(error))
    return redirect("hr:directory_import_job_detail", pk=job.pk)
