"""The survey tables reproduce every cell of the example's expected files (shared/examples,
exempel-enkat-2024*.json), on SQLite and PostgreSQL."""

import datetime
import json

import pytest

from finsam.statistics.engine import compute_report
from finsam.surveys.answers import import_answers
from finsam.surveys.national import load_national
from finsam.surveys.questions import load_question_set
from finsam.surveys.setup import apply_survey_file

from .conftest import DATA

# Where the expected file and the spec disagree, the spec wins (tests say so, the report explains):
# before 31 December a goal without a result has the status "ej_bedomt" (surveys.md, "Goals":
# "`ej_bedomt` without a result"); exempel-enkat-2024-h1.json writes null.
SPEC_OVER_EXPECTED = {("exempel-enkat-2024-h1.json", "survey_goals", "status"): (None, "ej_bedomt")}


def load_surveys(association, answers=True):
    for name in ("exempel-fragor-v1.json", "exempel-fragor-v2.json"):
        load_question_set((DATA / name).read_bytes(), association)
    apply_survey_file((DATA / "exempel-enkater.json").read_bytes(), association)
    if answers:
        import_answers((DATA / "exempel-svar.csv").read_bytes(), "exempel-svar.csv", association)
    load_national((DATA / "exempel-riket-2024.csv").read_bytes(), "exempel-riket-2024.csv")


@pytest.fixture
def surveyed(exempelstad):
    load_surveys(exempelstad)
    return exempelstad


def expected_and_actual(association, name):
    expected = json.loads((DATA / name).read_text())
    period = expected["period"]
    report = compute_report(association, datetime.date.fromisoformat(period["from"]),
                            datetime.date.fromisoformat(period["to"]), expected["filters"]["interventions"] or None,
                            tables=["surveys"])
    return expected, report.to_json()


@pytest.mark.parametrize("name", ["exempel-enkat-2024.json", "exempel-enkat-2024-h1.json",
                                  "exempel-enkat-2024-finsam-team.json"])
def test_every_cell_of_the_expected_survey_tables(surveyed, name):
    expected, actual = expected_and_actual(surveyed, name)
    assert actual["filters"] == {"interventions": expected["filters"]["interventions"], "respondent_groups": []}
    tables = {t["id"]: t for t in actual["tables"]}
    assert [t["id"] for t in expected["tables"]] == list(tables)
    for want in expected["tables"]:
        got = tables[want["id"]]
        assert [r["key"] for r in got["rows"]] == want["rows"], want["id"]
        for key in ("min_n", "masked_rows", "previous_period", "year"):
            if key in want:
                assert got[key] == want[key], (want["id"], key)
            else:
                assert key not in got, (want["id"], key)
        for row in want["rows"]:
            cells = dict(want["cells"][row])
            for (file, table, column), (was, spec) in SPEC_OVER_EXPECTED.items():
                if (file, table) == (name, want["id"]) and cells.get(column, "?") == was:
                    cells[column] = spec
            got_cells = {k: v for k, v in got["cells"][row].items() if k in cells}
            assert got_cells == cells, (want["id"], row)
            others = {k: v for k, v in got["cells"][row].items() if k not in cells and k != "shown"}
            assert set(others.values()) <= {None}, (want["id"], row)  # other columns: no value in this row
            assert got["shares"][row] == want["shares"][row], (want["id"], row)


# --- the tables in reports -----------------------------------------------------------------------------

SURVEY_IDS = ["survey_response_rate", "survey_groups", "survey_questions", "survey_indicators", "survey_trend",
              "survey_national", "survey_goals"]
YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


@pytest.mark.parametrize("publish", [False, True])
def test_survey_tables_hold_to_the_json_contract_and_publication_masks_nothing_more(surveyed, publish):
    from finsam.reports.exporters import registry

    from .test_report_json import problems_of

    report = compute_report(surveyed, *YEAR, publish=publish)  # default selection: surveys have data
    document = json.loads(registry.get("json").render(report))
    assert problems_of(document) == []
    tables = {t["id"]: t for t in document["tables"]}
    assert set(SURVEY_IDS) <= set(tables)
    # Masking is the surveys' own, the same for every role and format: publication adds nothing
    # (answer counts are no participant counts) and never hides a response count or rate.
    internal = {t["id"]: t for t in compute_report(surveyed, *YEAR, tables=["surveys"]).to_json()["tables"]}
    for table_id in SURVEY_IDS:
        assert "masked" not in tables[table_id]
        assert tables[table_id]["cells"] == internal[table_id]["cells"]
        assert tables[table_id]["shares"] == internal[table_id]["shares"]
    rate = tables["survey_response_rate"]
    assert rate["cells"]["2024-styrelse"]["responses"] == 4 and rate["shares"]["2024-styrelse"]["rate"] == 0.4
    assert "masked_rows" not in rate and "masked_rows" not in tables["survey_groups"]


def test_free_text_is_in_no_table_or_file(surveyed):
    from finsam.reports.exporters import registry

    from finsam.surveys.models import Answer

    texts = [t for t in Answer.objects.exclude(text="").values_list("text", flat=True)]
    assert texts
    report = compute_report(surveyed, *YEAR, tables=["surveys"])
    for exporter in ("json", "csv", "html"):
        content = registry.get(exporter).render(report)
        content = content if isinstance(content, bytes) else b"".join(content)
        for text in texts:
            assert text.encode() not in content, exporter
    assert not any(key.endswith(("/d06", "/l02")) for t in report.tables for key, _ in t.rows)


def test_every_format_renders_the_survey_tables(surveyed):
    from finsam.reports.exporters import registry

    report = compute_report(surveyed, *YEAR, tables=["surveys"])
    for exporter in registry:
        content = exporter.render(report)
        assert content if isinstance(content, bytes) else b"".join(content)


def test_survey_tables_only_when_a_round_ends_in_the_period(surveyed):
    ids = lambda *period, **kw: {t.id for t in compute_report(surveyed, *period, **kw).tables}  # noqa: E731
    assert set(SURVEY_IDS) <= ids(*YEAR)
    assert not set(SURVEY_IDS) & ids(datetime.date(2022, 1, 1), datetime.date(2022, 12, 31))
    assert not set(SURVEY_IDS) & ids(*YEAR, interventions=["novum"])  # no rounds of novum
    assert set(SURVEY_IDS) <= ids(*YEAR, interventions=["finsam-team"])


def test_respondent_group_filter(surveyed):
    report = compute_report(surveyed, *YEAR, tables=["surveys"], respondent_groups=["styrelse", "chefer_samverkan"])
    document = report.to_json()
    assert document["filters"]["respondent_groups"] == ["styrelse", "chefer_samverkan"]
    questions = next(t for t in document["tables"] if t["id"] == "survey_questions")
    assert {r["key"].split("/")[0] for r in questions["rows"]} == {"styrelse", "chefer_samverkan", "totalt"}
    assert questions["masked_rows"]["chefer_samverkan/p02"] == "secondary"


def test_goals_and_the_metric_source_give_the_same_result(surveyed):
    from finsam.statistics import metrics

    document = compute_report(surveyed, *YEAR, tables=["survey_goals"]).to_json()
    goals = document["tables"][0]
    for row, ref, interventions in [
            ("aktivitetsplatsen/deltagare_avslut/d03", {"question": "d03", "respondent_group": "deltagare_avslut"},
             ("aktivitetsplatsen",)),
            ("forbund/totalt/p02", {"question": "p02"}, ()),
            ("finsam-team/insatspersonal/p01", {"question": "p01", "respondent_group": "insatspersonal"},
             ("finsam-team",))]:
        ref = {"source": "surveys", "key": "share_positive", **ref}
        assert metrics.validate(ref, surveyed) == []
        value = metrics.resolve(ref, metrics.MetricQuery(surveyed, *YEAR, interventions))
        assert round(value.value, 4) == goals["shares"][row]["result"]
        assert (value.numerator, value.denominator) == (goals["cells"][row]["positive"], goals["cells"][row]["n"])
        assert value.unit == "share" and value.accrual == "rate"
    masked = metrics.resolve({"source": "surveys", "key": "share_positive", "question": "c01",
                              "respondent_group": "styrelse"}, metrics.MetricQuery(surveyed, *YEAR))
    assert masked.value is None and masked.masked
    rate = metrics.resolve({"source": "surveys", "key": "response_rate", "respondent_group": "insatspersonal"},
                           metrics.MetricQuery(surveyed, *YEAR))
    assert (rate.numerator, rate.denominator) == (18, 23)
    assert metrics.validate({"source": "surveys", "key": "share_top", "question": "zz"}, surveyed)
    assert metrics.validate({"source": "surveys", "key": "share_top"}, surveyed)


def test_a_masked_previous_year_is_marked_previous_masked(surveyed):
    from finsam.surveys.models import Answer

    # 2023's staff round keeps four answers to p01 (of ten): its row is masked, 2024's is not.
    for answer in list(Answer.objects.filter(response__round__key="2023-personal-finsam-team",
                                             question__key="p01").order_by("pk"))[4:]:
        answer.delete()
    trend = compute_report(surveyed, *YEAR, tables=["survey_trend"]).to_json()["tables"][0]
    for row in ("insatspersonal/p01", "insatspersonal/E4"):
        assert trend["masked_rows"][row] == "previous_masked"
        assert trend["cells"][row]["n"] == 18 and trend["cells"][row]["n_prev"] is None
        assert trend["shares"][row]["positive"] == 0.8333
        assert trend["shares"][row]["change"] is None and trend["shares"][row]["positive_prev"] is None


def test_published_reports_keep_the_survey_tables_as_computed(surveyed):
    from finsam.reports.publishing import publish_report
    from finsam.tenancy.models import User

    admin = User.objects.get(username="admin@exempelstad.se")
    internal = {t["id"]: t for t in compute_report(surveyed, *YEAR, tables=["surveys"]).to_json()["tables"]}
    first = publish_report(surveyed, date_from=YEAR[0], date_to=YEAR[1], interventions=[], title="2024", user=admin)
    second = publish_report(surveyed, date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 11, 30),
                            interventions=[], title="Till november", user=admin)  # differenced against the first
    for publication in (first, second):
        tables = {t["id"]: t for t in publication.report().to_json()["tables"]}
        assert set(SURVEY_IDS) <= set(tables)
    tables = {t["id"]: t for t in first.report().to_json()["tables"]}
    for table_id in SURVEY_IDS:
        for key in ("cells", "shares", "min_n", "masked_rows", "previous_period", "year"):
            assert tables[table_id].get(key) == internal[table_id].get(key), (table_id, key)


def test_pages_say_too_few_answers_in_a_masked_row(surveyed):
    from finsam.reports import formatting

    report = compute_report(surveyed, *YEAR, tables=["survey_questions"])
    table = report.tables[0]
    assert formatting.cell(table, "styrelse/p02", "responses") == "4"
    assert formatting.cell(table, "styrelse/p02", "n") == "för få svar"
    assert formatting.share_cell(table, "styrelse/p02", "positive") == "för få svar"
    assert formatting.cell(table, "deltagare_pagaende/d05", "step:helt") == "–"  # another scale's step


def test_the_report_command_filters_respondent_groups(surveyed, capsys):
    from django.core.management import call_command

    from finsam.tenancy.scope import no_scope

    with no_scope():
        call_command("report", "--association", "exempelstad", "--from", "2024-01-01", "--to", "2024-12-31",
                     "--tables", "survey_groups", "--respondentgrupp", "styrelse")
    document = json.loads(capsys.readouterr().out)
    assert document["filters"]["respondent_groups"] == ["styrelse"]
    assert [r["key"] for r in document["tables"][0]["rows"]] == ["styrelse", "totalt"]


def test_a_goal_row_gives_away_no_masked_group_of_the_same_report(surveyed):
    """A goal is computed for its own insats; the report's table pools every insats. With a second
    insats holding 3 answers to d03 (deltagare_pagaende), the report's row minus the visible goal
    row of finsam-team would be those 3 answers: the goal row is masked (secondary) instead."""
    from finsam.interventions.models import Intervention
    from finsam.surveys.models import QuestionSet, Round
    from finsam.surveys.services import record_response

    other = Intervention.objects.get(association=surveyed, slug="aktivitetsplatsen")
    small = Round.objects.create(association=surveyed, key="2024-pagaende-aktivitetsplatsen", title="Liten omgång",
                                 question_set=QuestionSet.objects.get(association=surveyed, version=2),
                                 respondent_group="deltagare_pagaende", intervention=other,
                                 date_from=datetime.date(2024, 9, 2), date_to=datetime.date(2024, 9, 27),
                                 status="stangd")
    for step in ("inte_alls", "inte_alls", "liten"):
        record_response(small, channel="papper", language="sv", answers={"d03": step})
    document = compute_report(surveyed, *YEAR, tables=["survey_questions", "survey_goals"]).to_json()
    tables = {t["id"]: t for t in document["tables"]}
    pooled = tables["survey_questions"]["cells"]["deltagare_pagaende/d03"]
    assert pooled["n"] == 15  # 12 of finsam-team + 3 of aktivitetsplatsen, shown
    goals = tables["survey_goals"]
    goal = "finsam-team/deltagare_pagaende/d03"
    assert goals["cells"][goal]["n"] is None and goals["cells"][goal]["positive"] is None
    assert goals["shares"][goal]["result"] is None
    assert goals["masked_rows"][goal] == "secondary"
    assert goals["cells"][goal]["grade"] == "ej_bedomt"
    # the goal of the same selection as its table row stays shown
    assert goals["cells"]["aktivitetsplatsen/deltagare_avslut/d02"]["n"] == 8


# --- a publication against the förbund's earlier publications ---------------------------------------------

def test_a_publication_gives_away_no_small_group_as_its_difference_from_an_earlier_one(surveyed):
    """Published January–November, then the whole year: a staff round of 3 answers ending 10
    December would be the difference of the two rows insatspersonal/p01 (n 18 → 21, and each
    step's count with it). The year's publication masks the row, its totalt row and what follows
    from them; the first one is unchanged, and without the earlier publication the row shows."""
    from finsam.interventions.models import Intervention
    from finsam.reports.publishing import publish_report
    from finsam.surveys.models import QuestionSet, Round
    from finsam.surveys.services import record_response
    from finsam.tenancy.models import User

    admin = User.objects.get(username="admin@exempelstad.se")
    december = Round.objects.create(
        association=surveyed, key="2024-personal-december", title="December",
        question_set=QuestionSet.objects.get(association=surveyed, version=2), respondent_group="insatspersonal",
        intervention=Intervention.objects.get(association=surveyed, slug="finsam-team"),
        date_from=datetime.date(2024, 12, 2), date_to=datetime.date(2024, 12, 10), status="stangd")
    for step in ("inte_alls", "inte_alls", "liten"):
        record_response(december, channel="papper", language="sv", answers={"p01": step})
    row = "insatspersonal/p01"
    alone = compute_report(surveyed, *YEAR, tables=["survey_questions"]).to_json()["tables"][0]
    assert alone["cells"][row]["n"] is not None  # on its own, the year shows the row

    def published(date_to, title):
        report = publish_report(surveyed, date_from=YEAR[0], date_to=date_to, interventions=[], title=title,
                                user=admin).report().to_json()
        return {t["id"]: t for t in report["tables"]}

    november = published(datetime.date(2024, 11, 30), "Januari–november")
    year = published(YEAR[1], "Helår")
    before, after = november["survey_questions"], year["survey_questions"]
    assert before["cells"][row]["n"] is not None and row not in before["masked_rows"]
    assert after["cells"][row]["n"] is None and after["masked_rows"][row] == "secondary"
    shown_before = {r: c for r, c in before["cells"].items() if c["n"] is not None}
    for r, cells in after["cells"].items():  # no shown row of the year differs by 1-4 from November's
        if cells["n"] is not None and r in shown_before:
            assert not 0 < abs(cells["n"] - shown_before[r]["n"]) < surveyed.masking_threshold, r
            assert not 0 < abs(cells["answered"] - shown_before[r]["answered"]) < surveyed.masking_threshold, r
    for table_id in ("survey_indicators", "survey_trend"):
        for r, cells in year[table_id]["cells"].items():
            if r in november[table_id]["cells"] and cells.get("n") is not None \
                    and november[table_id]["cells"][r].get("n") is not None:
                assert not 0 < abs(cells["n"] - november[table_id]["cells"][r]["n"]) < 5, (table_id, r)
