"""What the two import commands share: the acting user and their rights (finsam import-activities /
import-measures); the förbund, the file and exit status 1 are tenancy.commands.FileCommand's."""

from django.core.management.base import CommandError

from finsam.participants.importing import ImportRefused
from finsam.tenancy.commands import FileCommand
from finsam.tenancy.permissions import Access

from .access import row_context


class ImportCommand(FileCommand):
    importer = None  # (data, filename, ctx, user) -> ImportSummary
    what = ""
    refusals = (ImportRefused,)

    def add_options(self, parser):
        parser.add_argument("--user", help="användaren som står för inläsningen och vars behörighet gäller "
                                           "(standard: en förbundsadministratör)")

    def apply(self, path, association, user=None, **options):
        actor = _actor(association, user)
        access = Access.for_user(actor, association)
        if not access.can("register_activities"):
            raise CommandError(f"{actor.username} får inte registrera {self.what} i {association.slug}: det får "
                               "förbundets administratörer och analytiker, och deltagaransvariga för sina insatser.")
        with path.open("rb") as handle:
            summary = type(self).importer(handle, path.name, row_context(access), actor)
        return [*(f"Varning: {warning}" for warning in summary.warnings), f"{path.name}: {summary}."]


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
