"""The new tables of docs/report-tables-extra.md counted in plain Python over the example participant
file, independently of the engine (no ORM, no import code): the expected values of
tests/test_new_tables.py and of tests/data/exempel-rapport-extra-*.json.

Regenerate the JSON files with ``python -m tests.independent`` (they are test data of this project,
not copies of ../shared/examples; their "source" key says so).
"""

import csv
import datetime
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"
G = ["kvinna", "man", "annat_ej_angivet"]
D = datetime.date


def rows():
    with open(DATA / "exempel-deltagare.csv", encoding="utf-8") as f:
        result = []
        for r in csv.DictReader(f, delimiter=";"):
            if r["avslutsorsak"] == "felregistrering":
                continue  # excluded from every table
            r["start"] = D.fromisoformat(r["startdatum"])
            r["end"] = D.fromisoformat(r["slutdatum"]) if r["slutdatum"] else None
            r["anonymous"] = r["anonym"] == "ja"
            r["g"] = gender(r)
            r["before"] = [c for c in r["forsorjning_fore"].split(";") if c]
            r["after"] = [c for c in r["forsorjning_efter"].split(";") if c]
            result.append(r)
        return result


def gender(r):
    """The registered gender, else the identity number's (next-to-last digit odd: man), bucketed."""
    kon = r["kon"]
    if not kon:
        kon = "man" if int(r["personnummer"][-2]) % 2 else "kvinna"
    return kon if kon in ("kvinna", "man") else "annat_ej_angivet"


def current(r, start, end):
    return r["start"] <= end and (r["end"] is None or r["end"] >= start)


def new(r, start, end):
    return start <= r["start"] <= end


def exited(r, start, end):
    return r["end"] is not None and start <= r["end"] <= end


def flow_gender_shares(start, end):
    """{row: {"current_kvinna": share, ...}} for each insats and totalt (all participations)."""
    data = rows()
    result = {}
    for row in sorted({r["insats"] for r in data}) + ["totalt"]:
        mine = [r for r in data if row in ("totalt", r["insats"])]
        result[row] = {}
        for measure, test in (("current", current), ("new", new)):
            counted = [r for r in mine if test(r, start, end)]
            for g in ("kvinna", "man"):
                n = sum(1 for r in counted if r["g"] == g)
                result[row][f"{measure}_{g}"] = round(n / len(counted), 4) if counted else None
    return result


def referrer_intervention(start, end):
    """{referrer: {insats: count}} of new identified participations."""
    result = {}
    for r in rows():
        if r["anonymous"] or not new(r, start, end):
            continue
        key = r["anmalande_part"] or "uppgift_saknas"
        cells = result.setdefault(key, {})
        cells[r["insats"]] = cells.get(r["insats"], 0) + 1
    return result


def support_population(start, end):
    return [r for r in rows() if not r["anonymous"] and exited(r, start, end) and r["before"] and r["after"]]


def support_transition(start, end):
    """{entry code: {exit code: pairs, "antal": participations with the entry code}}, plus row
    "antal": participations with each exit code."""
    result = {"antal": {}}
    for r in support_population(start, end):
        for a in r["before"]:
            cells = result.setdefault(a, {})
            cells["antal"] = cells.get("antal", 0) + 1
            for b in r["after"]:
                cells[b] = cells.get(b, 0) + 1
        for b in r["after"]:
            result["antal"][b] = result["antal"].get(b, 0) + 1
    return result


def support_shares(start, end):
    """{code: {"<g>_entry"|"<g>_exit": share of the population}}; totalt too."""
    population = support_population(start, end)
    result = {}
    for g in G + ["totalt"]:
        mine = [r for r in population if g in ("totalt", r["g"])]
        for phase, key in (("entry", "before"), ("exit", "after")):
            for code in {c for r in mine for c in r[key]}:
                n = sum(1 for r in mine if code in r[key])
                result.setdefault(code, {})[f"{g}_{phase}"] = round(n / len(mine), 4)
    return result


def new_identified_by_gender(start, end):
    counts = {g: 0 for g in G}
    for r in rows():
        if not r["anonymous"] and new(r, start, end):
            counts[r["g"]] += 1
    counts["totalt"] = sum(counts.values())
    return counts


def ongoing_on(insats, day):
    """An insats's participations begun before ``day`` and not ended before it (a goal's opening)."""
    return sum(1 for r in rows() if r["insats"] == insats and r["start"] < day and (r["end"] is None or r["end"] >= day))


def count(insats, test, start, end):
    return sum(1 for r in rows() if r["insats"] == insats and test(r, start, end))


def unique_per_insats(start, end):
    """{insats: individuals among its current participations}: distinct identity numbers, each
    anonymous participation one."""
    result = {}
    for r in rows():
        if current(r, start, end):
            result.setdefault(r["insats"], set()).add(("anonym", r["referens"]) if r["anonymous"] else r["personnummer"])
    return {insats: len(people) for insats, people in result.items()}


def flow_totals(start, end):
    """{"current_totalt": n, "new_totalt": n, "exited_totalt": n} over every participation."""
    data = rows()
    return {"current_totalt": sum(current(r, start, end) for r in data), "new_totalt": sum(new(r, start, end) for r in data),
            "exited_totalt": sum(exited(r, start, end) for r in data)}


def expected_report(start, end):
    """The cells and shares of the new tables, in the form of exempel-rapport-*.json."""
    missing = new_identified_by_gender(start, end)
    # The example file has no column for these variables: every new identified participation is
    # "uppgift saknas".
    entry = {table_id: {"cells": {"uppgift_saknas": missing, "totalt": missing}}
             for table_id in ("time_without_work", "referring_unit", "born_abroad", "impairment", "violence_questions")}
    return {
        "source": "tests/independent.py (this project's test data, computed from exempel-deltagare.csv; not in ../shared)",
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "tables": [
            {"id": "flow", "shares": flow_gender_shares(start, end)},
            {"id": "referrer_intervention", "cells": referrer_intervention(start, end)},
            {"id": "support_transition", "cells": support_transition(start, end)},
            {"id": "support_in_out", "shares": support_shares(start, end)},
        ] + [{"id": table_id, **table} for table_id, table in entry.items()],
    }


PERIODS = {"2024": (D(2024, 1, 1), D(2024, 12, 31)), "2024-h1": (D(2024, 1, 1), D(2024, 6, 30))}

if __name__ == "__main__":
    for name, (start, end) in PERIODS.items():
        path = DATA / f"exempel-rapport-extra-{name}.json"
        path.write_text(json.dumps(expected_report(start, end), ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print(path)
