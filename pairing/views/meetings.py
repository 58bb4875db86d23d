"""Meeting times: propose up to three, answer which suit, fetch the agreed one's .ics.

Members only (anyone else gets a 404); changes are POST with CSRF. Times are shown in
the viewer's own zone, named on the page.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from pairing import ics, meetings
from pairing.forms.meetings import SLOTS, MeetingAnswerForm, MeetingProposeForm


def _zone(member):
    return member.participant.employee.tzinfo


@require_http_methods(["GET", "POST"])
def meeting_propose(request, pk: int):
    page = meetings.propose_page_get(user=request.user, pk=pk)
    if not page.can_propose:
        messages.error(request, "Meeting times can only be proposed in an active pairing.")
        return redirect(page.pairing)
    zone = _zone(page.me)
    form = MeetingProposeForm(request.POST if request.method == "POST" else None, zone=zone)
    if form.is_valid():
        try:
            proposal = meetings.meeting_propose(
                pairing=page.pairing,
                proposer=page.me.participant,
                starts=form.cleaned_data["starts"],
                minutes=form.cleaned_data["minutes"],
            )
        except meetings.MeetingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Times proposed: the others have been asked.")
            return redirect("pairing:meeting_detail", pk=proposal.pk)
    return render(
        request,
        "pairing/meeting_propose.html",
        {
            "page": page,
            "pairing": page.pairing,
            "form": form,
            "slots": [(form[f"day_{n}"], form[f"time_{n}"]) for n in SLOTS],
            "tz_name": page.me.participant.employee.time_zone,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk: int):
    """GET: the times and who said what; POST: the viewer's answer."""
    page = meetings.meeting_page_get(user=request.user, pk=pk)
    zone = _zone(page.me)
    form = None
    if page.can_answer:
        mine = page.my_reply
        form = MeetingAnswerForm(
            request.POST if request.method == "POST" else None,
            proposal=page.proposal,
            zone=zone,
            initial={"suits": [o.pk for o in mine.suits.all()]} if mine else None,
        )
    if request.method == "POST":
        if form is None:
            messages.error(request, "These times can no longer be answered.")
            return redirect("pairing:meeting_detail", pk=pk)
        if form.is_valid():
            try:
                meetings.meeting_answer(
                    proposal=page.proposal,
                    participant=page.me.participant,
                    suits=list(form.cleaned_data["suits"]),
                )
            except meetings.MeetingError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Answer saved.")
            return redirect("pairing:meeting_detail", pk=pk)
    with timezone.override(zone):
        return render(
            request,
            "pairing/meeting_detail.html",
            {
                "page": page,
                "proposal": page.proposal,
                "pairing": page.proposal.pairing,
                "form": form,
                "tz_name": page.me.participant.employee.time_zone,
            },
            status=400 if request.method == "POST" else 200,
        )


@require_GET
def meeting_ics(request, pk: int):
    """The agreed meeting (and the next check-in) as a calendar file."""
    page = meetings.meeting_page_get(user=request.user, pk=pk)
    if page.proposal.status != meetings.Status.AGREED:
        raise Http404("No agreed meeting.")
    body = meetings.meeting_calendar(page.proposal, members=page.members, method=ics.REQUEST)
    response = HttpResponse(body, content_type=meetings.CALENDAR_MIMETYPE)
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response
