"""The finance pages: budget and plan years, forecast, a month's actuals by hand, reading in the budget
and actuals files (a dry run first), the settings, and an insats's own budget and outcome for its
deltagaransvarig. Every write goes through ``services.py`` (the one write path, which marks the
förbund's data changed); every amount and line through the import's rules (forms.py)."""

import datetime
import re
import secrets
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from finsam.jobs.models import open_private
from finsam.participants.importing import RowError
from finsam.jobs.queue import enqueue
from finsam.reports import units
from finsam.tenancy.permissions import association_view

from . import posts
from .forms import (
    AmountGridForm, Column, ForecastDateForm, SettingsForm, UploadForm, forecast_dates, grid_rows, stored_key, totals,
)
from .importing import MAX_YEAR, MIN_YEAR, FinanceInputError
from .models import Actual, BudgetSet
from .services import (
    import_actuals, import_budget, save_actuals, save_budget_lines, save_settings, stored_file_name,
)
from .settings_section import settings_of

PLAN_YEARS = 2  # the budget page shows the year's budget and the plans of the two years after it
KINDS = {"budget": "budgetfil", "utfall": "utfallsfil"}  # upload kinds (URL) -> Swedish name (definite: +en)


def _year(year):
    if not MIN_YEAR <= year <= MAX_YEAR - PLAN_YEARS:
        raise Http404
    return year


def _today():
    return datetime.date.today()


def _interventions(association):
    return list(association.interventions.order_by("pk").values_list("slug", "name"))


def _members(association):
    return [(m.code, m.display_name) for m in association.members.all()]


def _budget_lines(association, year, type_, forecast_date=None):
    budget_set = BudgetSet.objects.filter(association=association, year=year, type=type_,
                                          forecast_date=forecast_date, current=True).first()
    if budget_set is None:
        return None, []
    return budget_set, [
        {"post": post, "insats": slug or "", "medlem": member, "manad": month, "belopp": amount, "text": text}
        for post, slug, member, month, amount, text in budget_set.lines.values_list(
            "post", "intervention__slug", "member", "month", "amount", "text")]


def _by_row(lines):
    """Stored lines grouped by their grid row key."""
    grouped = {}
    for line in lines:
        grouped.setdefault(stored_key(line["post"], line["insats"], line["medlem"]), []).append(line)
    return grouped


def _initial(form_rows, columns, stored):
    """Initial text of each cell: the exact sum of the stored lines of its row (Swedish decimals)."""
    initial = {}
    for column, lines in zip(columns, stored):
        grouped = _by_row(lines)
        for i, row in enumerate(form_rows):
            if row.key in grouped:
                initial[AmountGridForm.name(column, i)] = _amount_text(sum(ln["belopp"] for ln in grouped[row.key]))
    return initial


def _amount_text(value):
    value = Decimal(value).quantize(Decimal("0.01"))
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return text[:-3] if text.endswith(",00") else text


def _new_lines(form, column, stored, *, months=True):
    """The lines a column saves: per filled row, its stored lines unchanged when their sum is what
    the cell says (months and texts of a file are kept), else one line of the cell's amount (a
    whole-year line for a budget). Also [(line index -> field name)] for the service's errors."""
    grouped = _by_row(stored)
    lines, fields = [], []
    for i, row in enumerate(form.rows):
        value = form.cleaned_data.get(form.name(column, i))
        if value is None:
            continue
        kept = grouped.get(row.key, [])
        if kept and sum(ln["belopp"] for ln in kept) == value:
            new = [dict(ln) for ln in kept]
        else:
            new = [{"post": row.post, "insats": row.intervention, "medlem": row.member, "belopp": value, "text": ""}]
            if months:
                new[0]["manad"] = None
        if not months:
            for ln in new:
                ln.pop("manad", None)
        lines += new
        fields += [form.name(column, i)] * len(new)
    return lines, fields


def _service_errors(form, error, fields):
    """A service's refusal shown at the cells it names (its row numbers count the lines from 1)."""
    for e in error.errors:
        row = getattr(e, "row", 0)
        message = f"{getattr(e, 'message', e)}"
        if 1 <= row <= len(fields):
            form.add_error(fields[row - 1], message)
        else:
            form.add_error(None, message)


def _grid_context(form, columns, stored):
    if form.is_bound and form.is_valid():
        amounts = [form.amounts(c) for c in columns]
    else:
        amounts = []
        for lines in stored:
            grouped = _by_row(lines)
            amounts.append({r: sum(ln["belopp"] for ln in grouped[r.key]) for r in form.rows if r.key in grouped})
    sums = totals(form.rows, amounts)
    return {"grid": form.grid(), "columns": columns, "totals": [
        (label, [_amount_text(s[key]) for s in sums]) for key, label in
        (("income", "Summa intäkter"), ("costs", "Summa kostnader"), ("result", "Resultat (intäkter − kostnader)"))]}


@association_view("view_finance")
def finance_home(request):
    association, access = request.association, request.access
    today = _today()
    context = {"nav": "finance", "year": today.year}
    if access.can("manage_finance"):
        sets = BudgetSet.objects.filter(association=association, current=True).order_by("-year", "type")
        context.update(sets=sets, years=range(today.year + 1, today.year - 3, -1),
                       months_by_year=[(y, [datetime.date(y, m, 1) for m in range(1, 13 if y < today.year else today.month + 1)])
                                       for y in (today.year, today.year - 1)],
                       forecast_year=today.year, has_actuals=Actual.objects.filter(association=association).exists())
    # The insatser whose finance page the user reaches (intervention_page): a deltagaransvarig the assigned ones.
    context["interventions"] = (association.interventions if access.can("manage_finance")
                                else association.interventions.assigned_to(request.user)).order_by("name")
    return render(request, "finance/home.html", context)


@association_view("manage_finance")
def budget_page(request, year):
    association = request.association
    year = _year(year)
    columns = [Column(f"budget-{year}", f"Budget {year}", year, posts.BUDGET)] + [
        Column(f"plan-{z}", f"Plan {z}", z, posts.PLAN) for z in range(year + 1, year + PLAN_YEARS + 1)]
    stored = [_budget_lines(association, c.year, c.type)[1] for c in columns]
    existing = {(ln["post"], ln["insats"], ln["medlem"]) for lines in stored for ln in lines}
    rows = grid_rows(_interventions(association), _members(association), equity=True, existing=existing)
    form = AmountGridForm(request.POST if request.method == "POST" else None, rows=rows, columns=columns,
                          initial=_initial(rows, columns, stored))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # every column or none
                saved = []
                for column, lines in zip(columns, stored):
                    new, fields = _new_lines(form, column, lines)
                    if not new and not lines:
                        continue  # an empty column that was empty: no set is made
                    try:
                        summary = save_budget_lines(association, column.year, column.type, new, request.user)
                    except FinanceInputError as error:
                        _service_errors(form, error, fields)
                        raise
                    saved += summary.sets
        except FinanceInputError:
            pass
        else:
            changed = [s.key for s in saved if s.outcome != "unchanged"]
            messages.success(request, f"Sparat: {', '.join(changed)} (ny version)." if changed
                             else "Inget ändrades.")
            return redirect("finance:budget", association.slug, year)
    monthly = any(ln.get("manad") for lines in stored for ln in lines)
    return render(request, "finance/budget.html", {
        "nav": "finance", "form": form, "year": year, "monthly": monthly,
        "previous": year - 1 if year - 1 >= MIN_YEAR else None, "next": year + 1,
        **_grid_context(form, columns, stored)})


@association_view("manage_finance")
def forecast_page(request, year):
    association = request.association
    year = _year(year)
    dates = forecast_dates(year)
    source = request.POST if request.method == "POST" else request.GET
    date_form = ForecastDateForm(source if "prognosdatum" in source else None, year=year,
                                 initial={"prognosdatum": _default_forecast_date(dates).isoformat()})
    forecast_date = date_form.cleaned_data["prognosdatum"] if date_form.is_bound and date_form.is_valid() else (
        _default_forecast_date(dates))
    column = Column("prognos", f"Prognos {year}, från {forecast_date.isoformat()} till {year}-12-31", year,
                    posts.PROGNOS)
    _, lines = _budget_lines(association, year, posts.PROGNOS, forecast_date)
    _, budget = _budget_lines(association, year, posts.BUDGET)
    rows = grid_rows(_interventions(association), _members(association),
                     existing={(ln["post"], ln["insats"], ln["medlem"]) for ln in lines + budget if
                               ln["post"] != "eget_kapital"})
    bound = request.method == "POST" and date_form.is_bound and date_form.is_valid()
    form = AmountGridForm(request.POST if bound else None, rows=rows, columns=[column],
                          initial=_initial(rows, [column], [lines]))
    if bound and form.is_valid():
        new, fields = _new_lines(form, column, lines, months=False)
        for ln in new:
            ln["manad"] = None
        try:
            summary = save_budget_lines(association, year, posts.PROGNOS, new, request.user, forecast_date=forecast_date)
        except FinanceInputError as error:
            _service_errors(form, error, fields)
        else:
            outcome = summary.sets[0].outcome if summary.sets else "unchanged"
            messages.success(request, "Prognosen är sparad (ny version)." if outcome != "unchanged"
                             else "Inget ändrades.")
            return redirect(reverse("finance:forecast", args=[association.slug, year])
                            + f"?prognosdatum={forecast_date.isoformat()}")
    return render(request, "finance/forecast.html", {
        "nav": "finance", "form": form, "date_form": date_form, "year": year, "forecast_date": forecast_date,
        **_grid_context(form, [column], [lines])})


def _default_forecast_date(dates):
    today = _today()
    earlier = [d for d in dates if d < today]
    return earlier[-1] if earlier else dates[0]


@association_view("manage_finance")
def actuals_page(request, year, month):
    association = request.association
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise Http404
    today = _today()
    if (year, month) > (today.year, today.month):
        raise Http404  # no future periods
    period = f"{year}-{month:02d}"
    stored_rows = Actual.objects.filter(association=association, year=year, month=month)
    lines = [{"post": post, "insats": slug or "", "medlem": member, "belopp": amount, "text": text}
             for post, slug, member, amount, text in stored_rows.values_list(
                 "post", "intervention__slug", "member", "amount", "text")]
    from_file = stored_rows.filter(source=Actual.FILE).exists()
    annual = Actual.objects.filter(association=association, year=year, month__isnull=True).exists()
    column = Column("utfall", f"Utfall {period}", year)
    rows = grid_rows(_interventions(association), _members(association), balance=True,
                     existing={(ln["post"], ln["insats"], ln["medlem"]) for ln in lines})
    form = AmountGridForm(request.POST if request.method == "POST" else None, rows=rows, columns=[column],
                          initial=_initial(rows, [column], [lines]))
    if request.method == "POST" and (from_file or annual):
        form.add_error(None, "Månaden kan inte matas in för hand: " + (
            "den är inläst från fil. Läs in en ny utfallsfil för perioden i stället." if from_file else
            f"år {year} har utfall som helår."))
    elif request.method == "POST" and form.is_valid():
        new, fields = _new_lines(form, column, lines, months=False)
        try:
            summary = save_actuals(association, period, new, request.user)
        except FinanceInputError as error:
            _service_errors(form, error, fields)
        else:
            outcome = summary.sets[0].outcome if summary.sets else "unchanged"
            messages.success(request, f"Utfallet för {period} är sparat." if outcome != "unchanged"
                             else "Inget ändrades.")
            return redirect("finance:actuals", association.slug, year, month)
    return render(request, "finance/actuals.html", {
        "nav": "finance", "form": form, "period": period, "from_file": from_file, "annual": annual,
        "year": year, "month": month, **_grid_context(form, [column], [lines])})


# --- reading in files: a dry run first, then the same file for real --------------------------------

def _staging_dir():
    return Path(settings.FINSAM_JOBS_DIR).parent / "finance-staging"


STAGING_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,40}")
SESSION_KEY = "finance_staged"


def _stage(request, kind, upload):
    """Keep the previewed file (private, 0600) until it is confirmed; the token is in the user's
    session only, so nobody else can confirm it."""
    directory = _staging_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for old in directory.iterdir():  # files of previews never confirmed
        if old.stat().st_mtime < time.time() - STAGING_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(18)
    upload.seek(0)
    with open_private(directory / token) as out:
        for chunk in upload.chunks():
            out.write(chunk)
    staged = request.session.get(SESSION_KEY, {})
    staged[token] = {"kind": kind, "name": stored_file_name(upload.name)[:200],
                     "association": request.association.pk}
    request.session[SESSION_KEY] = staged
    return token


def _staged(request, kind, token):
    token = str(token or "")
    if not TOKEN_RE.fullmatch(token):  # only what _stage made (never a path)
        return None, None
    entry = request.session.get(SESSION_KEY, {}).get(token)
    path = _staging_dir() / token
    if (not entry or entry["kind"] != kind or entry["association"] != request.association.pk
            or not path.is_file()):
        return None, None
    return entry, path


def _unstage(request, token, path):
    staged = request.session.get(SESSION_KEY, {})
    staged.pop(token, None)
    request.session[SESSION_KEY] = staged
    path.unlink(missing_ok=True)


def _runs_as_job(size, name):
    """Large files (over settings.FINSAM_JOB_IMPORT_BYTES, a quarter of that for compressed xlsx)
    are written by a background job with a progress bar; their dry run runs in the request."""
    limit = settings.FINSAM_JOB_IMPORT_BYTES
    if name.lower().endswith(".xlsx"):
        limit //= 4
    return size > limit


IMPORTERS = {"budget": import_budget, "utfall": import_actuals}


def _row_errors(error):
    """A refusal's errors as rows (row, column, value, message); a whole-file error has row 0."""
    return [e if hasattr(e, "message") else RowError(0, "", "", str(e)) for e in error.errors]


@association_view("manage_finance")
def import_page(request, kind):
    if kind not in KINDS:
        raise Http404
    association = request.association
    importer = IMPORTERS[kind]
    form = UploadForm()
    summary, errors, token, name, big, expired = None, [], "", "", False, False
    if request.method == "POST" and "token" in request.POST:  # the confirmation of a preview
        entry, path = _staged(request, kind, request.POST["token"])
        if entry is None:
            expired = True
        elif _runs_as_job(path.stat().st_size, entry["name"]):
            with open(path, "rb") as data:
                job = enqueue("finance_import", association=association, user=request.user,
                              parameters={"kind": kind}, upload=_Named(data, entry["name"]))
            _unstage(request, request.POST["token"], path)
            return redirect("jobs:detail", association.slug, job.pk)
        else:
            try:
                with open(path, "rb") as data:
                    done = importer(association, data.read(), filename=entry["name"], user=request.user)
            except FinanceInputError as error:
                errors = _row_errors(error)  # the data changed since the preview (e.g. an insats was removed)
            else:
                _unstage(request, request.POST["token"], path)
                messages.success(request, f"{KINDS[kind].capitalize()}en är inläst: " + done.lines()[0] + ".")
                return redirect("finance:import", association.slug, kind)
    elif request.method == "POST":  # a file to preview
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = importer(association, upload, filename=upload.name, dry_run=True, user=request.user)
            except FinanceInputError as error:
                errors = _row_errors(error)
            else:
                token, name = _stage(request, kind, upload), stored_file_name(upload.name)
                big = _runs_as_job(upload.size, name)
    return render(request, "finance/import.html", {
        "nav": "finance", "form": form, "kind": kind, "kind_name": KINDS[kind], "summary": summary,
        "errors": errors, "token": token, "name": name, "big": big, "expired": expired})


class _Named:
    """A stored file with the name it was uploaded under (the job keeps it)."""

    def __init__(self, handle, name):
        self.handle, self.name = handle, name

    def read(self, size=-1):
        return self.handle.read(size)

    def seek(self, offset):
        return self.handle.seek(offset)


# --- settings ------------------------------------------------------------------------------------

def _settings_initial(association):
    stored = settings_of(association)
    cap = stored.equity_cap or {}
    initial = {"display_unit": stored.display_unit, "equity_cap_kind": "none",
               "admin_share_max": "" if stored.admin_share_max is None else _amount_text(stored.admin_share_max * 100)}
    if "amount" in cap and cap["amount"] is not None:
        initial.update(equity_cap_kind="amount", equity_cap_amount=_amount_text(cap["amount"]))
    elif cap.get("steps"):
        initial.update(equity_cap_kind="steps", equity_cap_steps="\n".join(
            f"{'över' if s['up_to'] is None else _amount_text(s['up_to'])}: {_amount_text(s['share'] * 100)}"
            for s in cap["steps"]))
    for code, share in stored.municipality_keys.items():
        initial[f"key_{code}"] = _amount_text(share * 100)
    return initial


FIELD_OF_PATH = (("finance.display_unit", "display_unit"), ("finance.equity_cap", "equity_cap_kind"),
                 ("finance.admin_share_max", "admin_share_max"))


@association_view("manage_finance")
def settings_page(request):
    association = request.association
    municipalities = [(m.code, m.display_name) for m in association.members.filter(kind="kommun")]
    form = SettingsForm(request.POST if request.method == "POST" else None, municipalities=municipalities,
                        initial=_settings_initial(association))
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        cap = c["equity_cap"]
        data = {
            "display_unit": c["display_unit"],
            "equity_cap": ({"amount": str(cap["amount"])} if "amount" in cap else
                           {"steps": [{"up_to": None if s["up_to"] is None else str(s["up_to"]), "share": str(s["share"])}
                                      for s in cap["steps"]]} if "steps" in cap else {}),
            "admin_share_max": None if c["admin_share_max"] is None else str(c["admin_share_max"]),
            "municipality_keys": {code: str(value) for code, value in c["municipality_keys"].items()},
        }
        try:
            changed = save_settings(association, data, user=request.user)
        except FinanceInputError as error:
            for e in error.errors:
                path, _, message = str(e).partition(": ")
                field = next((f for p, f in FIELD_OF_PATH if str(path).startswith(p)), None)
                if field is None and str(path).startswith("finance.municipality_keys."):
                    code = str(path).split(".", 2)[2]
                    field = f"key_{code}" if f"key_{code}" in form.fields else None
                form.add_error(field, str(message))
        else:
            messages.success(request, "Ekonomiinställningarna är sparade." if changed else "Inget ändrades.")
            return redirect("finance:settings", association.slug)
    return render(request, "finance/settings.html", {"nav": "finance", "form": form})


# --- an insats's own budget and outcome ------------------------------------------------------------

@association_view("view_finance")
def intervention_page(request, intervention_slug):
    """The insats's budget and outcome this year, for everyone who sees the insats's finance: the
    förbund's staff any insats, a deltagaransvarig the assigned ones (another insats is a 404)."""
    association, access = request.association, request.access
    reachable = association.interventions if access.can("manage_finance") else \
        association.interventions.assigned_to(request.user)
    intervention = get_object_or_404(reachable, slug=intervention_slug)
    from .overview import intervention_figures

    today = _today()
    unit = units.default_unit(association)
    figures = intervention_figures(association, intervention, today, unit)
    return render(request, "finance/intervention.html", {
        "nav": "finance", "intervention": intervention, "figures": figures, "year": today.year, "unit": unit})
