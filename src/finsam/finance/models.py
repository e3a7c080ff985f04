"""Finance data of a förbund: budget sets (versions) and their lines, actuals, settings.

Amounts are ``Decimal`` everywhere (``DecimalField``), stored on the post's side: income, costs,
assets, equity and liabilities positive (an actuals file's "as booked" signs are turned on import,
``posts.to_post_side``). See shared/spec/finance.md and docs/decisions.md (issue 13)."""

from django.conf import settings
from django.db import models

from finsam.tenancy.models import Association
from finsam.tenancy.scope import scoped

from . import posts

AMOUNT = dict(max_digits=16, decimal_places=2)


class Provenance(models.Model):
    """Where a budget version or an actual came from: a file (its name) or hand entry, when, by whom."""

    FILE, HAND = "file", "hand"
    SOURCE_CHOICES = [(FILE, "Fil"), (HAND, "Inmatning")]

    source = models.CharField("källa", max_length=4, choices=SOURCE_CHOICES, default=FILE)
    file_name = models.CharField("fil", max_length=255, blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        abstract = True


class BudgetSet(Provenance):
    """One version of a (year, type, forecast date) set of budget lines. A file or a hand entry that
    changes a set makes a new version; tables read the latest (``current``)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="budget_sets")
    year = models.PositiveSmallIntegerField("år")
    type = models.CharField("typ", max_length=8, choices=posts.BUDGET_TYPE_CHOICES)
    forecast_date = models.DateField("prognosdatum", null=True, blank=True)
    version = models.PositiveIntegerField("version", default=1)
    current = models.BooleanField("gällande", default=True)

    objects = scoped()

    class Meta:
        ordering = ["year", "type", "forecast_date", "version"]
        constraints = [
            models.UniqueConstraint(fields=["association", "year", "type", "version"],
                                    condition=models.Q(forecast_date__isnull=True), name="budget_set_version"),
            models.UniqueConstraint(fields=["association", "year", "type", "forecast_date", "version"],
                                    condition=models.Q(forecast_date__isnull=False),
                                    name="budget_set_forecast_version"),
            models.UniqueConstraint(fields=["association", "year", "type"],
                                    condition=models.Q(current=True, forecast_date__isnull=True),
                                    name="budget_set_one_current"),
            models.UniqueConstraint(fields=["association", "year", "type", "forecast_date"],
                                    condition=models.Q(current=True, forecast_date__isnull=False),
                                    name="budget_set_forecast_one_current"),
            models.CheckConstraint(condition=models.Q(forecast_date__isnull=True) | models.Q(type=posts.PROGNOS),
                                   name="budget_set_forecast_only_prognos"),
        ]
        verbose_name = "budgetversion"
        verbose_name_plural = "budgetversioner"

    def __str__(self):
        label = f"{posts.BUDGET_TYPES.get(self.type, self.type)} {self.year}"
        return f"{label} ({self.forecast_date:%Y-%m-%d})" if self.forecast_date else label


class BudgetLine(models.Model):
    budget_set = models.ForeignKey(BudgetSet, on_delete=models.CASCADE, related_name="lines")
    post = models.CharField("post", max_length=32, choices=posts.POST_CHOICES)
    intervention = models.ForeignKey("interventions.Intervention", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="budget_lines")
    member = models.CharField("medlem", max_length=16, blank=True)  # Member.code: fk, af, region, kommun:0180
    month = models.PositiveSmallIntegerField("månad", null=True, blank=True)  # None: the whole year
    amount = models.DecimalField("belopp", **AMOUNT)
    text = models.CharField("text", max_length=500, blank=True)

    objects = scoped("budget_set__association")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12),
                                   name="budget_line_month"),
        ]
        verbose_name = "budgetrad"
        verbose_name_plural = "budgetrader"


class Actual(Provenance):
    """An outcome of a period (a month, or a year kept as a total: ``month`` None) on its post's side.
    Balance posts hold the period-end balance."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="actuals")
    year = models.PositiveSmallIntegerField("år")
    month = models.PositiveSmallIntegerField("månad", null=True, blank=True)
    post = models.CharField("post", max_length=32, choices=posts.POST_CHOICES)
    intervention = models.ForeignKey("interventions.Intervention", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="actuals")
    member = models.CharField("medlem", max_length=16, blank=True)
    amount = models.DecimalField("belopp", **AMOUNT)
    text = models.CharField("text", max_length=500, blank=True)

    objects = scoped()

    class Meta:
        ordering = ["year", "month", "id"]
        indexes = [models.Index(fields=["association", "year", "month"], name="actual_period")]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__isnull=True) | models.Q(month__gte=1, month__lte=12),
                                   name="actual_month"),
        ]
        verbose_name = "utfall"
        verbose_name_plural = "utfall"

    @property
    def period(self):
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"


class FinanceSettings(models.Model):
    """The förbundsfil's ``finance`` section, as cleaned by ``settings_section.parse``. Amounts and
    shares inside the JSON fields are stored as decimal strings (never floats)."""

    association = models.OneToOneField(Association, on_delete=models.CASCADE, related_name="finance_settings")
    display_unit = models.CharField("visningsenhet", max_length=3, default="tkr",
                                    choices=list(posts.DISPLAY_UNITS.items()))
    # {"amount": "…"} or {"steps": [{"up_to": "…"|None, "share": "…"}]} or {}
    equity_cap = models.JSONField("tak för eget kapital", default=dict, blank=True)
    admin_share_max = models.DecimalField("högsta andel administration", max_digits=5, decimal_places=4,
                                          null=True, blank=True)
    municipality_keys = models.JSONField("fördelningsnyckel kommuner", default=dict, blank=True)  # code -> "share"
    post_groups = models.JSONField("grupp per post", default=dict, blank=True)  # post -> group
    accounts = models.JSONField("kontomappning", default=list, blank=True)  # [{account, post, member}]
    objects_mapping = models.JSONField("objektmappning", default=list, blank=True)  # [{object, intervention}]
    allocation = models.JSONField("idealfördelning", default=list, blank=True)  # per year
    history = models.JSONField("historik", default=list, blank=True)  # per year
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    objects = scoped()

    class Meta:
        verbose_name = "ekonomiinställningar"
        verbose_name_plural = "ekonomiinställningar"
