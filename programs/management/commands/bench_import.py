"""`manage.py bench_import [--rows N | --file F.csv]`: the participants import benchmark,
bulk against the row-by-row reference, as JSON on stdout. The database is left as found."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.benchmarks.bench import BenchmarkInputError, benchmark
from programs.importing import ImportRejected


class Command(BaseCommand):
    help = (
        "Time the participants import (bulk) against the row-by-row reference on the same "
        "file and database, each from the same starting state; prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=12_500, help="Rows of the made-up file.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the made-up file.")
        parser.add_argument("--file", type=Path, help="A participants CSV to use instead.")
        parser.add_argument(
            "--no-memory",
            dest="memory",
            action="store_false",
            help="Skip the peak-memory runs (tracemalloc makes the reference path very slow).",
        )

    def handle(self, *args, rows, seed, file, memory, **options):
        text = None
        if file is not None:
            try:
                text = file.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"cannot read {file}: {error}") from error
        try:
            report = benchmark(rows=rows, text=text, seed=seed, memory=memory)
        except BenchmarkInputError as error:
            raise CommandError(str(error)) from error
        except ImportRejected as rejected:
            raise CommandError(f"the file has errors: {rejected.errors[0]}") from rejected
        self.stdout.write(json.dumps(report, indent=2))
