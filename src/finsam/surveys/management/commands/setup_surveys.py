from finsam.surveys.setup import apply_survey_file

from ._common import FileCommand


class Command(FileCommand):
    help = "Lägger upp enkätomgångar och enkätmål från en enkätfil (finsam-surveys/1, JSON)."

    def apply(self, path, association, **options):
        return apply_survey_file(path.read_bytes(), association).lines()
