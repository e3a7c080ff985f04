"""The finance pages (issue 13): budget and plan years entered on a grid of labelled inputs, a
forecast, a month's actuals by hand, the budget and actuals files read in after a dry run, the
settings, and a deltagaransvarig's view of the own insats. Access: another förbund's is a 404, a
läsare is refused; hostile input gives field errors in Swedish, never a 500."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from finsam.finance.models import Actual, BudgetLine, BudgetSet, FinanceSettings
from finsam.finance.settings_section import settings_of
from finsam.interventions.models import Intervention
from finsam.tenancy.models import Member, data_version

from tests.conftest import DATA

YEAR = 2024


def url(world, name, *args):
    return reverse(f"finance:{name}", args=[world.alfa.slug, *args])


def grid_name(response, label):
    """The input whose label is ``label`` (what a screen reader announces), from the form itself."""
    form = response.context["form"]
    names = [name for name, field in form.fields.items() if field.label == label]
    assert names, f"no input labelled {label!r}: {[f.label for f in form.fields.values()][:8]}"
    return names[0]


def posted(response, values):
    """The grid as shown, with ``values`` {label: text} typed in."""
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    for label, text in values.items():
        data[grid_name(response, label)] = text
    return data


@pytest.fixture
def structural(world):
    world.assigned.kind = "individual"
    world.assigned.save()
    world.unassigned.kind = "structural"
    world.unassigned.save()
    Member.objects.create(association=world.alfa, kind="kommun", municipality_code="0180", name="Exempelstads kommun")
    return world


def lines_of(association, year, type_):
    budget_set = BudgetSet.objects.get(association=association, year=year, type=type_, current=True)
    return {(ln.post, ln.intervention.slug if ln.intervention else "", ln.member, ln.month): ln.amount
            for ln in BudgetLine.objects.filter(budget_set=budget_set)}


# --- budget ----------------------------------------------------------------------------------------

def test_the_budget_is_entered_per_post_member_and_insats_in_swedish_numbers(structural, login):
    world = structural
    client = login(world.users["analyst"])
    page = client.get(url(world, "budget", YEAR))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Styrelse, Budget 2024" in text and "Aktivitetsplatsen, Plan 2025" in text  # each input's label
    before = data_version(world.alfa.pk).key()
    response = client.post(url(world, "budget", YEAR), posted(page, {
        "Medlemsbidrag, Försäkringskassan, Budget 2024": "1 000 000",
        "Medlemsbidrag, Exempelstads kommun, Budget 2024": "500\u00a0000,50",
        "Aktivitetsplatsen, Budget 2024": "1 234 567,50",
        "FINSAM-team, Budget 2024": "-100",
        "Styrelse, Budget 2024": "12 345,67",
        "Eget kapital, planerat ingående, Budget 2024": "800 000",
        "Styrelse, Plan 2025": "13000",
    }))
    assert response.status_code == 302, response.context["form"].errors
    assert lines_of(world.alfa, YEAR, "budget") == {
        ("medlemsbidrag", "", "fk", None): Decimal("1000000.00"),
        ("medlemsbidrag", "", "kommun:0180", None): Decimal("500000.50"),
        ("insatser_individ", "aktivitet", "", None): Decimal("1234567.50"),
        ("insatser_struktur", "team", "", None): Decimal("-100.00"),
        ("styrelse", "", "", None): Decimal("12345.67"),
        ("eget_kapital", "", "", None): Decimal("800000.00"),
    }
    assert lines_of(world.alfa, YEAR + 1, "plan") == {("styrelse", "", "", None): Decimal("13000.00")}
    assert not BudgetSet.objects.filter(association=world.alfa, year=YEAR + 2).exists()  # an empty column: no set
    assert data_version(world.alfa.pk).key() != before
    # Shown again with its totals from the exact amounts: 1 500 000,50 - (1 234 567,50 - 100 + 12 345,67)
    again = client.get(url(world, "budget", YEAR)).content.decode()
    assert "1 500 000,50 kr" in again and "253 187,33 kr" in again


def test_saving_the_budget_again_makes_a_new_version_and_unchanged_makes_none(world, login):
    client = login(world.users["admin"])
    page = client.get(url(world, "budget", YEAR))
    client.post(url(world, "budget", YEAR), posted(page, {"Styrelse, Budget 2024": "100"}))
    page = client.get(url(world, "budget", YEAR))
    assert client.post(url(world, "budget", YEAR), posted(page, {})).status_code == 302  # unchanged
    assert BudgetSet.objects.filter(association=world.alfa, year=YEAR, type="budget").count() == 1
    client.post(url(world, "budget", YEAR), posted(page, {"Styrelse, Budget 2024": "200"}))
    sets = BudgetSet.objects.filter(association=world.alfa, year=YEAR, type="budget").order_by("version")
    assert [(s.version, s.current) for s in sets] == [(1, False), (2, True)]
    assert lines_of(world.alfa, YEAR, "budget") == {("styrelse", "", "", None): Decimal("200.00")}


def test_monthly_lines_of_a_file_are_kept_when_their_row_is_not_changed(world, login):
    from finsam.finance.services import import_budget

    rows = [{"ar": "2024", "typ": "budget", "post": "styrelse", "manad": str(m), "belopp": "100"} for m in (1, 2)]
    import_budget(world.alfa, rows + [{"ar": "2024", "typ": "budget", "post": "revision", "belopp": "50"}])
    client = login(world.users["admin"])
    page = client.get(url(world, "budget", YEAR))
    assert page.context["form"][grid_name(page, "Styrelse, Budget 2024")].value() == "200"
    assert "per månad" in page.content.decode()
    client.post(url(world, "budget", YEAR), posted(page, {"Revision, Budget 2024": "60"}))
    assert lines_of(world.alfa, YEAR, "budget") == {
        ("styrelse", "", "", 1): Decimal("100.00"), ("styrelse", "", "", 2): Decimal("100.00"),
        ("revision", "", "", None): Decimal("60.00")}


@pytest.mark.parametrize("typed, message", [
    ("tolv", "är inget belopp"),
    ("12,345", "är inget belopp"),  # more than two decimals
    ("1.5.5", "är inget belopp"),
    ("99999999999999999999", "för stort"),
    ("1" * 41, "för långt"),
    ("1e5", "är inget belopp"),
    ("NaN", "är inget belopp"),
    ("<script>", "är inget belopp"),
])
def test_hostile_amounts_are_field_errors_in_swedish_and_nothing_is_saved(world, login, typed, message):
    client = login(world.users["admin"])
    page = client.get(url(world, "budget", YEAR))
    response = client.post(url(world, "budget", YEAR), posted(page, {"Styrelse, Budget 2024": typed}))
    assert response.status_code == 200  # the form again, with its errors
    field = grid_name(page, "Styrelse, Budget 2024")
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not BudgetSet.objects.filter(association=world.alfa).exists()


def test_a_nul_character_never_reaches_the_form(world, login):
    client = login(world.users["admin"])
    page = client.get(url(world, "budget", YEAR))
    response = client.post(url(world, "budget", YEAR), posted(page, {"Styrelse, Budget 2024": "12\x00"}))
    assert response.status_code == 400  # core.middleware.RefuseNulCharactersMiddleware
    assert not BudgetSet.objects.filter(association=world.alfa).exists()


def test_a_year_out_of_range_is_404(world, login):
    client = login(world.users["admin"])
    assert client.get(url(world, "budget", 1200)).status_code == 404
    assert client.get(f"/alfa/ekonomi/budget/{'9' * 30}/").status_code == 404


# --- forecast and actuals ----------------------------------------------------------------------------

def test_a_forecast_is_entered_for_a_forecast_date(world, login):
    client = login(world.users["analyst"])
    page = client.get(url(world, "forecast", YEAR) + "?prognosdatum=2024-06-30")
    assert page.status_code == 200
    data = posted(page, {"Styrelse, Prognos 2024, från 2024-06-30 till 2024-12-31": "5 000"})
    data["prognosdatum"] = "2024-06-30"
    assert client.post(url(world, "forecast", YEAR), data).status_code == 302
    budget_set = BudgetSet.objects.get(association=world.alfa, type="prognos", current=True)
    assert budget_set.forecast_date == datetime.date(2024, 6, 30)
    assert [(ln.post, ln.amount) for ln in budget_set.lines.all()] == [("styrelse", Decimal("5000.00"))]
    # A date that is no month's end is refused, nothing saved for it.
    data["prognosdatum"] = "2024-06-15"
    client.post(url(world, "forecast", YEAR), data)
    assert BudgetSet.objects.filter(association=world.alfa, type="prognos").count() == 1


def test_a_months_actuals_are_entered_on_the_posts_side(world, login):
    client = login(world.users["admin"])
    page = client.get(url(world, "actuals", YEAR, 3))
    assert page.status_code == 200
    response = client.post(url(world, "actuals", YEAR, 3), posted(page, {
        "Medlemsbidrag, Försäkringskassan, Utfall 2024-03": "250 000",
        "Aktivitetsplatsen, Utfall 2024-03": "80 000,25",
        "Kassa och bank, Utfall 2024-03": "1 000 000"}))
    assert response.status_code == 302, response.context["form"].errors
    stored = {(a.post, a.intervention.slug if a.intervention else "", a.member): a.amount
              for a in Actual.objects.filter(association=world.alfa, year=YEAR, month=3)}
    assert stored == {("medlemsbidrag", "", "fk"): Decimal("250000.00"),
                      ("insatser_individ", "aktivitet", ""): Decimal("80000.25"),
                      ("kassa_bank", "", ""): Decimal("1000000.00")}
    assert client.get(url(world, "actuals", 2999, 1)).status_code == 404  # no future periods


def test_a_month_read_in_from_a_file_is_not_entered_by_hand(world, login):
    from finsam.finance.services import import_actuals

    import_actuals(world.alfa, [{"period": "2024-03", "post": "styrelse", "belopp": "100"}])
    client = login(world.users["admin"])
    page = client.get(url(world, "actuals", YEAR, 3))
    assert "inläst från en utfallsfil" in page.content.decode()
    response = client.post(url(world, "actuals", YEAR, 3), posted(page, {"Styrelse, Utfall 2024-03": "5"}))
    assert response.status_code == 200  # the form again, with its errors
    assert Actual.objects.get(association=world.alfa, year=YEAR, month=3).amount == Decimal("100.00")


# --- files: a dry run, then the same file -------------------------------------------------------------

BUDGET_FILE = "ar;typ;post;insats;medlem;manad;prognosdatum;belopp;text\r\n2024;budget;styrelse;;;;;12 500;\r\n2024;budget;medlemsbidrag;;fk;;;1 000 000;\r\n"


def test_a_budget_file_is_previewed_with_control_sums_then_read_in(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.users["analyst"])
    upload = SimpleUploadedFile("budget.csv", BUDGET_FILE.encode(), content_type="text/csv")
    preview = client.post(url(world, "import", "budget"), {"file": upload})
    assert preview.status_code == 200
    text = preview.content.decode().replace("\u00a0", " ")
    assert "Förhandsgranskning av budget.csv" in text and "Budget 2024" in text and "987 500,00 kr" in text
    assert not BudgetSet.objects.filter(association=world.alfa).exists()  # nothing saved yet
    token = preview.context["token"]
    done = client.post(url(world, "import", "budget"), {"token": token})
    assert done.status_code == 302
    assert lines_of(world.alfa, YEAR, "budget") == {("styrelse", "", "", None): Decimal("12500.00"),
                                                   ("medlemsbidrag", "", "fk", None): Decimal("1000000.00")}
    # The token is used up; another user's session never had it.
    assert client.post(url(world, "import", "budget"), {"token": token}).context["expired"]


def test_a_staged_file_is_only_the_uploaders(world, login, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = login(world.users["analyst"]).post(url(world, "import", "budget"), {
        "file": SimpleUploadedFile("budget.csv", BUDGET_FILE.encode())})
    token = preview.context["token"]
    client.logout()
    admin = login(world.users["admin"])
    assert admin.post(url(world, "import", "budget"), {"token": token}).context["expired"]
    assert not BudgetSet.objects.filter(association=world.alfa).exists()


@pytest.mark.parametrize("token", ["../jobs/1/input", "", "x" * 500, "a\u00e5" * 10])
def test_a_forged_token_confirms_nothing(world, login, token):
    response = login(world.users["admin"]).post(url(world, "import", "budget"), {"token": token})
    assert response.status_code == 200 and response.context["expired"]
    assert not BudgetSet.objects.filter(association=world.alfa).exists()


def test_a_file_with_errors_lists_row_column_value_and_what_is_allowed(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "period;post;belopp\r\n2024-03;styrelse;tolv\r\n2024-13;okand;5\r\n"
    response = login(world.users["admin"]).post(url(world, "import", "utfall"), {
        "file": SimpleUploadedFile("utfall.csv", content.encode())})
    assert response.status_code == 200  # the form again, with its errors
    text = response.content.decode()
    assert "har inte lästs in" in text and "tolv" in text and "är ingen period" in text and "är ingen post" in text
    assert not Actual.objects.exists()


@pytest.mark.parametrize("name, content", [
    ("utfall.xlsx", b"PK\x03\x04 not a zip"),
    ("utfall.exe", b"MZ"),
    ("utfall.csv", b"\xff\xfe\x00\x00"),
    ("utfall.csv", b""),
])
def test_hostile_files_are_refused_in_swedish(world, login, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(world.users["admin"]).post(url(world, "import", "utfall"), {
        "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200  # the form again, with its errors
    assert not Actual.objects.exists()


def test_a_large_file_is_read_in_by_a_background_job_after_its_preview(world, login, settings, tmp_path,
                                                                      django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from finsam.jobs.models import Job

    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    settings.FINSAM_JOBS_SYNC = True
    settings.FINSAM_JOB_IMPORT_BYTES = 10
    client = login(world.users["admin"])
    preview = client.post(url(world, "import", "budget"), {"file": SimpleUploadedFile("budget.csv", BUDGET_FILE.encode())})
    assert preview.context["big"]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url(world, "import", "budget"), {"token": preview.context["token"]})
    job = Job.objects.get(association=world.alfa, kind="finance_import")
    assert done.status_code == 302 and done.url == reverse("jobs:detail", args=["alfa", job.pk])
    job.refresh_from_db()
    assert job.state == "done", job.error
    assert lines_of(world.alfa, YEAR, "budget")[("styrelse", "", "", None)] == Decimal("12500.00")


# --- settings ------------------------------------------------------------------------------------

def test_the_settings_page_saves_unit_cap_admin_share_and_keys(structural, login):
    world = structural
    client = login(world.users["admin"])
    assert client.get(url(world, "settings")).status_code == 200
    response = client.post(url(world, "settings"), {
        "display_unit": "kr", "equity_cap_kind": "steps", "equity_cap_steps": "5 000 000: 20\növer: 10",
        "admin_share_max": "10", "key_kommun:0180": "100"})
    assert response.status_code == 302, response.context["form"].errors
    stored = settings_of(world.alfa)
    assert stored.display_unit == "kr" and stored.admin_share_max == Decimal("0.1")
    assert stored.equity_cap == {"steps": [{"up_to": Decimal("5000000"), "share": Decimal("0.2")},
                                           {"up_to": None, "share": Decimal("0.1")}]}
    assert stored.municipality_keys == {"kommun:0180": Decimal(1)}
    response = client.post(url(world, "settings"), {"display_unit": "tkr", "equity_cap_kind": "amount",
                                                    "equity_cap_amount": "2 500 000", "admin_share_max": ""})
    assert response.status_code == 302
    assert settings_of(world.alfa).equity_cap == {"amount": Decimal("2500000")}
    assert settings_of(world.alfa).admin_share_max is None


@pytest.mark.parametrize("data, field", [
    ({"equity_cap_kind": "amount", "equity_cap_amount": "mycket"}, "equity_cap_amount"),
    ({"equity_cap_kind": "amount", "equity_cap_amount": ""}, "equity_cap_amount"),
    ({"equity_cap_kind": "steps", "equity_cap_steps": "över: 10\n100: 5"}, "equity_cap_steps"),
    ({"equity_cap_kind": "steps", "equity_cap_steps": "100 20"}, "equity_cap_steps"),
    ({"equity_cap_kind": "none", "admin_share_max": "150"}, "admin_share_max"),
    ({"equity_cap_kind": "none", "admin_share_max": "x"}, "admin_share_max"),
    ({"equity_cap_kind": "none", "display_unit": "mkr"}, "display_unit"),
    ({"equity_cap_kind": "huge"}, "equity_cap_kind"),
])
def test_hostile_settings_are_field_errors(world, login, data, field):
    response = login(world.users["admin"]).post(url(world, "settings"), {"display_unit": "tkr", **data})
    assert response.status_code == 200  # the form again, with its errors
    assert field in response.context["form"].errors
    assert not FinanceSettings.objects.filter(association=world.alfa).exists()


# --- access --------------------------------------------------------------------------------------

PAGES = [("home", ()), ("budget", (YEAR,)), ("forecast", (YEAR,)), ("actuals", (YEAR, 1)),
         ("import", ("budget",)), ("import", ("utfall",)), ("settings", ())]


@pytest.mark.parametrize("name, args", PAGES)
def test_another_foerbunds_admin_gets_404_and_a_laesare_is_refused(world, login, name, args):
    assert login(world.users["outsider"]).get(url(world, name, *args)).status_code == 404
    assert login(world.users["reader"]).get(url(world, name, *args)).status_code == 403


@pytest.mark.parametrize("name, args", PAGES[1:])
def test_a_deltagaransvarig_enters_no_finance(world, login, name, args):
    assert login(world.users["manager"]).get(url(world, name, *args)).status_code == 403


def test_a_deltagaransvarig_sees_the_own_insats_only(world, login):
    client = login(world.users["manager"])
    home = client.get(url(world, "home")).content.decode()
    assert world.assigned.name in home and world.unassigned.name not in home
    assert client.get(url(world, "intervention", world.assigned.slug)).status_code == 200
    assert client.get(url(world, "intervention", world.unassigned.slug)).status_code == 404
    assert client.get(url(world, "intervention", world.beta_intervention.slug)).status_code == 404


def test_another_foerbunds_insats_is_404_on_the_budget_page(world, login):
    """A line naming another förbund's insats (as if typed into the form) is refused, not saved."""
    from finsam.finance.services import save_budget_lines
    from finsam.finance.importing import FinanceInputError

    with pytest.raises(FinanceInputError):
        save_budget_lines(world.alfa, YEAR, "budget", [{"post": "insatser", "insats": "hemlig", "belopp": Decimal(1)}],
                          world.users["admin"])
    assert Intervention.objects.filter(slug="hemlig").count() == 1
    assert not BudgetSet.objects.filter(association=world.alfa).exists()
