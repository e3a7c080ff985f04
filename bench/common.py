"""Shared by the benchmark scripts (run as `python bench/NAME.py`, so this folder is on sys.path)."""

import os
import platform


def machine():
    """How the machine is described in docs/performance.md."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
