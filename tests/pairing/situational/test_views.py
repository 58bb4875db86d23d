"""The situational pages: who may see what, bad input, query counts, the invitations."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.models import Challenge, HelpSession, OfficeHours, SentNotice
from programs.models import Participant
from tests.factories import make_challenge, make_participant, make_situational_program, make_topics
from tests.pairing.situational.cast import NOW, asker, at, helper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The pages read the clock through django.utils.timezone.now: stop it at NOW."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Office hours -------------------------------------------------------------------------


def _hours_post(**changes):
    data = {
        "session_minutes": "45",
        "monthly_cap": "",
        "topics": [],
        "new_topics": "Retrospectives, Hiring",
        "slots-TOTAL_FORMS": "3",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "60",
        "slots-0-weekday": "1",
        "slots-0-starts_at": "09:30",
        "slots-1-weekday": "3",
        "slots-1-starts_at": "14:00",
        "slots-2-weekday": "",
        "slots-2-starts_at": "",
    }
    data.update(changes)
    return data


def test_office_hours_saves_and_names_the_time_zone(client):
    program = make_situational_program(monthly_help_cap=5)
    guide = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee_kwargs={"time_zone": "Asia/Tokyo"},
    )
    client.force_login(guide.employee.user)
    url = reverse("pairing:office_hours", args=[program.slug])

    page = client.get(url)
    response = client.post(url, _hours_post(monthly_cap="2"))

    assert page.status_code == 200
    assert "Times are in your time zone, <strong>Asia/Tokyo</strong>" in page.content.decode()
    assert response.status_code == 302
    hours = OfficeHours.objects.get(helper=guide)
    assert (hours.session_minutes, hours.monthly_cap, hours.paused) == (45, 2, False)
    assert [str(s) for s in hours.slots.all()] == ["Tuesday 09:30", "Thursday 14:00"]
    assert sorted(t.name for t in guide.expertise.all()) == ["Hiring", "Retrospectives"]


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"monthly_cap": "6"}, "monthly_cap", "The programme allows at most 5 sessions a month."),
        (
            {"session_minutes": "500"},
            "session_minutes",
            "Ensure this value is less than or equal to 120.",
        ),
        ({"new_topics": ""}, "topics", "Pick at least one topic or add a new one."),
    ],
)
def test_office_hours_form_errors(client, changes, field, error):
    program = make_situational_program(monthly_help_cap=5)
    guide = helper(program)
    client.force_login(guide.employee.user)

    response = client.post(
        reverse("pairing:office_hours", args=[program.slug]), _hours_post(**changes)
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert OfficeHours.objects.get(helper=guide).session_minutes == 30  # unchanged


def test_office_hours_rejects_overlapping_slots(client):
    program = make_situational_program()
    guide = helper(program)
    client.force_login(guide.employee.user)

    response = client.post(
        reverse("pairing:office_hours", args=[program.slug]),
        _hours_post(**{"slots-1-weekday": "1", "slots-1-starts_at": "10:00"}),
    )

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "These slots start before the one before them ends (45-minute sessions): Tuesday 10:00."
    ]
    assert [str(s) for s in OfficeHours.objects.get(helper=guide).slots.all()] == ["Tuesday 09:30"]


def test_office_hours_refuse_more_slots_than_the_page_offers(client):
    program = make_situational_program()
    guide = helper(program)
    client.force_login(guide.employee.user)
    # 61 slots, 15 minutes apart from Monday 00:00: a hand-made post past the form's 60.
    many = {"slots-TOTAL_FORMS": "61", "session_minutes": "15"}
    for n in range(61):
        many[f"slots-{n}-weekday"] = str(n // 96)
        many[f"slots-{n}-starts_at"] = f"{n % 96 // 4:02}:{n % 4 * 15:02}"

    response = client.post(
        reverse("pairing:office_hours", args=[program.slug]), _hours_post(**many)
    )

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == ["Please submit at most 60 forms."]
    assert [str(s) for s in OfficeHours.objects.get(helper=guide).slots.all()] == ["Tuesday 09:30"]


def test_office_hours_is_404_for_those_who_may_not_offer_help(client):
    program = make_situational_program()  # help offered by mentors only
    challenge = asker(program)
    client.force_login(challenge.asker.employee.user)

    assert client.get(reverse("pairing:office_hours", args=[program.slug])).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_office_hours_query_count(client, count, django_assert_num_queries):
    program = make_situational_program()
    guide = helper(program, slots=[(0, "09:00"), (1, "09:00"), (2, "09:00")])
    for day in range(count):
        challenge = asker(program)
        HelpSession.objects.create(
            challenge=challenge,
            helper=guide,
            starts_at=at(f"2026-02-0{3 + day}T09:00Z"),
            ends_at=at(f"2026-02-0{3 + day}T09:30Z"),
        )
    client.force_login(guide.employee.user)
    # session, user, helper (+ programme, employee), office hours, slots, expertise,
    # booked sessions (+ askers), employee (the navbar), HR group, the topics to pick from
    with django_assert_num_queries(10):
        response = client.get(reverse("pairing:office_hours", args=[program.slug]))
    assert len(response.context["sessions"]) == count


# --- Challenges ---------------------------------------------------------------------------


def test_challenge_new_creates_and_redirects(client):
    program = make_situational_program()
    mentee = make_participant(program=program)
    make_topics("Retrospectives")
    client.force_login(mentee.employee.user)

    response = client.post(
        reverse("pairing:challenge_new", args=[program.slug]),
        {"new_topics": "Retrospectives", "text": "My first retro", "urgency": "this_week"},
    )

    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pairing:challenge_detail", args=[challenge.pk])
    assert (challenge.asker, challenge.text, challenge.urgency, challenge.status) == (
        mentee,
        "My first retro",
        "this_week",
        "open",
    )
    assert [t.name for t in challenge.topics.all()] == ["Retrospectives"]


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (
            {"new_topics": "", "text": "x", "urgency": "soon"},
            "topics",
            "Pick at least one topic or add a new one.",
        ),
        (
            {"new_topics": "Hiring", "text": "", "urgency": "soon"},
            "text",
            "This field is required.",
        ),
        (
            {"new_topics": "Hiring", "text": "x" * 1001, "urgency": "soon"},
            "text",
            "Ensure this value has at most 1000 characters (it has 1001).",
        ),
        (
            {"new_topics": "Hiring", "text": "x", "urgency": "now!"},
            "urgency",
            "Select a valid choice. now! is not one of the available choices.",
        ),
    ],
)
def test_challenge_new_form_errors(client, data, field, error):
    program = make_situational_program()
    mentee = make_participant(program=program)
    client.force_login(mentee.employee.user)

    response = client.post(reverse("pairing:challenge_new", args=[program.slug]), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert Challenge.objects.count() == 0


def test_challenge_new_is_404_outside_the_programme(client, outsider):
    program = make_situational_program()
    client.force_login(outsider)
    assert client.get(reverse("pairing:challenge_new", args=[program.slug])).status_code == 404


def test_challenge_detail_ranks_helpers_and_leaves_out_who_cannot_help(client):
    program = make_situational_program()
    challenge = asker(program, topics=("Retrospectives", "Hiring"))
    both = helper(program)
    both.expertise.set(make_topics("Retrospectives", "Hiring"))
    one = helper(program)
    helper(program, paused=True)
    helper(program, slots=())  # no free slot
    manager = helper(program)
    challenge.asker.employee.manager = manager.employee
    challenge.asker.employee.save()
    left = helper(program)
    left.employee.user.is_active = False
    left.employee.user.save()
    withdrawn = helper(program)
    withdrawn.withdrawn_at = NOW
    withdrawn.save()
    mentee_helper = make_participant(program=program, expertise=("Retrospectives",))
    OfficeHours.objects.create(helper=mentee_helper)  # a mentee may not offer help here
    client.force_login(challenge.asker.employee.user)

    response = client.get(reverse("pairing:challenge_detail", args=[challenge.pk]))

    helpers = response.context["helpers"]
    assert [option.helper for option in helpers] == [both, one]
    assert helpers[0].reasons[0] == "covers all 2 of your goals (Hiring, Retrospectives)"
    assert [c.name for c in helpers[0].criteria] == ["goals", "level", "style"]
    assert [s.starts_at for s in helpers[0].slots] == [
        at("2026-02-03T09:30Z"),
        at("2026-02-10T09:30Z"),
        at("2026-02-17T09:30Z"),
        at("2026-02-24T09:30Z"),
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_challenge_detail_query_count(client, count, django_assert_num_queries):
    program = make_situational_program()
    challenge = asker(program)
    for _ in range(count):
        helper(program, slots=[(0, "09:00"), (1, "09:00")])
    client.force_login(challenge.asker.employee.user)
    # session, user, challenge (+ asker, programme), its topics, office hours (+ helpers),
    # slots, expertise, booked sessions, employee (the viewer's zone), HR group
    with django_assert_num_queries(10):
        response = client.get(reverse("pairing:challenge_detail", args=[challenge.pk]))
    assert len(response.context["helpers"]) == count
    assert response.content.decode().count('name="starts_at"') == count * 6


def test_challenge_detail_is_404_for_anyone_else(client):
    program = make_situational_program()
    challenge = asker(program)
    guide = helper(program)
    client.force_login(guide.employee.user)
    assert client.get(reverse("pairing:challenge_detail", args=[challenge.pk])).status_code == 404
    assert (
        client.post(
            reverse("pairing:session_book", args=[challenge.pk]),
            {"helper": guide.pk, "starts_at": "2026-02-03T09:30:00+00:00"},
        ).status_code
        == 404
    )


# --- Booking ------------------------------------------------------------------------------


def test_book_get_is_405(client):
    program = make_situational_program()
    challenge = asker(program)
    client.force_login(challenge.asker.employee.user)
    assert client.get(reverse("pairing:session_book", args=[challenge.pk])).status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"helper": "999999", "starts_at": "2026-02-03T09:30:00+00:00"},
            "Choose one of the people listed for your challenge.",
        ),
        ({"helper": "HELPER", "starts_at": "yesterday"}, "Pick one of the times shown."),
        ({"helper": "HELPER", "starts_at": "2026-02-03T09:30:00"}, "Pick one of the times shown."),
        (
            {"helper": "abc", "starts_at": "2026-02-03T09:30:00+00:00"},
            "Pick one of the times shown.",
        ),
        (
            {"helper": "HELPER", "starts_at": "2026-02-03T10:30:00+00:00"},
            "Ada does not offer that time.",
        ),
        # The end of the calendar: converting to UTC would overflow.
        (
            {"helper": "HELPER", "starts_at": "9999-12-31T23:00:00-05:00"},
            "Pick one of the times shown.",
        ),
    ],
)
def test_bad_bookings_show_a_message_and_change_nothing(client, data, message):
    program = make_situational_program()
    guide = helper(program)
    guide.employee.name = "Ada"
    guide.employee.save()
    challenge = asker(program)
    client.force_login(challenge.asker.employee.user)
    if data["helper"] == "HELPER":
        data = {**data, "helper": str(guide.pk)}

    response = client.post(reverse("pairing:session_book", args=[challenge.pk]), data, follow=True)

    assert response.redirect_chain == [
        (reverse("pairing:challenge_detail", args=[challenge.pk]), 302)
    ]
    assert _messages(response) == [message]
    assert HelpSession.objects.count() == 0
    challenge.refresh_from_db()
    assert challenge.status == "open"


def _ics(message):
    ((name, body, mimetype),) = message.attachments
    assert (name, mimetype) == ("session.ics", "text/calendar")
    text = body.decode() if isinstance(body, bytes) else body
    unfolded = text.replace("\r\n ", "")
    return {
        key: re.search(rf"^{key}[;:](.*?)\r?$", unfolded, re.M).group(1)
        for key in ("METHOD", "UID", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "URL")
    }


def test_book_move_cancel_send_one_calendar_identity(client, django_capture_on_commit_callbacks):
    program = make_situational_program()
    guide = helper(program)
    challenge = asker(program)
    asker_user = challenge.asker.employee.user
    asker_user.last_login = NOW
    asker_user.save()
    client.force_login(asker_user)

    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            reverse("pairing:session_book", args=[challenge.pk]),
            {"helper": guide.pk, "starts_at": "2026-02-03T09:30:00+00:00"},
        )
    session = HelpSession.objects.get()
    assert booked.url == reverse("pairing:session_detail", args=[session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("pairing:session_reschedule", args=[session.pk]),
            {"starts_at": "2026-02-10T09:30:00+00:00"},
        )
    client.force_login(guide.employee.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pairing:session_cancel", args=[session.pk]))

    sent = [(m.to[0], _ics(m)) for m in mail.outbox]
    uid = f"{session.uid}@pairwise"
    assert [(to, c["METHOD"], c["UID"], c["SEQUENCE"], c["DTSTART"]) for to, c in sent] == [
        (challenge.asker.employee.email, "REQUEST", uid, "0", "20260203T093000Z"),
        (guide.employee.email, "REQUEST", uid, "0", "20260203T093000Z"),
        (challenge.asker.employee.email, "REQUEST", uid, "1", "20260210T093000Z"),
        (guide.employee.email, "REQUEST", uid, "1", "20260210T093000Z"),
        (challenge.asker.employee.email, "CANCEL", uid, "2", "20260210T093000Z"),
        (guide.employee.email, "CANCEL", uid, "2", "20260210T093000Z"),
    ]
    assert sent[0][1]["SUMMARY"] == "Help with Retrospectives"
    assert sent[0][1]["URL"].endswith(reverse("pairing:session_detail", args=[session.pk]))
    assert SentNotice.objects.count() == 6
    # Each person reads their own time zone: 04:30 in New York, 09:30 in London (GMT).
    assert "Tuesday 3 February 2026, 04:30 to 05:00 (America/New_York time)" in mail.outbox[0].body
    assert "Tuesday 3 February 2026, 09:30 to 10:00 (Europe/London time)" in mail.outbox[1].body
    assert mail.outbox[4].subject.startswith("Cancelled: Help with Retrospectives")
    # The helper never signed in: their email carries the sign-in link, the asker's not.
    assert "Sign in first" in mail.outbox[1].body
    assert "Sign in first" not in mail.outbox[0].body
    session.refresh_from_db()
    challenge.refresh_from_db()
    assert (session.status, session.sequence, challenge.status) == ("cancelled", 2, "open")


def test_invitations_go_out_once_per_sequence(django_capture_on_commit_callbacks):
    from pairing.situational import invites

    program = make_situational_program()
    guide = helper(program)
    challenge = asker(program)
    session = HelpSession.objects.create(
        challenge=challenge,
        helper=guide,
        starts_at=at("2026-02-03T09:30Z"),
        ends_at=at("2026-02-03T10:00Z"),
    )

    assert invites.session_invites_send(session_id=session.pk, sequence=0) == 2
    assert invites.session_invites_send(session_id=session.pk, sequence=0) == 0
    # An invitation the session has moved past is not sent: the later one tells them.
    assert invites.session_invites_send(session_id=session.pk, sequence=1) == 0
    assert len(mail.outbox) == 2


# --- Sessions -----------------------------------------------------------------------------


def _session(program):
    guide = helper(program)
    challenge = asker(program)
    challenge.status = "booked"
    challenge.save()
    session = HelpSession.objects.create(
        challenge=challenge,
        helper=guide,
        starts_at=at("2026-02-03T09:30Z"),
        ends_at=at("2026-02-03T10:00Z"),
    )
    return session, guide, challenge


def test_session_detail_for_both_people_in_their_zones(client):
    program = make_situational_program()
    session, guide, challenge = _session(program)
    url = reverse("pairing:session_detail", args=[session.pk])

    client.force_login(challenge.asker.employee.user)
    as_asker = client.get(url).content.decode()
    client.force_login(guide.employee.user)
    as_helper = client.get(url).content.decode()

    assert "Tuesday 3 February 2026, 04:30 to 05:00 (America/New_York time)" in as_asker
    assert "Tuesday 3 February 2026, 09:30 to 10:00 (Europe/London time)" in as_helper
    assert reverse("pairing:session_cancel", args=[session.pk]) in as_helper


def test_session_pages_are_404_for_anyone_else_and_post_only_where_they_change(client, outsider):
    program = make_situational_program()
    session, guide, challenge = _session(program)
    other = helper(program)
    for user in (outsider, other.employee.user):
        client.force_login(user)
        for name in ("session_detail", "session_reschedule"):
            assert client.get(reverse(f"pairing:{name}", args=[session.pk])).status_code == 404
        assert client.post(reverse("pairing:session_cancel", args=[session.pk])).status_code == 404
        assert (
            client.post(
                reverse("pairing:session_reschedule", args=[session.pk]),
                {"starts_at": "2026-02-10T09:30:00+00:00"},
            ).status_code
            == 404
        )
    client.force_login(guide.employee.user)
    assert client.get(reverse("pairing:session_cancel", args=[session.pk])).status_code == 405
    session.refresh_from_db()
    assert (session.status, session.starts_at) == ("booked", at("2026-02-03T09:30Z"))


def test_reschedule_page_lists_the_other_free_slots_and_refuses_garbage(client):
    program = make_situational_program()
    session, guide, challenge = _session(program)
    client.force_login(guide.employee.user)
    url = reverse("pairing:session_reschedule", args=[session.pk])

    page = client.get(url)
    garbage = client.post(url, {"starts_at": "soon"}, follow=True)
    not_offered = client.post(url, {"starts_at": "2026-02-10T10:30:00+00:00"}, follow=True)

    assert [s.starts_at for s in page.context["slots"]] == [
        at("2026-02-10T09:30Z"),
        at("2026-02-17T09:30Z"),
        at("2026-02-24T09:30Z"),
    ]
    assert _messages(garbage) == ["Pick one of the times shown."]
    assert _messages(not_offered) == [f"{guide.employee.name} does not offer that time."]
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (at("2026-02-03T09:30Z"), 0)


def test_home_links_office_hours_and_asking_for_help(client):
    program = make_situational_program()
    guide = helper(program)
    challenge = asker(program)

    client.force_login(guide.employee.user)
    as_helper = client.get(reverse("home")).content.decode()
    client.force_login(challenge.asker.employee.user)
    as_asker = client.get(reverse("home")).content.decode()

    office = reverse("pairing:office_hours", args=[program.slug])
    ask = reverse("pairing:challenge_new", args=[program.slug])
    assert (office in as_helper, ask in as_helper) == (True, True)
    assert (office in as_asker, ask in as_asker) == (False, True)


@pytest.mark.parametrize("count", [1, 3])
def test_challenge_new_lists_the_askers_challenges_query_count(
    client, count, django_assert_num_queries
):
    program = make_situational_program()
    mentee = make_participant(program=program)
    for _ in range(count):
        make_challenge(asker=mentee, topics=["Retrospectives", "Hiring"])
    client.force_login(mentee.employee.user)
    # session, user, enrolment (+ programme, employee), challenges, their topics, their
    # booked sessions, employee (the navbar), HR group, the topics to pick from
    with django_assert_num_queries(9):
        response = client.get(reverse("pairing:challenge_new", args=[program.slug]))
    assert len(response.context["challenges"]) == count
