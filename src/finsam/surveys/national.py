"""The national comparison file (CSV ``ar;respondentgrupp;nyckel;n;andel_positiv;antal_forbund``).

Its rows are the national network's figures, the same for every förbund: ``NationalComparison``
has no förbund and no scope (docs/decisions.md, "National comparison rows"). A year in the file
replaces that year; every förbund's reports show them, so every förbund's data is marked changed.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from finsam.participants.files import FileRefused, read_table
from finsam.participants.importing import RowError, normalise_header
from finsam.tenancy.models import Association, mark_data_changed

from . import codes
from .errors import SurveyFileError
from .models import NationalComparison

COLUMNS = ("ar", "respondentgrupp", "nyckel", "n", "andel_positiv", "antal_forbund")


def _integer(text):
    text = str(text).strip().replace(" ", "").replace("\u00a0", "")
    return int(text) if text.isdigit() and len(text) <= 9 else None


def parse_national(source, filename):
    try:
        header, rows, warnings = read_table(source, filename)
    except FileRefused as refused:
        raise SurveyFileError([str(refused)]) from None
    names = [normalise_header(h) for h in header]
    errors = []
    for index, name in enumerate(names):
        if name not in COLUMNS:
            errors.append(RowError(1, str(header[index] or ""), "", f"okänd kolumn. Tillåtna: {';'.join(COLUMNS)}."))
    for name in COLUMNS:
        if name not in names:
            errors.append(RowError(1, name, "", "kolumnen saknas."))
    if errors:
        raise SurveyFileError([str(e) for e in errors], warnings)
    parsed, seen = [], {}
    for offset, values in enumerate(rows):
        line = offset + 2
        cells = {n: (v.strip() if isinstance(v, str) else v) for n, v in zip(names, values)}
        if all(v in (None, "") for v in cells.values()):
            continue
        year = _integer(cells.get("ar") or "")
        if year is None or not 2000 <= year <= 2100:
            errors.append(RowError(line, "ar", str(cells.get("ar") or ""), "ska vara ett årtal, t.ex. 2024."))
        group = str(cells.get("respondentgrupp") or "")
        if not group or len(group) > 50 or not group.replace("_", "").isalnum():
            errors.append(RowError(line, "respondentgrupp", group, f"en respondentgrupps kod (t.ex. "
                                                                   f"{codes.RESPONDENT_GROUP.codes[0]}) eller totalt."))
        key = str(cells.get("nyckel") or "")
        if not key or len(key) > 50 or not key.replace("_", "").replace(".", "").isalnum():
            errors.append(RowError(line, "nyckel", key, "en frågas nyckel eller en indikators kod."))
        n = _integer(cells.get("n") or "")
        if n is None:
            errors.append(RowError(line, "n", str(cells.get("n") or ""), "ska vara ett heltal."))
        associations = _integer(cells.get("antal_forbund") or "")
        if associations is None:
            errors.append(RowError(line, "antal_forbund", str(cells.get("antal_forbund") or ""), "ska vara ett heltal."))
        share_text = str(cells.get("andel_positiv") or "").replace(",", ".")
        try:
            share = Decimal(share_text)
            if not share.is_finite() or not 0 <= share <= 1:
                raise InvalidOperation
        except InvalidOperation:
            errors.append(RowError(line, "andel_positiv", str(cells.get("andel_positiv") or ""),
                                   "ska vara en andel mellan 0 och 1, t.ex. 0,81."))
            share = None
        identity = (year, group, key)
        if identity in seen:
            errors.append(RowError(line, "nyckel", key, f"samma år, grupp och nyckel som på rad {seen[identity]}."))
        seen[identity] = line
        parsed.append({"year": year, "respondent_group": group, "key": key, "n": n,
                       "share_positive": share and share.quantize(Decimal("0.0001")), "associations": associations})
    if errors:
        raise SurveyFileError([str(e) for e in errors], warnings)
    return parsed, warnings


def load_national(source, filename):
    """Replace the years of the file with its rows. Returns (years, number of rows)."""
    rows, _ = parse_national(source, filename)
    years = sorted({r["year"] for r in rows})
    with transaction.atomic():
        NationalComparison.objects.filter(year__in=years).delete()
        NationalComparison.objects.bulk_create([NationalComparison(**r) for r in rows])
        for association_id in Association.objects.values_list("pk", flat=True):
            mark_data_changed(association_id)
    return years, len(rows)
