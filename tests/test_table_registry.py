"""The table registry (statistics/tables/): a table declared once, from any module, is counted,
masked, charted, formatted, frozen and decomposed for differencing from its declaration alone."""

import datetime
import sys

import pytest

from finsam.reports import formatting, render_csv
from finsam.reports.charts import chart_for
from finsam.statistics import differencing, tables
from finsam.statistics.engine import compute_report
from finsam.statistics.tables import registry

YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


def cost_table(ctx):
    """A test-only table from another "source": per insats its current participations (a count) and
    a cost of as many kronor (an amount, as small as the count)."""
    table = COST.table(ctx.groups + [("totalt", "Totalt")], [("participants", "Deltagare"), ("cost", "Kostnad")])
    current = ctx.base.filter(ctx.period.current)
    for slug, _ in ctx.groups:
        n = current.filter(intervention__slug=slug).count()
        table.cells[slug] = {"participants": n, "cost": n}
    table.cells["totalt"] = {c: sum(table.cells[s][c] for s, _ in ctx.groups) for c in ("participants", "cost")}
    table.sums.append(([(s, "participants") for s, _ in ctx.groups], ("totalt", "participants")))
    return table


def cost_relations(ctx, table, rel):
    rel.add([("cost_test", "totalt", "participants")], ("flow", "totalt", "current_totalt"))


COST = tables.TableSpec(
    id="cost_test", title="Kostnad per insats", family="finance_test", source="finance", order=1000,
    population="current", build=cost_table, reads=("participants.Participation", "interventions.Intervention"),
    column_kinds={"cost": tables.AMOUNT_KR}, chart=tables.Chart("bar", (tables.Series("Kostnad", "cost"),)),
    relations=cost_relations, decompose=tables.over_scope(tables.ADDITIVE),
)


@pytest.fixture
def cost_registered(tmp_path, monkeypatch):
    """COST registered the way another app registers its tables: a module of its own, listed with
    add_family_module (as from its AppConfig.ready). Undone afterwards."""
    (tmp_path / "finance_test_tables.py").write_text(
        "from finsam.statistics import tables\nfrom tests.test_table_registry import COST\ntables.register(COST)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.specs()  # the project's own families first
    monkeypatch.setattr(registry, "_specs", dict(registry._specs))
    monkeypatch.setattr(registry, "FAMILY_MODULES", list(registry.FAMILY_MODULES))
    # The test table claims source "finance", whose real presence (finsam.finance) finds no finance
    # data in the test förbund: shown regardless, as a source without a presence function is.
    monkeypatch.setattr(registry, "_presence", {k: v for k, v in registry._presence.items() if k != "finance"})
    monkeypatch.delitem(sys.modules, "finance_test_tables", raising=False)
    tables.add_family_module("finance_test_tables")
    yield COST
    sys.modules.pop("finance_test_tables", None)


def test_a_table_registered_from_another_module_is_in_the_report_in_its_order(world, cost_registered):
    assert [s.id for s in tables.specs()][-1] == "cost_test"
    assert "participants.Participation" in tables.models_read()
    report = compute_report(world.alfa, *YEAR)
    assert [t.id for t in report.tables][-1] == "cost_test"
    cost = report.table("cost_test")
    assert cost.cells["aktivitet"] == {"participants": 1, "cost": 1}
    assert (["cost_test", "totalt", "participants"], ("flow", "totalt", "current_totalt")) in [
        (list(parts[0]), total) for parts, total in report.relations]


def test_tables_filter_by_id_or_family_and_relations_to_absent_tables_are_left_out(world, cost_registered):
    report = compute_report(world.alfa, *YEAR, tables=["finance_test"])
    assert [t.id for t in report.tables] == ["cost_test"]
    assert report.relations == [] and report.bounds == []  # its relation names flow, not in this report
    report = compute_report(world.alfa, *YEAR, tables=["flow", "goals"])  # "flow": the family
    # the family "goals" holds the plan's tables too (no plan covers 2024 in this world: no plan_goals.*)
    assert [t.id for t in report.tables] == ["flow", "unique", "flow_years", "plan_summary", "goals",
                                             "goals_by_intervention"]
    assert {c[0] for parts, total in report.relations for c in [*parts, total]} <= {"flow", "unique", "flow_years",
                                                                                     "goals", "~other_individuals"}
    with pytest.raises(ValueError, match="Okända tabeller"):
        compute_report(world.alfa, *YEAR, tables=["finns_inte"])


def test_amounts_are_never_masked_as_counts(world, cost_registered):
    """Each insats has one current participation: a small count, hidden; its cost of 1 kr is an
    amount, shown, and formatted as kronor on every output, also from the frozen publication."""
    report = compute_report(world.alfa, *YEAR, publish=True)
    cost = report.table("cost_test")
    assert ("aktivitet", "participants") in cost.masked
    assert ("aktivitet", "cost") not in cost.masked and cost.cell("aktivitet", "cost") == 1
    assert formatting.cell(cost, "aktivitet", "cost") == "1\u00a0kr"
    assert "cost_test;Kostnad per insats;aktivitet;Aktivitetsplatsen;cost;Kostnad;1;" in render_csv.render(report).decode()
    thawed = tables.thaw(tables.freeze(report)).table("cost_test")
    assert formatting.cell(thawed, "aktivitet", "cost") == "1\u00a0kr"
    assert thawed.measures == cost.measures and chart_for(thawed) == chart_for(cost)


def test_the_chart_is_the_declared_one(world, cost_registered):
    chart = chart_for(compute_report(world.alfa, *YEAR).table("cost_test"))
    assert chart.categories == ["Aktivitetsplatsen", "FINSAM-team"]  # the summary row is not plotted
    assert chart.series == [("Kostnad", [1, 1])] and not chart.percent


def test_differencing_decomposes_cells_as_declared(world, cost_registered):
    report = compute_report(world.alfa, *YEAR)
    bounds = [datetime.date(2024, 1, 1), datetime.date(2024, 7, 1), datetime.date(2025, 1, 1)]
    atoms = differencing._atoms(report, "cost_test", "totalt", "participants", bounds)
    halves = [(datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)), (datetime.date(2024, 7, 1), YEAR[1])]
    assert sorted(atoms) == sorted(("atom", "cost_test", "totalt", "participants", slug, a, b)
                                   for slug in ("aktivitet", "team") for a, b in halves)
    # unique counts persons: no sum over insatser or time, one atom of its scope ("*": the whole
    # förbund) and span, the same in every publication of that scope and span
    assert differencing._atoms(report, "unique", "totalt", "totalt", bounds) == [
        ("atom", "unique", "totalt", "totalt", "*", *YEAR)]
    assert differencing._atoms(compute_report(world.alfa, *YEAR, ["team", "aktivitet"]), "unique", "totalt",
                               "totalt", bounds) == [("atom", "unique", "totalt", "totalt", "aktivitet+team", *YEAR)]
    # age counts current participations: the first half, then the new ones of the second
    assert differencing._atoms(report, "age", "totalt", "kvinna", bounds) == [
        atom for slug in ("aktivitet", "team") for atom in (
            ("atom", "age", "totalt", "kvinna", slug, *halves[0]), ("atom", "age", "totalt", "kvinna#new", slug, *halves[1]))]


def test_a_table_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        tables.register(registry.get("flow"))


def test_every_declared_table_reads_known_models():
    from django.apps import apps

    for model in tables.models_read():
        apps.get_model(model)  # raises for a misspelt declaration
    assert {s.family for s in tables.specs()} >= {"flow", "background", "outcomes", "goals"}
    assert {s.id for s in tables.specs() if s.identified_only} == {
        "age", "education", "time_on_support", "referrer", "target_group", "exit_reason", "work_or_study",
        "support_in_out", "duration", "municipality", "referrer_intervention", "time_without_work", "referring_unit",
        "born_abroad", "impairment", "violence_questions", "support_transition"}
