"""Validating the budget and actuals files (shared/spec/finance.md, "Files"), and hand-entered lines,
row by row: every error with its row, column, value and what is allowed, in Swedish. Files are read
by the participant import's safe readers (``participants.files.read_table``); nothing is written
here (``services.py`` writes)."""

import calendar
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from finsam.core.identifiers import IDENTITY_NUMBER_MESSAGE, contains_identity_number
from finsam.participants.files import FileRefused, read_table
from finsam.participants.importing import RowError, normalise_header

from . import posts

BUDGET_COLUMNS = ("ar", "typ", "post", "insats", "medlem", "manad", "prognosdatum", "belopp", "text")
BUDGET_REQUIRED = ("ar", "typ", "post", "belopp")
ACTUALS_COLUMNS = ("period", "post", "konto", "insats", "objekt", "medlem", "belopp", "text")
ACTUALS_REQUIRED = ("period", "belopp")
MAX_TEXT = 500
MIN_YEAR, MAX_YEAR = 1990, 2100
AMOUNT_RE = re.compile(r"^[-−]?[0-9]{1,3}( [0-9]{3})+([.,][0-9]{1,2})?$|^[-−]?[0-9]+([.,][0-9]{1,2})?$")
MAX_AMOUNT = Decimal(10) ** 13
PERIOD_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2}))?$")


class FinanceInputError(Exception):
    """Input refused: ``errors`` lists every problem, nothing was written: a ``RowError`` (row,
    column, value, message) for a line, a text for the whole file or entry (Swedish)."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class Intervention:
    """What validation needs of an insats: its id, slug and kind."""

    id: int
    slug: str
    kind: str


@dataclass
class Known:
    """The förbund's codes that lines may refer to."""

    interventions: dict  # slug -> Intervention
    members: set  # member codes
    settings: object  # settings_section.Settings
    today: datetime.date = field(default_factory=datetime.date.today)
    periods: dict = field(default_factory=dict)  # period text -> (year, month): parsed once per file

    @classmethod
    def of(cls, association, today=None):
        from finsam.interventions.models import Intervention as Model
        from finsam.tenancy.models import Member

        from .settings_section import settings_of

        interventions = {i.slug: Intervention(i.pk, i.slug, i.kind)
                         for i in Model.objects.filter(association=association).order_by("pk")}
        members = {m.code for m in Member.objects.filter(association=association)}
        return cls(interventions, members, settings_of(association), today or datetime.date.today())


def parse_amount(value):
    """Kronor with at most two decimals (``,`` or ``.``), spaces allowed between thousands; a
    number from Excel as it is. Returns Decimal or raises ValueError with the Swedish reason."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace("\u00a0", " ").replace("\u202f", " ")
        if not AMOUNT_RE.match(text):
            raise ValueError("är inget belopp: skriv kronor med högst två decimaler, t.ex. 12 500 eller -1 234,50.")
        number = Decimal(text.replace(" ", "").replace(",", ".").replace("−", "-"))
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        raise ValueError("är för stort: högst 9 999 999 999 999 kr.")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError("har fler än två decimaler: ange kronor och ören, t.ex. 1 234,50.")
    return number.quantize(Decimal("0.01"))


def _text(value):
    return "" if value is None else (value.isoformat() if isinstance(value, datetime.date) else str(value).strip())


class _Row:
    """One line of input: its cells by column, and the errors found in it."""

    def __init__(self, line, cells, errors):
        self.line, self.cells, self.errors = line, cells, errors

    def get(self, column):
        return _text(self.cells.get(column))

    def error(self, column, message, value=None):
        self.errors.append(RowError(self.line, column, self.get(column) if value is None else value, message))


def _header(header, allowed, required, errors):
    """column name -> index; unknown, repeated and missing columns are errors (row 1)."""
    index = {}
    for i, name in enumerate(header):
        key = normalise_header(name)
        if not key:
            if any(True for _ in [name]) and str(name or "").strip():
                continue
            continue
        if key not in allowed:
            errors.append(RowError(1, str(name), str(name), f"okänd kolumn. Tillåtna kolumner: {', '.join(allowed)}."))
        elif key in index:
            errors.append(RowError(1, str(name), str(name), "kolumnen står två gånger."))
        else:
            index[key] = i
    for key in required:
        if key not in index:
            errors.append(RowError(1, key, "", f"kolumnen {key} saknas. Filen ska ha kolumnerna "
                                              f"{', '.join(allowed)} ({', '.join(required)} krävs)."))
    return index


def read_rows(source, filename, *, kind):
    """Header-checked rows of a budget (``kind="budget"``) or actuals file: [(line, {column: value})].
    Raises FinanceInputError (the file cannot be read, or its header is wrong)."""
    allowed, required, sheet = ((BUDGET_COLUMNS, BUDGET_REQUIRED, "Budget") if kind == "budget"
                                else (ACTUALS_COLUMNS, ACTUALS_REQUIRED, "Utfall"))
    try:
        header, rows, _warnings = read_table(source, filename, sheet=sheet)
    except FileRefused as refused:
        raise FinanceInputError([str(refused)]) from None
    errors = []
    index = _header(header, allowed, required, errors)
    if errors:
        raise FinanceInputError(errors)
    out = []
    for line, row in enumerate(rows, start=2):
        if all(v is None for v in row):
            continue
        if len(row) > len(header):
            extra = [v for v in row[len(header):] if v is not None]
            if extra:
                errors.append(RowError(line, "", _text(extra[0]), "raden har fler celler än rubrikraden har kolumner."))
                continue
        out.append((line, {key: (row[i] if i < len(row) else None) for key, i in index.items()}))
    if errors:
        raise FinanceInputError(errors)
    if not out:
        raise FinanceInputError(["Filen har inga rader under rubrikraden."])
    return out


# --- shared cell rules -------------------------------------------------------------------------

def _year(row, column="ar"):
    text = row.get(column)
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        row.error(column, f"är inget år: ange ett årtal {MIN_YEAR}–{MAX_YEAR}, t.ex. 2024.")
        return None
    return int(text)


def _intervention(row, post, slug, known):
    """The insats of a line (or None), after the rules: ``insatser`` needs one, posts that carry none
    refuse one, ``insatser_individ``/``_struktur`` need the matching kind."""
    column = row.insats_column
    if not slug:
        if post == "insatser":
            row.error(column, "posten insatser behöver en insats (eller bokför den som insatser_individ eller "
                              "insatser_struktur utan insats).", value=row.get(column))
        return None
    intervention = known.interventions.get(slug)
    if intervention is None:
        allowed = ", ".join(known.interventions) or "förbundet har inga insatser"
        row.error(column, f"\"{slug}\" är ingen av förbundets insatser. Tillåtna: {allowed}.", value=slug)
        return None
    if post in posts.BY_CODE and not posts.carries_intervention(post):
        may = ", ".join(p.code for p in posts.POSTS if p.intervention != "no")
        row.error(column, f"posten {post} har ingen insats. Insats anges bara på posterna {may}.", value=slug)
        return None
    expected = {"insatser_individ": "individual", "insatser_struktur": "structural"}.get(post)
    if expected and intervention.kind != expected:
        right = "insatser_individ" if intervention.kind == "individual" else "insatser_struktur"
        row.error(column, f"insatsen {slug} är {'individinriktad' if intervention.kind == 'individual' else 'strukturinriktad'} "
                          f"och hör inte till posten {post}: använd {right} eller insatser.", value=slug)
        return None
    return intervention


def _member(row, post, code, known):
    if post == "medlemsbidrag":
        if not code:
            row.error("medlem", f"medlemsbidrag behöver en medlem. Tillåtna: {', '.join(sorted(known.members))}.")
            return ""
        if code not in known.members:
            row.error("medlem", f"\"{code}\" är ingen av förbundets medlemmar. Tillåtna: "
                                f"{', '.join(sorted(known.members))}.")
            return ""
        return code
    if code:
        row.error("medlem", "medlem anges bara för posten medlemsbidrag.")
    return ""


def _amount(row, column="belopp"):
    value = row.cells.get(column)
    if value is None or _text(value) == "":
        row.error(column, "belopp saknas.")
        return None
    try:
        return parse_amount(value)
    except ValueError as reason:
        row.error(column, f"\"{_text(value)}\" {reason}")
        return None


def _line_text(row):
    text = row.get("text")
    if len(text) > MAX_TEXT:
        row.error("text", f"får vara högst {MAX_TEXT} tecken.", value=text[:60])
        return ""
    if contains_identity_number(text):
        row.error("text", IDENTITY_NUMBER_MESSAGE, value="")
        return ""
    return text


# --- budget -------------------------------------------------------------------------------------

@dataclass
class BudgetLine:
    line: int
    year: int
    type: str
    forecast_date: object
    post: str
    intervention: object  # Intervention or None
    member: str
    month: object
    amount: Decimal
    text: str

    @property
    def set_key(self):
        return (self.year, self.type, self.forecast_date)

    @property
    def key(self):
        return (self.post, self.intervention.id if self.intervention else None, self.member, self.month)


def clean_budget_row(line, cells, known, errors):
    row = _Row(line, cells, errors)
    row.insats_column = "insats"
    before = len(errors)
    year = _year(row)
    type_ = row.get("typ")
    if type_ not in posts.BUDGET_TYPES:
        row.error("typ", f"\"{type_}\" är ingen typ. Tillåtna: budget, plan, prognos.")
        type_ = None
    post = row.get("post")
    if post not in posts.BUDGET_POSTS:
        if post in posts.BY_CODE:
            row.error("post", f"en budget har ingen balanspost utom eget_kapital (planerat ingående eget kapital).")
        else:
            row.error("post", f"\"{post}\" är ingen post. Tillåtna: {', '.join(posts.BUDGET_POSTS)}.")
        post = None
    intervention = _intervention(row, post, row.get("insats"), known) if post else None
    member = _member(row, post, row.get("medlem"), known) if post else ""
    month = None
    if row.get("manad"):
        text = row.get("manad")
        if not text.isdigit() or not 1 <= int(text) <= 12:
            row.error("manad", "är ingen månad: ange 1–12, eller lämna tom för ett helårsbelopp.")
        elif type_ == posts.PROGNOS:
            row.error("manad", "en prognos har ingen månad: beloppet gäller från prognosdatum till 31 december.")
        elif post == "eget_kapital":
            row.error("manad", "eget kapital (planerat ingående) har ingen månad.")
        else:
            month = int(text)
    forecast_date = None
    raw_date = row.cells.get("prognosdatum")
    if type_ == posts.PROGNOS:
        forecast_date = _forecast_date(row, raw_date, year)
    elif _text(raw_date):
        row.error("prognosdatum", "prognosdatum anges bara för typen prognos.")
    if post == "eget_kapital" and type_ == posts.PROGNOS:
        row.error("post", "en prognos har ingen rad för eget kapital.")
    amount = _amount(row)
    text = _line_text(row)
    if len(errors) > before:
        return None
    return BudgetLine(line, year, type_, forecast_date, posts.resolve_post(post, intervention and intervention.kind),
                      intervention, member, month, amount, text)


def _forecast_date(row, raw, year):
    if raw is None or _text(raw) == "":
        row.error("prognosdatum", "en prognos behöver ett prognosdatum: sista dagen i en månad januari–november, "
                                  "t.ex. 2024-06-30.")
        return None
    if isinstance(raw, datetime.date):
        day = raw
    else:
        try:
            day = datetime.date.fromisoformat(_text(raw))
        except ValueError:
            row.error("prognosdatum", "är inget datum: skriv ÅÅÅÅ-MM-DD, t.ex. 2024-06-30.")
            return None
    if year is not None and (day.year != year or day.month == 12
                             or day.day != calendar.monthrange(day.year, day.month)[1]):
        row.error("prognosdatum", f"ska vara sista dagen i en månad januari–november {year}, t.ex. {year}-06-30.",
                  value=day.isoformat())
        return None
    return day


def clean_budget(rows, known):
    """rows: [(line, {column: value})] -> [BudgetLine]; raises FinanceInputError with every error."""
    errors, lines = _clean_rows(rows, known, clean_budget_row)
    if errors:
        raise FinanceInputError(errors)
    return lines


def _clean_rows(rows, known, clean_row):
    errors, lines = [], []
    for line, cells in rows:
        cleaned = clean_row(line, cells, known, errors)
        if cleaned:
            lines.append(cleaned)
    return errors, lines


# --- actuals -------------------------------------------------------------------------------------

@dataclass
class ActualLine:
    line: int
    year: int
    month: object  # None: the year as a total
    post: str
    intervention: object
    member: str
    amount: Decimal  # on the post's side
    text: str

    @property
    def period(self):
        return (self.year, self.month)


def period_text(period):
    year, month = period
    return f"{year}" if month is None else f"{year}-{month:02d}"


def parse_period(text, today):
    """``YYYY-MM`` or ``YYYY`` -> (year, month or None); ValueError with the Swedish reason."""
    match = PERIOD_RE.match(text or "")
    if not match:
        raise ValueError("är ingen period: skriv ÅÅÅÅ-MM för en månad eller ÅÅÅÅ för ett helt år, t.ex. 2024-03.")
    year, month = int(match.group(1)), match.group(2) and int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR or (month is not None and not 1 <= month <= 12):
        raise ValueError(f"är ingen period: år {MIN_YEAR}–{MAX_YEAR}, månad 01–12.")
    if year > today.year or (month is not None and (year, month) > (today.year, today.month)):
        raise ValueError("ligger i framtiden: utfall kan bara läsas in för perioder som har börjat.")
    return year, month or None


def clean_actuals_row(line, cells, known, errors):
    row = _Row(line, cells, errors)
    before = len(errors)
    text = row.get("period")
    period = known.periods.get(text)
    if period is None:
        try:
            period = known.periods[text] = parse_period(text, known.today)
        except ValueError as reason:
            row.error("period", str(reason))
    post, member = row.get("post"), row.get("medlem")
    account = row.get("konto")
    if post and account:
        row.error("konto", "ange post eller konto, inte båda.")
        post = None
    elif account:
        mapped = known.settings.account(account)
        if mapped is None:
            row.error("konto", f"kontot {account} finns inte i förbundets kontomappning (ekonomiinställningarna, "
                               "accounts). Lägg till kontot eller ett prefix som 46*.")
            post = None
        else:
            post = mapped["post"]
            if mapped.get("member"):
                if member and member != mapped["member"]:
                    row.error("medlem", f"kontot {account} är medlemsbidrag från {mapped['member']}; raden anger "
                                        f"en annan medlem.")
                member = mapped["member"]
    elif not post:
        row.error("post", "ange post eller konto.")
    elif post not in posts.BY_CODE:
        row.error("post", f"\"{post}\" är ingen post. Tillåtna: {', '.join(posts.CODES)}.")
        post = None
    slug, obj = row.get("insats"), row.get("objekt")
    row.insats_column = "insats"
    if slug and obj:
        row.error("objekt", "ange insats eller objekt, inte båda.")
        slug = None
    elif obj:
        if obj not in known.settings.objects:
            row.error("objekt", f"objektet {obj} finns inte i förbundets objektmappning (ekonomiinställningarna, "
                                "objects).")
            post = None
        else:
            slug = known.settings.objects[obj]
            row.insats_column = "objekt"
    intervention = _intervention(row, post, slug, known) if post else None
    member = _member(row, post, member, known) if post else ""
    booked = _amount(row)
    text = _line_text(row)
    if len(errors) > before:
        return None
    stored_post = posts.resolve_post(post, intervention and intervention.kind)
    return ActualLine(line, period[0], period[1], stored_post, intervention, member,
                      posts.to_post_side(stored_post, booked), text)


def clean_actuals(rows, known):
    errors, lines = _clean_rows(rows, known, clean_actuals_row)
    # A year holds monthly or annual rows, not both.
    years = {}
    for ln in lines:
        years.setdefault(ln.year, set()).add(ln.month is None)
    for year, kinds in sorted(years.items()):
        if len(kinds) == 2:
            first = next(ln for ln in lines if ln.year == year and ln.month is None)
            errors.append(RowError(first.line, "period", str(year), f"år {year} har både helårsrader och "
                                                                    "månadsrader: ett år läses in antingen per månad "
                                                                    "eller som helår."))
    if errors:
        raise FinanceInputError(sorted(errors, key=lambda e: e.row))
    return lines
