from django.core.management.base import BaseCommand

from finsam.surveys.answers import import_answers
from finsam.surveys.errors import SurveyFileError
from finsam.tenancy.commands import in_association_scope

from ._common import read_file, refused


class Command(BaseCommand):
    help = "Läser in enkätsvar som samlats in på annat sätt (.csv eller .xlsx): allt eller inget."

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        parser.add_argument("file")

    @in_association_scope()
    def handle(self, *args, association, file, **options):
        path = read_file(file)
        try:
            with path.open("rb") as handle:  # its size is checked before it is read
                summary = import_answers(handle, path.name, association)
        except SurveyFileError as error:
            for warning in error.warnings:
                self.stderr.write(f"Varning: {warning}")
            raise refused(path, error) from None
        for warning in summary.warnings:
            self.stdout.write(f"Varning: {warning}")
        self.stdout.write(f"{path.name}: {summary}.")
