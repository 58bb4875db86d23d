"""A programme's participants CSV import: the upload, then the import job's page (its
progress, preview and confirm). HR admins only, like every programme page; a job is
found through `import_job_for_admin`, so another admin's job is a 404.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from pairing.hr.forms.programmes import ParticipantImportForm
from pairing.hr.selectors import import_job_for_admin, program_for_admin
from programs.import_jobs import ImportJobError, import_job_confirm, import_job_create
from programs.models import ImportJob
from programs.permissions import hr_admin_required
from programs.uploads import TOO_LARGE, upload_too_large


@hr_admin_required
@require_http_methods(["GET", "POST"])
def participant_import(request, slug):
    """Upload: the file is kept server-side in an import job (never in the session) and
    checked, in the request when small, else on a worker; the job's page previews it."""
    program = program_for_admin(user=request.user, slug=slug)

    if request.method == "POST" and upload_too_large(request):
        context = {"program": program, "form": ParticipantImportForm(), "upload_error": TOO_LARGE}
        return render(request, "hr/participant_import.html", context, status=413)

    form = ParticipantImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            kind=ImportJob.Kind.PARTICIPANTS,
            program=program,
            actor=request.user,
            filename=request.FILES["file"].name,
            content=form.cleaned_data["file"],
        )
        return redirect("hr:import_job_detail", pk=job.pk)
    return render(request, "hr/participant_import.html", {"program": program, "form": form})


@hr_admin_required
def import_job_detail(request, pk):
    """An import's one page: its progress, then its preview (and confirm), its result or
    the lines to fix."""
    job = import_job_for_admin(user=request.user, pk=pk)
    context = {"job": job, "program": job.program, "job_url_prefix": "hr:"}
    return render(request, "hr/import_job_detail.html", context)


@hr_admin_required
def import_job_status(request, pk):
    """The progress bar, polled by htmx every second while the job works; then the whole
    page reloads to show what came of it."""
    job = import_job_for_admin(user=request.user, pk=pk)
    if job.in_progress:
        return render(request, "hr/import_job_status.html", {"job": job, "job_url_prefix": "hr:"})
    return HttpResponseClientRefresh()


@hr_admin_required
@require_POST
def import_job_confirm_view(request, pk):
    job = import_job_for_admin(user=request.user, pk=pk)
    try:
        import_job_confirm(job=job)
    except ImportJobError as error:
        messages.error(request, str(error))
    return redirect("hr:import_job_detail", pk=job.pk)
