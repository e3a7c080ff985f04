from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.participants.importing import ImportRefused, import_file
from finsam.tenancy.models import Association


class Command(BaseCommand):
    help = "Läser in en deltagarfil (.xlsx eller .csv) till ett förbund: allt eller inget."

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        parser.add_argument("--user", help="användaren som står för inläsningen (loggas); standard: en förbundsadministratör")
        parser.add_argument("file")

    def handle(self, *args, association, file, user=None, **options):
        target = Association.objects.filter(slug=association).first()
        if target is None:
            raise CommandError(f"Det finns inget förbund med kortnamnet {association}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Filen {file} finns inte.")
        actor = _actor(target, user)
        try:
            # The open file: its size is checked before it is read (participants/files.py).
            with path.open("rb") as handle:
                summary = import_file(
                    handle, path.name, association=target, user=actor, interventions=target.interventions.all(),
                )
        except ImportRefused as refused:
            for warning in refused.warnings:
                self.stderr.write(f"Varning: {warning}")
            raise CommandError(
                f"Filen {path.name} har {len(refused.errors)} fel och har inte lästs in. Ingenting har ändrats.\n"
                + "\n".join(f"  {e}" for e in refused.errors)
            ) from None
        for warning in summary.warnings:
            self.stdout.write(f"Varning: {warning}")
        self.stdout.write(f"{path.name}: {summary}.")


def _actor(association, username):
    from finsam.tenancy.models import Role, User

    if username:
        user = User.objects.filter(username=username, role_assignments__association=association).first()
        if user is None:
            raise CommandError(f"{username} har ingen roll i {association.slug}.")
        return user
    user = User.objects.filter(role_assignments__association=association, role_assignments__role=Role.ADMIN).order_by("pk").first()
    if user is None:
        raise CommandError(f"{association.slug} har ingen förbundsadministratör; ange --user.")
    return user
