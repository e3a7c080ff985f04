"""Deployment checks of the project's own (``finsam check --deploy``).

Django checks SECRET_KEY only for length and five different characters, and nothing checks
FINSAM_PERSON_KEY: with a guessable person key every identity number could be recovered from
the stored hashes (the numbers are few enough to try them all), so it must be as strong as a
random 256-bit key. Hosts must be named: a wildcard lets any Host header through, which poisons
the absolute links Django builds.
"""

import math
import string

from django.conf import settings
from django.core.checks import Error, Tags, register

MIN_KEY_LENGTH = 32
MIN_KEY_BITS = 256
MIN_DISTINCT_CHARACTERS = 12
GENERATE_HINT = 'Skapa en ny slumpnyckel, t.ex. med python -c "import secrets; print(secrets.token_urlsafe(50))".'

CHARACTER_CLASSES = (
    (set(string.ascii_lowercase), 26),
    (set(string.ascii_uppercase), 26),
    (set(string.digits), 10),
)
OTHER_CHARACTERS = 33  # printable ASCII punctuation and space; anything else counts as this too


def entropy_bits(key):
    """What the key would hold if each character were drawn at random from the character classes
    it uses. Generous for keys made by hand, so :func:`key_weaknesses` also refuses the usual
    ways of making one: too short, few different characters, one character much repeated, a
    repeated pattern or a run like abcdef."""
    used = set(key)
    alphabet = sum(size for members, size in CHARACTER_CLASSES if used & members)
    if used - set().union(*(members for members, _ in CHARACTER_CLASSES)):
        alphabet += OTHER_CHARACTERS
    return len(key) * math.log2(alphabet) if alphabet > 1 else 0.0


def _period(key):
    """The length of the shortest string the key is a repetition of (the key's own length if none)."""
    for length in range(1, len(key) // 2 + 1):
        if all(key[i] == key[i % length] for i in range(len(key))):
            return length
    return len(key)


def key_weaknesses(key):
    """Why ``key`` is too weak to be a secret, in Swedish; empty when it is strong enough."""
    if len(key) < MIN_KEY_LENGTH:
        return [f"den är för kort ({len(key)} tecken, minst {MIN_KEY_LENGTH})"]
    problems = []
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        problems.append(f"den har för få olika tecken ({len(set(key))}, minst {MIN_DISTINCT_CHARACTERS})")
    most_common = max(key.count(c) for c in set(key))
    if most_common * 4 > len(key):
        problems.append("ett och samma tecken utgör mer än en fjärdedel av den")
    if _period(key) < len(key):
        problems.append("den upprepar en kortare teckenföljd")
    steps = sum(1 for a, b in zip(key, key[1:]) if abs(ord(a) - ord(b)) <= 1)
    if steps * 2 >= len(key) - 1:
        problems.append("den består mest av följder som abcd eller 1234")
    bits = entropy_bits(key)
    if bits < MIN_KEY_BITS:
        problems.append(f"den rymmer för lite slump (uppskattat {bits:.0f} bitar, minst {MIN_KEY_BITS})")
    return problems


def _key_error(name, key, check_id):
    problems = key_weaknesses(key)
    if not problems:
        return []
    return [Error(f"{name} är för svag: {'; '.join(problems)}.", hint=GENERATE_HINT, id=check_id)]


@register(Tags.security, deploy=True)
def check_secret_keys(app_configs, **kwargs):
    errors = _key_error("FINSAM_PERSON_KEY", settings.FINSAM_PERSON_KEY, "finsam.E001")
    if settings.FINSAM_PERSON_KEY_PREVIOUS:
        # Still used to find people during a rotation, so it protects the same numbers.
        errors += _key_error("FINSAM_PERSON_KEY_PREVIOUS", settings.FINSAM_PERSON_KEY_PREVIOUS, "finsam.E002")
    errors += _key_error("SECRET_KEY", settings.SECRET_KEY, "finsam.E003")
    if settings.FINSAM_PERSON_KEY in (settings.SECRET_KEY, settings.FINSAM_PERSON_KEY_PREVIOUS):
        errors.append(
            Error(
                "FINSAM_PERSON_KEY får inte vara samma som SECRET_KEY eller FINSAM_PERSON_KEY_PREVIOUS.",
                hint="Varje hemlighet ska vara en egen slumpnyckel. " + GENERATE_HINT,
                id="finsam.E004",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs, **kwargs):
    loose = [host for host in settings.ALLOWED_HOSTS if not host.strip() or "*" in host or host.startswith(".")]
    if not loose and settings.ALLOWED_HOSTS:
        return []
    shown = ", ".join(repr(host) for host in loose) or "(ingen)"
    return [
        Error(
            f"ALLOWED_HOSTS får bara innehålla namngivna värdnamn, inte jokertecken eller tomma värden: {shown}.",
            hint="Ange tjänstens värdnamn, t.ex. ALLOWED_HOSTS=finsam.example.se (flera med kommatecken).",
            id="finsam.E005",
        )
    ]
