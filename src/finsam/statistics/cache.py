"""Computed reports, cached and kept correct.

A report is cached under its association's data version (``tenancy.models.DataVersion``) and its
parameters. Every write to what the engine counts raises the version in the writing transaction:
the participant write path (``participants/services.py``) calls ``mark_data_changed`` itself (its
bulk statements send no signals), and the receivers below cover every other model the engine
reads, however it is saved through the ORM. A changed association therefore never meets an old
entry; old entries simply age out of the cache. See docs/decisions.md ("Report cache").
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from finsam.interventions.models import Goal, Intervention, TargetGroup
from finsam.participants.models import Participation, VolumeCount
from finsam.tenancy.models import Association, Member, data_version, mark_data_changed

from .engine import compute_report, consistent_read

TIMEOUT = 24 * 3600  # seconds; entries of changed associations are never read again and expire


def cached_report(association, date_from, date_to, interventions=None, *, publish=False, sections=False,
                  previous=False):
    """``engine.compute_report`` through the cache: the same Report object, computed once per
    association data version and parameters."""
    with consistent_read():  # the version and the data it stands for, read in one snapshot
        version = data_version(association.pk)
        key = "report:{}:{}:{}:{}:{}{}{}".format(
            version.key(), date_from.isoformat(), date_to.isoformat(), ",".join(sorted(interventions or [])),
            int(publish), int(sections), int(previous),
        )
        report = cache.get(key)
        if report is None:
            report = compute_report(association, date_from, date_to, interventions, publish=publish,
                                    sections=sections, previous=previous)
            report.cache_key = key  # for caches of what is made from it (the page's rendered tables)
            cache.set(key, report, TIMEOUT)
    return report


def cached_for_data_version(association, key, compute):
    """``compute()`` cached like a report: under the association's data version and ``key`` (the
    parameters), so that any change of what the engine reads recomputes it (e.g. the start page's
    data-quality counts, which read the participations the write path marks as changed)."""
    with consistent_read():
        full_key = f"{key}:{data_version(association.pk).key()}"
        value = cache.get(full_key)
        if value is None:
            value = compute()
            cache.set(full_key, value, TIMEOUT)
    return value


# --- invalidation -------------------------------------------------------------------------------

def _association_of(instance):
    if isinstance(instance, Association):
        return instance.pk
    if isinstance(instance, Goal):
        return Intervention.objects.filter(pk=instance.intervention_id).values_list("association_id", flat=True).first()
    return instance.association_id


def _changed(sender, instance, **kwargs):
    association_id = _association_of(instance)
    if association_id is not None:
        mark_data_changed(association_id)


# Participation is listed for saves outside the write path; its deletes and its child rows are not
# (a receiver would make Django fetch every row before a bulk delete), which is why the write path
# marks the change itself.
WATCHED = [Association, Member, Intervention, TargetGroup, Goal, VolumeCount]


def connect():
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"report-cache-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"report-cache-{model.__name__}-delete")
    post_save.connect(_changed, sender=Participation, dispatch_uid="report-cache-Participation-save")
