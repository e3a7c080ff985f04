"""What the surveys commands share: reading the file and turning a refusal into exit status 1."""

from pathlib import Path

from django.core.management.base import CommandError

from finsam.surveys.errors import SurveyFileError


def read_file(file):
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"Filen {file} finns inte.")
    return path


def refused(path, error: SurveyFileError):
    return CommandError(f"Filen {path.name} har {len(error.errors)} fel och har inte lästs in. Ingenting har ändrats.\n"
                        + "\n".join(f"  - {e}" for e in error.errors))
