"""The shared body of ``import-budget`` and ``import-actuals``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.finance.importing import FinanceInputError
from finsam.tenancy.commands import in_association_scope


class FinanceImportCommand(BaseCommand):
    what = ""  # "budgetfilen", "utfallsfilen"

    def run_import(self, association, handle, name, dry_run):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        parser.add_argument("--dry-run", action="store_true",
                            help="kontrollera filen och visa sammanfattningen utan att spara något")
        parser.add_argument("file")

    @in_association_scope()
    def handle(self, *args, association, file, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Filen {file} finns inte.")
        try:
            with path.open("rb") as handle:
                summary = self.run_import(association, handle, path.name, dry_run)
        except FinanceInputError as refused:
            raise CommandError(
                f"{self.what.capitalize()} {path.name} har {len(refused.errors)} fel och har inte lästs in. "
                "Ingenting har ändrats.\n" + "\n".join(f"  {e}" for e in refused.errors)
            ) from None
        self.stdout.write(f"{path.name}:")
        for line in summary.lines():
            self.stdout.write(f"  {line}")
