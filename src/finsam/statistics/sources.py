"""The models a report reads: what its figures depend on, as model classes.

The table registry declares them (``tables.models_read()``: the engine context's and each table's
``reads``); the report cache's safety net (cache.py) and the completeness test of data versions
(tests/test_data_versions.py) take their list from here, so a new app's table that reads a new
model is covered by both without an entry anywhere else.
"""

from django.apps import apps


def models_read():
    """The model classes of ``tables.models_read()`` ("app_label.ModelName")."""
    from .tables import models_read as declared  # on first use: family modules import the engine

    return [apps.get_model(label) for label in declared()]
