from django.core.management.base import BaseCommand

from finsam.surveys.errors import SurveyFileError
from finsam.surveys.setup import apply_survey_file
from finsam.tenancy.commands import in_association_scope

from ._common import read_file, refused


class Command(BaseCommand):
    help = "Lägger upp enkätomgångar och enkätmål från en enkätfil (finsam-surveys/1, JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        parser.add_argument("file")

    @in_association_scope()
    def handle(self, *args, association, file, **options):
        path = read_file(file)
        try:
            summary = apply_survey_file(path.read_bytes(), association)
        except SurveyFileError as error:
            raise refused(path, error) from None
        for line in summary.lines():
            self.stdout.write(line)
