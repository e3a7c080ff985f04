import json

from django.core.management.base import BaseCommand, CommandError

from finsam.interventions.association_file import export_association_file
from finsam.tenancy.models import Association


class Command(BaseCommand):
    help = "Skriver ut ett förbunds förbundsfil (JSON) på standard ut."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="förbundets kortnamn")

    def handle(self, *args, slug, **options):
        association = Association.objects.filter(slug=slug).first()
        if association is None:
            raise CommandError(f"Det finns inget förbund med kortnamnet {slug}.")
        self.stdout.write(json.dumps(export_association_file(association), ensure_ascii=False, indent=1))
