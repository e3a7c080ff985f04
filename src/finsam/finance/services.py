"""The write path of finance data; the pages (finance-web) and commands call only these.

- ``import_budget(association, file_or_rows, *, filename=None, dry_run=False, user=None)``
- ``import_actuals(association, file_or_rows, *, filename=None, dry_run=False, user=None)``
  ``file_or_rows``: the file's bytes or a binary file object (``filename`` says .csv or .xlsx; an
  upload's own ``name`` is used when not given), or already-read rows ``[{column: value}]`` (lines
  numbered from 2 as in a file). Return an ``ImportSummary`` (per set or period: created / replaced /
  unchanged, lines, control sums income / costs / result) or raise ``FinanceInputError`` with every
  error (``errors``: a RowError (row, column, value, message) per line, a text for the whole file;
  Swedish). All or nothing, one transaction,
  idempotent; ``dry_run`` validates and summarises without writing.
- ``save_budget_lines(association, year, type, lines, user, *, forecast_date=None)``: hand entry of
  one (year, type, forecast date) set, replacing it (a new version when it changes). ``lines``:
  ``[{"post", "insats" (slug or ""), "medlem", "manad" (1-12 or None), "belopp" (Decimal, on the
  post's side), "text"}]``. Returns the ImportSummary.
- ``save_actuals(association, period, lines, user)``: hand entry of a period ("YYYY-MM" or "YYYY"),
  amounts on the post's side (income and costs positive), ``lines`` as above without ``manad``
  (``post``, ``insats``, ``medlem``, ``belopp``, ``text``). Refuses a period that came from a file.
- ``save_settings(association, data, user=None)``: the förbundsfil's ``finance`` object (the same
  keys; what is left out is untouched); raises ``FinanceInputError`` with messages by JSON path.

Every write takes the förbund's finance lock (PostgreSQL advisory lock; SQLite serialises writers)
and raises the förbund's data version (``tenancy.models.mark_data_changed``)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from finsam.core.identifiers import redact_identity_numbers
from finsam.participants.bulk import insert
from finsam.participants.importing import RowError
from finsam.tenancy.models import mark_data_changed

from . import posts
from .importing import (
    FinanceInputError, Known, clean_actuals, clean_actuals_row, clean_budget, parse_amount,
    parse_period, period_text, read_rows,
)
from .models import Actual, BudgetLine, BudgetSet, FinanceSettings

# First half of the advisory-lock key of finance writes (the participant import uses its own).
FINANCE_LOCK_NAMESPACE = 13


def lock_finance_writes(association_id):
    """Serialise one förbund's finance writers until the transaction ends (the same file imported
    twice at once gives one result). SQLite serialises every writer already (IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FINANCE_LOCK_NAMESPACE, association_id])


@dataclass
class SetSummary:
    """One budget set or actuals period of an import."""

    key: str  # "Budget 2024", "Prognos 2024 (2024-06-30)", "2024-03"
    outcome: str  # "created", "replaced", "unchanged"
    lines: int = 0
    income: Decimal = Decimal(0)
    costs: Decimal = Decimal(0)

    @property
    def result(self):
        return self.income - self.costs

    OUTCOMES = {"created": "ny", "replaced": "ersatt", "unchanged": "oförändrad"}

    def __str__(self):
        def kr(value):
            return f"{value:,.2f}".replace(",", " ").replace(".", ",") + " kr"
        return (f"{self.key}: {self.OUTCOMES[self.outcome]}, {self.lines} rader; intäkter {kr(self.income)}, "
                f"kostnader {kr(self.costs)}, resultat {kr(self.result)}")


@dataclass
class ImportSummary:
    sets: list = field(default_factory=list)  # [SetSummary]
    dry_run: bool = False

    def count(self, outcome):
        return sum(1 for s in self.sets if s.outcome == outcome)

    @property
    def created(self):
        return self.count("created")

    @property
    def replaced(self):
        return self.count("replaced")

    @property
    def unchanged(self):
        return self.count("unchanged")

    def lines(self):
        head = "Provläsning, inget sparat: " if self.dry_run else ""
        return [f"{head}{self.created} nya, {self.replaced} ersatta, {self.unchanged} oförändrade",
                *[str(s) for s in self.sets]]

    def __str__(self):
        return "\n".join(self.lines())


def _sums(lines):
    income = sum((ln.amount for ln in lines if posts.side(ln.post) == posts.INCOME), Decimal(0))
    costs = sum((ln.amount for ln in lines if posts.side(ln.post) == posts.COST), Decimal(0))
    return income, costs


def stored_file_name(name):
    """A file's name as it is kept and shown: its folder dropped and anything shaped like an identity
    number hidden (a file may be named after the person it is about)."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return redact_identity_numbers(name)[:255]


def _rows(file_or_rows, filename, kind):
    if isinstance(file_or_rows, (list, tuple)):
        return [(i, dict(cells)) for i, cells in enumerate(file_or_rows, start=2)]
    name = filename or getattr(file_or_rows, "name", "") or ""
    return read_rows(file_or_rows, str(name), kind=kind)


# --- budget ---------------------------------------------------------------------------------------

def _set_label(year, type_, forecast_date):
    label = f"{posts.BUDGET_TYPES[type_]} {year}"
    return f"{label} ({forecast_date.isoformat()})" if forecast_date else label


def _budget_signature(items):
    """What a set holds, order-free: lines with equal keys added (the file rule)."""
    totals, texts = {}, {}
    for post, intervention_id, member, month, amount, text in items:
        key = (post, intervention_id, member or "", month)
        totals[key] = totals.get(key, Decimal(0)) + Decimal(amount)
        if text and key not in texts:
            texts[key] = text
    return {k: (v.quantize(Decimal("0.01")), texts.get(k, "")) for k, v in totals.items()}


def _current_set(association, year, type_, forecast_date):
    return (BudgetSet.objects.filter(association=association, year=year, type=type_, forecast_date=forecast_date,
                                     current=True).first())


def _write_budget(association, lines, *, dry_run, user, source, file_name, replace_sets=()):
    """Replace every set of ``lines`` (and the empty ``replace_sets``), each by a new version if it
    changed. Runs inside the caller's transaction with the lock held."""
    summary = ImportSummary(dry_run=dry_run)
    by_set = {}
    for key in replace_sets:
        by_set.setdefault(key, [])
    for ln in lines:
        by_set.setdefault(ln.set_key, []).append(ln)
    changed = False
    for (year, type_, forecast_date), set_lines in sorted(by_set.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                                         kv[0][2] or datetime.date.min)):
        new = _budget_signature((ln.post, ln.intervention.id if ln.intervention else None, ln.member, ln.month,
                                 ln.amount, ln.text) for ln in set_lines)
        old_set = _current_set(association, year, type_, forecast_date)
        old = None
        if old_set is not None:
            old = _budget_signature(old_set.lines.values_list("post", "intervention_id", "member", "month", "amount",
                                                              "text"))
        income, costs = _sums(set_lines)
        outcome = "unchanged" if old == new else ("replaced" if old_set is not None else "created")
        summary.sets.append(SetSummary(_set_label(year, type_, forecast_date), outcome, len(new), income, costs))
        if outcome == "unchanged" or dry_run:
            continue
        changed = True
        version = 1
        if old_set is not None:
            version = old_set.version + 1
            BudgetSet.objects.filter(pk=old_set.pk).update(current=False)
        budget_set = BudgetSet.objects.create(association=association, year=year, type=type_,
                                              forecast_date=forecast_date, version=version, current=True,
                                              source=source, file_name=file_name[:255], created_by=user)
        BudgetLine.objects.bulk_create([
            BudgetLine(budget_set=budget_set, post=post, intervention_id=intervention_id, member=member,
                       month=month, amount=amount, text=text[:500])
            for (post, intervention_id, member, month), (amount, text) in new.items()
        ])
    if changed:
        mark_data_changed(association.pk)
    return summary


def import_budget(association, file_or_rows, *, filename=None, dry_run=False, user=None):
    rows = _rows(file_or_rows, filename, "budget")
    with transaction.atomic():
        lock_finance_writes(association.pk)
        lines = clean_budget(rows, Known.of(association))
        return _write_budget(association, lines, dry_run=dry_run, user=user, source=BudgetSet.FILE,
                             file_name=stored_file_name(filename or getattr(file_or_rows, "name", "")))


def save_budget_lines(association, year, type, lines, user, *, forecast_date=None):
    """Hand entry of one set (all its lines): the set becomes exactly ``lines``."""

    rows = []
    for i, item in enumerate(lines, start=1):
        rows.append((i, {"ar": str(year), "typ": type, "post": item.get("post"), "insats": item.get("insats") or "",
                         "medlem": item.get("medlem") or "", "manad": "" if item.get("manad") is None else str(item["manad"]),
                         "prognosdatum": forecast_date.isoformat() if forecast_date else "",
                         "belopp": item.get("belopp"), "text": item.get("text") or ""}))
    with transaction.atomic():
        lock_finance_writes(association.pk)
        if type not in posts.BUDGET_TYPES:
            raise FinanceInputError([f"Typen \"{type}\" finns inte. Tillåtna: budget, plan, prognos."])
        cleaned = clean_budget(rows, Known.of(association))
        if forecast_date and type != posts.PROGNOS:
            raise FinanceInputError(["Prognosdatum anges bara för typen prognos."])
        return _write_budget(association, cleaned, dry_run=False, user=user, source=BudgetSet.HAND, file_name="",
                             replace_sets=[(int(year), type, forecast_date)])


# --- actuals --------------------------------------------------------------------------------------

def _actual_signature(items):
    return Counter((post, intervention_id, member or "", Decimal(amount).quantize(Decimal("0.01")), text or "")
                   for post, intervention_id, member, amount, text in items)


def _period_filter(period):
    year, month = period
    return {"year": year, "month": month} if month is not None else {"year": year, "month__isnull": True}


def _write_actuals(association, lines, *, dry_run, user, source, file_name, periods=None):
    summary = ImportSummary(dry_run=dry_run)
    by_period = {p: [] for p in periods or ()}
    for ln in lines:
        by_period.setdefault(ln.period, []).append(ln)
    errors = []
    stored = Actual.objects.filter(association=association)

    def refuse(period_lines, period, message):
        # On the period's first line of a file; for hand entry of no lines, the period itself.
        if period_lines:
            errors.append(RowError(period_lines[0].line, "period", period_text(period), message))
        else:
            errors.append(f"Perioden {period_text(period)}: {message}")

    for (year, month), period_lines in by_period.items():
        other_kind = stored.filter(year=year).filter(month__isnull=month is not None)
        if other_kind.exists():
            what = "per månad" if month is None else "som helår"
            refuse(period_lines, (year, month),
                   f"år {year} har redan utfall {what}: ett år hålls antingen per månad eller som helår.")
        other_source = stored.filter(**_period_filter((year, month))).exclude(source=source)
        if other_source.exists():
            came = "matats in för hand" if source == Actual.FILE else "lästs in från fil"
            do = ("Ta bort inmatningen först" if source == Actual.FILE
                  else "Läs in en ny fil för perioden i stället")
            refuse(period_lines, (year, month),
                   f"perioden har {came}: en månad kommer antingen från fil eller från inmatning. {do}.")
    if errors:
        raise FinanceInputError(errors)
    changed = False
    for period, period_lines in sorted(by_period.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        old_rows = stored.filter(**_period_filter(period))
        old = _actual_signature(old_rows.values_list("post", "intervention_id", "member", "amount", "text"))
        new = _actual_signature((ln.post, ln.intervention.id if ln.intervention else None, ln.member, ln.amount,
                                 ln.text) for ln in period_lines)
        income, costs = _sums(period_lines)
        outcome = "unchanged" if old == new else ("replaced" if old else "created")
        summary.sets.append(SetSummary(period_text(period), outcome, len(period_lines), income, costs))
        if outcome == "unchanged" or dry_run:
            continue
        changed = True
        old_rows.delete()
        # The participant import's multi-row INSERT: bulk_create spent most of a 50 000-line
        # ledger's import preparing values through the field API.
        insert(Actual, [
            {"association_id": association.pk, "year": ln.year, "month": ln.month, "post": ln.post,
             "intervention_id": ln.intervention.id if ln.intervention else None, "member": ln.member,
             "amount": ln.amount, "text": ln.text[:500], "source": source, "file_name": file_name[:255],
             "created_by_id": user.pk if user else None}
            for ln in period_lines
        ])
    if changed:
        mark_data_changed(association.pk)
    return summary


def import_actuals(association, file_or_rows, *, filename=None, dry_run=False, user=None, today=None):
    rows = _rows(file_or_rows, filename, "actuals")
    with transaction.atomic():
        lock_finance_writes(association.pk)
        lines = clean_actuals(rows, Known.of(association, today))
        return _write_actuals(association, lines, dry_run=dry_run, user=user, source=Actual.FILE,
                              file_name=stored_file_name(filename or getattr(file_or_rows, "name", "")))


def save_actuals(association, period, lines, user, *, today=None):
    """Hand entry of one period: amounts on the post's side (income and costs positive)."""
    with transaction.atomic():
        lock_finance_writes(association.pk)
        known = Known.of(association, today)
        errors, cleaned = [], []
        for i, item in enumerate(lines, start=1):
            # Validated as a file row would be: the amount, given on the post's side, as booked.
            post, booked = item.get("post"), item.get("belopp")
            if post in posts.BY_CODE and booked is not None:
                try:
                    booked = posts.to_booked(post, parse_amount(booked))
                except ValueError:
                    pass  # reported by the row's own check
            cells = {"period": period, "post": post, "insats": item.get("insats") or "",
                     "medlem": item.get("medlem") or "", "belopp": booked, "text": item.get("text") or ""}
            ln = clean_actuals_row(i, cells, known, errors)
            if ln:
                cleaned.append(ln)
        try:
            target = parse_period(period, known.today)
        except ValueError as reason:
            raise FinanceInputError([f"Perioden \"{period}\" {reason}"]) from None
        if errors:
            raise FinanceInputError(errors)
        return _write_actuals(association, cleaned, dry_run=False, user=user, source=Actual.HAND, file_name="",
                              periods=[target])


# --- settings --------------------------------------------------------------------------------------

def store_settings(association, cleaned):
    """Write a cleaned ``finance`` section (settings_section.parse); what it leaves out is untouched.
    Returns (changed, created). The caller holds the transaction and marks the data changed."""
    from .settings_section import FIELDS, _stored

    stored, created = FinanceSettings.objects.get_or_create(association=association)
    changed = False
    for key, attr in FIELDS.items():
        if key not in cleaned:
            continue
        value = cleaned[key]
        if attr == "admin_share_max":
            value = None if value is None else Decimal(value)
            current = stored.admin_share_max
        else:
            value = _stored(value)
            current = getattr(stored, attr)
        if current != value:
            setattr(stored, attr, value)
            changed = True
    if changed:
        stored.save()
    return changed, created


def save_settings(association, data, user=None):
    """The settings page's write: ``data`` as the förbundsfil's ``finance`` object."""
    from finsam.interventions.association_file import SectionContext, _Checker
    from finsam.interventions.models import Intervention
    from finsam.tenancy.models import Member

    from .settings_section import parse

    checker = _Checker()
    context = SectionContext(
        association, {i.slug: i.kind for i in Intervention.objects.filter(association=association)},
        {m.code for m in Member.objects.filter(association=association)})
    with transaction.atomic():
        lock_finance_writes(association.pk)
        cleaned = parse(checker, data, context)
        if checker.errors:
            raise FinanceInputError(checker.errors)
        changed, created = store_settings(association, cleaned)
        if changed or created:
            mark_data_changed(association.pk)
        return changed or created
