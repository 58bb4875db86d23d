"""Emails sent at most once per person and thing, whoever (task, retry, duplicate) asks."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction

from pairing.models import SentNotice
from programs.models import Participant


def send_once(*, key: str, participant: Participant, send: Callable[[], None]) -> bool:
    """Call ``send`` unless ``key`` was already sent to ``participant`` (see SentNotice);
    True when it sent now. A failed send releases the claim and raises, for the task's
    retry. A worker killed between the claim and the send loses that one email."""
    try:
        with transaction.atomic():
            notice = SentNotice.objects.create(key=key, participant=participant)
    except IntegrityError:
        return False
    try:
        send()
    except Exception:
        SentNotice.objects.filter(pk=notice.pk).delete()
        raise
    return True
