"""What the surveys commands share: reading the file and turning a refusal into exit status 1."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.surveys.errors import SurveyFileError
from finsam.tenancy.commands import in_association_scope


def read_file(file):
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"Filen {file} finns inte.")
    return path


def refused(path, error: SurveyFileError):
    return CommandError(f"Filen {path.name} har {len(error.errors)} fel och har inte lästs in. Ingenting har ändrats.\n"
                        + "\n".join(f"  - {e}" for e in error.errors))


class FileCommand(BaseCommand):
    """A command reading one file into a förbund (``--association``): ``apply(path, association,
    **options)`` returns the summary's lines; a SurveyFileError becomes exit status 1 with every error."""

    def add_options(self, parser):
        pass

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        self.add_options(parser)
        parser.add_argument("file")

    @in_association_scope()
    def handle(self, *args, association, file, **options):
        path = read_file(file)
        try:
            lines = self.apply(path, association, **options)
        except SurveyFileError as error:
            for warning in error.warnings:
                self.stderr.write(f"Varning: {warning}")
            raise refused(path, error) from None
        for line in lines:
            self.stdout.write(line)
