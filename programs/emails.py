"""How every email is made, and the account emails (invitation, password reset).

One function per email. Each email is three templates under templates/emails/:
`<name>-subject.html`, `<name>-body-text.html` and `<name>-body-html.html`; the HTML
bodies extend emails/layout.html. Links are built from SITE_URL, never from a request's
host, so a forged Host header cannot put someone else's address into a reset email.
"""

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
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
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


def invitation_send(*, employee, link: str, reason: str) -> None:
    """The invitation: what is waiting (``reason``) and the link to set a password."""
    send_templated(
        name="invitation",
        to=[employee.email],
        context={
            "employee": employee,
            "link": link,
            "reason": reason,
            "timeout_days": settings.INVITATION_TIMEOUT_DAYS,
        },
    )


def password_reset_send(*, user, link: str) -> None:
    send_templated(
        name="password-reset",
        to=[user.email],
        context={
            "user": user,
            "name": getattr(getattr(user, "employee", None), "name", ""),
            "link": link,
            "timeout_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )


def pause_ended_send(*, participant) -> None:
    """On the day a pause ends: they are back in matching, and can pause again."""
    send_templated(
        name="pause-ended",
        to=[participant.employee.email],
        context={
            "name": participant.employee.name,
            "program": participant.program,
            "enrolment_url": settings.SITE_URL
            + reverse("programs:program_enrol", args=[participant.program.slug]),
        },
    )
