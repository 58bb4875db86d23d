"""Pages for mentees, mentors and peer coaches: proposals, pairings, check-ins, candidates.

Each view reads through a selector that takes the viewer (someone else's object is a 404)
or calls one service; changes are POST only, with CSRF.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pairing import meetings, rounds, selectors, services
from pairing.forms.journeys import (
    CandidateRequestForm,
    CheckInForm,
    ChoicesForm,
    DeclineForm,
    EndForm,
    RatherNotForm,
)
from pairing.models import Pairing, PairingMember
from programs.models import Program


@require_GET
def proposal_list(request):
    items = selectors.proposals_awaiting(user=request.user)
    return render(request, "pairing/proposal_list.html", {"items": items})


@require_GET
def proposal_badge(request):
    """The navbar's count of proposals waiting for an answer, loaded by htmx after the
    page, so no page pays a query for it."""
    count = selectors.proposals_awaiting_count(user=request.user)
    # Rendered without the request: the fragment needs no context processor, and the
    # navbar's two (HR group, employee) would cost every page two more queries.
    return HttpResponse(render_to_string("pairing/proposal_badge.html", {"count": count}))


@require_GET
def proposal_detail(request, pk: int):
    item = selectors.proposal_get(user=request.user, pk=pk)
    return render(
        request,
        "pairing/proposal_detail.html",
        {"item": item, "decline_form": DeclineForm()},
    )


@require_POST
def proposal_accept(request, pk: int):
    member = selectors.member_for_user(user=request.user, pairing_pk=pk)
    try:
        pairing = services.proposal_accept(member=member, user=request.user)
    except services.PairingError as error:
        messages.error(request, str(error))
        return redirect("pairing:proposal_detail", pk=pk)
    group = pairing.program.is_group
    if pairing.status == Pairing.Status.PROPOSED:
        # The proposal itself, which says whom it waits for and until when: the inbox
        # would be empty now.
        messages.success(
            request,
            "Accepted. The group starts as soon as enough of its members accept."
            if group
            else "Accepted. The pairing starts when your peer accepts too.",
        )
        return redirect("pairing:proposal_detail", pk=pk)
    messages.success(
        request, "Accepted: you are in the group." if group else "Accepted: you are paired."
    )
    return redirect(pairing)


@require_POST
def proposal_decline(request, pk: int):
    member = selectors.member_for_user(user=request.user, pairing_pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        item = selectors.proposal_get(user=request.user, pk=pk)
        return render(
            request,
            "pairing/proposal_detail.html",
            {"item": item, "decline_form": form},
            status=400,
        )
    try:
        pairing, _ = services.proposal_decline(
            member=member,
            user=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except services.PairingError as error:
        messages.error(request, str(error))
        return redirect("pairing:proposal_detail", pk=pk)
    messages.success(
        request,
        "Declined. You will not be grouped with these people again."
        if pairing.program.is_group
        else "Declined. You will not be proposed to each other again.",
    )
    return redirect("pairing:proposal_list")


@require_GET
def pairing_list(request):
    pairings = selectors.pairings_for_user(user=request.user)
    return render(request, "pairing/pairing_list.html", {"pairings": pairings})


def _detail(request, view, *, checkin_form=None, status=200):
    return render(
        request,
        "pairing/pairing_detail.html",
        {
            "view": view,
            "pairing": view.pairing,
            "checkin_form": checkin_form or _checkin_form(view),
            # The "Meeting times" section, for members only.
            "meeting": meetings.meeting_for_pairing(pairing=view.pairing) if view.me else None,
        },
        status=status,
    )


def _checkin_form(view, data=None) -> CheckInForm:
    return CheckInForm(
        data, pairing=view.pairing, members=view.joined, presenter=view.next_presenter
    )


@require_GET
def pairing_detail(request, pk: int):
    return _detail(request, selectors.pairing_get(user=request.user, pk=pk))


@require_POST
def checkin_create(request, pk: int):
    view = selectors.pairing_get(user=request.user, pk=pk)
    if view.me is None:
        # The programme's HR admins may look, not write.
        return redirect(view.pairing)
    form = _checkin_form(view, request.POST)
    if not form.is_valid():
        return _detail(request, view, checkin_form=form, status=400)
    try:
        services.checkin_log(
            pairing=view.pairing, participant=view.me.participant, **form.cleaned_data
        )
    except services.PairingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Check-in logged.")
    return redirect(view.pairing)


@require_http_methods(["GET", "POST"])
def pairing_end(request, pk: int):
    """GET: the confirmation page, asking why; POST: end the pairing."""
    view = selectors.pairing_get(user=request.user, pk=pk)
    if view.me not in view.joined or view.pairing.status not in (
        Pairing.Status.ACCEPTED,
        Pairing.Status.ACTIVE,
    ):
        # HR admins look, not end (theirs is hr:pairing_end), nor does someone who has not
        # joined the group; a closed pairing is over.
        return redirect(view.pairing)
    form = EndForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return render(
            request,
            "pairing/pairing_end.html",
            {"view": view, "pairing": view.pairing, "form": form},
            status=400 if request.method == "POST" else 200,
        )
    try:
        services.pairing_end(
            pairing=view.pairing, user=request.user, reason=form.cleaned_data["reason"]
        )
    except services.PairingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The pairing has ended.")
    return redirect(view.pairing)


@require_GET
def candidates(request, slug: str):
    learner = selectors.learner_participant_get(user=request.user, slug=slug)
    return render(
        request,
        "pairing/candidate_list.html",
        {
            "learner": learner,
            "program": learner.program,
            "candidates": selectors.candidates_for(participant=learner),
            "live": selectors.live_membership(participant=learner),
            "requests": selectors.requests_of(participant=learner),
        },
    )


@require_POST
def candidate_request(request, slug: str):
    learner = selectors.learner_participant_get(user=request.user, slug=slug)
    form = CandidateRequestForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose someone from the list.", status=400)
    try:
        pairing = services.proposal_request(
            learner=learner, partner_id=form.cleaned_data["partner"], user=request.user
        )
    except services.PairingError as error:
        messages.error(request, str(error))
        return redirect("pairing:candidates", slug=slug)
    messages.success(request, "Request sent. You will see their answer on your home page.")
    return redirect("pairing:proposal_detail", pk=pairing.pk)


@require_POST
def round_join(request, slug: str):
    """Someone of an earlier round joins the programme's new round."""
    participant = selectors.enrolment_get(user=request.user, slug=slug)
    try:
        participant = rounds.round_join(participant=participant, user=request.user)
    except rounds.RoundError as error:
        messages.error(request, str(error))
    else:
        program = participant.program
        messages.success(
            request,
            f"You are in round {program.current_round} of {program.name}."
            + (
                " HR will propose your new partner."
                if program.matching_mode == Program.MatchingMode.ADMIN
                else ""
            ),
        )
    return redirect("home")


@require_http_methods(["GET", "POST"])
def preferences(request, slug: str):
    """Before HR's matching run: a mentee or peer ranks up to three of their suggestions;
    a mentor marks the mentees they would rather not take."""
    participant = selectors.preferences_participant_get(user=request.user, slug=slug)
    if participant.is_guide:
        candidates = selectors.learners_for(guide=participant)
        form = RatherNotForm(
            request.POST or None,
            candidates=candidates,
            marked=selectors.rather_not_ids(guide=participant),
        )
    else:
        candidates = selectors.candidates_for(participant=participant)
        form = ChoicesForm(
            request.POST or None,
            candidates=candidates,
            current=selectors.choice_ids(learner=participant),
        )
    if request.method == "POST" and form.is_valid():
        try:
            if participant.is_guide:
                services.rather_not_set(
                    guide=participant,
                    learner_ids=form.cleaned_data["learners"],
                    user=request.user,
                )
            else:
                services.choices_set(
                    learner=participant,
                    candidate_ids=form.cleaned_data["ranking"],
                    user=request.user,
                )
        except services.PairingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved: the next matching run takes it into account.")
            return redirect("pairing:preferences", slug=slug)
    return render(
        request,
        "pairing/preferences.html",
        {
            "participant": participant,
            "program": participant.program,
            "candidates": candidates,
            "form": form,
        },
    )


@require_POST
def request_withdraw(request, slug: str, pk: int):
    """Withdraw one of the viewer's own waiting requests (someone else's is a 404)."""
    learner = selectors.learner_participant_get(user=request.user, slug=slug)
    seat = get_object_or_404(
        PairingMember, pairing_id=pk, participant=learner, waiting_request=True
    )
    try:
        services.request_withdraw(member=seat, user=request.user)
    except services.PairingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Request withdrawn. You can ask someone else.")
    return redirect("pairing:candidates", slug=slug)
