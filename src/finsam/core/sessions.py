"""Database sessions whose bookkeeping saves give way to a busy database (SESSION_ENGINE).

core.middleware writes two keys of its own: when the session started (for the absolute timeout)
and, once a minute, when it was last renewed (a save renews the idle timeout). A save that changes
nothing but those keys is tried with a short lock wait and skipped when the database is busy
(core/busy.py): the next request renews the session instead, and a read-only page is not failed
(Django would answer 400 SessionInterrupted) for a write nobody asked for. Any other change (a
login, a consent token) is saved as before, and its failure is not hidden.
"""

import copy
import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from .busy import is_busy, lock_wait

logger = logging.getLogger(__name__)

SESSION_STARTED_KEY = "finsam_authenticated_at"
SESSION_RENEWED_KEY = "finsam_renewed_at"
BOOKKEEPING_KEYS = frozenset({SESSION_STARTED_KEY, SESSION_RENEWED_KEY})
BOOKKEEPING_LOCK_WAIT_SECONDS = 0.2  # a page waits this long at most, then renews next time


def _without_bookkeeping(data):
    return {key: value for key, value in data.items() if key not in BOOKKEEPING_KEYS}


class SessionStore(DatabaseSessionStore):
    _stored = None  # the data as last loaded or saved; None for a session not stored yet

    def load(self):
        data = super().load()
        self._stored = copy.deepcopy(data) if self.session_key is not None else None
        return data

    def save(self, must_create=False):
        if must_create or self.session_key is None or not self._only_bookkeeping_changed():
            super().save(must_create)
        else:
            try:
                with lock_wait(BOOKKEEPING_LOCK_WAIT_SECONDS):
                    super().save()
            except UpdateError as error:
                if not is_busy(error):
                    raise
                logger.info("Database busy: session renewal skipped (the next request renews it)")
                return
        self._stored = copy.deepcopy(self._session)

    def _only_bookkeeping_changed(self):
        return self._stored is not None and _without_bookkeeping(self._session) == _without_bookkeeping(self._stored)
