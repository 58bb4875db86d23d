"""`manage.py bench_matching`: the matching benchmark, as JSON on stdout."""

import json

from django.core.management.base import BaseCommand, CommandError

# The benchmark module by name: it is a public part of the engine package, but not one the
# package imports itself (the production path never loads it).
from pairing.match_bench import program_write, whole_process_benchmark
from pairing.matching import KINDS, bench


class Command(BaseCommand):
    help = (
        "Benchmark the matching engine on a synthetic organisation against a greedy pass "
        "and the dense exact reference, with the rank table for synthetic rankings beside "
        "deferred acceptance (peers: stable roommates); prints JSON. --whole-process times "
        "`match --json` as a process on a throwaway SQLite database instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=[*KINDS, "all"], default="all")
        parser.add_argument("--learners", type=int, default=10_000, help="Mentees (mentoring).")
        parser.add_argument("--guides", type=int, default=2_000, help="Mentors (mentoring).")
        parser.add_argument("--capacity", type=int, default=5, help="Places per mentor.")
        parser.add_argument(
            "--peers",
            type=int,
            default=5_000,
            help="Pool size (peer coaching, circles, co-development).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--no-reference",
            action="store_true",
            help="Skip the dense reference solver (it needs ~20 s and 1.6 GB at the defaults).",
        )
        parser.add_argument(
            "--waited",
            type=float,
            default=0.0,
            help="Also time the same pool with this fraction of mentees (or peers) marked as "
            "left out last round, served first (a waited_cost entry per report).",
        )
        parser.add_argument(
            "--whole-process",
            action="store_true",
            help="Time `manage.py match SLUG --json` as a subprocess on the synthetic mentoring "
            "organisation, written to a throwaway SQLite file, against the dense reference on "
            "the same people (mentoring only; the configured database is not touched).",
        )
        parser.add_argument(
            "--repeat", type=int, default=3, help="Runs of the command (--whole-process)."
        )
        parser.add_argument(
            "--write-program",
            metavar="SLUG",
            help="Write the synthetic mentoring organisation into the CONFIGURED database as "
            "programme SLUG and stop (what --whole-process runs in its throwaway database).",
        )

    def handle(self, *args, **options):
        try:
            if options["write_program"]:
                self._write(options)
                return
            if options["whole_process"]:
                reports = whole_process_benchmark(
                    learners=options["learners"],
                    guides=options["guides"],
                    capacity=options["capacity"],
                    seed=options["seed"],
                    repeat=options["repeat"],
                )
            else:
                reports = bench.benchmark_all(
                    kind=options["kind"],
                    learners=options["learners"],
                    guides=options["guides"],
                    capacity=options["capacity"],
                    peers=options["peers"],
                    seed=options["seed"],
                    no_reference=options["no_reference"],
                    waited=options["waited"],
                )
        except (bench.BenchmarkInputError, RuntimeError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(reports, indent=2))

    def _write(self, options) -> None:
        if options["capacity"] < 1:
            raise CommandError(f"--capacity must be 1 or more, not {options['capacity']}")
        people = bench.synthetic_org(
            "mentoring",
            options["learners"],
            options["guides"],
            options["capacity"],
            options["seed"],
        )
        try:
            program = program_write(slug=options["write_program"], people=people)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(f"Wrote {len(people)} participants to programme {program.slug!r}.")
