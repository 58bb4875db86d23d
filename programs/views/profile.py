"""The person's own page: email preferences (optional reminders on or off, their time
zone) and everything the product holds about them, to read or download."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from programs.forms.profile import ProfileForm
from programs.models import Employee
from programs.personal_data import as_tree, personal_data
from programs.services import employee_update_preferences


@require_http_methods(["GET", "POST"])
def profile(request):
    # Only ever the viewer's own row; an account without one (a bare superuser) gets 404.
    employee = get_object_or_404(Employee, user=request.user)
    form = ProfileForm(request.POST or None, instance=employee)
    if request.method == "POST" and form.is_valid():
        employee_update_preferences(
            employee=employee,
            optional_emails=form.cleaned_data["optional_emails"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, "Your email preferences are saved.")
        return redirect("programs:profile")
    return render(request, "programs/profile_form.html", {"form": form})


def _my_data(request) -> dict:
    try:
        return personal_data(user=request.user)
    except Employee.DoesNotExist:
        raise Http404("Only people in the directory have data here.") from None


@require_GET
def my_data(request):
    """Everything the product holds about the viewer, as a page; my_data_json downloads it."""
    return render(request, "programs/my_data.html", {"tree": as_tree(_my_data(request))})


@require_GET
def my_data_json(request):
    response = JsonResponse(_my_data(request), json_dumps_params={"indent": 2})
    # An attachment: NoStoreMiddleware keeps it out of browser and proxy caches.
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
