"""The report JSON holds to its documented contract (docs/report-json.md): the key tables of that file
are the schema, so a key that disappears from the export, a value of another type, or a key nobody
documented fails here."""

import datetime
import json
import re
from pathlib import Path

import pytest

from finsam.reports.exporters import registry
from finsam.statistics.engine import compute_report

CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "report-json.md"
YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


def documented_objects(text):
    """{object name: {key: (type, always)}} from the "### Object: name" sections' tables."""
    objects, current = {}, None
    for line in text.splitlines():
        heading = re.match(r"### Object: (.+)$", line)
        if heading:
            current = objects.setdefault(heading.group(1).strip(), {})
            continue
        row = re.match(r"\| `([^`]+)` \| ([^|]+) \| ([^|]+) \|", line)
        if current is not None and row:
            current[row.group(1)] = (row.group(2).strip(), row.group(3).strip() == "yes")
        elif line.startswith("## "):
            current = None
    return objects


SCHEMA = documented_objects(CONTRACT.read_text(encoding="utf-8"))


def check(value, type_text, where, problems):
    """Append to ``problems`` where ``value`` is not of the documented type."""
    for prefix, kind in (("array of ", list), ("map of ", dict)):
        if type_text.startswith(prefix):
            if not isinstance(value, kind):
                problems.append(f"{where}: {value!r} is not {type_text}")
                return
            items = enumerate(value) if kind is list else value.items()
            for key, item in items:
                check(item, type_text[len(prefix):], f"{where}[{key!r}]", problems)
            return
    for alternative in type_text.split(" or "):
        named = re.fullmatch(r"object \((.+)\)", alternative)
        if named:
            if isinstance(value, dict):
                check_object(value, named.group(1), where, problems)
                return
        elif _is(value, alternative):
            return
    problems.append(f"{where}: {value!r} is not {type_text}")


def _is(value, primitive):
    return {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }[primitive](value)


def check_object(data, name, where, problems):
    keys = SCHEMA[name]
    for key in sorted(set(data) - set(keys)):
        problems.append(f"{where}: key {key!r} is not in docs/report-json.md (object: {name})")
    for key, (type_text, always) in keys.items():
        if key in data:
            check(data[key], type_text, f"{where}.{key}", problems)
        elif always:
            problems.append(f"{where}: documented key {key!r} is missing")


def problems_of(document):
    problems = []
    check_object(document, "report", "report", problems)
    for table in document.get("tables", []):
        row_keys = [r["key"] for r in table["rows"]]
        column_keys = [c["key"] for c in table["columns"]]
        # "for every row and every column": a reader may index any pair
        if any(set(table["cells"].get(r, {})) != set(column_keys) for r in row_keys) or set(table["cells"]) != set(row_keys):
            problems.append(f"{table['id']}: cells are not every row × every column")
        for row, shares in table["shares"].items():
            for column, share in shares.items():
                # A finance ratio (a table with a unit: utfall of budget) may lie outside 0-1.
                if share is not None and (round(share, 4) != share or (not 0 <= share <= 1 and not table.get("unit"))):
                    problems.append(f"{table['id']}[{row}][{column}]: share {share} is not a fraction to 4 decimals")
        hidden = {(m["row"], m["column"]) for m in table.get("masked", [])}
        if any(table["cells"].get(r, {}).get(c) is not None for r, c in hidden):
            problems.append(f"{table['id']}: a masked cell holds a value")
    return problems


def test_the_contract_documents_every_object_it_names():
    assert {"report", "association", "period", "filters", "publication", "table", "key and label",
            "masked cell"} <= set(SCHEMA)
    assert SCHEMA["report"]["tables"] == ("array of object (table)", True)
    named = {n for keys in SCHEMA.values() for t, _ in keys.values() for n in re.findall(r"object \((.+?)\)", t)}
    assert named <= set(SCHEMA)


@pytest.mark.parametrize("extra", [{}, {"sections": True, "previous": True}])
@pytest.mark.parametrize("publish", [False, True])
def test_the_example_report_holds_to_the_documented_contract(exempelstad, publish, extra):
    report = compute_report(exempelstad, *YEAR, publish=publish, **extra)
    document = json.loads(registry.get("json").render(report))
    assert problems_of(document) == []
    assert document["format"] == "finsam-report/1"
    assert document["publication"] == ({"masked": True, "threshold": 5} if publish else {"masked": False, "threshold": None})
    # The optional keys are really written when they apply.
    assert any("masked" in t and "masked_shares" in t for t in document["tables"]) == publish


def test_the_check_finds_a_missing_an_undocumented_and_a_mistyped_key(exempelstad):
    """The schema bites: each kind of break of the contract is reported."""
    document = json.loads(registry.get("json").render(compute_report(exempelstad, *YEAR, publish=True)))
    del document["counting_rules"]
    document["extra"] = 1
    document["period"]["from"] = 20240101
    document["tables"][0]["cells"][document["tables"][0]["rows"][0]["key"]] = {}
    masked_table = next(t for t in document["tables"] if t.get("masked"))
    hidden = masked_table["masked"][0]
    masked_table["cells"][hidden["row"]][hidden["column"]] = 3
    next(t for t in document["tables"] if t["shares"])["shares"] = {"x": {"y": 12.5}}
    found = "\n".join(problems_of(document))
    for expected in ("documented key 'counting_rules' is missing", "key 'extra' is not in docs/report-json.md",
                     "report.period.from: 20240101 is not string", "cells are not every row × every column",
                     "a masked cell holds a value", "share 12.5 is not a fraction"):
        assert expected in found


@pytest.mark.parametrize("dates", [YEAR, (datetime.date(2024, 1, 1), datetime.date(2024, 6, 30))])
@pytest.mark.parametrize("publish", [False, True])
def test_the_finance_report_holds_to_the_documented_contract(finance_example, publish, dates):
    report = compute_report(finance_example, *dates, publish=publish)
    document = json.loads(registry.get("json").render(report))
    assert problems_of(document) == []
    assert {t["id"] for t in document["tables"]} >= {"budget", "checks", "cost_per_participant"}
    assert document["omitted"]  # forecast for the year, the statements for the half-year
