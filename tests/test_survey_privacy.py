"""What survey rows store (docs/privacy.md, "Indicator surveys"): nothing links a code or a session
to an answer, not even the database's own record of which transaction wrote a row (PostgreSQL's
``xmin``), and no masked group result can be worked out from the totals."""

import datetime
import uuid

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from finsam.surveys import codes, services
from finsam.surveys.models import Answer, QuestionSet, Response, Round, SurveyCode
from finsam.surveys.results import FEW, SECONDARY, Results, Row, mask

from finsam.tenancy.models import DataVersion

from .test_surveys import surveyed  # noqa: F401 - the fixture
from .test_surveys_web import answer_all, page, submit, surveys  # noqa: F401 - surveys is a fixture

# Every column of every survey model, and nothing more: a new column (a time, an IP address, a code
# or session reference) fails here until this list and docs/privacy.md say why it may be stored.
COLUMNS = {
    "QuestionSet": {"id", "association", "key", "version", "source", "title", "languages", "ui", "locked",
                    "nns_confirmed_by", "nns_confirmed_by_name", "nns_confirmed_at", "loaded_at"},
    "RespondentGroup": {"id", "association", "code", "label"},
    "Indicator": {"id", "association", "set_key", "code", "name", "level", "measurement_points"},
    "Scale": {"id", "association", "question_set", "key", "steps", "dont_know"},
    "Question": {"id", "association", "question_set", "position", "key", "indicator", "measurement_point", "groups",
                 "scale", "text"},
    "Round": {"id", "association", "key", "title", "question_set", "respondent_group", "intervention", "date_from",
              "date_to", "population_kind", "population_number", "status", "token", "codes_required",
              "codes_issued"},
    "SurveyCode": {"id", "association", "round", "code_hash"},
    "Response": {"id", "association", "round", "channel", "language", "date"},
    "Answer": {"id", "association", "response", "question", "step", "text"},
    "ImportId": {"id", "association", "round", "key_hash", "response"},
    "SurveyGoal": {"id", "association", "position", "year", "intervention", "respondent_group", "question_key",
                   "indicator_code", "target"},
    "NationalComparison": {"id", "year", "respondent_group", "key", "n", "share_positive", "associations"},
}


def test_survey_models_store_only_the_listed_columns():
    stored = {m.__name__: {f.name for f in m._meta.concrete_fields} for m in apps.get_app_config("surveys").get_models()}
    assert stored == COLUMNS
    # No time of day on what a respondent gives, and random ids where insertion order would order them.
    for name in ("Response", "Answer", "SurveyCode", "ImportId"):
        model = apps.get_model("surveys", name)
        assert not [f for f in model._meta.concrete_fields if isinstance(f, (models.DateTimeField, models.TimeField))]
    for name in ("Response", "Answer", "ImportId"):
        assert isinstance(apps.get_model("surveys", name)._meta.pk, models.UUIDField)
    # Nothing refers to a code, and a code refers to no response.
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey):
                assert field.related_model._meta.label != "surveys.SurveyCode", model
    code_fields = {f.related_model for f in apps.get_model("surveys", "SurveyCode")._meta.concrete_fields
                   if isinstance(f, models.ForeignKey)}
    assert apps.get_model("surveys", "Response") not in code_fields


def _every_stored_value():
    """(model label, column, value as text) of every row of every model of the project."""
    for model in apps.get_models():
        for row in model._base_manager.values_list(*[f.attname for f in model._meta.concrete_fields]):
            for field, value in zip(model._meta.concrete_fields, row):
                yield model._meta.label, field.attname, "" if value is None else str(value)


def test_no_stored_row_links_a_code_or_a_session_to_an_answer(surveyed, client):  # noqa: F811
    rnd = Round.objects.get(key="2024-pagaende-finsam-team")
    services.reopen_round(rnd)
    issued = services.issue_codes(rnd, 2)
    session = client.session
    session["survey"] = "unfinished"
    session.save()
    used_hash, unused_hash = (services._code_hashes(rnd, code)[0] for code in issued)
    response = services.record_response(rnd, channel="webb", language="sv", answers={"d01": "stor"}, code=issued[0])
    where_response = {(label, column) for label, column, value in _every_stored_value() if str(response.pk) in value}
    assert where_response == {("surveys.Response", "id"), ("surveys.Answer", "response_id")}
    # The used code is nowhere any more (its row is deleted); the unused one only in its row.
    assert not [row for row in _every_stored_value() if used_hash in row[2] or issued[0] in row[2]]
    where_code = {(label, column) for label, column, value in _every_stored_value()
                  if unused_hash in value or issued[1] in value}
    assert where_code == {("surveys.SurveyCode", "code_hash")}
    where_session = {label for label, column, value in _every_stored_value() if session.session_key in value}
    assert where_session == {"sessions.Session"}
    # The response's date has no time, its id is random (uuid4); the round counts 2 issued, 1 used.
    assert isinstance(response.date, datetime.date) and not isinstance(response.date, datetime.datetime)
    assert uuid.UUID(str(response.pk)).version == 4
    assert services.code_counts([rnd]) == {rnd.pk: (2, 1)}


# --- what a response's transaction leaves behind -------------------------------------------------------
# On PostgreSQL every row version carries the id of the transaction that wrote it (xmin) and, when
# a transaction locked it, that one's (xmax): readable by anyone who may read the table. A row
# written in a response's transaction is linked to that response. The code is used by deleting its
# row, so only these remain linked (docs/privacy.md): the response and its answers, the förbund's
# DataVersion (which says when the latest change was) and, on a set version's first response, the
# version's `locked` flag.

def _tables(*written):
    return {m._meta.db_table for m in written}


def _contents():
    """Every row of every table of the database, as text, per table."""
    contents = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            contents[table] = sorted(repr(row) for row in cursor.fetchall())
    return contents


def _rows_of_the_transaction_of(response):
    """PostgreSQL: ({table: rows} that the response's transaction wrote (xmin), {table: rows} it
    only locked (xmax)), over the live rows of every table of the database."""
    written, locked = {}, {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM surveys_response WHERE id = %s", [response.pk])
        xid = cursor.fetchone()[0]
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            for found, column in ((written, "xmin"), (locked, "xmax")):
                cursor.execute(f"SELECT count(*) FROM {quoted} WHERE {column} = %s::xid", [xid])
                if count := cursor.fetchone()[0]:
                    found[table] = count
    return written, locked


def _referenced_by(*written):
    """The tables the foreign keys of the models ``written`` point to: inserting a row makes PostgreSQL lock
    the row it refers to (FOR KEY SHARE), which leaves the transaction's id in that row's xmax."""
    return {f.related_model._meta.db_table for m in written for f in m._meta.concrete_fields
            if isinstance(f, models.ForeignKey)}


LINKED = _tables(Response, Answer, DataVersion)  # what every coded response's transaction writes


def test_a_used_code_leaves_no_row_written_with_its_response(surveys, transactional_db):  # noqa: F811
    rnd = surveys.round
    issued = services.issue_codes(rnd, 3)
    answers = {"d01": "stor", "d06": "Bra stöd."}
    # The first response of a set version locks it (QuestionSet.locked), in the same transaction.
    for code, linked in [(issued[0], LINKED | _tables(QuestionSet)), (issued[1].lower(), LINKED)]:
        before = _contents()
        response = services.record_response(rnd, channel="webb", language="sv", answers=answers, code=code)
        after = _contents()
        # Both databases: only these tables changed, and the code table only lost the used row.
        assert {t for t in after if after[t] != before.get(t)} == linked | _tables(SurveyCode)
        codes_table = SurveyCode._meta.db_table
        assert set(after[codes_table]) < set(before[codes_table])
        assert len(before[codes_table]) - len(after[codes_table]) == 1
        if connection.vendor == "postgresql":
            written, locked = _rows_of_the_transaction_of(response)
            assert set(written) == linked, written
            assert written[Response._meta.db_table] == 1 and written[Answer._meta.db_table] == 2
            # Locked only: the round, the questions and the förbund the new rows refer to, which
            # their own columns name anyway. Never a code or a session.
            assert set(locked) <= _referenced_by(Response, Answer, DataVersion), locked
            assert Round._meta.db_table in locked
    assert services.code_counts([rnd]) == {rnd.pk: (3, 2)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin and xmax are PostgreSQL's")
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_web_answer_leaves_no_session_code_or_round_row_of_its_transaction(surveys, transactional_db,  # noqa: F811
                                                                            signed_in):
    """The respondent's pages: the session row that *Skicka* locks and empties in the response's
    transaction is deleted (a visitor's) or saved again by the request (a signed-in staff
    member's), so it keeps no mark of that transaction either."""
    rnd = surveys.round
    services.record_response(rnd, channel="papper", language="sv", answers={})  # the set is locked
    issued = services.issue_codes(rnd, 2)
    client = Client()
    if signed_in:
        client.force_login(surveys.users["manager"])
    sent = submit(client, rnd, answer_all(client, rnd, {1: "stor"}, code=issued[0]))
    assert sent.status_code == 302 and sent.url.startswith(page(rnd, "thanks"))
    response = Response.objects.get(round=rnd, channel="webb")
    written, locked = _rows_of_the_transaction_of(response)
    assert set(written) == _tables(Response, Answer, DataVersion), written
    assert set(locked) <= _referenced_by(Response, Answer, DataVersion), locked
    assert services.code_counts([rnd]) == {rnd.pk: (2, 1)}


# --- property: masked group rows cannot be recovered from the totals ---------------------------------

def _question(groups, min_n):
    """Results of one question asked to ``groups`` ([(n, positive)]) with its totalt row."""
    steps = [("ja", "positiv"), ("nej", "negativ")]
    rows = {}
    for i, (n, positive) in enumerate(groups):
        rows[f"g{i}/q"] = Row(f"g{i}/q", f"g{i}", "q", steps, responses=n, counts={"ja": positive, "nej": n - positive})
    total = Row(f"{codes.TOTAL}/q", codes.TOTAL, "q", steps, responses=sum(n for n, _ in groups),
                counts={"ja": sum(p for _, p in groups), "nej": sum(n - p for n, p in groups)})
    rows[total.key] = total
    results = Results([], rows, {}, min_n, [f"g{i}" for i in range(len(groups))])
    mask(results)
    return results


def _feasible(masked, index, total, min_n):
    """The values row ``index`` of the masked rows can have, to a reader who knows the visible
    total and each masked row's reason (few answers: n < min n; secondary: n >= min n)."""
    bounds = [(0, min_n - 1) if reason == FEW else (min_n, total) for reason in masked]
    others_low = sum(lo for i, (lo, _) in enumerate(bounds) if i != index)
    others_high = sum(hi for i, (_, hi) in enumerate(bounds) if i != index)
    low, high = bounds[index]
    return [v for v in range(low, high + 1) if others_low <= total - v <= others_high]


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=3, max_value=7),
       st.lists(st.integers(min_value=0, max_value=25).flatmap(
           lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n))), min_size=2, max_size=5))
def test_no_masked_group_result_can_be_recovered_from_the_totals(min_n, groups):
    results = _question(groups, min_n)
    total = results.questions[f"{codes.TOTAL}/q"]
    group_rows = [r for r in results.questions.values() if r.group != codes.TOTAL]
    assert all(r.masked in ("", FEW, SECONDARY) for r in group_rows)
    assert all(r.masked == FEW for r in group_rows if r.n < min_n)  # every small row is masked
    if total.masked:
        return  # nothing to subtract from
    masked = [r for r in group_rows if r.masked]
    hidden = total.n - sum(r.n for r in group_rows if not r.masked)  # what a reader works out
    assert hidden == sum(r.n for r in masked)
    if masked and hidden:
        assert hidden >= min_n  # the masked rows together hold at least min n answers
    for i, row in enumerate(masked):
        if row.n:  # a masked row with answers: the reader cannot tell how many
            assert len(_feasible([r.masked for r in masked], i, hidden, min_n)) >= 2, (groups, min_n)


def test_rows_at_the_limit_are_protected_beyond_the_spec_rule():
    """Two rows of 4 (min n 5) sum to 8: the spec's rule (1 to min n - 1) masks nothing more, but a
    reader knowing each holds fewer than 5 would know both; one more row is masked."""
    results = _question([(4, 1), (4, 3), (20, 10), (30, 5)], 5)
    assert [results.questions[f"g{i}/q"].masked for i in range(4)] == [FEW, FEW, SECONDARY, ""]
    results = _question([(4, 1), (4, 3)], 5)
    assert results.questions[f"{codes.TOTAL}/q"].masked == SECONDARY


def test_shares_are_rounded_half_up_from_the_exact_fraction():
    from fractions import Fraction

    from finsam.surveys.results import share_value

    assert share_value(Fraction(1, 32)) == 0.0313 and share_value(Fraction(13, 32)) == 0.4063
    assert share_value(Fraction(-1, 32)) == -0.0313 and share_value(Fraction(2, 3)) == 0.6667


def test_a_masked_group_of_only_vet_ej_is_not_given_away_by_the_total():
    """A group of 3 who all answered *vet ej* has n 0 (masked, few answers): the spec's rule looks
    at n only (0 hidden: nothing more masked), but the total's vet_ej (3) minus the visible group's
    (0) would tell that all three said *vet ej*. One more row is masked then."""
    steps = [("ja", "positiv"), ("nej", "negativ")]
    small = Row("g0/q", "g0", "q", steps, responses=3, vet_ej=3, counts={})
    large = Row("g1/q", "g1", "q", steps, responses=10, counts={"ja": 6, "nej": 4})
    total = Row(f"{codes.TOTAL}/q", codes.TOTAL, "q", steps, responses=13, vet_ej=3, counts={"ja": 6, "nej": 4})
    results = Results([], {r.key: r for r in (small, large, total)}, {}, 5, ["g0", "g1"])
    mask(results)
    assert small.masked == FEW
    assert large.masked == SECONDARY


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the bytes of SQLite's database file")
def test_sqlite_overwrites_a_used_code_in_its_file(surveys, transactional_db):  # noqa: F811
    """SQLite has no xmin, but the page of the code table that the response's transaction rewrites
    would keep the deleted row's bytes in its free space: secure_delete (settings) zeroes them."""
    import subprocess

    def file_after_using(code):
        services.record_response(rnd, channel="webb", language="sv", answers={"d01": "stor"}, code=code)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            assert cursor.fetchone()[0] == 0  # not busy: every frame is in the file, the WAL is empty
        # Read by another process: closing a descriptor of the database file in this one would drop
        # every POSIX lock this process's SQLite connections (the live server's threads) hold on it,
        # and the next process to open the database would then take itself for the only one and
        # remove the -shm and -wal files under them ("disk I/O error" in tests/test_worker_process.py).
        return subprocess.run(["cat", connection.settings_dict["NAME"]], capture_output=True, check=True).stdout

    rnd = surveys.round
    issued = services.issue_codes(rnd, 3)
    first, second, unused = (services._code_hashes(rnd, code)[0].encode() for code in issued)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
    content = file_after_using(issued[0])
    assert unused in content and first not in content
    # The check can fail: without secure_delete (a build's default may be off) the bytes stay.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete = OFF")
    try:
        assert second in file_after_using(issued[1])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


def test_the_migration_deletes_used_codes_and_keeps_the_count(transactional_db):
    """surveys 0002: each round's codes_issued is every code row it had; the used rows go; and back
    again, used rows (under hashes that match no code) make the old count of used codes hold."""
    from django.db.migrations.executor import MigrationExecutor

    from finsam.tenancy.scope import Scope

    old, new = [("surveys", "0001_initial")], [("surveys", "0002_codes_used_by_deletion")]
    executor = MigrationExecutor(connection)
    executor.migrate(old)
    try:
        state = executor.loader.project_state(old).apps
        Association = state.get_model("tenancy", "Association")
        QuestionSetThen, RoundThen, CodeThen = (state.get_model("surveys", name)
                                                for name in ("QuestionSet", "Round", "SurveyCode"))
        association = Association._base_manager.create(slug="mig", name="Migrering")
        question_set = QuestionSetThen._base_manager.create(association=association, key="s", version=1, source="egen",
                                                            title="S")
        rounds = [RoundThen._base_manager.create(association=association, key=f"r{i}", title="R", token=f"t{i}",
                                                 question_set=question_set, respondent_group="styrelse",
                                                 date_from=datetime.date(2024, 1, 1),
                                                 date_to=datetime.date(2024, 12, 31))
                  for i in range(3)]
        for rnd, (unused, used) in zip(rounds, [(3, 2), (0, 4), (0, 0)]):
            CodeThen._base_manager.bulk_create(
                [CodeThen(association=association, round=rnd, code_hash=f"{rnd.key}-{i}", used=i >= unused)
                 for i in range(unused + used)])
        executor = MigrationExecutor(connection)
        executor.migrate(new)
        with Scope.of(association.pk).activate():
            assert services.code_counts([r.pk for r in rounds]) == {rounds[0].pk: (5, 2), rounds[1].pk: (4, 4),
                                                                    rounds[2].pk: (0, 0)}
            assert sorted(SurveyCode._base_manager.values_list("code_hash", flat=True)) == ["r0-0", "r0-1", "r0-2"]
        executor = MigrationExecutor(connection)
        executor.migrate(old)
        state = executor.loader.project_state(old).apps
        CodeThen = state.get_model("surveys", "SurveyCode")
        back = {(c.round_id, c.used) for c in CodeThen._base_manager.all()}
        counted = {(r.pk, used): CodeThen._base_manager.filter(round_id=r.pk, used=used).count()
                   for r in rounds for used in (False, True)}
        assert back <= set(counted) and [counted[(r.pk, False)] for r in rounds] == [3, 0, 0]
        assert [counted[(r.pk, True)] for r in rounds] == [2, 4, 0]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
