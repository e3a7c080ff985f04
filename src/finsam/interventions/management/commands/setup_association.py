from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.interventions.association_file import AssociationFileError, apply_association_file


class Command(BaseCommand):
    help = "Skapar eller uppdaterar ett förbund från en förbundsfil (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="förbundsfilen, t.ex. exempelstad.json")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Filen {file} finns inte.")
        try:
            association, summary = apply_association_file(path.read_bytes())
        except AssociationFileError as error:
            raise CommandError(
                f"Förbundsfilen {file} har {len(error.errors)} fel och har inte lästs in:\n"
                + "\n".join(f"  - {e}" for e in error.errors)
            ) from None
        self.stdout.write(f"{association.name} ({association.slug}):")
        for line in summary.lines():
            self.stdout.write(line)
