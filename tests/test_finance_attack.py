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
    upload = SimpleUploadedFile(f"{PNR} budget.csv", BUDGET_FILE)
    preview = client.post(url(world, "import", "budget"), {"file": upload})
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


def test_an_identity_number_in_a_code_cell_is_never_repeated_in_the_error_message(world):
    import pytest

    from finsam.finance.importing import FinanceInputError

    cells = ["2025;budget;insatser;{p};;1", "2025;{p};styrelse;;;1", "2025;budget;{p};;;1",
             "2025;budget;medlemsbidrag;;{p};1", "2025;budget;styrelse;;;{p}"]
    data = ("ar;typ;post;insats;medlem;belopp\n" + "\n".join(c.format(p=PNR) for c in cells) + "\n").encode()
    with pytest.raises(FinanceInputError) as refused:
        import_budget(world.alfa, data, filename="b.csv", dry_run=True)
    assert len(refused.value.errors) == len(cells)
    assert all(PNR not in str(e) and "19121212" not in e.message for e in refused.value.errors)
    assert "ingen post" in str(refused.value)


def test_an_identity_number_in_an_activitys_code_cell_is_never_repeated(world):
    import pytest

    from finsam.activities.access import row_context
    from finsam.activities.importing import import_activities
    from finsam.participants.importing import ImportRefused
    from finsam.tenancy.permissions import Access

    ctx = row_context(Access.for_user(world.users["admin"], world.alfa))
    data = f"titel;typ;datum;format;arrangor\nT;seminarium;2024-03-01;fysiskt;{PNR}\n".encode()
    with pytest.raises(ImportRefused) as refused:
        import_activities(data, "a.csv", ctx)
    assert refused.value.errors and all("19121212" not in str(e) for e in refused.value.errors)
