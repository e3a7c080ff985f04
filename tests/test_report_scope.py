"""A deltagaransvarig's report: their assigned insatser only, unmasked; no parameter or format
widens it to another insats or to the whole förbund. Publishing stays with admin and analyst."""

import json

import pytest
from django.urls import reverse

from finsam.reports.exporters import registry
from finsam.reports.forms import report_scope
from finsam.tenancy.permissions import Access

FORMATS = registry.identifiers()


def _get(client, **params):
    query = {"period": "custom", "date_from": "2024-01-01", "date_to": "2024-12-31", **params}
    return client.get(reverse("reports:report", args=["alfa"]), query)


def test_scope_of_each_role(world):
    assert report_scope(Access.for_user(world.users["admin"], world.alfa)) is None
    assert report_scope(Access.for_user(world.users["analyst"], world.alfa)) is None
    assert report_scope(Access.for_user(world.users["manager"], world.alfa)) == ["aktivitet"]


def test_manager_gets_the_report_of_their_insatser_unmasked(world, login):
    client = login(world.users["manager"])
    data = json.loads(_get(client, format="json").content)
    assert data["filters"]["interventions"] == ["aktivitet"]
    flow = next(t for t in data["tables"] if t["id"] == "flow")
    assert [r["key"] for r in flow["rows"]][0] == "aktivitet" and "team" not in [r["key"] for r in flow["rows"]]
    assert flow["cells"]["aktivitet"]["new_totalt"] == 1  # a small count, shown: their own participant
    assert not data["publication"]["masked"]
    html = _get(client).content.decode()
    assert 'value="team"' not in html and "FINSAM-team" not in html
    assert "Inget val = alla dina insatser." in html and "hela förbundet" not in html
    assert "Publicera den här rapporten" not in html


@pytest.mark.parametrize("file_format", [None] + FORMATS)
@pytest.mark.parametrize("interventions", [["team"], ["aktivitet", "team"], ["hemlig"], ["<x>"]])
def test_manager_cannot_get_another_insats(world, login, file_format, interventions):
    client = login(world.users["manager"])
    params = {"interventions": interventions}
    if file_format:
        params["format"] = file_format
    response = _get(client, **params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")  # the form again, no file
    html = response.content.decode()
    assert "Välj ett giltigt alternativ" in html
    assert 'id="h-flow"' not in html and "Deltagarflöden" not in html


@pytest.mark.parametrize("file_format", FORMATS)
def test_manager_without_insatser_gets_no_report(world, login, file_format):
    world.assigned.assigned_users.clear()
    client = login(world.users["manager"])
    response = _get(client, format=file_format)
    assert response["Content-Type"].startswith("text/html")
    assert "inte tilldelad någon insats" in response.content.decode()


def test_manager_cannot_publish(world, login):
    response = login(world.users["manager"]).post(reverse("reports:publish", args=["alfa"]), {
        "title": "X", "date_from": "2024-01-01", "date_to": "2024-12-31", "interventions": ["aktivitet"]})
    assert response.status_code == 403


def test_admin_still_gets_the_whole_forbund(world, login):
    data = json.loads(_get(login(world.users["admin"]), format="json").content)
    assert data["filters"]["interventions"] == []
    flow = next(t for t in data["tables"] if t["id"] == "flow")
    assert {"aktivitet", "team"} <= {r["key"] for r in flow["rows"]}
