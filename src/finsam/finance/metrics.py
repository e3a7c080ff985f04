"""The metric source ``finance`` (plan indicators; shared/spec/finance.md, "Metric source"), and the
presence of finance data for a report. Every value comes from the functions the tables use."""

import datetime

from finsam.statistics.metrics import MetricSource, MetricValue

from . import compute
from .compute import ZERO, Months

KEYS = ("admin_share", "budget_utilisation", "result", "external_funding", "equity_closing", "equity_over_cap",
        "cost_per_participant", "cost_per_work_or_study")
UNITS = {"admin_share": "share", "budget_utilisation": "share"}
ACCRUAL = {"admin_share": "rate", "budget_utilisation": "rate", "result": "flow", "external_funding": "flow",
           "equity_closing": "level", "equity_over_cap": "level", "cost_per_participant": "rate",
           "cost_per_work_or_study": "rate"}


def has_data(association, date_from, date_to, interventions=None):
    """Budget or actuals for a year of the period (the report shows the finance tables then)."""
    from .models import Actual, BudgetSet

    years = range(date_from.year, date_to.year + 1)
    return (BudgetSet.objects.filter(association=association, year__in=years).exists()
            or Actual.objects.filter(association=association, year__in=years).exists())


def validate(ref, association=None):
    extra = set(ref) - {"source", "key", "interventions"}
    return [f"Okänt fält {k!r} i ett ekonomimått." for k in sorted(extra)]


def accrual(ref):
    return ACCRUAL.get(ref.get("key"), "whole")


def unit(ref):
    return UNITS.get(ref.get("key"), "amount")


def resolve(ref, query):
    key = ref.get("key")
    none = MetricValue.none(unit(ref), accrual(ref))
    end = query.end
    start = datetime.date(end.year, 1, 1)
    try:
        months = Months.of(start, end)
    except compute.PeriodError:
        return none
    interventions = tuple(query.interventions) or tuple(ref.get("interventions") or ())
    ledger = compute.Ledger(query.association, list(interventions) or None)
    lines = ledger.actual_lines(months)
    if lines is None:
        return none
    if interventions:
        wanted = {i.pk for i in ledger.interventions}
        lines = [ln for ln in lines if ln.intervention in wanted]
    if key == "admin_share":
        kansli, basis = compute.admin_share(ledger, lines)
        return _share(kansli, basis, ref)
    if key == "budget_utilisation":
        budget = ledger.budget_or_plan(months.year, months)
        if budget is None:
            return none
        if interventions:
            budget = [ln for ln in budget if ln.intervention in wanted]
        return _share(compute.costs(lines), compute.costs(budget), ref)
    if key == "result":
        return MetricValue(compute.result(lines), "amount", "flow")
    if key == "external_funding":
        value = compute.total(lines, lambda ln: ln.intervention is not None and ln.post in ("projektbidrag",
                                                                                             "ovriga_intakter"))
        return MetricValue(value, "amount", "flow")
    if key in ("equity_closing", "equity_over_cap"):
        from .report_tables import equity_figures

        figures, cap = equity_figures(ledger, months)
        closing = figures["utfall"][2]
        if closing is None:
            return none
        if key == "equity_closing":
            return MetricValue(closing, "amount", "level")
        return none if cap is None else MetricValue(max(ZERO, closing - cap), "amount", "level")
    if key in ("cost_per_participant", "cost_per_work_or_study"):
        from finsam.statistics.engine import Context
        from finsam.tenancy.scope import Scope

        from .report_tables import cost_per_participant_figures

        ctx = Context(Scope.of(query.association), start, end, list(interventions) or None)
        try:
            _rows, cells = cost_per_participant_figures(ctx, ledger, months)
        except Exception:  # Omitted: no actuals
            return none
        total = cells["totalt"]
        count = total["aktuella"] if key == "cost_per_participant" else total["arbete_studier"]
        value = total["nettokostnad"] / count if count else None
        return MetricValue(value, "amount", "rate", numerator=total["nettokostnad"], denominator=count,
                           counts=(count,))
    return none


def _share(numerator, denominator, ref):
    value = numerator / denominator if denominator else None
    return MetricValue(value, "share", accrual(ref), numerator=numerator, denominator=denominator)


SOURCE = MetricSource(name="finance", label="Ekonomi", validate=validate, resolve=resolve, accrual=accrual,
                      keys=KEYS, unit=unit)
