"""The person's own email preferences: optional reminders on or off, and their time zone."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from programs.forms.profile import ProfileForm
from programs.models import Employee
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
