"""`manage.py match SLUG [--json] [--commit]`: run matching; a dry run unless --commit."""

import json

from django.core.management.base import BaseCommand, CommandError

from pairing.matchmaking.contract import outcome_to_contract_json
from pairing.matchmaking.runs import MatchingError, program_match, proposals_commit
from programs.models import Program


class Command(BaseCommand):
    help = "Match a programme's participants and show the result; --commit makes proposals."

    def add_arguments(self, parser):
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
        outcome = program_match(program, baseline=False)
        if commit:
            try:
                proposals_commit(program=program, outcome=outcome)
            except MatchingError as error:
                raise CommandError(str(error)) from error
        contract = outcome_to_contract_json(outcome)
        if as_json:
            self.stdout.write(json.dumps(contract, indent=2, ensure_ascii=False))
        else:
            self._table(contract)
        if commit:
            self.stderr.write(f"Committed {len(contract['pairings'])} proposals.")

    def _table(self, contract: dict) -> None:
        objective = contract["objective"]
        self.stdout.write(
            f"{contract['program']} ({contract['kind']}): {len(contract['pairings'])} pairings, "
            f"{objective['matched']} people matched, total score {objective['total_score']:.2f}"
            f"{'' if objective['certified'] else ' (not proven optimal)'}"
        )
        rows = [
            (p["guide"] or p["members"][0], p["members"][-1], f"{p['score']:.2f}")
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
