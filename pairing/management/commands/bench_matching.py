"""`manage.py bench_matching`: the matching benchmark, as JSON on stdout."""

import json

from django.core.management.base import BaseCommand, CommandError

# The benchmark module by name: it is a public part of the engine package, but not one the
# package imports itself (the production path never loads it).
from pairing.matching import KINDS, bench


class Command(BaseCommand):
    help = (
        "Benchmark the matching engine on a synthetic organisation against a greedy pass "
        "and the dense exact reference; prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=[*KINDS, "all"], default="all")
        parser.add_argument("--learners", type=int, default=10_000, help="Mentees (mentoring).")
        parser.add_argument("--guides", type=int, default=2_000, help="Mentors (mentoring).")
        parser.add_argument("--capacity", type=int, default=5, help="Places per mentor.")
        parser.add_argument("--peers", type=int, default=5_000, help="Pool size (peer coaching).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--no-reference",
            action="store_true",
            help="Skip the dense reference solver (it needs ~20 s and 1.6 GB at the defaults).",
        )

    def handle(self, *args, **options):
        try:
            reports = bench.benchmark_all(
                kind=options["kind"],
                learners=options["learners"],
                guides=options["guides"],
                capacity=options["capacity"],
                peers=options["peers"],
                seed=options["seed"],
                no_reference=options["no_reference"],
            )
        except bench.BenchmarkInputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(reports, indent=2))
