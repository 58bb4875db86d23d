"""Scheduling arithmetic, the dispatcher and the sender (called directly, no Celery)."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from smtplib import SMTPServerDisconnected
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from pairing import reminders, services
from pairing.models import CheckIn, Pairing, Reminder, SurveyResponse
from pairing.reminders import Outcome, reminder_send, reminders_dispatch
from programs.models import Program
from tests.factories import make_due_pairing, make_employee, make_live_pairing, make_participant

pytestmark = pytest.mark.django_db

Kind = Reminder.Kind
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def person(program, role, *, name, tz="Europe/London", optional=True, level=3):
    employee = make_employee(name=name, time_zone=tz, optional_emails=optional, level=level)
    return make_participant(program=program, role=role, employee=employee)


def pairing_with(program, *, guide_tz="Europe/London", learner_tz="Europe/London", **fields):
    guide = person(program, program.guide_role, name="Mina Mentor", tz=guide_tz, level=5)
    learner = person(program, program.learner_role, name="Leo Learner", tz=learner_tz)
    return make_live_pairing(program=program, guide=guide, learner=learner, **fields)


def log_checkin(pairing, held_on):
    learner = pairing.members.get(role="learner").participant
    return CheckIn.objects.create(
        pairing=pairing, held_on=held_on, logged_by=learner, summary="Goals", rating=4
    )


def due_yesterday(program):
    """An active pairing of Mina and Leo that met a cadence ago and is due again yesterday."""
    guide = person(program, program.guide_role, name="Mina Mentor", level=5)
    learner = person(program, program.learner_role, name="Leo Learner")
    return make_due_pairing(program=program, guide=guide, learner=learner)


def send_all(now=None) -> list[Outcome]:
    return [reminder_send(reminder_id=pk) for pk in reminders_dispatch(now=now)]


def sent_mail() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def rows() -> list[tuple[str, str, date, bool, bool]]:
    return sorted(
        (r.recipient.username, r.kind, r.due_on, r.sent_at is not None, r.cancelled_at is not None)
        for r in Reminder.objects.select_related("recipient")
    )


# --- arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "tz", "expected"),
    [
        # New York: EST (UTC-5) until 2026-03-08 02:00, then EDT (UTC-4); back on 1 Nov.
        (date(2026, 3, 7), "America/New_York", utc(2026, 3, 7, 14)),
        (date(2026, 3, 8), "America/New_York", utc(2026, 3, 8, 13)),
        (date(2026, 10, 31), "America/New_York", utc(2026, 10, 31, 13)),
        (date(2026, 11, 1), "America/New_York", utc(2026, 11, 1, 14)),
        # London: GMT until 2026-03-29 01:00, then BST (UTC+1); back on 25 Oct.
        (date(2026, 3, 28), "Europe/London", utc(2026, 3, 28, 9)),
        (date(2026, 3, 29), "Europe/London", utc(2026, 3, 29, 8)),
        (date(2026, 10, 24), "Europe/London", utc(2026, 10, 24, 8)),
        (date(2026, 10, 25), "Europe/London", utc(2026, 10, 25, 9)),
        (date(2026, 1, 15), "Asia/Kolkata", utc(2026, 1, 15, 3, 30)),
        # The earliest zone: 09:00 there is 19:00 UTC the day before.
        (date(2026, 1, 15), "Pacific/Kiritimati", utc(2026, 1, 14, 19)),
    ],
)
def test_morning_of_is_nine_local_across_dst(day, tz, expected):
    assert reminders.morning_of(day, ZoneInfo(tz)) == expected


def test_check_in_due_on_dst_day_is_sent_at_nine_in_each_recipients_zone(program):
    # Due 8 March 2026: New York has just moved to EDT, London is still on GMT.
    pairing = pairing_with(
        program,
        guide_tz="America/New_York",
        learner_tz="Europe/London",
        activated_at=utc(2026, 1, 20, 12),
        next_checkin_due=date(2026, 3, 8),
    )
    log_checkin(pairing, date(2026, 2, 8))
    mentor = pairing.members.get(role="guide").participant.employee.user_id
    mentee = pairing.members.get(role="learner").participant.employee.user_id
    slots = reminders.pairing_reminder_slots(
        reminders.pairings_for_reminders().get(pk=pairing.pk), now=utc(2026, 3, 8, 0)
    )
    hr = program.admins.get().pk
    assert slots == {
        (pairing.pk, mentor, Kind.CHECKIN_DUE, date(2026, 3, 8)): utc(2026, 3, 8, 13),
        (pairing.pk, mentee, Kind.CHECKIN_DUE, date(2026, 3, 8)): utc(2026, 3, 8, 9),
        (pairing.pk, mentor, Kind.CHECKIN_OVERDUE, date(2026, 3, 8)): utc(2026, 3, 15, 13),
        (pairing.pk, mentee, Kind.CHECKIN_OVERDUE, date(2026, 3, 8)): utc(2026, 3, 15, 9),
        # Two cadences without a check-in: 8 March + 28 days, London now on BST.
        (pairing.pk, hr, Kind.STALLED, date(2026, 3, 8)): utc(2026, 4, 5, 8),
    }

    assert reminders_dispatch(now=utc(2026, 3, 8, 8, 59)) == []
    london = reminders_dispatch(now=utc(2026, 3, 8, 9))
    assert [Reminder.objects.get(pk=pk).recipient_id for pk in london] == [mentee]
    assert len(reminders_dispatch(now=utc(2026, 3, 8, 12, 59))) == 1
    both = reminders_dispatch(now=utc(2026, 3, 8, 13))
    assert sorted(Reminder.objects.get(pk=pk).recipient_id for pk in both) == sorted(
        [mentor, mentee]
    )


# --- dispatcher and sender ---------------------------------------------------------------


def test_dispatcher_twice_sends_each_reminder_once(program):
    pairing = due_yesterday(program)
    assert send_all() == [Outcome.SENT, Outcome.SENT]
    assert send_all() == []
    mentor, mentee = (
        pairing.members.get(role=role).participant.employee for role in ("guide", "learner")
    )
    due = pairing.next_checkin_due
    assert sent_mail() == sorted(
        [
            (mentor.email, f"Check-in with Leo Learner due {due:%A} {due.day} {due:%B}"),
            (mentee.email, f"Check-in with Mina Mentor due {due:%A} {due.day} {due:%B}"),
        ]
    )
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2


def test_send_due_reminders_command_sends_nothing_the_second_time(program):
    due_yesterday(program)
    first, second = StringIO(), StringIO()
    call_command("send_due_reminders", stdout=first)
    call_command("send_due_reminders", stdout=second)
    assert first.getvalue() == "Sent 2 reminders.\n"
    assert second.getvalue() == "Sent 0 reminders.\n"
    assert len(mail.outbox) == 2


def test_command_reports_failures_and_exits_non_zero(program, monkeypatch):
    due_yesterday(program)

    def refuse(self, messages):
        raise SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("send_due_reminders", stdout=out, stderr=err)
    assert str(raised.value) == "2 reminder(s) could not be sent; the next run retries."
    assert out.getvalue() == "Sent 0 reminders.\n"
    assert Reminder.objects.filter(attempts=1, sent_at=None, claimed_at=None).count() == 2


def test_checkin_email_has_link_text_html_and_calendar_invitation(program):
    pairing = due_yesterday(program)
    send_all()
    mentee = pairing.members.get(role="learner").participant.employee
    [message] = [m for m in mail.outbox if m.to == [mentee.email]]
    reminder = Reminder.objects.get(recipient=mentee.user)
    lines = message.body.splitlines()
    assert f"http://127.0.0.1:8000/pairings/{pairing.pk}/" in lines
    assert lines[-5] == (
        "You get these reminders because check-ins keep a pairing moving. "
        "Switch them off: http://127.0.0.1:8000/programmes/me/"
    )
    assert lines[-4:] == [
        "",
        "--",
        "Pairwise: mentoring and peer coaching at work",
        "http://127.0.0.1:8000/",
    ]
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("check-in.ics", "text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == pairing.next_checkin_due
    assert event.decoded("dtend") == pairing.next_checkin_due + timedelta(days=1)
    assert lines[0] == "Hello Leo Learner,"
    assert str(event["summary"]) == "Check-in with Mina Mentor"
    assert str(event["uid"]) == f"reminder-{reminder.pk}@127.0.0.1"


def test_calendar_uid_is_stable_per_reminder_and_distinct_between_reminders(program):
    pairing = due_yesterday(program)
    reminders_dispatch()
    loaded = reminders.pairings_for_reminders().get(pk=pairing.pk)

    def uid(reminder):
        message = reminders.reminder_message(reminder, loaded)
        return str(icalendar.Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]["uid"])

    first, second = Reminder.objects.order_by("pk")
    assert uid(first) == uid(first) == f"reminder-{first.pk}@127.0.0.1"
    assert uid(second) == f"reminder-{second.pk}@127.0.0.1"


def test_optional_emails_off_skips_reminders_but_not_proposals(program):
    pairing = due_yesterday(program)
    mina, leo = (
        pairing.members.get(role=role).participant.employee for role in ("guide", "learner")
    )
    leo.optional_emails = False
    leo.save()
    # A mentor who switched reminders off still hears about a proposal past its halfway.
    quiet = person(program, "mentor", name="Quiet Mentor", optional=False, level=5)
    now = timezone.now()
    make_live_pairing(
        program=program,
        guide=quiet,
        learner=person(program, "mentee", name="Nia Newcomer"),
        status=Pairing.Status.PROPOSED,
        proposed_at=now - timedelta(days=4),
        expires_at=now + timedelta(days=3),
    )
    send_all()
    assert sent_mail() == sorted(
        [
            (mina.email, f"Check-in with Leo Learner due {_due_label()}"),
            (quiet.employee.email, f"A proposal in {program.name} is waiting for your answer"),
        ]
    )


def _due_label() -> str:
    due = timezone.localdate() - timedelta(days=1)
    return f"{due:%A} {due.day} {due:%B}"


def test_switching_off_cancels_an_unsent_reminder_and_on_again_restores_it(program):
    pairing = due_yesterday(program)
    reminders_dispatch()
    leo = pairing.members.get(role="learner").participant.employee
    leo.optional_emails = False
    leo.save()
    assert len(reminders_dispatch()) == 1
    assert Reminder.objects.get(recipient=leo.user).cancelled_at is not None
    leo.optional_emails = True
    leo.save()
    assert len(reminders_dispatch()) == 2
    assert Reminder.objects.get(recipient=leo.user).cancelled_at is None


def test_logging_a_checkin_cancels_the_unsent_reminders(program):
    pairing = due_yesterday(program)
    ids = reminders_dispatch()
    learner = pairing.members.get(role="learner").participant
    services.checkin_log(
        pairing=pairing,
        participant=learner,
        held_on=timezone.localdate(),
        summary="We met",
        rating=5,
    )
    assert reminders_dispatch() == []
    assert [reminder_send(reminder_id=pk) for pk in ids] == [Outcome.SKIPPED, Outcome.SKIPPED]
    assert Reminder.objects.filter(cancelled_at__isnull=False).count() == 2
    assert mail.outbox == []


def test_ending_the_pairing_cancels_what_is_left(program):
    pairing = due_yesterday(program)
    reminders_dispatch()
    mentee_user = pairing.members.get(role="learner").participant.employee.user
    services.pairing_end(pairing=pairing, user=mentee_user, reason="Moving on")
    assert reminders_dispatch() == []
    assert Reminder.objects.filter(cancelled_at__isnull=False).count() == 2
    assert mail.outbox == []


def test_sender_rechecks_and_cancels_a_reminder_that_stopped_applying(program):
    pairing = due_yesterday(program)
    ids = reminders_dispatch()
    # Ended between the dispatcher's run and the worker picking the ids up.
    Pairing.objects.filter(pk=pairing.pk).update(status=Pairing.Status.ENDED, next_checkin_due=None)
    assert [reminder_send(reminder_id=pk) for pk in ids] == [Outcome.CANCELLED] * 2
    assert Reminder.objects.filter(cancelled_at__isnull=False, claimed_at=None).count() == 2
    assert mail.outbox == []


def test_overdue_a_week_later_replaces_an_unsent_due_reminder(program):
    today = timezone.localdate()
    due = today - timedelta(days=8)
    pairing = pairing_with(
        program, activated_at=timezone.now() - timedelta(days=60), next_checkin_due=due
    )
    log_checkin(pairing, due - timedelta(days=28))
    # On the due day the "due" reminders were created but never sent (say, mail was down).
    reminders_dispatch(now=reminders.morning_of(due, LONDON) + timedelta(hours=1))
    send_all()
    assert rows() == sorted(
        [
            (m.participant.employee.email, kind, due, kind == Kind.CHECKIN_OVERDUE, cancelled)
            for m in pairing.members.all()
            for kind, cancelled in ((Kind.CHECKIN_DUE, True), (Kind.CHECKIN_OVERDUE, False))
        ]
    )
    assert sent_mail() == sorted(
        [
            (m.participant.employee.email, f"Overdue: your check-in with {partner}")
            for m, partner in zip(
                pairing.members.order_by("role"), ["Leo Learner", "Mina Mentor"], strict=True
            )
        ]
    )
    message = mail.outbox[0]
    event = icalendar.Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == due + timedelta(days=7)


def test_no_first_checkin_after_fourteen_days_goes_to_members(program):
    activated = timezone.now() - timedelta(days=15)
    start = timezone.localdate(activated)
    pairing = pairing_with(program, activated_at=activated, next_checkin_due=start + timedelta(28))
    send_all()
    first_by = start + timedelta(days=14)
    assert rows() == sorted(
        (m.participant.employee.email, Kind.NO_FIRST_CHECKIN, first_by, True, False)
        for m in pairing.members.all()
    )
    assert sorted(m.subject for m in mail.outbox) == [
        "Have you met Leo Learner yet?",
        "Have you met Mina Mentor yet?",
    ]


def test_no_first_checkin_reminder_is_not_sent_once_they_met(program):
    activated = timezone.now() - timedelta(days=15)
    start = timezone.localdate(activated)
    pairing = pairing_with(program, activated_at=activated, next_checkin_due=start + timedelta(28))
    log_checkin(pairing, start + timedelta(days=3))
    assert send_all() == []


def test_stalled_pairing_is_reported_to_programme_admins_after_two_cadences(program, hr_admin):
    today = timezone.localdate()
    due = today - timedelta(days=program.checkin_cadence_days + 1)
    pairing = pairing_with(
        program, activated_at=timezone.now() - timedelta(days=90), next_checkin_due=due
    )
    latest = log_checkin(pairing, due - timedelta(days=28))
    send_all()
    stalled = [m for m in mail.outbox if m.to == [hr_admin.employee.email]]
    assert [m.subject for m in stalled] == [
        f"Stalled pairing in {program.name}: Mina Mentor and Leo Learner"
    ]
    assert f"since {latest.held_on.day} {latest.held_on:%B %Y}: two" in stalled[0].body
    assert sorted(m.subject for m in mail.outbox if m not in stalled) == [
        "Overdue: your check-in with Leo Learner",
        "Overdue: your check-in with Mina Mentor",
    ]


def test_stalled_pairing_is_not_reported_to_an_admin_who_left_the_hr_group(program, hr_admin):
    from tests.factories import make_employee

    former = make_employee(name="Fay Former").user
    program.admins.add(former)  # an admin of the programme, never (or no longer) in the group
    today = timezone.localdate()
    due = today - timedelta(days=program.checkin_cadence_days + 1)
    pairing = pairing_with(
        program, activated_at=timezone.now() - timedelta(days=90), next_checkin_due=due
    )
    log_checkin(pairing, due - timedelta(days=28))
    send_all()
    assert [m.to for m in mail.outbox if m.subject.startswith("Stalled")] == [
        [hr_admin.employee.email]
    ]


def test_proposal_waiting_reminder_at_half_the_expiry_goes_to_who_must_answer(program):
    now = timezone.now()
    pairing = pairing_with(
        program,
        status=Pairing.Status.PROPOSED,
        proposed_at=now - timedelta(days=3, hours=12),
        expires_at=now + timedelta(days=3, hours=12),
    )
    mentor = pairing.members.get(role="guide").participant.employee
    # One second before halfway: nothing; at halfway: the mentor (the mentee asked already).
    assert reminders_dispatch(now=now - timedelta(seconds=1)) == []
    assert send_all(now=now) == [Outcome.SENT]
    assert sent_mail() == [
        (mentor.email, f"A proposal in {program.name} is waiting for your answer")
    ]
    assert f"http://127.0.0.1:8000/proposals/{pairing.pk}/" in mail.outbox[0].body.splitlines()


def test_expired_proposal_is_closed_and_the_learner_proposed_to_the_next_best(program):
    now = timezone.now()
    pairing = pairing_with(
        program,
        status=Pairing.Status.PROPOSED,
        proposed_at=now - timedelta(days=7, minutes=1),
        expires_at=now - timedelta(minutes=1),
    )
    other = person(program, "mentor", name="Otto Other", level=5)
    assert send_all() == []
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.EXPIRED
    learner = pairing.members.get(role="learner").participant
    fresh = Pairing.objects.get(status=Pairing.Status.PROPOSED)
    assert sorted(fresh.members.values_list("participant", flat=True)) == sorted(
        [learner.pk, other.pk]
    )


def test_closing_survey_goes_once_to_each_person_who_has_not_answered(program):
    today = timezone.localdate()
    Program.objects.filter(pk=program.pk).update(ends_on=today - timedelta(days=1))
    mentor = person(program, "mentor", name="Mina Mentor", level=5)
    pairings = []
    for name in ("Ann Answered", "Ben Busy"):
        learner = person(program, "mentee", name=name)
        pairing = make_live_pairing(
            program=program,
            guide=mentor,
            learner=learner,
            activated_at=timezone.now() - timedelta(days=60),
            next_checkin_due=today + timedelta(days=10),
        )
        log_checkin(pairing, today - timedelta(days=18))
        pairings.append(pairing)
    ann = program.participants.get(employee__name="Ann Answered")
    SurveyResponse.objects.create(participant=ann, rating=5, what_helped="Honest feedback")
    send_all()
    ben = program.participants.get(employee__name="Ben Busy")
    assert sent_mail() == sorted(
        (p.employee.email, f"{program.name} has ended: two questions for you")
        for p in (mentor, ben)
    )
    ben_mail = next(m for m in mail.outbox if m.to == [ben.employee.email])
    assert f"http://127.0.0.1:8000/survey/{ben.pk}/" in ben_mail.body.splitlines()
    # The mentor hears once, through the first pairing.
    assert Reminder.objects.get(recipient=mentor.employee.user).pairing == pairings[0]


# --- failures and dead workers -----------------------------------------------------------


def test_failed_send_releases_the_claim_and_records_why(program, monkeypatch):
    due_yesterday(program)
    [first, _second] = reminders_dispatch()

    def refuse(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    before = timezone.now()
    with pytest.raises(SMTPServerDisconnected):
        reminder_send(reminder_id=first, retry_in=timedelta(minutes=2))
    row = Reminder.objects.get(pk=first)
    assert (row.claimed_at, row.handed_over_at, row.sent_at, row.attempts) == (None, None, None, 1)
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert before + timedelta(minutes=2) <= row.send_after <= timezone.now() + timedelta(minutes=2)
    # Backed off: the dispatcher leaves it to the caller's retry for those two minutes.
    assert reminders_dispatch() == [_second]


def test_claim_left_by_a_worker_that_died_before_handing_over_is_released_and_sent(program):
    due_yesterday(program)
    reminders_dispatch()
    stale = Reminder.objects.order_by("pk").first()
    Reminder.objects.filter(pk=stale.pk).update(claimed_at=timezone.now() - timedelta(minutes=2))
    assert sorted(send_all()) == [Outcome.SENT, Outcome.SENT]
    assert len(mail.outbox) == 2


def test_claim_that_may_have_reached_the_mail_server_is_resent_with_the_same_message_id(
    program,
):
    # The policy: a lost reminder costs more than a duplicate, and the same Message-ID
    # lets a mail client fold the two.
    due_yesterday(program)
    reminders_dispatch()
    in_doubt, fresh = Reminder.objects.order_by("pk")
    now = timezone.now()
    lease_ago = now - reminders.CLAIM_LEASE - timedelta(seconds=1)
    Reminder.objects.filter(pk=in_doubt.pk).update(
        claimed_at=lease_ago, handed_over_at=lease_ago, claim_token="dead-task"
    )
    # A claim younger than the lease belongs to a worker still sending.
    Reminder.objects.filter(pk=fresh.pk).update(claimed_at=now, claim_token="live-task")
    assert send_all(now=now) == [Outcome.SENT]
    assert send_all(now=now) == []
    in_doubt.refresh_from_db()
    assert (in_doubt.doubted_at, in_doubt.last_error) == (now, reminders.IN_DOUBT)
    assert in_doubt.sent_at is not None
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        f"<reminder-{in_doubt.pk}@127.0.0.1>"
    ]


def test_a_dead_workers_claim_is_picked_up_by_the_next_dispatch_after_the_lease(program):
    due_yesterday(program)
    [first, second] = reminders_dispatch()
    claimed = timezone.now()
    Reminder.objects.filter(pk=first).update(claimed_at=claimed, claim_token="dead-task")
    # Within the lease the claim is the worker's; a minute after it, it is free again.
    assert reminders_dispatch(now=claimed + reminders.CLAIM_LEASE) == [second]
    assert reminders_dispatch(now=claimed + reminders.CLAIM_LEASE + timedelta(minutes=1)) == [
        first,
        second,
    ]
    assert Reminder.objects.get(pk=first).doubted_at is None  # it never reached the server


def test_a_redelivered_task_resumes_its_own_claim_at_once(program):
    due_yesterday(program)
    [first, _second] = reminders_dispatch()
    now = timezone.now()
    Reminder.objects.filter(pk=first).update(
        claimed_at=now, handed_over_at=now, claim_token="task-1"
    )
    # Another task may not take a live claim; the same task, delivered again, resumes it.
    assert reminder_send(reminder_id=first, token="task-2") == Outcome.SKIPPED
    assert reminder_send(reminder_id=first, token="task-1") == Outcome.SENT
    row = Reminder.objects.get(pk=first)
    assert (row.sent_at is not None, row.doubted_at is not None, row.claim_token) == (
        True,
        True,
        "task-1",
    )
    assert len(mail.outbox) == 1


def test_the_sent_stamp_outlasts_a_database_restart(monkeypatch):
    calls = []

    class Flaky:
        def update(self, **fields):
            calls.append(sorted(fields))
            if calls.count(["sent_at"]) < 3:
                raise OperationalError("server closed the connection unexpectedly")
            return 1

    monkeypatch.setattr(reminders.time_module, "sleep", lambda seconds: calls.append(seconds))
    monkeypatch.setattr(reminders.db.connection, "close", lambda: None)
    reminders._stamp_sent(Flaky())
    assert calls == [["sent_at"], 1, ["sent_at"], 2, ["sent_at"]]


# --- HR changes the cadence --------------------------------------------------------------


def test_cadence_change_moves_open_schedules_and_cancels_old_reminders(program):
    today = timezone.localdate()
    met = today - timedelta(days=30)
    overdue = pairing_with(
        program,
        activated_at=timezone.now() - timedelta(days=60),
        next_checkin_due=met + timedelta(days=28),
    )
    log_checkin(overdue, met)
    activated = timezone.now() - timedelta(days=5)
    start = timezone.localdate(activated)
    fresh = make_live_pairing(
        program=program, activated_at=activated, next_checkin_due=start + timedelta(days=28)
    )
    ended = make_live_pairing(program=program, status=Pairing.Status.ENDED)
    reminders_dispatch()
    assert Reminder.objects.filter(cancelled_at=None).count() == 2

    Program.objects.filter(pk=program.pk).update(checkin_cadence_days=35)
    assert reminders.pairing_reschedule_program(program=program) == 2

    overdue.refresh_from_db()
    fresh.refresh_from_db()
    ended.refresh_from_db()
    assert overdue.next_checkin_due == met + timedelta(days=35)
    assert fresh.next_checkin_due == start + timedelta(days=35)
    assert ended.next_checkin_due is None
    assert Reminder.objects.filter(cancelled_at=None).count() == 0
    assert reminders_dispatch() == []
    assert reminders.pairing_reschedule_program(program=program) == 0
