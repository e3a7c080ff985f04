"""Every finance figure, computed once from budget lines and actuals (shared/spec/finance.md,
"Counting rules" and "The tables"). The report tables (``report_tables.py``) and the metric source
(``metrics.py``) both call these functions: one path.

Amounts are exact Decimals (öre and fractions kept, e.g. a yearly budget line × 5/12); nothing here
rounds. Income and costs are positive; ``resultat`` = income − costs; a deviation (``avvikelse``) is
positive when better than budget."""

import calendar
import datetime
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, F, Sum
from django.db.models.functions import Cast, Round

from . import posts
from .models import Actual, BudgetLine, BudgetSet
from .settings_section import settings_of

ZERO = Decimal(0)
Line = namedtuple("Line", "post intervention member amount")  # intervention: id or None


class PeriodError(ValueError):
    """The period cannot carry finance figures (Swedish message)."""


@dataclass(frozen=True)
class Months:
    """Whole months ``first``..``last`` of one calendar year."""

    year: int
    first: int = 1
    last: int = 12

    @classmethod
    def of(cls, start, end):
        if (start.day != 1 or end.day != calendar.monthrange(end.year, end.month)[1] or start.year != end.year
                or start > end):
            raise PeriodError("Ekonomitabellerna räknar hela månader inom ett kalenderår: välj en period som börjar "
                              "den första i en månad och slutar den sista i en månad samma år, t.ex. 2024-01-01 – "
                              "2024-06-30.")
        return cls(start.year, start.month, end.month)

    @property
    def whole_year(self):
        return self.first == 1 and self.last == 12

    @property
    def count(self):
        return self.last - self.first + 1

    @property
    def start(self):
        return datetime.date(self.year, self.first, 1)

    @property
    def end(self):
        return datetime.date(self.year, self.last, calendar.monthrange(self.year, self.last)[1])

    def shifted(self, years):
        return Months(self.year + years, self.first, self.last)

    def __contains__(self, month):
        return self.first <= month <= self.last


# A yearly budget line counted for part of a year (amount × months / 12) is kept to 10⁻¹² kr, not
# rounded to öre: a finite Decimal, so that every sum of such lines (below 10¹⁶ kr) is exact in any
# order within Decimal's default 28 digits (docs/decisions.md, issue 13).
PRORATA_QUANTUM = Decimal("1e-12")


def prorated(amount, months):
    return (amount * months / 12).quantize(PRORATA_QUANTUM)


def _add(target, key, amount):
    target[key] = target.get(key, ZERO) + amount


class Ledger:
    """One förbund's budget (current sets) and actuals, read once per report (a few hundred rows:
    actuals are summed per period, post, insats and member in the database)."""

    def __init__(self, association, interventions=None):
        from finsam.interventions.models import Intervention
        from finsam.tenancy.models import Member

        self.association = association
        self.settings = settings_of(association)
        every = list(Intervention.objects.filter(association=association).order_by("pk"))
        self.all_interventions = {i.pk: i for i in every}
        # The report's insatser (all when not filtered): insats rows and cost per participant.
        wanted = set(interventions or ())
        self.interventions = [i for i in every if not wanted or i.slug in wanted]
        self.filtered = bool(wanted)
        members = list(Member.objects.filter(association=association))
        order = {"fk": 0, "af": 1, "region": 2, "kommun": 3}
        self.members = sorted(members, key=lambda m: (order.get(m.kind, 9), m.municipality_code))
        self.member_names = {m.code: m.display_name for m in members}
        # (year, type, forecast_date) -> [(post, iid, member, month, amount)] of the current versions
        sets = {s.pk: (s.year, s.type, s.forecast_date)
                for s in BudgetSet.objects.filter(association=association, current=True)}
        self._budget = {key: [] for key in sets.values()}
        for row in (BudgetLine.objects.filter(budget_set_id__in=list(sets))
                    .values_list("budget_set_id", "post", "intervention_id", "member", "month", "amount")):
            self._budget.setdefault(sets[row[0]], []).append(row[1:])
        self._actuals = {}  # (year, month or None) -> [Line]
        # Summed in öre as integers: SQLite keeps a DecimalField as a float, and a float sum of many
        # amounts is not exact; an integer sum is, on both databases.
        in_ore = Cast(Round(F("amount") * 100), BigIntegerField())
        for year, month, post, iid, member, ore in (
                Actual.objects.filter(association=association)
                .values_list("year", "month", "post", "intervention_id", "member").annotate(total=Sum(in_ore))
                .order_by()):
            amount = Decimal(int(ore)) / 100
            self._actuals.setdefault((year, month), []).append(Line(post, iid, member, amount))
        self.actual_years = {}  # year -> "annual" or set of months
        for year, month in self._actuals:
            if month is None:
                self.actual_years[year] = "annual"
            else:
                self.actual_years.setdefault(year, set()).add(month)

    # --- groups ------------------------------------------------------------------------------

    def kind_of(self, intervention_id):
        intervention = self.all_interventions.get(intervention_id)
        return intervention.kind if intervention else None

    def group(self, line):
        """``ovrigt`` for pass-through and financial posts, else the insats's kind, else the post's
        group (``post_groups`` may move it)."""
        post = posts.BY_CODE[line.post]
        if post.pass_through or post.financial:
            return posts.OVRIGT
        if post.code == "medlemsbidrag":
            return posts.MEDLEMSBIDRAG
        if line.intervention is not None:
            return posts.KIND_GROUP.get(self.kind_of(line.intervention), posts.OVRIGT)
        return self.settings.group_of(line.post)

    # --- budget ------------------------------------------------------------------------------

    def budget_years(self, type_):
        return sorted({year for (year, t, _) in self._budget if t == type_})

    def has_budget(self, year, type_=posts.BUDGET):
        return (year, type_, None) in self._budget

    def budget_lines(self, year, months=None, type_=posts.BUDGET, forecast_date=None):
        """The set's lines counted for ``months`` (a Months of ``year``; None: the whole year): a line
        with a month if it is inside, one without as ``amount × months / 12``. None: no such set."""
        rows = self._budget.get((year, type_, forecast_date))
        if rows is None:
            return None
        months = months or Months(year)
        out = []
        for post, iid, member, month, amount in rows:
            if post == "eget_kapital":
                continue
            if month is None:
                value = amount if months.whole_year else prorated(amount, months.count)
            elif month in months:
                value = amount
            else:
                continue
            out.append(Line(post, iid, member, value))
        return out

    def budget_or_plan(self, year, months=None):
        lines = self.budget_lines(year, months)
        return lines if lines is not None else self.budget_lines(year, months, posts.PLAN)

    def budget_opening_equity(self, year, type_=posts.BUDGET):
        rows = self._budget.get((year, type_, None)) or []
        values = [amount for post, _, _, _, amount in rows if post == "eget_kapital"]
        return sum(values, ZERO) if values else None

    def forecast(self, year, until):
        """The latest forecast date of ``year`` no later than ``until``, or None."""
        dates = [d for (y, t, d) in self._budget if y == year and t == posts.PROGNOS and d and d <= until]
        return max(dates) if dates else None

    def forecast_lines(self, year, forecast_date):
        rows = self._budget.get((year, posts.PROGNOS, forecast_date)) or []
        return [Line(post, iid, member, amount) for post, iid, member, _, amount in rows if post != "eget_kapital"]

    # --- actuals -----------------------------------------------------------------------------

    def has_actuals(self, year):
        return year in self.actual_years

    def serves(self, months):
        """Whether the actuals can be counted for ``months``: a year kept as annual totals serves
        whole years only; a year without actuals serves nothing."""
        kept = self.actual_years.get(months.year)
        if kept is None:
            return False
        return months.whole_year if kept == "annual" else True

    def actual_lines(self, months, *, balances=False):
        """Income and cost lines of the period (balance posts with ``balances``), or None when the
        actuals cannot serve it."""
        if not self.serves(months):
            return None
        kept = self.actual_years[months.year]
        keys = [(months.year, None)] if kept == "annual" else [(months.year, m) for m in range(months.first, months.last + 1)]
        out = []
        for key in keys:
            for line in self._actuals.get(key, ()):
                if (posts.side(line.post) in (posts.INCOME, posts.COST)) != balances:
                    out.append(line)
        return out

    def missing_months(self, months):
        kept = self.actual_years.get(months.year)
        if kept == "annual":
            return 0 if months.whole_year else months.count
        kept = kept or set()
        return sum(1 for m in range(months.first, months.last + 1) if m not in kept)

    def _latest_first(self, year):
        """The periods of ``year`` holding actuals, the last first."""
        kept = self.actual_years.get(year)
        if kept is None:
            return []
        return [(year, None)] if kept == "annual" else [(year, m) for m in sorted(kept, reverse=True)]

    def balances(self, year):
        """{post: balance} at the end of ``year`` (its last period holding balance lines), or None."""
        for key in self._latest_first(year):
            lines = [ln for ln in self._actuals.get(key, ()) if posts.side(ln.post) not in (posts.INCOME, posts.COST)]
            if lines:
                out = {p: ZERO for p in posts.BALANCE_POSTS}
                for ln in lines:
                    out[ln.post] += ln.amount
                return out
        return None

    def booked_equity(self, year):
        """The booked ``eget_kapital`` of ``year`` (its opening, before the closing entry): that of its
        last period holding one; or None."""
        for key in self._latest_first(year):
            lines = [ln.amount for ln in self._actuals.get(key, ()) if ln.post == "eget_kapital"]
            if lines:
                return sum(lines, ZERO)
        return None

    def year_result(self, year):
        lines = self.actual_lines(Months(year))
        return None if lines is None else result(lines)

    def opening_equity(self, year, _depth=0):
        """Booked ``eget_kapital`` of the year, else the closing of the year before; or None."""
        booked = self.booked_equity(year)
        if booked is not None:
            return booked
        return self.closing_equity(year - 1, _depth + 1) if _depth < 30 else None

    def closing_equity(self, year, _depth=0):
        if self.has_actuals(year) and self.serves(Months(year)):
            opening = self.opening_equity(year, _depth)
            return None if opening is None else opening + self.year_result(year)
        history = self.settings.history.get(year)
        return history.get("closing_equity") if history else None


# --- sums over lines --------------------------------------------------------------------------

def income(lines):
    return sum((ln.amount for ln in lines if posts.side(ln.post) == posts.INCOME), ZERO)


def costs(lines):
    return sum((ln.amount for ln in lines if posts.side(ln.post) == posts.COST), ZERO)


def result(lines):
    return income(lines) - costs(lines)


def total(lines, predicate):
    return sum((ln.amount for ln in lines if predicate(ln)), ZERO)


def member_total(lines, code=None):
    return total(lines, lambda ln: ln.post == "medlemsbidrag" and (code is None or ln.member == code))


# --- post rows R ---------------------------------------------------------------------------------

INCOME_ROWS = ("projektbidrag", "ovriga_intakter", "vidarefakturerat_intakt", "finansiella_intakter")
COST_ROW_PREFIXES = tuple(f"{g}:" for g in posts.COST_GROUPS)
COST_SUM_ROWS = tuple(f"summa_{g}" for g in posts.COST_GROUPS) + ("summa_kostnader",)


def is_cost_row(key):
    return key.startswith(COST_ROW_PREFIXES) or key in COST_SUM_ROWS


def post_values(ledger, lines):
    """{row key: amount} of the rows R for ``lines`` (None stays None)."""
    if lines is None:
        return None
    values = {}
    for ln in lines:
        side = posts.side(ln.post)
        if ln.post == "medlemsbidrag":
            _add(values, f"medlemsbidrag:{ln.member}", ln.amount)
            _add(values, "summa_medlemsbidrag", ln.amount)
            _add(values, "summa_intakter", ln.amount)
        elif side == posts.INCOME:
            _add(values, ln.post, ln.amount)
            _add(values, "summa_intakter", ln.amount)
        elif side == posts.COST:
            group = ledger.group(ln)
            _add(values, f"{group}:{ln.post}", ln.amount)
            _add(values, f"summa_{group}", ln.amount)
            _add(values, "summa_kostnader", ln.amount)
    values["resultat"] = values.get("summa_intakter", ZERO) - values.get("summa_kostnader", ZERO)
    return values


def post_rows(ledger, columns):
    """The rows R (key, label) for the values of ``columns`` ({col: post_values or None}): post and
    member rows when a cell is non-zero, sum rows always; and the cells (Decimal, 0 for a missing
    post in a column that has data, None for a column without data)."""
    present = set()
    for values in columns.values():
        if values:
            present |= {k for k, v in values.items() if v}
    rows = []
    for m in ledger.members:
        key = f"medlemsbidrag:{m.code}"
        if key in present:
            rows.append((key, m.display_name))
    for key in sorted(k for k in present if k.startswith("medlemsbidrag:") and k not in dict(rows)):
        rows.append((key, key.split(":", 1)[1]))  # a member since removed: shown by its code
    rows.append(("summa_medlemsbidrag", "Summa medlemsbidrag"))
    rows += [(k, posts.label(k)) for k in INCOME_ROWS if k in present]
    rows.append(("summa_intakter", "Summa intäkter"))
    cost_posts = [p for p in posts.COST_POSTS]
    for group in posts.COST_GROUPS:
        rows += [(f"{group}:{p}", posts.label(p)) for p in cost_posts if f"{group}:{p}" in present]
        rows.append((f"summa_{group}", posts.GROUP_SUM_LABELS[group]))
    rows += [("summa_kostnader", "Summa kostnader"), ("resultat", "Resultat")]
    cells = {key: {col: (None if values is None else values.get(key, ZERO)) for col, values in columns.items()}
             for key, _ in rows}
    return rows, cells


# --- insats rows I --------------------------------------------------------------------------------

def intervention_values(ledger, lines):
    """{row key: cost} of the rows I (cost lines of groups individ and struktur) and
    {row key: external funding} (income lines carrying the insats)."""
    if lines is None:
        return None, None
    cost, funding = {}, {}
    for ln in lines:
        side = posts.side(ln.post)
        if side == posts.COST:
            group = ledger.group(ln)
            if group not in (posts.INDIVID, posts.STRUKTUR):
                continue
            intervention = ledger.all_interventions.get(ln.intervention)
            key = intervention.slug if intervention else f"ej_fordelat_{group}"
            _add(cost, key, ln.amount)
            _add(cost, f"summa_{group}", ln.amount)
            _add(cost, "totalt", ln.amount)
        elif side == posts.INCOME and ln.intervention is not None:
            intervention = ledger.all_interventions.get(ln.intervention)
            group = posts.KIND_GROUP.get(intervention.kind)
            if group is None:
                continue
            _add(funding, intervention.slug, ln.amount)
            _add(funding, f"summa_{group}", ln.amount)
            _add(funding, "totalt", ln.amount)
    return cost, funding


def intervention_rows(ledger, columns):
    """Rows I for ``columns`` ({col: values or None}); an insats row when a cell is non-zero."""
    present = set()
    for values in columns.values():
        if values:
            present |= {k for k, v in values.items() if v}
    rows = []
    for kind, group in (("individual", posts.INDIVID), ("structural", posts.STRUKTUR)):
        rows += [(i.slug, i.name) for i in ledger.interventions if i.kind == kind and i.slug in present]
        if not ledger.filtered:
            if f"ej_fordelat_{group}" in present:
                rows.append((f"ej_fordelat_{group}", "Ej fördelat på insats"))
            rows.append((f"summa_{group}", posts.GROUP_SUM_LABELS[group]))
    rows.append(("totalt", "Totalt"))
    return rows


def only_interventions(ledger, values):
    """With an insats filter, the sum rows and the total count the report's insatser only."""
    if values is None or not ledger.filtered:
        return values
    wanted = {i.slug: posts.KIND_GROUP[i.kind] for i in ledger.interventions}
    out = {k: v for k, v in values.items() if k in wanted}
    out["totalt"] = sum(out.values(), ZERO)
    for group in (posts.INDIVID, posts.STRUKTUR):
        out[f"summa_{group}"] = sum((v for k, v in out.items() if wanted.get(k) == group), ZERO)
    return out


# --- equity -------------------------------------------------------------------------------------

def equity_cap(ledger, year):
    """The cap of ``year`` from its budgeted member contributions (full year), or None."""
    lines = ledger.budget_or_plan(year)
    if lines is None and "amount" not in ledger.settings.equity_cap:
        return None
    return ledger.settings.equity_cap_for(member_total(lines or []))


def budget_equity(ledger, year):
    """(opening, result, closing) of ``year``'s budget (full year): opening from its eget_kapital
    line, else the actual opening; or None without a budget."""
    lines = ledger.budget_lines(year)
    if lines is None:
        return None
    opening = ledger.budget_opening_equity(year)
    if opening is None:
        opening = ledger.opening_equity(year)
    res = result(lines)
    return opening, res, (None if opening is None else opening + res)


def ideal_state(ledger, year):
    allocation = ledger.settings.allocation.get(year)
    if not allocation:
        return None
    if allocation.get("ideal_state") is not None:
        return allocation["ideal_state"]
    base = Decimal(400000)
    return base + (allocation["state_total"] - base * allocation["associations"]) * (
        Decimal("0.75") * allocation["support_share"] + Decimal("0.25") * allocation["population_share"])


def admin_share(ledger, lines):
    """(kansli costs, costs of individ + struktur + kansli) of actual lines."""
    by_group = cost_groups(ledger, lines)
    basis = by_group[posts.INDIVID] + by_group[posts.STRUKTUR] + by_group[posts.KANSLI]
    return by_group[posts.KANSLI], basis


def cost_groups(ledger, lines):
    out = {g: ZERO for g in posts.COST_GROUPS}
    for ln in lines:
        if posts.side(ln.post) == posts.COST:
            out[ledger.group(ln)] += ln.amount
    return out


def actual_cost_by_intervention(ledger, lines):
    """{intervention id: (costs, external funding)} of actual lines."""
    out = {}
    for ln in lines:
        if ln.intervention is None:
            continue
        cost, funding = out.get(ln.intervention, (ZERO, ZERO))
        if posts.side(ln.post) == posts.COST:
            cost += ln.amount
        elif posts.side(ln.post) == posts.INCOME:
            funding += ln.amount
        out[ln.intervention] = (cost, funding)
    return out

