"""Insatser (interventions) and the association's own target groups; the goal metrics of the
förbundsfil's ``goals`` shorthand (the goals themselves are indicators of the plan: plans/legacy.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from finsam import codes
from finsam.tenancy.models import Association, Member
from finsam.tenancy.scope import scoped


# Slugs that would collide with the routes under /<förbund>/insatser/.
RESERVED_INTERVENTION_SLUGS = {"ny", "malgrupper"}


def validate_intervention_slug(value):
    if value in RESERVED_INTERVENTION_SLUGS:
        raise ValidationError("Kortnamnet %(value)s är reserverat. Välj ett annat.", params={"value": value})


class TargetGroup(models.Model):
    """A target group the association adds to the national code list."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="target_groups")
    code = models.SlugField("kod", max_length=50, help_text="Små bokstäver, siffror och understreck.")
    label = models.CharField("benämning", max_length=200)

    objects = scoped()

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["association", "code"], name="target_group_unique_code")]
        verbose_name = "egen målgrupp"
        verbose_name_plural = "egna målgrupper"

    def __str__(self):
        return self.label

    def clean(self):
        if self.code in codes.TARGET_GROUP:
            raise ValidationError({"code": "Koden finns redan i den nationella kodlistan."})


def target_group_choices(association):
    """The national target groups followed by the association's own."""
    own = [(t.code, t.label) for t in association.target_groups.all()]
    return codes.TARGET_GROUP.choices + own


class InterventionQuerySet(models.QuerySet):
    def _reach(self, access, everywhere, capability=None):
        """Every insats when ``everywhere``, else the ones assigned to the user as deltagaransvarig;
        none without ``capability``."""
        if capability is not None and not access.can(capability):
            return self.none()
        return self if everywhere else self.assigned_to(access.user)

    def assigned_to(self, user):
        return self.filter(assigned_users=user)

    def visible_to(self, access):
        """Insatser shown to ``access``: all of them, except for a deltagaransvarig who has no
        wider role, who sees the ones assigned to them."""
        return self._reach(access, access.can("view_all_interventions"))

    def with_volume_access(self, access):
        """Insatser whose volume counts ``access`` may see (counts, not persons: the same in both
        privacy models): every insats for administratör and analytiker, the assigned ones for a
        deltagaransvarig, also one who is läsare too (a läsare alone sees none)."""
        return self._reach(access, access.can("view_all_reports"), "view_volume_counts")

    def with_participant_access(self, access):
        """Insatser whose participant-level data ``access`` may see. Under "Parterna ansvarar"
        (``PrivacyModel.MEMBERS``) that is only the insatser the user is deltagaransvarig of,
        whatever other roles they hold; under "Förbundet ansvarar" administratörer and analytiker
        see every insats (``tenancy.permissions``)."""
        return self._reach(access, access.sees_all_interventions, "view_participants")


class Intervention(models.Model):
    KIND_CHOICES = codes.INTERVENTION_KIND.choices
    STATUS_CHOICES = codes.INTERVENTION_STATUS.choices

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="interventions")
    slug = models.SlugField(
        "kortnamn",
        max_length=60,
        validators=[validate_intervention_slug],
        help_text="Används i filer och webbadresser, t.ex. aktivitetsplatsen."
    )
    name = models.CharField("namn", max_length=200)
    kind = models.CharField("typ", max_length=12, choices=KIND_CHOICES, default="individual")
    start_date = models.DateField("startdatum")
    end_date = models.DateField("slutdatum", null=True, blank=True)
    owner_member = models.ForeignKey(
        Member,
        verbose_name="ägare (medlem)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_interventions",
    )
    external_provider = models.CharField(
        "extern utförare", max_length=200, blank=True, help_text="T.ex. en idéburen organisation."
    )
    target_groups = models.JSONField("målgrupper", default=list, blank=True)
    description = models.TextField("beskrivning", blank=True)
    status = models.CharField("status", max_length=10, choices=STATUS_CHOICES, default="active")
    # Blank: the förbund's controller (Association.controller_name) is named in the consent text.
    controller_name = models.CharField(
        "personuppgiftsansvarig för insatsen", max_length=200, blank=True,
        help_text="Bara om någon annan än förbundets personuppgiftsansvarige ansvarar för insatsens "
                  "deltagaruppgifter. Tomt: förbundets.",
    )
    controller_contact = models.CharField(
        "kontakt till insatsens personuppgiftsansvarige", max_length=200, blank=True,
        help_text="Tomt: förbundets kontaktuppgift.",
    )
    assigned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="deltagaransvariga",
        blank=True,
        related_name="assigned_interventions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped(queryset=InterventionQuerySet)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="intervention_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="intervention_end_after_start",
            ),
        ]
        verbose_name = "insats"
        verbose_name_plural = "insatser"

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "Slutdatum kan inte vara före startdatum."
        if self.owner_member_id and self.external_provider:
            errors["external_provider"] = "Ange antingen en medlem som ägare eller en extern utförare, inte båda."
        if self.owner_member_id and self.association_id and self.owner_member.association_id != self.association_id:
            errors["owner_member"] = "Ägaren måste vara medlem i förbundet."
        if errors:
            raise ValidationError(errors)

    def personal_data_controller(self):
        """(name, contact) of the personuppgiftsansvarig for this insats's participant data: the one
        place that decides it (the consent text and the insats page show it, docs/privacy.md).

        "Förbundet ansvarar": the förbund (its ``controller_name``, else its name). "Parterna
        ansvarar": the insats's own ``controller_name`` when set, else the member that owns the insats
        or its external provider; an insats with neither names the förbund's controller, so that the
        text never names nobody. The contact is the insats's own when set, else the förbund's (which
        forwards questions); a controller named on the insats is never given the förbund's contact."""
        from finsam.tenancy.models import PrivacyModel

        association = self.association
        if association.privacy_model == PrivacyModel.ASSOCIATION:
            return association.controller_name or association.name, association.controller_contact
        if self.controller_name:
            return self.controller_name, self.controller_contact
        name = self.owner_member.display_name if self.owner_member_id else self.external_provider
        return name or association.controller_name or association.name, (
            self.controller_contact or association.controller_contact)

    @property
    def controller_display(self):
        return self.personal_data_controller()[0]

    @property
    def owner_display(self):
        if self.owner_member:
            return self.owner_member.display_name
        return self.external_provider or "–"

    def target_group_labels(self):
        labels = dict(target_group_choices(self.association))
        return [labels.get(code, code) for code in self.target_groups]


def validate_goal_metric(value):
    if value in codes.GOAL_METRIC:
        return
    prefix = "share_exit_reason:"
    if value.startswith(prefix) and value[len(prefix):] in codes.EXIT_REASON:
        return
    raise ValidationError("Okänt mått %(value)s.", params={"value": value})


def goal_metric_label(metric):
    prefix = "share_exit_reason:"
    if metric.startswith(prefix):
        return f"Andel avslut med orsak {codes.EXIT_REASON.label(metric[len(prefix):]).lower()}"
    return codes.GOAL_METRIC.label(metric)


def is_share_metric(metric):
    return metric.startswith("share_")
