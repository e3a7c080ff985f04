from django.core.management.base import BaseCommand

from finsam.surveys.errors import SurveyFileError
from finsam.surveys.national import load_national

from ._common import read_file, refused


class Command(BaseCommand):
    help = ("Läser in en jämförelsefil för riket (CSV: ar;respondentgrupp;nyckel;n;andel_positiv;antal_forbund). "
            "Ett år i filen ersätter det årets rader. Gäller alla förbund.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = read_file(file)
        try:
            with path.open("rb") as handle:
                years, rows = load_national(handle, path.name)
        except SurveyFileError as error:
            raise refused(path, error) from None
        self.stdout.write(f"{path.name}: {rows} rader för {', '.join(map(str, years))}.")
