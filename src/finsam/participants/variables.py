"""Every participant variable, declared once (``shared/spec/variables.md``).

A variable is a column of the participant file and what goes with it: the field of Participation (or
the set of child rows) that stores it, its code list (``finsam.codes``), its phase (entry or exit), its
Swedish label, whether an anonymous participation may hold it, and what anonymisation and retention
(gallring) do to it. The import (``importing.COLUMNS``, the row validator), the Excel template and the
export (``workbook.py``), the registration and exit forms, the history labels (``labels.py``), the
register extract, anonymisation and retention (``services.py``) derive their lists from ``VARIABLES``
and ``STORED``; tests/test_variables.py checks that each of them covers each variable.
docs/architecture.md, "How to add a participant variable", says what to do for a new one.
"""

from dataclasses import dataclass

from finsam import codes

ENTRY, EXIT = "entry", "exit"
KEEP, CLEAR, SURROGATE = "keep", "clear", "surrogate"

# Kinds of value. CODE: one code of ``code_list``; CODES: several, ``;``-separated, stored as child
# rows (``rows``); the others are read by their own rule in importing.RowContext.
INSATS, TEXT, IDENTITY, FLAG, CODE, CODES, YEAR, DATE, REFERRER, MUNICIPALITY = (
    "insats", "text", "identity", "flag", "code", "codes", "year", "date", "referrer", "municipality")


@dataclass(frozen=True)
class Variable:
    code: str  # column of the participant file and name of the form field
    label: str  # Swedish, as the history and the extract name it
    field: str  # attribute of Participation, or for CODES the key of the set (services.current_values)
    kind: str
    code_list: codes.CodeList | None = None  # CODE and CODES; None for CODES: the förbund's target groups
    phase: str = ENTRY  # the registration form (ENTRY) or the exit form (EXIT)
    anonymous: bool = False  # an anonymous participation may hold it (variables.md)
    anonymise: str = CLEAR  # what anonymisation (and a withdrawn consent) does to it
    retention: str = KEEP  # what retention does: KEEP what the report tables count, CLEAR the rest
    on_form: bool = True  # a field of the form of its phase (insats comes from the page, anonym is a choice)
    exported: bool = True  # in the export (the identity number is never stored, so never exported)
    form_label: str = ""  # the form's label when it says more than ``label``
    help: str = ""  # the form's help text
    template_help: str = ""  # the template's instructions sheet
    rows: tuple = ()  # CODES: (relation of Participation, phase of the row or None)

    @property
    def label_on_form(self):
        return self.form_label or self.label

    def row_model(self):
        """A CODES variable's child model (SupportRecord, TargetGroupRecord)."""
        from .models import Participation

        return Participation._meta.get_field(self.rows[0]).related_model


def _code(code, label, field, code_list, **kwargs):
    return Variable(code, label, field, CODE, code_list, **kwargs)


SEVERAL = "Ett eller flera värden ur listan, åtskilda med ;"

# In the order of the participant file's columns (import-format.md).
VARIABLES = (
    Variable("insats", "Insats", "intervention_id", INSATS, anonymous=True, anonymise=KEEP, on_form=False,
             template_help="Insatsens kortnamn (eller exakta namn)."),
    Variable("referens", "Egen referens", "reference", TEXT, anonymous=True, anonymise=KEEP, retention=CLEAR,
             template_help="Ditt eget id för deltagaren. Aldrig ett namn. Krävs för anonyma och pseudonyma (utan "
                           "personnummer)."),
    # Retention replaces the key by a random surrogate per person (services.deidentify).
    Variable("personnummer", "Personnummer", "person_key", IDENTITY, retention=SURROGATE, exported=False,
             template_help="ÅÅÅÅMMDD-NNNN. Sparas aldrig, bara som nyckel. Tomt för anonyma. Tomt på en ny rad som "
                           "inte är anonym: pseudonym deltagare. Tomt på en rad vars referens redan finns: "
                           "deltagandet behåller sitt personnummer."),
    Variable("anonym", "Anonym", "anonymous", FLAG, anonymous=True, anonymise=KEEP, on_form=False,
             template_help="ja eller nej (tomt = nej). nej och tomt personnummer = pseudonym (alla uppgifter "
                           "sparas)."),
    _code("kon", "Kön", "gender", codes.GENDER, anonymous=True, anonymise=KEEP,
          help="Lämna tomt för att ta juridiskt kön från personnumret. Krävs utan personnummer.",
          template_help="Krävs för anonyma och pseudonyma; med personnummer från numret om tomt."),
    Variable("fodelsear", "Födelseår", "birth_year", YEAR,
             template_help="Fyra siffror, för pseudonyma. Med personnummer tas året från numret; behöver inte "
                           "fyllas i."),
    Variable("samtycke_datum", "Samtycke, datum", "consent_date", DATE, retention=CLEAR,
             template_help="Datum för samtycket. Krävs om inte anonym (för pseudonyma om förbundet kräver det)."),
    _code("samtycke_form", "Samtycke, form", "consent_form", codes.CONSENT_FORM, retention=CLEAR,
          template_help="Digitalt eller Papper (tomt = digitalt)."),
    Variable("startdatum", "Startdatum", "start_date", DATE, anonymous=True, anonymise=KEEP,
             template_help="ÅÅÅÅ-MM-DD. Obligatoriskt."),
    Variable("anmalande_part", "Anmälande part", "referrer", REFERRER),
    _code("anmalande_enhet", "Anmälande enhet", "referring_unit", codes.REFERRING_UNIT),
    Variable("malgrupp", "Målgrupper", "target_groups", CODES, rows=("target_group_records", None),
             template_help=SEVERAL),
    _code("utbildning", "Utbildning", "education", codes.EDUCATION, form_label="Utbildning (högsta avslutade)"),
    _code("tid_offentlig_forsorjning", "Tid i offentlig försörjning", "time_on_support", codes.TIME_BAND),
    _code("tid_utan_arbete", "Tid utan arbete", "time_without_work", codes.TIME_BAND),
    Variable("forsorjning_fore", "Försörjning vid inskrivning", "support_entry", CODES, codes.SUPPORT,
             rows=("support", ENTRY), template_help=SEVERAL),
    Variable("folkbokforingskommun", "Folkbokföringskommun", "municipality", MUNICIPALITY,
             form_label="Folkbokföringskommun (kommunkod)", help="SCB:s fyrsiffriga kod, t.ex. 0180.",
             template_help="SCB:s fyrsiffriga kommunkod, t.ex. 0180 för Stockholm."),
    _code("fodd_utomlands", "Född utomlands", "born_abroad", codes.YES_NO_UNKNOWN),
    _code("funktionsnedsattning", "Funktionsnedsättning", "impairment", codes.YES_NO_UNKNOWN,
          form_label="Funktionsnedsättning som påverkar arbetsförmågan"),
    _code("vald_fragor", "Frågor om våld", "violence_questions", codes.VIOLENCE_QUESTIONS,
          form_label="Frågor om våld i nära relationer", help="Bara om frågorna ställdes, aldrig svaren."),
    Variable("slutdatum", "Slutdatum", "end_date", DATE, phase=EXIT, anonymous=True, anonymise=KEEP,
             template_help="ÅÅÅÅ-MM-DD när deltagandet avslutats."),
    # Anonymisation keeps the exit reason felregistrering (services.anonymise): a mistake stays excluded.
    _code("avslutsorsak", "Avslutsorsak", "exit_reason", codes.EXIT_REASON, phase=EXIT,
          template_help="Krävs när slutdatum finns (inte för anonyma)."),
    Variable("forsorjning_efter", "Försörjning efter avslut", "support_exit", CODES, codes.SUPPORT, phase=EXIT,
             rows=("support", EXIT), template_help=SEVERAL),
)


@dataclass(frozen=True)
class Stored:
    """A field of Participation that is no column of the file: derived from the variables (or the
    identity number) on every write, or a flag of the kind of registration."""

    field: str
    label: str
    anonymise: str = CLEAR
    retention: str = KEEP
    code_list: codes.CodeList | None = None
    after: str = ""  # the field it follows in services.SCALAR_FIELDS (the one it is derived with)


STORED = (
    Stored("pseudonymous", "Pseudonym", anonymise=KEEP, after="anonymous"),  # anonymise sets it False
    Stored("legal_gender", "Juridiskt kön", retention=CLEAR, code_list=codes.GENDER, after="gender"),
    Stored("birth_month", "Födelsemånad", after="birth_year"),
    Stored("consent_text_version", "Samtyckestextens version", retention=CLEAR, after="consent_form"),
    Stored("age_at_start", "Ålder vid start"),
    Stored("support_at_entry_and_exit", "Försörjning både vid inskrivning och avslut"),
)

BY_CODE = {v.code: v for v in VARIABLES}


def columns():
    """The participant file's columns, in order."""
    return [v.code for v in VARIABLES]


def of_kind(*kinds):
    return [v for v in VARIABLES if v.kind in kinds]


def scalar_fields():
    """Participation fields written from a row (services.SCALAR_FIELDS): the variables' fields in
    column order, each Stored field after the one it names in ``after``, the rest at the end."""
    order = [v.field for v in VARIABLES if v.kind != CODES]
    for stored in STORED:
        order.insert(order.index(stored.after) + 1 if stored.after else len(order), stored.field)
    return order


def set_fields():
    """The keys of the multi-valued variables (services.SET_FIELDS)."""
    return [v.field for v in of_kind(CODES)]


def stored_sets(participation):
    """Field of each CODES variable -> its codes as stored in the participation's child rows
    (prefetched or not), each relation read once (the support rows hold both phases)."""
    rows = {}
    result = {}
    for variable in of_kind(CODES):
        relation, phase = variable.rows
        if relation not in rows:
            rows[relation] = list(getattr(participation, relation).all())
        result[variable.field] = [r.code for r in rows[relation] if phase is None or r.phase == phase]
    return result


def field_labels():
    """Participation field (or set) -> Swedish label, for every variable and stored field."""
    return {**{v.field: v.label for v in VARIABLES}, **{s.field: s.label for s in STORED}}


def field_code_lists():
    """Participation field (or set) -> the code list its values are codes of."""
    return {**{v.field: v.code_list for v in VARIABLES if v.code_list},
            **{s.field: s.code_list for s in STORED if s.code_list}}


def cleared_by(step):
    """Fields ``step`` ("anonymise" or "retention") clears, in scalar order (sets included for
    anonymise; retention keeps every set: the tables count them)."""
    clear = {v.field for v in VARIABLES if getattr(v, step) == CLEAR}
    clear |= {s.field for s in STORED if getattr(s, step) == CLEAR}
    return [f for f in scalar_fields() + set_fields() if f in clear]


def anonymous_columns():
    """What an anonymous participation may hold, as columns."""
    return {v.code for v in VARIABLES if v.anonymous}
