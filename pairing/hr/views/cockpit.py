"""HR's cockpit: every programme the admin runs, its stage and next step, and the to-do
list's one-click actions (nudge, invite, end or rematch a pairing).

HR admins only (403 otherwise); a programme is found through `program_for_admin` and a
pairing within it, so another HR admin's programme or pairing is a 404. Every change is a
POST with CSRF and goes through one service, which writes the audit log.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pairing import rules, schedule, services
from pairing.hr.cockpit import cockpit_for, pairing_for_admin
from pairing.hr.forms.cockpit import NudgeForm, PairingEndForm
from pairing.hr.selectors import program_for_admin
from pairing.models import PairingMember
from programs.accounts import invitations_send
from programs.permissions import hr_admin_required


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


@hr_admin_required
@require_GET
def cockpit(request):
    return render(
        request,
        "hr/cockpit.html",
        {
            "cards": cockpit_for(user=request.user),
            "stages": rules.Stage.choices,
            "lapsing_days": schedule.LAPSING_SOON_DAYS,
            "stalled_cadences": schedule.STALLED_CADENCES,
        },
    )


@hr_admin_required
@require_POST
def proposals_nudge(request, slug):
    """Email the people who have not answered the programme's waiting proposals (or only
    those lapsing soon), at most once a day each."""
    program = program_for_admin(user=request.user, slug=slug)
    form = NudgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which proposals to nudge.")
        return redirect("hr:cockpit")
    nudged = services.proposals_nudge(
        program=program, actor=request.user, lapsing_only=form.lapsing_only
    )
    if nudged:
        messages.success(request, f"Nudging {_people(nudged)} in {program.name} by email.")
    else:
        messages.info(request, "Everyone waiting was nudged today already.")
    return redirect("hr:cockpit")


@hr_admin_required
@require_POST
def pairing_nudge(request, slug, pk):
    """Email both members of a stalled pairing to hold their next check-in."""
    program = program_for_admin(user=request.user, slug=slug)
    pairing = pairing_for_admin(program=program, pk=pk)
    try:
        nudged = services.pairing_nudge(pairing=pairing, actor=request.user)
    except services.PairingError as error:
        messages.error(request, str(error))
        return redirect("hr:cockpit")
    names = " and ".join(m.participant.employee.name for m in pairing.members.all())
    if nudged:
        messages.success(request, f"Nudging {names} to check in.")
    else:
        messages.info(request, f"{names} were nudged today already.")
    return redirect("hr:cockpit")


@hr_admin_required
@require_POST
def invite_all(request, slug):
    """Invite everyone in the programme who has never signed in (the participants table's
    "invite everyone", from the cockpit)."""
    program = program_for_admin(user=request.user, slug=slug)
    invited, _skipped = invitations_send(program=program, actor=request.user)
    if invited:
        messages.success(request, f"Sending {invited} invitation{pluralize(invited)}.")
    else:
        messages.info(request, "Everyone in the programme has signed in already.")
    return redirect("hr:cockpit")


@hr_admin_required
@require_http_methods(["GET", "POST"])
def pairing_end(request, slug, pk):
    """GET: what ending the pairing does, and the reason to give; POST: end it (and, if
    asked, propose the mentee or peers a new partner)."""
    program = program_for_admin(user=request.user, slug=slug)
    pairing = pairing_for_admin(program=program, pk=pk)
    initial = {"rematch": request.GET.get("rematch") == "1"}
    form = PairingEndForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _ended, proposed = services.pairing_end_by_admin(
                    pairing=pairing,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    rematch=form.cleaned_data["rematch"],
                )
            except services.PairingError as error:
                form.add_error(None, str(error))
            else:
                text = "The pairing has ended; everyone in it is told by email."
                if form.cleaned_data["rematch"]:
                    text += (
                        f" {len(proposed)} new proposal{pluralize(len(proposed))} made."
                        if proposed
                        else " Nobody free fits yet: they wait for the next matching."
                    )
                messages.success(request, text)
                return redirect("hr:cockpit")
        status = 400
    members = list(pairing.members.all())
    return render(
        request,
        "hr/pairing_end.html",
        {
            "program": program,
            "pairing": pairing,
            "members": members,
            "learners": [m for m in members if m.role != PairingMember.Role.GUIDE],
            "form": form,
        },
        status=status,
    )
