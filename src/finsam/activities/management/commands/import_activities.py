from finsam.activities.commands import ImportCommand
from finsam.activities.importing import import_activities


class Command(ImportCommand):
    help = "Läser in en aktivitetsfil (.xlsx med bladet Aktiviteter, eller .csv) till ett förbund: allt eller inget."
    importer = import_activities
    what = "aktiviteter"
