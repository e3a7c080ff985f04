"""Findings of the attack review of the finance pages and commands (issue 13)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finsam.finance.models import Actual, BudgetSet
from finsam.finance.services import import_actuals, import_budget

PNR = "19121212-1212"
BUDGET_FILE = b"ar;typ;post;belopp\r\n2024;budget;styrelse;12 500\r\n"
ACTUALS_FILE = b"period;post;belopp\r\n2024-03;styrelse;100\r\n"


def url(world, name, *args):
    return reverse(f"finance:{name}", args=[world.alfa.slug, *args])


def test_an_identity_number_in_a_files_name_is_never_stored_or_shown(world, login):
    client = login(world.users["analyst"])
    preview = client.post(url(world, "import", "budget"), {"file": SimpleUploadedFile(f"{PNR} budget.csv", BUDGET_FILE)})
    assert preview.status_code == 200 and PNR not in preview.content.decode()
    assert PNR not in str(client.session.get("finance_staged"))
    assert client.post(url(world, "import", "budget"), {"token": preview.context["token"]}).status_code == 302
    assert PNR not in client.get(url(world, "home")).content.decode()
    assert [s.file_name for s in BudgetSet.objects.filter(association=world.alfa)] == ["(nummer dolt) budget.csv"]


def test_the_services_never_store_an_identity_number_of_a_files_name(world):
    import_budget(world.alfa, BUDGET_FILE, filename=f"/tmp/{PNR}.csv")
    import_actuals(world.alfa, ACTUALS_FILE, filename=f"{PNR}.csv")
    names = [s.file_name for s in BudgetSet.objects.filter(association=world.alfa)]
    names += [a.file_name for a in Actual.objects.filter(association=world.alfa)]
    assert names and all(PNR not in n and "19121212" not in n for n in names)
