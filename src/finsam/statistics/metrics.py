"""Metric references: the one path by which a goal or a plan indicator gets its result.

A plan indicator (shared/spec/activities-and-goals.md, "Metric reference") names its figure as
``{"source": S, "key": K, ...parameters}``. Each source is registered once, by the app that owns
the figures, with a resolver that computes the value *with the same code as that app's report
tables* (never a second computation)::

    # in finsam/surveys/apps.py, AppConfig.ready():
    from finsam.statistics import metrics
    metrics.register_source(metrics.MetricSource(
        name="surveys", label="Enkäter", keys=("share_positive", ...),
        validate=validate_ref, resolve=resolve_ref, accrual=accrual_of))

``validate(ref, association)`` returns a list of Swedish error messages (empty when valid),
``accrual(ref)`` the ref's accrual without computing anything, and
``resolve(ref, query)`` a ``MetricValue`` for a ``MetricQuery`` (förbund, span, insatser,
publish). Plans (and survey goals) call only ``validate``/``accrual``/``resolve`` here; they
never import a source's module. A source that is not registered resolves to "no result"
(``MetricValue.none``), which grades as Ej bedömt.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Optional, Union

UNITS = ("count", "share", "points", "mean", "amount")
ACCRUALS = ("flow", "current", "rate", "level", "whole")

Number = Union[int, float, Decimal]


@dataclass(frozen=True)
class MetricQuery:
    """What a reference is resolved for: the förbund, the counted span (1 January, or the span's
    start, to the report's end), the insatser (slugs; empty = the whole förbund) and whether the
    result is for a published (masked) report."""

    association: object
    start: datetime.date
    end: datetime.date
    interventions: tuple = ()
    publish: bool = False


@dataclass(frozen=True)
class MetricValue:
    """A resolved figure. ``value`` is None when there is no result (no data, denominator 0,
    masked). Shares are fractions. ``counts`` are the counts behind the value that publication
    masking must look at (participant and SIP counts: the value itself, numerator, denominator);
    ``masked`` says the source itself withheld the value (e.g. a survey row below min n);
    ``detail`` carries what a basis text needs (e.g. the two shares of a gap).

    For differencing (statistics/differencing.py), a source whose ``relate`` ties a count to the
    counts of persons it adds up (the activities' SIP meetings) sets ``known``: the part of the
    value that counts no persons (seminars and other kinds), which a reader is taken to know (the
    plan row keeps it in a cell no column shows). ``hidden_in_publication``: the counts behind the
    value are persons that nothing ties to the cells they count (an activity goal filtered by
    series, an evaluation share of SIP meetings): publication hides the row's result and counts
    whatever their size."""

    value: Optional[Number]
    unit: str
    accrual: str
    numerator: Optional[Number] = None
    denominator: Optional[Number] = None
    counts: tuple = ()
    masked: bool = False
    detail: dict = field(default_factory=dict)
    known: Optional[Number] = None
    hidden_in_publication: bool = False

    def __post_init__(self):
        assert self.unit in UNITS, self.unit
        assert self.accrual in ACCRUALS, self.accrual

    @classmethod
    def none(cls, unit="count", accrual="whole", **kwargs):
        return cls(None, unit, accrual, **kwargs)


@dataclass(frozen=True)
class MetricSource:
    name: str  # "participants", "activities", "measures", "surveys", "finance", "manual"
    label: str  # Swedish
    validate: Callable  # (ref, association) -> [str]
    resolve: Callable  # (ref, MetricQuery) -> MetricValue
    accrual: Callable  # (ref) -> one of ACCRUALS
    keys: tuple = ()  # the keys it knows (for messages and docs); empty: any key (validate decides)
    unit: Optional[Callable] = None  # (ref) -> one of UNITS, when known without computing
    # relate(ctx, ref, interventions, first, last, count, known, rel): the relations (statistics/
    # tables' Relations) that tie a plan row's count of ``ref`` over ``first``-``last`` for the
    # insatser ``interventions`` (empty: the whole förbund), shown in the cell ``count``, to the
    # counts of persons it adds up, besides the cell ``known`` (MetricValue.known). The plan's tables
    # call it for the row's result and its previous value (plans/report_tables.plan_relations).
    relate: Optional[Callable] = None


_sources = {}


def register_source(source):
    if source.name in _sources:
        raise ValueError(f"Metric source {source.name!r} is registered twice")
    _sources[source.name] = source
    return source


def sources():
    return dict(_sources)


def get_source(name):
    return _sources.get(name)


def validate(ref, association=None):
    """Every error of a metric reference, in Swedish (empty: valid)."""
    if not isinstance(ref, dict):
        return ["Måttet ska vara ett objekt med \"source\" och \"key\"."]
    problem = not_plain(ref)
    if problem:
        return [problem]
    name = ref.get("source")
    source = _sources.get(name) if isinstance(name, str) else None
    if source is None:
        known = ", ".join(sorted(_sources))
        return [f"Okänd källa {name!r} för måttet (tillåtna: {known})."]
    if source.keys and ref.get("key") not in source.keys and not _prefixed(ref.get("key"), source.keys):
        return [f"Okänt mått {ref.get('key')!r} för källan {source.label.lower()} "
                f"(tillåtna: {', '.join(source.keys)})."]
    return list(source.validate(ref, association))


PLAIN_DEPTH, PLAIN_ITEMS, PLAIN_TEXT = 3, 100, 200


def not_plain(value, depth=0):
    """Why ``value`` cannot be a reference's parameter (None: it can): a reference is stored as
    JSON and resolved by code that hashes its codes, so it holds only short texts without NUL,
    finite numbers, booleans and small lists or objects of those (PostgreSQL refuses NUL and
    Infinity in JSON; a list as a source name is unhashable)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        if "\x00" in value:
            return "Måttet innehåller ett nolltecken (NUL), som inte kan sparas."
        return None if len(value) <= PLAIN_TEXT else f"Måttets texter får vara högst {PLAIN_TEXT} tecken."
    if isinstance(value, (int, float, Decimal)):
        return None if math.isfinite(value) else "Måttets tal ska vara ändliga (inte oändligt eller NaN)."
    if isinstance(value, (list, dict)):
        if depth >= PLAIN_DEPTH or len(value) > PLAIN_ITEMS:
            return f"Måttet är för stort eller för djupt nästlat (högst {PLAIN_ITEMS} värden i {PLAIN_DEPTH} nivåer)."
        items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        for key, item in items:
            problem = not_plain(key, depth + 1) or not_plain(item, depth + 1)
            if problem:
                return problem
        return None
    return "Måttet ska bara innehålla text, tal, listor och objekt."


def _prefixed(key, keys):
    # keys ending in ":" take a code after them (e.g. "share_exit_reason:")
    return isinstance(key, str) and any(k.endswith(":") and key.startswith(k) for k in keys)


def accrual(ref):
    source = _sources.get(ref.get("source"))
    return source.accrual(ref) if source else "whole"


def resolve(ref, query):
    """The reference's value for ``query``; no result when its source is not registered."""
    source = _sources.get(ref.get("source"))
    if source is None:
        return MetricValue.none()
    return source.resolve(ref, query)
