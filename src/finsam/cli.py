"""The ``finsam`` console command: Django's management commands with the project's settings.

Commands may be written with hyphens (``finsam setup-association``); ``finsam serve`` is the
development server on 127.0.0.1:8000 unless an address is given.
"""

import os
import sys

ALIASES = {"serve": "runserver"}
DEFAULT_SERVE_ADDRESS = "127.0.0.1:8000"


def translate(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        return argv
    name = ALIASES.get(argv[1], argv[1].replace("-", "_"))
    rest = argv[2:]
    if argv[1] == "serve" and not any(not a.startswith("-") for a in rest):
        rest = [DEFAULT_SERVE_ADDRESS, *rest]
    return [argv[0], name, *rest]


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(translate(list(sys.argv if argv is None else argv)))


if __name__ == "__main__":
    main()
