"""Rounds: starting one, joining it, the schedule, and who may be paired again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pairing import rounds, rules
from pairing.matchmaking.runs import outcome_totals, program_match
from pairing.models import Choice, MatchRun, Pairing, PairingMember, RatherNot
from programs import leases
from programs.models import AuditEvent, Participant, Program, Round
from tests.factories import make_employee, make_live_pairing, make_participant, make_program

pytestmark = pytest.mark.django_db

PEER = Participant.Role.PEER


def _peer(program, name, **extra):
    employee = make_employee(name=name, email=f"{name.lower()}@example.org", level=3)
    return make_participant(program=program, role=PEER, employee=employee, **extra)


@pytest.fixture
def peers(hr_admin):
    """Five peers: Ann-Bo running, Cy-Di proposed, Ed on their own."""
    program = make_program(
        kind=Program.Kind.PEER_COACHING, slug="peers", name="Peers", admins=[hr_admin]
    )
    ann, bo, cy, di, ed = (_peer(program, n) for n in ("Ann", "Bo", "Cy", "Di", "Ed"))
    make_live_pairing(program=program, guide=ann, learner=bo, status="active")
    make_live_pairing(program=program, guide=cy, learner=di, status="proposed")
    return program, {p.employee.name: p for p in (ann, bo, cy, di, ed)}


def _refreshed(people):
    return {name: Participant.objects.get(pk=p.pk) for name, p in people.items()}


def test_a_new_round_for_everyone_ends_the_last_one_and_serves_the_unmatched_first(
    peers, hr_admin, mailoutbox, django_capture_on_commit_callbacks
):
    program, people = peers
    with django_capture_on_commit_callbacks(execute=True):
        started = rounds.round_start(
            program=program, actor=hr_admin, everyone=True, end_pairings=True
        )

    program.refresh_from_db()
    assert (started.number, program.current_round, started.everyone) == (2, 2, True)
    assert started.started_by == hr_admin
    statuses = dict(Pairing.objects.filter(program=program).values_list("status", "end_reason"))
    assert statuses == {"ended": "Round 1 finished", "cancelled": "Round 1 finished"}
    assert not PairingMember.objects.filter(pairing__program=program, live=True).exists()
    now = _refreshed(people)
    assert {name: p.round for name, p in now.items()} == dict.fromkeys(now, 2)
    # Only Ann and Bo had a partner: a proposal nobody agreed to is no partner.
    assert {name: p.rounds_waited for name, p in now.items()} == {
        "Ann": 0, "Bo": 0, "Cy": 1, "Di": 1, "Ed": 1,
    }  # fmt: skip
    event = AuditEvent.objects.get(program=program, action=AuditEvent.Action.ROUND_STARTED)
    assert event.summary == (
        "Started round 2; the last round's pairings ended; everyone still enrolled moved on"
    )
    assert sorted(m.to[0] for m in mailoutbox) == [
        "ann@example.org", "bo@example.org", "cy@example.org", "di@example.org", "ed@example.org",
    ]  # fmt: skip
    ann_mail = next(m for m in mailoutbox if m.to == ["ann@example.org"])
    assert ann_mail.subject == "Round 2 of Peers has started"
    assert "Your pairing with Bo ended with round 1" in ann_mail.body
    assert "You are in round 2." in ann_mail.body
    # Ed had no partner; Cy's proposal was cancelled, never a pairing.
    for lone in ("ed@example.org", "cy@example.org"):
        assert "Your pairing" not in next(m for m in mailoutbox if m.to == [lone]).body


def test_round_emails_go_once_however_often_the_task_runs(
    peers, hr_admin, mailoutbox, django_capture_on_commit_callbacks
):
    from pairing import tasks

    program, _ = peers
    with django_capture_on_commit_callbacks(execute=True):
        rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    assert len(mailoutbox) == 5
    assert tasks.send_round_emails(program.pk, 2) == 0
    for participant in Participant.objects.filter(program=program):
        assert rounds.round_started_notify(participant_id=participant.pk, number=2) is False
    assert len(mailoutbox) == 5


def test_someone_who_enrols_after_the_start_is_not_told_the_round_started(peers, hr_admin):
    program, _ = peers
    started = rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    late = _peer(program, "Flo", round=2, enrolled_at=started.started_at + timedelta(minutes=1))
    assert late.pk not in rounds.round_email_recipients(program.pk, 2)


def test_without_everyone_people_join_themselves_and_only_they_are_matched(
    peers, hr_admin, mailoutbox, django_capture_on_commit_callbacks
):
    program, people = peers
    with django_capture_on_commit_callbacks(execute=True):
        rounds.round_start(program=program, actor=hr_admin, everyone=False, end_pairings=True)
    assert not Participant.objects.active().filter(program=program).exists()
    ed_mail = next(m for m in mailoutbox if m.to == ["ed@example.org"])
    assert "To take part, join round 2 on your Pairwise home page." in ed_mail.body

    for name in ("Ann", "Cy", "Ed"):
        person = people[name]
        rounds.round_join(participant=person, user=person.employee.user)
    joined = Participant.objects.active().filter(program=program)
    assert sorted(p.employee.name for p in joined) == ["Ann", "Cy", "Ed"]
    # Joining twice changes nothing; someone else's enrolment cannot be joined.
    rounds.round_join(participant=people["Ann"], user=people["Ann"].employee.user)
    with pytest.raises(rounds.RoundError, match="not your enrolment"):
        rounds.round_join(participant=people["Bo"], user=people["Ann"].employee.user)


def test_someone_who_skipped_a_round_is_not_served_first_for_it(peers, hr_admin):
    program, people = peers
    rounds.round_start(program=program, actor=hr_admin, everyone=False, end_pairings=True)
    rounds.round_start(program=program, actor=hr_admin, everyone=False, end_pairings=True)
    ed = people["Ed"]  # waited in round 1, sat out round 2
    assert Participant.objects.get(pk=ed.pk).rounds_waited == 1
    rounds.round_join(participant=ed, user=ed.employee.user)
    assert Participant.objects.get(pk=ed.pk).round == 3
    assert Participant.objects.get(pk=ed.pk).rounds_waited == 0


def test_a_new_round_clears_rankings_and_keeps_rather_not_marks(hr_admin):
    program = make_program(admins=[hr_admin], slug="cohort")
    guide = make_participant(program=program, role=Participant.Role.MENTOR)
    learner = make_participant(program=program)
    Choice.objects.create(chooser=learner, candidate=guide, rank=1)
    RatherNot.objects.create(guide=guide, learner=learner)
    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=False)
    assert (Choice.objects.count(), RatherNot.objects.count()) == (0, 1)


def test_the_next_round_never_pairs_last_rounds_partners_again(peers, hr_admin):
    program, people = peers
    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    program.refresh_from_db()
    outcome = program_match(program)
    made = {frozenset(outcome.people[k].label for k in p.members) for p in outcome.result.pairings}
    assert frozenset(("Ann", "Bo")) not in made
    assert len(made) == 2
    # The proposal nobody answered was cancelled by the round's end, which is no verdict
    # on Cy and Di (rules.closed_by_circumstance): only last round's partners are barred.
    ann, bo = people["Ann"].pk, people["Bo"].pk
    assert rules.never_again_pairs(program=program) == {(min(ann, bo), max(ann, bo))}


def test_a_programme_may_let_partners_meet_again_after_some_rounds(peers, hr_admin):
    program, people = peers
    program.partner_repeat_rounds = 1
    program.save()
    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    program.refresh_from_db()
    ann, bo = people["Ann"].pk, people["Bo"].pk
    assert (min(ann, bo), max(ann, bo)) in rules.never_again_pairs(program=program)
    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    program.refresh_from_db()
    # Nor is the pair barred as an early ending: the round ended it, not one of them.
    assert rules.never_again_pairs(program=program) == set()


def test_keeping_the_pairings_leaves_them_running_and_their_people_out_of_the_pool(peers, hr_admin):
    program, people = peers
    rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=False)
    program.refresh_from_db()
    assert Pairing.objects.filter(program=program, status="active").count() == 1
    pool = {p.label for p in program_match(program).pool.people}
    # Cy and Di's proposal stays too: Di has answered it (the factory's second peer asks).
    assert pool == {"Ed"}


def test_a_round_cannot_start_in_a_closed_programme_or_while_matching_computes(peers, hr_admin):
    program, _ = peers
    MatchRun.objects.create(
        program=program, status=MatchRun.Status.RUNNING, claimed_at=timezone.now()
    )
    with pytest.raises(rounds.RoundError, match="being computed"):
        rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
    with pytest.raises(rounds.RoundError, match="is closed"):
        rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    assert not Round.objects.exists()


def test_a_dead_workers_run_does_not_hold_up_a_round(peers, hr_admin):
    program, _ = peers
    MatchRun.objects.create(
        program=program,
        status=MatchRun.Status.RUNNING,
        claimed_at=leases.lease_expired_before() - timedelta(seconds=1),
    )
    started = rounds.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    assert started.number == 2


def test_the_schedule_starts_a_due_round_once_and_publishes_it_when_told(
    peers, mailoutbox, django_capture_on_commit_callbacks
):
    program, people = peers
    Program.objects.filter(pk=program.pk).update(
        status=Program.Status.ACTIVE,
        rotate_every_weeks=6,
        auto_publish_rounds=True,
        created_at=timezone.now() - timedelta(weeks=6),
    )
    now = timezone.now()
    assert rounds.rounds_due(now - timedelta(days=1)) == []
    assert rounds.rounds_due(now) == [program.pk]

    with django_capture_on_commit_callbacks(execute=True):
        started = rounds.round_start_scheduled(program_id=program.pk, now=now)
    assert started.number == 2 and started.started_by is None
    assert rounds.round_start_scheduled(program_id=program.pk, now=now) is None
    assert rounds.rounds_due(now) == []
    # Due on the day six weeks on, even at a beat earlier in the day than this one was.
    that_day = timezone.localtime(started.started_at).replace(hour=0, minute=1)
    assert rounds.rounds_due(that_day + timedelta(weeks=6) - timedelta(days=1)) == []
    assert rounds.rounds_due(that_day + timedelta(weeks=6)) == [program.pk]

    run = MatchRun.objects.get(program=program)
    assert (run.status, run.publish_when_done) == (MatchRun.Status.PUBLISHED, True)
    new = Pairing.objects.filter(program=program, round=2)
    assert new.count() == 2
    assert all(p.status == Pairing.Status.PROPOSED for p in new)


def test_a_scheduled_round_waits_for_review_unless_the_programme_publishes_it(peers):
    program, _ = peers
    Program.objects.filter(pk=program.pk).update(
        status=Program.Status.ACTIVE,
        rotate_every_weeks=2,
        created_at=timezone.now() - timedelta(weeks=3),
    )
    rounds.round_start_scheduled(program_id=program.pk, now=timezone.now())
    run = MatchRun.objects.get(program=program)
    assert run.status == MatchRun.Status.DONE
    assert not Pairing.objects.filter(program=program, round=2).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_starting_the_same_round_at_once_start_it_once():
    import threading

    from django.db import connection

    program = make_program(kind=Program.Kind.PEER_COACHING)
    for name in ("Ann", "Bo", "Cy"):
        _peer(program, name)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def start():
        try:
            connection.ensure_connection()
            barrier.wait()
            rounds.round_start(
                program=program, actor=None, everyone=True, end_pairings=True, number=2
            )
            result = "started"
        except rounds.RoundError as error:
            result = str(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["Round 2 has already started.", "started"]
    assert list(Round.objects.filter(program=program).values_list("number", flat=True)) == [1, 2]
    assert Participant.objects.filter(program=program, round=2).count() == 3


def test_the_next_run_serves_who_waited_first_even_at_a_lower_score(hr_admin):
    """Uma (level 5) can only be paired with Ada (level 4), whose style does not suit her:
    two other pairs would score more, but Uma waited last round, so she is matched."""
    program = make_program(kind=Program.Kind.PEER_COACHING, admins=[hr_admin])

    def peer(name, level, style, goals):
        employee = make_employee(name=name, email=f"{name.lower()}@example.org", level=level)
        return make_participant(
            program=program, role=PEER, employee=employee, style=style, goals=goals
        )

    peer("Ada", 4, "directive", ["Negotiation"])
    peer("Ben", 3, "either", ["Negotiation"])
    peer("Cara", 3, "either", ["Data"])
    peer("Dev", 3, "either", ["Data"])
    uma = peer("Uma", 5, "reflective", ["Presence"])

    def pairs():
        outcome = program_match(program)
        return outcome, sorted(
            "-".join(sorted(outcome.people[k].label for k in p.members))
            for p in outcome.result.pairings
        )

    outcome, before = pairs()
    assert before == ["Ada-Ben", "Cara-Dev"]
    Participant.objects.filter(pk=uma.pk).update(rounds_waited=1)
    outcome, after = pairs()
    assert "Ada-Uma" in after and len(after) == 2
    totals = outcome_totals(outcome)
    assert (totals["waited"], totals["waited_matched"]) == (1, 1)
