"""The metric-reference registry (statistics/metrics.py) and the report's choice of tables by
source (registry.specs / specs_with_data)."""

import datetime

import pytest

from finsam.statistics import metrics
from finsam.statistics.tables import registry


@pytest.fixture
def fake_source(monkeypatch):
    monkeypatch.setattr(metrics, "_sources", dict(metrics._sources))
    calls = []

    def resolve(ref, query):
        calls.append((ref, query))
        return metrics.MetricValue(7, "count", "flow", numerator=7)

    return metrics.register_source(metrics.MetricSource(
        name="fake", label="Prov", keys=("antal", "andel:"), accrual=lambda ref: "flow",
        validate=lambda ref, association: [] if ref.get("key") == "antal" or "x" in ref else ["saknar x"],
        resolve=resolve)), calls


def test_unknown_source_and_key_are_refused_in_swedish(fake_source):
    assert "Okänd källa" in metrics.validate({"source": "nope", "key": "a"})[0]
    assert "Okänt mått" in metrics.validate({"source": "fake", "key": "annat"})[0]
    assert metrics.validate({"source": "fake", "key": "antal"}) == []
    assert metrics.validate({"source": "fake", "key": "andel:kod"}) == ["saknar x"]
    assert "objekt" in metrics.validate("fake")[0]


def test_resolve_goes_to_the_registered_source_and_unregistered_gives_no_result(fake_source):
    _, calls = fake_source
    query = metrics.MetricQuery(None, datetime.date(2024, 1, 1), datetime.date(2024, 6, 30))
    assert metrics.resolve({"source": "fake", "key": "antal"}, query).value == 7
    assert calls and calls[0][1] is query
    assert metrics.resolve({"source": "ingen", "key": "x"}, query).value is None
    assert metrics.accrual({"source": "ingen"}) == "whole"
    with pytest.raises(ValueError):
        metrics.register_source(metrics.get_source("fake"))


def test_tables_are_chosen_by_id_family_source_or_all():
    every = registry.specs()
    assert registry.specs(["all"]) == every
    participant_tables = registry.specs(["participants"])
    assert participant_tables and all(s.source == "participants" for s in participant_tables)
    assert [s.id for s in registry.specs(["flow"])] == [s.id for s in every if s.family == "flow" or s.id == "flow"]
    with pytest.raises(ValueError, match="Okända"):
        registry.specs(["inget_sadant"])


def test_a_source_without_data_in_the_period_is_left_out_by_default(monkeypatch):
    spec = registry.specs()[0]
    monkeypatch.setattr(registry, "_presence", {})
    assert spec in registry.specs_with_data(None, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    registry.register_presence(spec.source, lambda *args: False)
    assert all(s.source != spec.source
               for s in registry.specs_with_data(None, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)))
