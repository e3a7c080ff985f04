"""Reading a JSON file of the surveys app safely: size limit first, then JSON, then its format."""

import json

from django.conf import settings

from .errors import SurveyFileError


def read_json(raw, expected_format):
    """The decoded document (a dict) of ``raw`` (bytes, str or dict) whose ``format`` must be
    ``expected_format``; SurveyFileError otherwise."""
    if isinstance(raw, (bytes, str)):
        limit = settings.FINSAM_UPLOAD_MAX_BYTES
        if len(raw) > limit:
            raise SurveyFileError([f"Filen är för stor ({len(raw) // 1024 // 1024} MB); högst "
                                   f"{limit // 1024 // 1024} MB går att läsa in."])
        if (b"\x00" if isinstance(raw, bytes) else "\x00") in raw:
            raise SurveyFileError(["Filen innehåller ett nolltecken (NUL) och är ingen JSON-fil."])
        try:
            raw = json.loads(raw)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            detail = error if isinstance(error, json.JSONDecodeError) else "för djupt nästlad, för långa tal eller fel teckenkodning"
            raise SurveyFileError([f"Filen är ingen giltig JSON: {detail}"]) from None
    if not isinstance(raw, dict):
        raise SurveyFileError(["Filen ska innehålla ett JSON-objekt ({…})."])
    if raw.get("format") != expected_format:
        raise SurveyFileError([f"format: ska vara \"{expected_format}\" (filen säger {json.dumps(raw.get('format'))[:60]})."])
    return raw


def plain(value):
    """A JSON value as a lookup key: text and whole numbers as they are, None as None, anything else
    (a list, an object, true/false, a decimal) as its text, which names nothing, so that it is
    reported as unknown instead of breaking the lookup."""
    if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return str(value)[:60]
