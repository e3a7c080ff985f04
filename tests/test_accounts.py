"""Accounts (issue 9, class 5): changing one's password, the change forced after an
administrator chose it, and creating users without learning about other förbund."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from finsam.tenancy import forms as tenancy_forms
from finsam.tenancy import services
from finsam.tenancy.forms import USERNAME_TAKEN
from finsam.tenancy.models import RoleAssignment, User
from tests.conftest import PASSWORD

CHANGE_URL = reverse("tenancy:password_change")
NEW_PASSWORD = "Ett-helt-annat-lösenord-2026"


def sign_in(username, password=PASSWORD):
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "login failed"
    return client


def change(client, old, new, confirmation=None):
    return client.post(
        CHANGE_URL, {"old_password": old, "new_password1": new, "new_password2": confirmation or new}
    )


def test_account_menu_links_to_the_password_change(world, login):
    html = login(world.users["reader"]).get("/alfa/").content.decode()
    assert f'href="{CHANGE_URL}"' in html


def test_changing_the_password_keeps_this_session_and_ends_the_others(world):
    here = sign_in("styrelse@alfa.se")
    elsewhere = sign_in("styrelse@alfa.se")
    page = here.get(CHANGE_URL)
    assert page.status_code == 200
    assert "Gammalt lösenord" in page.content.decode()
    response = change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    user = User.objects.get(username="styrelse@alfa.se")
    assert user.check_password(NEW_PASSWORD)
    followed = here.get("/alfa/")
    assert followed.status_code == 200
    assert "Ditt lösenord är bytt" in followed.content.decode()
    # The other browser's session was opened with the old password: it is over.
    other = elsewhere.get("/alfa/")
    assert other.status_code == 302 and other.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "old, new, confirmation, message",
    [
        ("fel-lösenord-helt-enkelt", NEW_PASSWORD, None, "Ditt gamla lösenord var felaktigt ifyllt"),
        (PASSWORD, "kort-1", None, "minst 12 tecken"),
        (PASSWORD, "123456789012345", None, "enbart numeriskt"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "De två lösenordsfälten stämmer inte överens"),
        (PASSWORD, PASSWORD, None, "måste skilja sig från det nuvarande"),
    ],
)
def test_a_refused_password_change_says_why_next_to_the_field(world, old, new, confirmation, message):
    client = sign_in("styrelse@alfa.se")
    response = change(client, old, new, confirmation)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert User.objects.get(username="styrelse@alfa.se").check_password(PASSWORD)


def test_wrong_old_passwords_are_locked_out_like_failed_logins(world, settings):
    """Whoever finds a session left open cannot try passwords at the change form freely."""
    client = sign_in("styrelse@alfa.se")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = change(client, "gissat-lösenord-igen", NEW_PASSWORD)
        assert response.status_code == 200 and "Ditt gamla lösenord var felaktigt ifyllt" in response.content.decode()
    assert change(client, "gissat-lösenord-igen", NEW_PASSWORD).status_code == 429
    assert change(client, PASSWORD, NEW_PASSWORD).status_code == 429
    assert User.objects.get(username="styrelse@alfa.se").check_password(PASSWORD)


def test_password_change_needs_a_login(world, client):
    response = client.get(CHANGE_URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _create(client, username, **extra):
    data = {"username": username, "password": "Ett-nytt-bra-startlösenord-7", "roles": ["reader"], **extra}
    return client.post(reverse("tenancy:user_create", args=["alfa"]), data)


def test_a_user_created_by_an_administrator_must_change_the_password_first(world, login):
    admin = login(world.users["admin"])
    assert _create(admin, "ny@alfa.se").status_code == 302
    assert User.objects.get(username="ny@alfa.se").must_change_password

    client = sign_in("ny@alfa.se", "Ett-nytt-bra-startlösenord-7")
    for url in ["/", "/alfa/", "/alfa/rapporter/", "/system/forbund/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url == CHANGE_URL, url
    posted = client.post("/alfa/anvandare/ny/", {"username": "x"})
    assert posted.status_code == 302 and posted.url == CHANGE_URL
    page = client.get(CHANGE_URL)
    assert page.status_code == 200
    assert "valts av en administratör" in page.content.decode()

    response = change(client, "Ett-nytt-bra-startlösenord-7", NEW_PASSWORD)
    assert response.status_code == 302
    user = User.objects.get(username="ny@alfa.se")
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert client.get("/alfa/").status_code == 200


def test_logout_stays_reachable_while_the_change_is_due(world):
    user = world.users["reader"]
    user.must_change_password = True
    user.save()
    client = sign_in(user.username)
    assert client.get("/alfa/").url == CHANGE_URL
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get("/alfa/").url.startswith(reverse("login"))


def test_the_first_administrator_of_a_new_association_must_change_the_password(world, login):
    client = login(world.users["sysadmin"])
    client.post(
        reverse("tenancy:system_association_create"),
        {"slug": "gamma", "name": "Samordningsförbundet Gamma", "admin_username": "chef@gamma.se",
         "admin_password": "Gamma-chefens-losenord-1"},
    )
    assert User.objects.get(username="chef@gamma.se").must_change_password


def test_demo_accounts_sign_in_without_a_forced_change(db):
    from finsam.demo.management.commands.demo import DEMO_PASSWORD, DEMO_USERS

    call_command("demo", quiet=True)
    for username, *_ in DEMO_USERS:
        assert not User.objects.get(username=username).must_change_password
        client = sign_in(username, DEMO_PASSWORD)
        assert client.get("/exempelstad/").status_code == 200


def _error_of(response):
    html = response.content.decode()
    assert response.status_code == 200
    start = html.index('id="id_username_error"')
    return html[start : html.index("</div>", start)]


@pytest.mark.parametrize(
    "holder",
    ["outsider", "outsider-other-case", "sysadmin", "nobody", "reader"],
)
def test_a_taken_user_name_gets_the_same_answer_whoever_holds_it(world, login, holder):
    """An administrator cannot attach, or learn of, an account outside their förbund: the
    answer for a name held in another förbund, by the systemadministratör, by nobody's role or
    by a colleague here is one and the same, and nothing of the account is shown."""
    username = {
        "outsider": "admin@beta.se",
        "outsider-other-case": "Admin@Beta.se",
        "sysadmin": "system@finsam.local",
        "nobody": "ingen@roll.se",
        "reader": "styrelse@alfa.se",
    }[holder]
    existing = User.objects.get(username__iexact=username)
    existing.first_name, existing.email = "Hemlig", "hemlig@beta.se"
    existing.save()
    roles_before = set(RoleAssignment.objects.values_list("user", "association", "role"))

    response = _create(login(world.users["admin"]), username, first_name="Vera")

    error = _error_of(response)
    assert USERNAME_TAKEN in error
    html = response.content.decode()
    assert "Hemlig" not in html and "hemlig@beta.se" not in html
    assert 'value="Vera"' in html
    assert set(RoleAssignment.objects.values_list("user", "association", "role")) == roles_before
    assert User.objects.filter(username__iexact=username).count() == 1


def test_the_answer_does_not_depend_on_where_the_name_is_held(world, login):
    client = login(world.users["admin"])
    here = _error_of(_create(client, "styrelse@alfa.se"))
    elsewhere = _error_of(_create(client, "admin@beta.se"))
    assert here == elsewhere


def test_a_name_taken_between_the_check_and_the_insert_gets_the_same_answer(world, login, monkeypatch):
    """Two administrators creating the same name at once: the loser gets the message, not a 500."""
    monkeypatch.setattr(tenancy_forms, "username_taken", lambda username: False)
    monkeypatch.setattr(services, "username_taken", lambda username: False)
    response = _create(login(world.users["admin"]), "admin@beta.se")
    assert USERNAME_TAKEN in _error_of(response)
    assert not RoleAssignment.objects.filter(user=world.users["outsider"], association=world.alfa).exists()
