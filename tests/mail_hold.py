"""A mail backend for a worker the tests kill mid-send: it writes the Message-ID of what it
was handed to $MAIL_HOLD_DIR/held, then hangs, as a mail server that stalls would, so
nothing is delivered. Only tests/pairing/test_worker_crash.py's worker uses it."""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class HoldingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        held = Path(os.environ["MAIL_HOLD_DIR"]) / "held"
        held.write_text("\n".join(m.extra_headers.get("Message-ID", "") for m in email_messages))
        time.sleep(600)  # the test kills the worker long before this returns
        return 0
