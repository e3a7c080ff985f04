from django.core.management.base import CommandError

from finsam.participants.importing import ImportRefused, import_file
from finsam.tenancy.commands import FileCommand
from finsam.tenancy.models import PrivacyModel
from finsam.tenancy.permissions import Access


class Command(FileCommand):
    help = "Läser in en deltagarfil (.xlsx eller .csv) till ett förbund: allt eller inget."
    refusals = (ImportRefused,)

    def add_options(self, parser):
        parser.add_argument(
            "--user",
            help="användaren som står för inläsningen (loggas) och vars behörighet gäller: hen måste få läsa in "
                 "deltagare i förbundet, och bara till insatser vars deltagare hen får se. Standard när förbundet "
                 "ansvarar: en förbundsadministratör. När parterna ansvarar krävs --user (en deltagaransvarig).",
        )

    def apply(self, path, target, user=None, **options):
        actor = _actor(target, user)
        # The same rule as the import page (tenancy/permissions.py): who may import, and into which insatser.
        access = Access.for_user(actor, target)
        if not access.can("import_participants"):
            raise CommandError(
                f"{actor.username} får inte läsa in deltagare i {target.slug}: {_who_may(target)}"
            )
        # The open file: its size is checked before it is read (participants/files.py).
        with path.open("rb") as handle:
            summary = import_file(
                handle, path.name, association=target, user=actor,
                interventions=target.interventions.with_participant_access(access),
            )
        return [*(f"Varning: {warning}" for warning in summary.warnings), f"{path.name}: {summary}."]


def _who_may(association):
    if association.privacy_model == PrivacyModel.MEMBERS:
        return ("förbundet har valt att parterna ansvarar för deltagaruppgifterna, så bara insatsernas "
                "deltagaransvariga läser in deltagare, och bara till sina insatser. Ange en av dem med --user.")
    return "det får förbundets administratörer, analytiker och deltagaransvariga (de senare till sina insatser)."


def _actor(association, username):
    from finsam.tenancy.models import Role, User

    if username:
        user = User.objects.filter(username=username, role_assignments__association=association, is_active=True).first()
        if user is None:
            raise CommandError(f"{username} har ingen roll i {association.slug}.")
        return user
    if association.privacy_model == PrivacyModel.MEMBERS:
        raise CommandError(_who_may(association)[0].upper() + _who_may(association)[1:])
    user = User.objects.filter(role_assignments__association=association, role_assignments__role=Role.ADMIN).order_by("pk").first()
    if user is None:
        raise CommandError(f"{association.slug} har ingen förbundsadministratör; ange --user.")
    return user
