from finsam.activities.commands import ImportCommand
from finsam.activities.importing import import_measures


class Command(ImportCommand):
    help = "Läser in en måttfil (.xlsx med bladet Matt, eller .csv) till ett förbund: allt eller inget."
    importer = import_measures
    what = "mått"
