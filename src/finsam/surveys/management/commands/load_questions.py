from django.core.management.base import BaseCommand

from finsam.surveys.errors import SurveyFileError
from finsam.surveys.questions import load_question_set
from finsam.tenancy.commands import in_association_scope

from ._common import read_file, refused


class Command(BaseCommand):
    help = "Läser in en frågeuppsättning (finsam-questions/1, JSON) till ett förbund."

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        parser.add_argument("--bekrafta-nns-avtal", dest="confirmed_by", metavar="NAMN",
                            help="krävs för NNS frågor: namnet på den som bekräftar att förbundet har avtal med NNS "
                                 "(sparas med tidpunkten)")
        parser.add_argument("file")

    @in_association_scope()
    def handle(self, *args, association, file, confirmed_by=None, **options):
        path = read_file(file)
        try:
            summary = load_question_set(path.read_bytes(), association, confirmed_by=confirmed_by)
        except SurveyFileError as error:
            raise refused(path, error) from None
        for line in summary.lines():
            self.stdout.write(line)
