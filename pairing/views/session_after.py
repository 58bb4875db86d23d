"""After a session: mark it held, answer the two questions, continue as ongoing mentoring.

Only the asker and the helper reach these pages (anyone else gets a 404); changes are
POST only. After a POST each view goes back to `_back(session)`.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from pairing.forms.session_after import SessionConvertForm, SessionFeedbackForm
from pairing.situational import aftercare, selectors
from pairing.views import situational


def _back(session) -> str:
    return reverse("pairing:session_detail", args=[session.pk])


@require_POST
def session_held(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        aftercare.session_mark_held(session=session)
    except aftercare.AftercareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked held. Thank you: two short questions follow.")
    return redirect(_back(session))


@require_POST
def session_feedback(request, pk: int):
    """One person's two answers, once; the questions are on the session page."""
    session = selectors.session_get(user=request.user, pk=pk)
    me = selectors.session_side(session, request.user)
    form = SessionFeedbackForm(request.POST)
    if not form.is_valid():
        return situational.session_page(request, session, feedback_form=form, status=400)
    try:
        _, recorded = aftercare.feedback_give(session=session, participant=me, **form.cleaned_data)
    except aftercare.AftercareError as error:
        messages.error(request, str(error))
    else:
        if recorded:
            messages.success(request, "Thank you: your answers are saved. Only you see them.")
        else:
            messages.info(request, "You answered already; your first answers stand.")
    return redirect(_back(session))


@require_http_methods(["GET", "POST"])
def session_convert(request, pk: int):
    """The asker chooses the programme to continue in; the helper answers the proposal."""
    session = selectors.session_get(user=request.user, pk=pk)
    me = selectors.session_side(session, request.user)
    if me.pk != session.challenge.asker_id:
        # The helper agrees by answering the proposal, not here.
        raise Http404("No such session.")
    refusal = aftercare.convert_refusal(session)
    options = [] if refusal else aftercare.convert_options(session)
    form = SessionConvertForm(request.POST if request.method == "POST" else None, options=options)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            pairing = aftercare.session_convert(
                session=session, program_id=form.cleaned_data["program"], user=request.user
            )
        except aftercare.AftercareError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Asked {session.helper.employee.name} to continue as ongoing mentoring in "
                f"{pairing.program.name}. They accept or decline it in their proposals.",
            )
            return redirect(_back(session))
    return render(
        request,
        "pairing/session_convert.html",
        {
            "session": session,
            "refusal": refusal,
            "options": options,
            "form": form,
            "back_url": _back(session),
        },
        status=400 if request.method == "POST" else 200,
    )
