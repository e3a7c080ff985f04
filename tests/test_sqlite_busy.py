"""While another transaction holds the write lock (a 200 000-row import on SQLite holds it for a
minute or more), pages that only read still answer, and a request that must write answers a
Swedish 503 with Retry-After, having written nothing (core/busy.py, core/sessions.py).

The lock is held by a thread with its own connection, in the way each database allows: on SQLite
a transaction begun IMMEDIATE holds the one write lock of the whole database; PostgreSQL has no
such lock, so the holder locks every table IN EXCLUSIVE MODE, which like SQLite's lock lets
readers through and makes every writer wait. The user-visible outcome asked for is the same on
both. The test database is a file on SQLite (tests/conftest.py), so the thread shares it.
"""

import contextvars
import datetime
import threading
import time
from contextlib import contextmanager

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from finsam.audit.models import AccessLog
from finsam.core.middleware import SESSION_RENEWED_KEY
from finsam.jobs.models import Job, State
from finsam.participants.models import Participation
from tests.conftest import PASSWORD
from tests.test_participants import register_data, url

pytestmark = pytest.mark.django_db(transaction=True)

BUSY_TEXT = "Systemet är upptaget – försök igen om en minut"
NOTHING_SAVED = "Ingenting av det du skickade har sparats."


@pytest.fixture(autouse=True)
def short_lock_wait():
    """This thread's connection (the test client's) waits one second for a lock, not twenty."""
    if connection.vendor == "sqlite":
        statements = ("PRAGMA busy_timeout = 1000", "PRAGMA busy_timeout = 20000")
    else:
        statements = ("SET lock_timeout = '1s'", "RESET lock_timeout")
    with connection.cursor() as cursor:
        cursor.execute(statements[0])
    yield
    with connection.cursor() as cursor:
        cursor.execute(statements[1])


@contextmanager
def write_lock_held():
    """Another connection holds the write lock until the block ends."""
    held, release = threading.Event(), threading.Event()
    failure = []

    def hold():
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE on SQLite (settings.py)
                with connection.cursor() as cursor:
                    if connection.vendor == "postgresql":
                        tables = ", ".join(connection.ops.quote_name(t) for t in connection.introspection.table_names())
                        cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
                    else:
                        cursor.execute("UPDATE django_session SET expire_date = expire_date")  # a write, as an import's
                held.set()
                release.wait(timeout=60)
        except Exception as error:  # noqa: BLE001 - reported by the test
            failure.append(error)
            held.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=contextvars.copy_context().run, args=(hold,))
    thread.start()
    held.wait(timeout=30)
    assert not failure, failure
    try:
        yield
    finally:
        release.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def _due_for_renewal(client):
    session = client.session
    session[SESSION_RENEWED_KEY] = int(time.time()) - 61
    session.save()
    return Session.objects.get(session_key=session.session_key)


def test_a_read_only_page_due_for_session_renewal_is_shown_and_renewed_later(world, login):
    """Before: the renewal waited for the lock and Django answered 400 (SessionInterrupted)."""
    client = login(world.users["manager"])
    page = reverse("interventions:list", args=["alfa"])
    assert client.get(page).status_code == 200
    stored = _due_for_renewal(client)
    with write_lock_held():
        response = client.get(page)
        assert response.status_code == 200
        assert "Aktivitetsplatsen" in response.content.decode()
    # Not renewed while busy (the next request does it) ...
    assert Session.objects.get(session_key=stored.session_key).expire_date == stored.expire_date
    assert client.session[SESSION_RENEWED_KEY] < time.time() - 60
    # ... and the next request renews it.
    assert client.get(page).status_code == 200
    assert Session.objects.get(session_key=stored.session_key).expire_date > stored.expire_date
    assert client.session[SESSION_RENEWED_KEY] >= time.time() - 5


def test_the_first_page_after_login_is_shown_while_busy(world, client):
    """The first page after a login writes when the session started (absolute timeout): bookkeeping
    too, given way to the busy database like the renewal."""
    assert client.post(reverse("login"), {"username": "projektledare@alfa.se", "password": PASSWORD}).status_code == 302
    with write_lock_held():
        assert client.get(reverse("interventions:list", args=["alfa"])).status_code == 200
    assert client.get(reverse("interventions:list", args=["alfa"])).status_code == 200


def test_the_absolute_timeout_while_busy_shows_nothing_and_logs_out_later(world, login):
    """The logout at the absolute timeout deletes the session, a write in a middleware: while the
    database is busy the answer is the 503 page (handler500), not the page and not a 500."""
    from finsam.core.middleware import SESSION_STARTED_KEY

    client = login(world.users["manager"])
    page = reverse("interventions:list", args=["alfa"])
    assert client.get(page).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - 11 * 60 * 60
    session.save()
    client.raise_request_exception = False  # the error is handled by handler500, not by a view
    with write_lock_held():
        response = client.get(page)
    assert response.status_code == 503 and BUSY_TEXT in response.content.decode()
    assert "Aktivitetsplatsen" not in response.content.decode()
    response = client.get(page)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_registration_that_cannot_get_the_lock_answers_503_and_saves_nothing(world, login):
    client = login(world.users["manager"])
    participations, logged = Participation.objects.count(), AccessLog.objects.count()
    with write_lock_held():
        response = client.post(url("create", world), register_data())
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert BUSY_TEXT in page and NOTHING_SAVED in page and '<html lang="sv">' in page
    assert (Participation.objects.count(), AccessLog.objects.count()) == (participations, logged)
    # Sent again once the lock is gone: stored once.
    response = client.post(url("create", world), register_data())
    assert response.status_code == 302
    assert Participation.objects.filter(reference="AP-9").count() == 1


def test_a_page_whose_access_log_row_cannot_be_written_shows_no_participant_data(world, login):
    client = login(world.users["manager"])
    detail = url("detail", world, world.participation.pk)
    logged = AccessLog.objects.count()
    with write_lock_held():
        response = client.get(detail)
    assert response.status_code == 503
    page = response.content.decode()
    assert BUSY_TEXT in page and "Ingenting har ändrats." in page
    assert "A-1" not in page  # the participation's referens: nothing shown unlogged
    assert AccessLog.objects.count() == logged
    response = client.get(detail)
    assert response.status_code == 200 and "A-1" in response.content.decode()
    assert AccessLog.objects.filter(action="view", user=world.users["manager"]).count() == 1


def test_a_login_that_cannot_be_stored_answers_503(world, client):
    with write_lock_held():
        response = client.post(reverse("login"), {"username": "projektledare@alfa.se", "password": PASSWORD})
    assert response.status_code == 503 and BUSY_TEXT in response.content.decode()
    assert client.get(reverse("interventions:list", args=["alfa"])).status_code == 302  # not logged in
    assert client.post(reverse("login"), {"username": "projektledare@alfa.se", "password": PASSWORD}).status_code == 302


def test_the_progress_poll_answers_json_503_when_it_cannot_write(world, login, settings, tmp_path):
    """The poll writes only to fail a job whose worker died; if it cannot, it says so in JSON."""
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    job = Job.objects.create(association=world.alfa, kind="participant_export", requested_by=world.users["manager"],
                             state=State.RUNNING, started_at=long_ago, heartbeat_at=long_ago, worker="borta:1")
    client = login(world.users["manager"])
    status = reverse("jobs:status", args=["alfa", job.pk])
    with write_lock_held():
        response = client.get(status, headers={"Accept": "application/json"})
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json()["error"] == "busy"
    assert Job.objects.get(pk=job.pk).state == State.RUNNING
    assert client.get(status, headers={"Accept": "application/json"}).json()["state"] == State.FAILED


# --- a change and its access-log entry are one commit ------------------------------------------------

def _settings_change(world):
    return reverse("tenancy:settings", args=["alfa"]), {
        "name": "Samordningsförbundet Alfa", "organisationsnummer": "2220000000", "masking_threshold": 5,
        "retention_years": 5, "grade_acceptable_percent": 50, "privacy_model": "association",
        "pseudonymous_consent_required": "on", "legal_basis": "Styrelsebeslut om allmänt intresse",
        "legal_basis_decided_on": "2026-01-15"}


def _roles_change(world):
    path = reverse("tenancy:user_edit", args=["alfa", world.users["admin"].pk])
    return path, {"roles": ["admin", "participant_manager"]}


def _assignment_change(world):
    from finsam.tenancy.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=world.users["admin"], association=world.alfa, role=Role.PARTICIPANT_MANAGER)
    return reverse("interventions:edit", args=["alfa", world.assigned.slug]), {
        "name": world.assigned.name, "slug": world.assigned.slug, "kind": "individual", "status": "active",
        "start_date": "2024-01-01", "assigned_users": [world.users["manager"].pk, world.users["admin"].pk]}


def _state(world):
    world.alfa.refresh_from_db()
    return (world.alfa.privacy_model, sorted(world.users["admin"].role_assignments.values_list("role", flat=True)),
            sorted(world.assigned.assigned_users.values_list("pk", flat=True)))


@pytest.mark.parametrize("change", [_settings_change, _roles_change, _assignment_change])
def test_a_change_whose_access_log_entry_cannot_be_written_is_not_saved(world, login, monkeypatch, change):
    """The lock can be taken between a change's write and its log entry's: both are one commit, so
    the 503's "Ingenting ... har sparats" stays true and no change of who sees participants goes unlogged."""
    from django.db import OperationalError

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    path, data = change(world)
    before = _state(world)
    monkeypatch.setattr(AccessLog, "save", busy)
    response = login(world.users["admin"]).post(path, data)
    assert response.status_code == 503 and NOTHING_SAVED in response.content.decode()
    assert _state(world) == before
    monkeypatch.undo()
    assert login(world.users["admin"]).post(path, data).status_code == 302
    assert _state(world) != before


def test_a_changed_session_that_cannot_be_saved_after_the_view_answers_503_not_400(rf):
    """SessionMiddleware turns a failed save into SessionInterrupted (a 400) after the view has
    answered; when the cause is a busy database, handler400 gives the 503 page instead."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.exceptions import SessionInterrupted
    from django.db import OperationalError

    from finsam.core.views import bad_request

    try:
        try:
            try:
                raise OperationalError("database is locked")
            except OperationalError:
                raise UpdateError  # noqa: B904 - as django.contrib.sessions.backends.db does
        except UpdateError:
            raise SessionInterrupted("The request's session was deleted before the request completed.")
    except SessionInterrupted as interrupted:
        request = rf.post("/")
        request.user = AnonymousUser()
        response = bad_request(request, interrupted)
    assert response.status_code == 503 and BUSY_TEXT in response.content.decode()
