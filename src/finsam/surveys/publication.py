"""A publication's survey tables against the förbund's earlier publications.

The survey tables mask their own small groups in one report (results.mask). Two publications
whose periods overlap, such as the year and its first half, would still give away a group of
1 to min n - 1 answers as the difference of a row they both show (the rounds of the second
half). Before a report is published, every question and indicator row it would show whose n or
answered differs by 1 to min n - 1 from the same row in a linked earlier publication is masked
(secondary, with its ``totalt`` row and the rows that follow it by the spec's rules), and so is a
goal row whose n differs so from the same goal's. The survey tables are then built again with
those rows masked. Registered with ``tables.register_publication_hook`` (statistics/differencing.py
calls it with the earlier publications it links to the new one). docs/decisions.md, "Survey tables
against earlier publications".
"""

from finsam.statistics.engine import Context
from finsam.statistics.tables import registry
from finsam.tenancy.scope import Scope

from .report_tables import GOALS, INDICATORS, QUESTIONS

SIZE_COLUMNS = ("n", "answered")


def _shown(table, row):
    cells = table.cells.get(row) or {}
    return {c: cells[c] for c in SIZE_COLUMNS if isinstance(cells.get(c), int)}


def _differences(report, linked, min_n):
    """(forced question/indicator row keys, {goal key: [n shown earlier]})."""
    forced, earlier_goals = set(), {}
    tables = {t.id: t for t in report.tables}
    for earlier in linked:
        before = {t.id: t for t in earlier.tables}
        for spec in (QUESTIONS, INDICATORS):
            now, then = tables.get(spec.id), before.get(spec.id)
            if now is None or then is None:
                continue
            for row in now.cells:
                mine, theirs = _shown(now, row), _shown(then, row)
                if any(0 < abs(mine[c] - theirs[c]) < min_n for c in mine if c in theirs):
                    forced.add(row)
        goals = before.get(GOALS.id)
        if goals is not None:
            for row in goals.cells:
                n = _shown(goals, row).get("n")
                if n is not None:
                    earlier_goals.setdefault(row, []).append(n)
    return forced, earlier_goals


def mask_against_earlier(report, linked, threshold):
    """Mask the survey rows of ``report`` (about to be published) that a linked earlier
    publication would give away, building its survey tables again."""
    survey_ids = [t.id for t in report.tables if getattr(registry.get(t.id), "source", "") == "surveys"]
    if not survey_ids or not linked:
        return
    forced, earlier_goals = _differences(report, linked, threshold)
    if not forced and not earlier_goals:
        return
    scope = Scope.of(report.association)
    with scope.activate():
        ctx = Context(scope, report.date_from, report.date_to, list(report.interventions) or None)
        ctx.respondent_groups = list(getattr(report, "respondent_groups", []) or [])
        ctx.survey_forced, ctx.survey_earlier_goals = forced, earlier_goals
        for i, table in enumerate(report.tables):
            if table.id in survey_ids:
                report.tables[i] = registry.get(table.id).build(ctx)
