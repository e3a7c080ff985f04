"""Publishing a report: compute it from the data as they are now, mask it once, taking every
earlier publication of the förbund into account (statistics/differencing.py), and store it frozen."""

from django.db import transaction

from finsam.statistics.differencing import mask_for_publication
from finsam.statistics.engine import compute_report
from finsam.statistics.tables import freeze
from finsam.tenancy.models import Association

from .models import PublishedReport


class PublishError(Exception):
    """A publication that cannot be made; the message is for the user (Swedish)."""


def publish_report(association, *, date_from, date_to, interventions, title, user, replaces=None, correction=""):
    with transaction.atomic():
        # One publication at a time per förbund: each is masked against all earlier ones.
        Association.objects.select_for_update().filter(pk=association.pk).first()
        if replaces is not None:
            replaces = PublishedReport.objects.filter(association=association, pk=replaces.pk).first()
            if replaces is None or PublishedReport.objects.filter(replaces=replaces).exists():
                raise PublishError("Rapporten du vill ersätta finns inte eller är redan ersatt.")
            if not correction.strip():
                raise PublishError("Beskriv vad som är rättat när en rapport ersätts.")
        earlier = [p.report() for p in association.published_reports.all()]
        report = compute_report(association, date_from, date_to, interventions)
        mask_for_publication(report, association.masking_threshold, earlier)
        return PublishedReport.objects.create(
            association=association, title=title, date_from=date_from, date_to=date_to,
            interventions=list(report.interventions), threshold=report.threshold, content=freeze(report),
            published_by=user, replaces=replaces, correction=correction.strip(),
        )

