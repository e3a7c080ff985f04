"""Data-quality warnings: participations that probably lack a registration.

One definition per warning, used both to count them on the start page and to list the rows
(``participants:list`` with ``?varning=<kind>``), so the count and the list always agree.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q

from finsam import codes

from .models import Participation, SupportRecord

LONG_MONTHS = 24
WARNINGS = {  # kind (the query parameter's value) -> label
    "lang-tid": f"Pågående i mer än {LONG_MONTHS} månader",
    "utan-forsorjning-efter": "Avslutade utan försörjning vid avslut",
    "utan-samtycke": "Samtyckesdatum saknas",
}
STATUS = {"lang-tid": "ongoing", "utan-forsorjning-efter": "exited", "utan-samtycke": "all"}  # the list's status filter


def today():
    """The start page's "today": its figures and warnings, and the lists its warnings link to, are
    counted at this day (tests replace it; nothing else reads the clock for them)."""
    return datetime.date.today()


def months_before(day, months):
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue


def condition(kind, association, today):
    """The Q of the participations with warning ``kind`` (felregistreringar never warn)."""
    if kind == "lang-tid":
        q = Q(end_date__isnull=True, start_date__lt=months_before(today, LONG_MONTHS))
    elif kind == "utan-forsorjning-efter":
        # Anonymous participations keep no support; only identified and pseudonymous ones warn.
        exit_support = SupportRecord.objects.filter(participation=OuterRef("pk"), phase=SupportRecord.EXIT)
        q = Q(end_date__isnull=False, anonymous=False) & ~Q(Exists(exit_support))
    elif kind == "utan-samtycke":
        q = Q(consent_date__isnull=True, anonymous=False, deidentified_at__isnull=True)
        if not association.pseudonymous_consent_required:
            q &= Q(pseudonymous=False)
    else:
        raise ValueError(kind)
    return q & ~Q(exit_reason=codes.EXIT_REASON_EXCLUDED)


def counts(association, interventions, today):
    """{intervention id: {kind: count}} for the insatser ``interventions`` (ids), in one query."""
    rows = (Participation.objects.filter(association=association, intervention__in=interventions)
            .values("intervention").order_by()
            .annotate(**{kind.replace("-", "_"): Count("id", filter=condition(kind, association, today))
                         for kind in WARNINGS}))
    return {r["intervention"]: {kind: r[kind.replace("-", "_")] for kind in WARNINGS} for r in rows}
