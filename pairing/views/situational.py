"""Pages of situational mentoring: a helper's office hours, asking for help with a
challenge, and booking, moving and cancelling a session.

Times are shown in the viewer's own time zone (Employee.time_zone), named on the page;
forms post them back as UTC ISO 8601.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pairing.forms.session_after import SessionFeedbackForm
from pairing.forms.situational import (
    BookForm,
    ChallengeForm,
    OfficeHoursForm,
    SlotForm,
    WeeklySlotFormSet,
)
from pairing.models import Challenge, HelpSession
from pairing.situational import aftercare, booking, rules, selectors

PICK_A_TIME = "Pick one of the times shown."


def _viewer_tz(request):
    return request.user.employee.tzinfo


@require_http_methods(["GET", "POST"])
def office_hours(request, slug: str):
    helper = selectors.helper_get(user=request.user, slug=slug)
    program = helper.program
    hours = selectors.office_hours_of(helper=helper)
    saved_slots = list(hours.slots.all()) if hours.pk else []
    if request.method == "POST":
        form = OfficeHoursForm(request.POST, program=program, creator=request.user)
        minutes = form.cleaned_data["session_minutes"] if form.is_valid() else None
        formset = WeeklySlotFormSet(request.POST, prefix="slots", minutes=minutes)
        if form.is_valid() and formset.is_valid():
            try:
                booking.office_hours_save(
                    helper=helper,
                    session_minutes=form.cleaned_data["session_minutes"],
                    monthly_cap=form.cleaned_data["monthly_cap"],
                    paused=form.cleaned_data["paused"],
                    expertise=form.cleaned_data["topic_names"],
                    weekly=formset.weekly(),
                    user=request.user,
                )
            except booking.BookingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Your office hours are saved.")
                return redirect("pairing:office_hours", slug=slug)
    else:
        form = OfficeHoursForm(
            initial=OfficeHoursForm.initial_for(hours), program=program, creator=request.user
        )
        formset = WeeklySlotFormSet(
            prefix="slots",
            initial=[{"weekday": s.weekday, "starts_at": s.starts_at} for s in saved_slots],
        )
    now = timezone.now()
    return render(
        request,
        "pairing/office_hours.html",
        {
            "helper": helper,
            "program": program,
            "hours": hours,
            "form": form,
            "formset": formset,
            "cap": rules.monthly_cap(hours),
            "booking_days": rules.BOOKING_HORIZON.days,
            "sessions": selectors.upcoming_sessions(helper=helper, now=now),
            "viewer_tz": _viewer_tz(request),
        },
    )


@require_http_methods(["GET", "POST"])
def challenge_new(request, slug: str):
    asker = selectors.asker_get(user=request.user, slug=slug)
    form = ChallengeForm(request.POST or None, creator=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = booking.challenge_create(
                asker=asker,
                topics=form.cleaned_data["topic_names"],
                text=form.cleaned_data["text"],
                urgency=form.cleaned_data["urgency"],
                user=request.user,
            )
        except booking.BookingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("pairing:challenge_detail", pk=challenge.pk)
    return render(
        request,
        "pairing/challenge_new.html",
        {
            "asker": asker,
            "program": asker.program,
            "form": form,
            "challenges": selectors.challenges_of(asker=asker),
        },
    )


@require_GET
def challenge_detail(request, pk: int):
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    booked = challenge.status == Challenge.Status.BOOKED
    return render(
        request,
        "pairing/challenge_detail.html",
        {
            "challenge": challenge,
            "program": challenge.asker.program,
            "session": (
                challenge.sessions.filter(status=HelpSession.Status.BOOKED).first()
                if booked
                else None
            ),
            "helpers": (
                selectors.helpers_for(challenge=challenge, now=timezone.now())
                if challenge.status == Challenge.Status.OPEN
                else []
            ),
            "viewer_tz": _viewer_tz(request),
        },
    )


@require_POST
def session_book(request, pk: int):
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, PICK_A_TIME)
        return redirect("pairing:challenge_detail", pk=pk)
    try:
        session = booking.session_book(
            challenge=challenge,
            helper_id=form.cleaned_data["helper"],
            starts_at=form.cleaned_data["starts_at"],
            user=request.user,
        )
    except booking.BookingError as error:
        messages.error(request, str(error))
        return redirect("pairing:challenge_detail", pk=pk)
    messages.success(
        request, f"Booked with {session.helper.employee.name}. You both get a calendar invitation."
    )
    return redirect("pairing:session_detail", pk=session.pk)


@require_GET
def session_detail(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk)
    return session_page(request, session)


def session_page(request, session, *, feedback_form=None, status: int = 200):
    """The session page for its asker or helper: when, with whom, cancel or move it, and
    after it (pairing.situational.aftercare) held, the two questions and continuing as
    ongoing mentoring. ``feedback_form``: a bound form to show with its errors."""
    me = selectors.session_side(session, request.user)
    now = timezone.now()
    after = aftercare.after_view(session=session, me=me, now=now)
    if feedback_form is None and after.feedback_open and after.my_feedback is None:
        feedback_form = SessionFeedbackForm()
    is_helper = me.pk == session.helper_id
    return render(
        request,
        "pairing/session_detail.html",
        {
            "session": session,
            "challenge": session.challenge,
            "program": session.helper.program,
            "is_helper": is_helper,
            "other": session.challenge.asker if is_helper else session.helper,
            "changeable": booking.unchangeable(session, now=now) is None,
            "viewer_tz": _viewer_tz(request),
            "after": after,
            "feedback_form": feedback_form,
        },
        status=status,
    )


@require_POST
def session_cancel(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        booking.session_cancel(session=session, user=request.user)
    except booking.BookingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Cancelled. You both get the calendar cancellation.")
    return redirect("pairing:session_detail", pk=pk)


@require_http_methods(["GET", "POST"])
def session_reschedule(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = SlotForm(request.POST)
        if not form.is_valid():
            messages.error(request, PICK_A_TIME)
            return redirect("pairing:session_reschedule", pk=pk)
        try:
            booking.session_reschedule(
                session=session, starts_at=form.cleaned_data["starts_at"], user=request.user
            )
        except booking.BookingError as error:
            messages.error(request, str(error))
            return redirect("pairing:session_reschedule", pk=pk)
        messages.success(request, "Moved. You both get the updated calendar invitation.")
        return redirect("pairing:session_detail", pk=pk)
    changeable = booking.unchangeable(session, now=timezone.now()) is None
    return render(
        request,
        "pairing/session_reschedule.html",
        {
            "session": session,
            "changeable": changeable,
            "slots": (
                selectors.reschedule_slots(session=session, now=timezone.now())
                if changeable
                else []
            ),
            "viewer_tz": _viewer_tz(request),
        },
    )
