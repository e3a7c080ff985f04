"""Retention (gallring): a person's participations are de-identified once the person's last
participation in the association ended more than the retention period ago (see
services.deidentify and docs/privacy.md). Working per person, not per participation, keeps a
person who is still (or again) taking part from turning into two people in the statistics."""

import datetime

from django.db.models import Q
from django.utils import timezone

from finsam.audit.log import log_access

from . import services
from .models import Participation


def retention_cutoff(association, today):
    """Participations that ended before this date are due."""
    try:
        return today.replace(year=today.year - association.retention_years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - association.retention_years, day=28)


def due(association, today=None):
    today = today or datetime.date.today()
    cutoff = retention_cutoff(association, today)
    participations = Participation.objects.filter(association=association)
    still_active = participations.exclude(person_key="").filter(Q(end_date__isnull=True) | Q(end_date__gte=cutoff))
    return participations.filter(end_date__lt=cutoff, deidentified_at__isnull=True).exclude(
        person_key__in=still_active.values("person_key")
    )


def run_retention(association, *, today=None, dry_run=False):
    """De-identify what is due; returns the count (what would change, with ``dry_run``)."""
    participations = due(association, today)
    if dry_run:
        return participations.count()
    count = services.deidentify(participations, now=timezone.now())
    if count:
        log_access(None, association, "retention", subject=f"gallring före {retention_cutoff(association, today or datetime.date.today())}",
                   row_count=count)
    return count
