"""What the administrator does in the browser, at the HTTP level: forms validate on the server,
answer in Swedish next to the field, and keep what the user typed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finsam.interventions.models import Intervention, TargetGroup
from finsam.tenancy.models import Member, Role, RoleAssignment, User


def test_create_intervention(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("interventions:create", args=["alfa"]),
        {
            "name": "Unga till arbete",
            "slug": "unga",
            "kind": "individual",
            "status": "active",
            "start_date": "2025-01-01",
            "target_groups": ["unga_vuxna"],
            "owner_member": world.alfa_member.pk,
            "assigned_users": [world.users["manager"].pk],
        },
    )
    assert response.status_code == 302
    created = Intervention.objects.get(association=world.alfa, slug="unga")
    assert created.target_groups == ["unga_vuxna"]
    assert list(created.assigned_users.all()) == [world.users["manager"]]


def test_invalid_intervention_keeps_input_and_explains(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("interventions:create", args=["alfa"]),
        {
            "name": "Mitt nya projekt",
            "slug": "aktivitet",  # taken
            "kind": "individual",
            "status": "active",
            "start_date": "2025-06-01",
            "end_date": "2025-01-01",
            "description": "Text som inte får försvinna",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Det finns redan en insats med det kortnamnet i förbundet." in html
    assert "Slutdatum kan inte vara före startdatum." in html
    assert 'value="Mitt nya projekt"' in html
    assert "Text som inte får försvinna" in html
    assert 'aria-invalid="true"' in html
    assert Intervention.objects.filter(association=world.alfa).count() == 2


def test_same_intervention_slug_in_another_association_is_fine(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("interventions:create", args=["alfa"]),
        {"name": "Hemlig", "slug": world.beta_intervention.slug, "kind": "structural", "status": "planned",
         "start_date": "2025-01-01"},
    )
    assert response.status_code == 302


def test_owner_must_be_a_member_of_the_association(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("interventions:edit", args=["alfa", "aktivitet"]),
        {"name": "Aktivitetsplatsen", "slug": "aktivitet", "kind": "individual", "status": "active",
         "start_date": "2024-01-01", "owner_member": world.beta_member.pk},
    )
    assert response.status_code == 200
    assert world.assigned.__class__.objects.get(pk=world.assigned.pk).owner_member is None


def test_own_target_group_becomes_a_choice(world, login):
    client = login(world.users["admin"])
    client.post(reverse("interventions:target_groups", args=["alfa"]), {"code": "foraldrar", "label": "Föräldralediga"})
    assert TargetGroup.objects.filter(association=world.alfa, code="foraldrar").exists()
    form_html = client.get(reverse("interventions:create", args=["alfa"])).content.decode()
    assert "Föräldralediga" in form_html
    response = client.post(reverse("interventions:target_groups", args=["alfa"]), {"code": "vuxna", "label": "X"})
    assert "Koden finns redan i den nationella kodlistan." in response.content.decode()


def test_edit_association_settings(world, login):
    client = login(world.users["admin"])
    url = reverse("tenancy:settings", args=["alfa"])
    response = client.post(url, {"name": "Alfa förbund", "organisationsnummer": "2220000000", "masking_threshold": 5,
                                  "retention_years": 5, "grade_acceptable_percent": 50,
                                  "privacy_model": "members"})
    assert response.status_code == 302
    world.alfa.refresh_from_db()
    assert world.alfa.organisationsnummer == "222000-0000"
    response = client.post(url, {"name": "Alfa förbund", "organisationsnummer": "222000-0001", "masking_threshold": 5,
                                  "retention_years": 5, "grade_acceptable_percent": 50, "privacy_model": "members"})
    assert "Ogiltigt organisationsnummer" in response.content.decode()


def test_add_municipality_member(world, login):
    client = login(world.users["admin"])
    url = reverse("tenancy:member_create", args=["alfa"])
    response = client.post(url, {"kind": "kommun", "municipality_code": "0127", "name": "Botkyrka kommun"})
    assert response.status_code == 302
    assert Member.objects.get(association=world.alfa, kind="kommun").code == "kommun:0127"
    response = client.post(url, {"kind": "kommun", "municipality_code": "0127", "name": "Botkyrka igen"})
    assert "Den medlemmen finns redan i förbundet." in response.content.decode()
    response = client.post(url, {"kind": "kommun", "municipality_code": "9999", "name": "Fel"})
    html = response.content.decode()
    assert "fyrsiffriga kommunkod" in html and 'value="Fel"' in html


def test_member_owning_interventions_cannot_be_deleted(world, login):
    world.assigned.owner_member = world.alfa_member
    world.assigned.save()
    client = login(world.users["admin"])
    response = client.post(reverse("tenancy:member_delete", args=["alfa", world.alfa_member.pk]), follow=True)
    assert "äger insatser" in response.content.decode()
    assert Member.objects.filter(pk=world.alfa_member.pk).exists()


def test_add_new_user_with_roles(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("tenancy:user_create", args=["alfa"]),
        {"username": "ny@alfa.se", "password": "Ett-nytt-bra-losenord-7", "roles": ["analyst", "reader"]},
    )
    assert response.status_code == 302
    user = User.objects.get(username="ny@alfa.se")
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {"analyst", "reader"}
    assert user.check_password("Ett-nytt-bra-losenord-7")


def test_weak_password_is_refused_and_input_kept(world, login):
    client = login(world.users["admin"])
    response = client.post(
        reverse("tenancy:user_create", args=["alfa"]),
        {"username": "svag@alfa.se", "first_name": "Vera", "password": "password123", "roles": ["reader"]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lösenordet är för kort" in html or "för vanligt" in html
    assert 'value="Vera"' in html
    assert not User.objects.filter(username="svag@alfa.se").exists()


def test_last_administrator_cannot_be_removed(world, login):
    admin = world.users["admin"]
    client = login(admin)
    response = client.post(reverse("tenancy:user_edit", args=["alfa", admin.pk]), {"roles": ["reader"]})
    assert "minst en förbundsadministratör" in response.content.decode()
    assert RoleAssignment.objects.filter(user=admin, association=world.alfa, role=Role.ADMIN).exists()


def test_removing_all_roles_removes_user_and_assignments(world, login):
    client = login(world.users["admin"])
    manager = world.users["manager"]
    response = client.post(reverse("tenancy:user_edit", args=["alfa", manager.pk]), {})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=manager, association=world.alfa).exists()
    assert not manager.assigned_interventions.exists()
    assert client.get(reverse("tenancy:user_edit", args=["alfa", manager.pk])).status_code == 404


def test_system_admin_creates_association_with_first_admin(world, login):
    client = login(world.users["sysadmin"])
    response = client.post(
        reverse("tenancy:system_association_create"),
        {"slug": "gamma", "name": "Samordningsförbundet Gamma", "organisationsnummer": "",
         "admin_username": "chef@gamma.se", "admin_password": "Gamma-chefens-losenord-1"},
    )
    assert response.status_code == 302
    chef = User.objects.get(username="chef@gamma.se")
    assert RoleAssignment.objects.filter(user=chef, association__slug="gamma", role=Role.ADMIN).exists()
    # The system admin holds no role in it, and so does not see it.
    assert client.get(reverse("reports:overview", args=["gamma"])).status_code == 404


@pytest.mark.parametrize("slug", ["system", "konto", "static"])
def test_reserved_association_slugs(world, login, slug):
    client = login(world.users["sysadmin"])
    response = client.post(
        reverse("tenancy:system_association_create"),
        {"slug": slug, "name": "X", "admin_username": "admin@alfa.se"},
    )
    assert "reserverat" in response.content.decode()


def test_home_redirects_to_the_only_association(world, login):
    response = login(world.users["reader"]).get("/")
    assert response.status_code == 302 and response.url == "/alfa/"


def test_home_lists_several_associations(world, login):
    reader = world.users["reader"]
    RoleAssignment.objects.create(user=reader, association=world.beta, role=Role.READER)
    html = login(reader).get("/").content.decode()
    assert "Samordningsförbundet Alfa" in html and "Samordningsförbundet Beta" in html


def test_reader_dashboard_hides_admin_links(world, login):
    html = login(world.users["reader"]).get("/alfa/").content.decode()
    assert reverse("tenancy:users", args=["alfa"]) not in html
    assert "Läsare" in html or "läsare" in html


def test_the_intervention_page_lists_its_goals_from_the_plan(world, login):
    """The plan is the only store of insats goals: the insats page lists the indicators of goals
    about the insats, with a link to change each on the plan's pages for those who may (administratör,
    analytiker: manage_plans); others see the goals without it."""
    from finsam.interventions import urls
    from finsam.plans.legacy import write_goal

    indicator, _ = write_goal(world.assigned, 2025, "share_work_or_study", 0.4, label="Andel till arbete eller studier")
    page = reverse("interventions:detail", args=["alfa", "aktivitet"])
    edit = reverse("plans:indicator_edit", args=["alfa", indicator.goal.focus_area.plan_id, indicator.pk])
    for role in ("admin", "analyst"):
        html = login(world.users[role]).get(page).content.decode()
        assert "Andel till arbete eller studier" in html and "Minst 40\u00a0%" in html and "Verksamhetsplan 2025" in html
        assert edit in html and reverse("plans:list", args=["alfa"]) in html
    html = login(world.users["reader"]).get(page).content.decode()
    assert "Minst 40\u00a0%" in html and edit not in html
    # no goal form of its own any more
    assert "mal/nytt" not in html and not [p for p in urls.urlpatterns if p.name.startswith("goal")]
