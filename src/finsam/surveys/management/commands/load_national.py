from django.core.management.base import BaseCommand

from finsam.surveys.errors import SurveyFileError
from finsam.surveys.national import load_national
from finsam.tenancy.commands import existing_file, file_refused

from ._common import BULLET


class Command(BaseCommand):
    help = ("Läser in en jämförelsefil för riket (CSV: ar;respondentgrupp;nyckel;n;andel_positiv;antal_forbund). "
            "Ett år i filen ersätter det årets rader. Gäller alla förbund.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = existing_file(file)
        try:
            with path.open("rb") as handle:
                years, rows = load_national(handle, path.name)
        except SurveyFileError as error:
            raise file_refused(path.name, error.errors, bullet=BULLET) from None
        self.stdout.write(f"{path.name}: {rows} rader för {', '.join(map(str, years))}.")
