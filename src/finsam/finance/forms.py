"""Forms of the finance pages: the amount grid (budget and plan years, forecast, a month's actuals),
the file upload and the settings. Every amount is read by the import's one rule
(``importing.parse_amount``: Swedish "1 234 567,50", at most two decimals) and every line is
validated by the import's row rules (``importing.clean_budget_row`` / ``clean_actuals_row``), so a
line typed on a page and a line in a file obey the same rules, written once."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms

from finsam.core.forms import AccessibleErrorsMixin

from . import posts
from .importing import parse_amount

AMOUNT_MAX_LENGTH = 40  # "-1 234 567 890 123,45" with room; longer is refused before parsing


@dataclass(frozen=True)
class Row:
    """A line of the grid: a post, optionally an insats (slug) or a member (code)."""

    post: str
    intervention: str = ""
    member: str = ""
    label: str = ""
    section: str = ""  # the heading the row is shown under

    @property
    def key(self):
        return (self.post, self.intervention, self.member)

    @property
    def side(self):
        return posts.side(self.post)


@dataclass(frozen=True)
class Column:
    """A column of the grid: a set of lines (budget or plan of a year, a forecast, a month)."""

    key: str  # used in field names: ASCII letters, digits and "-"
    label: str  # Swedish, e.g. "Budget 2024"
    year: int
    type: str = ""  # budget type (budget, plan, prognos) or "" for actuals


INCOME, COSTS, INSATSER, BALANCE = "Intäkter", "Kostnader", "Insatser", "Balansposter"


def stored_key(post, slug, member):
    """The grid row of a stored line: an insats's cost line is typed as the input post ``insatser``."""
    if post in ("insatser_individ", "insatser_struktur") and slug:
        return ("insatser", slug, member)
    return (post, slug, member)


def grid_rows(interventions, members, *, balance=False, equity=False, existing=()):
    """The rows of a grid: member contributions per member, the income posts (project funding also
    per insats: its external funding), the cost of each insats, the other cost posts; with
    ``equity`` the planned opening equity, with ``balance`` every balance post (actuals). Rows for
    ``existing`` stored keys that no default row has are added, so a page never drops a line."""
    rows = [Row("medlemsbidrag", member=code, label=f"Medlemsbidrag, {name}", section=INCOME) for code, name in members]
    for post in posts.INCOME_POSTS:
        if post == "medlemsbidrag":
            continue
        rows.append(Row(post, label=posts.label(post), section=INCOME))
        if post == "projektbidrag":
            rows += [Row(post, slug, label=f"{posts.label(post)}, {name}", section=INCOME) for slug, name in interventions]
    rows += [Row("insatser", slug, label=name, section=INSATSER) for slug, name in interventions]
    for post in posts.COST_POSTS:
        label = posts.label(post)
        if post in ("insatser_individ", "insatser_struktur"):
            label += ", ej fördelat på insats"
        rows.append(Row(post, label=label, section=COSTS))
    if balance:
        rows += [Row(post, label=posts.label(post), section=BALANCE) for post in posts.BALANCE_POSTS]
    elif equity:
        rows.append(Row("eget_kapital", label="Eget kapital, planerat ingående", section=BALANCE))
    names = dict(interventions)
    known = {r.key for r in rows}
    for post, slug, member in existing:
        key = stored_key(post, slug, member)
        if key not in known and key[0] in posts.BY_CODE:
            known.add(key)
            label = posts.label(key[0]) + (f", {names.get(slug, slug)}" if slug else "") + (f", {member}" if member else "")
            section = {posts.INCOME: INCOME, posts.COST: COSTS}.get(posts.side(key[0]), BALANCE)
            rows.append(Row(*key, label=label, section=section))
    return rows


class AmountGridForm(AccessibleErrorsMixin, forms.Form):
    """One text input per row and column, each labelled with its row and column (read out as
    "Styrelse, Budget 2024"). Cleaned values are Decimal kronor or None (an empty cell: no line)."""

    def __init__(self, *args, rows, columns, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.columns = rows, columns
        for c in columns:
            for i, row in enumerate(rows):
                self.fields[self.name(c, i)] = forms.CharField(
                    label=f"{row.label}, {c.label}", required=False, max_length=AMOUNT_MAX_LENGTH,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "amount",
                                                  "size": 12}),
                    error_messages={"max_length": "Beloppet är för långt: skriv kronor, t.ex. 1 234 567,50."})

    @staticmethod
    def name(column, index):
        return f"{column.key}__{index}"

    def clean(self):
        cleaned = super().clean()
        for name in list(cleaned):
            text = (cleaned.get(name) or "").strip()
            if not text:
                cleaned[name] = None
                continue
            try:
                cleaned[name] = parse_amount(text)
            except ValueError as reason:
                self.add_error(name, f"”{text[:30]}” {reason}")
        return cleaned

    def amounts(self, column):
        """{row: Decimal} of the filled cells of ``column`` (after is_valid)."""
        return {row: self.cleaned_data[self.name(column, i)] for i, row in enumerate(self.rows)
                if self.cleaned_data.get(self.name(column, i)) is not None}

    def grid(self, totals=None):
        """What the template draws: [(section, [(row, [bound field per column])])] and the totals."""
        sections = []
        for i, row in enumerate(self.rows):
            if not sections or sections[-1][0] != row.section:
                sections.append((row.section, []))
            sections[-1][1].append((row, [self[self.name(c, i)] for c in self.columns]))
        return sections


def totals(rows, amounts_by_column):
    """Per column: income, costs and result from the exact amounts (never from rounded ones)."""
    result = []
    for amounts in amounts_by_column:
        income = sum((v for r, v in amounts.items() if r.side == posts.INCOME), Decimal(0))
        costs = sum((v for r, v in amounts.items() if r.side == posts.COST), Decimal(0))
        result.append({"income": income, "costs": costs, "result": income - costs})
    return result


def forecast_dates(year):
    """The allowed forecast dates of ``year``: the last day of January … November."""
    return [datetime.date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 12)]


class ForecastDateForm(AccessibleErrorsMixin, forms.Form):
    prognosdatum = forms.TypedChoiceField(label="Prognosdatum", coerce=datetime.date.fromisoformat,
                                          help_text="Utfallet till och med detta datum, prognosen för resten av året.")

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prognosdatum"].choices = [(d.isoformat(), d.isoformat()) for d in forecast_dates(year)]


class UploadForm(AccessibleErrorsMixin, forms.Form):
    file = forms.FileField(label="Fil", help_text="Excel (.xlsx, bladet Budget eller Utfall) eller CSV (.csv).")


class SettingsForm(AccessibleErrorsMixin, forms.Form):
    """The settings a förbund changes on the page; the account and object mappings, the ideal
    allocation and the history are kept as they are (the förbundsfil's ``finance`` section)."""

    display_unit = forms.ChoiceField(label="Belopp visas i", choices=[("tkr", "tusental kronor (tkr)"),
                                                                       ("kr", "kronor (kr)")],
                                     help_text="På rapportsidan, i Excel och PDF. CSV och JSON har alltid hela kronor.")
    equity_cap_kind = forms.ChoiceField(label="Tak för eget kapital", widget=forms.RadioSelect, choices=[
        ("none", "Inget tak"), ("amount", "Ett belopp"), ("steps", "En andel av årets budgeterade medlemsbidrag")])
    equity_cap_amount = forms.CharField(label="Tak, belopp i kronor", required=False, max_length=AMOUNT_MAX_LENGTH,
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    equity_cap_steps = forms.CharField(
        label="Tak, andel per nivå", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="En nivå per rad: ”upp till belopp: andel i procent”, sista raden ”över: andel”. "
                  "T.ex. ”5 000 000: 20” och ”över: 10”.")
    admin_share_max = forms.CharField(label="Administration högst, procent av kostnaderna", required=False,
                                      max_length=10, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                      help_text="Kostnader för kansli och administration som andel av kostnaderna för "
                                                "individ, struktur och kansli. Tomt: inget mål.")

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = list(municipalities)  # [(code, name)]
        for code, name in self.municipalities:
            self.fields[f"key_{code}"] = forms.CharField(
                label=f"Fördelningsnyckel {name}", required=False, max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                help_text="Kommunens del av kommunernas fjärdedel, t.ex. befolkningen eller en andel i procent.")

    @property
    def key_fields(self):
        return [self[f"key_{code}"] for code, _ in self.municipalities]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("equity_cap_kind")
        cap = {}
        if kind == "amount":
            cap = {"amount": self._amount("equity_cap_amount", required=True)}
        elif kind == "steps":
            cap = {"steps": self._steps(cleaned.get("equity_cap_steps") or "")}
        cleaned["equity_cap"] = cap
        share = (cleaned.get("admin_share_max") or "").strip()
        cleaned["admin_share_max"] = None
        if share:
            value = self._number("admin_share_max", share)
            if value is not None and not 0 < value <= 100:
                self.add_error("admin_share_max", "Ange en procentsats större än 0 och högst 100.")
            elif value is not None:
                cleaned["admin_share_max"] = value / 100
        keys = {}
        for code, _ in self.municipalities:
            text = (cleaned.get(f"key_{code}") or "").strip()
            if text:
                value = self._number(f"key_{code}", text)
                if value is not None and value < 0:
                    self.add_error(f"key_{code}", "En nyckel kan inte vara negativ.")
                elif value is not None:
                    keys[code] = value
        cleaned["municipality_keys"] = keys
        return cleaned

    def _number(self, name, text):
        try:
            return parse_amount(text)
        except ValueError as reason:
            self.add_error(name, f"”{text[:30]}” {reason}")
            return None

    def _amount(self, name, required=False):
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            if required:
                self.add_error(name, "Ange taket i kronor, t.ex. 2 500 000.")
            return None
        value = self._number(name, text)
        if value is not None and value < 0:
            self.add_error(name, "Taket kan inte vara negativt.")
            return None
        return value

    def _steps(self, text):
        steps = []
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            self.add_error("equity_cap_steps", "Ange minst en nivå, t.ex. ”över: 10”.")
            return []
        for n, line in enumerate(lines, start=1):
            limit, sep, share = line.partition(":")
            if not sep:
                self.add_error("equity_cap_steps", f"Rad {n}: ”{line[:40]}” saknar kolon mellan belopp och andel.")
                continue
            up_to = None
            if limit.strip().lower() != "över":
                try:
                    up_to = parse_amount(limit.strip())
                except ValueError as reason:
                    self.add_error("equity_cap_steps", f"Rad {n}: beloppet ”{limit.strip()[:30]}” {reason}")
                    continue
            elif n != len(lines):
                self.add_error("equity_cap_steps", f"Rad {n}: ”över” ska stå på sista raden.")
                continue
            try:
                percent = parse_amount(share.strip())
            except ValueError as reason:
                self.add_error("equity_cap_steps", f"Rad {n}: andelen ”{share.strip()[:30]}” {reason}")
                continue
            if not 0 < percent <= 100:
                self.add_error("equity_cap_steps", f"Rad {n}: andelen ska vara större än 0 och högst 100 procent.")
                continue
            steps.append({"up_to": up_to, "share": percent / 100})
        limits = [s["up_to"] for s in steps if s["up_to"] is not None]
        if limits != sorted(limits) or len(set(limits)) != len(limits):
            self.add_error("equity_cap_steps", "Nivåerna ska stå i stigande ordning.")
        return steps
