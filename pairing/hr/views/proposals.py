"""HR's actions on a published proposal: cancel it, or reassign its mentee to another
mentor.

HR admins only (403 otherwise); the proposal is found through `proposal_for_admin`, so
another HR admin's programme (or a pairing of another programme) is a 404. Each action is
a confirmation page (GET) and the change (POST).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods

from pairing.hr.forms.actions import CancelForm, ReassignForm
from pairing.hr.selectors import proposal_for_admin, reassign_candidates
from pairing.models import Pairing
from pairing.services import PairingError, proposal_cancel, proposal_reassign
from programs.models import Program
from programs.permissions import hr_admin_required


def _context(pairing: Pairing, form) -> dict:
    return {
        "program": pairing.program,
        "pairing": pairing,
        "members": list(pairing.members.all()),
        "form": form,
        "is_open": pairing.status == Pairing.Status.PROPOSED,
    }


@hr_admin_required
@require_http_methods(["GET", "POST"])
def proposal_cancel_view(request, slug, pk):
    pairing = proposal_for_admin(user=request.user, slug=slug, pk=pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _, new = proposal_cancel(
                pairing=pairing, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except PairingError as error:
            form.add_error(None, str(error))
        else:
            text = "Cancelled the proposal; everyone in it is emailed."
            if new:
                text += f" {len(new)} new proposal{pluralize(len(new))} made in its place."
            elif pairing.program.matching_mode == Program.MatchingMode.ADMIN:
                text += " Nobody free fits in its place, so they are unmatched for now."
            messages.success(request, text)
            return redirect("hr:participant_table", slug=pairing.program.slug)
    return render(
        request,
        "hr/proposal_cancel.html",
        _context(pairing, form),
        status=400 if form.errors else 200,
    )


@hr_admin_required
@require_http_methods(["GET", "POST"])
def proposal_reassign_view(request, slug, pk):
    """GET: the mentors the mentee could be given instead (searchable by name); POST:
    cancel the proposal and propose the chosen mentor."""
    pairing = proposal_for_admin(user=request.user, slug=slug, pk=pk)
    search = request.GET.get("q", "")[:100]
    shown, total = reassign_candidates(pairing=pairing, search=search)
    posting = request.method == "POST"
    form = ReassignForm(
        request.POST if posting else None,
        choices=[(c.participant.pk, c.participant.employee.name) for c in shown],
    )
    if posting and form.is_valid():
        try:
            new = proposal_reassign(
                pairing=pairing,
                guide_id=form.cleaned_data["guide"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except PairingError as error:
            form.add_error("guide", str(error))
        else:
            guide = next(m for m in new.members.all() if m.role == m.Role.GUIDE)
            messages.success(
                request,
                f"Reassigned: {guide.participant.employee.name} is asked to answer the new "
                "proposal; the old one is cancelled and its people are emailed.",
            )
            return redirect("hr:participant_table", slug=pairing.program.slug)
    context = _context(pairing, form)
    context.update(candidates=shown, total=total, search=search)
    return render(request, "hr/proposal_reassign.html", context, status=400 if form.errors else 200)
