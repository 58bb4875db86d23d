"""`manage.py match SLUG [--json] [--commit]`: run matching; a dry run unless --commit."""

import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from pairing.matching import GROUP_KINDS
from pairing.matchmaking.contract import outcome_to_contract_json
from pairing.matchmaking.runs import MatchingError, program_match, proposals_commit
from programs.models import Program


class Command(BaseCommand):
    help = "Match a programme's participants and show the result; --commit makes proposals."
    # The system checks import every URL module and view (a second or more on the command
    # line); matching needs none of them, and `manage.py check` and CI run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        # Django offers --skip-checks only to commands that run the checks; scripts written
        # for every command pass it, so it is accepted here and changes nothing.
        parser.add_argument("--skip-checks", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("slug", help="The programme to match.")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print the result as JSON."
        )
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Write the pairs as proposals (replacing unanswered ones) and email them.",
        )

    def handle(self, *args, slug, as_json: bool, commit: bool, **options):
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(f"no programme with the slug {slug!r}")
        # No greedy baseline: the contract has no place for it (HR's runs show it).
        try:
            outcome = program_match(program, baseline=False)
        except MatchingError as error:
            raise CommandError(str(error)) from error
        if commit:
            try:
                proposals_commit(program=program, outcome=outcome)
            except MatchingError as error:
                raise CommandError(str(error)) from error
        contract = outcome_to_contract_json(outcome)
        if as_json:
            self.stdout.write(_json_lines(contract))
        else:
            self._table(contract)
        if commit:
            self.stderr.write(f"Committed {len(contract['pairings'])} proposals.")

    def _table(self, contract: dict) -> None:
        objective = contract["objective"]
        unit = "groups" if contract["kind"] in GROUP_KINDS else "pairings"
        self.stdout.write(
            f"{contract['program']} ({contract['kind']}): {len(contract['pairings'])} {unit}, "
            f"{objective['matched']} people matched, total score {objective['total_score']:.2f}"
            f"{'' if objective['certified'] else ' (not proven optimal)'}"
        )
        # The guide (or first peer), then everyone else in the pairing or group.
        rows = [
            (
                p["guide"] or p["members"][0],
                ", ".join(p["members"] if p["guide"] else p["members"][1:]),
                f"{p['score']:.2f}",
            )
            for p in contract["pairings"]
        ]
        if rows:
            widths = [max(len(row[i]) for row in rows) for i in range(2)]
            self.stdout.write("")
            for first, second, score in rows:
                self.stdout.write(f"  {first:<{widths[0]}}  {second:<{widths[1]}}  {score:>6}")
        for item in contract["unmatched"]:
            self.stdout.write(f"Unmatched {item['email']}: {'; '.join(item['reasons'])}")
        for item in contract["spare_capacity"]:
            self.stdout.write(f"Spare capacity {item['email']}: {item['free']}")


def _json_lines(contract: dict) -> str:
    """The contract as JSON with one pairing (or unmatched person) per line.

    ``json.dumps(indent=...)`` falls back to the pure-Python encoder: for 10,000 pairings
    that is a noticeable part of the command's time. Each item goes through the C encoder
    instead, and the output stays readable and line-oriented (grep, diff).
    """
    fields = []
    for key, value in contract.items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in value)
            fields.append(f"  {name}: [\n{items}\n  ]")
        else:
            fields.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(fields) + "\n}"
