import json

from django.core.management.base import BaseCommand

from finsam.interventions.association_file import export_association_file
from finsam.tenancy.commands import in_association_scope


class Command(BaseCommand):
    help = "Skriver ut ett förbunds förbundsfil (JSON) på standard ut."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="förbundets kortnamn")

    @in_association_scope("slug")
    def handle(self, *args, slug, **options):
        association = slug  # the förbund itself, looked up from its kortnamn by in_association_scope
        self.stdout.write(json.dumps(export_association_file(association), ensure_ascii=False, indent=1))
