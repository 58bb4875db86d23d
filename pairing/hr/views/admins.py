"""A programme's admins page: its admins add and remove co-admins, found by name.

HR admins only (403 otherwise), through `program_for_admin` like every HR page, so
another HR admin's programme is a 404. The search is a plain GET form listing matches
with an "Add" button each; with JavaScript, htmx refreshes the matches as one types.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from pairing.hr.forms.admins import AdminAddForm, AdminRemoveForm, AdminSearchForm
from pairing.hr.selectors import admin_candidates, program_admins, program_for_admin
from programs.permissions import hr_admin_required
from programs.services import program_admin_add, program_admin_remove

# Matches listed for a search; "type more of the name" beyond that.
CANDIDATES_SHOWN = 20


@hr_admin_required
@require_GET
def program_admins_view(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    form = AdminSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    # One more than shown, to tell "these are all" from "there are more".
    found = admin_candidates(program=program, search=search, limit=CANDIDATES_SHOWN + 1)
    context = {
        "program": program,
        "form": form,
        "search": search,
        "candidates": found[:CANDIDATES_SHOWN],
        "more": len(found) > CANDIDATES_SHOWN,
    }
    # htmx asks for the matches alone, except when it restores a page from its history.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "hr/includes/admin_candidates.html", context)
    else:
        context["admins"] = program_admins(program=program)
        response = render(request, "hr/program_admins.html", context)
    # One URL, two bodies: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@hr_admin_required
@require_POST
def program_admin_add_view(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    form = AdminAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose someone from the search results.")
        return redirect("hr:program_admins", slug=program.slug)
    employee = form.cleaned_data["employee"]
    try:
        joined = program_admin_add(program=program, actor=request.user, user=employee.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        also = " and an HR admin" if joined else ""
        messages.success(request, f"{employee.name} is now an admin of {program.name}{also}.")
    return redirect("hr:program_admins", slug=program.slug)


@hr_admin_required
@require_POST
def program_admin_remove_view(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    form = AdminRemoveForm(request.POST, program=program)
    if not form.is_valid():
        messages.error(request, "That person is not an admin of this programme.")
        return redirect("hr:program_admins", slug=program.slug)
    user = form.cleaned_data["user"]
    try:
        program_admin_remove(program=program, actor=request.user, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("hr:program_admins", slug=program.slug)
    if user.pk == request.user.pk and not request.user.is_superuser:
        # Their own admin pages of this programme are a 404 for them from now on.
        messages.success(request, f"You are no longer an admin of {program.name}.")
        return redirect("hr:program_manage_list")
    employee = getattr(user, "employee", None)
    name = employee.name if employee is not None else user.get_username()
    messages.success(request, f"{name} is no longer an admin of {program.name}.")
    return redirect("hr:program_admins", slug=program.slug)
