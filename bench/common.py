"""Shared by the benchmark scripts (run as `python bench/NAME.py`, so this folder is on sys.path)."""

import datetime
import os
import platform
from pathlib import Path

PERFORMANCE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def setup_django():
    """Django set up on DATABASE_URL, or on a new SQLite database in a temporary directory, migrated."""
    import tempfile

    tmp = tempfile.mkdtemp(prefix="finsam-bench-")
    os.environ.setdefault("FINSAM_VAR_DIR", tmp)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "finsam.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def machine():
    """How the machine is described in docs/performance.md."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def record(heading, rows):
    """Add table rows to docs/performance.md: after the last row of the first table in the section
    whose heading starts with ``heading``. Each row is the list of its measured cells; the date
    comes first and the machine last, as in every table there."""
    rows = ["| " + " | ".join([str(datetime.date.today()), *map(str, cells), machine()]) + " |" for cells in rows]
    lines = PERFORMANCE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("## ") and line[3:].startswith(heading))
    first_row = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("|"))
    end = first_row
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[end:end] = rows
    PERFORMANCE.write_text("\n".join(lines) + "\n")


_copies = {}  # (identity number, copy) -> the identity number that copy uses
_serials = {}  # (birth date, odd) -> serials in use


def copy_of(header, row, n):
    """Copy ``n`` of a row of the example participant file as another participation (copy 0 is the
    row as it is): a referens of its own and, for a registered person, another person of the same birth date and legal gender
    (the database holds one participation per insats, person and start date, issue 9). The same
    person in two rows is the same person in each copy."""
    row = list(row)
    if n:  # copy 0 is the row itself (the demo förbund may hold it already)
        row[header.index("referens")] = f"{row[header.index('referens')]}-{n}"
    i = header.index("personnummer")
    if row[i] and not n:  # the originals come first: their numbers are taken
        identity = row[i].replace("-", "")
        _serials.setdefault((identity[:8], int(identity[8:11]) % 2), set()).add(int(identity[8:11]))
    elif row[i]:
        row[i] = _other_person(row[i].replace("-", ""), n)
    return row


def _other_person(identity, n):
    if (identity, n) not in _copies:
        date, serial = identity[:8], int(identity[8:11])
        used = _serials.setdefault((date, serial % 2), {serial})  # (the originals are in already)
        new = next(s for s in range(serial % 2, 1000, 2) if s not in used)
        used.add(new)
        digits = f"{date[2:]}{new:03d}"
        total = sum(sum(divmod(int(d) * (2 - k % 2), 10)) for k, d in enumerate(digits))
        _copies[(identity, n)] = f"{date}{new:03d}{(10 - total % 10) % 10}"
    return _copies[(identity, n)]
