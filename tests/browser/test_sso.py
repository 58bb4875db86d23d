"""Single sign-on in the browser: someone HR imported (no password) follows a link to
their proposal, signs in at the organisation's provider and lands on that proposal."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from programs.models import Participant
from programs.services import employee_upsert
from tests.browser import a11y
from tests.factories import make_participant, make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_imported_mentor_signs_in_with_sso_and_lands_on_their_proposal(
    page, live_server, sso, program
):
    mentor, _ = employee_upsert(email="maya.okafor@example.org", name="Maya Okafor", level=5)
    assert not mentor.user.has_usable_password()
    guide = make_participant(program=program, role=Participant.Role.MENTOR, employee=mentor)
    learner = make_participant(program=program, goals=["Public speaking"])
    proposal = make_proposal(guide=guide, learner=learner)
    users_before = get_user_model().objects.count()
    proposal_path = f"/proposals/{proposal.pk}/"

    page.goto(live_server.url + proposal_path)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    a11y.check_page(page)
    page.get_by_role("link", name="Sign in with single sign-on").click()

    # The provider's own page (oidc-provider-mock): type who you are, authorise.
    expect(page).to_have_url(re.compile(re.escape(sso.url) + r"/oauth2/authorize\?"))
    page.get_by_label("Subject").fill("Maya.Okafor@example.org")
    page.get_by_role("button", name="Authorize", exact=True).click()

    expect(page).to_have_url(live_server.url + proposal_path)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile("^Accept"))).to_be_visible()
    a11y.check_page(page)
    assert get_user_model().objects.count() == users_before


def test_the_page_of_a_failed_single_sign_on_passes_the_checks(page, live_server, sso):
    # Reached with nothing in the session (a bookmark, a back button): the generic failure.
    response = page.goto(live_server.url + "/oidc/failed/")
    assert response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't sign you in")
    a11y.check_page(page)
