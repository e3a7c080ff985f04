"""The budget and actuals files (shared/spec/finance.md, "Files") and the finance write services:
every rule refuses with row, column, value and what is allowed; all or nothing; idempotent; hand
entry; the commands; hostile files; concurrent imports (PostgreSQL)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from finsam.finance import posts
from finsam.finance.importing import FinanceInputError, parse_amount
from finsam.finance.models import Actual, BudgetLine, BudgetSet, FinanceSettings
from finsam.finance.services import (
    import_actuals, import_budget, save_actuals, save_budget_lines, save_settings,
)
from finsam.interventions.models import Intervention
from finsam.tenancy.models import Member, data_version
from tests.test_concurrency import run_together

from .conftest import DATA

TODAY = datetime.date(2026, 11, 23)
BUDGET_HEADER = "ar;typ;post;insats;medlem;manad;prognosdatum;belopp;text"
ACTUALS_HEADER = "period;post;konto;insats;objekt;medlem;belopp;text"


def csv(header, *rows):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def forbund(world):
    """Förbund alfa with FK, the region and two kommuner, an individual and a structural insats, and
    account and object mappings."""
    alfa = world.alfa
    Member.objects.create(association=alfa, kind="region", name="Region Alfa")
    Member.objects.create(association=alfa, kind="kommun", municipality_code="0180", name="Stockholm")
    Member.objects.create(association=alfa, kind="kommun", municipality_code="0181", name="Södertälje")
    Intervention.objects.create(association=alfa, slug="dialog", name="Dialog", kind="structural",
                                start_date=datetime.date(2020, 1, 1))
    save_settings(alfa, {
        "municipality_keys": {"kommun:0180": 3, "kommun:0181": 1},
        "accounts": [{"account": "3511", "post": "medlemsbidrag", "member": "fk"},
                     {"account": "46*", "post": "insatser"}, {"account": "4600", "post": "insatser_individ"},
                     {"account": "5*", "post": "personal"}, {"account": "50*", "post": "styrelse"},
                     {"account": "19*", "post": "kassa_bank"}],
        "objects": [{"object": "110", "intervention": "aktivitet"}, {"object": "900", "intervention": None}],
    })
    return alfa


def errors_of(call):
    with pytest.raises(FinanceInputError) as refused:
        call()
    return [str(e) for e in refused.value.errors]


# --- the example files --------------------------------------------------------------------------

def test_the_example_files_import_once_and_again_change_nothing(finance_example):
    alfa = finance_example
    sets = BudgetSet.objects.filter(association=alfa).count()
    actuals = Actual.objects.filter(association=alfa).count()
    version = data_version(alfa.pk)
    budget = import_budget(alfa, (DATA / "exempel-budget.csv").read_bytes(), filename="exempel-budget.csv")
    actual = import_actuals(alfa, (DATA / "exempel-utfall.csv").read_bytes(), filename="exempel-utfall.csv",
                            today=TODAY)
    assert (budget.created, budget.replaced, budget.unchanged) == (0, 0, 5)
    assert (actual.created, actual.replaced, actual.unchanged) == (0, 0, 13)
    assert BudgetSet.objects.filter(association=alfa).count() == sets == 5
    assert Actual.objects.filter(association=alfa).count() == actuals
    assert data_version(alfa.pk) == version
    budget_2024 = next(s for s in budget.sets if s.key == "Budget 2024")
    # Control sums of the set: lines with equal keys added (the two kunskapsdialoger lines stay two
    # keys: one with a month), income 19 258 000, costs 19 168 000.
    assert (budget_2024.income, budget_2024.costs, budget_2024.result) == (
        Decimal("19258000"), Decimal("19168000"), Decimal("90000"))
    # Amounts as booked become the post's side: income positive, a refund a negative cost.
    refund = Actual.objects.get(association=alfa, year=2024, month=6, amount=Decimal("-25000"))
    assert refund.post == "insatser_individ" and refund.intervention.slug == "aktivitetsplatsen"
    assert Actual.objects.get(association=alfa, year=2024, month=12, post="eget_kapital").amount == Decimal(
        "3933995.67")


def test_a_changed_set_is_a_new_version_and_the_tables_use_it(forbund):
    data = csv(BUDGET_HEADER, "2024;budget;styrelse;;;;;1000;", "2024;budget;styrelse;;;;;500;ökning")
    first = import_budget(forbund, data, filename="b.csv")
    assert first.created == 1 and BudgetLine.objects.get().amount == Decimal("1500")  # equal keys added
    second = import_budget(forbund, csv(BUDGET_HEADER, "2024;budget;styrelse;;;;;2 000,50;"), filename="b.csv")
    assert second.replaced == 1
    versions = list(BudgetSet.objects.filter(association=forbund).order_by("version").values_list("version",
                                                                                                   "current"))
    assert versions == [(1, False), (2, True)]
    from finsam.finance.compute import Ledger
    assert [ln.amount for ln in Ledger(forbund).budget_lines(2024)] == [Decimal("2000.50")]
    # Another set in a later file leaves this one alone.
    import_budget(forbund, csv(BUDGET_HEADER, "2025;plan;styrelse;;;;;100;"), filename="p.csv")
    assert BudgetSet.objects.filter(association=forbund, current=True).count() == 2


def test_dry_run_writes_nothing(forbund):
    summary = import_budget(forbund, csv(BUDGET_HEADER, "2024;budget;styrelse;;;;;1000;"), filename="b.csv",
                            dry_run=True)
    assert summary.created == 1 and summary.dry_run
    assert not BudgetSet.objects.filter(association=forbund).exists()
    summary = import_actuals(forbund, csv(ACTUALS_HEADER, "2024-01;styrelse;;;;;100;"), filename="u.csv",
                             dry_run=True, today=TODAY)
    assert summary.created == 1 and not Actual.objects.exists()


# --- every rule of the budget file ----------------------------------------------------------------

@pytest.mark.parametrize("row, column, message", [
    ("1899;budget;styrelse;;;;;1;", "ar", "årtal"),
    ("2024;prognoser;styrelse;;;;;1;", "typ", "budget, plan, prognos"),
    ("2024;budget;okand;;;;;1;", "post", "ingen post"),
    ("2024;budget;kassa_bank;;;;;1;", "post", "balanspost"),
    ("2024;budget;insatser;;;;;1;", "insats", "behöver en insats"),
    ("2024;budget;insatser;saknas;;;;1;", "insats", "ingen av förbundets insatser"),
    ("2024;budget;finansiella_intakter;aktivitet;;;;1;", "insats", "har ingen insats"),
    ("2024;budget;insatser_struktur;aktivitet;;;;1;", "insats", "individinriktad"),
    ("2024;budget;insatser_individ;dialog;;;;1;", "insats", "strukturinriktad"),
    ("2024;budget;medlemsbidrag;;;;;1;", "medlem", "behöver en medlem"),
    ("2024;budget;medlemsbidrag;;kommun:9999;;;1;", "medlem", "ingen av förbundets medlemmar"),
    ("2024;budget;styrelse;;fk;;;1;", "medlem", "bara för posten medlemsbidrag"),
    ("2024;budget;styrelse;;;13;;1;", "manad", "1–12"),
    ("2024;prognos;styrelse;;;3;2024-06-30;1;", "manad", "ingen månad"),
    ("2024;prognos;styrelse;;;;;1;", "prognosdatum", "behöver ett prognosdatum"),
    ("2024;prognos;styrelse;;;;2024-06-15;1;", "prognosdatum", "sista dagen"),
    ("2024;prognos;styrelse;;;;2024-12-31;1;", "prognosdatum", "januari–november"),
    ("2024;prognos;styrelse;;;;2023-06-30;1;", "prognosdatum", "sista dagen"),
    ("2024;budget;styrelse;;;;2024-06-30;1;", "prognosdatum", "bara för typen prognos"),
    ("2024;budget;styrelse;;;;;12,345;", "belopp", "två decimaler"),
    ("2024;budget;styrelse;;;;;tolv;", "belopp", "inget belopp"),
    ("2024;budget;styrelse;;;;;1 2345;", "belopp", "inget belopp"),
    ("2024;budget;styrelse;;;;;99999999999999;", "belopp", "för stort"),
    ("2024;budget;styrelse;;;;;;", "belopp", "saknas"),
    ("2024;budget;styrelse;;;;;1;Anna 19850314-1239", "text", "personnummer"),
    ("2024;budget;=1+1;;;;;1;", "post", "ingen post"),
])
def test_every_budget_rule_refuses_with_row_column_value_and_what_is_allowed(forbund, row, column, message):
    data = csv(BUDGET_HEADER, "2024;budget;styrelse;;;;;100;", row)
    errors = errors_of(lambda: import_budget(forbund, data, filename="b.csv"))
    assert any(e.startswith(f"Rad 3, kolumn {column}") and message in e for e in errors), errors
    assert not BudgetSet.objects.exists()  # all or nothing
    assert all("19850314-1239" not in e for e in errors)


def test_every_error_of_a_file_is_reported_at_once(forbund):
    data = csv(BUDGET_HEADER, "2024;budget;okand;;;;;1;", "2024;budget;styrelse;;;;;x;", "3000;budget;styrelse;;;;;1;")
    errors = errors_of(lambda: import_budget(forbund, data, filename="b.csv"))
    assert [e.split(":")[0] for e in errors] == ["Rad 2, kolumn post (värde", "Rad 3, kolumn belopp (värde",
                                                 "Rad 4, kolumn ar (värde"]


@pytest.mark.parametrize("header, message", [
    ("ar;typ;post;belopp;okand", "okänd kolumn"),
    ("ar;typ;post", "kolumnen belopp saknas"),
    ("ar;typ;post;belopp;belopp", "två gånger"),
])
def test_a_wrong_header_is_refused(forbund, header, message):
    errors = errors_of(lambda: import_budget(forbund, csv(header, "2024;budget;styrelse;1;"), filename="b.csv"))
    assert any(message in e for e in errors), errors


def test_formula_text_is_kept_as_text_and_never_a_code(forbund):
    import_budget(forbund, csv(BUDGET_HEADER, "2024;budget;styrelse;;;;;1;=SUM(A1:A9)*cmd"), filename="b.csv")
    assert BudgetLine.objects.get().text == "=SUM(A1:A9)*cmd"


@pytest.mark.parametrize("content, message", [
    (b"ar;typ\x00;post\n", "nolltecken"),
    (b"", "tom"),
    (b"\xff\xfeu\x00", "UTF-16"),
    (b"PK\x03\x04not a zip", "Excel"),
])
def test_hostile_files_are_refused_without_a_crash(forbund, content, message):
    name = "b.xlsx" if content.startswith(b"PK") else "b.csv"
    errors = errors_of(lambda: import_budget(forbund, content, filename=name))
    assert any(message in e for e in errors), errors


def test_a_huge_file_is_refused_before_it_is_read(forbund, settings):
    settings.FINSAM_UPLOAD_MAX_BYTES = 1000
    data = csv(BUDGET_HEADER, *["2024;budget;styrelse;;;;;1;"] * 200)
    errors = errors_of(lambda: import_budget(forbund, io.BytesIO(data), filename="b.csv"))
    assert any("för stor" in e for e in errors), errors


def test_an_xlsx_file_is_read_from_its_sheet_budget(forbund):
    book = openpyxl.Workbook()
    book.active.title = "Instruktioner"
    book.active.append(["Läs detta först"])
    sheet = book.create_sheet("Budget")
    sheet.append(BUDGET_HEADER.split(";"))
    sheet.append([2024, "budget", "styrelse", None, None, 3, None, 1234.5, "mars"])
    buffer = io.BytesIO()
    book.save(buffer)
    summary = import_budget(forbund, buffer.getvalue(), filename="budget.xlsx")
    assert summary.created == 1
    line = BudgetLine.objects.get()
    assert (line.post, line.month, line.amount, line.text) == ("styrelse", 3, Decimal("1234.50"), "mars")


# --- every rule of the actuals file ---------------------------------------------------------------

@pytest.mark.parametrize("row, column, message", [
    ("2024-13;styrelse;;;;;1;", "period", "ingen period"),
    ("24-01;styrelse;;;;;1;", "period", "ingen period"),
    ("2026-12;styrelse;;;;;1;", "period", "framtiden"),
    ("2027;styrelse;;;;;1;", "period", "framtiden"),
    ("2024-01;styrelse;5010;;;;1;", "konto", "inte båda"),
    ("2024-01;;7010;;;;1;", "konto", "kontomappning"),
    ("2024-01;;;;;;1;", "post", "post eller konto"),
    ("2024-01;;4610;aktivitet;110;;1;", "objekt", "inte båda"),
    ("2024-01;;4610;;555;;1;", "objekt", "objektmappning"),
    ("2024-01;;4610;;900;;1;", "objekt", "behöver en insats"),
    ("2024-01;;4610;;;;1;", "insats", "behöver en insats"),
    ("2024-01;;1930;;110;;1;", "objekt", "har ingen insats"),
    ("2024-01;;3511;;;region;-1;", "medlem", "en annan medlem"),
    ("2024-01;medlemsbidrag;;;;;-1;", "medlem", "behöver en medlem"),
    ("2024-01;insatser_struktur;;aktivitet;;;1;", "insats", "individinriktad"),
    ("2024-01;styrelse;;;;;1,001;", "belopp", "två decimaler"),
    ("2024-01;styrelse;;;;;1;Kalle 850314-1239", "text", "personnummer"),
])
def test_every_actuals_rule_refuses(forbund, row, column, message):
    data = csv(ACTUALS_HEADER, "2024-01;styrelse;;;;;100;", row)
    errors = errors_of(lambda: import_actuals(forbund, data, filename="u.csv", today=TODAY))
    assert any(e.startswith(f"Rad 3, kolumn {column}") and message in e for e in errors), errors
    assert not Actual.objects.exists()


def test_accounts_map_by_exact_match_else_the_longest_prefix_and_signs_turn(forbund):
    data = csv(ACTUALS_HEADER, "2024-01;;3511;;;;-1 000;", "2024-01;;4610;;110;;200;", "2024-01;;4600;;900;;50;",
               "2024-01;;5020;;900;;30;", "2024-01;;5110;;;;40;", "2024-01;;1930;;;;12 345,67;")
    import_actuals(forbund, data, filename="u.csv", today=TODAY)
    got = sorted((a.post, a.intervention.slug if a.intervention else "", a.member, a.amount)
                 for a in Actual.objects.filter(association=forbund))
    assert got == sorted([("medlemsbidrag", "", "fk", Decimal("1000")),
                          ("insatser_individ", "aktivitet", "", Decimal("200")),
                          ("insatser_individ", "", "", Decimal("50")), ("styrelse", "", "", Decimal("30")),
                          ("personal", "", "", Decimal("40")), ("kassa_bank", "", "", Decimal("12345.67"))])


def test_actuals_replace_their_periods_only(forbund):
    import_actuals(forbund, csv(ACTUALS_HEADER, "2024-01;styrelse;;;;;100;", "2024-02;styrelse;;;;;200;"),
                   filename="u.csv", today=TODAY)
    summary = import_actuals(forbund, csv(ACTUALS_HEADER, "2024-02;styrelse;;;;;250;", "2024-03;styrelse;;;;;300;"),
                             filename="u.csv", today=TODAY)
    assert [(s.key, s.outcome) for s in summary.sets] == [("2024-02", "replaced"), ("2024-03", "created")]
    assert sorted(Actual.objects.values_list("month", "amount")) == [
        (1, Decimal("100")), (2, Decimal("250")), (3, Decimal("300"))]


def test_a_year_is_monthly_or_annual_not_both(forbund):
    errors = errors_of(lambda: import_actuals(
        forbund, csv(ACTUALS_HEADER, "2023;styrelse;;;;;100;", "2023-05;styrelse;;;;;1;"), filename="u.csv",
        today=TODAY))
    assert any("både helårsrader och månadsrader" in e for e in errors), errors
    import_actuals(forbund, csv(ACTUALS_HEADER, "2023;styrelse;;;;;100;"), filename="u.csv", today=TODAY)
    errors = errors_of(lambda: import_actuals(forbund, csv(ACTUALS_HEADER, "2023-05;styrelse;;;;;1;"),
                                              filename="u.csv", today=TODAY))
    assert any("redan utfall som helår" in e for e in errors), errors


def test_a_month_comes_from_a_file_or_by_hand_not_both(forbund, world):
    admin = world.users["admin"]
    save_actuals(forbund, "2024-03", [{"post": "styrelse", "belopp": "100"},
                                      {"post": "medlemsbidrag", "medlem": "fk", "belopp": "5000"}], admin, today=TODAY)
    # On the post's side: income and costs positive, stored as such.
    assert sorted(Actual.objects.values_list("post", "amount")) == [("medlemsbidrag", Decimal("5000")),
                                                                     ("styrelse", Decimal("100"))]
    errors = errors_of(lambda: import_actuals(forbund, csv(ACTUALS_HEADER, "2024-03;styrelse;;;;;1;"),
                                              filename="u.csv", today=TODAY))
    assert any("matats in för hand" in e for e in errors), errors
    import_actuals(forbund, csv(ACTUALS_HEADER, "2024-04;styrelse;;;;;1;"), filename="u.csv", today=TODAY)
    errors = errors_of(lambda: save_actuals(forbund, "2024-04", [{"post": "styrelse", "belopp": "2"}], admin,
                                            today=TODAY))
    assert any("lästs in från fil" in e for e in errors), errors
    # Hand entry replaces its own month.
    save_actuals(forbund, "2024-03", [{"post": "styrelse", "belopp": "90"}], admin, today=TODAY)
    assert list(Actual.objects.filter(month=3).values_list("amount", flat=True)) == [Decimal("90")]


def test_hand_entered_budget_replaces_its_set_and_checks_each_line(forbund, world):
    admin = world.users["admin"]
    save_budget_lines(forbund, 2024, "budget", [{"post": "styrelse", "belopp": "100"},
                                                {"post": "insatser", "insats": "aktivitet", "belopp": "900"}], admin)
    assert sorted(BudgetLine.objects.values_list("post", "amount")) == [("insatser_individ", Decimal("900")),
                                                                         ("styrelse", Decimal("100"))]
    errors = errors_of(lambda: save_budget_lines(forbund, 2024, "budget", [{"post": "insatser", "belopp": "1"}],
                                                 admin))
    assert any("behöver en insats" in e for e in errors)
    save_budget_lines(forbund, 2024, "budget", [], admin)  # an emptied set is a version without lines
    assert not BudgetSet.objects.get(current=True).lines.exists()


def test_settings_refuse_with_their_json_path(forbund):
    errors = errors_of(lambda: save_settings(forbund, {
        "display_unit": "mkr", "admin_share_max": 1.5, "municipality_keys": {"kommun:0999": 1},
        "accounts": [{"account": "46x", "post": "insatser"}, {"account": "3511", "post": "medlemsbidrag"}],
        "objects": [{"object": "1", "intervention": "okand"}],
        "equity_cap": {"steps": [{"up_to": None, "share": 0.1}, {"up_to": 5, "share": 0.2}]},
        "allocation": [{"year": 2024, "state_total": 1}], "history": [{"year": 2020, "income": 1}],
    }))
    for path in ("finance.display_unit", "finance.admin_share_max", "finance.municipality_keys.kommun:0999",
                 "finance.accounts[0].account", "finance.accounts[1].member", "finance.objects[0].intervention",
                 "finance.equity_cap.steps[0].up_to", "finance.allocation[0]", "finance.history[0]"):
        assert any(e.startswith(path) for e in errors), (path, errors)
    assert not FinanceSettings.objects.get(association=forbund).display_unit == "mkr"


def test_parse_amount_reads_swedish_and_excel_amounts():
    assert parse_amount("1 234 567,89") == Decimal("1234567.89")
    assert parse_amount("-2 250 000") == Decimal("-2250000")
    assert parse_amount("\u221212.5") == Decimal("-12.50")
    assert parse_amount(1234.5) == Decimal("1234.50")
    for bad in ("1,2,3", "1.234,5", "12 34", "1e5", "NaN", "--1"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_the_posts_code_list_is_the_specs():
    assert [p.code for p in posts.POSTS if p.side == posts.INCOME] == [
        "medlemsbidrag", "projektbidrag", "ovriga_intakter", "vidarefakturerat_intakt", "finansiella_intakter"]
    assert posts.to_post_side("medlemsbidrag", Decimal("-5")) == Decimal("5")
    assert posts.to_post_side("kassa_bank", Decimal("5")) == Decimal("5")
    assert posts.to_post_side("kortfristiga_skulder", Decimal("-5")) == Decimal("5")


# --- the commands -----------------------------------------------------------------------------------

def test_the_commands_print_the_summary_or_every_error(forbund, tmp_path, capsys):
    good = tmp_path / "budget.csv"
    good.write_bytes(csv(BUDGET_HEADER, "2024;budget;styrelse;;;;;1 000;"))
    call_command("import_budget", "--association", "alfa", "--dry-run", str(good))
    out = capsys.readouterr().out
    assert "Provläsning" in out and "Budget 2024: ny, 1 rader" in out and not BudgetSet.objects.exists()
    call_command("import_budget", "--association", "alfa", str(good))
    assert BudgetSet.objects.count() == 1
    bad = tmp_path / "utfall.csv"
    bad.write_bytes(csv(ACTUALS_HEADER, "2024-01;okand;;;;;1;", "2024-02;styrelse;;;;;x;"))
    with pytest.raises(CommandError) as refused:
        call_command("import_actuals", "--association", "alfa", str(bad))
    message = str(refused.value)
    assert "2 fel" in message and "Rad 2, kolumn post" in message and "Rad 3, kolumn belopp" in message


def test_the_command_exits_1_with_every_error(forbund, tmp_path, capsys):
    from finsam.finance.management.commands.import_budget import Command

    bad = tmp_path / "budget.csv"
    bad.write_bytes(csv(BUDGET_HEADER, "2024;budget;okand;;;;;1;", "2024;plan;styrelse;;;14;;1;"))
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["finsam", "import_budget", "--association", "alfa", str(bad)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "Rad 2, kolumn post" in err and "Rad 3, kolumn manad" in err and "Ingenting har ändrats" in err


# --- concurrency ---------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_same_files_imported_at_once_give_one_result(forbund):
    budget = csv(BUDGET_HEADER, *[f"2024;budget;styrelse;;;{m};;{m}00;" for m in range(1, 13)])
    actuals = csv(ACTUALS_HEADER, *[f"2024-{m:02d};styrelse;;;;;{m}0;" for m in range(1, 13)])
    results = run_together([lambda: import_budget(forbund, budget, filename="b.csv") for _ in range(3)]
                           + [lambda: import_actuals(forbund, actuals, filename="u.csv", today=TODAY)
                              for _ in range(3)])
    assert [kind for kind, _ in results] == ["ok"] * 6, results
    assert sorted(s.created for _, s in results[:3]) == [0, 0, 1]
    assert sorted(s.created for _, s in results[3:]) == [0, 0, 12]
    assert BudgetSet.objects.filter(association=forbund).count() == 1
    assert BudgetLine.objects.count() == 12
    assert Actual.objects.filter(association=forbund).count() == 12


def test_the_finance_section_exports_what_it_reads_and_reapplies_unchanged(finance_example):
    import json

    from finsam.interventions.association_file import (
        AssociationFileError, apply_association_file, export_association_file,
    )

    exported = export_association_file(finance_example)
    given = json.loads((DATA / "exempel-forbund-ekonomi.json").read_text(encoding="utf-8"))["finance"]
    assert exported["finance"] == given
    _, summary = apply_association_file(json.dumps(exported).encode())
    assert "Ekonomiinställningar" not in summary.updated + summary.created
    given["accounts"].append({"account": "99", "post": "okand"})
    with pytest.raises(AssociationFileError) as refused:
        apply_association_file(json.dumps({"slug": "exempelstad", "finance": given}).encode())
    assert any(e.startswith("finance.accounts[26].post") for e in refused.value.errors), refused.value.errors


def test_rows_from_a_page_import_as_a_file_does(forbund):
    summary = import_budget(forbund, [{"ar": 2024, "typ": "budget", "post": "styrelse", "belopp": Decimal("100.5")},
                                      {"ar": 2024, "typ": "budget", "post": "insatser", "insats": "aktivitet",
                                       "belopp": 1000}])
    assert summary.created == 1 and summary.sets[0].costs == Decimal("1100.50")
    errors = errors_of(lambda: import_budget(forbund, [{"ar": 2024, "typ": "budget", "post": "styrelse",
                                                        "belopp": "x"}]))
    assert errors == ['Rad 2, kolumn belopp (värde: "x"): "x" är inget belopp: skriv kronor med högst två '
                      'decimaler, t.ex. 12 500 eller -1 234,50.']
