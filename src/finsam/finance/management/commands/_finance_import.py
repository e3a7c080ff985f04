"""The shared body of ``import-budget`` and ``import-actuals`` (tenancy.commands.FileCommand)."""

from finsam.finance.importing import FinanceInputError
from finsam.tenancy.commands import FileCommand


class FinanceImportCommand(FileCommand):
    what = ""  # "budgetfilen", "utfallsfilen"
    refusals = (FinanceInputError,)
    dry_run = True

    @property
    def noun(self):
        return self.what.capitalize()

    def run_import(self, association, handle, name, dry_run):
        raise NotImplementedError

    def apply(self, path, association, dry_run=False, **options):
        with path.open("rb") as handle:
            summary = self.run_import(association, handle, path.name, dry_run)
        return [f"{path.name}:", *(f"  {line}" for line in summary.lines())]
