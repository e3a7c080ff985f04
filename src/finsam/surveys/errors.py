"""Errors of the surveys app: every message is Swedish and meant for the user."""


class SurveyError(Exception):
    """A refused survey action (a closed round, a used code, an invalid answer...)."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = list(errors or [message])


class CodeRefused(SurveyError):
    """A code that is not (or no longer) valid for the round: unknown and used look the same,
    since a used code leaves no row (the respondent's pages say it in the page's language)."""

    def __init__(self):
        super().__init__("Koden gäller inte. Den kan redan ha använts eller höra till en annan enkät.")


class SurveyFileError(SurveyError):
    """A file that was refused: ``errors`` lists every problem (row/column/value or JSON path)."""

    def __init__(self, errors, warnings=()):
        super().__init__(f"Filen har {len(errors)} fel och har inte lästs in.", errors)
        self.warnings = list(warnings)
