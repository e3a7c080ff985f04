from finsam.surveys.questions import load_question_set

from ._common import FileCommand


class Command(FileCommand):
    help = "Läser in en frågeuppsättning (finsam-questions/1, JSON) till ett förbund."

    def add_options(self, parser):
        parser.add_argument("--bekrafta-nns-avtal", dest="confirmed_by", metavar="NAMN",
                            help="krävs för NNS frågor: namnet på den som bekräftar att förbundet har avtal med NNS "
                                 "(sparas med tidpunkten)")

    def apply(self, path, association, confirmed_by=None, **options):
        return load_question_set(path.read_bytes(), association, confirmed_by=confirmed_by).lines()
