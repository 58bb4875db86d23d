"""The fault runs' mail server: Django's file backend with a mail server's latency, so a
worker killed at a random moment is often caught mid-send. Half the delay comes before the
message is written (the mail server has not taken it yet), half after (taken, but the
worker has not heard back). EMAIL_BACKEND=tests.load.slowmail.EmailBackend."""

import os
import time

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    delay = float(os.environ.get("LOAD_MAIL_DELAY", "0.4"))

    def __init__(self, *args, file_path=None, **kwargs):
        # settings.py passes file_path only to Django's own file backend.
        super().__init__(*args, file_path=file_path or os.environ["EMAIL_FILE_PATH"], **kwargs)

    def send_messages(self, email_messages):
        time.sleep(self.delay / 2)
        sent = super().send_messages(email_messages)  # written and flushed
        time.sleep(self.delay / 2)
        return sent
