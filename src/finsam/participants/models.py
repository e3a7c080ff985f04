"""Participations (one person's period in one insats), their multi-valued answers, volume counts
and the change history. No names anywhere; a person is a keyed hash of the identity number."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from finsam import codes
from finsam.interventions.models import Intervention
from finsam.tenancy.models import Association
from finsam.tenancy.scope import scoped

# A participation with no end date is treated as ending on this day when periods are compared,
# so that "overlaps the period" is one range condition that an index can answer.
OPEN_END = datetime.date(9999, 12, 31)


class _OpenEndLiteral(Value):
    """OPEN_END written into the SQL rather than passed as a parameter: SQLite uses an expression
    index only for the very same expression, and the index holds the literal."""

    def as_sqlite(self, compiler, connection):
        return f"'{OPEN_END.isoformat()}'", []


def period_end(prefix="", *, in_query=False):
    """The participation's last day for period overlap: its end date, or OPEN_END while ongoing.
    The statistics engine compares with exactly this expression (``in_query=True``), which the
    indexes ``participation_current`` and ``participation_assoc_current`` hold."""
    end = (_OpenEndLiteral if in_query else Value)(OPEN_END, output_field=models.DateField())
    return Coalesce(f"{prefix}end_date", end)


# What the report tables read of the participations current, new and exited in a period (the
# INCLUDE columns of the covering indexes below).
CURRENT_COLUMNS = ["id", "start_date", "end_date", "intervention", "anonymous", "gender", "exit_reason", "age_at_start",
                   "municipality", "person_key"]
NEW_COLUMNS = ["id", "intervention", "anonymous", "gender", "exit_reason", "education", "time_on_support", "referrer"]
EXITED_COLUMNS = ["id", "intervention", "anonymous", "gender", "exit_reason", "start_date", "support_at_entry_and_exit"]

# Fields an anonymous participation may hold; everything else stays empty (variables.md).
ANONYMOUS_FIELDS = ("intervention", "reference", "gender", "start_date", "end_date")


def age_at(birth_year, birth_month, day):
    """Whole years at ``day`` from birth year and month (the day of birth is not known)."""
    if birth_year is None or day is None:
        return None
    age = day.year - birth_year
    if birth_month and day.month < birth_month:
        age -= 1
    return age


class Participation(models.Model):
    # No single-column indexes: the indexes below that begin with these columns serve the lookups.
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="participations",
                                    db_index=False)
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="participations",
                                     db_index=False)
    reference = models.CharField("egen referens", max_length=60, blank=True)
    person_key = models.CharField(max_length=64, blank=True)  # indexed below (no LIKE index)
    anonymous = models.BooleanField("anonym", default=False)
    # Pseudonymous (issue 10): every variable kept, no identity number; the referens identifies it.
    # Identified = neither anonymous nor pseudonymous. See ``kind``.
    pseudonymous = models.BooleanField("pseudonym", default=False)
    gender = models.CharField("kön", max_length=12, choices=codes.GENDER.choices)
    legal_gender = models.CharField(max_length=12, blank=True)  # from the identity number
    birth_year = models.PositiveSmallIntegerField("födelseår", null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    # Derived from birth year and month and the start date on every write (see save() and
    # services._row_values), so that the age table counts without date arithmetic per row.
    age_at_start = models.SmallIntegerField(null=True, blank=True, editable=False)
    # Derived on every write by the write path (services._row_values, which also writes the
    # support rows): support recorded both at entry and at exit, i.e. the population of the
    # support table, found without looking into every exited participation's support rows.
    support_at_entry_and_exit = models.BooleanField(default=False, editable=False)
    consent_date = models.DateField("samtycke, datum", null=True, blank=True)
    consent_form = models.CharField("samtycke, form", max_length=10, choices=codes.CONSENT_FORM.choices, blank=True)
    consent_text_version = models.CharField("samtyckestextens version", max_length=20, blank=True)
    start_date = models.DateField("startdatum")
    end_date = models.DateField("slutdatum", null=True, blank=True)
    referrer = models.CharField("anmälande part", max_length=20, blank=True)
    referring_unit = models.CharField("anmälande enhet", max_length=20, blank=True, choices=codes.REFERRING_UNIT.choices)
    education = models.CharField("utbildning", max_length=40, blank=True, choices=codes.EDUCATION.choices)
    time_on_support = models.CharField("tid i offentlig försörjning", max_length=20, blank=True, choices=codes.TIME_BAND.choices)
    time_without_work = models.CharField("tid utan arbete", max_length=20, blank=True, choices=codes.TIME_BAND.choices)
    municipality = models.CharField("folkbokföringskommun", max_length=4, blank=True)
    born_abroad = models.CharField("född utomlands", max_length=20, blank=True, choices=codes.YES_NO_UNKNOWN.choices)
    impairment = models.CharField("funktionsnedsättning", max_length=20, blank=True, choices=codes.YES_NO_UNKNOWN.choices)
    violence_questions = models.CharField("frågor om våld", max_length=12, blank=True, choices=codes.VIOLENCE_QUESTIONS.choices)
    exit_reason = models.CharField("avslutsorsak", max_length=30, blank=True, choices=codes.EXIT_REASON.choices)
    # Set when retention (gallring) de-identified the participation; see services.deidentify.
    deidentified_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: a save must name the version it was read at.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped()

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "reference"],
                condition=~models.Q(reference=""),
                name="participation_unique_reference",
            ),
            # One person starts one insats at most once a day, whatever the referens: enforced by
            # the database, because checking first and inserting after races (issue 9). Rows
            # without a key (anonymous, anonymised) are identified by their referens instead.
            models.UniqueConstraint(
                fields=["intervention", "person_key", "start_date"],
                condition=~models.Q(person_key=""),
                name="participation_unique_person_start",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="participation_exit_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(anonymous=False) | models.Q(person_key=""),
                name="participation_anonymous_has_no_key",
            ),
            models.CheckConstraint(
                condition=models.Q(pseudonymous=False) | (models.Q(person_key="") & models.Q(anonymous=False)),
                name="participation_pseudonymous_has_no_key",
            ),
        ]
        # Reports select by period: participations current in it (overlapping), new in it (by
        # start date) and exited in it (by end date). For each population a covering index per
        # förbund and one across förbund (national reports), each holding every column the tables
        # of that population count, so that PostgreSQL reads only the period's index entries,
        # never the table (performance.md). SQLite builds them on their key columns only.
        indexes = [
            models.Index(F("association"), period_end(), name="participation_assoc_current",
                         include=CURRENT_COLUMNS),
            models.Index(fields=["association", "start_date"], name="participation_assoc_start", include=NEW_COLUMNS),
            models.Index(fields=["association", "end_date"], name="participation_assoc_end", include=EXITED_COLUMNS),
            models.Index(fields=["intervention", "start_date"], name="participation_interv_start"),
            # Equality only (import matching, search by identity number): db_index=True would add
            # a second, LIKE-capable copy on PostgreSQL (226 MB for 2 000 000 participations).
            models.Index(fields=["person_key"], name="participation_person_key"),
            models.Index(period_end(), name="participation_current", include=["association", *CURRENT_COLUMNS]),
            models.Index(fields=["start_date"], name="participation_start", include=["association", *NEW_COLUMNS]),
            models.Index(fields=["end_date"], name="participation_end", include=["association", *EXITED_COLUMNS]),
        ]
        verbose_name = "deltagande"
        verbose_name_plural = "deltaganden"

    def __str__(self):
        return self.reference or f"Deltagande {self.pk}"

    def save(self, *args, **kwargs):
        self.age_at_start = age_at(self.birth_year, self.birth_month, self.start_date)
        super().save(*args, **kwargs)

    @property
    def kind(self):
        """``identified`` (identity number), ``pseudonymous`` (referens only) or ``anonymous``."""
        return "anonymous" if self.anonymous else "pseudonymous" if self.pseudonymous else "identified"

    @property
    def kind_label(self):
        """The kind as users read it (``codes.PARTICIPATION_KIND``)."""
        return codes.PARTICIPATION_KIND.label(self.kind)

    @property
    def ongoing(self):
        return self.end_date is None


class SupportRecord(models.Model):
    """One means of support at entry or at exit (several may hold at once)."""

    ENTRY, EXIT = "entry", "exit"
    # No index of its own: support_unique (participation, phase, code) serves every lookup.
    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="support", db_index=False)
    phase = models.CharField(max_length=5, choices=[(ENTRY, "vid inskrivning"), (EXIT, "vid avslut")])
    code = models.CharField(max_length=30, choices=codes.SUPPORT.choices)

    objects = scoped("participation__association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participation", "phase", "code"], name="support_unique")
        ]


class TargetGroupRecord(models.Model):
    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="target_group_records")
    code = models.CharField(max_length=50)

    objects = scoped("participation__association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participation", "code"], name="target_group_record_unique")]


class ParticipationChange(models.Model):
    """History: who changed which fields of a participation, and when. Values of identity are never
    written here; other values are, so that a correction can be traced."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20)  # created, updated, exited, anonymised, imported
    changes = models.JSONField(default=dict)  # field -> [old, new]

    objects = scoped("participation__association")

    class Meta:
        ordering = ["-at", "-id"]


class VolumeCount(models.Model):
    """Counts by gender without individuals (group activities, structural insatser)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="volume_counts")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="volume_counts")
    period_start = models.DateField("från")
    period_end = models.DateField("till")
    women = models.PositiveIntegerField("kvinnor", default=0)
    men = models.PositiveIntegerField("män", default=0)
    other = models.PositiveIntegerField("annat/ej angivet", default=0)
    note = models.CharField("anteckning", max_length=300, blank=True)

    objects = scoped()

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="volume_period_order"
            )
        ]


class ConsentRequest(models.Model):
    """A one-time link for consent on the participant's own phone (see consent.py)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="consent_requests")
    token_hash = models.CharField(max_length=64, unique=True)
    text_version = models.CharField(max_length=20)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    consented = models.BooleanField(null=True)
    participation = models.OneToOneField(
        Participation, null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_request"
    )

    objects = scoped()


class ConsentText(models.Model):
    """The exact consent text a version stands for (see consent.py): the text depends on the
    förbund's settings, so the version alone would not say what the participant read."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=20)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "version"], name="consent_text_unique_version")
        ]
