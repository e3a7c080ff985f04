"""The SQLite database file holds participant data: only the service's own user may read it.

Settings create the file empty with mode 600 before SQLite first opens it (SQLite gives its
``-wal``, ``-shm`` and ``-journal`` files the mode of the database file, so they follow), and
every new connection tightens files made before this existed or by other means. Plain
functions without Django imports, because settings call the first one.
"""

import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700
COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


def _is_file_database(name):
    name = str(name or "")
    return bool(name) and name != ":memory:" and not name.startswith("file:")


def create_private_database(name):
    """Create the directory (mode 700 when it is new) and an empty database file with mode 600
    when the file does not exist yet; an existing file is left to :func:`make_private`."""
    if not _is_file_database(name):
        return
    path = Path(name)
    path.parent.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    try:
        # O_EXCL: never open (or follow a link to) something that is already there.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass


def make_private(name):
    """Take group and other permissions off the database file and its companions."""
    if not _is_file_database(name):
        return
    for suffix in COMPANION_SUFFIXES:
        path = f"{name}{suffix}"
        try:
            if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
                os.chmod(path, PRIVATE_FILE)
        except FileNotFoundError:
            continue


def on_connection_created(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        make_private(connection.settings_dict["NAME"])
