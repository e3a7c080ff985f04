"""An insats's own budget and outcome, for the page a deltagaransvarig reaches
(views.intervention_page): the report's per-insats finance tables computed for that insats alone, so
the figures are the report's (one path) and nothing of another insats is shown."""

import calendar
import datetime

from finsam.reports import units
from finsam.reports.html import table_view
from finsam.statistics.engine import compute_report
from finsam.statistics.tables import registry

# The report's tables with a row per insats (shared/spec/finance.md); those registered are shown.
TABLES = ("budget_by_intervention", "budget_actual_by_intervention")


def intervention_figures(association, intervention, today, unit):
    """[table view] of TABLES for ``intervention``, 1 January to the end of the current month."""
    wanted = [t for t in TABLES if registry.get(t) is not None]
    if not wanted:
        return []
    start = datetime.date(today.year, 1, 1)
    end = datetime.date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    report = units.with_unit(compute_report(association, start, end, [intervention.slug], tables=wanted), unit)
    others = set(association.interventions.exclude(pk=intervention.pk).values_list("slug", flat=True))
    views = []
    for table in report.tables:
        # Only this insats's rows and the sums (which, for a report of one insats, are its own).
        table.rows = [(key, label) for key, label in table.rows if key not in others]
        views.append(table_view(table, report.unit))
    return views
