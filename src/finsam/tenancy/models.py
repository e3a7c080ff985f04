"""Associations (förbund), their members, users and the roles users hold in associations."""

import unicodedata

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone

from finsam import codes
from finsam.core.identifiers import normalise_organisationsnummer, valid_kommunkod

from .scope import Scope, scoped

# Slugs that would collide with the project's own top-level URLs.
RESERVED_SLUGS = {"konto", "system", "static", "admin", "healthz", "om", "tillganglighet", "media", "samtycke", "hjalp"}


def validate_association_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError("Kortnamnet %(value)s är reserverat. Välj ett annat.", params={"value": value})


def validate_organisationsnummer(value):
    if normalise_organisationsnummer(value) is None:
        raise ValidationError(
            "Ogiltigt organisationsnummer. Skriv tio siffror som NNNNNN-NNNN med korrekt kontrollsiffra."
        )


class User(AbstractUser):
    """A person who works in the system (never a participant). ``is_superuser`` makes a
    systemadministratör, who creates associations but sees no association's data without a role."""

    # Set whenever someone other than the user chose the password (an administrator creating the
    # account); core.middleware then sends every page to the password change until it is changed,
    # because the administrator knows it and it may have travelled by mail or phone.
    must_change_password = models.BooleanField("måste byta lösenord", default=False)

    class Meta:
        verbose_name = "användare"
        verbose_name_plural = "användare"

    def __str__(self):
        return self.get_full_name() or self.username


MINIMUM_MASKING_THRESHOLD = 3


class PrivacyModel(models.TextChoices):
    """Who is personuppgiftsansvarig for participant data (docs/privacy.md)."""

    MEMBERS = "members", "Parterna ansvarar"
    ASSOCIATION = "association", "Förbundet ansvarar"


class Association(models.Model):
    slug = models.SlugField(
        "kortnamn",
        max_length=50,
        unique=True,
        validators=[validate_association_slug],
        help_text="Används i webbadresser, t.ex. exempelstad. Små bokstäver, siffror och bindestreck.",
    )
    name = models.CharField("namn", max_length=200)
    organisationsnummer = models.CharField(
        "organisationsnummer", max_length=11, blank=True, validators=[validate_organisationsnummer]
    )
    masking_threshold = models.PositiveSmallIntegerField(
        "gräns för maskering",
        default=5,
        # 3 at least: counts of 1 and 2 are never published (issue 9).
        validators=[MinValueValidator(MINIMUM_MASKING_THRESHOLD), MaxValueValidator(50)],
        help_text="I publicerade rapporter döljs antal från 1 upp till gränsen minus ett. Standard 5 (1–4 döljs); "
                  "lägst 3.",
    )
    retention_years = models.PositiveSmallIntegerField(
        "gallring efter (år)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Deltaganden avidentifieras så många år efter avslut.",
    )
    grade_acceptable_percent = models.PositiveSmallIntegerField(
        "gräns för Godtagbart (procent av målet)",
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # Named in the consent text the participant reads (participants/consent.py); an insats may
    # name another controller (Intervention.controller_name).
    controller_name = models.CharField(
        "personuppgiftsansvarig", max_length=200, blank=True,
        help_text="Den som är personuppgiftsansvarig för deltagaruppgifterna. Tomt: förbundet självt.",
    )
    controller_contact = models.CharField(
        "kontakt till personuppgiftsansvarig", max_length=200, blank=True,
        help_text="E-postadress, telefonnummer eller postadress som deltagarna kan vända sig till. "
                  "Visas i samtyckestexten.",
    )
    # Who is responsible for participant data (issue 10, docs/privacy.md). By default the member
    # (or provider) running each insats is, and only its deltagaransvariga see participant rows.
    privacy_model = models.CharField(
        "personuppgiftsansvar", max_length=12, choices=PrivacyModel.choices, default=PrivacyModel.MEMBERS,
        help_text="Parterna ansvarar: bara insatsernas deltagaransvariga ser uppgifter om enskilda deltagare. "
                  "Förbundet ansvarar: förbundet har beslutat en egen rättslig grund, och dess administratörer "
                  "och analytiker får då också se, importera och exportera deltagaruppgifter.",
    )
    legal_basis = models.CharField(
        "förbundets rättsliga grund", max_length=500, blank=True,
        help_text="Krävs när förbundet ansvarar, t.ex. beslut om uppgift av allmänt intresse enligt "
                  "dataskyddsförordningen artikel 6.1 e.",
    )
    legal_basis_decided_on = models.DateField(
        "beslutsdatum för den rättsliga grunden", null=True, blank=True,
        help_text="Datum då styrelsen beslutade den rättsliga grunden.",
    )
    # Pseudonymous participations (no identity number, issue 10): whether they need a consent date.
    pseudonymous_consent_required = models.BooleanField(
        "samtycke krävs för pseudonyma deltaganden", default=True,
        help_text="Pseudonyma deltaganden har inget personnummer men alla andra uppgifter.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "samordningsförbund"
        verbose_name_plural = "samordningsförbund"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            DataVersion.objects.create(association=self)

    def clean(self):
        # Invisible format characters (zero-width spaces) are no legal basis either.
        visible_basis = "".join(ch for ch in self.legal_basis or "" if unicodedata.category(ch) != "Cf").strip()
        if self.privacy_model == PrivacyModel.ASSOCIATION and not (visible_basis and self.legal_basis_decided_on):
            raise ValidationError({
                "legal_basis": "Ange förbundets rättsliga grund och beslutsdatum när förbundet ansvarar för "
                               "deltagaruppgifterna.",
            })
        if (self.privacy_model == PrivacyModel.ASSOCIATION and self.legal_basis_decided_on
                and self.legal_basis_decided_on > timezone.localdate()):
            # Not decided yet: the administratörer and analytiker get participant data only once it is.
            raise ValidationError({
                "legal_basis_decided_on": "Beslutsdatumet kan inte vara i framtiden. Förbundet ansvarar för "
                                          "deltagaruppgifterna först när beslutet om den rättsliga grunden är fattat.",
            })
        if self.organisationsnummer:
            normalised = normalise_organisationsnummer(self.organisationsnummer)
            if normalised:
                self.organisationsnummer = normalised


class DataVersion(models.Model):
    """A counter that goes up whenever anything an association's reports count changes (its
    participations, insatser, goals, members, target groups, volume counts or settings). Caches
    of computed reports are keyed by it, so a change is never served stale. A table of its own,
    so that saving an Association (a form holding an old copy) can never set it back; only
    ``mark_data_changed`` writes it. ``changed_at`` goes into cache keys too: after a database
    restore the counter repeats old values, the time does not."""

    association = models.OneToOneField(Association, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = scoped()

    def key(self):
        return f"{self.association_id}:{self.version}:{self.changed_at.timestamp():.6f}"


def mark_data_changed(association_id):
    """Say that what an association's reports count has changed (inside the writing transaction,
    so readers see the new version exactly when they can see the new data). Only ever an UPDATE:
    every association gets its row when it is created (``Association.save``, migration 0002).
    In the förbund's own scope, also where none is active yet (an Association saved by the
    systemadministratör); inside another förbund's scope it refuses (tenancy/scope.py)."""
    from django.utils import timezone

    with Scope.of(association_id).activate():
        DataVersion.objects.filter(association_id=association_id).update(
            version=F("version") + 1, changed_at=timezone.now()
        )


def data_version(association_id):
    """The current DataVersion of an association (one indexed read)."""
    return DataVersion.objects.get_or_create(association_id=association_id)[0]


class Member(models.Model):
    """A member agency: Försäkringskassan, Arbetsförmedlingen, the region or a municipality."""

    KIND_CHOICES = codes.MEMBER_KIND.choices

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField("typ", max_length=10, choices=KIND_CHOICES)
    municipality_code = models.CharField(
        "kommunkod", max_length=4, blank=True, help_text="SCB:s fyrsiffriga kommunkod, t.ex. 0180."
    )
    name = models.CharField("namn", max_length=200, blank=True)

    objects = scoped()

    class Meta:
        ordering = ["kind", "municipality_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "kind", "municipality_code"], name="member_unique_per_association"
            )
        ]
        verbose_name = "medlem"
        verbose_name_plural = "medlemmar"

    def __str__(self):
        return self.display_name

    @property
    def code(self):
        """The member's code in files and reports: ``fk``, ``af``, ``region`` or ``kommun:<kod>``."""
        return f"kommun:{self.municipality_code}" if self.kind == "kommun" else self.kind

    @property
    def display_name(self):
        return self.name or codes.MEMBER_KIND.label(self.kind)

    def clean(self):
        if self.kind == "kommun":
            if not valid_kommunkod(self.municipality_code or ""):
                raise ValidationError(
                    {"municipality_code": "Ange kommunens fyrsiffriga kommunkod enligt SCB, t.ex. 0180."}
                )
        elif self.municipality_code:
            raise ValidationError({"municipality_code": "Kommunkod anges bara för kommuner."})
        if self.kind in ("region", "kommun") and not self.name:
            raise ValidationError({"name": "Ange namnet, t.ex. Region Exempel eller Exempelstads kommun."})


class Role(models.TextChoices):
    ADMIN = "admin", "Förbundsadministratör"
    ANALYST = "analyst", "Analytiker"
    PARTICIPANT_MANAGER = "participant_manager", "Deltagaransvarig"
    READER = "reader", "Läsare"


ROLE_DESCRIPTIONS = {
    Role.ADMIN: "Förbundet, insatser, användare och alla rapporter; deltagare bara om förbundet ansvarar för "
                "deltagaruppgifterna.",
    Role.ANALYST: "Alla rapporter; läser in och exporterar deltagare bara om förbundet ansvarar för "
                  "deltagaruppgifterna.",
    Role.PARTICIPANT_MANAGER: "Registrerar, läser in, exporterar och ser deltagare i de insatser som hen är tilldelad.",
    Role.READER: "Styrelse och styrgrupp: bara sammanställda rapporter, aldrig uppgifter om enskilda.",
}


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("roll", max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "association", "role"], name="role_unique_per_user")
        ]
        verbose_name = "roll"
        verbose_name_plural = "roller"

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} i {self.association}"
