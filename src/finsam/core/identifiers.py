"""Swedish identifier checks shared by several apps (Luhn, organisationsnummer, kommunkod)."""

import re

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
