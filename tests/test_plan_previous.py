"""A plan row's previous value ("30,2 % (26 av 86)", the same metric over the same span a year
earlier) shows two counts of that span: they must not give away what an earlier publication hid
(docs/decisions.md, "A plan row's previous value is counts of its own span")."""

import datetime
import re

import pytest

from finsam.reports.publishing import publish_report
from finsam.statistics.engine import compute_report
from finsam.tenancy.models import User
from tests.plan_goals import insats_goal
from tests.test_masking import determined_by, value
from tests.test_publications import small_ones, unpublished, what_readers_know

D = datetime.date
Y2023, H2_2023 = (D(2023, 1, 1), D(2023, 12, 31)), (D(2023, 7, 1), D(2023, 12, 31))
Y2024, Q2_2024, H2_2024 = (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 4, 1), D(2024, 6, 30)), (D(2024, 7, 1), D(2024, 12, 31))
# the cells of flow or work_or_study (row: the insats) that a goal's numerator and denominator count
COUNTED = {"new_count": (("flow", "new_totalt"), None),
           "share_women_new": (("flow", "new_kvinna"), ("flow", "new_totalt")),
           "share_men_new": (("flow", "new_man"), ("flow", "new_totalt")),
           "share_work_or_study": (("work_or_study", "work_or_study"), ("work_or_study", "exited")),
           "share_work": (("work_or_study", "work"), ("work_or_study", "exited"))}
BASIS = re.compile(r"\(([\d\u00a0]+) av ([\d\u00a0]+)\)$")


def shown_previous(text, metric):
    """(numerator, denominator) a previous value's text shows: "27,3 % (6 av 22)", or "22"."""
    if text is None:
        return None
    if COUNTED[metric][1] is None:
        return int(text.replace("\u00a0", "")), None
    found = BASIS.search(text)
    return int(found.group(1).replace("\u00a0", "")), int(found.group(2).replace("\u00a0", ""))


def _publish_each(association, periods):
    """A publication of each of ``periods`` in turn (by the example's administratör): (the published
    reports, the unmasked ones, what a reader knows of them all, what they hide)."""
    admin = User.objects.get(username="admin@exempelstad.se")
    reports = [publish_report(association, date_from=a, date_to=b, interventions=[], title=str(a), user=admin).report()
               for a, b in periods]
    unmasked = [compute_report(association, *p) for p in periods]
    return (reports, unmasked, *what_readers_know(reports, unmasked))


@pytest.mark.parametrize("periods,new,plus,minus", [
    # 2023 published; 2024's goals show 2023 as their previous value
    ([Y2023, Y2024], 1, 0, []),
    # 2023 and its second half published: Q2 2024 shows the year's goals counted January-June, their
    # previous value January-June 2023, which is 2023 minus H2 2023
    ([Y2023, H2_2023, Q2_2024], 2, 0, [1]),
    # 2023 published; H2 2024 (no day next to 2023) shows the year's goals, previous value 2023
    ([Y2023, H2_2024], 1, 0, []),
    # the other way round: H2 2024 is frozen with its previous values, then 2023 is published
    ([H2_2024, Y2023], 0, 1, []),
])
def test_a_previous_value_gives_away_no_count_an_earlier_publication_hid(exempelstad, periods, new, plus, minus):
    """Through the real publication path: goals of 2024 on every insats, then the publications of
    ``periods`` in turn. A reader writes the previous values shown by publication ``new`` as the
    cells of the insats in the other publications (the previous span = ``plus`` - the sum of
    ``minus``) and solves; no count 1-4 may follow. Before the fix, H2 2024 showed Aktivitets-
    platsen's "27,3 % (6 av 22)" and "59,1 % (13 av 22)" (share of women and of men among the new
    ones, previous value 2023), the 6 and 13 that 2023's publication hid to protect its 3 new ones
    of gender annat/ej angivet: 22 - 6 - 13 = 3 (likewise 3 for IPS psykos and 4 for Novum)."""
    for insats in exempelstad.interventions.all():
        for metric in COUNTED:
            insats_goal(insats, 2024, metric, 10 if metric == "new_count" else "0.5")
    reports, unmasked, relations, hidden = _publish_each(exempelstad, periods)
    goals = reports[new].table("goals")
    cross, shown_any = [], 0
    for key, _ in goals.rows:
        slug, metric = key.split(".", 1)
        counts = shown_previous(goals.texts[key]["previous"], metric)
        if counts is None:
            continue
        shown_any += 1
        for count, counted, col in zip(counts, COUNTED[metric], ("numerator", "denominator")):
            if counted is None:
                continue
            previous = (new, "previous", key, col)  # shown: a constant to the reader
            table_id, cell_col = counted
            cross.append(([previous] + [(k, table_id, slug, cell_col) for k in minus], (plus, table_id, slug, cell_col)))
            truth = value(unmasked[plus], (table_id, slug, cell_col)) - sum(
                value(unmasked[k], (table_id, slug, cell_col)) for k in minus)
            assert count == truth, (key, col)  # true of the data
    assert shown_any >= 4  # the goals do show previous values
    worked_out = determined_by(relations + cross, hidden | unpublished(relations))
    assert not small_ones(worked_out, unmasked)


def test_the_previous_values_counts_are_frozen_as_counts_of_their_span_and_left_out_of_the_json(exempelstad):
    """What the frozen format gains: the row's previous_numerator and previous_denominator (counts,
    hidden ones None and listed in masked) and the relations tying them to ~goal_span of the year
    before; the JSON keeps every row × every column only, and the previous value's text shows them."""
    from finsam.plans.report_tables import GOAL_SPAN
    from finsam.statistics.tables import thaw
    from finsam.statistics.tables.data import COUNT

    admin = User.objects.get(username="admin@exempelstad.se")
    for insats in exempelstad.interventions.all():
        insats_goal(insats, 2024, "share_women_new", "0.5")
    published = publish_report(exempelstad, date_from=H2_2024[0], date_to=H2_2024[1], interventions=[], title="H2",
                               user=admin)
    content = published.content
    goals = next(t for t in content["tables"] if t["id"] == "goals")
    kinds = {(r, c): k for r, c, k in goals["cell_kinds"]}
    report = thaw(content)
    table = report.table("goals")
    rows = [key for key, _ in goals["rows"] if key.endswith(".share_women_new")]
    assert len(rows) == 4
    for key in rows:
        cells = goals["cells"][key]
        assert kinds[(key, "previous_numerator")] == kinds[(key, "previous_denominator")] == COUNT
        assert table.kind(key, "previous_numerator") == COUNT  # thawed as a count
        shown = shown_previous(table.texts[key]["previous"], "share_women_new")
        if shown is None:
            assert cells["previous"] is None and [key, "previous"] in goals["masked"]
            assert cells["previous_numerator"] is None and cells["previous_denominator"] is None
        else:
            assert shown == (cells["previous_numerator"], cells["previous_denominator"])
        slug = key.split(".")[0]
        span = [GOAL_SPAN, f"{slug}|flow|new_totalt", "2023-01-01|2023-12-31"]
        assert [[span], ["goals", key, "previous_denominator"]] in content["relations"]
    data = report.to_json()
    json_goals = next(t for t in data["tables"] if t["id"] == "goals")
    assert all("previous_numerator" not in cells for cells in json_goals["cells"].values())
    assert all(m["column"] != "previous_numerator" for m in json_goals.get("masked", []))


# --- the previous value of an exit reason's share (attack on the previous values) ----------------

def _forbund_plan(association, *indicators):
    """A 2024 plan of the whole förbund (no insats) with one indicator per (key, metric)."""
    import json

    from finsam.interventions.association_file import apply_association_file

    document = {"slug": association.slug, "plans": [{
        "key": "vp-2024", "name": "Verksamhetsplan 2024", "from_year": 2024, "to_year": 2024,
        "focus_areas": [{"key": "individ", "name": "Individ", "goals": [{"key": "g", "name": "G", "indicators": [
            {"key": key, "text": key, "metric": {"source": "participants", **metric},
             "target": {"type": "at_least", "value": 0.1}, "period": {"type": "year"}}
            for key, metric in indicators]}]}]}]}
    apply_association_file(json.dumps(document).encode())


@pytest.mark.parametrize("periods,new,plus,minus", [
    ([Y2023, H2_2024], 1, 0, []),
    # H2 2024 is frozen with its previous values, then 2023 is published
    ([H2_2024, Y2023], 0, 1, []),
])
def test_an_exit_reason_shares_previous_value_gives_away_no_count_the_year_before_hid(exempelstad, periods, new, plus, minus):
    """The whole förbund's share of each exit reason (per gender), 2024's year goals: their previous
    values show the numerator, exit_reason's cell of the reason in 2023. Before the fix only the
    denominator was tied to the span a year earlier: H2 2024 showed "20 % (5 av 25)" for the men who
    moved (flyttat), and 2023's publication, masked afterwards, hid flyttat/man (5) and /kvinna (1)
    but showed the row's total 6 and annat/ej angivet 0: 6 - 5 - 0 = 1 woman. (It also gave away
    the 5 of arbete and okand that 2023 hid secondarily.)"""
    exits = compute_report(exempelstad, *Y2023).table("exit_reason")
    indicators = [(f"{code}_{g}", {"key": f"share_exit_reason:{code}", **({"gender": g} if g != "totalt" else {})})
                  for code, _ in exits.rows if code != "totalt" for g in ("kvinna", "man", "annat_ej_angivet", "totalt")]
    _forbund_plan(exempelstad, *indicators)
    reports, unmasked, relations, hidden = _publish_each(exempelstad, periods)
    table = reports[new].table("plan_goals.individ")
    cross, shown_any = [], 0
    for key, metric in indicators:
        text = table.texts[f"g.{key}"]["previous"]
        if text is None:
            continue
        shown_any += 1
        numerator = int(BASIS.search(text).group(1).replace("\u00a0", ""))
        cell = ("exit_reason", metric["key"].split(":")[1], metric.get("gender", "totalt"))
        assert numerator == value(unmasked[plus], cell) - sum(value(unmasked[k], cell) for k in minus)
        cross.append(([(new, "previous", key, "numerator")] + [(k, *cell) for k in minus], (plus, *cell)))
    assert shown_any >= 3
    worked_out = determined_by(relations + cross, hidden | unpublished(relations))
    assert not small_ones(worked_out, unmasked)
