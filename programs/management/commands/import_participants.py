"""`manage.py import_participants SLUG FILE.csv`: all rows or, on any bad row, none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.importing import ImportRejected, participants_import
from programs.models import Program


class Command(BaseCommand):
    help = (
        "Import participants from a CSV file (see DESIGN.md); a file with errors imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The programme to enrol them in.")
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, header row).")

    def handle(self, *args, slug, file, **options):
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(f"no programme with the slug {slug!r}")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        try:
            result = participants_import(program=program, text=data)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(rejected.errors)} bad rows in {file}; nothing imported"
            ) from rejected
        self.stdout.write(f"{program.slug}: {result.summary}")
