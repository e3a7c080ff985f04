"""Activities (seminars, dialogues, meetings, SIP meetings ...), the förbund's own activity kinds and
measures, and measure values per period (shared/spec/activities-and-goals.md, part A).

Attendees are no participants: nothing here is personal data. Identity of a row (the import's
upsert key) is held by the database too, so that two imports at once cannot duplicate one:
an activity by (förbund, referens), else (förbund, insats, typ, datum, titel); a measure value by
(förbund, mått, insats, från, till). NULLs are compared through COALESCE so that the förbund's own
rows (no insats) and levels (no från) are unique as well, on SQLite and PostgreSQL alike.
"""

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from finsam.interventions.models import Intervention
from finsam.tenancy.models import Association
from finsam.tenancy.scope import scoped

from . import codes

NO_INTERVENTION = Value(0)
NO_DATE = Value(datetime.date(1, 1, 1))


class ActivityKind(models.Model):
    """A kind of activity the förbund adds to the built-in ones."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="activity_kinds")
    code = models.SlugField("kod", max_length=50)
    label = models.CharField("benämning", max_length=200)
    individual = models.BooleanField("individinriktad (räknar personer)", default=False)

    objects = scoped()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "code"], name="activity_kind_unique_code")]
        verbose_name = "egen aktivitetstyp"
        verbose_name_plural = "egna aktivitetstyper"

    def __str__(self):
        return self.label


class MeasureDefinition(models.Model):
    """A measure the förbund adds to the built-in ones."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="measure_definitions")
    code = models.SlugField("kod", max_length=50)
    label = models.CharField("benämning", max_length=200)
    aggregation = models.CharField("aggregering", max_length=10, choices=codes.AGGREGATION.choices)

    objects = scoped()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "code"], name="measure_definition_unique_code")]
        verbose_name = "eget mått"
        verbose_name_plural = "egna mått"

    def __str__(self):
        return self.label


class Activity(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="activities")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="activities", verbose_name="insats")
    reference = models.CharField("referens", max_length=60, blank=True)
    kind = models.CharField("typ", max_length=50)
    title = models.CharField("titel", max_length=200)
    date = models.DateField("datum")
    occasions = models.PositiveIntegerField("antal tillfällen", default=1, validators=[MinValueValidator(1)])
    end_date = models.DateField("slutdatum", null=True, blank=True)
    series = models.CharField("serie", max_length=60, blank=True)
    status = models.CharField("status", max_length=10, choices=codes.STATUS.choices, default=codes.HELD)
    organisers = models.JSONField("arrangörer", default=list, blank=True)
    format = models.CharField("format", max_length=10, choices=codes.FORMAT.choices)
    audience = models.JSONField("publik", default=list, blank=True)
    target_groups = models.JSONField("målgrupper", default=list, blank=True)
    attendees = models.PositiveIntegerField("deltagare totalt", null=True, blank=True)
    attendees_women = models.PositiveIntegerField("deltagare, kvinnor", null=True, blank=True)
    attendees_men = models.PositiveIntegerField("deltagare, män", null=True, blank=True)
    attendees_other = models.PositiveIntegerField("deltagare, annat/ej angivet", null=True, blank=True)
    by_organisation = models.JSONField("deltagare per organisation", default=dict, blank=True)
    by_role = models.JSONField("deltagare per roll", default=dict, blank=True)
    answers = models.PositiveIntegerField("utvärderingssvar", null=True, blank=True)
    recommend_yes = models.PositiveIntegerField("rekommenderar, ja", null=True, blank=True)
    recommend_no = models.PositiveIntegerField("rekommenderar, nej", null=True, blank=True)
    rating_1 = models.PositiveIntegerField("betyg 1", null=True, blank=True)
    rating_2 = models.PositiveIntegerField("betyg 2", null=True, blank=True)
    rating_3 = models.PositiveIntegerField("betyg 3", null=True, blank=True)
    rating_4 = models.PositiveIntegerField("betyg 4", null=True, blank=True)
    rating_5 = models.PositiveIntegerField("betyg 5", null=True, blank=True)
    comment = models.TextField("kommentar", blank=True)

    objects = scoped()

    class Meta:
        ordering = ["date", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["association", "reference"], condition=~Q(reference=""),
                                    name="activity_unique_reference"),
            models.UniqueConstraint(F("association"), Coalesce(F("intervention"), NO_INTERVENTION), F("kind"),
                                    F("date"), F("title"), condition=Q(reference=""),
                                    name="activity_unique_without_reference"),
        ]
        indexes = [models.Index(fields=["association", "date"], name="activity_association_date")]
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"

    def __str__(self):
        return self.title

    RATING_FIELDS = ("rating_1", "rating_2", "rating_3", "rating_4", "rating_5")

    @property
    def ratings(self):
        return [getattr(self, f) or 0 for f in self.RATING_FIELDS]

    @property
    def gender_counts(self):
        """kvinna, man, annat_ej_angivet: without a split the total counts as annat_ej_angivet."""
        total = self.attendees or 0
        if self.attendees_women is None:
            return {"kvinna": 0, "man": 0, "annat_ej_angivet": total, "totalt": total}
        return {"kvinna": self.attendees_women, "man": self.attendees_men or 0,
                "annat_ej_angivet": self.attendees_other or 0, "totalt": total}


class MeasureValue(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="measure_values")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="measure_values", verbose_name="insats")
    measure = models.CharField("mått", max_length=50)
    start = models.DateField("från", null=True, blank=True)
    end = models.DateField("till")
    value = models.DecimalField("värde", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    comment = models.TextField("kommentar", blank=True)

    objects = scoped()

    class Meta:
        ordering = ["measure", "end", "pk"]
        constraints = [
            models.UniqueConstraint(F("association"), F("measure"), Coalesce(F("intervention"), NO_INTERVENTION),
                                    Coalesce(F("start"), NO_DATE), F("end"), name="measure_value_unique_period"),
            models.CheckConstraint(condition=Q(value__gte=0), name="measure_value_not_negative"),
        ]
        verbose_name = "måttvärde"
        verbose_name_plural = "måttvärden"

    def __str__(self):
        return f"{self.measure} {self.start or ''}–{self.end}"
