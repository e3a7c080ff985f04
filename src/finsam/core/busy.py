"""A database too busy to write: how it is recognised, how long a writer waits, and what the user sees.

On SQLite one transaction holds the whole database's write lock; a 200 000-row import holds it for
a minute or more (docs/performance.md). Any other write waits FINSAM_LOCK_WAIT_SECONDS (settings.py:
SQLite's busy timeout, PostgreSQL's lock_timeout) and then fails with an OperationalError. Such a
failure is not a bug of the request: the request's own transaction has rolled back (a write that
cannot start writes nothing), so the answer is a Swedish 503 with Retry-After, never a 500.
Reads are never blocked (WAL on SQLite, MVCC on PostgreSQL); a page that must log its reading
(finsam.audit.log) fails with the 503 before it shows anything. The session's idle-timeout
renewal gives way instead (core/sessions.py). docs/decisions.md, "SQLite while a large import writes".
"""

import logging
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.http import JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # primary result codes (extended codes keep them in the low byte)
POSTGRESQL_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout or NOWAIT

MESSAGE = ("Just nu sparas en stor mängd uppgifter på en gång, till exempel en stor deltagarfil som läses in. "
           "Under tiden kunde det du bad om inte göras.")
NOTHING_SAVED_POST = ("Ingenting av det du skickade har sparats. Vänta en minut och ladda sedan om sidan; webbläsaren "
                      "frågar om uppgifterna ska skickas igen – svara ja. Du kan också gå tillbaka och skicka "
                      "formuläret på nytt.")
NOTHING_SAVED_GET = "Ingenting har ändrats. Vänta en minut och ladda sedan om sidan."


def is_busy(error):
    """Whether ``error`` (or an exception it was raised from or during, e.g. Django's
    session UpdateError) is a lock wait that timed out."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OperationalError) and _lock_timed_out(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _lock_timed_out(error):
    driver_error = error.__cause__  # Django re-raises the driver's exception "from" it
    code = getattr(driver_error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    state = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)
    if state is not None:
        return state == POSTGRESQL_LOCK_NOT_AVAILABLE
    return "database is locked" in str(error)


@contextmanager
def lock_wait(seconds, using=DEFAULT_DB_ALIAS):
    """Within the block, this thread's connection waits at most ``seconds`` for a lock instead of
    FINSAM_LOCK_WAIT_SECONDS. Use it around work whose failure is harmless, outside a failed
    transaction (the old value is restored with a statement)."""
    connection = connections[using]
    milliseconds = max(0, int(seconds * 1000))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout")
            previous = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA busy_timeout = {milliseconds:d}")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, false)",
                           [f"{milliseconds}ms"])
            previous = cursor.fetchone()[0]
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
            previous = None
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA busy_timeout = {int(previous):d}")
            elif connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('lock_timeout', %s, false)", [previous])


def busy_response(request):
    """503 with Retry-After: the Swedish page, or JSON for a script that asked for JSON (the job
    page's progress poll sends Accept: application/json)."""
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        response = JsonResponse({"error": "busy", "message": f"{MESSAGE} {NOTHING_SAVED_GET}"}, status=503)
    else:
        changed = request.method not in ("GET", "HEAD", "OPTIONS")
        response = render(request, "503.html", {
            "message": MESSAGE, "nothing_saved": NOTHING_SAVED_POST if changed else NOTHING_SAVED_GET,
        }, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """A view that could not get a lock in time answers :func:`busy_response`. The view's
    transaction blocks have rolled back by the time the exception arrives here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        logger.warning("Database busy: %s %s answered 503 (%s)", request.method, request.path, exception)
        return busy_response(request)
