import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from finsam.interventions.association_file import apply_association_file
from finsam.participants.importing import import_file
from finsam.tenancy.models import Role, User
from finsam.tenancy.scope import Scope
from finsam.tenancy.services import add_user

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "Exempelstad-demo-2026"

# (user name, full name, role, insatser assigned)
DEMO_USERS = [
    ("admin@exempelstad.se", "Alva Administratör", Role.ADMIN, []),
    ("analytiker@exempelstad.se", "Anders Analytiker", Role.ANALYST, []),
    ("projektledare@exempelstad.se", "Petra Projektledare", Role.PARTICIPANT_MANAGER, ["aktivitetsplatsen", "novum"]),
    ("styrelse@exempelstad.se", "Sven Styrelseledamot", Role.READER, []),
]
SYSTEM_ADMIN = "system@finsam.local"


class Command(BaseCommand):
    help = "Läser in demoförbundet Exempelstad med användare för varje roll (kan köras flera gånger)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="skriv inte ut inloggningsuppgifterna")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        if settings.PRODUCTION:
            raise CommandError("Demodata läses inte in i produktion (FINSAM_ENV=production).")
        association, _ = apply_association_file((DATA / "exempelstad.json").read_bytes())
        # the example's Verksamhetsplan 2024 (and its structural insats Kunskapsdialoger)
        apply_association_file((DATA / "exempelstad-plan.json").read_bytes())
        with Scope.of(association).activate():
            participants = self.users_and_participants(association)
        self.capabilities(association)
        system, created = User.objects.get_or_create(
            username=SYSTEM_ADMIN, defaults={"first_name": "Sam", "last_name": "Systemadministratör"}
        )
        system.is_superuser = True
        _ensure_password(system)
        if not quiet:
            self.report(association, participants)

    def users_and_participants(self, association):
        for username, full_name, role, assigned in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            user, _ = add_user(
                association, username=username, roles=[role], password=DEMO_PASSWORD, first_name=first, last_name=last
            )
            _ensure_password(user)
            user.assigned_interventions.add(*association.interventions.filter(slug__in=assigned))
        admin = User.objects.get(username=DEMO_USERS[0][0])
        participants = import_file(
            (DATA / "exempelstad-deltagare.csv").read_bytes(), "exempelstad-deltagare.csv",
            association=association, user=admin, interventions=association.interventions.all(),
        )
        return participants

    def capabilities(self, association):
        """The example förbund's finance, surveys, activities and measures (shared/examples), read
        in by the same commands a förbund uses; each is idempotent, so the demo can be loaded again."""
        slug = ["--association", association.slug]
        quiet = {"stdout": io.StringIO()}
        call_command("setup_association", str(DATA / "exempelstad-ekonomi.json"), **quiet)  # finance settings
        call_command("import_budget", *slug, str(DATA / "exempelstad-budget.csv"), **quiet)
        call_command("import_actuals", *slug, str(DATA / "exempelstad-utfall.csv"), **quiet)
        for name in ("exempelstad-fragor-v1.json", "exempelstad-fragor-v2.json"):
            call_command("load_questions", *slug, str(DATA / name), **quiet)
        call_command("setup_surveys", *slug, str(DATA / "exempelstad-enkater.json"), **quiet)
        call_command("import_answers", *slug, str(DATA / "exempelstad-svar.csv"), **quiet)
        call_command("load_national", str(DATA / "riket-2024.csv"), **quiet)
        call_command("import_activities", *slug, "--user", DEMO_USERS[0][0], str(DATA / "exempelstad-aktiviteter.csv"),
                     **quiet)
        call_command("import_measures", *slug, "--user", DEMO_USERS[0][0], str(DATA / "exempelstad-matt.csv"), **quiet)

    def report(self, association, participants):
        self.stdout.write(f"Demoförbundet {association.name} är inläst (deltagare: {participants}).")
        self.stdout.write(f"Logga in på http://127.0.0.1:8000/ med lösenordet {DEMO_PASSWORD} och någon av:")
        for username, _full_name, role, _ in DEMO_USERS:
            self.stdout.write(f"  {username:32} {role.label}")
        self.stdout.write(f"  {SYSTEM_ADMIN:32} Systemadministratör")
        # The demo förbund keeps the default privacy model (docs/privacy.md): only the
        # deltagaransvarig sees participants, in her two insatser; admin and analyst see reports.
        self.stdout.write(f"Personuppgiftsansvar: {association.get_privacy_model_display()} "
                          "(bara deltagaransvariga ser deltagare; ändras under Inställningar).")


def _ensure_password(user):
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    # The demo password is published (README, the command's output) and the demo refuses
    # production, so forcing a change would protect nothing and would break the browser and
    # load tests that sign in with it (docs/decisions.md, issue 9).
    user.must_change_password = False
    user.save()
