"""The Django side of the load and fault runs, in the environment stack.py builds:
``python -m tests.load.harness prepare|check|due|reminders``. Each prints one JSON object.

This is set-up and bookkeeping for the load harness, not a user journey: it writes rows
directly where the app offers no page for it (passwords for a sample of the large
programme's people, extra proposals to race for mentors' last places).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from pairing import rules, schedule  # noqa: E402
from pairing.demo import LARGE_SLUG, PASSWORD, email_of  # noqa: E402
from pairing.models import Pairing, PairingMember, Reminder  # noqa: E402
from programs.models import Participant, Program  # noqa: E402

EMPLOYEES = 40  # mentees in active pairings of the large programme, who log check-ins
MENTORS_PER_GROUP = 12  # mentors whose last places the mentor users race for, per run
PROPOSALS_PER_MENTOR = 5


def _live_learner_ids(program: Program) -> set[int]:
    return set(
        PairingMember.objects.filter(pairing__program=program, live=True)
        .exclude(role=PairingMember.Role.GUIDE)
        .values_list("participant_id", flat=True)
    )


@transaction.atomic
def prepare(groups: list[str]) -> dict:
    """Passwords for a sample of the large programme, and for each group (one per measured
    run) mentors with free places, each proposed more mentees than they have places, so
    concurrent accepts race for the last place."""
    program = Program.objects.get(slug=LARGE_SLUG)
    password = make_password(PASSWORD)  # one hash for all: hashing is the slow part
    now = timezone.now()
    employees = list(
        Participant.objects.filter(
            program=program,
            role=Participant.Role.MENTEE,
            memberships__pairing__status=Pairing.Status.ACTIVE,
        )
        .order_by("pk")
        .values_list("employee__user_id", "employee__email")[:EMPLOYEES]
    )
    load = rules.guide_load(Participant.objects.filter(program=program))
    pending = set(
        PairingMember.objects.filter(
            pairing__program=program,
            role=PairingMember.Role.GUIDE,
            response=PairingMember.Response.PENDING,
        ).values_list("participant_id", flat=True)
    )
    mentors = [
        m
        for m in Participant.objects.filter(program=program, role=Participant.Role.MENTOR)
        .select_related("employee", "program")
        .order_by("pk")
        if not m.is_paused and m.pk not in pending and load.get(m.pk, 0) < m.effective_capacity
    ]
    taken = _live_learner_ids(program)
    free_mentees = iter(
        Participant.objects.filter(program=program, role=Participant.Role.MENTEE)
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    out = {"slug": program.slug, "password": PASSWORD, "mentors": {}, "places": {}}
    user_ids = [uid for uid, _ in employees]
    for n, group in enumerate(groups):
        chosen = mentors[n * MENTORS_PER_GROUP : (n + 1) * MENTORS_PER_GROUP]
        out["mentors"][group] = [m.employee.email for m in chosen]
        out["places"][group] = sum(m.effective_capacity - load.get(m.pk, 0) for m in chosen)
        for mentor in chosen:
            user_ids.append(mentor.employee.user_id)
            for _ in range(PROPOSALS_PER_MENTOR):
                pairing = Pairing.objects.create(
                    program=program,
                    status=Pairing.Status.PROPOSED,
                    score=50,
                    reasons=["Load test proposal"],
                    proposed_at=now,
                    expires_at=schedule.proposal_expires_at(program, now),
                )
                PairingMember.objects.bulk_create(
                    rules.proposal_members(
                        pairing, guide_id=mentor.pk, member_ids=[next(free_mentees)], at=now
                    )
                )
    get_user_model().objects.filter(pk__in=user_ids).update(password=password)
    out["employees"] = [email for _, email in employees] + [email_of("mentee"), email_of("peer")]
    out["hr"] = [email_of("hr")]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return out


def check() -> dict:
    """The integrity checks after a run: no guide over capacity (accepted and active
    pairings against their capacity, or the programme's default), nobody but a guide in
    two live pairings, and the guides the load users raced for."""
    agreed = Q(
        memberships__role=PairingMember.Role.GUIDE,
        memberships__pairing__status__in=rules.AGREED_STATUSES,
    )
    over = [
        {"participant": p.pk, "load": p.n, "capacity": p.effective_capacity}
        for p in Participant.objects.select_related("program").annotate(
            n=Count("pk", filter=agreed)
        )
        if p.n > p.effective_capacity
    ]
    live = Counter(
        PairingMember.objects.filter(pairing__status__in=Pairing.LIVE_STATUSES)
        .exclude(role=PairingMember.Role.GUIDE)
        .values_list("participant_id", flat=True)
    )
    doubled = sorted(pk for pk, n in live.items() if n > 1)
    flagged = Counter(
        PairingMember.objects.filter(live=True)
        .exclude(role=PairingMember.Role.GUIDE)
        .values_list("participant_id", flat=True)
    )
    raced = PairingMember.objects.filter(
        role=PairingMember.Role.GUIDE, pairing__reasons=["Load test proposal"]
    )
    return {
        "guides_over_capacity": over,
        "in_two_live_pairings": doubled,
        "two_live_flags": sorted(pk for pk, n in flagged.items() if n > 1),
        "load_proposals": raced.count(),
        "load_proposals_accepted": raced.filter(pairing__status__in=rules.AGREED_STATUSES).count(),
        "load_proposals_pending": raced.filter(response=PairingMember.Response.PENDING).count(),
        "ok": not over and not doubled,
    }


def due() -> dict:
    """Make many reminders due now: every active pairing's next check-in was due two days
    ago (past 09:00 in every time zone), so the next dispatcher run creates a due reminder
    per member, beside whatever else the demo has due."""
    today = timezone.localdate()
    Reminder.objects.all().delete()
    active = Pairing.objects.filter(status=Pairing.Status.ACTIVE)
    n = active.update(next_checkin_due=today - timedelta(days=2))
    return {"active_pairings": n}


def reminders() -> dict:
    rows = Reminder.objects.all()
    return {
        "rows": rows.count(),
        "sent": rows.exclude(sent_at=None).count(),
        "unsent": rows.filter(sent_at=None, cancelled_at=None).count(),
        "cancelled": rows.exclude(cancelled_at=None).count(),
        "doubted": rows.exclude(doubted_at=None).count(),
        "claimed_unsent": rows.filter(sent_at=None).exclude(claimed_at=None).count(),
        "due_unsent": rows.filter(
            sent_at=None, cancelled_at=None, send_after__lte=timezone.now()
        ).count(),
        "sent_ids": sorted(rows.exclude(sent_at=None).values_list("pk", flat=True)),
        "doubted_ids": sorted(rows.exclude(doubted_at=None).values_list("pk", flat=True)),
        "unsent_ids": sorted(
            rows.filter(sent_at=None, cancelled_at=None).values_list("pk", flat=True)
        ),
        "errors": Counter(rows.exclude(last_error="").values_list("last_error", flat=True)),
    }


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    result = {"prepare": prepare, "check": check, "due": due, "reminders": reminders}[command](
        *([args] if args else [])
    )
    print(json.dumps(result, default=str))
