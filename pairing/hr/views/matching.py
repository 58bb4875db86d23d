"""The HR admin's matching pages: a programme's runs, a run's review (pin, remove, publish).

HR admins only (403 otherwise); the programme is found through `program_for_admin` and a
run through `match_run_for_admin`, so another HR admin's programme (or run) is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from pairing.hr.forms.matching import GroupForm, GroupMemberForm, PairForm, PinForm
from pairing.hr.selectors import (
    PICK_SIDES,
    match_run_for_admin,
    match_run_review,
    match_runs_recent,
    pin_candidates,
    program_for_admin,
)
from pairing.matchmaking.runs import (
    MatchingError,
    match_run_pin,
    match_run_pin_group,
    match_run_publish,
    match_run_remove,
    match_run_remove_member,
    match_run_start,
    refuse_situational,
)
from pairing.models import MatchRun
from programs.permissions import hr_admin_required

# Suggestions returned for what HR types in a pin field.
PICKS_SEARCHED = 20
PAIRINGS_PER_PAGE = 50


@hr_admin_required
@require_http_methods(["GET", "POST"])
def matchrun_create(request, slug):
    """GET: the programme's runs and the "Run matching" button; POST: start a run."""
    program = program_for_admin(user=request.user, slug=slug)
    try:
        refuse_situational(program)
    except MatchingError as error:
        messages.error(request, f"{capfirst(str(error))}.")
        return redirect(program)
    if request.method == "POST":
        run = match_run_start(program=program, actor=request.user)
        return redirect("hr:matchrun_detail", pk=run.pk)
    runs = match_runs_recent(program=program)
    return render(request, "hr/matchrun_list.html", {"program": program, "runs": runs})


def _detail(request, run: MatchRun, pin_form: PinForm, *, status: int = 200):
    review = match_run_review(run=run)
    # A programme of thousands makes thousands of pairs: pages keep the review readable.
    pairings = Paginator(review.get("pairings", []), PAIRINGS_PER_PAGE)
    context = {
        "program": run.program,
        "run": run,
        "review": review,
        "pairings": pairings.get_page(request.GET.get("page")),
        "pin_form": pin_form,
    }
    return render(request, "hr/matchrun_detail.html", context, status=status)


@hr_admin_required
def matchrun_detail(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    return _detail(request, run, PinForm(run=run))


@hr_admin_required
@require_GET
def matchrun_pick(request, pk, side):
    """The pin form's suggestions for one side as <option>s, as HR types (htmx): the
    programme's available people whose name or email holds the text typed, or the run's
    unmatched people (and mentors with places left) while the field is blank."""
    run = match_run_for_admin(user=request.user, pk=pk)
    if side not in PICK_SIDES:
        raise Http404("No such list.")
    search = request.GET.get(side, "").strip()
    if search:
        options = pin_candidates(
            program=run.program, side=side, search=search, limit=PICKS_SEARCHED
        )
    else:
        options = match_run_review(run=run).get("picks", {}).get(side, [])
    return render(request, "hr/includes/pick_options.html", {"options": options})


@hr_admin_required
def matchrun_status(request, pk):
    """The progress bar, polled by htmx every second until the run has finished; then
    the whole page reloads to show the result."""
    run = match_run_for_admin(user=request.user, pk=pk)
    if run.status in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING):
        return render(request, "hr/matchrun_status.html", {"run": run})
    return HttpResponseClientRefresh()


@hr_admin_required
@require_POST
def matchrun_pin(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    form = PinForm(request.POST, run=run)
    if not form.is_valid():
        return _detail(request, run, form, status=400)
    return _rerun(
        request,
        run,
        lambda: match_run_pin(
            run=run,
            first=form.cleaned_data["first"],
            second=form.cleaned_data["second"],
            actor=request.user,
        ),
        "Pinned; matching re-ran around the pin.",
    )


def _rerun(request, run: MatchRun, change, done: str):
    """Make HR's change to the run (which re-solves it) and come back to the run, saying
    what happened or why it was refused."""
    try:
        change()
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("hr:matchrun_detail", pk=run.pk)


@hr_admin_required
@require_POST
def matchrun_remove(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    form = PairForm(request.POST)
    if not form.is_valid():
        raise Http404("No such pair.")
    pair = [str(form.cleaned_data["first"]), str(form.cleaned_data["second"])]
    return _rerun(
        request,
        run,
        lambda: match_run_remove(run=run, pair=pair, actor=request.user),
        "Removed the pair; matching re-ran without it.",
    )


@hr_admin_required
@require_POST
def matchrun_pin_group(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    form = GroupForm(request.POST)
    if not form.is_valid():
        raise Http404("No such group.")
    return _rerun(
        request,
        run,
        lambda: match_run_pin_group(run=run, keys=form.cleaned_data["members"], actor=request.user),
        "Pinned the group; matching re-ran around it.",
    )


@hr_admin_required
@require_POST
def matchrun_remove_member(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    form = GroupMemberForm(request.POST)
    if not form.is_valid():
        raise Http404("No such group member.")
    return _rerun(
        request,
        run,
        lambda: match_run_remove_member(
            run=run,
            group=form.cleaned_data["members"],
            person=str(form.cleaned_data["person"]),
            actor=request.user,
        ),
        "Removed from the group; matching re-ran, never grouping them together.",
    )


@hr_admin_required
@require_POST
def matchrun_publish(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    try:
        pairings = match_run_publish(run=run, actor=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
        return redirect("hr:matchrun_detail", pk=run.pk)
    unit = "group proposal" if run.program.is_group else "proposal"
    published = f"{len(pairings)} {unit}{pluralize(len(pairings))}"
    messages.success(request, f"Published {published}; the people asked to answer are emailed.")
    return redirect(run.program)
