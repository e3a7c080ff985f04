"""Rows written once and never changed or deleted by the application: the access log and published
reports. A model inherits :class:`WriteOnceModel` and names the exception it raises and what it
says; the model and its queryset (``update``, ``delete``) refuse alike. A subclass owned by a förbund
declares ``objects = scoped(queryset=WriteOnceQuerySet)`` (tenancy/scope.py), which keeps both."""

from django.db import models


class WriteOnceQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise self.model.refused(self.model.change_refused)

    def delete(self):
        raise self.model.refused(self.model.delete_refused)


class WriteOnceModel(models.Model):
    refused = Exception  # the exception raised on a change or a deletion
    change_refused = delete_refused = ""  # what it says

    objects = WriteOnceQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise self.refused(self.change_refused)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.refused(self.delete_refused)
