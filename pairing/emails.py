"""One function per email. Each email is three templates under templates/emails/:
`<name>-subject.html`, `<name>-body-text.html` and `<name>-body-html.html`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse


def render_templated(
    *,
    name: str,
    to: list[str],
    context: dict,
    attachments: list[tuple[str, bytes, str]] = (),
) -> EmailMultiAlternatives:
    """The email rendered and ready, not sent: reminders open the mail connection first and
    hand it over as the very last step (see pairing.reminders.reminder_send)."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.html", context).split())
    text = render_to_string(f"emails/{name}-body-text.html", context)
    html = render_to_string(f"emails/{name}-body-html.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_templated(
    *,
    name: str,
    to: list[str],
    context: dict,
    attachments: list[tuple[str, bytes, str]] = (),
) -> None:
    """Render and send one email; raises on failure so callers (tasks) can retry."""
    render_templated(name=name, to=to, context=context, attachments=attachments).send()


# Reminders. pairing.reminders builds the context (and the calendar file) and sends the
# message itself, so these only render.

CALENDAR_MIMETYPE = "text/calendar"


def checkin_due(*, to: str, context: dict, invitation: bytes) -> EmailMultiAlternatives:
    return render_templated(
        name="checkin-due",
        to=[to],
        context=context,
        attachments=[("check-in.ics", invitation, CALENDAR_MIMETYPE)],
    )


def checkin_overdue(*, to: str, context: dict, invitation: bytes) -> EmailMultiAlternatives:
    return render_templated(
        name="checkin-overdue",
        to=[to],
        context=context,
        attachments=[("check-in.ics", invitation, CALENDAR_MIMETYPE)],
    )


def proposal_waiting(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="proposal-waiting", to=[to], context=context)


def no_first_checkin(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="no-first-checkin", to=[to], context=context)


def pairing_stalled(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="pairing-stalled", to=[to], context=context)


def closing_survey(*, to: str, context: dict) -> EmailMultiAlternatives:
    return render_templated(name="closing-survey", to=[to], context=context)


def proposal_new_send(member) -> None:
    """Tell a member who must answer (a mentor, or a peer) about a new proposal."""
    inbox = reverse("pairing:proposal_list")
    pairing = member.pairing
    partners = [m.participant for m in pairing.members.all() if m.pk != member.pk]
    send_templated(
        name="proposal-new",
        to=[member.participant.employee.email],
        context={
            "member": member,
            "pairing": pairing,
            "program": pairing.program,
            "partners": partners,
            "inbox_path": inbox,
        },
    )
