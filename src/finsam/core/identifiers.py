"""Swedish identifier checks shared by several apps (Luhn, organisationsnummer, kommunkod), and the
one detector of identity numbers typed into free text."""

import re
import unicodedata

from django.core.exceptions import ValidationError

ORGANISATIONSNUMMER_RE = re.compile(r"^(\d{6})-?(\d{4})$")
KOMMUNKOD_RE = re.compile(r"^\d{4}$")
# SCB county codes (län) that prefix every kommunkod.
COUNTY_CODES = {
    "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
    "14", "17", "18", "19", "20", "21", "22", "23", "24", "25",
}


def luhn_valid(digits: str) -> bool:
    """Modulus-10 check with weights 2,1,2,1,... from the left, as Skatteverket specifies
    for the last ten digits of personnummer and organisationsnummer."""
    total = 0
    for i, ch in enumerate(digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def normalise_organisationsnummer(value: str) -> str | None:
    """``NNNNNN-NNNN`` when ``value`` is a valid organisationsnummer, else None."""
    match = ORGANISATIONSNUMMER_RE.match(value.strip())
    if not match:
        return None
    digits = match.group(1) + match.group(2)
    # A legal person's number has 20 or more in its "month" digits.
    if int(digits[2:4]) < 20 or not luhn_valid(digits):
        return None
    return f"{match.group(1)}-{match.group(2)}"


def valid_kommunkod(value: str) -> bool:
    return bool(KOMMUNKOD_RE.match(value)) and value[:2] in COUNTY_CODES


# Identity numbers typed where they do not belong (free text, names, references, file cells).
# The only place an identity number may be entered is the personnummer field or column, which
# hashes it (participants/identity.py); anywhere else it would be stored in clear. "Looks like"
# is deliberately wider than a valid number: 10 or 12 digits, optionally a separator before the
# last four (- or +, also the en dash word processors substitute and a space), a plausible birth
# date (samordningsnummer: day + 60), with no digit on either side, also inside other text. The
# check digit is not required: a mistyped number is still someone's number. Organisationsnummer
# have 20 or more in the month digits and so never match.
_IDENTITY_LIKE = re.compile(r"(?<![0-9])(?:18|19|20)?[0-9]{2}([0-9]{2})([0-9]{2})[-+\u2013 ]?[0-9]{4}(?![0-9])")
# What is hidden when a value is shown back to the user (error messages): any run of digits of
# that length, plausible date or not.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{6,8}[-+\u2013 ]?[0-9]{4}(?![0-9])")
IDENTITY_NUMBER_MESSAGE = (
    "får inte innehålla ett personnummer eller samordningsnummer: det skulle sparas i klartext. "
    "Personnummer anges bara i fältet eller kolumnen för personnummer."
)


def _normalised(text):
    # Full-width and other compatibility digits count as digits.
    return unicodedata.normalize("NFKC", str(text))


def contains_identity_number(text) -> bool:
    if not text:
        return False
    for match in _IDENTITY_LIKE.finditer(_normalised(text)):
        month, day = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91):
            return True
    return False


def redact_identity_numbers(text):
    """``text`` with anything shaped like an identity number replaced, for showing a value back."""
    if not text:
        return text
    return _DIGIT_RUN.sub("(nummer dolt)", _normalised(text))


def validate_no_identity_number(value):
    """Django validator for free-text fields; the message never repeats the value."""
    if contains_identity_number(value):
        raise ValidationError(IDENTITY_NUMBER_MESSAGE[:1].upper() + IDENTITY_NUMBER_MESSAGE[1:], code="identity_number")
