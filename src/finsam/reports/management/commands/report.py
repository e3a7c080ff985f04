import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from finsam.reports import units
from finsam.reports.exporters import registry as exporters
from finsam.reports.periods import NO_YEAR_EARLIER, has_year_earlier
from finsam.statistics.engine import compute_report
from finsam.statistics.tables import registry
from finsam.tenancy.commands import in_association_scope


class Command(BaseCommand):
    help = "Tar fram förbundets statistik för en period i ett av rapportens filformat."

    def add_arguments(self, parser):
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        parser.add_argument("--from", dest="date_from", required=True, help="första dag, ÅÅÅÅ-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="sista dag, ÅÅÅÅ-MM-DD")
        parser.add_argument("--intervention", action="append", default=[], help="insatsens kortnamn (flera går)")
        parser.add_argument("--publish", action="store_true", help="publiceringsläge: dölj små antal")
        parser.add_argument("--per-insats", dest="sections", action="store_true",
                            help="ett avsnitt per insats med tabellerna om bakgrund och resultat")
        parser.add_argument("--foregaende-period", dest="previous", action="store_true",
                            help="jämför med samma period ett år tidigare (antal, förändring, procentenheter)")
        parser.add_argument("--tables", help="tabellfamiljer (participants, surveys, finance, activities, goals), "
                            "all eller tabell-id, kommaseparerade; utan: varje familj med uppgifter i perioden")
        parser.add_argument("--respondentgrupp", dest="respondent_groups", action="append", default=[],
                            help="enkättabellerna: bara denna respondentgrupp (flera går)")
        parser.add_argument("--format", choices=exporters.identifiers(), default="json",
                            help="filformat: " + ", ".join(f"{e.identifier} ({e.label})" for e in exporters))
        parser.add_argument("--output", help="fil att skriva till; utan den skrivs json till standard ut")
        parser.add_argument("--unit", choices=list(units.UNITS), help="belopp i kr eller tkr i xlsx, pdf och html "
                            "(json och csv har alltid hela kronor); utan: förbundets inställning")

    @in_association_scope()
    def handle(self, *args, **o):
        association = o["association"]
        try:
            start = datetime.date.fromisoformat(o["date_from"])
            end = datetime.date.fromisoformat(o["date_to"])
        except ValueError:
            raise CommandError("--from och --to ska vara datum ÅÅÅÅ-MM-DD.") from None
        if end < start:
            raise CommandError("--to kan inte vara före --from.")
        if o["previous"] and not has_year_earlier(start):
            raise CommandError(NO_YEAR_EARLIER)
        known = set(association.interventions.values_list("slug", flat=True))
        unknown = [s for s in o["intervention"] if s not in known]
        if unknown:
            raise CommandError(f"Okända insatser: {', '.join(unknown)}. Tillåtna: {', '.join(sorted(known))}.")
        if o["format"] != "json" and not o["output"]:
            raise CommandError(f"--output behövs för formatet {o['format']}.")
        tables = None
        if o["tables"]:
            tables = [t.strip() for t in o["tables"].split(",") if t.strip()]
            try:
                registry.specs(tables)
            except ValueError as error:
                raise CommandError(str(error)) from None
        report = compute_report(association, start, end, o["intervention"], publish=o["publish"],
                                sections=o["sections"], previous=o["previous"], tables=tables,
                                respondent_groups=o["respondent_groups"])
        report = units.with_unit(report, o["unit"] or units.default_unit(association))
        content = exporters.get(o["format"]).render(report)
        if o["output"]:
            Path(o["output"]).write_bytes(content)
            self.stdout.write(f"Skrev {o['output']} ({len(content)} byte).")
        else:
            self.stdout.write(content.decode("utf-8"))
