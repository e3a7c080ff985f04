"""Every URL, every role: who gets the page, who gets 403, who gets 404.

The expectations are written out here, independently of ``permissions.CAPABILITIES``; a new
route without a row in ROUTES fails ``test_every_route_is_in_the_matrix``.
"""

import datetime

import pytest
from django.urls import get_resolver, reverse

ALL = {"admin", "analyst", "manager", "reader"}
ADMIN = {"admin"}
PARTICIPANT_READERS = {"admin", "analyst", "manager"}
REGISTRARS = {"admin", "manager"}
SYSTEM = "system"
PUBLIC = "public"
SIGNED_IN = "signed_in"  # every signed-in user, whatever their roles
OPEN = "open"  # every visitor, signed in or not (the user guide)

# name -> (url kwargs builder, method, roles that get the page)
ROUTES = {
    "tenancy:dashboard": (lambda w: {}, "get", ALL),
    "tenancy:settings": (lambda w: {}, "get", ADMIN),
    "tenancy:members": (lambda w: {}, "get", ADMIN),
    "tenancy:member_create": (lambda w: {}, "get", ADMIN),
    "tenancy:member_edit": (lambda w: {"member_id": w.alfa_member.pk}, "get", ADMIN),
    "tenancy:member_delete": (lambda w: {"member_id": w.alfa_member.pk}, "post", ADMIN),
    "tenancy:users": (lambda w: {}, "get", ADMIN),
    "tenancy:user_create": (lambda w: {}, "get", ADMIN),
    "tenancy:user_edit": (lambda w: {"user_id": w.users["reader"].pk}, "get", ADMIN),
    "interventions:list": (lambda w: {}, "get", ALL),
    "interventions:create": (lambda w: {}, "get", ADMIN),
    "interventions:target_groups": (lambda w: {}, "get", ADMIN),
    "interventions:detail": (lambda w: {"intervention_slug": w.assigned.slug}, "get", ALL),
    "interventions:edit": (lambda w: {"intervention_slug": w.assigned.slug}, "get", ADMIN),
    "interventions:goal_create": (lambda w: {"intervention_slug": w.assigned.slug}, "get", ADMIN),
    "interventions:goal_edit": (lambda w: {"intervention_slug": w.assigned.slug, "goal_id": _goal(w).pk}, "get", ADMIN),
    "interventions:goal_delete": (lambda w: {"intervention_slug": w.assigned.slug, "goal_id": _goal(w).pk}, "post", ADMIN),
    "interventions:association_file": (lambda w: {}, "get", ADMIN),
    "interventions:association_file_download": (lambda w: {}, "get", ADMIN),
    "participants:list": (lambda w: {"intervention_slug": w.assigned.slug}, "get", PARTICIPANT_READERS),
    "participants:create": (lambda w: {"intervention_slug": w.assigned.slug}, "get", REGISTRARS),
    "participants:detail": (lambda w: _p(w), "get", PARTICIPANT_READERS),
    "participants:edit": (lambda w: _p(w), "get", REGISTRARS),
    "participants:exit": (lambda w: _p(w), "get", REGISTRARS),
    "participants:withdraw_consent": (lambda w: _p(w), "get", REGISTRARS),
    "participants:mark_mistaken": (lambda w: _p(w), "get", REGISTRARS),
    "participants:reopen": (lambda w: _p(w), "get", REGISTRARS),
    "participants:delete": (lambda w: _p(w), "get", REGISTRARS),
    "participants:volumes": (lambda w: {"intervention_slug": w.assigned.slug}, "get", PARTICIPANT_READERS),
    "participants:import": (lambda w: {}, "get", REGISTRARS),
    "participants:template": (lambda w: {}, "get", REGISTRARS),
    "participants:export": (lambda w: {}, "get", {"admin", "analyst"}),
    "participants:consent_create": (lambda w: {"intervention_slug": w.assigned.slug}, "post", REGISTRARS),
    "participants:consent_status": (lambda w: {"intervention_slug": w.assigned.slug, "pk": _consent(w).pk}, "get", REGISTRARS),
    # The participant's own page: no login; an unknown token is a 404 for everyone.
    "participants:consent_answer": (lambda w: {"token": "okand-token"}, "get", PUBLIC),
    "audit:access_log": (lambda w: {}, "get", ADMIN),
    # Live reports only for the roles that may see small counts; läsare read published reports.
    # A deltagaransvarig gets the report of their assigned insatser only (tests/test_report_scope.py).
    "reports:report": (lambda w: {}, "get", PARTICIPANT_READERS),
    "reports:publish": (lambda w: {}, "post", {"admin", "analyst"}),
    "reports:published_list": (lambda w: {}, "get", ALL),
    "reports:published_detail": (lambda w: {"report_id": _published(w).pk}, "get", ALL),
    "tenancy:system_associations": (lambda w: {}, "get", SYSTEM),
    "tenancy:system_association_create": (lambda w: {}, "get", SYSTEM),
    "interventions:system_association_file": (lambda w: {}, "get", SYSTEM),
    "tenancy:password_change": (lambda w: {}, "get", SIGNED_IN),
    "help": (lambda w: {}, "get", OPEN),
}


def _p(world):
    return {"intervention_slug": world.assigned.slug, "pk": world.participation.pk}


ROLES = ["admin", "analyst", "manager", "reader", "outsider", "sysadmin", "nobody"]


def _goal(world):
    from finsam.interventions.models import Goal

    return Goal.objects.get_or_create(intervention=world.assigned, year=2024, metric="new_count", defaults={"target": 10})[0]


def _published(world):
    from finsam.reports.publishing import publish_report

    existing = world.alfa.published_reports.first()
    return existing or publish_report(world.alfa, date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 12, 31),
                                      interventions=[], title="Årsrapport 2024", user=world.users["analyst"])


# A valid POST for routes that answer an invalid one with the form again.
POST_DATA = {
    "reports:publish": lambda w: {"title": "Halvår 2024", "date_from": "2024-01-01", "date_to": "2024-06-30"},
}


def _consent(world):
    from finsam.participants.consent import create_request

    return create_request(world.assigned, world.users["admin"])[0]


def _url(world, name, kwargs):
    if ROUTES[name][2] in (SYSTEM, PUBLIC, SIGNED_IN, OPEN):
        return reverse(name, kwargs=kwargs)
    return reverse(name, kwargs={"association_slug": world.alfa.slug, **kwargs})


def _expected(name, role):
    allowed = ROUTES[name][2]
    if allowed == PUBLIC:
        return 404
    if allowed in (SIGNED_IN, OPEN):
        return 200
    if allowed == SYSTEM:
        return 200 if role == "sysadmin" else 404
    if role in allowed:
        return 302 if ROUTES[name][1] == "post" else 200
    if role in ALL:
        return 403
    return 404  # outsider, system admin without a role, user without roles


def test_every_route_is_in_the_matrix():
    named = set()
    for ns in ("tenancy", "interventions", "participants", "audit", "reports"):
        resolver = get_resolver().namespace_dict[ns][1]
        named |= {f"{ns}:{p.name}" for p in resolver.url_patterns}
    namespaced = {n for n in ROUTES if ":" in n}
    assert named == namespaced, f"Routes without access expectations: {named - namespaced}"


@pytest.mark.parametrize("name", sorted(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(world, client, name, role):
    builder, method, _ = ROUTES[name]
    client.force_login(world.users[role])
    url = _url(world, name, builder(world))
    data = POST_DATA[name](world) if name in POST_DATA else {}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == _expected(name, role), url


@pytest.mark.parametrize("name", sorted(n for n in ROUTES if ROUTES[n][2] not in (PUBLIC, OPEN)))
def test_anonymous_is_sent_to_login(world, client, name):
    builder, method, _ = ROUTES[name]
    response = getattr(client, method)(_url(world, name, builder(world)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unknown_association_is_404(world, login):
    assert login(world.users["admin"]).get("/finns-inte/").status_code == 404


@pytest.mark.parametrize("role", ["admin", "analyst", "reader", "manager"])
def test_another_associations_objects_are_404(world, login, role):
    client = login(world.users[role])
    slug = world.alfa.slug
    assert client.get(reverse("interventions:detail", args=[slug, world.beta_intervention.slug])).status_code == 404
    if role == "admin":
        assert client.get(reverse("interventions:edit", args=[slug, world.beta_intervention.slug])).status_code == 404
        assert client.get(reverse("tenancy:member_edit", args=[slug, world.beta_member.pk])).status_code == 404
        assert client.post(reverse("tenancy:member_delete", args=[slug, world.beta_member.pk])).status_code == 404
        assert client.get(reverse("tenancy:user_edit", args=[slug, world.users["outsider"].pk])).status_code == 404


@pytest.mark.parametrize("name", ["list", "create", "volumes"])
def test_manager_cannot_reach_participants_of_unassigned_interventions(world, login, name):
    client = login(world.users["manager"])
    assert client.get(reverse(f"participants:{name}", args=["alfa", world.unassigned.slug])).status_code == 404


@pytest.mark.parametrize("name", ["detail", "edit", "exit"])
def test_participations_outside_reach_are_404(world, login, name):
    manager = login(world.users["manager"])
    other = world.unassigned_participation
    assert manager.get(reverse(f"participants:{name}", args=["alfa", other.intervention.slug, other.pk])).status_code == 404
    # Another förbund's participation, even under this förbund's own insats and URL.
    admin = login(world.users["admin"])
    beta = world.beta_participation
    assert admin.get(reverse(f"participants:{name}", args=["alfa", world.assigned.slug, beta.pk])).status_code == 404
    assert admin.get(reverse(f"participants:{name}", args=["alfa", beta.intervention.slug, beta.pk])).status_code == 404


def test_manager_reaches_only_assigned_interventions(world, login):
    client = login(world.users["manager"])
    detail = reverse("interventions:detail", args=[world.alfa.slug, world.unassigned.slug])
    assert client.get(detail).status_code == 404
    listing = client.get(reverse("interventions:list", args=[world.alfa.slug])).content.decode()
    assert world.assigned.name in listing
    assert world.unassigned.name not in listing


def test_inactive_user_is_logged_out(world, login):
    client = login(world.users["admin"])
    world.users["admin"].is_active = False
    world.users["admin"].save()
    response = client.get(reverse("tenancy:dashboard", args=[world.alfa.slug]))
    assert response.status_code == 302
