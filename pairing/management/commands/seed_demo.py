"""``manage.py seed_demo [--size {normal,large}]``: the demo organisation (see pairing/demo.py)."""

import time

from django.core.management.base import BaseCommand

from pairing.demo import LARGE_COUNT, LARGE_NAME, LOGINS, PASSWORD, demo_seed


class Command(BaseCommand):
    help = (
        "Create a demo organisation: about 60 people, three programmes, pairings in every "
        "state, check-ins held and due, and a login per role. Re-running changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=["normal", "large"],
            default="normal",
            help=f"large also adds '{LARGE_NAME}' with {LARGE_COUNT:,} participants.",
        )

    def handle(self, *args, size, **options):
        started = time.monotonic()
        result = demo_seed(size=size)
        seconds = time.monotonic() - started
        if result.created:
            self.stdout.write(self.style.SUCCESS("Created the demo organisation."))
        else:
            self.stdout.write("The demo organisation exists already: nothing changed.")
        if result.large_created:
            self.stdout.write(self.style.SUCCESS(f"Created '{LARGE_NAME}'."))
        elif result.large_created is False:
            self.stdout.write(f"'{LARGE_NAME}' exists already: nothing changed.")
        totals = ", ".join(f"{n:,} {what}" for what, n in result.counts.items())
        self.stdout.write(f"{totals} ({seconds:.1f} s)\n")
        width = max(len(login.email) for login in LOGINS)
        self.stdout.write(f"{'role':<11} {'login':<{width}}  password")
        for login in LOGINS:
            row = f"{login.role:<11} {login.email:<{width}}  {PASSWORD}"
            self.stdout.write(f"{row}  ({login.what})")
        self.stdout.write(
            "Everyone else in the demo has no password yet, as people HR imports: press "
            "'Forgotten your password?' with their address (the email appears in the "
            "worker's output), or invite them from a programme's participants table."
        )
