"""Run the reminder dispatcher once, in this process: for cron-style deployments (no
Celery) and for checking by hand. Run twice in a row, the second run sends nothing."""

from django.core.management.base import BaseCommand, CommandError

from pairing.reminders import Outcome, reminder_send, reminders_dispatch


class Command(BaseCommand):
    help = "Send every reminder that is due, each exactly once, and print how many were sent."

    def handle(self, *args, **options):
        sent = failed = 0
        for reminder_id in reminders_dispatch():
            try:
                outcome = reminder_send(reminder_id=reminder_id)
            except Exception as exc:
                # The row is released with the error recorded; the next run tries again.
                failed += 1
                self.stderr.write(f"Reminder {reminder_id} not sent: {exc}")
            else:
                sent += outcome == Outcome.SENT
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
        if failed:
            raise CommandError(f"{failed} reminder(s) could not be sent; the next run retries.")
