from finsam.finance.services import import_budget

from ._finance_import import FinanceImportCommand


class Command(FinanceImportCommand):
    help = ("Läser in en budgetfil (.xlsx med bladet Budget, eller .csv): ersätter varje (år, typ, prognosdatum) "
            "som filen innehåller. Allt eller inget.")
    what = "budgetfilen"

    def run_import(self, association, handle, name, dry_run):
        return import_budget(association, handle, filename=name, dry_run=dry_run)
