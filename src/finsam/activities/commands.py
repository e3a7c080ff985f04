"""What the two import commands share: the förbund's scope, the acting user and their rights, the
file, every error and exit status 1 (finsam import-activities / import-measures)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.participants.importing import ImportRefused
from finsam.tenancy.commands import in_association_scope
from finsam.tenancy.permissions import Access

from .access import row_context


class ImportCommand(BaseCommand):
    importer = None  # (data, filename, ctx, user) -> ImportSummary
    what = ""

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        parser.add_argument("--user", help="användaren som står för inläsningen och vars behörighet gäller "
                                           "(standard: en förbundsadministratör)")
        parser.add_argument("file")

    @in_association_scope()
    def handle(self, *args, association, file, user=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Filen {file} finns inte.")
        actor = _actor(association, user)
        access = Access.for_user(actor, association)
        if not access.can("register_activities"):
            raise CommandError(f"{actor.username} får inte registrera {self.what} i {association.slug}: det får "
                               "förbundets administratörer och analytiker, och deltagaransvariga för sina insatser.")
        try:
            with path.open("rb") as handle:
                summary = type(self).importer(handle, path.name, row_context(access), actor)
        except ImportRefused as refused:
            for warning in refused.warnings:
                self.stderr.write(f"Varning: {warning}")
            raise CommandError(
                f"Filen {path.name} har {len(refused.errors)} fel och har inte lästs in. Ingenting har ändrats.\n"
                + "\n".join(f"  {e}" for e in refused.errors)) from None
        for warning in summary.warnings:
            self.stdout.write(f"Varning: {warning}")
        self.stdout.write(f"{path.name}: {summary}.")


def _actor(association, username):
    from finsam.tenancy.models import Role, User

    if username:
        user = User.objects.filter(username=username, role_assignments__association=association,
                                   is_active=True).first()
        if user is None:
            raise CommandError(f"{username} har ingen roll i {association.slug}.")
        return user
    user = (User.objects.filter(role_assignments__association=association, role_assignments__role=Role.ADMIN,
                                is_active=True).order_by("pk").first())
    if user is None:
        raise CommandError(f"{association.slug} har ingen förbundsadministratör; ange --user.")
    return user
