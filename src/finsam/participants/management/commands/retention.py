import datetime

from django.core.management.base import BaseCommand, CommandError

from finsam.participants.retention import due, retention_cutoff, run_retention
from finsam.tenancy.models import Association
from finsam.tenancy.scope import Scope


class Command(BaseCommand):
    help = ("Gallring: avidentifierar deltaganden som avslutades för längre sedan än förbundets gallringstid. "
            "Statistiken påverkas inte.")

    def add_arguments(self, parser):
        parser.add_argument("--association", help="bara detta förbund (kortnamn); standard: alla")
        parser.add_argument("--dry-run", action="store_true", help="visa vad som skulle ändras, ändra inget")
        parser.add_argument("--today", help="räkna som om dagens datum vore ÅÅÅÅ-MM-DD (för kontroll)")

    def handle(self, *args, association=None, dry_run=False, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else datetime.date.today()
        except ValueError:
            raise CommandError(f"--today ska vara ett datum ÅÅÅÅ-MM-DD, inte {today!r}.") from None
        associations = Association.objects.all()
        if association:
            associations = associations.filter(slug=association)
            if not associations.exists():
                raise CommandError(f"Det finns inget förbund med kortnamnet {association}.")
        for target in associations:
            # One förbund at a time, each in its own scope (tenancy/scope.py).
            with Scope.of(target).activate():
                cutoff = retention_cutoff(target, day)
                if dry_run:
                    per_intervention = {}
                    for slug in due(target, day).values_list("intervention__slug", flat=True):
                        per_intervention[slug] = per_intervention.get(slug, 0) + 1
                    total = sum(per_intervention.values())
                    self.stdout.write(f"{target.slug}: {total} deltaganden avslutade före {cutoff} skulle avidentifieras"
                                      " (torrkörning, inget ändrat).")
                    for slug, count in sorted(per_intervention.items()):
                        self.stdout.write(f"  {slug}: {count}")
                else:
                    count = run_retention(target, today=day)
                    self.stdout.write(f"{target.slug}: {count} deltaganden avslutade före {cutoff} avidentifierades.")
