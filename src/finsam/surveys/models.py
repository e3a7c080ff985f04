"""Indicator surveys (shared/spec/surveys.md): question sets, rounds, single-use codes, responses.

What is stored about a response is deliberately little (docs/privacy.md, "Indicator surveys"): a
random id, the round, the channel, the language and the date without time; its answers are the
response, the question and a step code, *vet ej* or a text. A code is a keyed hash, with no link to
any response: a code is used by deleting its row in the response's transaction, so that no row left
was written by that transaction but the response's own (on PostgreSQL every row carries the id of
the transaction that wrote it, ``xmin``). Every row of these models has a random primary key where
its insertion order could order responses (responses, answers, import ids), so that no column ties a
response to the moment it was given (the database's own order of rows remains: docs/privacy.md).

Every model with a förbund carries ``association`` itself (one scope path, ``scoped()``).
``NationalComparison`` is no tenant's data: the national network's figures, the same for every
förbund (docs/decisions.md, "National comparison rows").
"""

import secrets
import uuid

from django.conf import settings
from django.db import models

from finsam.interventions.models import Intervention
from finsam.tenancy.models import Association
from finsam.tenancy.scope import scoped

from . import codes


def new_token():
    return secrets.token_urlsafe(24)


class QuestionSet(models.Model):
    """One version of a question set (frågeuppsättning). Locked once a response exists."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="question_sets")
    key = models.SlugField("nyckel", max_length=80)
    version = models.PositiveIntegerField("version")
    source = models.CharField("källa", max_length=10, choices=codes.SOURCE.choices)
    title = models.CharField("titel", max_length=300)
    languages = models.JSONField("språk", default=list)
    ui = models.JSONField("sidtexter", default=dict)  # language -> key -> text
    locked = models.BooleanField("låst", default=False)
    # nns: who confirmed the förbund's agreement with NNS when the file was loaded, and when.
    nns_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    nns_confirmed_by_name = models.CharField("bekräftat av", max_length=200, blank=True)
    nns_confirmed_at = models.DateTimeField("avtal bekräftat", null=True, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    objects = scoped()

    class Meta:
        ordering = ["key", "version"]
        constraints = [models.UniqueConstraint(fields=["association", "key", "version"], name="survey_set_version_unique")]
        verbose_name = "frågeuppsättning"
        verbose_name_plural = "frågeuppsättningar"

    def __str__(self):
        return f"{self.title} (version {self.version})"


class RespondentGroup(models.Model):
    """A respondent group a question set declares, beside the six built in (codes.RESPONDENT_GROUP)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="respondent_groups")
    code = models.SlugField("kod", max_length=50)
    label = models.CharField("benämning", max_length=200)

    objects = scoped()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["association", "code"], name="survey_group_unique")]


class Indicator(models.Model):
    """An indicator: unique by code within the förbund, owned by one set key (shared by its versions)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="survey_indicators")
    set_key = models.SlugField(max_length=80)
    code = models.CharField("kod", max_length=30)
    name = models.CharField("namn", max_length=300)
    level = models.CharField("nivå", max_length=20, choices=codes.LEVEL.choices)
    measurement_points = models.JSONField("mätpunkter", default=list)  # [{"code", "text"}]

    objects = scoped()

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["association", "code"], name="survey_indicator_unique")]


class Scale(models.Model):
    """An answer scale of one set version: steps top first (code, bucket, label per language) and
    the label of *vet ej* per language (None: no *vet ej*)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="scales")
    key = models.SlugField(max_length=50)
    steps = models.JSONField(default=list)  # [{"code", "bucket", "label": {lang: text}}]
    dont_know = models.JSONField(null=True, blank=True)  # {lang: text} or None

    objects = scoped()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["question_set", "key"], name="survey_scale_unique")]

    @property
    def step_codes(self):
        return [s["code"] for s in self.steps]


class Question(models.Model):
    """A question of one set version. Its key is shared by the set's versions and unique in the
    förbund; ``scale`` None is a free-text question."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    key = models.SlugField(max_length=50)
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="questions")
    measurement_point = models.CharField(max_length=30, blank=True)
    groups = models.JSONField(default=list)  # respondent group codes
    scale = models.ForeignKey(Scale, null=True, blank=True, on_delete=models.PROTECT, related_name="questions")
    text = models.JSONField(default=dict)  # {lang: text}

    objects = scoped()

    class Meta:
        ordering = ["question_set", "position"]
        constraints = [models.UniqueConstraint(fields=["question_set", "key"], name="survey_question_unique")]

    @property
    def is_free_text(self):
        return self.scale_id is None

    def __str__(self):
        return self.key


class Round(models.Model):
    """An enkätomgång: one set version, one respondent group, one insats or the förbund, a window."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="survey_rounds")
    key = models.SlugField("nyckel", max_length=100)
    title = models.CharField("titel", max_length=300)
    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="rounds")
    respondent_group = models.CharField("respondentgrupp", max_length=50)
    intervention = models.ForeignKey(Intervention, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="survey_rounds")
    date_from = models.DateField("från")
    date_to = models.DateField("till")
    population_kind = models.CharField(max_length=10, choices=codes.POPULATION_KIND.choices, default="unknown")
    population_number = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField("status", max_length=10, choices=codes.STATUS.choices, default="utkast")
    token = models.CharField(max_length=64, unique=True, default=new_token)  # names the round in its link
    codes_required = models.BooleanField("kräver kod", default=False)
    # Codes issued so far; used = issued − code rows left. Written only by services.issue_codes (an
    # UPDATE under the round's lock), never in a response's transaction; save() leaves it alone.
    codes_issued = models.PositiveIntegerField("utdelade koder", default=0, editable=False)

    objects = scoped()

    class Meta:
        ordering = ["date_from", "key"]
        constraints = [models.UniqueConstraint(fields=["association", "key"], name="survey_round_unique")]
        verbose_name = "enkätomgång"
        verbose_name_plural = "enkätomgångar"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Saving a round read earlier (a form, the survey file) never writes ``codes_issued``: codes
        issued meanwhile would be forgotten, and each code used would then count as unused."""
        if self._state.adding or kwargs.get("update_fields") is not None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                   if not f.primary_key and f.name != "codes_issued"]
        return super().save(*args, **kwargs)


class SurveyCode(models.Model):
    """A single-use code that is still unused: its keyed hash, nothing else (no time, no response).
    Using it deletes the row (services.record_response); ``Round.codes_issued`` keeps the count."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)

    objects = scoped()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "code_hash"], name="survey_code_unique")]


class Response(models.Model):
    """A submitted questionnaire. Nothing but this: random id, round, channel, language, date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(max_length=10, choices=codes.CHANNEL.choices)
    language = models.CharField(max_length=20)
    date = models.DateField()

    objects = scoped()


class Answer(models.Model):
    """One answered question of a response: a step code, *vet ej* or a text. A skipped question has
    no row (skipped = responses − answered)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    step = models.CharField(max_length=50, blank=True)  # a step code, or codes.DONT_KNOW
    text = models.TextField(blank=True)  # free text

    objects = scoped()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_answer_unique")]


class ImportId(models.Model):
    """The keyed hash of (round, svar_id) of an imported response: importing it again is a no-op."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64)
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="+")

    objects = scoped()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "key_hash"], name="survey_import_id_unique")]


class SurveyGoal(models.Model):
    """A survey goal of the survey file: year, insats or the förbund, group or all, question or
    indicator, target share."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="survey_goals")
    position = models.PositiveIntegerField()
    year = models.PositiveIntegerField()
    intervention = models.ForeignKey(Intervention, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    respondent_group = models.CharField(max_length=50, blank=True)  # "" = all groups pooled
    question_key = models.CharField(max_length=50, blank=True)
    indicator_code = models.CharField(max_length=30, blank=True)
    target = models.DecimalField(max_digits=6, decimal_places=4)

    objects = scoped()

    class Meta:
        ordering = ["position"]


class NationalComparison(models.Model):
    """A row of the national comparison file: not a förbund's data (docs/decisions.md)."""

    year = models.PositiveIntegerField()
    respondent_group = models.CharField(max_length=50)  # a group code or "totalt"
    key = models.CharField(max_length=50)  # question key or indicator code
    n = models.PositiveIntegerField()
    share_positive = models.DecimalField(max_digits=6, decimal_places=4)
    associations = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "respondent_group", "key"],
                                               name="survey_national_unique")]
