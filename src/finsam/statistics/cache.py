"""Computed reports, cached and kept correct.

A report is cached under its association's data version (``tenancy.models.DataVersion``) and its
parameters. Every write to what the engine counts raises the version in the writing transaction:
each app's write services mark the förbund's data changed themselves (``tenancy/changes.py``;
participants/services.py for its bulk statements, which send no signals), and the receivers below,
derived from ``sources.models_read()`` (the table registry), are a safety net for ORM writes outside any service. A
changed association therefore never meets an old entry; old entries simply age out of the cache.
See docs/decisions.md ("Report cache").
"""

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from finsam.tenancy.changes import mark_changed
from finsam.tenancy.models import data_version

from .engine import compute_report, consistent_read
from .sources import models_read

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


# --- safety net ---------------------------------------------------------------------------------
# The write services mark the förbund's data changed themselves (tenancy/changes.py,
# participants/services.py); tests/test_data_versions.py checks each of them with these receivers
# disconnected. The receivers stay for ORM writes outside any service (the shell, a fixture, a
# command someone adds): a save or a delete of any model the engine reads (sources.models_read())
# raises the version too. An app lists in its AppConfig as ``bulk_written`` the models its services
# delete in bulk and always mark themselves: a post_delete receiver on them would make Django fetch
# every row before such a delete.

def _changed(sender, instance, **kwargs):
    mark_changed(instance)


def _deletes_watched(model):
    return model.__name__ not in getattr(apps.get_app_config(model._meta.app_label), "bulk_written", ())


def receivers():
    """(signal, model) pairs the safety net connects, derived from what the engine reads."""
    pairs = []
    for model in models_read():
        pairs.append((post_save, model))
        if _deletes_watched(model):
            pairs.append((post_delete, model))
    return pairs


def _uid(signal, model):
    return f"report-cache-{model._meta.label}-{'save' if signal is post_save else 'delete'}"


def connect():
    for signal, model in receivers():
        signal.connect(_changed, sender=model, dispatch_uid=_uid(signal, model))


def disconnect():
    """Switch the safety net off (tests/test_data_versions.py: do the write services mark?)."""
    for signal, model in receivers():
        signal.disconnect(sender=model, dispatch_uid=_uid(signal, model))
