"""Publishing a report: compute it from the data as they are now, mask it once, taking every
earlier publication of the förbund into account (statistics/differencing.py), and store it frozen.

The masking is computed outside any write transaction (on SQLite a write transaction locks the whole
database, and masking against many publications takes seconds); the row is then written in a short
transaction that first checks that no other publication of the förbund was stored meanwhile. If one
was, the masking is done again against it too."""

import logging

from django.db import transaction

from finsam.statistics.differencing import StructureReveals, mask_for_publication
from finsam.statistics.engine import compute_report
from finsam.statistics.inequalities import CheckFailed
from finsam.statistics.tables import freeze
from finsam.tenancy.models import Association

from .models import PublishedReport

ATTEMPTS = 5

logger = logging.getLogger(__name__)


class PublishError(Exception):
    """A publication that cannot be made; the message is for the user (Swedish)."""


def publish_report(association, *, date_from, date_to, interventions, title, user, replaces=None, correction="",
                   sections=False):
    """``sections``: a section per insats (statistics/tables/variants.py), frozen with the other tables.
    The previous period's columns are not offered: differencing links only publications whose
    periods overlap or touch (docs/report-tables-extra.md)."""
    for _ in range(ATTEMPTS):
        _check_replaces(association, replaces, correction)
        earlier = list(association.published_reports.all())
        report = _masked(association, date_from, date_to, interventions, sections, [p.report() for p in earlier])
        with transaction.atomic():
            # One writer at a time per förbund (on SQLite the transaction itself is that lock).
            Association.objects.select_for_update().filter(pk=association.pk).first()
            if set(association.published_reports.values_list("pk", flat=True)) != {p.pk for p in earlier}:
                continue  # published meanwhile: mask against that one as well
            _check_replaces(association, replaces, correction)
            return PublishedReport.objects.create(
                association=association, title=title, date_from=date_from, date_to=date_to,
                interventions=list(report.interventions), threshold=report.threshold, content=freeze(report),
                published_by=user, replaces=replaces, correction=correction.strip(),
            )
    raise PublishError("Flera publiceringar pågår just nu i förbundet. Försök igen om en stund.")


def _masked(association, date_from, date_to, interventions, sections, earlier):
    """The report computed now and masked against ``earlier``. Refused when what it shows beyond the
    cells it may hide (a part or a kind with nothing in the period, a 0 no cell of it can hide)
    completes earlier publications so that a small count follows (StructureReveals). Leaving the
    activity tables out instead told a reader exactly that, and so the count (docs/decisions.md, "A
    publication's structure says nothing"); a refusal tells the analyst only."""
    report = compute_report(association, date_from, date_to, interventions, sections=sections)
    try:
        mask_for_publication(report, association.masking_threshold, earlier)
    except StructureReveals as found:
        about = "antal om aktiviteter" if found.refusing == found.revealed else "antal"
        raise PublishError(f"Rapporten kan inte publiceras: tillsammans med tidigare publicerade rapporter skulle "
                           f"den visa {about} som är för små för att publiceras. Välj en annan period eller andra "
                           f"insatser.") from None
    except CheckFailed:
        logger.exception("the inequality check of a publication of %s failed", association)
        raise PublishError("Rapporten kunde inte publiceras: kontrollen av att inga små antal kan räknas fram "
                           "kunde inte göras klart. Försök igen, och kontakta förbundets systemförvaltare om det "
                           "händer igen.") from None
    return report


def _check_replaces(association, replaces, correction):
    if replaces is None:
        return
    if not PublishedReport.objects.filter(association=association, pk=replaces.pk).exists() or \
            PublishedReport.objects.filter(replaces=replaces).exists():
        raise PublishError("Rapporten du vill ersätta finns inte eller är redan ersatt.")
    if not correction.strip():
        raise PublishError("Beskriv vad som är rättat när en rapport ersätts.")
