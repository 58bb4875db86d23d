"""Rounds (cohorts): a programme runs again and again, never pairing the same people twice.

Starting a round, by HR's button or by the schedule (Program.rotate_every_weeks):

1. the round that ends is closed: the mentees and peers in it who were left without a
   partner, and were available (not paused) when it ended, are served first by the next
   matching (Participant.rounds_waited), and, when asked, its pairings end and its
   unanswered proposals are cancelled (a closing by circumstance: neither bars the pair
   nor counts against anyone, rules.closed_by_circumstance);
2. the programme moves on to the next round, and everyone still enrolled moves with it,
   or only those who join (HR chooses; a scheduled round takes everyone); rankings of
   the last round's suggestions are cleared (mentors' "rather not" marks stay);
3. everyone in the old round is emailed once: what ended, and that they are in the new
   round or how to join it.

A scheduled round then runs matching for HR's review, or publishes it straight away when
the programme says so. Who may be paired again is rules.never_again_pairs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from pairing import emails, later, rules, selectors
from pairing.matchmaking.runs import match_run_execute, match_run_publish
from pairing.models import Choice, MatchRun, Pairing, PairingMember
from programs import leases
from programs.models import AuditEvent, Participant, Program, Round, not_paused
from programs.services import audit_record


class RoundError(Exception):
    """A round cannot start now; the message says why, for HR."""


# A situational programme books one session at a time: there is no round to start or join.
NO_ROUNDS = "Situational programmes have no rounds: people book one session at a time."


def _close_round(*, program: Program, actor, end_pairings: bool) -> None:
    """Keep the ending round's figures, mark who waited (without a partner, available at
    its end), and end its pairings if asked."""
    number = program.current_round
    ending, _ = Round.objects.get_or_create(
        program=program, number=number, defaults={"started_at": program.created_at}
    )
    ending.summary = selectors.round_figures(program=program, number=number).as_dict()
    ending.save(update_fields=["summary"])
    in_round = rules.in_round(program=program, number=number)
    # Someone paused at the round's end (by choice, or automatically as a ghost) did not
    # wait for a partner: their streak of waiting rounds starts again from 0.
    waited = ~rules.had_partner_in_round(number) & not_paused(timezone.localdate())
    in_round.exclude(waited).update(rounds_waited=0)
    in_round.filter(waited).update(rounds_waited=F("rounds_waited") + 1)
    if not end_pairings:
        return
    live = Pairing.objects.select_for_update().filter(
        program=program, status__in=Pairing.LIVE_STATUSES
    )
    now, reason = timezone.now(), rules.round_finished_reason(number)
    closing = {"ended_at": now, "ended_by": actor, "end_reason": reason, "next_checkin_due": None}
    ids = list(live.values_list("pk", flat=True))
    Pairing.objects.filter(pk__in=ids, status=Pairing.Status.PROPOSED).update(
        status=Pairing.Status.CANCELLED, **closing
    )
    Pairing.objects.filter(pk__in=ids, status__in=rules.AGREED_STATUSES).update(
        status=Pairing.Status.ENDED, **closing
    )
    PairingMember.objects.filter(pairing_id__in=ids).update(live=False)


@transaction.atomic
def round_start(
    *,
    program: Program,
    actor,
    everyone: bool,
    end_pairings: bool,
    number: int | None = None,
    scheduled: bool = False,
) -> Round:
    """Start the programme's next round (see the module's docstring). ``actor`` is the HR
    admin, None for the schedule; ``number``, when given, is the round HR meant to start,
    so a second click (or a colleague's) does not start yet another. Refused while the
    programme is closed or a matching run is being computed (it would match the old
    round's people)."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.is_situational:
        raise RoundError(NO_ROUNDS)
    if number is not None and number != program.current_round + 1:
        raise RoundError(f"Round {number} has already started.")
    if program.status == Program.Status.CLOSED:
        raise RoundError(f"{program.name} is closed: open it again to start a round.")
    computing = Q(status=MatchRun.Status.QUEUED) | leases.still_running(
        running=MatchRun.Status.RUNNING
    )
    if program.match_runs.filter(computing).exists():
        raise RoundError("A matching run is being computed: wait for it to finish.")
    user = actor if getattr(actor, "is_authenticated", False) else None
    _close_round(program=program, actor=user, end_pairings=end_pairings)
    # Rankings were of last round's suggestions; people rank afresh. A mentor's "rather
    # not" is about the person, not the round, and stays.
    Choice.objects.filter(chooser__program=program).delete()
    ended = program.current_round
    program.current_round = ended + 1
    program.save(update_fields=["current_round"])
    started = Round.objects.create(
        program=program, number=ended + 1, started_by=user, everyone=everyone
    )
    if everyone:
        Participant.objects.filter(program=program, round=ended, withdrawn_at__isnull=True).update(
            round=ended + 1
        )
    audit_record(
        program=program,
        actor=actor,
        action=AuditEvent.Action.ROUND_STARTED,
        summary=f"Started round {started.number}"
        + (" on schedule" if scheduled else "")
        + ("; the last round's pairings ended" if end_pairings else "")
        + ("; everyone still enrolled moved on" if everyone else "; people join themselves"),
        detail={"round": started.number, "everyone": everyone, "end_pairings": end_pairings},
    )
    later.round_emails(program.pk, started.number)
    return started


@transaction.atomic
def round_join(*, participant: Participant, user) -> Participant:
    """Someone of an earlier round joins the round running now. Waiting counts only for
    who was in the round just before."""
    participant = (
        Participant.objects.select_for_update().select_related("program").get(pk=participant.pk)
    )
    if participant.employee.user_id != user.pk:
        raise RoundError("This is not your enrolment.")
    program = participant.program
    if program.is_situational:
        raise RoundError(NO_ROUNDS)
    if participant.withdrawn_at is not None or program.status == Program.Status.CLOSED:
        raise RoundError(f"You are no longer enrolled in {program.name}.")
    if participant.round == program.current_round:
        return participant
    if participant.round != program.current_round - 1:
        participant.rounds_waited = 0
    participant.round = program.current_round
    participant.save(update_fields=["round", "rounds_waited"])
    return participant


def round_started_at(program: Program) -> datetime:
    """When the programme's current round started (the first: when it was created)."""
    latest = program.rounds.filter(number=program.current_round).first()
    return latest.started_at if latest is not None else program.created_at


# The programmes a schedule may move on: not drafts, not closed.
_SCHEDULED_STATUSES = (Program.Status.ENROLLING, Program.Status.ACTIVE)


def _due(program: Program, now: datetime) -> bool:
    # By local date, not to the second: a round starts a little after the beat that started
    # it, so "six weeks later to the second" would slip each round to the next day's beat.
    started_on = timezone.localdate(round_started_at(program))
    return (
        program.rotate_every_weeks is not None
        and not program.is_situational
        and program.status in _SCHEDULED_STATUSES
        and started_on + timedelta(weeks=program.rotate_every_weeks) <= timezone.localdate(now)
    )


def rounds_due(now: datetime) -> list[int]:
    """Ids of the programmes whose schedule says a new round starts: running or enrolling,
    with rotate_every_weeks set, and that many weeks (by local date) since the current
    round started."""
    scheduled = Program.objects.filter(
        rotate_every_weeks__isnull=False, status__in=_SCHEDULED_STATUSES
    ).exclude(kind=Program.Kind.SITUATIONAL)
    return [program.pk for program in scheduled if _due(program, now)]


def round_start_scheduled(*, program_id: int, now: datetime) -> Round | None:
    """Start a programme's scheduled round, if it is still due (two beats, or a retried
    task, start it once), and run matching on it: published at once when the programme
    says so, else left for HR's review."""
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program_id)
        if not _due(program, now):
            return None
        started = round_start(
            program=program, actor=None, everyone=True, end_pairings=True, scheduled=True
        )
        run = MatchRun.objects.create(
            program=program, publish_when_done=program.auto_publish_rounds
        )
    match_run_execute(run.pk)
    run.refresh_from_db()
    if run.publish_when_done and run.status == MatchRun.Status.DONE:
        match_run_publish(run=run, actor=None)
    return started


def round_email_recipients(program_id: int, number: int) -> list[int]:
    """Ids of the participants to tell that round ``number`` started: everyone who was
    in the round before (moved on or not), still enrolled and in the organisation; not
    those who enrolled since."""
    started = Round.objects.get(program_id=program_id, number=number).started_at
    return list(
        Participant.objects.filter(
            program_id=program_id,
            round__in=(number - 1, number),
            enrolled_at__lt=started,
            round_told__lt=number,
            withdrawn_at__isnull=True,
            employee__user__is_active=True,
        ).values_list("pk", flat=True)
    )


def round_started_notify(*, participant_id: int, number: int) -> bool:
    """Tell one participant that round ``number`` started, at most once: the claim on
    round_told comes before the email, and is released if sending fails."""
    claimed = Participant.objects.filter(pk=participant_id, round_told__lt=number).update(
        round_told=number
    )
    if claimed != 1:
        return False
    participant = Participant.objects.select_related("program", "employee__user").get(
        pk=participant_id
    )
    try:
        emails.round_started_send(participant, number)
    except Exception:
        Participant.objects.filter(pk=participant_id).update(round_told=number - 1)
        raise
    return True
