"""Getting in without a password: invitations, password resets and their limits."""

import re

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pairing.models import PairingMember
from programs import accounts
from programs.models import AuditEvent, Employee, Participant
from programs.services import employee_upsert
from tests.factories import make_participant, make_proposal

pytestmark = pytest.mark.django_db

STRONG = "a-long-unguessable-passphrase-42"
LINK = re.compile(r"https?://[^\s\"<>]+")


def imported(name: str, email: str) -> Employee:
    """A person as the CSV import brings them in: a login with no usable password."""
    return employee_upsert(email=email, name=name)[0]


def links_in(message) -> list[str]:
    return LINK.findall(message.body)


def set_password_through(client: Client, link: str, password: str = STRONG):
    """Follow a set-password link as a browser does, and choose ``password``."""
    path = link.removeprefix(settings.SITE_URL)
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    return client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )


# --- Invitation tokens --------------------------------------------------------------------


def test_invitation_token_dies_once_a_password_is_set():
    user = imported("Ivy Import", "ivy@example.org").user
    token = accounts.invitation_tokens.make_token(user)
    assert accounts.invitation_tokens.check_token(user, token) is True
    user.set_password(STRONG)
    user.save()
    assert accounts.invitation_tokens.check_token(user, token) is False


def test_invitation_token_expires_after_the_timeout(monkeypatch):
    user = imported("Ivy Import", "ivy@example.org").user
    token = accounts.invitation_tokens.make_token(user)
    now = signing.time.time()
    days = settings.INVITATION_TIMEOUT_DAYS
    monkeypatch.setattr(signing.time, "time", lambda: now + days * 86400 - 60)
    assert accounts.invitation_tokens.check_token(user, token) is True
    monkeypatch.setattr(signing.time, "time", lambda: now + days * 86400 + 60)
    assert accounts.invitation_tokens.check_token(user, token) is False


def test_invitation_token_of_another_user_is_refused():
    ivy = imported("Ivy Import", "ivy@example.org").user
    other = imported("Otto Other", "otto@example.org").user
    token = accounts.invitation_tokens.make_token(ivy)
    assert accounts.invitation_tokens.check_token(other, token) is False
    assert accounts.invitation_tokens.check_token(ivy, "garbage") is False


# --- Proposal emails and first invitations --------------------------------------------


def test_proposal_email_to_someone_never_signed_in_carries_their_invitation(
    program, django_capture_on_commit_callbacks
):
    mentor = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=imported("Mo Mentor", "mo@example.org"),
    )
    mentee = make_participant(program=program)
    with django_capture_on_commit_callbacks(execute=True):
        pairing = make_proposal(guide=mentor, learner=mentee)
    assert [m.to for m in mail.outbox] == [["mo@example.org"]]
    (link,) = [link for link in links_in(mail.outbox[0]) if "/accounts/invitation/" in link]
    assert link.startswith(settings.SITE_URL + "/accounts/invitation/")
    assert Employee.objects.get(email="mo@example.org").invited_at is not None

    client = Client()
    response = set_password_through(client, link)
    # Signed in and sent on to the one proposal waiting for them.
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse(
        "pairing:proposal_detail", args=[pairing.pk]
    )
    assert client.get(reverse("pairing:proposal_detail", args=[pairing.pk])).status_code == 200
    # Used once, the link is dead.
    assert (
        Client().get(link.removeprefix(settings.SITE_URL), follow=True).context["validlink"]
        is False
    )


def test_proposal_email_to_someone_signed_in_links_the_proposal(
    program, django_capture_on_commit_callbacks
):
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    mentor.employee.user.last_login = timezone.now()
    mentor.employee.user.save()
    mentee = make_participant(program=program)
    with django_capture_on_commit_callbacks(execute=True):
        pairing = make_proposal(guide=mentor, learner=mentee)
    (message,) = mail.outbox
    assert links_in(message) == [
        settings.SITE_URL + reverse("pairing:proposal_detail", args=[pairing.pk]),
        settings.SITE_URL + "/",
    ]


def test_mentee_never_signed_in_is_invited_once_when_the_pairing_starts(
    program, django_capture_on_commit_callbacks
):
    from pairing.services import proposal_accept

    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    mentee = make_participant(program=program, employee=imported("Mia Mentee", "mia@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        pairing = make_proposal(guide=mentor, learner=mentee)
    mail.outbox.clear()
    member = pairing.members.get(role=PairingMember.Role.GUIDE)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_accept(member=member, user=mentor.employee.user)
    assert [m.to for m in mail.outbox] == [["mia@example.org"]]
    assert mail.outbox[0].subject == "Set your Pairwise password"
    assert f"pairing with {mentor.employee.name} is starting" in mail.outbox[0].body
    # The automatic invitation goes out once, whatever asks again.
    assert (
        accounts.invitation_deliver(
            employee_id=mentee.employee_id, reason="again", resend_before=None
        )
        is False
    )
    assert len(mail.outbox) == 1


# --- HR sends invitations ----------------------------------------------------------------


@pytest.fixture
def enrolled(program):
    """Three imported participants, and one who has signed in already."""
    people = [
        make_participant(program=program, employee=imported(f"New {n}", f"new{n}@example.org"))
        for n in range(3)
    ]
    signed_in = make_participant(program=program)
    signed_in.employee.user.last_login = timezone.now()
    signed_in.employee.user.save()
    return people, signed_in


def test_hr_invites_everyone_who_has_not_signed_in(
    client, hr_admin, program, enrolled, django_capture_on_commit_callbacks
):
    people, signed_in = enrolled
    client.force_login(hr_admin)
    table = client.get(reverse("hr:participant_table", args=[program.slug]))
    # The HR admin has signed in (force_login); the three imported people have not.
    assert table.context["never_signed_in"] == 3
    url = reverse("hr:participant_invite", args=[program.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"everyone": "on"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Sending 3 invitations."]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "new0@example.org",
        "new1@example.org",
        "new2@example.org",
    ]
    assert all(f"Hana HR invited you to {program.name}." in m.body for m in mail.outbox)
    event = AuditEvent.objects.get(program=program, action=AuditEvent.Action.INVITED)
    assert event.summary == "Sent 3 invitations"


def test_hr_resends_to_one_and_to_the_ticked_people(
    client, hr_admin, program, enrolled, django_capture_on_commit_callbacks
):
    people, signed_in = enrolled
    client.force_login(hr_admin)
    url = reverse("hr:participant_invite", args=[program.slug])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"one": people[0].employee_id})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"employees": [people[0].employee_id, signed_in.employee_id]},
            follow=True,
        )
    # The resend reaches the same person again; the one who signed in is skipped.
    assert [m.to[0] for m in mail.outbox] == ["new0@example.org", "new0@example.org"]
    assert [str(m) for m in response.context["messages"]] == [
        "Sending 1 invitation.",
        "Sending 1 invitation. 1 has signed in already.",
    ]


def test_hr_invite_of_nobody_or_of_rubbish_changes_nothing(client, hr_admin, program, enrolled):
    client.force_login(hr_admin)
    url = reverse("hr:participant_invite", args=[program.slug])
    response = client.post(url, {}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Tick the people to invite first."]
    response = client.post(url, {"employees": ["x'); drop"]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Those are not people from this table."
    ]
    assert mail.outbox == []
    assert client.get(url).status_code == 405


def test_a_retried_invitation_batch_sends_each_person_once(program, enrolled):
    from programs.tasks import send_invitations

    people, _ = enrolled
    ids = [p.employee_id for p in people]
    requested_at = timezone.now().isoformat()
    assert send_invitations.run(ids, "HR invited you.", requested_at) == 3
    assert send_invitations.run(ids, "HR invited you.", requested_at) == 0
    assert len(mail.outbox) == 3


def test_invite_is_for_the_programme_admins_only(client, program, enrolled, outsider):
    from tests.factories import make_hr_admin

    url = reverse("hr:participant_invite", args=[program.slug])
    client.force_login(make_hr_admin(name="Other HR"))
    assert client.post(url, {"everyone": "on"}).status_code == 404
    client.force_login(outsider)
    assert client.post(url, {"everyone": "on"}).status_code == 403
    assert mail.outbox == []


def test_invitations_only_reach_the_programme_own_people(
    client, hr_admin, program, django_capture_on_commit_callbacks
):
    stranger = imported("Sam Stranger", "sam@example.org")
    client.force_login(hr_admin)
    url = reverse("hr:participant_invite", args=[program.slug])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"one": stranger.pk})
    assert mail.outbox == []


# --- Password reset ----------------------------------------------------------------------


def test_reset_reaches_an_imported_person_and_signs_them_in(
    client, django_capture_on_commit_callbacks
):
    imported("Ivy Import", "ivy@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "IVY@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["ivy@example.org"]
    assert message.subject == "Reset your Pairwise password"
    (link,) = [link for link in links_in(message) if "/accounts/reset/" in link]
    assert link.startswith(settings.SITE_URL + "/accounts/reset/")
    response = set_password_through(client, link)
    assert response["Location"] == reverse("landing")
    assert client.get(reverse("home")).status_code == 200
    assert Employee.objects.get(email="ivy@example.org").user.check_password(STRONG)


def test_reset_answers_known_and_unknown_addresses_alike(
    client, django_capture_on_commit_callbacks
):
    imported("Ivy Import", "ivy@example.org")
    with django_capture_on_commit_callbacks(execute=True) as known_callbacks:
        known = client.post(reverse("password_reset"), {"email": "ivy@example.org"})
    with django_capture_on_commit_callbacks(execute=True) as unknown_callbacks:
        unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # The request does the same work for both: it queues one task.
    assert len(known_callbacks) == len(unknown_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["ivy@example.org"]]


def test_reset_skips_people_who_left(client, django_capture_on_commit_callbacks):
    user = imported("Lee Leaver", "lee@example.org").user
    user.is_active = False
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "lee@example.org"})
    assert mail.outbox == []


def test_reset_is_limited_per_address(client, django_capture_on_commit_callbacks):
    imported("Ivy Import", "ivy@example.org")
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(accounts.RESETS_PER_EMAIL + 1):
            statuses.append(
                client.post(reverse("password_reset"), {"email": "ivy@example.org"}).status_code
            )
    assert statuses == [302] * accounts.RESETS_PER_EMAIL + [429]
    assert len(mail.outbox) == accounts.RESETS_PER_EMAIL
    # Another address from another IP is not held back.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post(reverse("password_reset"), {"email": "x@example.org"}).status_code == 302


def test_reset_is_limited_per_ip(client):
    statuses = [
        client.post(reverse("password_reset"), {"email": f"p{n}@example.org"}).status_code
        for n in range(accounts.RESETS_PER_IP + 1)
    ]
    assert statuses == [302] * accounts.RESETS_PER_IP + [429]
    limited = client.post(reverse("password_reset"), {"email": "p0@example.org"})
    assert b"Too many requests" in limited.content


def test_reset_form_refuses_a_bad_address_with_a_field_error(client):
    response = client.post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}


def test_reset_link_of_a_leaver_does_not_sign_them_in(client, django_capture_on_commit_callbacks):
    user = imported("Lee Leaver", "lee@example.org").user
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "lee@example.org"})
    (link,) = [link for link in links_in(mail.outbox[0]) if "/accounts/reset/" in link]
    user.is_active = False
    user.save()
    page = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert page.context["validlink"] is False


def test_landing_sends_people_where_something_waits(client, program):
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    client.force_login(mentor.employee.user)
    assert client.get(reverse("landing"))["Location"] == reverse("home")
    first = make_proposal(guide=mentor, learner=make_participant(program=program))
    assert client.get(reverse("landing"))["Location"] == reverse(
        "pairing:proposal_detail", args=[first.pk]
    )
    make_proposal(guide=mentor, learner=make_participant(program=program))
    assert client.get(reverse("landing"))["Location"] == reverse("pairing:proposal_list")
