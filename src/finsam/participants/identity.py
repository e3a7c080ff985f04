"""Identity numbers (personnummer, samordningsnummer): validation, derived facts, keyed hash.

The number itself is never stored: :func:`person_key` turns it into an HMAC-SHA256 keyed by the
installation secret ``FINSAM_PERSON_KEY``. Birth year, birth month and legal gender are derived
before hashing. See docs/privacy.md for key rotation.
"""

import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings

from finsam.core.identifiers import luhn_valid

_PATTERN = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")


class InvalidIdentityNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdentityNumber:
    digits: str  # twelve digits, century included
    birth_date: datetime.date
    coordination: bool  # samordningsnummer (day + 60)

    @property
    def legal_gender(self):
        """From the next-to-last digit: odd = man, even = kvinna (the national count's rule)."""
        return "man" if int(self.digits[10]) % 2 else "kvinna"


def parse_identity_number(value, *, today=None):
    """Validate ``value`` (10 or 12 digits, optional ``-``/``+``); raise InvalidIdentityNumber with
    a Swedish message that never repeats the number itself."""
    today = today or datetime.date.today()
    text = str(value).strip().replace(" ", "")
    match = _PATTERN.match(text)
    if not match:
        raise InvalidIdentityNumber("ska ha 10 eller 12 siffror, t.ex. ÅÅÅÅMMDD-NNNN")
    century, short, sign, tail = match.groups()
    if century and sign == "+":
        raise InvalidIdentityNumber("'+' används bara med 10 siffror")
    yy, month, day = int(short[:2]), int(short[2:4]), int(short[4:6])
    coordination = day > 60
    if coordination:
        day -= 60
    if century:
        year = int(century) * 100 + yy
    else:
        # The most recent year ending in yy not in the future; '+' means 100 years or older.
        year = today.year - ((today.year - yy) % 100)
        if sign == "+":
            year -= 100
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise InvalidIdentityNumber("innehåller inget giltigt datum") from None
    if not century and sign != "+" and birth_date > today:
        birth_date = birth_date.replace(year=year - 100)
        year -= 100
    if birth_date > today:
        raise InvalidIdentityNumber("födelsedatumet ligger i framtiden")
    if not luhn_valid(short + tail):
        raise InvalidIdentityNumber("kontrollsiffran stämmer inte")
    return IdentityNumber(f"{year:04d}{short[2:]}{tail}", birth_date, coordination)


def person_key(identity: IdentityNumber, key=None):
    """The keyed hash that stands for a person. Same person, same installation key: same value."""
    secret = (key or settings.FINSAM_PERSON_KEY).encode()
    return hmac.new(secret, identity.digits.encode(), hashlib.sha256).hexdigest()


def person_keys(identity: IdentityNumber):
    """Every key the person may be stored under: the current one first, then the one from before
    a key rotation (FINSAM_PERSON_KEY_PREVIOUS), if set. See docs/privacy.md."""
    keys = [person_key(identity)]
    previous = getattr(settings, "FINSAM_PERSON_KEY_PREVIOUS", "")
    if previous:
        keys.append(person_key(identity, key=previous))
    return keys
