"""Meeting times: proposing, answering, settling, the calendar files and the emails."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from pairing import meetings, tasks
from pairing.forms.meetings import MeetingProposeForm
from pairing.meetings import MeetingError, meeting_answer, meeting_propose
from pairing.models import MeetingOption, MeetingProposal, Pairing, PairingMember, SentNotice
from pairing.reminders import reminder_send, reminders_dispatch
from programs.models import Program
from tests.factories import (
    make_due_pairing,
    make_employee,
    make_group,
    make_live_pairing,
    make_participant,
    make_program,
)

pytestmark = pytest.mark.django_db

Status = MeetingProposal.Status
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def person(program, role=None, *, name, tz="Europe/London"):
    employee = make_employee(name=name, time_zone=tz)
    return make_participant(program=program, role=role or program.learner_role, employee=employee)


def pair(*, guide_tz="Europe/London", learner_tz="Europe/London", **fields):
    """An active pairing of Mina (mentor) and Leo (mentee), next check-in due in 20 days."""
    program = make_program()
    mina = person(program, program.guide_role, name="Mina Mentor", tz=guide_tz)
    leo = person(program, name="Leo Learner", tz=learner_tz)
    fields.setdefault("next_checkin_due", timezone.localdate() + timedelta(days=20))
    pairing = make_live_pairing(program=program, guide=mina, learner=leo, **fields)
    return pairing, mina, leo


def circle(size=4):
    """An active peer circle of ``size`` (Ann, Ben, Cy, Di, ...), all in London."""
    program = make_program(kind=Program.Kind.PEER_CIRCLES, group_min=3, group_max=6)
    names = ["Ann", "Ben", "Cy", "Di", "Eve", "Fay"][:size]
    people = [person(program, name=n) for n in names]
    return make_group(program=program, members=people, status=Pairing.Status.ACTIVE), people


def soon(days, hour=10):
    """``days`` from now at ``hour``:00 UTC."""
    day = timezone.now().date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=UTC)


def options(proposal):
    return list(proposal.options.order_by("starts_at"))


def calendar_of(message):
    [(filename, body, mimetype)] = message.attachments
    assert (filename, mimetype) == ("meeting.ics", "text/calendar")
    return icalendar.Calendar.from_ical(body)


def outbox():
    return sorted((m.to[0], m.subject) for m in mail.outbox)


# --- agreeing ----------------------------------------------------------------------------


def test_a_pair_agrees_the_time_the_partner_picks(django_capture_on_commit_callbacks):
    pairing, mina, leo = pair()
    starts = [soon(3), soon(4), soon(5)]
    with django_capture_on_commit_callbacks(execute=True):
        proposal = meeting_propose(pairing=pairing, proposer=mina, starts=starts, minutes=45)
    assert outbox() == [
        (leo.employee.email, f"Mina Mentor proposed meeting times in {pairing.program.name}")
    ]
    mail.outbox.clear()
    first, second, third = options(proposal)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_answer(proposal=proposal, participant=leo, suits=[second])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreed, proposal.sequence) == (Status.AGREED, second, 0)
    assert proposal.agreed_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mina.employee.email, leo.employee.email])
    for message in mail.outbox:
        calendar = calendar_of(message)
        assert calendar["method"] == "REQUEST"
        meeting, checkin = calendar.walk("VEVENT")
        assert str(meeting["uid"]) == f"{proposal.uid}@pairwise"
        assert meeting["sequence"] == 0
        assert meeting.decoded("dtstart") == starts[1]
        assert meeting.decoded("dtend") == starts[1] + timedelta(minutes=45)
        assert checkin.decoded("dtstart") == pairing.next_checkin_due
        assert checkin.decoded("dtend") == pairing.next_checkin_due + timedelta(days=1)
        assert str(checkin["uid"]) == (
            f"checkin-{pairing.pk}-{pairing.next_checkin_due.isoformat()}@pairwise"
        )
        assert str(checkin["transp"]) == "TRANSPARENT"


def test_a_group_settles_only_when_all_three_others_answered_on_the_earliest_common_time(
    django_capture_on_commit_callbacks,
):
    group, (ann, ben, cy, di) = circle(4)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = meeting_propose(
            pairing=group, proposer=ann, starts=[soon(5), soon(3), soon(4)], minutes=60
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.employee.email for p in (ben, cy, di))
    mail.outbox.clear()
    t1, t2, t3 = options(proposal)  # earliest first, whatever order they were given in
    meeting_answer(proposal=proposal, participant=ben, suits=[t1, t2, t3])
    meeting_answer(proposal=proposal, participant=cy, suits=[t2, t3])
    proposal.refresh_from_db()
    assert proposal.status == Status.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        meeting_answer(proposal=proposal, participant=di, suits=[t3, t2])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreed) == (Status.AGREED, t2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.employee.email for p in (ann, ben, cy, di)
    )
    [meeting, _checkin] = calendar_of(mail.outbox[0]).walk("VEVENT")
    assert len(meeting.get("attendee")) == 4


def test_no_common_time_is_no_time_and_the_proposer_is_asked_again(
    django_capture_on_commit_callbacks,
):
    group, (ann, ben, cy) = circle(3)
    proposal = meeting_propose(pairing=group, proposer=ann, starts=[soon(3), soon(4)], minutes=30)
    t1, t2 = options(proposal)
    meeting_answer(proposal=proposal, participant=ben, suits=[t1])
    with django_capture_on_commit_callbacks(execute=True):
        meeting_answer(proposal=proposal, participant=cy, suits=[t2])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreed) == (Status.NO_TIME, None)
    assert outbox() == [
        (ann.employee.email, f"No proposed time suits everyone ({group.program.name})")
    ]
    assert f"/pairings/{group.pk}/meetings/new/" in mail.outbox[0].body
    with pytest.raises(MeetingError):
        meeting_answer(proposal=proposal, participant=cy, suits=[t1])


def test_a_partner_whom_none_suits_makes_it_no_time():
    pairing, mina, leo = pair()
    proposal = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(3)], minutes=30)
    meeting_answer(proposal=proposal, participant=leo, suits=[])
    proposal.refresh_from_db()
    assert proposal.status == Status.NO_TIME


def test_an_answer_can_change_while_open():
    group, (ann, ben, cy) = circle(3)
    proposal = meeting_propose(pairing=group, proposer=ann, starts=[soon(3), soon(4)], minutes=30)
    t1, t2 = options(proposal)
    meeting_answer(proposal=proposal, participant=ben, suits=[t1])
    meeting_answer(proposal=proposal, participant=ben, suits=[t2])
    assert list(proposal.replies.get(participant=ben).suits.all()) == [t2]
    meeting_answer(proposal=proposal, participant=cy, suits=[t1, t2])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreed) == (Status.AGREED, t2)


def test_a_member_who_leaves_is_no_longer_waited_for_nor_counted():
    group, (ann, ben, cy, di) = circle(4)
    proposal = meeting_propose(pairing=group, proposer=ann, starts=[soon(3), soon(4)], minutes=30)
    t1, t2 = options(proposal)
    meeting_answer(proposal=proposal, participant=di, suits=[t2])
    meeting_answer(proposal=proposal, participant=ben, suits=[t1, t2])
    # Di leaves the group: her answer (only t2) stops counting.
    PairingMember.objects.filter(pairing=group, participant=di).update(live=False)
    meeting_answer(proposal=proposal, participant=cy, suits=[t1, t2])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreed) == (Status.AGREED, t1)
    with pytest.raises(MeetingError):
        meeting_propose(pairing=group, proposer=di, starts=[soon(6)], minutes=30)


def test_the_proposer_does_not_answer_their_own_times():
    pairing, mina, _leo = pair()
    proposal = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(3)], minutes=30)
    with pytest.raises(MeetingError, match="the others answer"):
        meeting_answer(proposal=proposal, participant=mina, suits=options(proposal))


# --- the rules of proposing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "message"),
    [
        ([soon(-1)], "Every time must be in the future."),
        ([soon(3), soon(3)], "Each time can be proposed once."),
        ([soon(3), soon(4), soon(5), soon(6)], "Propose one to 3 times."),
        ([], "Propose one to 3 times."),
    ],
)
def test_proposals_out_of_the_rules_are_refused(starts, message):
    pairing, mina, _leo = pair()
    with pytest.raises(MeetingError) as error:
        meeting_propose(pairing=pairing, proposer=mina, starts=starts, minutes=30)
    assert str(error.value) == message
    assert MeetingProposal.objects.count() == 0


def test_an_ended_pairing_cannot_propose_and_an_outsider_cannot_either():
    pairing, mina, _leo = pair(status=Pairing.Status.ENDED)
    with pytest.raises(MeetingError, match="only be proposed while the pairing is active"):
        meeting_propose(pairing=pairing, proposer=mina, starts=[soon(3)], minutes=30)
    live, _, _ = pair()
    with pytest.raises(MeetingError, match="Only someone who meets"):
        meeting_propose(pairing=live, proposer=mina, starts=[soon(3)], minutes=30)
    assert MeetingProposal.objects.count() == 0


def test_the_form_refuses_past_duplicate_half_given_and_skipped_times():
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    form = MeetingProposeForm(
        {
            "minutes": "60",
            "day_1": "2027-02-28",
            "time_1": "18:00",
            "day_2": "2027-03-30",
            "time_2": "18:00",
            "day_3": "2027-03-30",
            "time_3": "18:00",
        },
        zone=LONDON,
        now=now,
    )
    assert not form.is_valid()
    assert form.errors == {
        "time_1": ["This time has passed; propose a future one."],
        "time_3": ["This is the same time as an earlier one."],
    }
    # 01:30 on 28 March 2027 does not exist in London (clocks go forward at 01:00).
    form = MeetingProposeForm(
        {"minutes": "30", "day_1": "2027-03-28", "time_1": "01:30", "day_2": "2027-03-29"},
        zone=LONDON,
        now=now,
    )
    assert not form.is_valid()
    assert form.errors == {
        "time_1": ["That time does not exist that day: the clocks go forward."],
        "time_2": ["Give both the date and the time."],
    }


# --- time zones ---------------------------------------------------------------------------


def _first_day(year: int, month: int, test) -> date:
    day = date(year, month, 1)
    while not test(day):
        day += timedelta(days=1)
    return day


def _offset(day: date, zone: ZoneInfo) -> timedelta:
    return datetime.combine(day, time(12), tzinfo=zone).utcoffset()


def _weeks():
    """(a day in July, both on summer time), (a day in March when only New York has moved
    its clocks), (a day in autumn when only London has moved back), in next year."""
    year = timezone.now().year + 1
    summer = date(year, 7, 6)
    march = _first_day(
        year,
        3,
        lambda d: (
            _offset(d, NEW_YORK) == timedelta(hours=-4) and _offset(d, LONDON) == timedelta(0)
        ),
    )
    autumn = _first_day(
        year,
        10,
        lambda d: (
            _offset(d, NEW_YORK) == timedelta(hours=-4) and _offset(d, LONDON) == timedelta(0)
        ),
    )
    return [(summer, "13:00"), (march, "14:00"), (autumn, "14:00")]


@pytest.mark.parametrize(("day", "shown"), _weeks())
def test_a_london_six_pm_is_shown_to_new_york_in_its_own_time(
    day, shown, django_capture_on_commit_callbacks
):
    pairing, mina, leo = pair(guide_tz="Europe/London", learner_tz="America/New_York")
    form = MeetingProposeForm(
        {"minutes": "60", "day_1": day.isoformat(), "time_1": "18:00"}, zone=LONDON
    )
    assert form.is_valid(), form.errors
    [start] = form.cleaned_data["starts"]
    assert start.astimezone(LONDON).strftime("%H:%M") == "18:00"
    with django_capture_on_commit_callbacks(execute=True):
        meeting_propose(pairing=pairing, proposer=mina, starts=[start], minutes=60)
    [message] = mail.outbox
    assert message.to == [leo.employee.email]
    assert f"- {day:%A} {day.day} {day:%B %Y}, {shown}" in message.body
    assert "In your time zone, America/New_York:" in message.body


# --- replacing ----------------------------------------------------------------------------


def test_replacing_an_agreed_meeting_cancels_it_with_the_same_uid_and_a_higher_sequence(
    django_capture_on_commit_callbacks,
):
    pairing, mina, leo = pair()
    first = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(3)], minutes=30)
    meeting_answer(proposal=first, participant=leo, suits=options(first))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = meeting_propose(pairing=pairing, proposer=leo, starts=[soon(6)], minutes=30)
    first.refresh_from_db()
    assert (first.status, first.sequence) == (Status.WITHDRAWN, 1)
    assert second.status == Status.OPEN
    cancels = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in cancels) == sorted([mina.employee.email, leo.employee.email])
    for message in cancels:
        calendar = calendar_of(message)
        assert calendar["method"] == "CANCEL"
        [event] = calendar.walk("VEVENT")  # the check-in stays in the calendar
        assert str(event["uid"]) == f"{first.uid}@pairwise"
        assert event["sequence"] == 1
        assert str(event["status"]) == "CANCELLED"
    [proposed] = [m for m in mail.outbox if not m.attachments]
    assert proposed.to == [mina.employee.email]
    assert "instead of the times proposed before, which are withdrawn" in proposed.body


def test_a_new_proposal_withdraws_the_open_one_and_a_past_meeting_stays_agreed(
    django_capture_on_commit_callbacks,
):
    pairing, mina, leo = pair()
    held = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(3)], minutes=30)
    meeting_answer(proposal=held, participant=leo, suits=options(held))
    MeetingOption.objects.filter(proposal=held).update(starts_at=soon(-2))
    open_one = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(4)], minutes=30)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_propose(pairing=pairing, proposer=mina, starts=[soon(5)], minutes=30)
    held.refresh_from_db()
    open_one.refresh_from_db()
    assert (held.status, held.sequence) == (Status.AGREED, 0)
    assert (open_one.status, open_one.sequence) == (Status.WITHDRAWN, 0)
    assert [m.attachments for m in mail.outbox] == [[]]  # no cancellation, one proposal email
    assert MeetingProposal.objects.filter(pairing=pairing, status=Status.OPEN).count() == 1


# --- exactly once -------------------------------------------------------------------------


def test_each_email_goes_once_however_often_the_task_runs():
    pairing, mina, leo = pair()
    proposal = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(3)], minutes=30)
    assert tasks.send_meeting_proposed(proposal.pk) == 1
    assert tasks.send_meeting_proposed(proposal.pk) == 0
    meeting_answer(proposal=proposal, participant=leo, suits=options(proposal))
    assert tasks.send_meeting_agreed(proposal.pk) == 2
    assert tasks.send_meeting_agreed(proposal.pk) == 0
    # A task for a state the proposal is not in sends nothing.
    assert tasks.send_meeting_no_time(proposal.pk) == 0
    assert tasks.send_meeting_cancelled(proposal.pk) == 0
    assert len(mail.outbox) == 3
    assert sorted(SentNotice.objects.values_list("key", flat=True)) == [
        f"meeting:{proposal.uid}:invite:0",
        f"meeting:{proposal.uid}:invite:0",
        f"meeting:{proposal.uid}:proposed",
    ]


# --- the check-in-due reminder ------------------------------------------------------------


def _due_pair(learner_tz="America/New_York"):
    program = make_program()
    mina = person(program, program.guide_role, name="Mina Mentor")
    leo = person(program, name="Leo Learner", tz=learner_tz)
    return make_due_pairing(program=program, guide=mina, learner=leo), mina, leo


def _checkin_due_to(participant):
    [message] = [m for m in mail.outbox if m.to == [participant.employee.email]]
    return message, message.alternatives[0][0]


def test_the_checkin_due_reminder_names_the_agreed_meeting_and_links_to_it(settings):
    pairing, mina, leo = _due_pair()
    start = datetime(timezone.now().year + 1, 7, 6, 17, tzinfo=UTC)  # 18:00 London, 13:00 NY
    proposal = meeting_propose(pairing=pairing, proposer=mina, starts=[start], minutes=30)
    meeting_answer(proposal=proposal, participant=leo, suits=options(proposal))
    for pk in reminders_dispatch():
        reminder_send(reminder_id=pk)
    text, html = _checkin_due_to(leo)
    url = f"{settings.SITE_URL}/meetings/{proposal.pk}/"
    when = f"{start:%A} 6 July {start.year}, 13:00"
    assert f"You have agreed to meet on {when} (America/New_York):\n{url}\n" in text.body
    assert "Agree a time" not in text.body
    assert (
        f"You have agreed to meet on <strong>{when}</strong> (America/New_York). "
        f'<a href="{url}">See the meeting</a>.'
    ) in html
    # Mina, in London, reads it in her zone.
    text, _html = _checkin_due_to(mina)
    assert f"You have agreed to meet on {start:%A} 6 July {start.year}, 18:00 (Europe/London)" in (
        text.body
    )


def test_the_checkin_due_reminder_without_a_meeting_links_to_agree_a_time():
    pairing, _mina, leo = _due_pair()
    for pk in reminders_dispatch():
        reminder_send(reminder_id=pk)
    text, html = _checkin_due_to(leo)
    assert "No meeting time is agreed yet. Agree a time:\n" in text.body
    assert f"/pairings/{pairing.pk}/meetings/new/" in text.body
    assert f'/pairings/{pairing.pk}/meetings/new/">Agree a time</a>' in html


def test_selectors_find_the_upcoming_agreed_meeting_only():
    pairing, mina, leo = pair()
    now = timezone.now()
    assert meetings.upcoming_meeting(pairing=pairing, now=now) is None
    proposal = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(3)], minutes=30)
    assert meetings.meeting_for_pairing(pairing=pairing) == proposal
    assert meetings.upcoming_meeting(pairing=pairing, now=now) is None
    meeting_answer(proposal=proposal, participant=leo, suits=options(proposal))
    assert meetings.upcoming_meeting(pairing=pairing, now=now) == proposal
    assert meetings.upcoming_meeting(pairing=pairing, now=soon(4)) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_last_answers_at_once_settle_the_proposal_once(mailoutbox):
    """Without the row lock each of the two would see only its own answer, and the
    proposal would stay open with everyone answered."""
    import threading

    from django.db import connection

    group, (ann, ben, cy) = circle(3)
    proposal = meeting_propose(pairing=group, proposer=ann, starts=[soon(3), soon(4)], minutes=30)
    t1, t2 = options(proposal)
    mailoutbox.clear()
    barrier = threading.Barrier(2)
    errors = []

    def answer(participant):
        try:
            connection.ensure_connection()
            barrier.wait()
            meeting_answer(proposal=proposal, participant=participant, suits=[t2])
        except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(p,)) for p in (ben, cy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreed) == (Status.AGREED, t2)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.employee.email for p in (ann, ben, cy))


def test_the_pairing_page_shows_the_latest_proposal_until_its_meeting_is_held():
    pairing, mina, leo = pair()
    first = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(3)], minutes=30)
    meeting_answer(proposal=first, participant=leo, suits=[])
    assert meetings.meeting_for_pairing(pairing=pairing) == first  # no time: propose again
    second = meeting_propose(pairing=pairing, proposer=mina, starts=[soon(4)], minutes=30)
    meeting_answer(proposal=second, participant=leo, suits=options(second))
    assert meetings.meeting_for_pairing(pairing=pairing) == second
    assert meetings.meeting_for_pairing(pairing=pairing, now=soon(5)) is None
