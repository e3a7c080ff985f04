"""Properties of the finance computation: every total is the sum of its unrounded lines (in kr and in
tkr, whatever the rounding of the lines), and every check fires on data built to break it."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from finsam.finance import compute, posts
from finsam.finance.compute import ZERO, Line
from finsam.finance.services import import_actuals, import_budget
from finsam.statistics.engine import compute_report
from tests.test_finance_import import ACTUALS_HEADER, BUDGET_HEADER, csv, forbund  # noqa: F401

TODAY = datetime.date(2026, 11, 23)
YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


class _Kind:
    def __init__(self, kind, slug):
        self.kind, self.slug, self.pk = kind, slug, slug


def stub_ledger():
    """A Ledger without a database: two insatser (1 individual, 2 structural), default groups."""
    from finsam.finance.settings_section import Settings

    ledger = compute.Ledger.__new__(compute.Ledger)
    ledger.settings = Settings()
    ledger.all_interventions = {1: _Kind("individual", "ind"), 2: _Kind("structural", "str")}
    ledger.interventions = list(ledger.all_interventions.values())
    ledger.filtered = False
    ledger.members, ledger.member_names = [], {}
    return ledger


amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)
fractions = st.integers(min_value=1, max_value=12)  # a yearly line counted for n months: amount × n / 12


@st.composite
def lines(draw):
    post = draw(st.sampled_from([p for p in posts.CODES if posts.side(p) in (posts.INCOME, posts.COST)
                                 and not posts.BY_CODE[p].input_only]))
    intervention = None
    if posts.carries_intervention(post):
        intervention = draw(st.sampled_from([None, 1, 2]))
        if post == "insatser_individ" and intervention == 2 or post == "insatser_struktur" and intervention == 1:
            intervention = None
    member = draw(st.sampled_from(["fk", "region", "kommun:0180"])) if post == "medlemsbidrag" else ""
    return Line(post, intervention, member, compute.prorated(draw(amounts), draw(fractions)))


def kr(value):
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def tkr(value):
    return (value / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@settings(max_examples=300, deadline=None)
@given(st.lists(lines(), max_size=40))
def test_every_total_is_the_sum_of_its_unrounded_lines(drawn):
    ledger = stub_ledger()
    values = compute.post_values(ledger, drawn)
    rows, cells = compute.post_rows(ledger, {"x": values})
    keys = [k for k, _ in rows]
    cell = {k: cells[k]["x"] for k in keys}
    members = [k for k in keys if k.startswith("medlemsbidrag:")]
    assert cell["summa_medlemsbidrag"] == sum((cell[k] for k in members), ZERO)
    income_rows = members + [k for k in compute.INCOME_ROWS if k in cell]
    assert cell["summa_intakter"] == sum((cell[k] for k in income_rows), ZERO) == compute.income(drawn)
    for group in posts.COST_GROUPS:
        assert cell[f"summa_{group}"] == sum((cell[k] for k in keys if k.startswith(f"{group}:")), ZERO)
    assert cell["summa_kostnader"] == sum((cell[f"summa_{g}"] for g in posts.COST_GROUPS), ZERO) == compute.costs(drawn)
    assert cell["resultat"] == cell["summa_intakter"] - cell["summa_kostnader"]
    # Shown in kr or tkr, a total is its exact value rounded once, never the sum of rounded lines.
    for unit in (kr, tkr):
        assert unit(cell["summa_kostnader"]) == unit(compute.costs(drawn))
    # Insats rows add up to their sums and the total, from the same lines.
    cost, funding = compute.intervention_values(ledger, drawn)
    for group in (posts.INDIVID, posts.STRUKTUR):
        parts = [v for k, v in cost.items() if k in ("ind", "str", f"ej_fordelat_{group}")
                 and (k == f"ej_fordelat_{group}" or posts.KIND_GROUP[ledger.all_interventions[1 if k == "ind" else 2].kind] == group)]
        assert cost.get(f"summa_{group}", ZERO) == sum(parts, ZERO)
    assert cost.get("totalt", ZERO) == cost.get("summa_individ", ZERO) + cost.get("summa_struktur", ZERO)
    assert cost.get("totalt", ZERO) == cell["summa_individ"] + cell["summa_struktur"]


def test_tables_of_random_ledgers_keep_their_totals_exact(forbund):  # noqa: F811 - the fixture
    """Seeded random budgets and actuals through the import and the report: each sum row of the
    tables equals the exact sum of the rows it sums (Decimals, before any rounding)."""
    rng = random.Random(13)
    cost_posts = ["styrelse", "personal", "lokaler", "utvardering", "kommunikation", "revision"]
    for round_ in range(3):
        budget = [f"2024;budget;{rng.choice(cost_posts)};;;{rng.choice(['', rng.randint(1, 12)])};;"
                  f"{rng.randint(1, 10**6)},{rng.randint(0, 99):02d};" for _ in range(30)]
        budget += [f"2024;budget;medlemsbidrag;;{m};;;{rng.randint(1, 10**7)};" for m in ("fk", "region", "kommun:0180")]
        budget += [f"2024;budget;insatser;aktivitet;;;;{rng.randint(1, 10**6)},33;"]
        actuals = [f"2024-{rng.randint(1, 12):02d};{rng.choice(cost_posts)};;;;;{rng.randint(-10**4, 10**6)},"
                   f"{rng.randint(0, 99):02d};" for _ in range(60)]
        actuals += [f"2024-{m:02d};insatser;;aktivitet;;;{rng.randint(1, 10**5)},{rng.randint(0, 99):02d};"
                    for m in range(1, 13)]
        import_budget(forbund, csv(BUDGET_HEADER, *budget), filename="b.csv")
        import_actuals(forbund, csv(ACTUALS_HEADER, *actuals), filename="u.csv", today=TODAY)
        for dates in (YEAR, (datetime.date(2024, 3, 1), datetime.date(2024, 7, 31))):
            report = compute_report(forbund, *dates, tables=["budget_actual", "cost_distribution",
                                                              "budget_actual_by_intervention"])
            table = report.table("budget_actual")
            rows = [k for k, _ in table.rows]
            for col in ("budget", "utfall"):
                cells = {k: table.cell(k, col) for k in rows}
                assert cells["summa_kansli"] == sum((v for k, v in cells.items() if k.startswith("kansli:")), ZERO)
                assert cells["summa_kostnader"] == sum((cells[f"summa_{g}"] for g in posts.COST_GROUPS), ZERO)
                assert cells["resultat"] == cells["summa_intakter"] - cells["summa_kostnader"]
                distribution = report.table("cost_distribution")
                assert distribution.cell("totalt", col) == sum(distribution.cell(g, col)
                                                               for g in ("individ", "struktur", "kansli"))
            by_intervention = report.table("budget_actual_by_intervention")
            assert by_intervention.cell("totalt", "utfall") == (by_intervention.cell("summa_individ", "utfall")
                                                                 + by_intervention.cell("summa_struktur", "utfall"))


# --- every check fires on data built to break it --------------------------------------------------

def checks(association, start=YEAR[0], end=YEAR[1]):
    table = compute_report(association, start, end, tables=["checks"]).table("checks")
    return {k: (table.cell(k, "varde"), table.cell(k, "ok")) for k, _ in table.rows}


def actuals(association, *rows):
    import_actuals(association, csv(ACTUALS_HEADER, *rows), filename="u.csv", today=TODAY)


def test_utfall_saknas_counts_months_without_actuals(forbund):  # noqa: F811
    actuals(forbund, "2024-01;styrelse;;;;;10;", "2024-03;styrelse;;;;;10;")
    assert checks(forbund, datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))["utfall_saknas"] == (1, 0)
    assert checks(forbund, datetime.date(2024, 3, 1), datetime.date(2024, 3, 31))["utfall_saknas"] == (0, 1)


def test_balansrakning_fires_when_assets_differ_from_equity_and_liabilities(forbund):  # noqa: F811
    actuals(forbund, *[f"2024-{m:02d};styrelse;;;;;10;" for m in range(1, 13)],
            "2024-12;kassa_bank;;;;;1000;", "2024-12;eget_kapital;;;;;-1000;")
    value, ok = checks(forbund)["balansrakning"]
    assert (value, ok) == (Decimal("120"), 0)  # the year's costs of 120 were paid from nowhere


def test_kassaflode_fires_when_the_cash_flow_does_not_explain_liquid_funds(forbund):  # noqa: F811
    actuals(forbund, "2023;styrelse;;;;;0;", "2023;kassa_bank;;;;;1000;", "2023;eget_kapital;;;;;-1000;",
            *[f"2024-{m:02d};styrelse;;;;;0;" for m in range(1, 13)],
            "2024-12;kassa_bank;;;;;1030;", "2024-12;eget_kapital;;;;;-1000;")
    result = checks(forbund)
    assert result["kassaflode"] == (Decimal("-30"), 0)
    assert result["eget_kapital_ib"] == (Decimal("0"), 1)


def test_member_contribution_checks_fire_off_their_shares_and_key(forbund):  # noqa: F811
    actuals(forbund, "2024-01;medlemsbidrag;;;;fk;-600;", "2024-01;medlemsbidrag;;;;region;-200;",
            "2024-01;medlemsbidrag;;;;kommun:0180;-100;", "2024-01;medlemsbidrag;;;;kommun:0181;-100;")
    result = checks(forbund, datetime.date(2024, 1, 1), datetime.date(2024, 1, 31))
    assert result["medlemsbidrag_fordelning"] == (Decimal("100"), 0)  # the state 600 of 1000, not 500
    assert result["medlemsbidrag_nyckel"] == (Decimal("50"), 0)  # key 3:1 of 200 is 150 and 50


def test_eget_kapital_ib_fires_when_the_booked_opening_is_not_last_years_closing(forbund):  # noqa: F811
    actuals(forbund, "2023;styrelse;;;;;0;", "2023;eget_kapital;;;;;-100;",
            *[f"2024-{m:02d};styrelse;;;;;0;" for m in range(1, 12)], "2024-12;eget_kapital;;;;;-120;")
    assert checks(forbund)["eget_kapital_ib"] == (Decimal("20"), 0)


def test_tecken_and_insats_utan_budget_count_their_lines(forbund):  # noqa: F811
    import_budget(forbund, csv(BUDGET_HEADER, "2024;budget;styrelse;;;;;100;"), filename="b.csv")
    actuals(forbund, "2024-01;styrelse;;;;;-500;stor återbetalning", "2024-01;insatser;;aktivitet;;;10;")
    result = checks(forbund, datetime.date(2024, 1, 1), datetime.date(2024, 1, 31))
    assert result["tecken"] == (1, 0)
    assert result["insats_utan_budget"] == (1, 0)
    import_budget(forbund, csv(BUDGET_HEADER, "2024;budget;insatser;aktivitet;;;;100;"), filename="b.csv")
    actuals(forbund, "2024-01;styrelse;;;;;500;", "2024-01;insatser;;aktivitet;;;10;")
    result = checks(forbund, datetime.date(2024, 1, 1), datetime.date(2024, 1, 31))
    assert result["tecken"] == (0, 1) and result["insats_utan_budget"] == (0, 1)


def test_a_period_across_years_or_part_months_omits_the_finance_tables_with_the_reason(forbund):  # noqa: F811
    actuals(forbund, "2024-01;styrelse;;;;;10;")
    report = compute_report(forbund, datetime.date(2023, 12, 1), datetime.date(2024, 1, 31), tables=["finance"])
    assert report.tables == []
    assert {o["id"] for o in report.omitted} >= {"budget_actual", "checks"}
    assert all("hela månader inom ett kalenderår" in o["reason"] for o in report.omitted)


def test_the_finance_metric_source_gives_the_tables_figures(finance_example):
    from finsam.statistics import metrics
    from finsam.statistics.metrics import MetricQuery

    query = MetricQuery(finance_example, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    goals = compute_report(finance_example, *YEAR, tables=["financial_goals", "cost_per_participant",
                                                            "equity"])
    admin = metrics.resolve({"source": "finance", "key": "admin_share"}, query)
    assert admin.value == goals.table("financial_goals").share("administration", "utfall")
    per = metrics.resolve({"source": "finance", "key": "cost_per_participant"}, query)
    assert per.value == goals.table("cost_per_participant").cell("totalt", "per_deltagare")
    per_exit = metrics.resolve({"source": "finance", "key": "cost_per_work_or_study"}, query)
    assert per_exit.value == goals.table("cost_per_participant").cell("totalt", "per_arbete_studier")
    closing = metrics.resolve({"source": "finance", "key": "equity_closing"}, query)
    assert closing.value == goals.table("equity").cell("utgaende", "utfall")
    over = metrics.resolve({"source": "finance", "key": "equity_over_cap"}, query)
    assert over.value == goals.table("equity").cell("over_tak", "utfall")
    assert metrics.resolve({"source": "finance", "key": "result"}, query).value == closing.value - goals.table(
        "equity").cell("ingaende", "utfall")
    assert metrics.resolve({"source": "finance", "key": "external_funding"}, query).value == Decimal("1140000")
    utilisation = metrics.resolve({"source": "finance", "key": "budget_utilisation"}, query)
    assert round(utilisation.value, 4) == Decimal("0.9486")
    assert metrics.validate({"source": "finance", "key": "okand"}) != []
