"""The meeting pages: propose, answer, the .ics, and the pairing page's section."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.meetings import meeting_answer, meeting_propose
from pairing.models import MeetingProposal, Pairing
from programs.models import Program
from tests.factories import (
    make_employee,
    make_group,
    make_live_pairing,
    make_participant,
    make_program,
)

pytestmark = pytest.mark.django_db

Status = MeetingProposal.Status


def person(program, role=None, *, name, tz="Europe/London"):
    employee = make_employee(name=name, time_zone=tz)
    return make_participant(program=program, role=role or program.learner_role, employee=employee)


def pair(status=Pairing.Status.ACTIVE):
    """Mina (London) mentors Leo (New York)."""
    program = make_program()
    mina = person(program, program.guide_role, name="Mina Mentor")
    leo = person(program, name="Leo Learner", tz="America/New_York")
    pairing = make_live_pairing(
        program=program,
        guide=mina,
        learner=leo,
        status=status,
        next_checkin_due=timezone.localdate() + timedelta(days=20),
    )
    return pairing, mina, leo


def login(client, participant):
    client.force_login(participant.employee.user)


def summer_day() -> date:
    """6 July next year: London and New York both on summer time."""
    return date(timezone.now().year + 1, 7, 6)


def at_six_london(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 17, tzinfo=UTC)  # 18:00 BST


def propose_url(pairing):
    return reverse("pairing:meeting_propose", args=[pairing.pk])


def detail_url(proposal):
    return reverse("pairing:meeting_detail", args=[proposal.pk])


# --- proposing --------------------------------------------------------------------------


def test_propose_page_names_the_proposers_zone(client):
    pairing, mina, _leo = pair()
    login(client, mina)
    response = client.get(propose_url(pairing))
    assert response.status_code == 200
    assert (
        "Times are in your time zone, <strong>Europe/London</strong>" in response.content.decode()
    )


def test_proposing_converts_local_times_and_tells_the_partner(
    client, django_capture_on_commit_callbacks
):
    pairing, mina, leo = pair()
    login(client, mina)
    day = summer_day()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            propose_url(pairing),
            {
                "minutes": "45",
                "day_1": day.isoformat(),
                "time_1": "18:00",
                "day_2": (day + timedelta(days=1)).isoformat(),
                "time_2": "09:30",
            },
        )
    proposal = MeetingProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(proposal)
    assert (proposal.proposed_by, proposal.minutes, proposal.status) == (mina, 45, Status.OPEN)
    assert [o.starts_at for o in proposal.options.all()] == [
        at_six_london(day),
        datetime(day.year, day.month, day.day + 1, 8, 30, tzinfo=UTC),
    ]
    [message] = mail.outbox
    assert message.to == [leo.employee.email]
    assert f"{day:%A} {day.day} July {day.year}, 13:00" in message.body
    assert f"http://127.0.0.1:8000{detail_url(proposal)}" in message.body


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"minutes": "60", "day_1": "2020-01-06", "time_1": "10:00"},
            {"time_1": ["This time has passed; propose a future one."]},
        ),
        (
            {"minutes": "60", "day_1": "DAY", "time_1": "18:00", "day_2": "DAY", "time_2": "18:00"},
            {"time_2": ["This is the same time as an earlier one."]},
        ),
        (
            {"minutes": "7", "day_1": "DAY", "time_1": "25:00"},
            {
                "minutes": ["Select a valid choice. 7 is not one of the available choices."],
                "time_1": ["Enter a valid time."],
            },
        ),
        (
            {"minutes": "60"},
            {"day_1": ["This field is required."], "time_1": ["This field is required."]},
        ),
        (
            {"minutes": "60", "day_1": "9999-12-31", "time_1": "23:00"},
            {"day_1": ["Propose a time within the next year."]},
        ),
    ],
)
def test_proposing_out_of_the_rules_shows_field_errors(client, data, errors):
    pairing, mina, _leo = pair()
    login(client, mina)
    day = summer_day().isoformat()
    response = client.post(
        propose_url(pairing), {k: v.replace("DAY", day) for k, v in data.items()}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert MeetingProposal.objects.count() == 0


def test_a_fourth_time_is_ignored_by_the_form(client):
    pairing, mina, _leo = pair()
    login(client, mina)
    day = summer_day()
    data = {"minutes": "60"}
    for n in range(1, 5):
        data[f"day_{n}"] = (day + timedelta(days=n)).isoformat()
        data[f"time_{n}"] = "10:00"
    client.post(propose_url(pairing), data)
    assert MeetingProposal.objects.get().options.count() == 3


def test_an_ended_pairing_refuses_proposals(client):
    pairing, mina, _leo = pair(status=Pairing.Status.ENDED)
    login(client, mina)
    day = summer_day().isoformat()
    response = client.post(propose_url(pairing), {"minutes": "60", "day_1": day, "time_1": "10:00"})
    assert response.status_code == 302
    assert response["Location"] == pairing.get_absolute_url()
    assert MeetingProposal.objects.count() == 0


def test_outsiders_get_404_everywhere(client, outsider):
    pairing, mina, leo = pair()
    proposal = meeting_propose(
        pairing=pairing, proposer=mina, starts=[at_six_london(summer_day())], minutes=30
    )
    meeting_answer(proposal=proposal, participant=leo, suits=list(proposal.options.all()))
    client.force_login(outsider)
    assert client.get(propose_url(pairing)).status_code == 404
    assert client.post(propose_url(pairing), {"minutes": "60"}).status_code == 404
    assert client.get(detail_url(proposal)).status_code == 404
    assert client.post(detail_url(proposal), {}).status_code == 404
    assert client.get(reverse("pairing:meeting_ics", args=[proposal.pk])).status_code == 404


def test_wrong_methods_are_405(client):
    pairing, mina, _leo = pair()
    proposal = meeting_propose(
        pairing=pairing, proposer=mina, starts=[at_six_london(summer_day())], minutes=30
    )
    login(client, mina)
    assert client.put(propose_url(pairing)).status_code == 405
    assert client.delete(detail_url(proposal)).status_code == 405
    assert client.post(reverse("pairing:meeting_ics", args=[proposal.pk])).status_code == 405


# --- answering --------------------------------------------------------------------------


def test_the_partner_sees_the_times_in_their_zone_and_agrees_one(
    client, django_capture_on_commit_callbacks
):
    pairing, mina, leo = pair()
    day = summer_day()
    starts = [at_six_london(day), at_six_london(day + timedelta(days=1))]
    proposal = meeting_propose(pairing=pairing, proposer=mina, starts=starts, minutes=30)
    first, second = proposal.options.all()
    login(client, leo)
    page = client.get(detail_url(proposal)).content.decode()
    assert "Times are in your time zone, <strong>America/New_York</strong>" in page
    assert f"{day:%a} {day.day} Jul {day.year}, 13:00" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(proposal), {"suits": [str(second.pk)]})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreed) == (Status.AGREED, second)
    assert len(mail.outbox) == 2
    ics = client.get(reverse("pairing:meeting_ics", args=[proposal.pk]))
    assert ics["Content-Type"] == "text/calendar"
    calendar = icalendar.Calendar.from_ical(ics.content)
    meeting, checkin = calendar.walk("VEVENT")
    assert str(meeting["uid"]) == f"{proposal.uid}@pairwise"
    assert meeting.decoded("dtstart") == starts[1]
    assert checkin.decoded("dtstart") == pairing.next_checkin_due
    # Settled: the form is gone and a late answer changes nothing.
    assert client.get(detail_url(proposal)).context["form"] is None
    client.post(detail_url(proposal), {"suits": [str(first.pk)]})
    proposal.refresh_from_db()
    assert proposal.agreed == second


def test_the_ics_of_an_open_proposal_is_404(client):
    pairing, mina, _leo = pair()
    proposal = meeting_propose(
        pairing=pairing, proposer=mina, starts=[at_six_london(summer_day())], minutes=30
    )
    login(client, mina)
    assert client.get(reverse("pairing:meeting_ics", args=[proposal.pk])).status_code == 404


def test_an_option_of_another_proposal_is_a_field_error(client):
    pairing, mina, leo = pair()
    other, omina, _ = pair()
    proposal = meeting_propose(
        pairing=pairing, proposer=mina, starts=[at_six_london(summer_day())], minutes=30
    )
    foreign = meeting_propose(
        pairing=other, proposer=omina, starts=[at_six_london(summer_day())], minutes=30
    )
    login(client, leo)
    # Another proposal's option, a word, and an id no database column holds.
    for value in (str(foreign.options.get().pk), "first", "9" * 23):
        response = client.post(detail_url(proposal), {"suits": [value]})
        assert response.status_code == 400
        assert response.context["form"].errors == {
            "suits": [f"Select a valid choice. {value} is not one of the available choices."]
        }
    proposal.refresh_from_db()
    assert proposal.status == Status.OPEN


def _group(size):
    program = make_program(kind=Program.Kind.PEER_CIRCLES, group_min=2, group_max=8)
    people = [person(program, name=f"Peer {n}") for n in range(size)]
    return make_group(program=program, members=people, status=Pairing.Status.ACTIVE), people


@pytest.mark.parametrize(("size", "count"), [(3, 1), (6, 3)])
def test_meeting_detail_query_count(client, size, count, django_assert_num_queries):
    group, people = _group(size)
    day = summer_day()
    starts = [at_six_london(day + timedelta(days=n)) for n in range(count)]
    proposal = meeting_propose(pairing=group, proposer=people[0], starts=starts, minutes=30)
    for someone in people[2:]:
        meeting_answer(proposal=proposal, participant=someone, suits=list(proposal.options.all()))
    login(client, people[1])
    # session, user, the proposal with its pairing, programme, proposer and agreed time,
    # its pairing's members with their employees, its options, the replies, what suits
    # each, the HR group check and employee (context processor), the answer form's options.
    with django_assert_num_queries(10):
        response = client.get(detail_url(proposal))
    assert len(response.context["page"].answers) == size - 1


@pytest.mark.parametrize("count", [1, 3])
def test_pairing_page_shows_the_meeting_times_section(client, count, django_assert_num_queries):
    pairing, mina, leo = pair()
    day = summer_day()
    starts = [at_six_london(day + timedelta(days=n)) for n in range(count)]
    proposal = meeting_propose(pairing=pairing, proposer=mina, starts=starts, minutes=30)
    login(client, leo)
    # The pairing page's own ten (tests/pairing/test_views_journeys.py), and the
    # proposal's options.
    with django_assert_num_queries(11):
        page = client.get(pairing.get_absolute_url()).content.decode()
    assert "Times proposed, waiting for answers (America/New_York):" in page
    assert page.count(":00</li>") == count
    assert f"{day:%a} {day.day} Jul {day.year}, 13:00</li>" in page
    assert f'href="{detail_url(proposal)}">Say which suit you</a>' in page
    meeting_answer(proposal=proposal, participant=leo, suits=list(proposal.options.all()))
    page = client.get(pairing.get_absolute_url()).content.decode()
    assert (
        f"Next meeting: <strong>{day:%A} {day.day} July {day.year}, 13:00</strong> "
        "(America/New_York), 30 minutes."
    ) in page
    assert f'href="{propose_url(pairing)}">Propose times</a>' in page


def test_a_member_who_left_the_group_no_longer_sees_its_meetings(client):
    group, people = _group(4)
    starts = [at_six_london(summer_day())]
    proposal = meeting_propose(pairing=group, proposer=people[0], starts=starts, minutes=30)
    meeting_answer(proposal=proposal, participant=people[1], suits=list(proposal.options.all()))
    group.members.filter(participant=people[1]).update(live=False)  # they left the group
    login(client, people[1])
    assert client.get(detail_url(proposal)).status_code == 404
    assert client.get(reverse("pairing:meeting_ics", args=[proposal.pk])).status_code == 404
    login(client, people[2])
    assert client.get(detail_url(proposal)).status_code == 200
