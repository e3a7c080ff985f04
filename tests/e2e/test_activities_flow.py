"""Activities and measures in the browser (issue 14, part A): an administrator registers, corrects and
cancels an activity, reads in both files (one with errors), enters a measure; a project leader works
with their own insats's activities; an analyst reads the activity tables in the report. axe-core on
every page and state visited."""

import json

import pytest
from django.core.management import call_command

from finsam.interventions.association_file import apply_association_file
from finsam.tenancy.models import Role, RoleAssignment, User
from tests.conftest import DATA, PASSWORD

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def activities_loaded(transactional_db, tmp_path):
    association, _ = apply_association_file((DATA / "exempel-forbund.json").read_bytes())
    plan = json.loads((DATA / "exempel-plan-2024.json").read_text())
    apply_association_file(json.dumps({"slug": plan["slug"], "interventions": plan["interventions"]}).encode())
    for role in (Role.ADMIN, Role.ANALYST, Role.PARTICIPANT_MANAGER):
        user = User.objects.create_user(f"{role}@exempelstad.se", password=PASSWORD)
        RoleAssignment.objects.create(user=user, association=association, role=role)
    association.interventions.get(slug="finsam-team").assigned_users.add(
        User.objects.get(username=f"{Role.PARTICIPANT_MANAGER}@exempelstad.se"))
    for command, name in (("import_activities", "exempel-aktiviteter.csv"), ("import_measures", "exempel-matt.csv")):
        call_command(command, "--association", "exempelstad", str(DATA / name), stdout=open("/dev/null", "w"))
    bad = tmp_path / "aktiviteter-med-fel.csv"
    bad.write_text("typ;titel;datum;format;deltagare_totalt\nokand;Seminarium;2024-02-30;teleport;tio\n")
    return bad


def test_admin_registers_corrects_and_cancels_an_activity_and_reads_files(page, activities_loaded):
    log_in(page, f"{Role.ADMIN}@exempelstad.se")
    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Aktiviteter").click()
    assert page.get_by_role("link", name="Frukostseminarium: Samsjuklighet").is_visible()
    assert_accessible(page)
    page.get_by_label("År").select_option("2023")
    page.get_by_label("Typ").select_option("kunskapsdialog")
    page.get_by_role("button", name="Filtrera").click()
    assert "Aktiviteter, senaste först (2 st)" in page.locator("caption").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Registrera aktivitet").click()
    assert_accessible(page)
    page.locator("#id_insats").select_option("")
    page.locator("#id_typ").select_option("utbildning")
    page.locator("#id_titel").fill("Utbildning i samverkan")
    page.locator("#id_datum").fill("2024-10-01")
    page.get_by_label("Digitalt").check()
    page.locator("#id_deltagare_totalt").fill("25")
    page.locator("#id_deltagare_kvinna").fill("20")
    page.locator("#id_deltagare_man").fill("4")
    page.locator("#id_deltagare_annat_ej_angivet").fill("0")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_text("summan ska vara lika med totalen").is_visible()
    assert_accessible(page)  # the form with its errors
    page.locator("#id_deltagare_annat_ej_angivet").fill("1")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_text("Aktiviteten är sparad.").is_visible()

    page.get_by_role("link", name="Utbildning i samverkan").click()
    assert_accessible(page)
    page.locator("#id_status").select_option("installd")
    page.locator("#id_deltagare_totalt").fill("")
    for field in ("kvinna", "man", "annat_ej_angivet"):
        page.locator(f"#id_deltagare_{field}").fill("")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_role("row", name="Utbildning i samverkan").get_by_text("Inställd").is_visible()

    page.get_by_role("link", name="Läs in aktivitetsfil").click()
    assert_accessible(page)
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(activities_loaded))
    page.get_by_role("button", name="Läs in filen").click()
    assert page.get_by_role("heading", name="Filen har 4 fel och har inte lästs in").is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Förbundets meny").get_by_role("link", name="Mått").click()
    assert_accessible(page)
    page.locator("#id_matt").select_option("linkedin_foljare")
    page.locator("#id_till").fill("2024-06-30")
    page.locator("#id_varde").fill("310")
    page.get_by_role("button", name="Spara värdet").click()
    assert page.get_by_text("Värdet är sparat.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Läs in måttfil").click()
    assert_accessible(page)


def test_project_leader_sees_and_registers_for_own_insats(page, activities_loaded):
    log_in(page, f"{Role.PARTICIPANT_MANAGER}@exempelstad.se")
    page.goto("/exempelstad/aktiviteter/")
    main = page.locator("main").inner_text()
    assert "SIP-möten första halvåret 2024" in main and "Styrgrupp Aktivitetsplatsen" not in main
    assert_accessible(page)
    page.get_by_role("link", name="Registrera aktivitet").click()
    assert page.locator("#id_insats").locator("option").all_inner_texts() == ["FINSAM-team"]
    assert_accessible(page)
    page.goto("/exempelstad/matt/")
    assert "Prenumeranter på nyhetsbrevet" not in page.locator("table").inner_text()  # the förbund's own values
    assert_accessible(page)
    for path in ("/exempelstad/aktiviteter/las-in/", "/exempelstad/matt/las-in/"):
        page.goto(path)
        assert_accessible(page)


def test_analyst_reads_the_activity_tables_in_the_report(page, activities_loaded):
    log_in(page, f"{Role.ANALYST}@exempelstad.se")
    for path in ("/exempelstad/aktiviteter/?ar=2024&insats=forbundet", "/exempelstad/aktiviteter/ny/",
                 "/exempelstad/aktiviteter/las-in/", "/exempelstad/matt/", "/exempelstad/matt/las-in/"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/exempelstad/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31")
    assert page.get_by_role("heading", name="Aktiviteter per typ").is_visible()
    assert page.get_by_role("heading", name="Räckvidd och mått").is_visible()
    assert_accessible(page)
