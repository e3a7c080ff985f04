"""Published reports: what a board (läsare) reads.

A publication freezes a report's numbers as they were when an analyst or administrator published
it, masked once (statistics/masking.py, taking earlier publications into account: statistics/differencing.py),
and is never changed afterwards: later changes to the data make a new publication, which says
which one it replaces. Läsare see only these, never a report computed on request, so that no two
reports of their own choosing can be subtracted from each other (issue 9).
"""

from django.conf import settings
from django.db import models

from finsam.core.write_once import WriteOnceModel, WriteOnceQuerySet
from finsam.statistics.tables import thaw
from finsam.tenancy.models import Association
from finsam.tenancy.scope import scoped


class ImmutableError(Exception):
    pass


class PublishedReport(WriteOnceModel):
    refused = ImmutableError
    change_refused = "A published report cannot be changed; publish a corrected one instead."
    delete_refused = "A published report cannot be deleted."

    association = models.ForeignKey(Association, verbose_name="förbund", on_delete=models.PROTECT,
                                    related_name="published_reports")
    title = models.CharField("rubrik", max_length=200)
    date_from = models.DateField("från och med")
    date_to = models.DateField("till och med")
    # Slugs of the insatser counted; empty = the whole förbund.
    interventions = models.JSONField("insatser", default=list, blank=True)
    threshold = models.PositiveSmallIntegerField("gräns för maskering")
    content = models.JSONField("rapporten")  # statistics.tables.freeze() of the masked report
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="publicerad av",
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("publicerad", auto_now_add=True)
    replaces = models.OneToOneField("self", verbose_name="ersätter", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by")
    correction = models.TextField("vad som är rättat", blank=True)

    objects = scoped(queryset=WriteOnceQuerySet)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = "publicerad rapport"
        verbose_name_plural = "publicerade rapporter"

    def __str__(self):
        return self.title

    def report(self):
        """The frozen, masked Report, for every renderer, with the publication's title."""
        report = thaw(self.content)
        report.title = self.title
        return report

    @property
    def scope_label(self):
        """The insatser counted, by the names they had when it was published."""
        if not self.interventions:
            return "Hela förbundet"
        names = self.content.get("intervention_names", {})
        return ", ".join(names.get(slug, slug) for slug in self.interventions)

    @property
    def has_sections(self):
        """Published with a section per insats: its frozen tables include ``<id>:<insats slug>``
        (statistics/tables/variants.py); no column of its own, the frozen report says it."""
        return any(":" in t["id"] for t in self.content.get("tables", ()))

    @property
    def replacement(self):
        return getattr(self, "replaced_by", None) if self.pk else None
