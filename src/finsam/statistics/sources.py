"""The models the statistics engine reads: what a report's figures depend on.

The report cache (cache.py) and the completeness test of data versions
(tests/test_data_versions.py) take their list from here and from nowhere else. Once every table
declares what it reads (``statistics.tables.models_read()``, the table registry), this function
returns that union instead of the list below.
"""

from django.apps import apps

# "app_label.ModelName" of everything engine.py queries (the förbund's settings and members, its
# insatser, target groups and goals, participations with their support and target-group rows, and
# volume counts).
_READ_BY_ENGINE = (
    "tenancy.Association", "tenancy.Member",
    "interventions.Intervention", "interventions.TargetGroup", "interventions.Goal",
    "participants.Participation", "participants.SupportRecord", "participants.TargetGroupRecord",
    "participants.VolumeCount",
)


def model_labels_read():
    """``app_label.ModelName`` of every model a report table reads."""
    try:
        from .tables import models_read  # the table registry, when it declares what tables read
    except ImportError:
        return list(_READ_BY_ENGINE)
    # "app_label.ModelName" as the registry declares them (a model class is taken too).
    return sorted({m if isinstance(m, str) else m._meta.label for m in models_read()})


def models_read():
    """The model classes of ``model_labels_read()``."""
    return [apps.get_model(label) for label in model_labels_read()]
