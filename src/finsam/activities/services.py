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


def _save(obj, fields, row, clash):
    """Set ``fields`` from ``row`` and save, inside the caller's transaction; the database's unique
    constraint is the last word (a row saved at the same moment by someone else)."""
    for field in fields:
        setattr(obj, field, row[field])
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Clash(clash) from None
    mark_data_changed(obj.association_id)
    return obj


def save_activity(ctx, row, instance=None):
    """Create (``instance`` None) or update an activity from a cleaned row."""
    association = ctx.association
    what = "samma referens" if row["reference"] else "samma insats, typ, datum och titel"
    with transaction.atomic():
        lock_participant_writes(association.pk)
        stored = importing.stored_activity(association, row)
        if stored is not None and (instance is None or stored.pk != instance.pk):
            raise Clash(f"Det finns redan en aktivitet med {what}. Ändra den i stället.")
        return _save(instance or Activity(association=association), importing.ACTIVITY_FIELDS, row,
                     f"Det finns redan en aktivitet med {what}.")


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
        stored = importing.stored_measure(association, row)
        return _save(stored or MeasureValue(association=association), importing.MEASURE_FIELDS, row,
                     "Värdet sparades samtidigt av någon annan. Försök igen.")


def delete_measure_value(value):
    delete_and_mark(value)
