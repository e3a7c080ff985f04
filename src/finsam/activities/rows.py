"""The rules of an activity and of a measure value, written once: a row of a file and a form on
screen are both cleaned here (shared/spec/activities-and-goals.md, part A; import-format.md).

``clean_activity(raw, ctx, error)`` and ``clean_measure(raw, ctx, error)`` take a dict of column
code -> cell value (str, date or None) and report every problem through ``error(column, message,
value=None)`` in Swedish with what is allowed; they return the model's values (or None when the
row has errors)."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from finsam.core.forms import parse_date
from finsam.core.identifiers import IDENTITY_NUMBER_MESSAGE, contains_identity_number
from finsam.interventions.models import target_group_choices

from . import codes

ACTIVITY_COLUMNS = (
    "referens", "insats", "typ", "titel", "datum", "antal", "slutdatum", "serie", "status", "arrangor", "format",
    "publik", "malgrupp", "deltagare_totalt", "deltagare_kvinna", "deltagare_man", "deltagare_annat_ej_angivet",
    "per_organisation", "per_roll", "utv_svar", "utv_rekommenderar_ja", "utv_rekommenderar_nej", "utv_betyg_1",
    "utv_betyg_2", "utv_betyg_3", "utv_betyg_4", "utv_betyg_5", "kommentar",
)
ACTIVITY_REQUIRED = ("typ", "titel", "datum", "format")
MEASURE_COLUMNS = ("matt", "insats", "fran", "till", "varde", "kommentar")
MEASURE_REQUIRED = ("matt", "till", "varde")

GENDER_COLUMNS = ("deltagare_kvinna", "deltagare_man", "deltagare_annat_ej_angivet")
RATING_COLUMNS = tuple(f"utv_betyg_{n}" for n in range(1, 6))
SERIES_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
MAX_TITLE, MAX_COMMENT, MAX_REFERENCE = 200, 2000, 60
MAX_COUNT = 10_000_000  # no activity has more attendances; keeps sums far inside the integer fields


def text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parts(value):
    return [p.strip() for p in text(value).split(";") if p.strip()]


def half_year(day):
    return (day.year, 1 if day.month <= 6 else 2)


class Context:
    """What the rules look up for one förbund: its insatser the user may write (``allowed``, slug ->
    Intervention), whether they may write the förbund's own rows, the kinds, measures, members,
    target groups; ``today`` for "not in the future"."""

    def __init__(self, association, allowed, association_rows, today=None):
        self.association = association
        self.allowed = {i.slug: i for i in allowed}
        self.association_rows = association_rows
        self.today = today or datetime.date.today()
        self.kinds = codes.kinds(association)
        self.measures = codes.measures(association)
        self.member_names = {m.code: m.display_name for m in association.members.all()}
        self.member_codes = set(self.member_names)
        self.target_groups = dict(target_group_choices(association))
        self._all_slugs = None

    def all_slugs(self):
        if self._all_slugs is None:
            self._all_slugs = set(self.association.interventions.values_list("slug", flat=True))
        return self._all_slugs

    def intervention(self, raw, error):
        """The row's insats (None: the förbund's own), checking the user's right to write it."""
        slug = text(raw.get("insats"))
        if not slug:
            if not self.association_rows:
                error("insats", "du får bara registrera för dina insatser; rader utan insats (förbundets egna) kräver "
                                "att du är administratör eller analytiker i förbundet.", "")
            return None
        intervention = self.allowed.get(slug)
        if intervention is None:
            if slug in self.all_slugs():
                error("insats", "du har inte behörighet att registrera för den insatsen.")
            else:
                known = "; ".join(sorted(self.allowed)) or "(ingen)"
                error("insats", f"okänd insats. Tillåtet: insatsens kortnamn, t.ex. {known}.")
        return intervention

    def may_write(self, intervention_id):
        """May the user change a stored row of this insats (None: the förbund's own)?"""
        if intervention_id is None:
            return self.association_rows
        return any(i.pk == intervention_id for i in self.allowed.values())

    def kind_choices(self):
        return "; ".join(f"{k.code} ({k.label})" for k in self.kinds.values())

    def lookup_kind(self, value):
        wanted = text(value).casefold()
        for kind in self.kinds.values():
            if wanted in (kind.code.casefold(), kind.label.casefold()):
                return kind.code
        return None

    def lookup_measure(self, value):
        wanted = text(value).casefold()
        for measure in self.measures.values():
            if wanted in (measure.code.casefold(), measure.label.casefold()):
                return measure.code
        return None

    def organisations(self):
        return sorted(self.member_codes) + codes.ORGANISATIONS.codes

    def organisers(self):
        return ["forbundet", *sorted(self.member_codes), "annat_forbund", "annan"]

    def organiser_labels(self):
        """code -> the name a user may write instead (a member's own name, "Förbundet" ...)."""
        return {**dict(codes.ORGANISERS.choices), **self.member_names}


def _date(raw, column, error, required=False):
    value = raw.get(column)
    if value is None or text(value) == "":
        if required:
            error(column, "datum måste anges (ÅÅÅÅ-MM-DD).", "")
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    parsed = parse_date(text(value))  # exactly ÅÅÅÅ-MM-DD
    if parsed is None:
        error(column, "inget giltigt datum. Skriv ÅÅÅÅ-MM-DD, t.ex. 2024-03-15.")
    return parsed


def _count(raw, column, error, minimum=0):
    value = raw.get(column)
    shown = text(value)
    if shown == "":
        return None
    if not re.fullmatch(r"[0-9]{1,8}", shown) or int(shown) < minimum or int(shown) > MAX_COUNT:
        error(column, f"ska vara ett heltal, minst {minimum}.")
        return None
    return int(shown)


def _free_text(raw, column, error, max_length, required=False):
    value = text(raw.get(column))
    if required and not value:
        error(column, "måste anges.", "")
        return None
    if len(value) > max_length:
        error(column, f"får vara högst {max_length} tecken.")
        return None
    if contains_identity_number(value):
        error(column, IDENTITY_NUMBER_MESSAGE, "")
        return None
    return value


def _code_list(raw, column, error, allowed, labels=None):
    """A ;-list of codes (or their labels), each once."""
    lookup = {a.casefold(): a for a in allowed}
    lookup.update({label.casefold(): code for code, label in (labels or {}).items()})
    result = []
    for part in parts(raw.get(column)):
        code = lookup.get(part.casefold())
        if code is None:
            error(column, f"okänd kod \"{part}\". Tillåtet (skilj med semikolon): {', '.join(allowed)}.")
        elif code in result:
            error(column, f"koden \"{code}\" står två gånger.")
        else:
            result.append(code)
    return result


def _split(raw, column, error, allowed):
    """``code=n;…`` with each code once and n a whole number >= 0."""
    result = {}
    for part in parts(raw.get(column)):
        code, sep, number = (p.strip() for p in part.partition("="))
        if not sep or not re.fullmatch(r"[0-9]{1,8}", number):
            error(column, f"\"{part}\" ska skrivas kod=antal, t.ex. {allowed[0]}=12; skilj delarna med semikolon.")
        elif code not in allowed:
            error(column, f"okänd kod \"{code}\". Tillåtet: {', '.join(allowed)}.")
        elif code in result:
            error(column, f"koden \"{code}\" står två gånger.")
        else:
            result[code] = int(number)
    return result


def clean_activity(raw, ctx, error):
    """The values of an Activity from a row, or None when the row has an error."""
    errors = []

    def err(column, message, value=None):
        errors.append(column)
        error(column, message, value)

    row = {}
    row["reference"] = _free_text(raw, "referens", err, MAX_REFERENCE) or ""
    row["intervention"] = ctx.intervention(raw, err)
    kind_text = text(raw.get("typ"))
    row["kind"] = ctx.lookup_kind(kind_text) if kind_text else None
    if not kind_text:
        err("typ", f"typ måste anges. Tillåtet: {ctx.kind_choices()}.", "")
    elif row["kind"] is None:
        err("typ", f"okänd typ. Tillåtet: {ctx.kind_choices()}.")
    row["title"] = _free_text(raw, "titel", err, MAX_TITLE, required=True)
    row["date"] = _date(raw, "datum", err, required=True)
    occasions = _count(raw, "antal", err, minimum=1)
    row["occasions"] = occasions or 1
    row["end_date"] = _date(raw, "slutdatum", err)
    if row["date"] and row["occasions"] > 1:
        if row["end_date"] is None:
            if "slutdatum" not in errors:
                err("slutdatum", "när antal är större än 1 ska slutdatum vara det sista tillfällets datum.", "")
        elif row["end_date"] <= row["date"]:
            err("slutdatum", "slutdatum ska vara efter datum (det första tillfället).")
        elif half_year(row["end_date"]) != half_year(row["date"]):
            err("slutdatum", "tillfällena i en rad ska ligga i samma kalenderhalvår som datum; dela upp raden per halvår.")
    elif row["end_date"] is not None and row["date"] and row["end_date"] != row["date"]:
        err("slutdatum", "slutdatum anges bara när antal är större än 1 (det sista tillfällets datum).")
    if row["occasions"] == 1:
        row["end_date"] = None
    series = text(raw.get("serie"))
    if series and not SERIES_RE.fullmatch(series):
        err("serie", "en seriekod har små bokstäver a–z, siffror, - och _ (högst 60 tecken), t.ex. lsg-norr.")
    row["series"] = series
    status_text = text(raw.get("status"))
    row["status"] = codes.STATUS.lookup(status_text) if status_text else codes.HELD
    if row["status"] is None:
        err("status", f"okänd status. Tillåtet: {', '.join(f'{c} ({label})' for c, label in codes.STATUS.choices)}.")
    held = row["status"] in (codes.HELD, None)  # an unknown status is reported once, above
    if row["status"] == codes.HELD and row["date"] and max(row["date"], row["end_date"] or row["date"]) > ctx.today:
        err("status" if status_text else "datum",
            "en genomförd aktivitet kan inte ligga i framtiden; ange status planerad.",
            status_text or row["date"].isoformat())
    row["organisers"] = _code_list(raw, "arrangor", err, ctx.organisers(), ctx.organiser_labels()) or ["forbundet"]
    format_text = text(raw.get("format"))
    row["format"] = codes.FORMAT.lookup(format_text) if format_text else None
    if row["format"] is None:
        err("format", f"format måste vara {', '.join(codes.FORMAT.codes)}.", format_text)
    row["audience"] = _code_list(raw, "publik", err, codes.ROLES.codes, dict(codes.ROLES.choices))
    row["target_groups"] = _code_list(raw, "malgrupp", err, list(ctx.target_groups), ctx.target_groups)

    total = _count(raw, "deltagare_totalt", err)
    genders = [_count(raw, c, err) for c in GENDER_COLUMNS]
    split_columns = ("per_organisation", "per_roll", *GENDER_COLUMNS)
    evaluation_columns = ("utv_svar", "utv_rekommenderar_ja", "utv_rekommenderar_nej", *RATING_COLUMNS)
    if not held:
        stated = [c for c in ("deltagare_totalt", *split_columns, *evaluation_columns) if text(raw.get(c))]
        for column in stated:
            err(column, "deltagare och utvärdering anges bara för en genomförd aktivitet.")
    elif total is None and "deltagare_totalt" not in errors:
        err("deltagare_totalt", "antal deltagartillfällen måste anges för en genomförd aktivitet (ett heltal, minst 0).",
            "")
    elif total == 0 and row["kind"] in ctx.kinds and ctx.kinds[row["kind"]].individual:
        # A meeting about one person is attended at least by that person; a reader of a publication
        # takes no attendance for no meeting (masking.implied_zeros), which must then hold.
        err("deltagare_totalt", f"ett genomfört {ctx.kinds[row['kind']].label.lower()} har minst en deltagare.")
    row["attendees"] = total
    given = [g for g in genders if g is not None]
    row["attendees_women"] = row["attendees_men"] = row["attendees_other"] = None
    if given and len(given) < 3 and not any(c in errors for c in GENDER_COLUMNS):
        missing = [c for c, g in zip(GENDER_COLUMNS, genders) if g is None]
        err(missing[0], "ange alla tre (kvinnor, män, annat/ej angivet) eller ingen av dem.", "")
    elif len(given) == 3:
        if total is not None and sum(given) != total:
            err("deltagare_kvinna", f"kvinnor, män och annat/ej angivet blir {sum(given)}, men deltagare_totalt är "
                                    f"{total}; summan ska vara lika med totalen.", "")
        row["attendees_women"], row["attendees_men"], row["attendees_other"] = given
    row["by_organisation"] = _split(raw, "per_organisation", err, ctx.organisations())
    row["by_role"] = _split(raw, "per_roll", err, [*codes.ROLES.codes, codes.UNKNOWN[0]])
    for column in ("per_organisation", "per_roll"):
        split = row["by_organisation" if column == "per_organisation" else "by_role"]
        if split and total is not None and sum(split.values()) != total:
            err(column, f"delarna blir {sum(split.values())}, men deltagare_totalt är {total}; summan ska vara lika "
                        f"med totalen (använd okand för dem som inte är kända).")

    answers = _count(raw, "utv_svar", err)
    yes, no = _count(raw, "utv_rekommenderar_ja", err), _count(raw, "utv_rekommenderar_nej", err)
    ratings = [_count(raw, c, err) for c in RATING_COLUMNS]
    row["answers"], row["recommend_yes"], row["recommend_no"] = answers, yes, no
    for index, value in enumerate(ratings):
        row[f"rating_{index + 1}"] = value
    detail = [v for v in (yes, no, *ratings) if v is not None]
    if answers is None and detail:
        err("utv_svar", "antal utvärderingssvar måste anges när rekommendation eller betyg anges.", "")
    if answers is not None:
        if total is not None and answers > total:
            err("utv_svar", f"fler svar ({answers}) än deltagartillfällen ({total}).")
        if (yes or 0) + (no or 0) > answers:
            err("utv_rekommenderar_ja", f"ja och nej blir {(yes or 0) + (no or 0)}, fler än svaren ({answers}).", "")
        if sum(r or 0 for r in ratings) > answers:
            err("utv_betyg_1", f"betygen 1–5 blir {sum(r or 0 for r in ratings)}, fler än svaren ({answers}).", "")
    row["comment"] = _free_text(raw, "kommentar", err, MAX_COMMENT) or ""
    return None if errors else row


def activity_identity(row):
    """An activity is its referens, else (insats, typ, datum, titel)."""
    if row["reference"]:
        return ("ref", row["reference"])
    intervention = row["intervention"]
    return ("key", intervention.pk if intervention else None, row["kind"], row["date"], row["title"])


def _amount(raw, column, error):
    shown = text(raw.get(column)).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if shown == "":
        error(column, "värde måste anges (ett tal, minst 0).", "")
        return None
    try:
        value = Decimal(shown)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value >= Decimal(10) ** 12 \
            or value != value.quantize(Decimal("0.01")):
        error(column, "ska vara ett tal, minst 0, med högst två decimaler (t.ex. 412 eller 66,5).")
        return None
    return value.quantize(Decimal("0.01"))


def clean_measure(raw, ctx, error):
    """The values of a MeasureValue from a row, or None when the row has an error."""
    errors = []

    def err(column, message, value=None):
        errors.append(column)
        error(column, message, value)

    row = {}
    measure_text = text(raw.get("matt"))
    row["measure"] = ctx.lookup_measure(measure_text) if measure_text else None
    allowed = "; ".join(f"{m.code} ({m.label})" for m in ctx.measures.values())
    if row["measure"] is None:
        err("matt", f"{'okänt mått' if measure_text else 'mått måste anges'}. Tillåtet: {allowed}.", measure_text)
    row["intervention"] = ctx.intervention(raw, err)
    row["start"] = _date(raw, "fran", err)
    row["end"] = _date(raw, "till", err, required=True)
    row["value"] = _amount(raw, "varde", err)
    row["comment"] = _free_text(raw, "kommentar", err, MAX_COMMENT) or ""
    measure = ctx.measures.get(row["measure"])
    if measure is not None:
        if measure.aggregation == codes.SENASTE and row["start"] is not None:
            err("fran", "måttet är en nivå (senaste värdet) och dateras bara med till; lämna fran tom.")
        if measure.aggregation != codes.SENASTE and row["start"] is None and "fran" not in errors:
            err("fran", "måttet gäller en period: ange fran (periodens första dag) och till (dess sista).", "")
    if row["start"] and row["end"] and row["end"] < row["start"]:
        err("till", "till är före fran.")
    return None if errors else row


def measure_identity(row):
    intervention = row["intervention"]
    return (row["measure"], intervention.pk if intervention else None, row["start"], row["end"])
