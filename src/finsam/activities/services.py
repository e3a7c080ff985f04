"""The one write path of activities and measure values from the pages: saved under the förbund's
write lock in one transaction, which marks the förbund's data changed (tenancy/changes.py). The
imports write through importing.py, under the same lock."""

from django.db import IntegrityError, transaction

from finsam.participants.services import lock_participant_writes
from finsam.tenancy.changes import delete_and_mark
from finsam.tenancy.models import mark_data_changed

from . import importing
from .models import Activity, MeasureValue


class Clash(Exception):
    """Another stored row has the identity the saved one would get (message in Swedish)."""


def _other(queryset, instance):
    return queryset.exclude(pk=instance.pk) if instance is not None and instance.pk else queryset


def save_activity(ctx, row, instance=None):
    """Create (``instance`` None) or update an activity from a cleaned row."""
    association = ctx.association
    with transaction.atomic():
        lock_participant_writes(association.pk)
        if row["reference"]:
            same = Activity.objects.filter(association=association, reference=row["reference"])
            what = "samma referens"
        else:
            same = Activity.objects.filter(association=association, reference="", intervention=row["intervention"],
                                           kind=row["kind"], date=row["date"], title=row["title"])
            what = "samma insats, typ, datum och titel"
        if _other(same, instance).exists():
            raise Clash(f"Det finns redan en aktivitet med {what}. Ändra den i stället.")
        activity = instance or Activity(association=association)
        for field in importing.ACTIVITY_FIELDS:
            setattr(activity, field, row[field])
        try:
            with transaction.atomic():
                activity.save()
        except IntegrityError:
            raise Clash(f"Det finns redan en aktivitet med {what}.") from None
        mark_data_changed(association.pk)
    return activity


def delete_activity(activity):
    delete_and_mark(activity)


def save_measure_value(ctx, row):
    """Create or update the value of (mått, insats, från, till): a new value for the same period
    replaces the stored one. A summed measure must not overlap another period."""
    association = ctx.association
    with transaction.atomic():
        lock_participant_writes(association.pk)
        row = {**row, "line": 1}  # the one row: any overlap is with a stored value
        overlapping = importing.overlaps(ctx, [row])
        if overlapping:
            raise Clash(overlapping[0].message[:1].upper() + overlapping[0].message[1:])
        stored = MeasureValue.objects.filter(association=association, measure=row["measure"],
                                             intervention=row["intervention"], start=row["start"],
                                             end=row["end"]).first()
        value = stored or MeasureValue(association=association)
        for field in importing.MEASURE_FIELDS:
            setattr(value, field, row[field])
        try:
            with transaction.atomic():
                value.save()
        except IntegrityError:
            raise Clash("Värdet sparades samtidigt av någon annan. Försök igen.") from None
        mark_data_changed(association.pk)
    return value


def delete_measure_value(value):
    delete_and_mark(value)
