from finsam.surveys.answers import import_answers

from ._common import FileCommand


class Command(FileCommand):
    help = "Läser in enkätsvar som samlats in på annat sätt (.csv eller .xlsx): allt eller inget."

    def apply(self, path, association, **options):
        with path.open("rb") as handle:  # its size is checked before it is read
            summary = import_answers(handle, path.name, association)
        return [*(f"Varning: {w}" for w in summary.warnings), f"{path.name}: {summary}."]
