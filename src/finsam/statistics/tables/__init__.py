"""Tables and reports as data (``data.py``) and the registry that declares every table once
(``registry.py``); the tables themselves are in one module per family (flow, background,
outcomes; other apps add theirs, e.g. the plan's goal tables in plans/report_tables.py), imported
on first use of the registry."""

from .data import (  # noqa: F401
    AMOUNT_KR, COUNT, COUNTING_RULES, FROZEN_FORMAT, KINDS, MEASURE, SHARE, TEXT, FrozenAssociation, Omitted, Report,
    Table,
    freeze, round_half_up, thaw,
)
from .registry import (  # noqa: F401
    ADDITIVE, CURRENT, OWN, PERIOD, Atoms, Chain, Chart, Empty, Relations, Series, TableSpec, UnpublishedSpec,
    add_family_module, bar, build_tables, get, keeps, models_read, over_scope, publication_hooks, register,
    register_presence, register_publication_hook, sources_without_data, specs, specs_with_data,
)
