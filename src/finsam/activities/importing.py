"""The activity file and the measures file: read through the participant import's safe reader,
every row checked by the rules of rows.py, all or nothing, idempotent (import-format.md).

``import_activities(data, filename, ctx, user)`` and ``import_measures(...)`` raise
``ImportRefused`` with every error (row, column, value, what is allowed) or return an
``ImportSummary`` (created, updated, unchanged). The write is one transaction holding the förbund's
write lock (participants.services.lock_participant_writes: on PostgreSQL the advisory lock the
participant import takes); the database's unique constraints are the last word, so two imports of
one file at once give the rows once and the second a summary of unchanged rows.
"""

from django.db import IntegrityError, transaction

from finsam.participants.files import FileRefused, read_table
from finsam.participants.importing import ImportRefused, ImportSummary, RowError, normalise_header
from finsam.participants.services import lock_participant_writes
from finsam.tenancy.models import mark_data_changed

from . import codes, rows
from .models import Activity, MeasureValue

ACTIVITY_FIELDS = (
    "intervention", "reference", "kind", "title", "date", "occasions", "end_date", "series", "status", "organisers",
    "format", "audience", "target_groups", "attendees", "attendees_women", "attendees_men", "attendees_other",
    "by_organisation", "by_role", "answers", "recommend_yes", "recommend_no", "rating_1", "rating_2", "rating_3",
    "rating_4", "rating_5", "comment",
)
MEASURE_FIELDS = ("intervention", "measure", "start", "end", "value", "comment")


class _File:
    """One file's rows as dicts of column code -> cell, after its header is checked."""

    def __init__(self, data, filename, sheet, columns, required, what):
        self.errors, self.warnings, self.lines = [], [], []
        try:
            header, values, warnings = read_table(data, filename, sheet=sheet)
        except FileRefused as refused:
            self.errors.append(RowError(1, "", "", str(refused)))
            return
        self.warnings.extend(warnings)
        names = [normalise_header(h) for h in header]
        for index, name in enumerate(names):
            if name not in columns:
                self.errors.append(RowError(1, header[index], "", f"okänd kolumn. Tillåtna kolumner: {', '.join(columns)}."))
            elif names.index(name) != index:
                self.errors.append(RowError(1, header[index], "", "kolumnen förekommer flera gånger."))
        for column in required:
            if column not in names:
                self.errors.append(RowError(1, column, "", "kolumnen saknas men är obligatorisk."))
        if self.errors:
            return
        for offset, cells in enumerate(values):
            raw = {names[i]: cells[i] if i < len(cells) else None for i in range(len(names))}
            if all(rows.text(v) == "" for v in raw.values()):
                continue
            self.lines.append((offset + 2, raw))
        if not self.lines:
            self.errors.append(RowError(2, "", "", f"filen har inga rader med {what}."))


def _error_collector(errors, line, raw):
    def error(column, message, value=None):
        shown = raw.get(column) if value is None else value
        errors.append(RowError(line, column, rows.text(shown), message))
    return error


def _validate(file, clean, identity, twice):
    """(cleaned rows with their line, errors, warnings): each row through ``clean``; a row with the
    ``identity`` of an earlier one is reported by ``twice(row, earlier line)`` -> (column, message)."""
    errors, cleaned, seen = list(file.errors), [], {}
    for line, raw in file.lines:
        row = clean(raw, _error_collector(errors, line, raw))
        if row is None:
            continue
        key = identity(row)
        if key in seen:
            column, message = twice(row, seen[key])
            errors.append(RowError(line, column, "", message))
            continue
        seen[key] = line
        row["line"] = line
        cleaned.append(row)
    return cleaned, errors, file.warnings


# --- activities -------------------------------------------------------------------------------------

def validate_activities(data, filename, ctx):
    """(cleaned rows with their line, errors, warnings) of an activity file."""
    file = _File(data, filename, "Aktiviteter", rows.ACTIVITY_COLUMNS, rows.ACTIVITY_REQUIRED, "aktiviteter")

    def twice(row, earlier):
        words = "referens" if row["reference"] else "insats, typ, datum och titel"
        return ("referens" if row["reference"] else "titel", f"samma aktivitet som på rad {earlier} (samma {words}).")

    return _validate(file, lambda raw, error: rows.clean_activity(raw, ctx, error), rows.activity_identity, twice)


def stored_activity(association, row):
    if row["reference"]:
        return Activity.objects.filter(association=association, reference=row["reference"]).first()
    return Activity.objects.filter(association=association, reference="", intervention=row["intervention"],
                                   kind=row["kind"], date=row["date"], title=row["title"]).first()


def import_activities(data, filename, ctx, user=None):
    cleaned, errors, warnings = validate_activities(data, filename, ctx)
    if errors:
        raise ImportRefused(errors, warnings)
    return _write(ctx, cleaned, warnings, stored_activity, Activity, ACTIVITY_FIELDS)


# --- measures ---------------------------------------------------------------------------------------

def validate_measures(data, filename, ctx):
    file = _File(data, filename, "Matt", rows.MEASURE_COLUMNS, rows.MEASURE_REQUIRED, "mått")

    def twice(row, earlier):
        return "till", f"samma måttvärde som på rad {earlier} (samma mått, insats, fran och till)."

    cleaned, errors, warnings = _validate(file, lambda raw, error: rows.clean_measure(raw, ctx, error),
                                          rows.measure_identity, twice)
    if not errors:
        errors.extend(overlaps(ctx, cleaned))
    return cleaned, errors, warnings


def overlaps(ctx, cleaned):
    """A summed measure (summa) of one insats must not have two values whose periods overlap: the
    file's rows against each other and against the stored values they do not replace."""
    errors = []
    summed = [r for r in cleaned if ctx.measures[r["measure"]].aggregation == codes.SUMMA]
    keys = {(r["measure"], r["intervention"].pk if r["intervention"] else None) for r in summed}
    for measure, intervention_id in sorted(keys, key=str):
        mine = [r for r in summed if r["measure"] == measure
                and (r["intervention"].pk if r["intervention"] else None) == intervention_id]
        identities = {(r["start"], r["end"]) for r in mine}
        stored = [(v.start, v.end, None) for v in MeasureValue.objects.filter(
            association=ctx.association, measure=measure, intervention_id=intervention_id)
            if (v.start, v.end) not in identities]
        periods = sorted([(r["start"], r["end"], r["line"]) for r in mine] + stored, key=lambda p: (p[0], p[1]))
        for (start, end, line), (next_start, next_end, next_line) in zip(periods, periods[1:]):
            if next_start <= end:
                line_here = next_line or line
                if next_line and line:
                    other = f"rad {line} ({start}–{end})"
                elif next_line:
                    other = f"ett sparat värde ({start}–{end})"
                else:
                    other = f"ett sparat värde ({next_start}–{next_end})"
                errors.append(RowError(line_here, "fran", "",
                                       f"perioden överlappar {other} för samma mått och insats; ett summerat mått "
                                       "får inte ha överlappande perioder (det skulle räknas två gånger)."))
    return errors


def stored_measure(association, row):
    return MeasureValue.objects.filter(association=association, measure=row["measure"],
                                       intervention=row["intervention"], start=row["start"], end=row["end"]).first()


def import_measures(data, filename, ctx, user=None):
    cleaned, errors, warnings = validate_measures(data, filename, ctx)
    if errors:
        raise ImportRefused(errors, warnings)
    # Checked again under the write lock: another file may have stored an overlapping period meanwhile.
    return _write(ctx, cleaned, warnings, stored_measure, MeasureValue, MEASURE_FIELDS,
                  check=lambda: overlaps(ctx, cleaned))


# --- writing ---------------------------------------------------------------------------------------

def _write(ctx, cleaned, warnings, find, model, fields, check=None):
    association = ctx.association
    summary = ImportSummary(warnings=list(warnings))
    try:
        with transaction.atomic():
            lock_participant_writes(association.pk)
            refused = check() if check else []
            if refused:
                raise ImportRefused(refused, warnings)
            for row in cleaned:
                stored = find(association, row)
                values = {f: row[f] for f in fields}
                if stored is None:
                    model.objects.create(association=association, **values)
                    summary.created += 1
                    continue
                if not ctx.may_write(stored.intervention_id):
                    refused.append(RowError(row["line"], "insats", "", "raden ändrar en registrering för en insats du "
                                                                      "inte har behörighet till."))
                    continue
                if all(_same(getattr(stored, f), v) for f, v in values.items()):
                    summary.unchanged += 1
                    continue
                for f, v in values.items():
                    setattr(stored, f, v)
                stored.save()
                summary.updated += 1
            if refused:
                raise ImportRefused(refused, warnings)
            if summary.created or summary.updated:
                mark_data_changed(association.pk)
    except IntegrityError:
        raise ImportRefused([RowError(
            1, "", "", "ingenting sparades: en rad i filen sparades samtidigt av någon annan. Läs in filen igen; det som "
                       "redan finns uppdateras då i stället.")], warnings) from None
    return summary


def _same(old, new):
    if hasattr(old, "pk") or hasattr(new, "pk"):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    return old == new
