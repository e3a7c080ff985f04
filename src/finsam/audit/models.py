"""The access log of personal data: append-only.

A row is written by the same code path that reads or writes participant-level data (see
:func:`finsam.audit.log.log_access`). The application never updates or deletes rows: the model
refuses it, the admin shows them read-only, and on PostgreSQL a trigger refuses it as well.
"""

from django.conf import settings
from django.db import models

from finsam.core.write_once import WriteOnceModel, WriteOnceQuerySet
from finsam.tenancy.models import Association
from finsam.tenancy.scope import scoped


class AppendOnlyError(Exception):
    pass


class AccessLog(WriteOnceModel):
    refused = AppendOnlyError
    change_refused = "The access log cannot be changed."
    delete_refused = "The access log cannot be deleted from the application."

    at = models.DateTimeField("tid", auto_now_add=True, db_index=True)
    # Empty for the system's own scheduled work (retention).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="användare", on_delete=models.PROTECT, related_name="+", null=True
    )
    association = models.ForeignKey(Association, verbose_name="förbund", on_delete=models.PROTECT, related_name="+")
    # Plain values rather than foreign keys: the log outlives what it names and must not make
    # every app that logs depend on every other.
    intervention_slug = models.CharField("insats", max_length=60, blank=True)
    action = models.CharField("åtgärd", max_length=40)
    subject = models.CharField("vad", max_length=200, blank=True)
    row_count = models.PositiveIntegerField("antal rader", default=0)

    objects = scoped(queryset=WriteOnceQuerySet)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["association", "-at"], name="accesslog_assoc_at")]
        verbose_name = "åtkomstlogg"
        verbose_name_plural = "åtkomstlogg"
