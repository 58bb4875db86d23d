"""`manage.py create_program SLUG --kind KIND [--name NAME]`: a programme open for enrolment."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programs.models import AuditEvent, Program
from programs.services import audit_record


class Command(BaseCommand):
    help = "Create a programme open for enrolment, with the default rules for its kind."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The programme's short name in addresses.")
        parser.add_argument("--kind", required=True, help=", ".join(Program.Kind.values))
        parser.add_argument("--name", help="Display name (default: made from the slug).")

    def handle(self, *args, slug, kind, name, **options):
        if kind not in Program.Kind.values:
            raise CommandError(
                f"unknown kind {kind!r}; use one of {', '.join(Program.Kind.values)}"
            )
        if Program.objects.filter(slug=slug).exists():
            raise CommandError(f"a programme with the slug {slug!r} already exists")
        program = Program(
            slug=slug,
            name=name or slug.replace("-", " ").replace("_", " ").capitalize(),
            kind=kind,
            status=Program.Status.ENROLLING,
            checkin_cadence_days=Program.DEFAULT_CADENCE_DAYS[kind],
            # As HR's form sets them: booking ranks helpers at or above the asker's level.
            **(Program.SITUATIONAL_GAPS if kind == Program.Kind.SITUATIONAL else {}),
        )
        try:
            program.full_clean()
        except ValidationError as error:
            reasons = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(reasons) from error
        program.save()
        audit_record(
            program=program,
            actor=None,
            action=AuditEvent.Action.CREATED,
            summary=f"Created {program.name} from the command line",
        )
        self.stdout.write(
            f"Created {program.get_kind_display().lower()} programme {program.slug!r} "
            f"({program.name}), open for enrolment"
        )
