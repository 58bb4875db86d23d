"""A programme's rounds: their history, and starting the next one (HR admins only; another
admin's programme is a 404; the change is a POST through pairing.rounds)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pairing import rounds
from pairing.hr.forms.rounds import RoundStartForm
from pairing.hr.selectors import program_for_admin, round_history
from programs.permissions import hr_admin_required


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_rounds(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    if program.is_situational:
        messages.error(request, rounds.NO_ROUNDS)
        return redirect(program)
    form = RoundStartForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            started = rounds.round_start(
                program=program,
                actor=request.user,
                everyone=form.everyone,
                end_pairings=form.cleaned_data["end_pairings"],
                number=form.cleaned_data["number"],
            )
        except rounds.RoundError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Round {started.number} has started. Everyone of round {started.number - 1} "
                "is being told by email."
                + ("" if form.everyone else " They join from their home page."),
            )
            return redirect("hr:program_rounds", slug=program.slug)
    return render(
        request,
        "hr/program_rounds.html",
        {"program": program, "history": round_history(program=program), "form": form},
    )
