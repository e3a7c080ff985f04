"""Management commands of one förbund: the förbund named on the command line, run in its scope,
and the one base of the commands that read a file into it (activities, finance, surveys)."""

from functools import wraps
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from .models import Association
from .scope import Scope


def in_association_scope(option="association"):
    """Decorate a command's ``handle``: the förbund whose kortnamn is the option ``option`` is looked
    up (a Swedish error when there is none) and passed on as the Association, and the command runs
    inside its scope (tenancy/scope.py), as a förbund's pages do."""

    def decorator(handle):
        @wraps(handle)
        def wrapper(self, *args, **options):
            slug = options[option]
            association = Association.objects.filter(slug=slug).first()
            if association is None:
                raise CommandError(f"Det finns inget förbund med kortnamnet {slug}.")
            options[option] = association
            with Scope.of(association).activate():
                return handle(self, *args, **options)

        return wrapper

    return decorator


def existing_file(file):
    """The Path of ``file``, or exit status 1 with a Swedish message when there is no such file."""
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"Filen {file} finns inte.")
    return path


def file_refused(name, errors, *, noun="Filen", bullet="  "):
    """The CommandError (exit status 1) of a refused file: how many errors, that nothing changed,
    then every error on a line of its own."""
    return CommandError(f"{noun} {name} har {len(errors)} fel och har inte lästs in. Ingenting har ändrats.\n"
                        + "\n".join(f"{bullet}{e}" for e in errors))


class FileCommand(BaseCommand):
    """A command that reads one file into the förbund named by ``--association``, in its scope.

    A subclass writes ``apply(path, association, **options)``, returning the lines to print. An
    exception of one of ``refusals`` (it has ``errors`` and may have ``warnings``) becomes exit
    status 1 listing every error (``file_refused`` with ``noun`` and ``bullet``), after its warnings
    on stderr. ``dry_run = True`` adds ``--dry-run``; ``add_options`` adds the command's own."""

    refusals = ()  # exception classes that refuse the file
    noun = "Filen"  # how the refusal names the file
    bullet = "  "  # before each error of a refusal
    dry_run = False

    def add_options(self, parser):
        pass

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        if self.dry_run:
            parser.add_argument("--dry-run", action="store_true",
                                help="kontrollera filen och visa sammanfattningen utan att spara något")
        self.add_options(parser)
        parser.add_argument("file")

    def apply(self, path, association, **options):
        raise NotImplementedError

    @in_association_scope()
    def handle(self, *args, association, file, **options):
        path = existing_file(file)
        try:
            lines = self.apply(path, association, **options)
        except self.refusals as refused:
            for warning in getattr(refused, "warnings", ()):
                self.stderr.write(f"Varning: {warning}")
            raise file_refused(path.name, refused.errors, noun=self.noun, bullet=self.bullet) from None
        for line in lines:
            self.stdout.write(line)
