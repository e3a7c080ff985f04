"""Shared by the benchmark scripts (run as `python bench/NAME.py`, so this folder is on sys.path)."""

import datetime
import os
import platform
from pathlib import Path

PERFORMANCE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


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
