import datetime
import importlib
import os
import stat
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
    "FINSAM_PERSON_KEY": "gdTXC9Ex6EsQCITOLDDMidNWT8JMCerywRX1ds-tGY3iPwOHExQB-u5tso1PzWNG_UQ",
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


@pytest.mark.parametrize(
    "overrides, check_id, named",
    [
        ({"FINSAM_PERSON_KEY": "x"}, "finsam.E001", "FINSAM_PERSON_KEY"),
        ({"FINSAM_PERSON_KEY": "a" * 64}, "finsam.E001", "FINSAM_PERSON_KEY"),
        ({"FINSAM_PERSON_KEY": "Finsam2026!" * 4}, "finsam.E001", "FINSAM_PERSON_KEY"),
        ({"FINSAM_PERSON_KEY": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}, "finsam.E001",
         "FINSAM_PERSON_KEY"),
        ({"FINSAM_PERSON_KEY_PREVIOUS": "gammal-nyckel"}, "finsam.E002", "FINSAM_PERSON_KEY_PREVIOUS"),
        # Long and varied enough for Django's own check, but one word repeated.
        ({"SECRET_KEY": "Exempelstad" * 5}, "finsam.E003", "SECRET_KEY"),
        ({"FINSAM_PERSON_KEY": PRODUCTION_ENV["SECRET_KEY"]}, "finsam.E004", "FINSAM_PERSON_KEY"),
        ({"ALLOWED_HOSTS": "*"}, "finsam.E005", "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "finsam.example.se,.example.se"}, "finsam.E005", "ALLOWED_HOSTS"),
    ],
)
def test_check_deploy_refuses_weak_keys_and_wildcard_hosts(tmp_path, overrides, check_id, named):
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", **overrides}
    result = _run_cli(["check", "--deploy"], env, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert check_id in output and named in output


def test_a_new_sqlite_database_and_var_directory_are_private(tmp_path):
    """Created by the settings before SQLite would create the file readable by everyone."""
    var = tmp_path / "var"
    previous = os.umask(0o022)
    try:
        assert _run_cli(["check"], {"FINSAM_VAR_DIR": str(var)}, tmp_path).returncode == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "finsam.sqlite3").stat().st_mode) == 0o600


def test_sqlite_database_files_are_private_once_connected(tmp_path, django_db_blocker):
    """Also a file made some other way, and its -wal and -shm files (a WAL database)."""
    from django.db.utils import ConnectionHandler

    name = tmp_path / "other.sqlite3"
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(name),
                     "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"}}}
    )
    previous = os.umask(0o022)
    connection = handler["default"]
    try:
        name.touch()
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x integer)")
            cursor.execute("INSERT INTO t VALUES (1)")
            modes = {s: stat.S_IMODE(os.stat(f"{name}{s}").st_mode) for s in ("", "-wal", "-shm")}
    finally:
        connection.close()
        os.umask(previous)
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_the_database_refuses_to_change_the_access_log(world):
    """PostgreSQL: a trigger refuses UPDATE and DELETE even in raw SQL (audit migration 0002).
    SQLite has no such trigger; there the model and its queryset are what refuse."""
    from django.db import DatabaseError, connection, transaction

    from finsam.audit.log import log_access
    from finsam.audit.models import AccessLog, AppendOnlyError

    entry = log_access(world.users["admin"], world.alfa, "view", subject="deltagare A-1", row_count=1)
    if connection.vendor == "postgresql":
        for sql in ("UPDATE audit_accesslog SET action = %s", "DELETE FROM audit_accesslog WHERE action <> %s"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, ["ändrad"])
    else:
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.filter(pk=entry.pk).update(action="ändrad")
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.filter(pk=entry.pk).delete()
    assert AccessLog.objects.get(pk=entry.pk).action == "view"


def test_demo_refuses_production(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}
    result = _run_cli(["demo"], env, tmp_path)
    assert result.returncode != 0 and "produktion" in result.stderr
