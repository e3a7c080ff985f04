from finsam.finance.services import import_actuals

from ._finance_import import FinanceImportCommand


class Command(FinanceImportCommand):
    help = ("Läser in en utfallsfil från bokföringen (.xlsx med bladet Utfall, eller .csv): ersätter allt utfall "
            "för perioderna som filen innehåller. Allt eller inget.")
    what = "utfallsfilen"

    def run_import(self, association, handle, name, dry_run):
        return import_actuals(association, handle, filename=name, dry_run=dry_run)
