"""Retention: the free text of pairings long over is deleted (settings.RETENTION_MONTHS).

What goes: check-in summaries and private notes, decline notes and the typed reason a
pairing ended. What stays: every status, date, score and rating, so reports and the
dashboards read the same before and after.
"""

import logging
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from pairing import rules
from pairing.models import CaseSession, CheckIn, Pairing, PairingMember
from pairing.services import GROUP_CLOSED

logger = logging.getLogger(__name__)

OVER = (
    Pairing.Status.ENDED,
    Pairing.Status.DECLINED,
    Pairing.Status.EXPIRED,
    Pairing.Status.CANCELLED,
)


def retention_cutoff(*, months: int, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - relativedelta(months=months)


@transaction.atomic
def retention_apply(*, months: int, now: datetime | None = None) -> int:
    """Blank the free text of every pairing that was over more than `months` months ago
    and still holds some; returns how many pairings were cleared (0 when `months` is 0,
    retention off). Running it again clears nothing more.

    A pairing is over when it ended, was declined or lapsed. Ended pairings count from
    ended_at; declined and lapsed ones carry no end date, so they count from when the
    proposal lapsed or would have (expires_at), which is never before the decline.
    """
    if months <= 0:
        return 0
    cutoff = retention_cutoff(months=months, now=now)
    over = Pairing.objects.filter(status__in=OVER).alias(
        over_at=Coalesce("ended_at", "expires_at", "proposed_at")
    )
    over = over.filter(over_at__lt=cutoff)
    checkins = CheckIn.objects.filter(pairing__in=over).filter(~Q(summary="") | ~Q(private_note=""))
    steps = dict.fromkeys(CaseSession.STEPS, "")
    cases = CaseSession.objects.filter(checkin__pairing__in=over).exclude(**steps)
    members = PairingMember.objects.filter(pairing__in=over).exclude(decline_note="")
    # Closings by circumstance ("left the organisation", "Round 2 finished", ...) and why a
    # group closed are the app's own words, not anyone's free text; and the trust rules
    # read them (rules.closed_by_circumstance): blanked, they would turn into verdicts.
    own_words = rules.closed_by_circumstance() | Q(end_reason__in=GROUP_CLOSED)
    reasons = over.exclude(end_reason="").exclude(own_words)
    cleared = (
        set(checkins.values_list("pairing_id", flat=True))
        | set(cases.values_list("checkin__pairing_id", flat=True))
        | set(members.values_list("pairing_id", flat=True))
        | set(reasons.values_list("pk", flat=True))
    )
    if not cleared:
        return 0
    CheckIn.objects.filter(pairing_id__in=cleared).update(summary="", private_note="")
    CaseSession.objects.filter(checkin__pairing_id__in=cleared).update(**steps)
    PairingMember.objects.filter(pairing_id__in=cleared).update(decline_note="")
    Pairing.objects.filter(pk__in=cleared).exclude(own_words).update(end_reason="")
    logger.info("Retention cleared %s pairings over before %s", len(cleared), cutoff)
    return len(cleared)
