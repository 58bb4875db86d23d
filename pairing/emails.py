"""One function per email. Each email is three templates under templates/emails/:
`<name>-subject.html`, `<name>-body-text.html` and `<name>-body-html.html`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse


def send_templated(
    *,
    name: str,
    to: list[str],
    context: dict,
    attachments: list[tuple[str, bytes, str]] = (),
) -> None:
    """Render and send one email; raises on failure so callers (tasks) can retry."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.html", context).split())
    text = render_to_string(f"emails/{name}-body-text.html", context)
    html = render_to_string(f"emails/{name}-body-html.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()


def proposal_new_send(member) -> None:
    """Tell a member who must answer (a mentor, or a peer) about a new proposal."""
    try:
        inbox = reverse("pairing:proposal_list")
    except NoReverseMatch:
        # The inbox page ships separately; its agreed address keeps links working meanwhile.
        inbox = "/proposals/"
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
