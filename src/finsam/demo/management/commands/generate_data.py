import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from finsam.demo.synthetic import generate


class Command(BaseCommand):
    help = "Skapar syntetiska förbund och deltaganden för prestandamätningar (inte i produktion)."

    def add_arguments(self, parser):
        parser.add_argument("--associations", type=int, required=True, help="antal förbund")
        parser.add_argument("--participations", type=int, required=True, help="antal deltaganden totalt")
        parser.add_argument("--seed", type=int, default=1, help="slumpfrö; samma frö ger samma data")

    def handle(self, *args, associations, participations, seed, **options):
        if settings.PRODUCTION:
            raise CommandError("Syntetiska data skapas inte i produktion (FINSAM_ENV=production).")
        if associations < 1 or participations < 0:
            raise CommandError("--associations ska vara minst 1 och --participations minst 0.")
        start = time.perf_counter()
        created = generate(associations, participations, seed, log=lambda line: self.stdout.write(line))
        seconds = time.perf_counter() - start
        self.stdout.write(f"Skapade {created} deltaganden i {associations} förbund på {seconds:.0f} s "
                          f"({created / max(seconds, 0.001):.0f} per sekund).")
