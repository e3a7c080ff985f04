import datetime
import importlib
import os
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from finsam.core.middleware import SESSION_STARTED_KEY
from tests.conftest import PASSWORD

CONFIGURED = importlib.import_module("finsam.settings")


def test_argon2_is_the_configured_hasher(db, settings):
    settings.PASSWORD_HASHERS = CONFIGURED.PASSWORD_HASHERS
    assert CONFIGURED.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from finsam.tenancy.models import User

    user = User.objects.create_user("hash@test.se", password=PASSWORD)
    assert user.password.startswith("argon2$")


def test_login_works_and_rotates_the_session(world, client):
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    response = client.post(reverse("login"), {"username": "admin@alfa.se", "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)


def test_failed_logins_lock_the_account_for_that_address(world, client):
    for _ in range(CONFIGURED.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "admin@alfa.se", "password": "fel-lösenord"})
        assert response.status_code == 200
        assert "Fel användarnamn eller lösenord" in response.content.decode()
    # The failure that reaches the limit locks; after it even the right password is refused.
    response = client.post(reverse("login"), {"username": "admin@alfa.se", "password": "fel-lösenord"})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "admin@alfa.se", "password": PASSWORD})
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.content.decode()
    other_user = client.post(reverse("login"), {"username": "styrelse@alfa.se", "password": PASSWORD})
    assert other_user.status_code == 302


def test_security_headers_on_every_page(world, login):
    client = login(world.users["admin"])
    for url in ["/alfa/", "/alfa/insatser/", reverse("login")]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        for directive in ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]:
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in client.get("/alfa/")["Cache-Control"]


def test_logout_ends_the_session(world, client):
    client.post(reverse("login"), {"username": "admin@alfa.se", "password": PASSWORD})
    assert client.get("/alfa/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/alfa/").status_code == 302


def test_absolute_session_timeout(world, login):
    client = login(world.users["admin"])
    assert client.get("/alfa/").status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - CONFIGURED.FINSAM_SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/alfa/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_idle_timeout_is_short():
    assert CONFIGURED.SESSION_COOKIE_AGE <= 30 * 60


def test_idle_session_ends_and_activity_renews_it(world, login):
    """30 minutes without a request end the session; a request renews it, at most once a minute
    (core.middleware), so that ordinary requests write nothing to the session table."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from finsam.core.middleware import SESSION_RENEWED_KEY

    client = login(world.users["admin"])
    assert client.get("/alfa/").status_code == 200
    key = client.session.session_key

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    first = expiry()
    assert client.get("/alfa/").status_code == 200
    assert expiry() == first  # renewed less than a minute ago: not written again
    session = client.session
    session[SESSION_RENEWED_KEY] = int(time.time()) - 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get("/alfa/").status_code == 200
    assert expiry() > timezone.now() + datetime.timedelta(minutes=29)  # renewed for the full idle time
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/alfa/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _run_cli(args, env_overrides, tmp_path):
    dropped = ("DATABASE_URL", "SECRET_KEY", "FINSAM_PERSON_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"FINSAM_VAR_DIR": str(tmp_path)}, **env_overrides)
    return subprocess.run([sys.executable, "-m", "finsam.cli", *args], capture_output=True, text=True, env=env)


PRODUCTION_ENV = {
    "FINSAM_ENV": "production",
    "SECRET_KEY": "x7Q2v9Lr8KpN3tWz6YbHc1JmDf5Gs4AeUo0RiTyEnPqMkXlVaZ",
    "FINSAM_PERSON_KEY": "k3Y7pQ9wZ2rT5vX8bN1mL4jH6gF0dS",
    "ALLOWED_HOSTS": "finsam.example.se",
}


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}
    result = _run_cli(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FINSAM_PERSON_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without(tmp_path, missing):
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}
    env.pop(missing)
    result = _run_cli(["check"], env, tmp_path)
    assert result.returncode != 0
    assert missing in result.stderr


def test_development_generates_and_keeps_its_secret(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}
    assert _run_cli(["check"], env, tmp_path).returncode == 0
    first = (tmp_path / "secret_key").read_text()
    assert len(first) >= 50
    assert _run_cli(["check"], env, tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_demo_refuses_production(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}
    result = _run_cli(["demo"], env, tmp_path)
    assert result.returncode != 0 and "produktion" in result.stderr
