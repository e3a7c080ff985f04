"""The survey tables of a report (shared/spec/surveys.md, "Tables"), declared once in the table
registry with ``source="surveys"``; every one is built from ``results.compute`` (one computation).

They mask their small numbers themselves, for every role and format (``own_masking``: publication
masking and differencing leave their cells alone; response counts and rates are never masked).
Masked cells are None and the table lists the rows in ``masked_rows``. Free text is in no table.
"""

import datetime
from fractions import Fraction

from finsam.statistics.tables import TEXT, TableSpec, register

from . import codes
from .grading import goal_grade, goal_status, shown_goal
from .models import NationalComparison, SurveyGoal
from .results import PREVIOUS_MASKED, SECONDARY, compute, figure, share_value
from .services import group_labels

READS = ("surveys.Round", "surveys.Response", "surveys.Answer", "surveys.SurveyCode", "surveys.Question",
         "surveys.QuestionSet", "surveys.Scale", "surveys.Indicator", "surveys.RespondentGroup",
         "participants.Participation")
MASK_NOTE = "– i en rad med för få svar: färre än {min_n} svar visas inte (för få svar)."


def _year_earlier(day):
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


class _Cache:
    """The results of a report's selection, computed once per context and period."""

    @staticmethod
    def get(ctx, date_from=None, date_to=None, interventions=None):
        cache = ctx.__dict__.setdefault("_survey_results", {})
        date_from = date_from or ctx.period.start
        date_to = date_to or ctx.period.end
        if interventions is None:
            interventions = tuple(i.pk for i in ctx.interventions) if ctx.filtered else ()
        groups = tuple(getattr(ctx, "respondent_groups", None) or ())
        # Rows a publication must mask against earlier ones (publication.py): the report's own period only.
        own_period = (date_from, date_to) == (ctx.period.start, ctx.period.end)
        forced = tuple(sorted(getattr(ctx, "survey_forced", ()))) if own_period else ()
        key = (date_from, date_to, interventions, groups, forced)
        if key not in cache:
            cache[key] = compute(ctx.association, date_from, date_to, list(interventions), list(groups), forced)
        return cache[key]


def _every_cell(table):
    """A cell for every row and column (docs/report-json.md): None where a row has no such value
    (another scale's step, a column that only has a share)."""
    for key, _ in table.rows:
        row = table.cells.setdefault(key, {})
        table.cells[key] = {col: row.get(col) for col, _ in table.columns}
    return table


def _masking(table, results, masked_rows):
    """The fields of a table that masks rows: min n, which rows and why, and the note saying so."""
    table.extra["min_n"] = results.min_n
    table.extra["masked_rows"] = masked_rows
    table.notes.append(MASK_NOTE.format(min_n=results.min_n))
    return table


# --- response rate and groups ---------------------------------------------------------------------

RATE_COLUMNS = [("population", "Population"), ("responses", "Svar"), ("web", "Webb"), ("paper", "Papper"),
                ("imported", "Importerade"), ("codes_issued", "Utdelade koder"), ("codes_used", "Använda koder"),
                ("rate", "Svarsfrekvens")]


def _rate(table, row, responses, population):
    table.set_share(row, "rate", responses, population, of=(row, "responses"), per=(row, "population"))


def response_rate_table(ctx):
    results = _Cache.get(ctx)
    table = RESPONSE_RATE.table([(s.round.key, s.round.title) for s in results.rounds] + [(codes.TOTAL, "Totalt")],
                                RATE_COLUMNS, denominator="population")
    keys = [c for c, _ in RATE_COLUMNS if c != "rate"]
    for s in results.rounds:
        table.cells[s.round.key] = {k: getattr(s, k) for k in keys}
        _rate(table, s.round.key, s.responses, s.population)
    total = {k: sum(getattr(s, k) for s in results.rounds) for k in keys if k != "population"}
    populations = [s.population for s in results.rounds]
    total["population"] = sum(populations) if populations and None not in populations else None
    table.cells[codes.TOTAL] = {k: total[k] for k in keys}
    _rate(table, codes.TOTAL, total["responses"], total["population"])
    return table


def groups_table(ctx):
    results = _Cache.get(ctx)
    labels = group_labels(ctx.association)
    present = [g for g in results.group_order if any(s.round.respondent_group == g for s in results.rounds)]
    table = GROUPS.table([(g, labels.get(g, g)) for g in present] + [(codes.TOTAL, "Totalt")],
                         [("rounds", "Omgångar"), ("population", "Population"), ("responses", "Svar"),
                          ("rate", "Svarsfrekvens")], denominator="population")
    for key, stats in [(g, [s for s in results.rounds if s.round.respondent_group == g]) for g in present] + [
            (codes.TOTAL, results.rounds)]:
        populations = [s.population for s in stats]
        population = sum(populations) if populations and None not in populations else None
        responses = sum(s.responses for s in stats)
        table.cells[key] = {"rounds": len(stats), "population": population, "responses": responses}
        _rate(table, key, responses, population)
    return table


# --- questions and indicators -----------------------------------------------------------------------

QUESTION_CELLS = ("responses", "answered", "n", "vet_ej", "skipped", "positive", "top", "neutral", "negative")
INDICATOR_CELLS = ("questions", "answered", "n", "vet_ej", "positive", "top", "neutral", "negative")
RESULT_LABELS = {"responses": "Svar", "answered": "Besvarat", "n": "n", "vet_ej": "Vet ej", "skipped": "Hoppade över",
                 "positive": "Positiva", "top": "Högsta steget", "neutral": "Neutrala", "negative": "Negativa",
                 "questions": "Frågor"}
SHARES = ("positive", "top", "neutral", "negative", "vet_ej")


def _row_label(labels, row, results):
    group = "Alla grupper" if row.group == codes.TOTAL else labels.get(row.group, row.group)
    text = results.labels.get(row.item, "")
    return f"{group} – {row.item}" + (f": {text}" if text else "")


def _row_cells(row, indicator):
    """Cells and shares of a question or indicator row (None everywhere but responses/questions
    when it is masked)."""
    keep = "questions" if indicator else "responses"
    names = INDICATOR_CELLS if indicator else QUESTION_CELLS
    steps = [] if indicator else [f"step:{code}" for code, _ in row.steps]
    values = {"questions": len(row.questions), "responses": row.responses, "answered": row.answered, "n": row.n,
              "vet_ej": row.vet_ej, "skipped": row.skipped, "positive": row.positive, "top": row.top,
              "neutral": row.neutral, "negative": row.negative}
    cells = {name: values[name] for name in names}
    for step in steps:
        cells[step] = row.counts.get(step[5:], 0)
    shares = {name: share_value(row.share(name)) for name in (*SHARES, *steps)}
    if row.masked:
        cells = {k: (v if k == keep else None) for k, v in cells.items()}
        shares = {k: None for k in shares}
    return cells, shares


def _result_table(spec, ctx, rows, results, indicator):
    labels = group_labels(ctx.association)
    steps = []
    if not indicator:
        for row in rows.values():
            for code, _ in row.steps:
                if f"step:{code}" not in steps:
                    steps.append(f"step:{code}")
    names = INDICATOR_CELLS if indicator else QUESTION_CELLS
    table = spec.table([(k, _row_label(labels, r, results)) for k, r in rows.items()],
                       [(c, RESULT_LABELS[c]) for c in names] + [(s, f"Steg {s[5:]}") for s in steps], denominator="n")
    for key, row in rows.items():
        table.cells[key], table.shares[key] = _row_cells(row, indicator)
    return _masking(table, results, results.masked_rows(rows))


def questions_table(ctx):
    results = _Cache.get(ctx)
    return _result_table(QUESTIONS, ctx, results.questions, results, indicator=False)


def indicators_table(ctx):
    results = _Cache.get(ctx)
    return _result_table(INDICATORS, ctx, results.indicators, results, indicator=True)


# --- year over year and national ---------------------------------------------------------------------

TREND_COLUMNS = [("n", "n"), ("n_prev", "n föregående år"), ("positive", "Positiva"),
                 ("positive_prev", "Positiva föregående år"), ("top", "Högsta steget"),
                 ("top_prev", "Högsta steget föregående år"), ("negative", "Negativa"),
                 ("negative_prev", "Negativa föregående år"), ("change", "Förändring (procentenheter)")]


def _previous(ctx):
    start, end = _year_earlier(ctx.period.start), _year_earlier(ctx.period.end)
    return start, end, _Cache.get(ctx, start, end)


def _all_rows(results):
    return {**results.questions, **results.indicators}


def trend_table(ctx):
    results = _Cache.get(ctx)
    start, end, previous = _previous(ctx)
    labels = group_labels(ctx.association)
    rows, before = _all_rows(results), _all_rows(previous)
    table = TREND.table([(k, _row_label(labels, r, results)) for k, r in rows.items()], TREND_COLUMNS,
                        denominator="n")
    masked = {}
    for key, row in rows.items():
        prev = before.get(key)
        now_shown = not row.masked
        prev_shown = prev is not None and not prev.masked
        cells = {"n": row.n if now_shown else None, "n_prev": prev.n if prev_shown else None,
                 "positive": row.positive if now_shown else None,
                 "positive_prev": prev.positive if prev_shown else None}
        shares = {}
        for name in ("positive", "top", "negative"):
            shares[name] = share_value(row.share(name)) if now_shown else None
            shares[f"{name}_prev"] = share_value(prev.share(name)) if prev_shown else None
        change = (row.share("positive") - prev.share("positive")
                  if now_shown and prev_shown and row.share("positive") is not None
                  and prev.share("positive") is not None else None)
        shares["change"] = share_value(change)
        table.cells[key], table.shares[key] = cells, shares
        if row.masked:
            masked[key] = row.masked
        elif prev is not None and prev.masked:
            masked[key] = PREVIOUS_MASKED
    table.extra["previous_period"] = {"from": start.isoformat(), "to": end.isoformat()}
    return _masking(table, results, masked)


def national_table(ctx):
    results = _Cache.get(ctx)
    year = ctx.period.end.year
    national = {(n.respondent_group, n.key): n for n in NationalComparison.objects.filter(year=year)}
    labels = group_labels(ctx.association)
    rows = {k: r for k, r in _all_rows(results).items() if (r.group, r.item) in national}
    table = NATIONAL.table([(k, _row_label(labels, r, results)) for k, r in rows.items()],
                           [("n", "n"), ("national_n", "n i riket"), ("national_associations", "Förbund i riket"),
                            ("positive", "Positiva"), ("national_positive", "Positiva i riket"),
                            ("difference", "Skillnad (procentenheter)")], denominator="n")
    masked = {}
    for key, row in rows.items():
        nat = national[(row.group, row.item)]
        shown = not row.masked
        table.cells[key] = {"n": row.n if shown else None, "national_n": nat.n, "national_associations": nat.associations}
        positive = row.share("positive") if shown else None
        table.shares[key] = {"positive": share_value(positive), "national_positive": float(nat.share_positive),
                             "difference": share_value(positive - Fraction(nat.share_positive))
                             if positive is not None else None}
        if row.masked:
            masked[key] = row.masked
    table.extra["year"] = year
    return _masking(table, results, masked)


# --- goals -------------------------------------------------------------------------------------------------

def _gives_away(goal, report_rows, shown_goals, min_n):
    """Whether a goal row, computed for its own insats and year, would give away a masked group
    beside the report's rows: a row of the same question or indicator and a group that may hold
    the goal's answers (the same group, or either is ``totalt``) whose n differs from the goal's by
    1 to min n - 1 answers (their difference is a masked-size group), or a masked row whose n is
    the goal's or differs by fewer than min n (the goal would show what the table masked). Another
    goal shown earlier counts like a shown table row (docs/decisions.md, "Survey goals beside the
    report's rows")."""
    for other in [*report_rows, *shown_goals]:
        if other.item != goal.item or codes.TOTAL not in (goal.group, other.group) and other.group != goal.group:
            continue
        difference = abs(other.n - goal.n)
        if difference < min_n and (other.masked or difference):
            return True
    return False


def _differs_from_earlier(n, earlier, min_n):
    """Whether a row's n differs from the n an earlier publication showed for it by 1 to min n - 1:
    the difference would be a masked-size group of answers (publication.py)."""
    return any(0 < abs(n - before) < min_n for before in earlier)


def goals_table(ctx):
    association = ctx.association
    goals = SurveyGoal.objects.filter(association=association, year__gte=ctx.period.start.year,
                                      year__lte=ctx.period.end.year).select_related("intervention")
    if ctx.filtered:
        goals = goals.filter(intervention__in=ctx.interventions)
    goals = list(goals.order_by("year", "position"))
    labels = group_labels(association)
    rows, built, masked = [], {}, {}
    percent = association.grade_acceptable_percent
    report_rows, shown_rows = list(_all_rows(_Cache.get(ctx)).values()), []
    earlier_goals = getattr(ctx, "survey_earlier_goals", {})  # key -> n shown in earlier publications
    for goal in goals:
        item = goal.question_key or goal.indicator_code
        scope = goal.intervention.slug if goal.intervention else "forbund"
        key = f"{scope}/{goal.respondent_group or codes.TOTAL}/{item}"
        end = min(ctx.period.end, datetime.date(goal.year, 12, 31))
        row, _ = figure(association, datetime.date(goal.year, 1, 1), end, [goal.intervention] if goal.intervention else None,
                        goal.respondent_group or None, item)
        target = Fraction(goal.target)
        ended = end >= datetime.date(goal.year, 12, 31)
        if row is None or (not row.masked and row.n == 0):
            n, positive, result = 0, 0, None
        elif (row.masked or _gives_away(row, report_rows, shown_rows, association.masking_threshold)
              or _differs_from_earlier(row.n, earlier_goals.get(key, ()), association.masking_threshold)):
            n, positive, result = None, None, None
            masked[key] = row.masked or SECONDARY
        else:
            n, positive, result = row.n, row.positive, Fraction(row.positive, row.n)
            shown_rows.append(row)
        cells = {"n": n, "positive": positive}
        if ended:
            cells["grade"] = goal_grade(result, target, percent)
        else:
            cells["status"] = goal_status(result, target, percent)
        cells["shown"] = shown_goal(result, positive, n, target, cells.get("grade") or cells.get("status"))
        group = "Alla grupper" if not goal.respondent_group else labels.get(goal.respondent_group, goal.respondent_group)
        rows.append((key, f"{goal.intervention.name if goal.intervention else 'Förbundet'} – {group} – {item}"))
        built[key] = (cells, {"target": float(target), "result": share_value(result)})
    has_grade = any("grade" in c for c, _ in built.values())
    has_status = any("status" in c for c, _ in built.values())
    columns = [("n", "n"), ("positive", "Positiva")] + ([("grade", "Bedömning")] if has_grade else []) + (
        [("status", "Status")] if has_status else []) + [("shown", "Resultat"), ("target", "Mål"), ("result", "Utfall")]
    table = GOALS.table(rows, columns, denominator="n")
    for key, (cells, shares) in built.items():
        table.cells[key], table.shares[key] = cells, shares
    table.extra["min_n"] = association.masking_threshold
    table.extra["masked_rows"] = masked
    table.notes.append(f"God: minst 95 % av målet. Godtagbart: minst {percent} % av målet. Ej bedömt: för få svar "
                       "eller inga svar.")
    return table


# --- declarations -------------------------------------------------------------------------------------------

def _spec(id, title, order, build, reads=READS, **kwargs):
    registered = []

    def built(ctx):
        if ctx.association is None:  # a national context: surveys are each förbund's own
            return registered[0].table([], [])
        return _every_cell(build(ctx))

    registered.append(register(TableSpec(id=id, title=title, family="surveys", population="responses",
                                         source="surveys", order=order, build=built, reads=reads, own_masking=True,
                                         **kwargs)))
    return registered[0]


RESPONSE_RATE = _spec("survey_response_rate", "Svarsfrekvens", 300, response_rate_table)
GROUPS = _spec("survey_groups", "Svar per respondentgrupp", 301, groups_table)
QUESTIONS = _spec("survey_questions", "Resultat per fråga", 302, questions_table)
INDICATORS = _spec("survey_indicators", "Resultat per indikator", 303, indicators_table)
TREND = _spec("survey_trend", "Jämfört med föregående år", 304, trend_table)
NATIONAL = _spec("survey_national", "Jämfört med riket", 305, national_table,
                 reads=READS + ("surveys.NationalComparison",))
GOALS = _spec("survey_goals", "Måluppfyllelse, enkäter", 306, goals_table, reads=READS + ("surveys.SurveyGoal",),
              column_kinds={"grade": TEXT, "status": TEXT, "shown": TEXT})
