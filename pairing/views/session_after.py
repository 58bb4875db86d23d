"""After a session: mark it held, answer the two questions, continue as ongoing mentoring.

Only the asker and the helper reach these pages (anyone else gets a 404); changes are
POST only. After a POST each view goes back to `_back(session)`.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pairing.forms.session_after import SessionConvertForm, SessionFeedbackForm
from pairing.situational import aftercare


def _back(session) -> str:
    """Where the after-the-session actions return to: the session's own page."""
    return reverse("pairing:session_feedback", args=[session.pk])


def after_context(*, session, me, form=None) -> dict:
    """The context templates/pairing/includes/session_after.html needs: ``after`` (an
    aftercare.AfterView) and ``feedback_form``. For session_detail too."""
    after = aftercare.after_view(session=session, me=me, now=timezone.now())
    if form is None and after.feedback_open and after.my_feedback is None:
        form = SessionFeedbackForm()
    return {"after": after, "feedback_form": form}


@require_POST
def session_held(request, pk: int):
    session, _ = aftercare.session_for_person(user=request.user, pk=pk)
    try:
        aftercare.session_mark_held(session=session)
    except aftercare.AftercareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked held. Thank you: two short questions follow.")
    return redirect(_back(session))


@require_http_methods(["GET", "POST"])
def session_feedback(request, pk: int):
    """GET: the session's after-care block; POST: one person's two answers, once."""
    session, me = aftercare.session_for_person(user=request.user, pk=pk)
    if request.method == "GET":
        return _feedback_page(request, session=session, me=me)
    form = SessionFeedbackForm(request.POST)
    if not form.is_valid():
        return _feedback_page(request, session=session, me=me, form=form, status=400)
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


def _feedback_page(request, *, session, me, form=None, status=200):
    context = {"session": session, "viewer_tz": me.employee.tzinfo}
    context.update(after_context(session=session, me=me, form=form))
    return render(request, "pairing/session_feedback.html", context, status=status)


@require_http_methods(["GET", "POST"])
def session_convert(request, pk: int):
    """The asker chooses the programme to continue in; the helper answers the proposal."""
    session, me = aftercare.session_for_person(user=request.user, pk=pk)
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
