"""Importing participant files (``shared/spec/import-format.md``).

1. :func:`validate_file` reads the file and checks every row, collecting every error (row, column,
   value, what is allowed) and the cleaned rows. Nothing is written.

A row is of one of three kinds (``codes.PARTICIPATION_KIND``): *anonymous* (``anonym`` = ja),
*identified* (a personnummer), or *pseudonymous*: not anonymous and without personnummer, the
referens identifies it and every variable is kept (docs/decisions.md, "Pseudonymous
participations"). A row without personnummer whose referens names an identified participation
stored already updates it and keeps its identity: an identified participation never becomes
pseudonymous.
2. :func:`import_file` writes a valid file in one transaction, or nothing at all: a participation
   is identified by (insats, referens), else by (insats, identity number, start date); an existing
   one is updated, an unchanged one left alone, so re-importing a file changes nothing.
"""

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from finsam import codes
from finsam.audit.log import log_access
from finsam.core.identifiers import IDENTITY_NUMBER_MESSAGE, contains_identity_number, redact_identity_numbers, valid_kommunkod
from finsam.interventions.models import target_group_choices

from . import services, variables
from .files import FileRefused, read_table
from .identity import InvalidIdentityNumber, parse_identity_number, person_keys
from .models import age_at

# The columns of the participant file, in order: column code -> its Variable (variables.py).
COLUMNS = variables.BY_CODE
SINGLE_CODE_COLUMNS = {v.code: v.code_list for v in variables.of_kind(variables.CODE)}
# What an anonymous row may hold besides these is an error (it would no longer be anonymous).
ANONYMOUS_COLUMNS = variables.anonymous_columns()
# ... said in words: "insats, egen referens, kön, startdatum och slutdatum".
_HELD = [v.label.lower() for v in variables.VARIABLES if v.anonymous and v.kind != variables.FLAG]
ANONYMOUS_HOLDS = ", ".join(_HELD[:-1]) + " och " + _HELD[-1]


def normalise_header(text):
    """``Kön `` -> ``kon``: case, spaces and Swedish letters written as a/o do not matter."""
    text = str(text or "").strip().casefold().replace(" ", "_")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# Longest part of a cell shown back in an error message.
SHOWN_VALUE_CHARS = 60


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def __post_init__(self):
        # What the file held is shown back shortened and never with an identity number in it
        # (a header or a code cell may hold one as well as the referens).
        self.column = _shown(self.column)
        self.value = _shown(self.value)
        # A message may quote the value ("okänd kod ..."): the same rule for it.
        if contains_identity_number(self.message):
            self.message = redact_identity_numbers(self.message)

    def __str__(self):
        where = f"Rad {self.row}" + (f", kolumn {self.column}" if self.column else "")
        shown = f" (värde: \"{self.value}\")" if self.value else ""
        return f"{where}{shown}: {self.message}"


@dataclass
class Validation:
    rows: list = field(default_factory=list)  # cleaned rows (dicts)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list = field(default_factory=list)
    pseudonymous: int = 0  # of the created: pseudonymous (without personnummer)

    def __str__(self):
        text = f"{self.created} skapade, {self.updated} uppdaterade, {self.unchanged} oförändrade"
        if self.pseudonymous:
            text += f" ({self.pseudonymous} av de skapade är pseudonyma, utan personnummer)"
        return text


class ImportRefused(Exception):
    def __init__(self, errors, warnings=()):
        super().__init__(f"{len(errors)} fel")
        self.errors = errors
        self.warnings = list(warnings)


VALIDATION_STEP = "Steg 1 av 2: kontrollerar raderna"
WRITING_STEP = "Steg 2 av 2: sparar deltagandena"
PROGRESS_EVERY = 1000


def _no_progress(done, total, text=""):
    pass


def validate_file(data, filename, *, association, interventions, today=None, progress=_no_progress):
    """Check a whole file; ``interventions`` are those the importing user may register in.
    ``progress(done, total, text)`` hears how far it has come (a background job's progress bar)."""
    today = today or datetime.date.today()
    result = Validation()
    progress(0, 0, "Läser filen")
    try:
        header, rows, warnings = read_table(data, filename)
    except FileRefused as refused:
        result.errors.append(RowError(1, "", "", str(refused)))
        return result
    result.warnings.extend(warnings)
    columns = [normalise_header(h) for h in header]
    for index, name in enumerate(columns):
        if name not in COLUMNS:
            result.errors.append(
                RowError(1, header[index], "", f"okänd kolumn. Tillåtna kolumner: {', '.join(COLUMNS)}.")
            )
        elif columns.index(name) != index:
            result.errors.append(RowError(1, header[index], "", "kolumnen förekommer flera gånger."))
    for required in ("insats", "startdatum"):
        if required not in columns:
            result.errors.append(RowError(1, required, "", "kolumnen saknas men är obligatorisk."))
    if result.errors:
        return result
    if not rows:
        result.errors.append(RowError(2, "", "", "filen har inga rader med deltagare."))
        return result

    context = RowContext(association, interventions, today)
    if "referens" in columns:
        at = columns.index("referens")
        context.load_stored({_text(v[at]) for v in rows if at < len(v) and _text(v[at])})
    seen = {}
    for offset, values in enumerate(rows):
        if offset % PROGRESS_EVERY == 0:
            progress(offset, len(rows), VALIDATION_STEP)
        line = offset + 2
        raw = {columns[i]: values[i] if i < len(values) else None for i in range(len(columns))}
        if all(v is None for v in raw.values()):
            continue
        cleaned = context.clean_row(line, raw, result)
        if cleaned is None:
            continue
        # A row is identified by its referens, and also, whenever it names a person, by person
        # and start date: two rows sharing either are one participation written twice.
        keys = {"referens": cleaned["identity"]} if cleaned["reference"] else {}
        if cleaned.get("person_key"):
            keys["personnummer"] = (cleaned["intervention"].pk, "person", cleaned["person_key"], cleaned["start_date"])
        clash = next(((column, key) for column, key in keys.items() if key in seen), None)
        if clash:
            column, key = clash
            words = "referens" if column == "referens" else "personnummer och startdatum"
            result.errors.append(RowError(
                line, column, "", f"samma deltagande som på rad {seen[key]} (samma insats och {words}).",
            ))
            continue
        seen.update((key, line) for key in keys.values())
        result.rows.append(cleaned)
    if not result.rows and not result.errors:
        # Only empty lines after the header: refused like a file without lines.
        result.errors.append(RowError(2, "", "", "filen har inga rader med deltagare."))
    new_pseudonymous = sum(1 for row in result.rows if row["pseudonymous"] and not context.stored_for(row))
    if new_pseudonymous:
        # Said every time, so that a forgotten identity number is noticed (docs/decisions.md).
        why = ("har tomt personnummer" if "personnummer" in columns else "saknar personnummer (filen har ingen "
               "kolumn personnummer)")
        result.warnings.append(
            f"{_rows_word(new_pseudonymous)} {why} och registreras som pseudonyma deltaganden: referensen "
            "identifierar deltagandet och varje sådant deltagande räknas som en egen individ. Har numret glömts, "
            "fyll i det och läs in filen igen."
        )
    return result


def _rows_word(count):
    return "1 ny rad" if count == 1 else f"{count} nya rader"


class RowContext:
    def __init__(self, association, interventions, today):
        self.association = association
        self.today = today
        self.by_slug = {i.slug: i for i in interventions}
        self.by_name = {i.name.casefold(): i for i in interventions}
        self.target_groups = dict(target_group_choices(association))
        self.target_group_lookup = {k.casefold(): k for k in self.target_groups}
        self.target_group_lookup.update({v.casefold(): k for k, v in self.target_groups.items()})
        members = list(association.members.all())
        self.member_municipalities = {m.municipality_code: m.display_name for m in members if m.kind == "kommun"}
        # A member's own name is read as its code (the export and the pages write it: issue 10).
        self.member_codes = {m.display_name.casefold(): m.code for m in members}
        self.stored = {}  # (insats id, referens) -> participation stored already (load_stored)

    # Participations read per query by load_stored (under SQLite's limit on variables).
    STORED_CHUNK = 500

    def load_stored(self, references):
        """Read the stored participations the file's referenser name, so that a row without
        personnummer is known to update an identified participation (and keeps its identity)
        rather than to register a pseudonymous one."""
        from .models import Participation

        references = sorted(references)
        interventions = list(self.by_slug.values())
        for start in range(0, len(references), self.STORED_CHUNK):
            stored = Participation.objects.filter(
                association=self.association, intervention__in=interventions,
                reference__in=references[start:start + self.STORED_CHUNK],
            ).only("intervention_id", "reference", "person_key", "legal_gender", "birth_year", "birth_month",
                   "anonymous", "pseudonymous")
            self.stored.update({(p.intervention_id, p.reference): p for p in stored})

    def stored_for(self, row):
        intervention = row.get("intervention")
        if intervention is None or not row.get("reference"):
            return None
        return self.stored.get((intervention.pk, row["reference"]))

    def all_slugs(self):
        """Every insats of the association, also those the user may not register in (read only
        for the error message that tells the two apart)."""
        return set(self.association.interventions.values_list("slug", flat=True))

    def referrer_choices(self):
        """(code, label) of every referrer: the national codes with the member municipalities."""
        municipalities = [(f"kommun:{code}", name) for code, name in self.member_municipalities.items()]
        return codes.REFERRER.choices[:3] + municipalities + codes.REFERRER.choices[3:]

    def clean_row(self, line, raw, result, known_identity=None, kind=None):
        """Clean one row (a dict of column code -> value). ``known_identity`` (a participation)
        stands in for an empty personnummer when a registration is edited: the number itself
        is never stored, so it cannot be shown again. ``kind`` is the kind chosen on the form
        (``codes.PARTICIPATION_KIND``); a file's row has none: without personnummer it is
        pseudonymous unless it is anonymous or updates an identified participation."""
        errors_before = len(result.errors)

        def error(column, message, value=None):
            shown = raw.get(column) if value is None else value
            if column == "personnummer":
                shown = ""  # never echo an identity number
            result.errors.append(RowError(line, column, _text(shown), message))

        row = {"line": line, "warnings": [], "pseudonymous": False}
        intervention = self._intervention(raw.get("insats"), error)
        row["intervention"] = intervention
        row["reference"] = _text(raw.get("referens"))
        if len(row["reference"]) > 60:
            error("referens", "får vara högst 60 tecken.")
        elif contains_identity_number(row["reference"]):
            error("referens", IDENTITY_NUMBER_MESSAGE, "")

        anonymous_text = _text(raw.get("anonym")).casefold()
        if anonymous_text not in ("", "ja", "nej"):
            error("anonym", "tillåtet är ja eller nej.")
        anonymous = anonymous_text == "ja"
        row["anonymous"] = anonymous

        for column, code_list in SINGLE_CODE_COLUMNS.items():
            value = raw.get(column)
            if value is None:
                row[COLUMNS[column].field] = ""
                continue
            code = code_list.lookup(value)
            if code is None:
                error(column, f"okänd kod. Tillåtet: {_labels(code_list)}.")
            row[COLUMNS[column].field] = code or ""

        row["start_date"] = self._date(raw, "startdatum", error, required=True)
        row["end_date"] = self._date(raw, "slutdatum", error)
        row["consent_date"] = self._date(raw, "samtycke_datum", error)
        if row["start_date"] and row["end_date"] and row["end_date"] < row["start_date"]:
            error("slutdatum", "slutdatum är före startdatum.")

        if anonymous:
            extra = [c for c, v in raw.items() if v is not None and c not in ANONYMOUS_COLUMNS
                     and not (c == "avslutsorsak" and row["exit_reason"] == codes.EXIT_REASON_EXCLUDED)]
            for column in extra:
                error(column, f"en anonym deltagare får bara ha {ANONYMOUS_HOLDS} (och avslutsorsaken felregistrering).")
            if row["exit_reason"] and not row["end_date"]:
                error("slutdatum", "slutdatum saknas men avslutsorsak är angiven.", "")
            if not row["gender"]:
                error("kon", "kön måste anges för en anonym deltagare.")
            if not row["reference"]:
                error("referens", "en anonym deltagare behöver en egen referens, annars kan den inte kännas igen vid nästa import.")
            row.update(person_key="", legal_gender="", birth_year=None, birth_month=None)
            row["identity"] = (intervention.pk if intervention else None, "ref", row["reference"])
        else:
            self._identity(raw, row, error, known_identity or self.stored_for(row), kind)
            if row["consent_date"] is None and row["pseudonymous"]:
                if self.association.pseudonymous_consent_required:
                    error("samtycke_datum", "samtycke måste finnas, enligt förbundets inställning även för en pseudonym "
                                            "deltagare (utan personnummer). Registrera annars deltagaren som anonym.", "")
            elif row["consent_date"] is None:
                error("samtycke_datum", "samtycke måste finnas för en deltagare som inte är anonym. Registrera annars deltagaren som anonym.", "")
            elif row["consent_date"] > self.today:
                error("samtycke_datum", "datumet ligger i framtiden.")
            if row["end_date"] and not row["exit_reason"]:
                error("avslutsorsak", "avslutsorsak måste anges när slutdatum finns.", "")
            if row["exit_reason"] and not row["end_date"]:
                error("slutdatum", "slutdatum saknas men avslutsorsak är angiven.", "")
            # A pseudonymous row may be without consent (the förbund's setting): then no form either.
            row["consent_form"] = (row["consent_form"] or "digitalt") if row["consent_date"] else ""
            row["referrer"] = self._referrer(raw, error)
            row["municipality"] = self._municipality(raw, error)
            for variable in variables.of_kind(variables.CODES):
                row[variable.field] = self._codes(raw, variable, error)
            age = age_at(row["birth_year"], row["birth_month"], row["start_date"])
            if age is not None:
                if not 16 <= age <= 64:
                    row["warnings"].append(f"Rad {line}: åldern vid start är {age} år, utanför 16–64.")
            key_part = ("ref", row["reference"]) if row["reference"] else ("pnr", row["person_key"], row["start_date"])
            row["identity"] = (intervention.pk if intervention else None, *key_part)
        if anonymous:
            row.update({v.field: [] if v.kind == variables.CODES else ""
                        for v in variables.of_kind(variables.CODES, variables.REFERRER, variables.MUNICIPALITY)})
        result.warnings.extend(row["warnings"])
        return row if len(result.errors) == errors_before else None

    def _intervention(self, value, error):
        text = _text(value)
        if not text:
            error("insats", "insats måste anges.")
            return None
        intervention = self.by_slug.get(text) or self.by_name.get(text.casefold())
        if intervention is None:
            if text in self.all_slugs() or text.casefold() in {n for n in self.by_name}:
                error("insats", "du har inte behörighet att registrera deltagare i den insatsen.")
            else:
                error("insats", f"okänd insats. Tillåtet: {'; '.join(sorted(i.name for i in self.by_slug.values()))}.")
        elif intervention.kind != "individual":
            error("insats", "insatsen är strukturinriktad; registrera volymer i stället för deltagare.")
        return intervention

    def _date(self, raw, column, error, required=False):
        value = raw.get(column)
        if value is None:
            if required:
                error(column, "datum måste anges (ÅÅÅÅ-MM-DD).", "")
            return None
        if isinstance(value, datetime.date):
            parsed = value
        else:
            try:
                parsed = datetime.date.fromisoformat(_text(value))
            except ValueError:
                error(column, "inget giltigt datum. Skriv ÅÅÅÅ-MM-DD, t.ex. 2024-03-15.")
                return None
        if parsed > self.today and column in ("startdatum", "slutdatum"):
            error(column, "datumet ligger i framtiden.", parsed.isoformat())
            return None
        return parsed

    def _identity(self, raw, row, error, known=None, kind=None):
        value = raw.get("personnummer")
        row.update(person_key="", legal_gender="", birth_year=None, birth_month=None)
        if value is None and known is not None and known.person_key:
            # An identified participation stays identified: its identity is kept.
            if kind == "pseudonymous":
                error("registreringssatt", "deltagandet är registrerat med personnummer och kan inte göras pseudonymt. "
                                           "Välj Med personnummer (eller Anonym).", "")
                return
            row.update(person_key=known.person_key, legal_gender=known.legal_gender,
                       birth_year=known.birth_year, birth_month=known.birth_month)
            row["gender"] = row["gender"] or known.legal_gender
            stated_year = _text(raw.get("fodelsear"))
            if stated_year and known.birth_year and stated_year != str(known.birth_year):
                error("fodelsear", "stämmer inte med det registrerade personnumret.")
            return
        if value is None and kind != "identified":
            self._pseudonymous(raw, row, error)
            return
        if value is None:
            error("personnummer", "personnummer eller samordningsnummer måste anges för en deltagare som inte är anonym. "
                                  "Utan personnummer: välj pseudonym registrering.")
            return
        if kind == "pseudonymous":
            error("personnummer", "en pseudonym registrering har inget personnummer. Töm fältet, eller välj Med personnummer.")
            return
        try:
            identity = parse_identity_number(_text(value), today=self.today)
        except InvalidIdentityNumber as invalid:
            error("personnummer", f"ogiltigt personnummer: {invalid}.")
            return
        row["person_key"], *row["previous_person_keys"] = person_keys(identity)
        row["legal_gender"] = identity.legal_gender
        row["birth_year"] = identity.birth_date.year
        row["birth_month"] = identity.birth_date.month
        row["gender"] = row["gender"] or identity.legal_gender
        stated_year = _text(raw.get("fodelsear"))
        if stated_year and stated_year != str(identity.birth_date.year):
            error("fodelsear", "stämmer inte med personnumret.")

    def _pseudonymous(self, raw, row, error):
        """A row without personnummer: the referens identifies it, gender and birth year are given."""
        row["pseudonymous"] = True
        if not row["reference"]:
            error("referens", "en pseudonym deltagare (utan personnummer) behöver en egen referens: den identifierar "
                              "deltagandet, också vid nästa import.", "")
        if not row["gender"]:
            error("kon", "kön måste anges för en deltagare utan personnummer.", "")
        text = _text(raw.get("fodelsear"))
        if text:
            if len(text) == 4 and text.isdigit() and self.today.year - 120 <= int(text) <= self.today.year:
                row["birth_year"] = int(text)
            else:
                error("fodelsear", "ange födelseåret med fyra siffror, t.ex. 1985.")

    def _referrer(self, raw, error):
        value = _text(raw.get("anmalande_part"))
        if not value:
            return ""
        code = codes.REFERRER.lookup(value)
        if code:
            return code
        if value.startswith("kommun:") and value[7:] in self.member_municipalities:
            return value
        if value.casefold() in self.member_codes:
            return self.member_codes[value.casefold()]
        error("anmalande_part", f"okänd anmälande part. Tillåtet: {'; '.join(l for _, l in self.referrer_choices())}.")
        return ""

    def _municipality(self, raw, error):
        value = _text(raw.get("folkbokforingskommun"))
        if value and value.isdigit() and len(value) < 4:
            value = value.zfill(4)  # Excel drops the leading zero of 0180
        if value and not valid_kommunkod(value):
            error("folkbokforingskommun", "ange SCB:s fyrsiffriga kommunkod, t.ex. 0180.")
            return ""
        return value

    def _codes(self, raw, variable, error):
        """A multi-valued cell: codes of the variable's code list, or of the förbund's target groups
        (a variable without a code list); the means of support obey codes.SUPPORT_EXCLUSIVE."""
        column, code_list = variable.code, variable.code_list
        result = []
        for part in _parts(raw.get(column)):
            code = code_list.lookup(part) if code_list else self.target_group_lookup.get(part.casefold())
            if code is None:
                allowed = _labels(code_list) if code_list else "; ".join(self.target_groups.values())
                error(column, f"okänd kod \"{part}\". Tillåtet: {allowed}.")
            elif code not in result:
                result.append(code)
        exclusive = [c for c in result if c in codes.SUPPORT_EXCLUSIVE] if code_list is codes.SUPPORT else []
        if exclusive and len(result) > 1:
            error(column, f"{' och '.join(codes.SUPPORT.label(c) for c in exclusive)} kan inte kombineras med annan försörjning.")
        return result


def participation_row(participation):
    """A stored participation as a row of the participant file: codes, dates as dates, None for an
    empty cell. Without the identity number (not stored); with the birth year (derived from the
    number, or given for a pseudonymous row, which needs it to be validated again). Used by the
    export and by the forms, which validate edits as rows."""
    sets = variables.stored_sets(participation)
    return {v.code: _cell(participation, v, sets) for v in variables.VARIABLES if v.kind != variables.IDENTITY}


def _cell(participation, variable, sets):
    kind = variable.kind
    if kind == variables.INSATS:
        return participation.intervention.slug
    if kind == variables.FLAG:
        return "ja" if getattr(participation, variable.field) else "nej"
    if kind == variables.CODES:
        return ";".join(sorted(sets[variable.field])) or None
    value = getattr(participation, variable.field)
    if kind in (variables.YEAR, variables.DATE):
        return value
    return value or None


def _labels(code_list):
    """What a cell may hold, as the user reads it (the codes are accepted too: CodeList.lookup)."""
    return "; ".join(label for _, label in code_list.choices)


def _shown(text):
    text = redact_identity_numbers(str(text or ""))
    return text if len(text) <= SHOWN_VALUE_CHARS else text[:SHOWN_VALUE_CHARS] + "…"


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _parts(value):
    return [p.strip() for p in _text(value).split(";") if p.strip()]


def import_file(data, filename, *, association, user, interventions, today=None, progress=_no_progress):
    """Validate and, when valid, write the whole file. Raises ImportRefused with every error.
    ``progress`` hears both steps; the writing still happens in one transaction."""
    validation = validate_file(data, filename, association=association, interventions=interventions, today=today,
                               progress=progress)
    if not validation.ok:
        raise ImportRefused(validation.errors, validation.warnings)
    try:
        with transaction.atomic():
            summary = services.upsert_participations(
                association, validation.rows, user=user,
                progress=lambda done, total: progress(done, total, WRITING_STEP))
            log_access(user, association, "import", subject=filename[:200], row_count=len(validation.rows))
    except services.SameParticipationTwice as twice:
        _log_refusal(user, association, filename)
        raise ImportRefused([RowError(
            twice.line, "referens", "",
            f"raden gäller samma registrerade deltagande som rad {twice.first_line} (en rad med referens och en "
            "utan, för samma person och startdatum). Ta bort en av raderna.",
        )], validation.warnings) from None
    except services.SamePersonOtherReference as other:
        _log_refusal(user, association, filename)
        raise ImportRefused([RowError(
            other.line, "referens", "",
            f"personen har redan ett deltagande i insatsen med samma startdatum, med referensen {other.reference}. "
            "Använd den referensen, eller lämna referens tom.",
        )], validation.warnings) from None
    except services.AlreadyRegistered:
        raise ImportRefused([RowError(
            1, "", "",
            "ingenting sparades: ett deltagande i filen sparades samtidigt av någon annan (samma referens, eller "
            "samma person och startdatum i insatsen). Läs in filen igen; de deltaganden som redan finns "
            "uppdateras då i stället.",
        )], validation.warnings) from None
    summary.warnings = validation.warnings
    return summary


def _log_refusal(user, association, filename):
    """A refusal that names stored participations shows participant-level data: logged like a
    view (outside the rolled-back import, so the row stays)."""
    log_access(user, association, "import_refused", subject=filename[:200])
