"""The employee's faults of issue 13: ending a pairing asks first, overdue check-ins are
flagged, and the first peer to accept lands on a page that says what happens next."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing import schedule
from pairing.models import Pairing
from programs.models import Participant, Program
from tests.factories import (
    make_active_pairing,
    make_participant,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(program):
    guide = make_participant(
        program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5}
    )
    learner = make_participant(program=program, employee_kwargs={"level": 3, "name": "Mo"})
    return make_active_pairing(guide=guide, learner=learner), guide, learner


# --- ending a pairing ------------------------------------------------------------------


def test_the_pairing_page_links_to_ending_instead_of_a_form(client, active):
    pairing, guide, _ = active
    client.force_login(guide.employee.user)
    page = client.get(pairing.get_absolute_url()).content.decode()
    end = reverse("pairing:pairing_end", args=[pairing.pk])
    assert f'href="{end}"' in page
    assert f'action="{end}"' not in page


def test_ending_asks_for_confirmation_and_a_reason_first(client, active):
    pairing, guide, _ = active
    client.force_login(guide.employee.user)
    end = reverse("pairing:pairing_end", args=[pairing.pk])

    page = client.get(end)
    assert page.status_code == 200
    assert "End your pairing with Mo?" in page.content.decode()
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE

    refused = client.post(end, {"reason": ""})
    assert (refused.status_code, refused.context["form"].errors) == (
        400,
        {"reason": ["This field is required."]},
    )
    response = client.post(end, {"reason": "Goals met"})
    assert (response.status_code, response.url) == (302, pairing.get_absolute_url())
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (Pairing.Status.ENDED, "Goals met")
    # Over: the confirmation page sends them back to the pairing.
    assert client.get(end).url == pairing.get_absolute_url()


def test_an_hr_admin_and_an_outsider_cannot_end_it(client, active, hr_admin, outsider):
    pairing, _, _ = active
    end = reverse("pairing:pairing_end", args=[pairing.pk])
    client.force_login(hr_admin)
    assert client.post(end, {"reason": "x"}).url == pairing.get_absolute_url()
    client.force_login(outsider)
    assert client.get(end).status_code == 404
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


# --- overdue check-ins -----------------------------------------------------------------


def test_days_overdue_counts_from_the_day_after_it_was_due():
    today = timezone.localdate()
    assert [
        schedule.days_overdue(due=today + timedelta(days=d), today=today) for d in (1, 0, -1, -5)
    ] == [0, 0, 1, 5]


def test_an_overdue_check_in_is_flagged_on_the_pairing_its_list_and_home(client, active):
    pairing, guide, _ = active
    pairing.next_checkin_due = timezone.localdate() - timedelta(days=5)
    pairing.save(update_fields=["next_checkin_due"])
    client.force_login(guide.employee.user)
    badge = "Check-in overdue by 5 days"
    for name in ("pairing:pairing_list", "home"):
        assert badge in client.get(reverse(name)).content.decode(), name
    assert client.get(pairing.get_absolute_url()).content.decode().count(badge) == 1


def test_a_check_in_due_today_or_of_an_ended_pairing_is_not_overdue(active):
    pairing, _, _ = active
    pairing.next_checkin_due = timezone.localdate()
    assert pairing.checkin_overdue_days == 0
    pairing.next_checkin_due = timezone.localdate() - timedelta(days=1)
    assert pairing.checkin_overdue_days == 1
    pairing.status = Pairing.Status.ENDED
    assert pairing.checkin_overdue_days == 0


# --- the first peer to accept ----------------------------------------------------------


def test_the_first_peer_to_accept_sees_what_happens_next(client, hr_admin):
    program = make_program(
        admins=[hr_admin],
        kind=Program.Kind.PEER_COACHING,
        matching_mode=Program.MatchingMode.ADMIN,
    )
    lea = make_participant(program=program, role=Participant.Role.PEER)
    sam = make_participant(
        program=program, role=Participant.Role.PEER, employee_kwargs={"name": "Sam Osei"}
    )
    pairing = make_proposal(guide=sam, learner=lea)
    client.force_login(lea.employee.user)

    response = client.post(reverse("pairing:proposal_accept", args=[pairing.pk]), follow=True)

    assert response.redirect_chain == [(reverse("pairing:proposal_detail", args=[pairing.pk]), 302)]
    page = response.content.decode()
    until = timezone.localtime(pairing.expires_at)
    assert (
        f"You have accepted. Sam Osei has until {until:%-d %b %Y} to answer. The "
        "pairing starts as soon as they accept, and you will find it on your home page. If "
        "they decline or do not answer in time, you are proposed the next best free partner."
    ) in " ".join(page.split())
