"""`manage.py import_directory FILE.csv`: the directory, all rows or, on any bad row, none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.csvfiles import ImportRejected
from programs.directory_import import directory_import


class Command(BaseCommand):
    help = (
        "Import the people directory from a CSV file (email,name,department,title,level,"
        "manager_email,time_zone,active; see DESIGN.md); a file with errors imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, header row).")

    def handle(self, *args, file, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        try:
            result = directory_import(text=data)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(rejected.errors)} bad rows in {file}; nothing imported"
            ) from rejected
        self.stdout.write(f"directory: {result.summary}")
