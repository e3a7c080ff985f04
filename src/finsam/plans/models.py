"""The förbund's plan (verksamhetsplan): plan -> målområde -> mål -> indikator
(shared/spec/activities-and-goals.md, part B). An indicator names its figure by a metric reference
(statistics/metrics.py) and holds its target, period, milestones, baselines and manual results as
JSON in the form the förbundsfil gives them (plans/validation.py checks them, one place)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from finsam.interventions.models import Intervention
from finsam.tenancy.models import Association
from finsam.tenancy.scope import scoped

GRADE_CHOICES = [("god", "God"), ("godtagbart", "Godtagbart"), ("ej_uppfyllt", "Ej uppfyllt"),
                 ("ej_bedomt", "Ej bedömt")]


class Plan(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="plans")
    key = models.SlugField("nyckel", max_length=60)
    name = models.CharField("namn", max_length=200)
    from_year = models.PositiveSmallIntegerField("från år", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    to_year = models.PositiveSmallIntegerField("till år", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    adopted = models.DateField("antagen", null=True, blank=True)

    objects = scoped("association")

    class Meta:
        ordering = ["from_year", "key"]
        constraints = [models.UniqueConstraint(fields=["association", "key"], name="plan_unique_key")]
        verbose_name = "verksamhetsplan"
        verbose_name_plural = "verksamhetsplaner"

    def __str__(self):
        return self.name


class FocusArea(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="focus_areas")
    key = models.SlugField("nyckel", max_length=60)
    name = models.CharField("namn", max_length=300)
    order = models.PositiveIntegerField("ordning", default=0)

    objects = scoped("plan__association")

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="focus_area_unique_key")]
        verbose_name = "målområde"
        verbose_name_plural = "målområden"

    def __str__(self):
        return self.name


class Assessment(models.Model):
    """The förbund's own verdict on a målområde for a year."""

    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField("år", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    grade = models.CharField("bedömning", max_length=12, choices=GRADE_CHOICES)
    text = models.TextField("motivering", blank=True)

    objects = scoped("focus_area__plan__association")

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["focus_area", "year"], name="assessment_unique_year")]
        verbose_name = "bedömning"
        verbose_name_plural = "bedömningar"


class PlanGoal(models.Model):
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="goals")
    key = models.SlugField("nyckel", max_length=60)
    name = models.CharField("namn", max_length=300)
    order = models.PositiveIntegerField("ordning", default=0)
    intervention = models.ForeignKey(Intervention, verbose_name="insats", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="plan_goals")

    objects = scoped("focus_area__plan__association")

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["focus_area", "key"], name="plan_goal_unique_key")]
        verbose_name = "mål"
        verbose_name_plural = "mål"

    def __str__(self):
        return self.name


class Indicator(models.Model):
    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField("nyckel", max_length=80)  # a metric code may be the key ("share_exit_reason:arbete")
    text = models.CharField("text", max_length=500)
    order = models.PositiveIntegerField("ordning", default=0)
    metric = models.JSONField("mått", default=dict)  # {"source", "key", ...parameters}
    interventions = models.JSONField("insatser", default=list, blank=True)  # slugs; empty: the whole förbund
    target = models.JSONField("mål", default=dict)  # {"type", "value"|"from","to", "by_year"}
    period = models.JSONField("period", default=dict)  # {"type": "year"} or {"type": "span", "from", "to"}
    milestones = models.JSONField("delmål", default=list, blank=True)  # [{"date", "value"}]
    baselines = models.JSONField("utgångsvärden", default=list, blank=True)  # [{"year", "value", "numerator", ...}]
    results = models.JSONField("manuella resultat", default=list, blank=True)  # [{"to", "value"|..., "text", "grade"}]

    objects = scoped("goal__focus_area__plan__association")

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["goal", "key"], name="indicator_unique_key")]
        verbose_name = "indikator"
        verbose_name_plural = "indikatorer"

    def __str__(self):
        return self.text
