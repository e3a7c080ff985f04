"""The tables of docs/report-tables-extra.md (issue 11, "Prove it"): values pinned independently of
the engine (tests/independent.py counts the example file in plain Python; small fixtures by hand),
and masking: a published report hides what the new cells would reveal."""

import datetime
import json

import pytest

from finsam.statistics.engine import compute_report
from tests import independent
from tests.conftest import DATA, make_participation
from tests.test_masking import G, GT, determined_by, reader_relations, zeros_known
from tests.plan_goals import insats_goal
from tests.test_statistics import assert_expected_cells

D = datetime.date
YEAR, H1 = (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 1, 1), D(2024, 6, 30))
SUPPORT = ["lon", "a_kassa", "aktivitetsstod", "utvecklingsersattning", "etableringsersattning", "sjukpenning",
           "aktivitetsersattning", "sjukersattning", "forsorjningsstod", "studiestod", "annan", "ingen_offentlig",
           "uppgift_saknas"]


def report(association, period, interventions=None, **kwargs):
    return compute_report(association, *period, interventions, **kwargs)


# --- the example förbund -------------------------------------------------------------------------

@pytest.mark.parametrize("name, period", [("2024", YEAR), ("2024-h1", H1)])
def test_example_matches_the_independent_count(exempelstad, name, period):
    expected = json.loads((DATA / f"exempel-rapport-extra-{name}.json").read_text())
    assert expected == json.loads(json.dumps(independent.expected_report(*period)))  # the file is up to date
    assert assert_expected_cells(expected, report(exempelstad, period).to_json()) > 150


def test_support_transition_rows_and_columns_are_support_in_out(exempelstad):
    r = report(exempelstad, YEAR)
    transition, in_out = r.table("support_transition"), r.table("support_in_out")
    for code in SUPPORT:
        assert transition.cells[code]["antal"] == in_out.cells[code]["totalt_entry"]
        assert transition.cells["antal"][code] == in_out.cells[code]["totalt_exit"]
        for exit_code in SUPPORT:
            assert transition.cells[code][exit_code] <= min(transition.cells[code]["antal"],
                                                             transition.cells["antal"][exit_code])
    # someone on försörjningsstöd at entry: how many had a wage at exit, of how many
    assert transition.shares["forsorjningsstod"]["lon"] == pytest.approx(
        transition.cells["forsorjningsstod"]["lon"] / transition.cells["forsorjningsstod"]["antal"])


def test_referrer_by_intervention_adds_up_to_referrer_and_flow(exempelstad):
    r = report(exempelstad, YEAR)
    table, referrer, flow = r.table("referrer_intervention"), r.table("referrer"), r.table("flow")
    slugs = [slug for slug, _ in table.columns]
    assert "totalt" not in slugs  # the row totals are the referrer table's counts, not repeated here
    for key, _ in referrer.rows[:-1]:  # but its total row
        assert sum(table.cells[key][slug] for slug in slugs) == referrer.cells[key]["count"]
    # an insats's column total is its identified new participations: flow's new minus the anonymous
    anonymous_new = {"aktivitetsplatsen": 0, "finsam-team": 0, "ips-psykos": 0, "novum": 0}
    for row in independent.rows():
        if row["anonymous"] and independent.new(row, *YEAR):
            anonymous_new[row["insats"]] += 1
    for slug, n in anonymous_new.items():
        assert sum(table.cells[key][slug] for key, _ in table.rows) == flow.cells[slug]["new_totalt"] - n
    assert "totalt" not in table.cells  # see docs/report-tables-extra.md: it would cost flow's counts


def test_half_year_goals_get_a_status_not_a_grade(exempelstad):
    ips = exempelstad.interventions.get(slug="ips-psykos")
    insats_goal(ips, 2024, "current_count", 60)
    goals = report(exempelstad, H1).table("goals")
    half = goals.cells
    # aktivitetsplatsen: 15 new by 30 June (README of the examples); expected 40 × 182/366
    assert independent.count("aktivitetsplatsen", independent.new, *H1) == 15
    cells = half["aktivitetsplatsen.new_count"]
    assert (cells["result"], round(cells["expected_to_date"], 2), cells["status"], cells["grade"]) == (
        15, 19.89, "risk", None)
    # ips-psykos: 46 current, opening 33 (ongoing on 1 January), expected 33 + (60 − 33) × 182/366
    opening = independent.ongoing_on("ips-psykos", D(2024, 1, 1))
    assert opening == 33 and independent.count("ips-psykos", independent.current, *H1) == 46
    cells = half["ips-psykos.current_count"]
    assert (cells["result"], round(cells["expected_to_date"], 2), cells["status"], cells["grade"]) == (
        46, 46.43, "i_fas", None)
    assert "Ingående 33" in goals.texts["ips-psykos.current_count"]["note"]
    assert half["aktivitetsplatsen.share_work_or_study"]["status"] == "ej_i_fas"  # 0 of 6 against 30 %
    whole = report(exempelstad, YEAR).table("goals").cells
    assert whole["aktivitetsplatsen.new_count"]["grade"] == "godtagbart"
    assert whole["aktivitetsplatsen.new_count"]["status"] is None
    assert whole["ips-psykos.current_count"]["expected_to_date"] is None


# --- small hand-made fixtures --------------------------------------------------------------------

@pytest.fixture
def small(world):
    from finsam.participants.models import Participation

    Participation.objects.all().delete()
    return world


def test_entry_variables_count_new_identified_participations(small):
    i = small.assigned
    make_participation(i, "a", personnummer="19900101-0017", time_without_work="2_5_ar", referring_unit="lss",
                       born_abroad="ja", impairment="nej", violence_questions="stallda")
    make_participation(i, "b", personnummer="19850314-1239", time_without_work="2_5_ar", born_abroad="ja",
                       violence_questions="avbojda", gender="kvinna")
    make_participation(i, "c", personnummer="19770707-7710", start_date=D(2023, 5, 1))  # not new in 2024
    make_participation(i, "anon", personnummer="19880808-8887", anonymous=True, person_key="", gender="annat",
                       birth_year=None, consent_date=None)
    r = report(small.alfa, YEAR)
    assert r.table("time_without_work").cells["2_5_ar"] == {"kvinna": 1, "man": 1, "annat_ej_angivet": 0, "totalt": 2}
    assert r.table("referring_unit").cells["lss"]["totalt"] == 1
    assert r.table("referring_unit").cells["uppgift_saknas"]["totalt"] == 1  # empty is "uppgift saknas"
    assert r.table("born_abroad").cells["ja"]["totalt"] == 2 and r.table("born_abroad").shares["ja"]["totalt"] == 1.0
    assert r.table("impairment").cells["nej"]["man"] == 1 and r.table("impairment").cells["uppgift_saknas"]["kvinna"] == 1
    violence = r.table("violence_questions")
    assert violence.cells["stallda"]["totalt"] == violence.cells["avbojda"]["totalt"] == 1
    assert violence.shares == {}  # counts only
    assert violence.cells["totalt"]["totalt"] == 2  # the anonymous and the not-new are not counted


def test_support_transition_by_hand(small):
    i = small.assigned
    from finsam.participants.models import SupportRecord

    def person(ref, pnr, entry, exit):
        p = make_participation(i, ref, personnummer=pnr, start_date=D(2023, 3, 1), end_date=D(2024, 3, 1),
                               exit_reason="arbete", support_at_entry_and_exit=True)
        for phase, codes_ in (("entry", entry), ("exit", exit)):
            for code in codes_:
                SupportRecord.objects.create(participation=p, phase=phase, code=code)

    person("a", "19900101-0017", ["forsorjningsstod"], ["lon"])
    person("b", "19850314-1239", ["forsorjningsstod", "sjukpenning"], ["lon", "studiestod"])
    person("c", "19770707-7710", ["forsorjningsstod"], ["forsorjningsstod"])
    r = report(small.alfa, YEAR)
    t = r.table("support_transition")
    assert t.cells["forsorjningsstod"]["lon"] == 2 and t.cells["forsorjningsstod"]["antal"] == 3
    assert t.cells["sjukpenning"]["studiestod"] == 1 and t.cells["sjukpenning"]["forsorjningsstod"] == 0
    assert t.cells["antal"]["lon"] == 2 and t.cells["antal"]["studiestod"] == 1
    assert t.shares["forsorjningsstod"]["lon"] == pytest.approx(2 / 3)
    shares = r.table("support_in_out").shares
    assert shares["forsorjningsstod"]["totalt_entry"] == 1.0 and shares["lon"]["totalt_exit"] == pytest.approx(2 / 3)
    assert shares["lon"]["kvinna_exit"] is None or shares["lon"]["kvinna_exit"] == 0  # no woman in the population


def test_flow_gender_shares_by_hand(small):
    i = small.assigned
    make_participation(i, "a", personnummer="19900101-0017")  # man
    make_participation(i, "b", personnummer="19850314-1239", gender="kvinna")
    make_participation(i, "c", personnummer="19770707-7710", gender="kvinna", start_date=D(2023, 5, 1))
    make_participation(i, "d", personnummer="19880808-8887", anonymous=True, person_key="", gender="annat",
                       birth_year=None, consent_date=None)
    shares = report(small.alfa, YEAR).table("flow").shares
    assert shares["totalt"] == {"current_kvinna": 0.5, "current_man": 0.25, "new_kvinna": 1 / 3, "new_man": 1 / 3}
    assert shares["team"]["current_kvinna"] is None  # an insats without participants: no share, not 0 %


def identity_number(n):
    """A valid personnummer (date and Luhn check digit) for person ``n``."""
    digits = f"{80 + n % 20:02d}0{1 + n % 9}1{n % 10}{100 + n:03d}"[:9]
    total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(digits))
    return f"19{digits[:6]}-{digits[6:]}{(10 - total % 10) % 10}"


# --- masking -------------------------------------------------------------------------------------

def new_reader_relations(report):
    """What a reader of the new tables can write down, written here from their titles and notes."""
    rel, bounds = [], []
    t = {table.id: table for table in report.tables}
    groups = [k for k, _ in t["flow"].rows if k not in ("totalt", "varav_anonyma", "volym", "totalt_inkl_volym")]
    for table_id in ("time_without_work", "referring_unit", "born_abroad", "impairment", "violence_questions"):
        body = [k for k, _ in t[table_id].rows if k != "totalt"]
        for r in body + ["totalt"]:
            rel.append(([(table_id, r, g) for g in G], (table_id, r, "totalt")))
        for g in GT:
            rel.append(([(table_id, r, g) for r in body], (table_id, "totalt", g)))
            rel.append(([(table_id, "totalt", g), ("flow", "varav_anonyma", f"new_{g}")], ("flow", "totalt", f"new_{g}")))
    referrers = [k for k, _ in t["referrer"].rows if k != "totalt"]
    for r in referrers:
        rel.append(([("referrer_intervention", r, s) for s in groups], ("referrer", r, "count")))
    for s in groups:
        rel.append(([*(("referrer_intervention", r, s) for r in referrers), ("~anon_new", s, "totalt")],
                    ("flow", s, "new_totalt")))
    rel.append(([("~anon_new", s, "totalt") for s in groups], ("flow", "varav_anonyma", "new_totalt")))
    for code in SUPPORT:
        rel.append(([("support_transition", code, "antal")], ("support_in_out", code, "totalt_entry")))
        rel.append(([("support_transition", "antal", code)], ("support_in_out", code, "totalt_exit")))
        for other in SUPPORT:
            bounds.append((("support_transition", code, other), ("support_transition", code, "antal")))
            bounds.append((("support_transition", code, other), ("support_transition", "antal", other)))
    # an insats's current count goal before the year ends: its expected value to date gives its opening
    # (expected = opening + (target − opening) × fraction), its insats's current ones that are not new
    year = report.date_to.year
    if "goals" in t and report.date_from == D(year, 1, 1) and report.date_to < D(year, 12, 31):
        for key, _ in t["goals"].rows:
            slug, metric = key.split(".", 1)
            if metric == "current_count" and slug in groups:
                rel.append(([("~opening", key, "opening"), ("flow", slug, "new_totalt")], ("flow", slug, "current_totalt")))
    return rel, bounds


def true_value(unmasked, previous=None):
    def value(cell):
        table_id, row, col = cell
        if table_id.startswith("~") and table_id.endswith("_previous"):  # of the previous period's report
            return true_value(previous)((table_id.removesuffix("_previous"), row, col))
        if table_id == "~anon_new":
            ri = unmasked.table("referrer_intervention")
            return unmasked.table("flow").cell(row, "new_totalt") - sum(ri.cell(r, row) for r, _ in ri.rows)
        if table_id == "~anon":
            s = "" if col == "totalt" else f"_{col}"
            return unmasked.table("flow").cell(row, f"exited_{col}") - unmasked.table("work_or_study").cell(row, f"exited{s}")
        if table_id == "~opening":
            slug = row.split(".", 1)[0]
            return unmasked.table("flow").cell(slug, "current_totalt") - unmasked.table("flow").cell(slug, "new_totalt")
        if table_id == "~other":
            return unmasked.table("unique").cell("totalt", col) - unmasked.table("unique").cell("varav_pseudonyma", col)
        v = unmasked.table(table_id).cell(row, col)
        return 0 if v is None else v
    return value


def assert_nothing_worked_out(unmasked, masked, threshold, extra=(), extra_bounds=(), previous=None):
    rel, bounds = reader_relations(unmasked)
    more_rel, more_bounds = new_reader_relations(unmasked)
    rel, bounds = rel + more_rel + list(extra), bounds + more_bounds + list(extra_bounds)
    value = true_value(unmasked, previous)
    for parts, total in rel:  # what the reader knows is true
        assert sum(value(p) for p in parts) == value(total), (parts, total)
    for part, whole in bounds:
        assert value(part) <= value(whole), (part, whole)
    hidden = {(t.id, r, c) for t in masked.tables for r, c in t.masked}
    for table in masked.tables:
        for row, cols in table.cells.items():
            for col, v in cols.items():
                if (row, col) not in table.masked and (row, col) not in table.measures and isinstance(v, int):
                    assert not 0 < v < threshold, (table.id, row, col, v)
        for (row, col), (of, per) in table.share_refs.items():
            if of in table.masked or per in table.masked:
                assert table.share(row, col) is None
    unpublished = {c for parts, total in rel for c in parts + [total] if c[0].startswith("~")}
    # an opening is known where the expected value it follows from is shown: then it must not be small
    shown = {c for c in unpublished if c[0] == "~opening" and masked.table("goals").cells[c[1]]["expected_to_date"] is not None}
    assert not [c for c in shown if 0 < value(c) < threshold], shown
    unpublished -= shown
    zeros = zeros_known(rel, hidden | unpublished, value)
    worked_out = determined_by(rel, (hidden | unpublished) - zeros)
    assert not worked_out & hidden, sorted(worked_out & hidden)[:5]
    assert not [c for c in worked_out if 0 < value(c) < threshold]
    for part, whole in bounds:
        if whole in hidden and part not in hidden:
            assert value(part) == 0, (part, whole)


@pytest.mark.parametrize("period", [YEAR, H1])
def test_published_report_with_new_tables_hides_what_they_would_reveal(exempelstad, period):
    insats_goal(exempelstad.interventions.get(slug="ips-psykos"), 2024, "current_count", 60)
    unmasked = report(exempelstad, period)
    masked = report(exempelstad, period, publish=True)
    assert_nothing_worked_out(unmasked, masked, 5)
    t = masked.table("referrer_intervention")
    assert t.masked and all(t.cells[r][c] is None for r, c in t.masked)


def test_a_small_count_in_one_insats_is_not_left_to_subtraction(small):
    """One referral from fk in one insats: hidden, and so is enough around it that neither the
    referrer table nor the insats's column total gives it away."""
    make_participation(small.assigned, "fk", personnummer=identity_number(0), referrer="fk")
    for n in range(1, 11):
        make_participation(small.assigned if n % 2 else small.unassigned, f"af{n}", personnummer=identity_number(n),
                           referrer="af")
    unmasked = report(small.alfa, YEAR)
    masked = report(small.alfa, YEAR, publish=True)
    assert unmasked.table("referrer_intervention").cells["fk"]["aktivitet"] == 1
    assert masked.table("referrer_intervention").cells["fk"]["aktivitet"] is None
    assert_nothing_worked_out(unmasked, masked, small.alfa.masking_threshold)


def test_a_small_opening_hides_the_expected_value_and_the_status(small):
    """expected = opening + (target − opening) × fraction gives the opening away: with 2 ongoing
    on 1 January, a published half-year report hides the expectation and the status (and, as the
    plan masks a row by every count behind it, its result and the note naming the opening)."""
    i = small.assigned
    for n in range(2):
        make_participation(i, f"old{n}", personnummer=identity_number(n), start_date=D(2023, 5, 1))
    for n in range(2, 12):
        make_participation(i, f"new{n}", personnummer=identity_number(n), start_date=D(2024, 2, 1))
    insats_goal(i, 2024, "current_count", 20)
    key = "aktivitet.current_count"
    unmasked = report(small.alfa, H1).table("goals")
    assert unmasked.cells[key]["expected_to_date"] and unmasked.cells[key]["status"]
    assert "Ingående 2" in unmasked.texts[key]["note"]
    assert unmasked.cells[key]["result"] == 12  # the insats's current count itself is not small
    published = report(small.alfa, H1, publish=True)
    assert_nothing_worked_out(report(small.alfa, H1), published, small.alfa.masking_threshold)
    masked = published.table("goals")
    cells, texts = masked.cells[key], masked.texts[key]
    assert cells["expected_to_date"] is None and cells["status"] is None and cells["result"] is None
    assert texts["note"] is None and texts["status"] is None and texts["expected_to_date"] is None
    assert cells["target"] == 20  # the target is not a count


# --- sections per insats and the previous period -----------------------------------------------

SECTIONED = ["age", "education", "time_on_support", "referrer", "target_group", "municipality", "time_without_work",
             "referring_unit", "born_abroad", "impairment", "violence_questions", "exit_reason", "support_in_out",
             "support_transition", "duration"]
SLUGS = ["aktivitetsplatsen", "finsam-team", "ips-psykos", "novum"]


def test_sections_per_insats_add_up_to_the_whole(exempelstad):
    r = report(exempelstad, YEAR, sections=True)
    for table_id in SECTIONED:
        whole = r.table(table_id)
        for row, cols in whole.cells.items():
            for col, value in cols.items():
                if isinstance(value, int) and (row, col) not in whole.measures:
                    parts = [r.table(f"{table_id}:{slug}").cell(row, col) or 0 for slug in SLUGS]
                    assert sum(parts) == value, (table_id, row, col)
    assert r.table("referrer:novum").title == "Anmälande part – Novum"
    for slug in SLUGS:  # each section's referrer is the insats's column of referrer_intervention
        assert r.table(f"referrer:{slug}").cells["af"]["count"] == independent.referrer_intervention(*YEAR)["af"].get(slug, 0)
        assert r.table(f"exit_reason:{slug}").cells["totalt"]["totalt"] == r.table("work_or_study").cells[slug]["exited"]


def test_unique_per_insats_counts_persons_of_the_insats(exempelstad):
    r = report(exempelstad, YEAR, sections=True)
    expected = independent.unique_per_insats(*YEAR)
    assert {slug: r.table(f"unique:{slug}").cells["totalt"]["totalt"] for slug in SLUGS} == expected
    # persons in two insatser: the sections do not add up to the whole
    assert sum(expected.values()) >= r.table("unique").cells["totalt"]["totalt"]


def test_one_insats_has_no_sections(exempelstad):
    r = report(exempelstad, YEAR, ["novum"], sections=True)
    assert not [t for t in r.tables if ":" in t.id]


def test_previous_period_and_change(exempelstad):
    r = report(exempelstad, H1, previous=True)
    before = independent.flow_totals(D(2023, 1, 1), D(2023, 6, 30))
    now = independent.flow_totals(*H1)
    flow = r.table("flow")
    for col, n in before.items():
        assert flow.cells["totalt"][f"{col}_previous"] == n
        assert flow.cells["totalt"][f"{col}_change"] == now[col] - n
    assert "Aktuella, totalt, 2023-01-01–2023-06-30" in dict(flow.columns).values()
    year = report(exempelstad, YEAR, previous=True).table("flow")
    assert "Aktuella, totalt, 2023" in dict(year.columns).values()  # a calendar year by its number
    change = flow.cells["totalt"]["new_kvinna_change_pp"]
    assert change == pytest.approx(100 * (flow.shares["totalt"]["new_kvinna"] - flow.shares["totalt"]["new_kvinna_previous"]))
    assert flow.shares["totalt"]["new_kvinna_previous"] == pytest.approx(
        flow.cells["totalt"]["new_kvinna_previous"] / before["new_totalt"])
    assert "flow_years" not in {t.id for t in r.tables if "current_totalt_previous" in dict(t.columns)}
    leap = report(exempelstad, (D(2024, 2, 29), D(2024, 2, 29)), previous=True)
    assert "Aktuella, totalt, 2023-02-28–2023-02-28" in dict(leap.table("flow").columns).values()


def test_a_change_is_hidden_with_either_count(exempelstad):
    masked = report(exempelstad, YEAR, previous=True, publish=True)
    found = 0
    for table in masked.tables:
        hidden = set(table.masked)
        for row, cols in table.cells.items():
            for col in [c for c in cols if c.endswith("_change")]:
                base = col.removesuffix("_change")
                if (row, base) in hidden or (row, f"{base}_previous") in hidden:
                    assert cols[col] is None and (row, col) in hidden, (table.id, row, col)
                    found += 1
    assert found


def section_relations(report):
    """What a reader knows of a report's sections: they add up to the whole (its counts of this
    period), each holds its own sums, and ties to the whole's row or column of its insats."""
    rel, bounds = [], []
    tables = {t.id: t for t in report.tables}
    for table_id in SECTIONED:
        whole = tables[table_id]
        for row, cols in whole.cells.items():
            for col, value in cols.items():
                if isinstance(value, int) and (row, col) not in whole.measures and not col.endswith("_previous"):
                    rel.append(([(f"{table_id}:{s}", row, col) for s in SLUGS
                                 if row in tables[f"{table_id}:{s}"].cells], (table_id, row, col)))
    for table in report.tables:
        if ":" in table.id:
            rel += [([(table.id, *p) for p in parts], (table.id, *total)) for parts, total in table.sums]
    for s in SLUGS:
        for g in GT:
            bounds.append(((f"unique:{s}", "totalt", g), ("flow", s, f"current_{g}")))
            rel.append(([(f"exit_reason:{s}", "totalt", g)],
                        ("work_or_study", s, "exited" if g == "totalt" else f"exited_{g}")))
        rel.append(([(f"referrer:{s}", "af", "count")], ("referrer_intervention", "af", s)))
    return rel, bounds


def section_reader_relations(report, previous_report):
    """Sections add up to the whole and hold the whole's sums; the previous period's columns hold
    what a reader knows of that period's own report (test_masking.reader_relations, mapped)."""
    rel, bounds = section_relations(report)

    def earlier(cell):
        table_id, row, col = cell
        return (f"{table_id}_previous", row, col) if table_id.startswith("~") else (table_id, row, f"{col}_previous")

    compared = {t.id for t in report.tables if any(c.endswith("_previous") for c, _ in t.columns)}
    before, before_bounds = reader_relations(previous_report)
    before += new_reader_relations(previous_report)[0]
    for parts, total in before:
        if all(c[0] in compared or c[0].startswith("~") for c in [*parts, total]):
            rel.append(([earlier(c) for c in parts], earlier(total)))
    bounds += [(earlier(a), earlier(b)) for a, b in before_bounds if a[0] in compared and b[0] in compared]
    return rel, bounds


def test_published_report_with_sections_and_previous_period_hides_what_they_would_reveal(exempelstad):
    unmasked = report(exempelstad, YEAR, sections=True, previous=True)
    masked = report(exempelstad, YEAR, sections=True, previous=True, publish=True)
    previous = report(exempelstad, (D(2023, 1, 1), D(2023, 12, 31)))
    more, more_bounds = section_reader_relations(unmasked, previous)
    assert_nothing_worked_out(unmasked, masked, 5, more, more_bounds, previous)


def test_every_renderer_renders_the_variants_unchanged(exempelstad):
    """Sections and the previous period are tables and columns like any other: every renderer and
    the frozen format take them as they are (no renderer knows them)."""
    from finsam.reports import html, render_csv, render_pdf, render_xlsx
    from finsam.statistics.tables import freeze, thaw

    for publish in (False, True):
        r = report(exempelstad, H1, sections=True, previous=True, publish=publish)
        assert render_pdf.render(r)[:4] == b"%PDF"
        workbook = render_xlsx.render(r)
        text = render_csv.render(r).decode("utf-8-sig")
        assert "age:novum" in text and "current_totalt_previous" in text
        json.dumps(r.to_json())
        again = thaw(freeze(r))
        assert [html.table_view(t)["blocks"] for t in again.tables] == [html.table_view(t)["blocks"] for t in r.tables]
        assert workbook[:2] == b"PK"
    novum = r.table("age:novum")
    assert novum.title == "Ålder vid inskrivning – Novum" and novum.chart is not None


def test_report_command_asks_for_sections_and_the_previous_period(exempelstad, capsys):
    from django.core.management import call_command

    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-06-30",
                 "--per-insats", "--foregaende-period")
    data = json.loads(capsys.readouterr().out)
    ids = [t["id"] for t in data["tables"]]
    assert "education:novum" in ids and data["format"] == "finsam-report/1"
    flow = next(t for t in data["tables"] if t["id"] == "flow")
    assert flow["cells"]["totalt"]["new_totalt_previous"] == independent.flow_totals(D(2023, 1, 1), D(2023, 6, 30))["new_totalt"]
    call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-06-30")
    plain = json.loads(capsys.readouterr().out)
    assert not [t for t in plain["tables"] if ":" in t["id"]]
    assert "new_totalt_previous" not in next(t for t in plain["tables"] if t["id"] == "flow")["cells"]["totalt"]


def test_report_page_shows_sections_and_the_previous_period_when_asked(exempelstad, client):
    from django.urls import reverse

    from finsam.tenancy.models import Role, RoleAssignment, User

    analyst = User.objects.create_user("analytiker@exempelstad.se")
    RoleAssignment.objects.create(user=analyst, association=exempelstad, role=Role.ANALYST)
    client.force_login(analyst)
    url = reverse("reports:report", args=["exempelstad"]) + "?period=custom&date_from=2024-01-01&date_to=2024-06-30"
    plain = client.get(url).content.decode()
    assert "Ålder vid inskrivning – Novum" not in plain and "Ett avsnitt per insats" in plain
    page = client.get(url + "&sections=on&previous=on").content.decode()
    assert "Ålder vid inskrivning – Novum" in page
    assert "Aktuella, totalt, 2023-01-01–2023-06-30" in page and "förändring" in page
    data = json.loads(client.get(url + "&sections=on&previous=on&format=json").content)
    assert "age:novum" in [t["id"] for t in data["tables"]]


def test_referrer_by_insats_costs_the_published_referrer_table_nothing(exempelstad):
    """The board's referrer table is masked as it would be without the table per insats: masking
    hides a second small cell of the detailed table rather than the referrer counts (with a total
    column repeating them, the published 2024 report hid every referrer count)."""
    from finsam.statistics import tables

    others = [spec.id for spec in tables.specs() if spec.id != "referrer_intervention"]
    with_it = report(exempelstad, YEAR, publish=True).table("referrer")
    without = report(exempelstad, YEAR, publish=True, tables=others).table("referrer")
    assert sorted(with_it.masked) == sorted(without.masked)
    assert sum(with_it.cells[key]["count"] is not None for key, _ in with_it.rows) >= 6
