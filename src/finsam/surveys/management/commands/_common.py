"""What the surveys commands share beyond tenancy.commands.FileCommand: SurveyFileError refuses a
file, and its errors are listed as "  - …"."""

from finsam.surveys.errors import SurveyFileError
from finsam.tenancy import commands

BULLET = "  - "


class FileCommand(commands.FileCommand):
    """A command reading one file into a förbund (``--association``): ``apply(path, association,
    **options)`` returns the summary's lines; a SurveyFileError becomes exit status 1 with every error."""

    refusals = (SurveyFileError,)
    bullet = BULLET
