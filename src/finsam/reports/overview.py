"""The start page's figures (Översikt): "how are we doing this year?".

Nothing is counted here. The figures are read from reports of the one statistics engine, through
its cache (``statistics.cache.cached_report``), or, for a läsare, from published reports only
(``PublishedReport.report()``: frozen and masked; never live figures, issue 9). A hidden cell
stays hidden: a figure derived from a hidden one is hidden too.
"""

import datetime
from dataclasses import dataclass, field

from finsam.interventions.models import goal_metric_label, is_share_metric
from finsam.statistics.cache import cached_report
from finsam.statistics import grading
from finsam.statistics.tables.data import SHARE
from finsam.statistics.tables.flow import FLOW_SUMMARY_ROWS

from . import formatting

HIDDEN = "hidden"  # a figure hidden in a published report (shown as formatting.MASKED)


def same_day_last_year(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_to_date(day):
    return datetime.date(day.year, 1, 1), day


def _text(value):
    return formatting.MASKED if value == HIDDEN else formatting.number(value)


@dataclass
class Row:
    key: str
    name: str
    ongoing: object = None
    new: object = None
    exited: object = None
    work_or_study: object = None  # exits to work or studies (identified participations)
    exited_counted: object = None  # the exits that share is of
    share: object = None

    @property
    def ongoing_text(self):
        return _text(self.ongoing)

    @property
    def new_text(self):
        return _text(self.new)

    @property
    def exited_text(self):
        return _text(self.exited)

    @property
    def share_text(self):
        if HIDDEN in (self.share, self.work_or_study, self.exited_counted):
            return formatting.MASKED
        return formatting.share(self.share)

    @property
    def basis_text(self):
        if HIDDEN in (self.work_or_study, self.exited_counted):
            return formatting.MASKED
        return f"{self.work_or_study} av {self.exited_counted}"


@dataclass
class Goal:
    intervention: str
    label: str
    target: str
    result: str
    basis: str
    assessment: str  # a grade after the year, a status during it
    expected: str = ""  # the value expected to date (status only)
    complete: bool = True


@dataclass
class PlanArea:
    """A målområde of the plan on the start page: its indicators and their lowest grade or status."""

    name: str
    indicators: int
    assessment: str  # label: the lowest grade (the period has ended) or status (before), or Ej bedömt
    hidden: int = 0  # indicators whose results the publication hid, left out of the roll-up
    hidden_counted: bool = False  # frozen before roll-ups left hidden rows out: it counts them


@dataclass
class Figures:
    date_from: datetime.date
    date_to: datetime.date
    rows: list = field(default_factory=list)  # Row per insats, then the förbund's total (key "totalt")
    goals: list = field(default_factory=list)
    plan: list = field(default_factory=list)  # PlanArea per målområde of the plan covering date_to
    title: str = ""  # a published report's title

    def row(self, key):
        return next((r for r in self.rows if r.key == key), None)


def _count_or_expected(value):
    """A count as a whole number; an expected value to date with one decimal."""
    return formatting.number(value, 0 if value is None or float(value).is_integer() else 1)


def _value(table, row, col):
    """A count as the report has it; HIDDEN when the publication hid it."""
    if (row, col) in table.masked:
        return HIDDEN
    return table.cell(row, col)


def _minus(a, b):
    if HIDDEN in (a, b):
        return HIDDEN
    return None if a is None or b is None else a - b


def figures(report, acceptable_percent, *, title="", total_label="Hela förbundet"):
    """The start page's figures of one report (live or published)."""
    flow, wos = report.table("flow"), report.table("work_or_study")
    result = Figures(report.date_from, report.date_to, title=title)
    keys = [(k, label) for k, label in flow.rows if k not in FLOW_SUMMARY_ROWS] + [("totalt", total_label)]
    for key, label in keys:
        current, exited = _value(flow, key, "current_totalt"), _value(flow, key, "exited_totalt")
        row = Row(key, label, ongoing=_minus(current, exited), new=_value(flow, key, "new_totalt"), exited=exited,
                  work_or_study=_value(wos, key, "work_or_study"), exited_counted=_value(wos, key, "exited"),
                  share=HIDDEN if (key, "work_or_study") in wos.masked_shares else wos.share(key, "work_or_study"))
        result.rows.append(row)
    result.goals = goals(report, acceptable_percent, flow)
    result.plan = plan_areas(report)
    return result


def plan_areas(report):
    """The plan's målområden from the report's plan_summary (plans/report_tables.py), as computed
    (or published): the lowest grade of the indicators whose period has ended, else (before any
    period has ended, e.g. mid-year) the lowest status."""
    table = next((t for t in report.tables if t.id == "plan_summary"), None)
    if table is None:
        return []
    areas = []
    for key, name in table.rows:
        if key == "totalt":
            continue
        cells = table.cells.get(key, {})
        graded = cells.get("grade") not in (None, grading.NOT_ASSESSED)
        code = cells.get("grade") if graded else cells.get("status")
        partial, hidden = bool(getattr(table, "partial", False)), table.extra.get("hidden_rows")
        areas.append(PlanArea(name, cells.get("indicators") or 0, grading.LABELS.get(code or grading.NOT_ASSESSED),
                              (hidden or {}).get(key, 0), partial and hidden is None))
    return areas


def goals(report, acceptable_percent, flow=None):
    """The insats goals of the plan covering the report's end, from the report's ``goals`` table
    (plans/report_tables.py, as computed or published): graded when an indicator's period has
    ended, otherwise its status against the value expected to date. A publication frozen with the
    issue-9 goals table (rows ``<insats>:<year>:<metric>``) is read as it was (``_legacy_goals``)."""
    table = next((t for t in report.tables if t.id == "goals"), None)
    if table is None:
        return []
    flow = flow or report.table("flow")
    if table.goal_rows:
        return _legacy_goals(report, table, acceptable_percent, flow)
    year = report.date_to.year
    complete = report.date_to >= datetime.date(year, 12, 31)
    names = {**dict(report.intervention_names), **dict(flow.rows)}
    masked = set(table.masked)
    result = []
    for key, label in table.rows:
        slug = key.split(".", 1)[0]
        cells, texts = table.cells.get(key, {}), table.texts.get(key, {})
        hidden = bool({(key, "result"), (key, "grade"), (key, "status")} & masked)
        share = table.kind(key, "result") == SHARE
        fmt = formatting.share if share else _count_or_expected
        numerator, denominator = cells.get("numerator"), cells.get("denominator")
        basis = f"{numerator} av {denominator}" if None not in (numerator, denominator) else ""
        goal = Goal(intervention=names.get(slug, slug), label=texts.get("indicator") or label,
                    target=texts.get("target") or fmt(cells.get("target")),
                    result=formatting.MASKED if hidden else fmt(cells.get("result")),
                    basis=formatting.MASKED if hidden else basis, assessment="", complete=complete)
        code = cells.get("grade") if cells.get("grade") is not None else cells.get("status")
        goal.assessment = formatting.MASKED if hidden else grading.LABELS.get(code or grading.NOT_ASSESSED)
        expected = cells.get("expected_to_date")
        if complete:
            pass  # graded: no expectation (the page shows no such column)
        elif hidden or (key, "expected_to_date") in masked:
            goal.expected = formatting.MASKED
        else:
            goal.expected = fmt(expected) if expected is not None else formatting.NOT_APPLICABLE
        result.append(goal)
    return result


def _legacy_goals(report, table, acceptable_percent, flow):
    """The goals of a publication frozen with the issue-9 goals table, as the start page showed them:
    the goals of the year the report ends in, graded after the year, else a status against the value
    expected to date (grading.expected_to_date)."""
    year = report.date_to.year
    complete = report.date_to >= datetime.date(year, 12, 31)
    names = dict(flow.rows)
    result = []
    for key, label in table.rows:
        slug, goal_year, metric = key.split(":", 2)
        if int(goal_year) != year:
            continue
        cells = table.cells.get(key, {})
        hidden = (key, "result") in table.masked or (key, "grade") in table.masked
        share = is_share_metric(metric)
        target, value = cells.get("target"), cells.get("result")
        fmt = formatting.share if share else _count_or_expected
        goal = Goal(intervention=names.get(slug, slug), label=goal_metric_label(metric),
                    target=fmt(target), result=formatting.MASKED if hidden else fmt(value),
                    basis=formatting.MASKED if hidden else (cells.get("basis") or ""), assessment="", complete=complete)
        if complete:
            goal.assessment = formatting.MASKED if hidden else (cells.get("grade") or grading.GRADE_NONE)
        else:
            opening = None
            if metric == "current_count" and report.date_from == datetime.date(year, 1, 1):
                opening = _minus(_value(flow, slug, "current_totalt"), _value(flow, slug, "new_totalt"))
            if hidden or opening == HIDDEN:
                goal.assessment, goal.expected = formatting.MASKED, formatting.MASKED
            else:
                expected = grading.expected_to_date(metric, target, year, report.date_to, opening)
                goal.expected = fmt(expected) if expected is not None else formatting.NOT_APPLICABLE
                goal.assessment = grading.goal_status(value, expected, acceptable_percent)
        result.append(goal)
    return result


# --- per role ------------------------------------------------------------------------------------

@dataclass
class Overview:
    live: bool  # computed now (admin, analyst, deltagaransvarig) or published (läsare)
    this_year: Figures = None
    last_year: Figures = None
    published: object = None  # the PublishedReport shown to a läsare
    published_last_year: object = None

    def comparison(self):
        """[(this year's Row, last year's Row or None)]."""
        if self.this_year is None:
            return []
        last = self.last_year
        return [(row, last.row(row.key) if last else None) for row in self.this_year.rows]


def live_overview(association, interventions, today):
    """This year to ``today`` and last year to the same day, for the insatser ``interventions``
    (slugs; None = the whole förbund), unmasked, from the cached reports."""
    this = cached_report(association, *year_to_date(today), interventions)
    last = cached_report(association, *year_to_date(same_day_last_year(today)), interventions)
    acceptable = association.grade_acceptable_percent
    label = "Hela förbundet" if interventions is None else "Dina insatser"
    return Overview(live=True, this_year=figures(this, acceptable, total_label=label),
                    last_year=figures(last, acceptable, total_label=label))


def published_overview(association, today):
    """A läsare's overview: the latest published report (not replaced) whose period lies in this
    year, and the latest one of last year for comparison; both masked as they were published."""
    current = association.published_reports.filter(replaced_by__isnull=True)
    this = current.filter(date_from__year=today.year, date_to__year=today.year).first()
    last = current.filter(date_from__year=today.year - 1, date_to__year=today.year - 1).first()
    overview = Overview(live=False, published=this, published_last_year=last)
    if this is not None:
        report = this.report()
        overview.this_year = figures(report, association.grade_acceptable_percent, title=this.title,
                                     total_label=_published_total_label(report))
    if last is not None:
        report = last.report()
        overview.last_year = figures(report, association.grade_acceptable_percent, title=last.title,
                                     total_label=_published_total_label(report))
    return overview


def _published_total_label(report):
    """A publication may cover some insatser only: its total is then not the whole förbund's."""
    return "Rapportens insatser" if report.interventions else "Hela förbundet"
