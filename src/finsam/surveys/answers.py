"""The answers file (shared/spec/surveys.md, "Answers file"): import and export in the same columns.

Import: .csv/.xlsx read by the participant import's safe reader (participants/files.py), every row
checked first (row, column, value and what is allowed, in Swedish), then written all or nothing in
one transaction that locks the rounds it writes (two imports of the same file at once: the second
finds the first's ids). A response is identified by the keyed hash of (round, ``svar_id``)
(``ImportId``): a known id with the same answers is unchanged, with other answers an error. An
exported response's ``svar_id`` is its random id, so importing an export again changes nothing.
"""

import csv
import io
import uuid
from dataclasses import dataclass, field

import openpyxl
from django.db import transaction
from django.utils import timezone

from finsam.core.exports import neutralise
from finsam.core.identifiers import IDENTITY_NUMBER_MESSAGE, contains_identity_number
from finsam.participants.files import FileRefused, read_table
from finsam.participants.importing import RowError, normalise_header
from finsam.tenancy.models import mark_data_changed

from . import codes
from .errors import SurveyError, SurveyFileError
from .models import Answer, ImportId, Question, QuestionSet, Response, Round
from .services import clean_answer, import_key_hash, languages_offered, shown_questions

FIXED = ("omgang", "svar_id", "kanal", "sprak")
MAX_ID_CHARS = 100


@dataclass
class ImportSummary:
    created: int = 0
    unchanged: int = 0
    warnings: list = field(default_factory=list)

    def __str__(self):
        return f"{self.created} nya svar, {self.unchanged} oförändrade"


def _question_columns(association):
    """Every question key of the förbund's sets, in set order (the columns a file may have)."""
    keys = []
    for key in (Question.objects.filter(association=association)
                .order_by("question_set__key", "-question_set__version", "position").values_list("key", flat=True)):
        if key not in keys:
            keys.append(key)
    return keys


@dataclass
class _Row:
    line: int
    round: Round
    svar_id: str
    channel: str
    language: str
    answers: dict  # Question -> (step, text)


def parse_answers(source, filename, association):
    """Validated rows, or SurveyFileError with every error."""
    try:
        header, rows, warnings = read_table(source, filename)
    except FileRefused as refused:
        raise SurveyFileError([str(refused)]) from None
    errors = []
    known = _question_columns(association)
    columns = []
    for index, raw in enumerate(header):
        name = normalise_header(raw)
        if name not in FIXED and name not in known:
            errors.append(RowError(1, str(raw or ""), "", f"okänd kolumn. Tillåtna kolumner: {', '.join(FIXED)} och "
                                                        f"frågornas nycklar ({', '.join(known)})."))
        elif name in columns:
            errors.append(RowError(1, str(raw), "", "kolumnen förekommer flera gånger."))
        columns.append(name)
    for required in ("omgang", "svar_id"):
        if required not in columns:
            errors.append(RowError(1, required, "", "kolumnen saknas."))
    if errors:
        raise SurveyFileError([str(e) for e in errors], warnings)
    rounds = {r.key: r for r in Round.objects.filter(association=association).select_related("question_set")}
    shown_cache, offered_cache, seen, parsed = {}, {}, {}, []
    for offset, values in enumerate(rows):
        line = offset + 2
        cells = dict(zip(columns, [v if not isinstance(v, str) else v.strip() for v in values]))
        if len(values) > len(columns) and any(v not in (None, "") for v in values[len(columns):]):
            errors.append(RowError(line, "", "", "raden har fler celler än rubrikraden har kolumner."))
        if all(v in (None, "") for v in cells.values()):
            continue
        row_errors = []
        for column, value in cells.items():
            if column == "svar_id" and _is_uuid(value):
                continue  # an exported response's random id: its digits may look like a date
            if isinstance(value, str) and contains_identity_number(value):
                row_errors.append(RowError(line, column, value, IDENTITY_NUMBER_MESSAGE))
        if row_errors:
            errors.extend(row_errors)
            continue
        key = cells.get("omgang")
        rnd = rounds.get(str(key)) if key else None
        if rnd is None:
            errors.append(RowError(line, "omgang", str(key or ""),
                                   "ingen sådan omgång i förbundet." if key else "omgången saknas."))
            continue
        if rnd.pk not in shown_cache:
            shown_cache[rnd.pk] = shown_questions(rnd)
            offered_cache[rnd.pk] = languages_offered(rnd, shown_cache[rnd.pk])
        shown = {q.key: q for q in shown_cache[rnd.pk]}
        svar_id = cells.get("svar_id")
        svar_id = str(svar_id) if svar_id not in (None, "") else ""
        if not svar_id:
            errors.append(RowError(line, "svar_id", "", "svar_id saknas: varje svar behöver ett id, unikt i omgången."))
        elif len(svar_id) > MAX_ID_CHARS:
            errors.append(RowError(line, "svar_id", svar_id, f"högst {MAX_ID_CHARS} tecken."))
        elif (rnd.pk, svar_id) in seen:
            errors.append(RowError(line, "svar_id", svar_id, f"samma svar_id som på rad {seen[(rnd.pk, svar_id)]}."))
        else:
            seen[(rnd.pk, svar_id)] = line
        channel = str(cells.get("kanal") or "import").casefold()
        if channel not in codes.CHANNEL:
            errors.append(RowError(line, "kanal", channel, f"tillåtna: {', '.join(codes.CHANNEL.codes)}."))
        language = str(cells.get("sprak") or "sv")
        if language not in offered_cache[rnd.pk]:
            errors.append(RowError(line, "sprak", language, f"språket erbjuds inte i omgången "
                                                            f"(tillåtna: {', '.join(offered_cache[rnd.pk])})."))
        answers = {}
        for column, value in cells.items():
            if column in FIXED or value in (None, ""):
                continue
            question = shown.get(column)
            if question is None:
                errors.append(RowError(line, column, str(value), f"omgången {rnd.key} ställer inte frågan; lämna "
                                                                 "cellen tom."))
                continue
            try:
                cleaned = clean_answer(question, value if isinstance(value, str) else str(value), labels=True)
            except SurveyError as error:
                errors.append(RowError(line, column, str(value), error.message))
                continue
            if cleaned is not None:
                answers[question] = cleaned
        parsed.append(_Row(line, rnd, svar_id, channel, language, answers))
    if errors:
        raise SurveyFileError([str(e) for e in errors], warnings)
    return parsed, warnings


def _is_uuid(value):
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _stored(response):
    return {a.question_id: (a.step, a.text) for a in response.answers.all()}


def import_answers(source, filename, association):
    """Import an answers file into ``association`` (in its scope): all or nothing. Returns
    ImportSummary; raises SurveyFileError with every error."""
    rows, warnings = parse_answers(source, filename, association)
    summary = ImportSummary(warnings=list(warnings))
    errors = []
    with transaction.atomic():
        round_ids = sorted({r.round.pk for r in rows})
        list(Round.objects.select_for_update().filter(pk__in=round_ids).order_by("pk"))  # one import per round at a time
        # The rows were checked against their rounds' questions before this transaction: lock the
        # set versions (as record_response and the loader do) and refuse if a load of an unlocked
        # version replaced those questions in between (the rows would name deleted questions).
        QuestionSet.objects.filter(pk__in={r.round.question_set_id for r in rows}, locked=False).update(locked=True)
        used = {q.pk for r in rows for q in r.answers}
        if Question.objects.filter(pk__in=used).count() != len(used):
            raise SurveyFileError(["Frågeuppsättningen lästes in på nytt medan svaren kontrollerades. Ingenting har "
                                   "lästs in; försök igen."], warnings)
        known = {(i.round_id, i.key_hash): i.response_id for i in ImportId.objects.filter(round_id__in=round_ids)}
        existing_ids = {}
        for row in rows:
            try:
                existing_ids[(row.round.pk, row.svar_id)] = uuid.UUID(row.svar_id)
            except ValueError:
                pass
        exported = {r.pk: r for r in Response.objects.filter(pk__in=existing_ids.values()).prefetch_related("answers")}
        responses, answers, import_ids = [], [], []
        today = timezone.localdate()
        for row in rows:
            digest = import_key_hash(row.round, row.svar_id)
            response_id = known.get((row.round.pk, digest))
            previous = exported.get(existing_ids.get((row.round.pk, row.svar_id)))
            if previous is not None and previous.round_id != row.round.pk:
                previous = None
            if response_id is not None or previous is not None:
                response = previous or Response.objects.prefetch_related("answers").get(pk=response_id)
                same = ({q.pk: v for q, v in row.answers.items()} == _stored(response)
                        and (response.channel, response.language) == (row.channel, row.language))
                if same:
                    summary.unchanged += 1
                else:
                    errors.append(f"Rad {row.line}, kolumn svar_id (värde: \"{row.svar_id[:60]}\"): svaret finns redan "
                                  "i omgången med andra svar. Ett inläst svar ändras inte; ge det ett nytt svar_id "
                                  "om det är ett annat svar.")
                continue
            response = Response(association_id=association.pk, round=row.round, channel=row.channel,
                                language=row.language, date=today)
            responses.append(response)
            answers.extend(Answer(association_id=association.pk, response=response, question=q, step=step, text=text)
                           for q, (step, text) in row.answers.items())
            import_ids.append(ImportId(association_id=association.pk, round=row.round, key_hash=digest,
                                       response=response))
        if errors:
            raise SurveyFileError(errors, warnings)
        Response.objects.bulk_create(responses, batch_size=500)
        Answer.objects.bulk_create(answers, batch_size=500)
        ImportId.objects.bulk_create(import_ids, batch_size=500)
        summary.created = len(responses)
        if responses:
            mark_data_changed(association.pk)
    return summary


# --- export --------------------------------------------------------------------------------------------

def answers_export(rounds):
    """(header, rows) of the answers file for ``rounds`` (one förbund's): the import's columns, a
    row per response with its random id as ``svar_id``, answers as step codes, ``vet_ej`` or text.
    Rows by round, then by random id (nothing orders them in time)."""
    rounds = list(rounds)
    columns = []
    for rnd in rounds:
        for q in shown_questions(rnd):
            if q.key not in columns:
                columns.append(q.key)
    header = [*FIXED, *columns]
    rows = []
    for rnd in rounds:
        for response in rnd.responses.order_by("id").prefetch_related("answers__question"):
            values = {a.question.key: a.text if a.question.scale_id is None else a.step for a in response.answers.all()}
            rows.append([rnd.key, str(response.pk), response.channel, response.language,
                         *[values.get(key, "") for key in columns]])
    return header, rows


def answers_csv(rounds):
    """The export as semicolon CSV (UTF-8 with BOM), every text cell neutralised."""
    header, rows = answers_export(rounds)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def answers_xlsx(rounds):
    """The export as an Excel workbook (bytes), every text cell neutralised."""
    header, rows = answers_export(rounds)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Svar")
    for row in [header, *rows]:
        sheet.append([neutralise(v) for v in row])
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()
