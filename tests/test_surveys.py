"""Indicator surveys (shared/spec/surveys.md): question sets, survey file, responses, codes."""

import json

import pytest
from django.core.management import CommandError, call_command

from finsam.surveys import services
from finsam.surveys.answers import answers_csv, answers_xlsx, import_answers
from finsam.surveys.errors import CodeRefused, SurveyError, SurveyFileError
from finsam.surveys.models import (
    Answer, ImportId, NationalComparison, Question, QuestionSet, Response, Round, SurveyCode, SurveyGoal,
)
from finsam.surveys.national import load_national
from finsam.surveys.questions import load_question_set
from finsam.surveys.setup import apply_survey_file
from finsam.tenancy.models import DataVersion
from finsam.tenancy.scope import no_scope

from .conftest import DATA


def load_sets(association):
    for name in ("exempel-fragor-v1.json", "exempel-fragor-v2.json"):
        load_question_set((DATA / name).read_bytes(), association)


@pytest.fixture
def surveyed(example_association):
    """The example förbund with its question sets and rounds (no answers)."""
    association, _ = example_association
    load_sets(association)
    apply_survey_file((DATA / "exempel-enkater.json").read_bytes(), association)
    return association


def version(association):
    return DataVersion.objects.filter(association=association).values_list("version", flat=True).first() or 0


# --- question sets -------------------------------------------------------------------------------------

def test_commands_load_the_example_sets_and_rounds_idempotently(example_association, capsys):
    association, _ = example_association
    with no_scope():
        for _ in range(2):
            for name in ("exempel-fragor-v1.json", "exempel-fragor-v2.json"):
                call_command("load_questions", "--association", "exempelstad", str(DATA / name))
            call_command("setup_surveys", "--association", "exempelstad", str(DATA / "exempel-enkater.json"))
    out = capsys.readouterr().out
    assert out.count("Skapad:") == 2 and out.count("Oförändrad:") == 2
    assert "Skapade omgångar: 12" in out and "Oförändrade omgångar: 12" in out
    assert QuestionSet.objects.count() == 2
    assert Question.objects.filter(question_set__version=2).count() == 13
    assert Round.objects.count() == 12 and SurveyGoal.objects.count() == 7
    assert list(Question.objects.filter(question_set__version=2).values_list("key", flat=True)) == [
        "d01", "d02", "d03", "d04", "d05", "d06", "p01", "p02", "p03", "c01", "c02", "l01", "l02"]


def test_a_locked_version_refuses_every_difference(surveyed):
    v2 = json.loads((DATA / "exempel-fragor-v2.json").read_text())
    rnd = Round.objects.get(key="2024-styrelse")
    services.record_response(rnd, channel="papper", language="sv", answers={"p02": "helt"})
    assert QuestionSet.objects.get(version=2).locked
    v2["questions"][0]["text"]["sv"] = "Ny formulering?"
    v2["title"] = "Ny titel"
    with pytest.raises(SurveyFileError) as refused:
        load_question_set(json.dumps(v2), surveyed)
    assert len(refused.value.errors) == 2
    assert all("låst" in e for e in refused.value.errors)
    assert any("frågan \"d01\"" in e for e in refused.value.errors)


def test_a_new_version_may_reword_but_never_change_a_scale(surveyed):
    v3 = json.loads((DATA / "exempel-fragor-v2.json").read_text())
    v3["version"] = 3
    v3["questions"][0]["text"]["sv"] = "Ny formulering?"  # allowed
    v3["questions"][1]["scale"] = "ja_nej"  # d02: grad4 -> ja_nej
    v3["questions"][7]["scale"] = "grad4"  # p02: grad5 -> grad4
    with pytest.raises(SurveyFileError) as refused:
        load_question_set(json.dumps(v3), surveyed)
    assert len(refused.value.errors) == 2
    assert "d02" in refused.value.errors[0] and "p02" in refused.value.errors[1]
    assert "ny nyckel" in refused.value.errors[0]


def test_nns_sets_need_the_agreement_confirmed(example_association, tmp_path):
    association, admin = example_association
    doc = json.loads((DATA / "exempel-fragor-v1.json").read_text())
    doc["source"] = "nns"
    with pytest.raises(SurveyFileError) as refused:
        load_question_set(json.dumps(doc), association)
    assert "avtal" in refused.value.errors[0]
    load_question_set(json.dumps(doc), association, confirmed_by=admin)
    stored = QuestionSet.objects.get()
    assert stored.nns_confirmed_by == admin and stored.nns_confirmed_at is not None
    path = tmp_path / "nns.json"
    path.write_text(json.dumps({**doc, "version": 2}))
    with no_scope(), pytest.raises(CommandError, match="avtal"):
        call_command("load_questions", "--association", "exempelstad", str(path))
    with no_scope():
        call_command("load_questions", "--association", "exempelstad", "--bekrafta-nns-avtal", "Anna Andersson",
                     str(path))
    assert QuestionSet.objects.get(version=2).nns_confirmed_by_name == "Anna Andersson"


def test_keys_are_unique_across_a_forbunds_sets(surveyed):
    other = json.loads((DATA / "exempel-fragor-v1.json").read_text())
    other["key"] = "annan"
    with pytest.raises(SurveyFileError) as refused:
        load_question_set(json.dumps(other), surveyed)
    errors = refused.value.errors
    assert any("\"d01\"" in e and "unika" in e for e in errors)
    assert any("\"E1\"" in e for e in errors)


@pytest.mark.parametrize("raw, expected", [
    (b"{", "ingen giltig JSON"),
    (b"\x00{}", "nolltecken"),
    (b"[]", "JSON-objekt"),
    (b'{"format": "finsam-surveys/1"}', "format"),
    (json.dumps({"format": "finsam-questions/1", "key": "x", "version": "1", "source": "egen", "title": 3,
                 "questions": {}}).encode(), "version"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON"),
])
def test_hostile_question_files_are_refused(example_association, raw, expected):
    association, _ = example_association
    with pytest.raises(SurveyFileError) as refused:
        load_question_set(raw, association)
    assert any(expected in e for e in refused.value.errors)
    assert QuestionSet.objects.count() == 0


def test_a_huge_file_is_refused_before_it_is_parsed(example_association, settings):
    association, _ = example_association
    settings.FINSAM_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(SurveyFileError) as refused:
        load_question_set(b" " * 2000, association)
    assert "för stor" in refused.value.errors[0]


# --- the survey file ---------------------------------------------------------------------------------

def test_a_round_with_responses_keeps_its_set_group_and_scope(surveyed):
    rnd = Round.objects.get(key="2024-styrelse")
    services.record_response(rnd, channel="papper", language="sv", answers={"p02": "helt"})
    doc = json.loads((DATA / "exempel-enkater.json").read_text())
    entry = next(r for r in doc["rounds"] if r["key"] == "2024-styrelse")
    entry.update(version=1, respondent_group="chefer_samverkan", intervention="novum", title="Ny titel")
    with pytest.raises(SurveyFileError) as refused:
        apply_survey_file(json.dumps(doc), surveyed)
    assert len(refused.value.errors) == 3
    assert Round.objects.get(key="2024-styrelse").title == "Styrelsen, förbundet, 2024"
    entry.update(version=2, respondent_group="styrelse", intervention=None)
    apply_survey_file(json.dumps(doc), surveyed)  # the title may change
    assert Round.objects.get(key="2024-styrelse").title == "Ny titel"


def test_survey_file_errors_name_their_json_path(surveyed):
    doc = {"format": "finsam-surveys/1", "rounds": [
        {"key": "x", "title": "X", "question_set": "exempel-indikatorer", "version": 9, "respondent_group": "okand",
         "intervention": "saknas", "from": "2024-13-01", "to": "2024-01-01", "population": "många", "status": "klar"}],
        "goals": [{"year": 2024, "question": "d01", "indicator": "E1", "target": 80}]}
    with pytest.raises(SurveyFileError) as refused:
        apply_survey_file(json.dumps(doc), surveyed)
    errors = "\n".join(refused.value.errors)
    for path in ("rounds[0].version", "rounds[0].respondent_group", "rounds[0].intervention", "rounds[0].from",
                 "rounds[0].population", "rounds[0].status", "goals[0]:", "goals[0].target"):
        assert path in errors, path


# --- responses -----------------------------------------------------------------------------------------

def test_shown_questions_and_languages(surveyed):
    participants = Round.objects.get(key="2024-pagaende-finsam-team")
    assert [q.key for q in services.shown_questions(participants)] == ["d01", "d02", "d03", "d05", "d06"]
    assert services.languages_offered(participants) == ["sv", "sv-lattlast", "en"]
    board = Round.objects.get(key="2024-styrelse")
    assert [q.key for q in services.shown_questions(board)] == ["p02", "c01", "c02"]
    assert services.languages_offered(board) == ["sv"]
    assert services.ui_text(participants, "en", "progress").format(i=3, n=5) == "Question 3 of 5"
    with pytest.raises(SurveyError):
        services.shown_questions(board, "en")


def test_web_answers_need_an_open_round_and_an_unused_code(surveyed):
    rnd = Round.objects.get(key="2024-pagaende-finsam-team")
    with pytest.raises(SurveyError, match="stängd"):
        services.record_response(rnd, channel="webb", language="sv", answers={"d01": "stor"})
    services.reopen_round(rnd)
    issued = services.issue_codes(rnd, 3)
    assert len(set(issued)) == 3 and all(len(c) == 8 and not set(c) & set("0O1IL") for c in issued)
    assert not SurveyCode.objects.filter(code_hash__in=issued).exists()  # only hashes are stored
    with pytest.raises(SurveyError, match="svarskod"):
        services.record_response(rnd, channel="webb", language="sv", answers={"d01": "stor"})
    before = version(surveyed)
    response = services.record_response(rnd, channel="webb", language="en", code=issued[0].lower(),
                                        answers={"d01": "stor", "d02": "vet_ej", "d03": None, "d06": "Bra stöd."})
    assert version(surveyed) > before
    assert sorted(response.answers.values_list("question__key", "step", "text")) == [
        ("d01", "stor", ""), ("d02", "vet_ej", ""), ("d06", "", "Bra stöd.")]
    # The used code's row is gone; the round counts 3 issued, 1 used.
    assert SurveyCode.objects.filter(round=rnd).count() == 2
    assert services.code_counts([rnd]) == {rnd.pk: (3, 1)}
    with pytest.raises(CodeRefused, match="Koden gäller inte"):
        services.record_response(rnd, channel="webb", language="sv", answers={}, code=issued[0])
    with pytest.raises(CodeRefused):  # an unknown code is refused the same way
        services.record_response(rnd, channel="webb", language="sv", answers={}, code="ABCDEFGH")
    with pytest.raises(SurveyError) as refused:
        services.record_response(rnd, channel="webb", language="sv", code=issued[1],
                                 answers={"d01": "bad", "p01": "stor", "d06": "Mitt nr 19900101-0017"})
    assert len(refused.value.errors) == 3
    assert "19900101" not in " ".join(refused.value.errors)
    assert Response.objects.count() == 1 and services.code_counts([rnd]) == {rnd.pk: (3, 1)}
    services.close_round(rnd)
    with pytest.raises(SurveyError):
        services.close_round(rnd)


def test_free_text_only_for_rounds_with_min_n_responses(surveyed):
    rnd = Round.objects.get(key="2024-pagaende-finsam-team")
    for i in range(4):
        services.record_response(rnd, channel="papper", language="sv", answers={"d06": f"Text {i}"})
    assert services.free_text_answers(rnd, "d06") == []
    services.record_response(rnd, channel="papper", language="sv", answers={"d01": "stor"})
    assert sorted(services.free_text_answers([rnd], "d06")) == [f"Text {i}" for i in range(4)]
    assert Answer.objects.filter(text__startswith="Text").count() == 4


# --- the answers file ------------------------------------------------------------------------------


HEADER = "omgang;svar_id;kanal;sprak;d01;d02;d03;d05;d06;p02;c01;c02"


def answers_file(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


def test_the_example_answers_import_once_and_again_changes_nothing(surveyed):
    data = (DATA / "exempel-svar.csv").read_bytes()
    first = import_answers(data, "exempel-svar.csv", surveyed)
    assert (first.created, first.unchanged) == (88, 0)
    before = version(surveyed)
    again = import_answers(data, "exempel-svar.csv", surveyed)
    assert (again.created, again.unchanged) == (0, 88)
    assert Response.objects.count() == 88 == ImportId.objects.count()
    assert version(surveyed) == before  # nothing written, nothing marked
    assert QuestionSet.objects.get(version=2).locked and QuestionSet.objects.get(version=1).locked
    # No svar_id is stored, only its keyed hash.
    assert not ImportId.objects.filter(key_hash__contains="2024-avslut").exists()


def test_a_known_id_with_other_answers_is_an_error_and_nothing_is_written(surveyed):
    import_answers(answers_file("2024-styrelse;s1;;;;;;;;helt;stor;"), "svar.csv", surveyed)
    with pytest.raises(SurveyFileError) as refused:
        import_answers(answers_file("2024-styrelse;s2;;;;;;;;helt;;", "2024-styrelse;s1;;;;;;;;delvis;stor;"),
                       "svar.csv", surveyed)
    assert len(refused.value.errors) == 1 and "Rad 3" in refused.value.errors[0] and "andra svar" in refused.value.errors[0]
    assert Response.objects.count() == 1


def test_labels_are_accepted_and_every_error_has_row_column_and_value(surveyed):
    summary = import_answers(answers_file("2024-styrelse;s1;papper;sv;;;;;;Helt och hållet;vet inte;Till stor del"),
                             "svar.csv", surveyed)
    assert summary.created == 1
    assert sorted(Answer.objects.values_list("question__key", "step")) == [("c01", "vet_ej"), ("c02", "stor"),
                                                                          ("p02", "helt")]
    rows = ["2024-styrelse;s2;fax;sv;;;;;;helt;;",  # channel
            "2024-styrelse;s3;;en;;;;;;helt;;",  # language not offered (staff questions are in Swedish only)
            "2024-styrelse;s4;;;stor;;;;;helt;;",  # d01 is not asked to the board
            "2024-styrelse;s5;;;;;;;;mycket;;",  # no such step
            "okand;s6;;;;;;;;helt;;",  # no such round
            "2024-pagaende-finsam-team;s7;;;;;;;Ring mig på 19900101-0017;;;",  # identity number in free text
            "2024-styrelse;;;;;;;;;helt;;",  # no svar_id
            "2024-styrelse;s9;;;;;;;;helt;;", "2024-styrelse;s9;;;;;;;;stor;;"]  # twice in the file
    with pytest.raises(SurveyFileError) as refused:
        import_answers(answers_file(*rows), "svar.csv", surveyed)
    errors = refused.value.errors
    assert len(errors) == 8, errors
    for line, column, value in [(2, "kanal", "fax"), (3, "sprak", "en"), (4, "d01", "stor"), (5, "p02", "mycket"),
                                (6, "omgang", "okand"), (7, "d06", ""), (8, "svar_id", ""), (10, "svar_id", "s9")]:
        assert any(e.startswith(f"Rad {line}, kolumn {column}") and value in e for e in errors), (line, errors)
    assert not any("19900101" in e for e in errors)
    assert Response.objects.count() == 1


@pytest.mark.parametrize("data, name, expected", [
    (b"omgang;svar_id;okand\n2024-styrelse;1;x\n", "svar.csv", "okänd kolumn"),
    (b"svar_id;p02\n1;helt\n", "svar.csv", "omgang"),
    (b"omgang;svar_id\n\x00\n", "svar.csv", "nolltecken"),
    (b"PK\x03\x04garbage", "svar.xlsx", "Excel"),
    (b"omgang;svar_id\n", "svar.pdf", "Filtypen"),
    (b"omgang;svar_id;p02\n2024-styrelse;1;" + b"x" * 5000 + b"\n", "svar.csv", "tecken"),
])
def test_hostile_answers_files_are_refused(surveyed, data, name, expected):
    with pytest.raises(SurveyFileError) as refused:
        import_answers(data, name, surveyed)
    assert any(expected in e for e in refused.value.errors), refused.value.errors
    assert Response.objects.count() == 0


def test_the_export_has_the_import_columns_and_imports_again_unchanged(surveyed):
    import_answers((DATA / "exempel-svar.csv").read_bytes(), "exempel-svar.csv", surveyed)
    rnd = Round.objects.get(key="2024-pagaende-finsam-team")
    services.reopen_round(rnd)
    services.record_response(rnd, channel="webb", language="en", answers={"d01": "stor", "d06": "=HYPERLINK(\"x\")"})
    rounds = Round.objects.filter(key__startswith="2024-pagaende")
    content = answers_csv(rounds)
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == "omgang;svar_id;kanal;sprak;d01;d02;d03;d05;d06"
    assert len(lines) == 14 and "'=HYPERLINK" in content.decode()  # neutralised for spreadsheets
    assert answers_xlsx(rounds)[:2] == b"PK"
    # An exported file read back changes nothing (its svar_id is the response's random id).
    plain = content.decode("utf-8-sig").replace("'=HYPERLINK", "=HYPERLINK").encode()
    summary = import_answers(plain, "export.csv", surveyed)
    assert (summary.created, summary.unchanged) == (0, 13)


def test_national_file_replaces_its_year_and_commands_exit_1_with_every_error(example_association, tmp_path):
    load_national((DATA / "exempel-riket-2024.csv").read_bytes(), "riket.csv")
    load_national(b"ar;respondentgrupp;nyckel;n;andel_positiv;antal_forbund\n2023;totalt;p02;10;0,5;3\n", "r.csv")
    assert NationalComparison.objects.count() == 10
    load_national(b"ar;respondentgrupp;nyckel;n;andel_positiv;antal_forbund\n2024;totalt;p02;10;0,5;3\n", "r.csv")
    assert NationalComparison.objects.filter(year=2024).count() == 1
    bad = tmp_path / "riket.csv"
    bad.write_bytes(b"ar;respondentgrupp;nyckel;n;andel_positiv;antal_forbund\n20x4;totalt;p02;-1;1,5;3\n")
    with no_scope(), pytest.raises(CommandError) as failed:
        call_command("load_national", str(bad))
    message = str(failed.value)
    assert "3 fel" in message and "kolumn ar" in message and "kolumn n" in message and "andel_positiv" in message
    answers = tmp_path / "svar.csv"
    answers.write_bytes(b"omgang;svar_id\nokand;1\n")
    with no_scope(), pytest.raises(CommandError, match="Rad 2, kolumn omgang"):
        call_command("import_answers", "--association", "exempelstad", str(answers))


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    yield path


def _replaced(document, path, new):
    copy = json.loads(json.dumps(document))
    if not path:
        return new
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


@pytest.mark.parametrize("name", ["exempel-fragor-v2.json", "exempel-enkater.json"])
def test_every_value_of_a_file_replaced_by_a_wrong_type_is_refused_never_a_crash(example_association, name):
    """Each value of the example file in turn becomes a list, an object, true, null or a long
    text: the file is refused with its errors (or still valid), never an exception of another kind."""
    association, _ = example_association
    load_sets(association)
    document = json.loads((DATA / name).read_text())
    if "rounds" in document:  # two rounds and two goals stand for every one (the file has 12 and 7)
        document = {**document, "rounds": document["rounds"][:2], "goals": document["goals"][:2]}
    load = (lambda doc: load_question_set(json.dumps(doc), association)) if "fragor" in name else (
        lambda doc: apply_survey_file(json.dumps(doc), association))
    refused = 0
    for path in _leaves(document):
        value = document
        for step in path:
            value = value[step]
        for wrong in ([], True, None) + (("x" * 5000,) if isinstance(value, str) else ()):
            try:
                load(_replaced(document, path, wrong))
            except SurveyFileError as error:
                assert error.errors and all(isinstance(e, str) for e in error.errors)
                refused += 1
    assert refused > 100


def test_an_exported_id_whose_digits_look_like_a_date_imports_again(surveyed):
    import uuid

    rnd = Round.objects.get(key="2024-styrelse")
    response = Response.objects.create(id=uuid.UUID("19900101-0017-4000-8000-000000000000"), association=surveyed,
                                       round=rnd, channel="papper", language="sv", date=rnd.date_to)
    Answer.objects.create(association=surveyed, response=response, question=services.shown_questions(rnd)[0],
                          step="helt")
    summary = import_answers(answers_csv([rnd]), "export.csv", surveyed)
    assert (summary.created, summary.unchanged) == (0, 1)


def test_an_excel_answers_file_imports_like_the_csv(surveyed):
    import_answers((DATA / "exempel-svar.csv").read_bytes(), "exempel-svar.csv", surveyed)
    rounds = Round.objects.filter(key__in=["2024-styrelse", "2024-chefer"])
    workbook = answers_xlsx(rounds)
    assert (import_answers(workbook, "svar.xlsx", surveyed).unchanged, Response.objects.count()) == (13, 88)


def test_saving_a_round_read_before_codes_were_issued_keeps_their_count(surveyed):
    """Round.codes_issued is written only by issue_codes: a form or file holding an older copy of
    the round does not set it back (each code used would then count as unused)."""
    rnd = Round.objects.get(key="2024-pagaende-finsam-team")
    stale = Round.objects.get(pk=rnd.pk)
    services.issue_codes(rnd, 4)
    services.issue_codes(rnd, 2)
    stale.title = "Ny titel"
    stale.save()
    rnd.refresh_from_db()
    assert (rnd.title, rnd.codes_issued) == ("Ny titel", 6)
    assert services.code_counts([rnd]) == {rnd.pk: (6, 0)}
