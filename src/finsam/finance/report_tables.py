"""The finance tables of shared/spec/finance.md, declared in the table registry (``source="finance"``,
family ``finance``). Cells are exact Decimals in kronor (rounded only when shown: whole kronor in
JSON and CSV); every figure comes from ``compute.py``, which the metric source uses too."""

from decimal import Decimal

from finsam.statistics.tables import AMOUNT_KR, COUNT, MEASURE, Chart, Omitted, Series, TableSpec, register

from . import compute, posts
from .compute import ZERO, Months, PeriodError

FAMILY = "finance"
READS = ("finance.BudgetSet", "finance.BudgetLine", "finance.Actual", "finance.FinanceSettings",
         "interventions.Intervention", "tenancy.Member")
WHOLE_YEAR = "bara för helår"
WHOLE_ASSOCIATION = "gäller hela förbundet, inte ett urval av insatser"


def _ledger(ctx):
    """The förbund's finance data for this report, read once per Context."""
    if ctx.association is None:
        raise Omitted("ekonomitabeller räknas per förbund")
    ledger = getattr(ctx, "_finance_ledger", None)
    if ledger is None:
        ledger = compute.Ledger(ctx.association, [i.slug for i in ctx.interventions] if ctx.filtered else None)
        ctx._finance_ledger = ledger
    return ledger


def _months(ctx):
    try:
        return Months.of(ctx.period.start, ctx.period.end)
    except PeriodError as error:
        raise Omitted(str(error)) from None


def _whole_association(ledger):
    if ledger.filtered:
        raise Omitted(WHOLE_ASSOCIATION)


def _amounts(spec, rows, columns, cells, **kwargs):
    table = spec.table(rows, columns, **kwargs)
    table.cells = cells
    table.unit = "kr"
    for col, _ in columns:  # columns named by the data (years) are amounts too
        table.column_kinds.setdefault(col, AMOUNT_KR)
    return table


def _share(table, row, col, numerator, denominator, of_col=None, per=None):
    if numerator is None or denominator is None:
        table.shares.setdefault(row, {})[col] = None
        return
    table.set_share(row, col, numerator, denominator, of=(row, of_col or col), per=per or (row, col))


def _better(key, budget, actual):
    """The deviation, positive when better than budget (cost rows: budget − actual)."""
    if budget is None or actual is None:
        return None
    return budget - actual if compute.is_cost_row(key) else actual - budget


# --- budget --------------------------------------------------------------------------------------

def budget_columns(ledger, year):
    """budget_<Y−1> (if any), budget_<Y>, then budget_<Z> or plan_<Z> per later year."""
    columns = []
    if ledger.has_budget(year - 1):
        columns.append((year - 1, posts.BUDGET))
    columns.append((year, posts.BUDGET))
    later = sorted({y for y in ledger.budget_years(posts.BUDGET) + ledger.budget_years(posts.PLAN) if y > year})
    for z in later:
        columns.append((z, posts.BUDGET if ledger.has_budget(z) else posts.PLAN))
    return columns


def budget_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    year = months.year
    values, columns = {}, []
    for y, type_ in budget_columns(ledger, year):
        key = f"{type_}_{y}"
        columns.append((key, f"{posts.BUDGET_TYPES[type_]} {y}"))
        values[key] = compute.post_values(ledger, ledger.budget_lines(y, None, type_))
    rows, cells = compute.post_rows(ledger, values)
    rows += [("ingaende_eget_kapital", "Ingående eget kapital"), ("utgaende_eget_kapital", "Utgående eget kapital")]
    cells["ingaende_eget_kapital"], cells["utgaende_eget_kapital"] = {}, {}
    previous_closing = None
    for (y, type_), (key, _) in zip(budget_columns(ledger, year), columns):
        opening = ledger.budget_opening_equity(y, type_)
        if opening is None and ledger.has_actuals(y):
            opening = ledger.opening_equity(y)
        if opening is None:
            opening = previous_closing
        result = values[key]["resultat"] if values[key] is not None else None
        closing = None if opening is None or result is None else opening + result
        cells["ingaende_eget_kapital"][key], cells["utgaende_eget_kapital"][key] = opening, closing
        previous_closing = closing
    return _amounts(BUDGET_SPEC, rows, columns, cells)


def budget_by_intervention_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    values, columns = {}, []
    for y, type_ in budget_columns(ledger, months.year):
        key = f"{type_}_{y}"
        columns.append((key, f"{posts.BUDGET_TYPES[type_]} {y}"))
        cost, _ = compute.intervention_values(ledger, ledger.budget_lines(y, None, type_))
        values[key] = compute.only_interventions(ledger, cost)
    rows = compute.intervention_rows(ledger, values)
    cells = {k: {c: (None if values[c] is None else values[c].get(k, ZERO)) for c, _ in columns} for k, _ in rows}
    return _amounts(BUDGET_BY_INTERVENTION, rows, columns, cells)


# --- budget and actuals --------------------------------------------------------------------------

def budget_actual_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    budget = compute.post_values(ledger, ledger.budget_or_plan(months.year, months))
    actual = compute.post_values(ledger, ledger.actual_lines(months))
    previous = compute.post_values(ledger, ledger.actual_lines(months.shifted(-1)))
    rows, cells = compute.post_rows(ledger, {"budget": budget, "utfall": actual, "utfall_fg": previous})
    columns = [("budget", "Budget"), ("utfall", "Utfall"), ("avvikelse", "Avvikelse"),
               ("utfall_fg", "Utfall föregående år")]
    for key, _ in rows:
        row = cells[key]
        cells[key] = {"budget": row["budget"], "utfall": row["utfall"],
                      "avvikelse": _better(key, row["budget"], row["utfall"]), "utfall_fg": row["utfall_fg"]}
    table = _amounts(BUDGET_ACTUAL, rows, columns, cells)
    for key, _ in rows:
        if key != "resultat":
            _share(table, key, "utfall", cells[key]["utfall"], cells[key]["budget"], per=(key, "budget"))
    return table


def budget_actual_by_intervention_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    budget, _ = compute.intervention_values(ledger, ledger.budget_or_plan(months.year, months))
    actual, funding = compute.intervention_values(ledger, ledger.actual_lines(months))
    budget, actual = compute.only_interventions(ledger, budget), compute.only_interventions(ledger, actual)
    funding = compute.only_interventions(ledger, funding)
    rows = compute.intervention_rows(ledger, {"budget": budget, "utfall": actual, "extern": funding})
    columns = [("budget", "Budget"), ("utfall", "Utfall"), ("avvikelse", "Avvikelse"),
               ("extern_finansiering", "Extern finansiering"), ("nettokostnad", "Nettokostnad")]
    cells = {}
    for key, _ in rows:
        b = None if budget is None else budget.get(key, ZERO)
        a = None if actual is None else actual.get(key, ZERO)
        f = None if funding is None else funding.get(key, ZERO)
        cells[key] = {"budget": b, "utfall": a, "avvikelse": None if a is None or b is None else b - a,
                      "extern_finansiering": f, "nettokostnad": None if a is None else a - f}
    table = _amounts(BUDGET_ACTUAL_BY_INTERVENTION, rows, columns, cells)
    for key, _ in rows:
        _share(table, key, "utfall", cells[key]["utfall"], cells[key]["budget"], per=(key, "budget"))
    return table


def operating_statement_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)

    def by_group(lines):
        if lines is None:
            return None
        out = {g: [ZERO, ZERO] for g in (posts.MEDLEMSBIDRAG, *posts.COST_GROUPS)}
        for ln in lines:
            side = posts.side(ln.post)
            if side in (posts.INCOME, posts.COST):
                out[ledger.group(ln)][0 if side == posts.INCOME else 1] += ln.amount
        out["resultat"] = [sum(v[0] for v in out.values()), sum(v[1] for v in out.values())]
        return out

    actual = by_group(ledger.actual_lines(months))
    budget = by_group(ledger.budget_or_plan(months.year, months))
    previous = by_group(ledger.actual_lines(months.shifted(-1)))
    rows = [(g, posts.GROUP_LABELS[g]) for g in (posts.MEDLEMSBIDRAG, *posts.COST_GROUPS)] + [("resultat", "Resultat")]
    columns = [("intakt", "Intäkt"), ("kostnad", "Kostnad"), ("netto", "Netto"), ("budget_netto", "Budget netto"),
               ("avvikelse", "Avvikelse"), ("intakt_fg", "Intäkt föregående år"),
               ("kostnad_fg", "Kostnad föregående år"), ("netto_fg", "Netto föregående år")]
    cells = {}
    for key, _ in rows:
        i, k = actual[key] if actual else (None, None)
        net = None if i is None else i - k
        budget_net = None if budget is None else budget[key][0] - budget[key][1]
        pi, pk = previous[key] if previous else (None, None)
        cells[key] = {"intakt": i, "kostnad": k, "netto": net, "budget_netto": budget_net,
                      "avvikelse": None if net is None or budget_net is None else net - budget_net,
                      "intakt_fg": pi, "kostnad_fg": pk, "netto_fg": None if pi is None else pi - pk}
    return _amounts(OPERATING_STATEMENT, rows, columns, cells)


def cost_distribution_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    rows = [(g, posts.GROUP_LABELS[g]) for g in (posts.INDIVID, posts.STRUKTUR, posts.KANSLI)] + [("totalt", "Totalt")]
    columns = [("budget", "Budget"), ("utfall", "Utfall")]
    cells = {k: {} for k, _ in rows}
    for col, lines in (("budget", ledger.budget_or_plan(months.year, months)), ("utfall", ledger.actual_lines(months))):
        groups = None if lines is None else compute.cost_groups(ledger, lines)
        for key, _ in rows[:-1]:
            cells[key][col] = None if groups is None else groups[key]
        cells["totalt"][col] = None if groups is None else sum(groups[k] for k, _ in rows[:-1])
    table = _amounts(COST_DISTRIBUTION, rows, columns, cells)
    for key, _ in rows:
        for col, _ in columns:
            _share(table, key, col, cells[key][col], cells["totalt"][col], per=("totalt", col))
    return table


# --- member contributions ----------------------------------------------------------------------

def member_contributions_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    budget_lines = ledger.budget_or_plan(months.year, months)
    actual_lines = ledger.actual_lines(months)

    def amount(lines, codes):
        return None if lines is None else sum((compute.member_total(lines, c) for c in codes), ZERO)

    kommuner = [m.code for m in ledger.members if m.kind == "kommun"]
    groups = [("fk", ["fk"]), ("af", ["af"]), ("stat", ["fk", "af"]), ("region", ["region"])]
    groups += [(code, [code]) for code in kommuner] + [("kommuner", kommuner)]
    everyone = ["fk", "af", "region", *kommuner]
    total_budget = amount(budget_lines, everyone)
    keys = ledger.settings.municipality_keys
    expected = {"stat": Decimal("0.5"), "region": Decimal("0.25"), "kommuner": Decimal("0.25"), "totalt": Decimal(1)}
    for code in kommuner:
        if code in keys:
            expected[code] = Decimal("0.25") * keys[code]
    rows, cells = [], {}
    member_rows = {"fk", "af", "region", *kommuner}
    for key, codes in groups + [("totalt", everyone)]:
        b, a = amount(budget_lines, codes), amount(actual_lines, codes)
        if key in member_rows and not (b or a):
            continue
        share = expected.get(key)
        forvantat = None if share is None or total_budget is None else share * total_budget
        cells[key] = {"budget": b, "utfall": a, "forvantat": forvantat,
                      "avvikelse": None if forvantat is None or b is None else b - forvantat}
        label = {"stat": "Staten (FK inkl. AF)", "kommuner": "Kommunerna", "totalt": "Totalt"}.get(key)
        rows.append((key, label or ledger.member_names.get(key, key)))
    columns = [("budget", "Budget"), ("utfall", "Utfall"), ("forvantat", "Förväntat enligt fördelning"),
               ("avvikelse", "Avvikelse")]
    table = _amounts(MEMBER_CONTRIBUTIONS, rows, columns, cells)
    for key, _ in rows:
        _share(table, key, "budget", cells[key]["budget"], total_budget, per=("totalt", "budget"))
    return table


def ideal_allocation_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    ideal = compute.ideal_state(ledger, months.year)
    if ideal is None:
        raise Omitted(f"ingen idealfördelning för {months.year} i ekonomiinställningarna")
    lines = ledger.budget_or_plan(months.year)
    kommuner = [m.code for m in ledger.members if m.kind == "kommun"]
    parts = {"stat": ["fk", "af"], "region": ["region"], "kommuner": kommuner}
    ideals = {"stat": ideal, "region": ideal / 2, "kommuner": ideal / 2}
    rows = [("stat", "Staten (FK inkl. AF)"), ("region", "Regionen"), ("kommuner", "Kommunerna"), ("totalt", "Totalt")]
    cells = {}
    for key, codes in parts.items():
        b = None if lines is None else sum((compute.member_total(lines, c) for c in codes), ZERO)
        cells[key] = {"budget": b, "ideal": ideals[key], "skillnad": None if b is None else b - ideals[key]}
    b_total = None if lines is None else sum(cells[k]["budget"] for k in parts)
    cells["totalt"] = {"budget": b_total, "ideal": ideal * 2, "skillnad": None if b_total is None else b_total - ideal * 2}
    columns = [("budget", "Budget"), ("ideal", "Enligt idealfördelningen"), ("skillnad", "Skillnad")]
    table = _amounts(IDEAL_ALLOCATION, rows, columns, cells)
    for key, _ in rows:
        _share(table, key, "budget", cells[key]["budget"], cells[key]["ideal"], per=(key, "ideal"))
    return table


# --- equity, goals, forecast ---------------------------------------------------------------------

def forecast_date(ledger, months):
    if months.last == 12:
        return None
    return ledger.forecast(months.year, months.end)


def equity_figures(ledger, months):
    """{column: (opening, result, closing)} for utfall (1 January to the period's end), budget
    (full year) and, when a forecast is shown, prognos; and the cap."""
    year = months.year
    ytd = Months(year, 1, months.last)
    out = {}
    opening = ledger.opening_equity(year)
    actual = ledger.actual_lines(ytd)
    res = None if actual is None else compute.result(actual)
    out["utfall"] = (opening, res, None if opening is None or res is None else opening + res)
    out["budget"] = compute.budget_equity(ledger, year) or (None, None, None)
    date = forecast_date(ledger, months)
    if date is not None:
        prognos = forecast_result(ledger, year, date)
        out["prognos"] = (opening, prognos, None if opening is None or prognos is None else opening + prognos)
    return out, compute.equity_cap(ledger, year)


def forecast_result(ledger, year, date):
    until = ledger.actual_lines(Months(year, 1, date.month))
    if until is None:
        return None
    return compute.result(until) + compute.result(ledger.forecast_lines(year, date))


def equity_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    figures, cap = equity_figures(ledger, months)
    labels = {"utfall": "Utfall", "budget": "Budget helår", "prognos": "Prognos helår"}
    columns = [(c, labels[c]) for c in figures]
    rows = [("ingaende", "Ingående eget kapital"), ("resultat", "Resultat"), ("utgaende", "Utgående eget kapital"),
            ("tak", "Tak för eget kapital"), ("over_tak", "Över taket")]
    cells = {k: {} for k, _ in rows}
    for col, (opening, res, closing) in figures.items():
        cells["ingaende"][col], cells["resultat"][col], cells["utgaende"][col] = opening, res, closing
        cells["tak"][col] = cap
        cells["over_tak"][col] = None if cap is None or closing is None else max(ZERO, closing - cap)
    return _amounts(EQUITY, rows, columns, cells)


def financial_goals_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    figures, cap = equity_figures(ledger, months)
    limit = ledger.settings.admin_share_max
    if cap is None and limit is None:
        raise Omitted("inga finansiella mål (tak för eget kapital, högsta andel administration) i inställningarna")
    rows, cells = [], {}
    if cap is not None:
        closing = figures["utfall"][2]
        rows.append(("eget_kapital", "Eget kapital högst taket"))
        cells["eget_kapital"] = {"mal": cap, "utfall": closing,
                                 "uppfyllt": None if closing is None else int(closing <= cap)}
    admin = None
    lines = ledger.actual_lines(months)
    if limit is not None:
        admin = (None, None) if lines is None else compute.admin_share(ledger, lines)
        kansli, basis = admin
        rows.append(("administration", "Administrationskostnader högst andel av kostnaderna"))
        goal = None if basis is None else limit * basis
        cells["administration"] = {"mal": goal, "utfall": kansli,
                                   "uppfyllt": None if kansli is None else int(kansli <= goal)}
    columns = [("mal", "Mål"), ("utfall", "Utfall"), ("uppfyllt", "Uppfyllt")]
    table = _amounts(FINANCIAL_GOALS, rows, columns, cells)
    for key, _ in rows:
        table.cell_kinds[(key, "uppfyllt")] = MEASURE
    if admin is not None:
        kansli, basis = admin
        table.shares["administration"] = {"mal": limit, "utfall": None if not basis else kansli / basis}
    return table


def forecast_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    date = forecast_date(ledger, months)
    if date is None:
        raise Omitted("ingen prognos före periodens slut, eller perioden slutar 31 dec")
    year = months.year
    budget = compute.post_values(ledger, ledger.budget_or_plan(year))
    actual = compute.post_values(ledger, ledger.actual_lines(Months(year, 1, date.month)))
    rest = compute.post_values(ledger, ledger.forecast_lines(year, date))
    rows, cells = compute.post_rows(ledger, {"budget": budget, "utfall": actual, "prognos_resterande": rest})
    for key, _ in rows:
        row = cells[key]
        prognos = None if row["utfall"] is None else row["utfall"] + row["prognos_resterande"]
        row["prognos"] = prognos
        row["avvikelse"] = _better(key, row["budget"], prognos)
    figures, _ = equity_figures(ledger, months)
    b_open, _, b_close = figures["budget"]
    a_open, _, a_close = figures["utfall"]
    _, _, p_close = figures["prognos"]
    a_close = None
    if a_open is not None and actual is not None:
        a_close = a_open + actual["resultat"]
    for key, label, b, a, p in (("ingaende_eget_kapital", "Ingående eget kapital", b_open, a_open, a_open),
                                ("utgaende_eget_kapital", "Utgående eget kapital", b_close, a_close, p_close)):
        rows.append((key, label))
        cells[key] = {"budget": b, "utfall": a, "prognos_resterande": None, "prognos": p,
                      "avvikelse": None if b is None or p is None else p - b}
    columns = [("budget", "Budget helår"), ("utfall", f"Utfall t.o.m. {date.isoformat()}"),
               ("prognos_resterande", "Prognos resterande"), ("prognos", "Prognos helår"),
               ("avvikelse", "Avvikelse mot budget")]
    cells = {k: {c: cells[k][c] for c, _ in columns} for k, _ in rows}
    return _amounts(FORECAST, rows, columns, cells)


# --- cost per participant ------------------------------------------------------------------------

COUNT_COLUMNS = ("aktuella", "nya", "avslutade", "arbete_studier")
FLOW_COLUMN = {"aktuella": "current_totalt", "nya": "new_totalt", "avslutade": "exited_totalt"}


def participant_counts(ctx):
    """{slug: {aktuella, nya, avslutade, arbete_studier}} from the participant tables' own
    builders (``flow`` and ``work_or_study``): the same counts, never recounted."""
    from finsam.statistics.tables.flow import flow_table
    from finsam.statistics.tables.outcomes import work_or_study_table

    flow, outcomes = flow_table(ctx), work_or_study_table(ctx)
    out = {}
    for slug, _ in ctx.groups:
        counts = {k: flow.cell(slug, col) or 0 for k, col in FLOW_COLUMN.items()}
        counts["arbete_studier"] = outcomes.cell(slug, "work_or_study") or 0
        out[slug] = counts
    return out


def cost_per_participant_figures(ctx, ledger, months):
    lines = ledger.actual_lines(months)
    if lines is None:
        raise Omitted("inget utfall för perioden")
    money = compute.actual_cost_by_intervention(ledger, lines)
    counts = participant_counts(ctx)
    rows, cells = [], {}
    for intervention in ledger.interventions:
        if intervention.kind != "individual":
            continue
        cost, funding = money.get(intervention.pk, (ZERO, ZERO))
        count = counts.get(intervention.slug, {k: 0 for k in COUNT_COLUMNS})
        if not cost and not funding and not any(count.values()):
            continue
        rows.append((intervention.slug, intervention.name))
        cells[intervention.slug] = {"kostnad": cost, "extern_finansiering": funding, "nettokostnad": cost - funding,
                                    **count}
    total = {c: sum((cells[k][c] for k, _ in rows), ZERO if c not in COUNT_COLUMNS else 0)
             for c in ("kostnad", "extern_finansiering", "nettokostnad", *COUNT_COLUMNS)}
    rows.append(("totalt", "Totalt"))
    cells["totalt"] = total
    for key, _ in rows:
        row = cells[key]
        for col, count in (("per_deltagare", "aktuella"), ("per_avslutad", "avslutade"),
                           ("per_arbete_studier", "arbete_studier")):
            row[col] = row["nettokostnad"] / row[count] if row[count] else None
    return rows, cells


def cost_per_participant_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    rows, cells = cost_per_participant_figures(ctx, ledger, months)
    columns = [("kostnad", "Kostnad"), ("extern_finansiering", "Extern finansiering"), ("nettokostnad", "Nettokostnad"),
               ("aktuella", "Aktuella deltagare"), ("nya", "Nya deltagare"), ("avslutade", "Avslutade deltagare"),
               ("arbete_studier", "Avslut till arbete eller studier"),
               ("per_deltagare", "Kostnad per aktuell deltagare"), ("per_avslutad", "Kostnad per avslutad deltagare"),
               ("per_arbete_studier", "Kostnad per avslut till arbete eller studier")]
    table = _amounts(COST_PER_PARTICIPANT, rows, columns, cells)
    body = [k for k, _ in rows if k != "totalt"]
    for col in COUNT_COLUMNS:
        if body:
            table.sums.append(([(k, col) for k in body], ("totalt", col)))
    for key, _ in rows:
        for col, count in (("per_deltagare", "aktuella"), ("per_avslutad", "avslutade"),
                           ("per_arbete_studier", "arbete_studier")):
            table.measure_of[(key, col)] = [(key, count)]
    return table


def cost_per_participant_relations(ctx, table, rel):
    """Its counts are the flow and work_or_study tables' own cells (one part summing to them)."""
    for key, _ in table.rows:
        for col, flow_col in FLOW_COLUMN.items():
            rel.add([("cost_per_participant", key, col)], ("flow", key, flow_col))
        rel.add([("cost_per_participant", key, "arbete_studier")], ("work_or_study", key, "work_or_study"))


def cost_per_participant_atoms(table_id, row, col, scope, start, end):
    """Counts decompose as the flow and work_or_study cells they equal (differencing)."""
    from finsam.statistics.tables import get

    if col in FLOW_COLUMN:
        spec = get("flow")
        return spec.decompose("flow", row, FLOW_COLUMN[col], scope, start, end) if spec.decompose else None
    if col == "arbete_studier":
        spec = get("work_or_study")
        return spec.decompose("work_or_study", row, "work_or_study", scope, start, end) if spec.decompose else None
    return None


# --- the whole-year tables -----------------------------------------------------------------------

def _whole_year(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    if not months.whole_year:
        raise Omitted(WHOLE_YEAR)
    return ledger, months.year


def year_figures(ledger, year):
    """Income and costs without financial posts, the year's result, closing equity, total assets
    of one year: from actuals, else the settings' history; None for a year with neither."""
    lines = ledger.actual_lines(Months(year))
    if lines is not None:
        balances = ledger.balances(year)
        operating = [ln for ln in lines if not posts.BY_CODE[ln.post].financial]
        assets = None if balances is None else sum((balances[p] for p in posts.ASSET_POSTS), ZERO)
        return {"intakter": compute.income(operating), "kostnader": compute.costs(operating),
                "resultat": compute.result(lines), "eget_kapital": ledger.closing_equity(year), "tillgangar": assets}
    history = ledger.settings.history.get(year)
    if history:
        inc, cost = history.get("income"), history.get("costs")
        return {"intakter": inc, "kostnader": cost,
                "resultat": None if inc is None or cost is None else inc - cost,
                "eget_kapital": history.get("closing_equity"), "tillgangar": history.get("total_assets")}
    return None


def five_year_table(ctx):
    ledger, year = _whole_year(ctx)
    years = list(range(year - 4, year + 1))
    rows = [("intakter", "Verksamhetens intäkter"), ("kostnader", "Verksamhetens kostnader"),
            ("resultat", "Årets resultat"), ("eget_kapital", "Eget kapital vid årets slut"), ("soliditet", "Soliditet")]
    columns = [(str(y), str(y)) for y in years]
    cells = {k: {} for k, _ in rows}
    shares = {}
    for y in years:
        figures = year_figures(ledger, y) or {}
        for key in ("intakter", "kostnader", "resultat", "eget_kapital"):
            cells[key][str(y)] = figures.get(key)
        cells["soliditet"][str(y)] = None
        equity, assets = figures.get("eget_kapital"), figures.get("tillgangar")
        shares[str(y)] = None if equity is None or not assets else equity / assets
    table = _amounts(FIVE_YEAR, rows, columns, cells)
    table.row_kinds["soliditet"] = MEASURE
    table.shares["soliditet"] = shares
    return table


def _statement(spec, rows, year, values_of):
    """A statement's columns Y and Y−1: ``values_of(year)`` ({row: amount}, or None: no data)."""
    columns = [(str(year), str(year)), (str(year - 1), str(year - 1))]
    cells = {k: {} for k, _ in rows}
    for y in (year, year - 1):
        values = values_of(y)
        for key, _ in rows:
            cells[key][str(y)] = None if values is None else values[key]
    return _amounts(spec, rows, columns, cells)


def income_statement_values(ledger, year):
    lines = ledger.actual_lines(Months(year))
    if lines is None:
        return None
    financial_income = compute.total(lines, lambda ln: ln.post == "finansiella_intakter")
    financial_costs = compute.total(lines, lambda ln: ln.post == "finansiella_kostnader")
    depreciation = compute.total(lines, lambda ln: ln.post == "avskrivningar")
    operating_income = compute.income(lines) - financial_income
    operating_costs = compute.costs(lines) - financial_costs - depreciation
    operating = operating_income - operating_costs - depreciation
    return {"verksamhetens_intakter": operating_income, "verksamhetens_kostnader": -operating_costs,
            "avskrivningar": -depreciation, "verksamhetens_resultat": operating,
            "finansiella_intakter": financial_income, "finansiella_kostnader": -financial_costs,
            "arets_resultat": operating + financial_income - financial_costs}


def income_statement_table(ctx):
    ledger, year = _whole_year(ctx)
    rows = [("verksamhetens_intakter", "Verksamhetens intäkter"), ("verksamhetens_kostnader", "Verksamhetens kostnader"),
            ("avskrivningar", "Avskrivningar"), ("verksamhetens_resultat", "Verksamhetens resultat"),
            ("finansiella_intakter", "Finansiella intäkter"), ("finansiella_kostnader", "Finansiella kostnader"),
            ("arets_resultat", "Årets resultat")]
    return _statement(INCOME_STATEMENT, rows, year, lambda y: income_statement_values(ledger, y))


def balance_values(ledger, year):
    balances = ledger.balances(year)
    if balances is None:
        return None
    opening = ledger.opening_equity(year)
    result = ledger.year_result(year)
    values = {p: balances[p] for p in posts.ASSET_POSTS}
    values["summa_tillgangar"] = sum((balances[p] for p in posts.ASSET_POSTS), ZERO)
    values["eget_kapital_ingaende"] = opening
    values["arets_resultat"] = result
    equity = None if opening is None or result is None else opening + result
    values["summa_eget_kapital"] = equity
    for p in ("avsattningar", "langfristiga_skulder", "kortfristiga_skulder"):
        values[p] = balances[p]
    liabilities = balances["avsattningar"] + balances["langfristiga_skulder"] + balances["kortfristiga_skulder"]
    values["summa_eget_kapital_och_skulder"] = None if equity is None else equity + liabilities
    return values


def balance_sheet_table(ctx):
    ledger, year = _whole_year(ctx)
    rows = [(p, posts.label(p)) for p in posts.ASSET_POSTS] + [
        ("summa_tillgangar", "Summa tillgångar"), ("eget_kapital_ingaende", "Eget kapital, ingående"),
        ("arets_resultat", "Årets resultat"), ("summa_eget_kapital", "Summa eget kapital"),
        ("avsattningar", "Avsättningar"), ("langfristiga_skulder", "Långfristiga skulder"),
        ("kortfristiga_skulder", "Kortfristiga skulder"),
        ("summa_eget_kapital_och_skulder", "Summa eget kapital, avsättningar och skulder")]
    return _statement(BALANCE_SHEET, rows, year, lambda y: balance_values(ledger, y))


CASH_FLOW_ROWS = [
    ("arets_resultat", "Årets resultat"), ("avskrivningar", "Justering för avskrivningar"),
    ("forandring_fordringar", "Ökning (−)/minskning (+) av fordringar"),
    ("forandring_kortfristiga_skulder", "Ökning (+)/minskning (−) av kortfristiga skulder"),
    ("forandring_avsattningar", "Förändring av avsättningar"),
    ("lopande_verksamhet", "Kassaflöde från den löpande verksamheten"),
    ("investeringar", "Kassaflöde från investeringsverksamheten"),
    ("finansiering", "Kassaflöde från finansieringsverksamheten"), ("arets_kassaflode", "Årets kassaflöde"),
    ("likvida_medel_ib", "Likvida medel vid årets början"), ("likvida_medel_ub", "Likvida medel vid årets slut"),
]


def cash_flow_values(ledger, year):
    """The indirect cash flow of ``year``, or None without the year's and the year before's balances."""
    now, before = ledger.balances(year), ledger.balances(year - 1)
    result = ledger.year_result(year)
    if now is None or before is None or result is None:
        return None
    lines = ledger.actual_lines(Months(year))
    depreciation = compute.total(lines, lambda ln: ln.post == "avskrivningar")

    def delta(post):
        return now[post] - before[post]

    values = {"arets_resultat": result, "avskrivningar": depreciation,
              "forandring_fordringar": -delta("fordringar"),
              "forandring_kortfristiga_skulder": delta("kortfristiga_skulder"),
              "forandring_avsattningar": delta("avsattningar")}
    values["lopande_verksamhet"] = sum(values.values(), ZERO)
    values["investeringar"] = -(delta("anlaggningstillgangar") + depreciation)
    values["finansiering"] = delta("langfristiga_skulder")
    values["arets_kassaflode"] = values["lopande_verksamhet"] + values["investeringar"] + values["finansiering"]
    values["likvida_medel_ib"] = before["kassa_bank"] + before["kortfristiga_placeringar"]
    values["likvida_medel_ub"] = now["kassa_bank"] + now["kortfristiga_placeringar"]
    return values


def cash_flow_table(ctx):
    ledger, year = _whole_year(ctx)
    return _statement(CASH_FLOW, list(CASH_FLOW_ROWS), year, lambda y: cash_flow_values(ledger, y))


# --- checks ----------------------------------------------------------------------------------------

CHECK_LABELS = {
    "utfall_saknas": "Månader utan utfall i perioden",
    "balansrakning": "Balansräkningen balanserar",
    "kassaflode": "Kassaflödet förklarar förändringen av likvida medel",
    "medlemsbidrag_fordelning": "Medlemsbidragen följer ½ stat, ¼ region, ¼ kommuner",
    "medlemsbidrag_nyckel": "Kommunernas bidrag följer fördelningsnyckeln",
    "eget_kapital_ib": "Ingående eget kapital = föregående års utgående",
    "tecken": "Poster med utfall på fel sida (negativ intäkt eller kostnad)",
    "insats_utan_budget": "Insatser med utfall men utan budget",
}
COUNT_CHECKS = ("utfall_saknas", "tecken", "insats_utan_budget")


def check_values(ledger, months):
    """{check: value} of the checks that apply (kronor, or a count for COUNT_CHECKS)."""
    out = {"utfall_saknas": ledger.missing_months(months)}
    year = months.year
    lines = ledger.actual_lines(months)
    if months.whole_year:
        values = balance_values(ledger, year)
        if values is not None and values["summa_eget_kapital_och_skulder"] is not None:
            out["balansrakning"] = values["summa_tillgangar"] - values["summa_eget_kapital_och_skulder"]
        flow = cash_flow_values(ledger, year)
        if flow is not None:
            out["kassaflode"] = flow["arets_kassaflode"] - (flow["likvida_medel_ub"] - flow["likvida_medel_ib"])
    if lines is not None:
        kommuner = [m.code for m in ledger.members if m.kind == "kommun"]
        total = compute.member_total(lines)
        if total:
            stat = compute.member_total(lines, "fk") + compute.member_total(lines, "af")
            region = compute.member_total(lines, "region")
            kommun_total = sum((compute.member_total(lines, c) for c in kommuner), ZERO)
            out["medlemsbidrag_fordelning"] = max(abs(stat - total / 2), abs(region - total / 4),
                                                  abs(kommun_total - total / 4))
            keys = ledger.settings.municipality_keys
            if keys and kommuner:
                out["medlemsbidrag_nyckel"] = max(abs(compute.member_total(lines, c) - keys.get(c, ZERO) * kommun_total)
                                                  for c in kommuner)
    if months.whole_year:
        booked, previous = ledger.booked_equity(year), ledger.closing_equity(year - 1)
        if booked is not None and previous is not None:
            out["eget_kapital_ib"] = booked - previous
    if lines is not None:
        sums = {}
        for ln in lines:
            compute._add(sums, (ln.post, ln.intervention, ln.member), ln.amount)
        out["tecken"] = sum(1 for v in sums.values() if v < 0)
        budgeted = {ln.intervention for ln in (ledger.budget_or_plan(year) or []) if ln.intervention is not None}
        wanted = {i.pk for i in ledger.interventions}
        with_actuals = {ln.intervention for ln in lines if ln.intervention is not None and ln.amount}
        out["insats_utan_budget"] = len((with_actuals & wanted) - budgeted)
    return out


def checks_table(ctx):
    ledger, months = _ledger(ctx), _months(ctx)
    _whole_association(ledger)
    values = check_values(ledger, months)
    rows = [(k, label) for k, label in CHECK_LABELS.items() if k in values]
    cells = {}
    for key, _ in rows:
        value = values[key]
        ok = value == 0 if key in COUNT_CHECKS else abs(value) < 1
        cells[key] = {"varde": value, "ok": int(ok)}
    table = _amounts(CHECKS, rows, [("varde", "Värde"), ("ok", "OK")], cells)
    for key, _ in rows:
        table.cell_kinds[(key, "ok")] = MEASURE
        if key in COUNT_CHECKS:
            table.cell_kinds[(key, "varde")] = MEASURE
    return table


# --- the declarations ------------------------------------------------------------------------------

def _amount_spec(id, title, order, build, **kwargs):
    population = kwargs.pop("population", "amounts")
    return register(TableSpec(id=id, title=title, family=FAMILY, population=population, source="finance",
                              order=order, build=build, reads=READS, column_kinds=kwargs.pop("column_kinds", {}),
                              **kwargs))


def _kinds(*columns, kind=AMOUNT_KR):
    return {c: kind for c in columns}


BUDGET_SPEC = _amount_spec("budget", "Budget och plan", 200, budget_table)
BUDGET_BY_INTERVENTION = _amount_spec("budget_by_intervention", "Budget per insats", 201, budget_by_intervention_table)
BUDGET_ACTUAL = _amount_spec("budget_actual", "Budget och utfall", 202, budget_actual_table,
                             column_kinds=_kinds("budget", "utfall", "avvikelse", "utfall_fg"))
BUDGET_ACTUAL_BY_INTERVENTION = _amount_spec(
    "budget_actual_by_intervention", "Budget och utfall per insats", 203, budget_actual_by_intervention_table,
    column_kinds=_kinds("budget", "utfall", "avvikelse", "extern_finansiering", "nettokostnad"),
    # Budget against actual per insats (issue 13: the Excel file's native chart; the page and PDF too).
    chart=Chart("bar", (Series("Budget", "budget"), Series("Utfall", "utfall")),
                summary_rows=("ej_fordelat_individ", "summa_individ", "ej_fordelat_struktur", "summa_struktur",
                              "totalt")))
OPERATING_STATEMENT = _amount_spec(
    "operating_statement", "Driftredovisning", 204, operating_statement_table,
    column_kinds=_kinds("intakt", "kostnad", "netto", "budget_netto", "avvikelse", "intakt_fg", "kostnad_fg",
                        "netto_fg"))
COST_DISTRIBUTION = _amount_spec("cost_distribution", "Kostnadsfördelning", 205, cost_distribution_table,
                                 column_kinds=_kinds("budget", "utfall"))
MEMBER_CONTRIBUTIONS = _amount_spec("member_contributions", "Medlemsbidrag", 206, member_contributions_table,
                                    column_kinds=_kinds("budget", "utfall", "forvantat", "avvikelse"))
IDEAL_ALLOCATION = _amount_spec("ideal_allocation", "Idealfördelning", 207, ideal_allocation_table,
                                column_kinds=_kinds("budget", "ideal", "skillnad"))
FORECAST = _amount_spec("forecast", "Helårsprognos", 208, forecast_table,
                        column_kinds=_kinds("budget", "utfall", "prognos_resterande", "prognos", "avvikelse"))
EQUITY = _amount_spec("equity", "Eget kapital", 209, equity_table, column_kinds=_kinds("utfall", "budget", "prognos"))
FINANCIAL_GOALS = _amount_spec("financial_goals", "Finansiella mål", 210, financial_goals_table,
                               column_kinds={"mal": AMOUNT_KR, "utfall": AMOUNT_KR, "uppfyllt": MEASURE})
COST_PER_PARTICIPANT = _amount_spec(
    "cost_per_participant", "Kostnad per deltagare", 211, cost_per_participant_table,
    population="participations",
    column_kinds={**_kinds("kostnad", "extern_finansiering", "nettokostnad", "per_deltagare", "per_avslutad",
                           "per_arbete_studier"), **_kinds(*COUNT_COLUMNS, kind=COUNT)},
    relations=cost_per_participant_relations, decompose=cost_per_participant_atoms)
FIVE_YEAR = _amount_spec("five_year", "Femårsöversikt", 212, five_year_table)
INCOME_STATEMENT = _amount_spec("income_statement", "Resultaträkning", 213, income_statement_table)
BALANCE_SHEET = _amount_spec("balance_sheet", "Balansräkning", 214, balance_sheet_table)
CASH_FLOW = _amount_spec("cash_flow", "Kassaflödesanalys", 215, cash_flow_table)
CHECKS = _amount_spec("checks", "Kontroller", 216, checks_table, column_kinds={"varde": AMOUNT_KR, "ok": MEASURE})
