"""The report's file formats are registered exporters: the pages, their download links and the
`report` command list the registry, so a format registered by another app appears everywhere."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from finsam.reports.exporters import Exporter, Registry, registry
from finsam.reports.publishing import publish_report
from finsam.reports.report_files import ReportFile
from finsam.statistics import tables
from finsam.tenancy.models import Role, RoleAssignment, User
from finsam.tenancy.permissions import Access

QUERY = "?period=custom&date_from=2024-01-01&date_to=2024-12-31"
YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


@pytest.fixture
def analyst(exempelstad):
    user = User.objects.create_user("analytiker@exempelstad.se")
    RoleAssignment.objects.create(user=user, association=exempelstad, role=Role.ANALYST)
    return user


@pytest.fixture
def extra_exporter(monkeypatch):
    """A format another app registers (removed again after the test)."""
    exporter = Exporter("tsv", "Tabbseparerad text", "tsv", "text/tab-separated-values; charset=utf-8",
                        lambda report: "\n".join(t.id for t in report.tables).encode())
    monkeypatch.setitem(registry._exporters, "tsv", exporter)
    return exporter


def test_the_built_in_formats_are_registered():
    assert registry.identifiers() == ["xlsx", "pdf", "csv", "json", "html"]
    for exporter in registry:
        assert exporter.label and exporter.extension and exporter.content_type


def test_the_registry_refuses_a_second_exporter_of_an_identifier_and_odd_identifiers():
    own = Registry()
    own.register(Exporter("csv", "CSV", "csv", "text/csv", bytes))
    with pytest.raises(ValueError, match="already registered"):
        own.register(Exporter("csv", "Annan CSV", "csv", "text/csv", bytes))
    for identifier in ("", "x/y", "x y", "åäö"):
        with pytest.raises(ValueError):
            own.register(Exporter(identifier, "X", "x", "text/plain", bytes))
    with pytest.raises(ValueError):
        own.register(Exporter("nolabel", "", "x", "text/plain", bytes))
    assert own.get(None) is None and own.get(["csv"]) is None and own.get("csv") is not None


def test_every_exporter_downloads_from_the_report_page(exempelstad, analyst, client, extra_exporter):
    client.force_login(analyst)
    url = reverse("reports:report", args=["exempelstad"]) + QUERY
    page = client.get(url).content.decode()
    for exporter in registry:
        assert f"format={exporter.identifier}\">{exporter.label}</a>" in page
        response = client.get(url + f"&format={exporter.identifier}")
        assert response.status_code == 200 and response["Content-Type"] == exporter.content_type
        assert response["Content-Disposition"] == (
            f'attachment; filename="statistik-exempelstad-2024-01-01-2024-12-31.{exporter.extension}"')
    assert client.get(url + "&format=tsv").content.decode().startswith("flow\nunique")
    # An unknown format is a file that does not exist, as on a publication's page.
    assert client.get(url + "&format=exe").status_code == 404


def test_every_exporter_downloads_from_a_published_report(exempelstad, analyst, client, extra_exporter):
    published = publish_report(exempelstad, date_from=YEAR[0], date_to=YEAR[1], interventions=[], title="År 2024",
                               user=analyst)
    client.force_login(analyst)
    url = reverse("reports:published_detail", args=["exempelstad", published.pk])
    page = client.get(url).content.decode()
    for exporter in registry:
        assert f'href="?format={exporter.identifier}">{exporter.label}</a>' in page
        response = client.get(url + f"?format={exporter.identifier}")
        assert response["Content-Type"] == exporter.content_type
        assert response["Content-Disposition"] == (
            f'attachment; filename="publicerad-exempelstad-{published.pk}.{exporter.extension}"')
    assert client.get(url + "?format=exe").status_code == 404
    # The HTML file of a publication shows the masking as the page does, never a hidden count.
    document = client.get(url + "?format=html").content.decode()
    assert "dolt för att skydda enskilda" in document and '<td class="num">..</td>' in document


def test_the_html_file_is_the_page_s_tables_in_one_self_contained_document(exempelstad, analyst, client):
    client.force_login(analyst)
    url = reverse("reports:report", args=["exempelstad"]) + QUERY
    document = client.get(url + "&format=html").content.decode()
    assert document.startswith("<!DOCTYPE html>") and '<html lang="sv">' in document
    assert "<link" not in document and "<script" not in document and "src=" not in document
    assert "Samordningsförbundet Exempelstad" in document and "Räkneregler" in document
    # The same formatted numbers as the page (the exit-reason shares, as in test_reports).
    assert "21,1\u00a0%" in document and "14,5\u00a0%" in document
    assert document.count('<table class="numbers">') == len(json.loads(client.get(url + "&format=json").content)["tables"])


def test_the_command_lists_and_uses_the_registry(exempelstad, tmp_path, extra_exporter):
    target = tmp_path / "rapport.tsv"
    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--format", "tsv", "--output", str(target), stdout=io.StringIO())
    assert target.read_text().startswith("flow\nunique")
    html = tmp_path / "rapport.html"
    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--format", "html", "--output", str(html), stdout=io.StringIO())
    assert "<!DOCTYPE html>" in html.read_text()
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                     "--format", "exe", "--output", str(target))


# --- a report file asked for by ids (what a background job stores) ------------------------------------

def test_report_file_parameters_are_plain_json_and_read_back():
    wanted = ReportFile(7, "pdf", *YEAR, ("novum", "finsam-team"), publish=True, sections=True, unit="tkr")
    params = json.loads(json.dumps(wanted.params()))
    assert params == {"association": 7, "exporter": "pdf", "date_from": "2024-01-01", "date_to": "2024-12-31",
                      "interventions": ["novum", "finsam-team"], "publish": True, "published": None,
                      "sections": True, "previous": False, "unit": "tkr"}
    assert ReportFile.from_params(params) == wanted
    published = ReportFile(7, "xlsx", published_id=3)
    assert ReportFile.from_params(published.params()) == published


@pytest.mark.parametrize("broken", [
    {}, {"exporter": "exe"}, {"date_from": "2024-13-01"}, {"association": "x"}, {"interventions": 5},
    {"date_from": None}, {"published": "x"}, {"unit": "mkr"},
])
def test_report_file_parameters_refuse_what_they_are_not(broken):
    params = {**ReportFile(7, "pdf", *YEAR).params(), **broken} if broken else {}
    with pytest.raises(ValueError):
        ReportFile.from_params(params)


def test_report_file_rechecks_the_rights_of_the_requester(world):
    alfa = world.alfa
    access = {name: Access.for_user(world.users[name], alfa) for name in ("admin", "manager", "reader", "outsider")}
    whole = ReportFile(alfa.pk, "pdf", *YEAR)
    own = ReportFile(alfa.pk, "pdf", *YEAR, ("aktivitet",))
    other = ReportFile(alfa.pk, "pdf", *YEAR, ("aktivitet", "team"))
    published = ReportFile(alfa.pk, "pdf", published_id=1)
    whole.check(access["admin"])
    own.check(access["manager"])
    published.check(access["reader"])
    for wanted, who in ((whole, "manager"), (other, "manager"), (whole, "reader"), (own, "reader"),
                        (whole, "outsider"), (published, "outsider")):
        with pytest.raises(PermissionDenied):
            wanted.check(access[who])
    with pytest.raises(PermissionDenied):  # an admin of another förbund, in their own förbund
        published.check(Access.for_user(world.users["outsider"], world.beta))
    # Rights are read when the file is made: a role taken away meanwhile is refused.
    world.assigned.assigned_users.clear()
    with pytest.raises(PermissionDenied):
        own.check(Access.for_user(world.users["manager"], alfa))


def test_report_file_renders_the_report_it_names(exempelstad, analyst):
    filename, content_type, content = ReportFile(exempelstad.pk, "json", *YEAR, ("novum",)).render(exempelstad)
    assert filename == "statistik-exempelstad-2024-01-01-2024-12-31.json" and content_type.startswith("application/json")
    assert json.loads(content)["filters"]["interventions"] == ["novum"]
    plain = {t["id"] for t in json.loads(content)["tables"]}
    _, _, content = ReportFile(exempelstad.pk, "json", *YEAR, ("novum", "ips-psykos"), sections=True,
                               previous=True).render(exempelstad)
    tables = {t["id"]: t for t in json.loads(content)["tables"]}
    assert "education:novum" in tables and plain < set(tables)
    assert "totalt_previous" in {c["key"] for c in tables["education"]["columns"]}


def test_the_command_takes_tables_by_family_or_id_and_refuses_unknown_ones(exempelstad):
    out = io.StringIO()
    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--tables", "flow, age", stdout=out)
    ids = [t["id"] for t in json.loads(out.getvalue())["tables"]]
    assert ids == [s.id for s in tables.specs() if s.family == "flow" or s.id == "age"] and "age" in ids
    with pytest.raises(CommandError, match="Okända tabeller.*inget"):
        call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                     "--tables", "flow,inget", stdout=io.StringIO())
