"""What the surveys app registers with the rest of the system (called from AppConfig.ready): its
tables (report_tables.py, source "surveys"), when a report has survey data, and the metric source
``surveys`` (metric.py)."""


def has_rounds(association, date_from, date_to, interventions=None):
    """A report shows the survey tables when a round's ``to`` lies in its period (its insatser's
    rounds only, with an insats filter)."""
    from .results import select_rounds

    ids = None
    if interventions:
        ids = list(association.interventions.filter(slug__in=interventions).values_list("pk", flat=True))
        if not ids:
            return False
    return select_rounds(association, date_from, date_to, ids).exists()


def register_all():
    from finsam.statistics import metrics, tables

    from . import metric
    from .publication import mask_against_earlier

    tables.add_family_module("finsam.surveys.report_tables")
    tables.register_presence("surveys", has_rounds)
    tables.register_publication_hook(mask_against_earlier)
    metrics.register_source(metric.SOURCE)
