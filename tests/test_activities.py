"""Activities and measures (shared/spec/activities-and-goals.md, part A): the example files give
the values shared/examples/README.md lists for 2024 and its first half, through the tables and the
metric sources alike; the files' rules; rights per insats; the förbundsfil sections."""

import datetime
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from finsam.activities.access import row_context
from finsam.activities.importing import import_activities, import_measures
from finsam.activities.models import Activity, ActivityKind, MeasureDefinition, MeasureValue
from finsam.interventions import association_file
from finsam.interventions.association_file import apply_association_file, export_association_file
from finsam.participants.importing import ImportRefused
from finsam.statistics import metrics
from finsam.statistics.engine import compute_report
from finsam.tenancy.models import DataVersion, Role
from finsam.tenancy.permissions import Access
from tests.conftest import DATA, make_user

D = datetime.date
YEAR, H1 = (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 1, 1), D(2024, 6, 30))
EXPECTED = json.loads((DATA / "exempel-aktiviteter-forvantat.json").read_text())


def plan_file_without_plans():
    """exempel-plan-2024.json's insats (kunskapsdialoger); its plans are the plans app's (part B)."""
    document = json.loads((DATA / "exempel-plan-2024.json").read_text())
    if "plans" not in association_file._sections:
        document.pop("plans")
    return document


@pytest.fixture
def activities_example(example_association):
    association, admin = example_association
    apply_association_file(json.dumps(plan_file_without_plans()).encode())
    for command, name in (("import_activities", "exempel-aktiviteter.csv"), ("import_measures", "exempel-matt.csv")):
        call_command(command, "--association", association.slug, str(DATA / name), stdout=StringIO())
    return association


def report_tables(association, period):
    report = compute_report(association, *period, tables=["activities"])
    return {t["id"]: t for t in report.to_json()["tables"]}


@pytest.mark.parametrize("name, period", [("2024", YEAR), ("2024-h1", H1)])
def test_the_example_gives_the_expected_tables(activities_example, name, period):
    tables = report_tables(activities_example, period)
    checked = 0
    for table_id, kinds in EXPECTED[name]["tables"].items():
        for kind, expected_rows in kinds.items():
            for row, columns in expected_rows.items():
                for column, value in columns.items():
                    actual = tables[table_id][kind][row][column]
                    assert (round(actual, 4) if kind == "shares" else actual) == value, (table_id, kind, row, column)
                    checked += 1
    assert checked >= EXPECTED[name]["checked_at_least"]


@pytest.mark.parametrize("name, period", [("2024", YEAR), ("2024-h1", H1)])
def test_the_metric_sources_give_the_expected_goal_results(activities_example, name, period):
    for expected in EXPECTED[name]["metrics"]:
        start, end = (D.fromisoformat(d) for d in expected.get("span", [period[0].isoformat(), period[1].isoformat()]))
        query = metrics.MetricQuery(activities_example, start, end, tuple(expected.get("interventions", ())))
        assert metrics.validate(expected["ref"], activities_example) == []
        value = metrics.resolve(expected["ref"], query)
        assert value.accrual == expected["accrual"], expected
        for field in ("value", "numerator", "denominator"):
            if field in expected:
                got = getattr(value, field)
                assert (round(got, 4) if isinstance(got, float) else got) == expected[field], (expected, field)


# --- the files: idempotent, all or nothing, every error --------------------------------------------

def test_reimporting_the_example_files_changes_nothing(activities_example):
    version = DataVersion.objects.get(association=activities_example).version
    for command, name, count in (("import_activities", "exempel-aktiviteter.csv", 47),
                                 ("import_measures", "exempel-matt.csv", 20)):
        out = StringIO()
        call_command(command, "--association", activities_example.slug, str(DATA / name), stdout=out)
        assert f"0 skapade, 0 uppdaterade, {count} oförändrade" in out.getvalue()
    assert Activity.objects.filter(association=activities_example).count() == 47
    assert MeasureValue.objects.filter(association=activities_example).count() == 20
    assert DataVersion.objects.get(association=activities_example).version == version


def _ctx(association, user=None, today=D(2026, 11, 23)):
    from finsam.tenancy.models import User

    user = user or User.objects.filter(role_assignments__association=association,
                                       role_assignments__role=Role.ADMIN).first()
    return row_context(Access.for_user(user, association), today=today)


HEADER = "referens;insats;typ;titel;datum;antal;slutdatum;status;format;deltagare_totalt;deltagare_kvinna;deltagare_man;" \
         "deltagare_annat_ej_angivet;per_organisation;utv_svar;utv_rekommenderar_ja;utv_rekommenderar_nej;utv_betyg_5;kommentar"


def test_a_changed_row_updates_and_a_new_one_is_created(example_association):
    association, _ = example_association
    first = f"{HEADER}\nR-1;;seminarium;Seminarium;2024-03-01;;;;digitalt;40;;;;;;;;;\n".encode()
    assert import_activities(first, "a.csv", _ctx(association)).created == 1
    changed = first.replace(b";40;", b";41;") + b";;kunskapsdialog;Dialog;2024-04-01;;;;fysiskt;10;;;;;;;;;\n"
    summary = import_activities(changed, "a.csv", _ctx(association))
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 0)
    assert Activity.objects.get(reference="R-1").attendees == 41
    again = import_activities(changed, "a.csv", _ctx(association))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


BAD_ROWS = [
    # (row, column that must be named, words of the message)
    ("R-1;;seminarium;Seminarium;2024-03-01;;;;digitalt;10;5;3;1;;;;;;", "deltagare_kvinna", "summan"),
    ("R-2;;seminarium;Seminarium;2024-03-01;;;;digitalt;10;5;5;;;;;;;", "deltagare_annat_ej_angivet", "alla tre"),
    ("R-3;;okand_typ;Seminarium;2024-03-01;;;;digitalt;10;;;;;;;;;", "typ", "sip_mote"),
    ("R-4;;seminarium;;2024-03-01;;;;digitalt;10;;;;;;;;;", "titel", "måste anges"),
    ("R-5;;seminarium;S;2024-13-01;;;;digitalt;10;;;;;;;;;", "datum", "ÅÅÅÅ-MM-DD"),
    ("R-6;;seminarium;S;2024-03-01;3;2024-09-01;;digitalt;10;;;;;;;;;", "slutdatum", "halvår"),
    ("R-7;;seminarium;S;2024-03-01;3;;;digitalt;10;;;;;;;;;", "slutdatum", "sista"),
    ("R-8;;seminarium;S;2030-03-01;;;;digitalt;10;;;;;;;;;", "datum", "framtiden"),
    ("R-9;;seminarium;S;2024-03-01;;;genomford;teleport;10;;;;;;;;;", "format", "fysiskt"),
    ("R-10;;seminarium;S;2024-03-01;;;;digitalt;;;;;;;;;;", "deltagare_totalt", "genomförd"),
    ("R-11;;seminarium;S;2024-03-01;;;;digitalt;10;;;;region=4;;;;;", "per_organisation", "summan"),
    ("R-12;;seminarium;S;2024-03-01;;;;digitalt;10;;;;hemligt=10;;;;;", "per_organisation", "okand"),
    ("R-13;;seminarium;S;2024-03-01;;;;digitalt;10;;;;;12;;;;", "utv_svar", "fler svar"),
    ("R-14;;seminarium;S;2024-03-01;;;;digitalt;10;;;;;5;4;3;;", "utv_rekommenderar_ja", "fler än svaren"),
    ("R-15;;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;3;", "utv_svar", "måste anges"),
    ("R-16;;seminarium;S;2024-03-01;;;installd;digitalt;10;;;;;;;;;", "deltagare_totalt", "genomförd"),
    ("R-17;;seminarium;S;2024-03-01;;;;digitalt;-3;;;;;;;;;", "deltagare_totalt", "heltal"),
    ("R-18;;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;;Ring 19900101-0017", "kommentar", "personnummer"),
    ("19900101-0017;;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;;", "referens", "personnummer"),
    ("R-20;finns-inte;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;;", "insats", "okänd insats"),
    ("R-21;;seminarium;S;2024-03-01;;;klar;digitalt;10;;;;;;;;;", "status", "okänd status"),
    ("R-1;;seminarium;S;2024-03-02;;;;digitalt;10;;;;;;;;;", "referens", "rad 2"),
]


def test_every_error_of_a_file_is_reported_and_nothing_is_written(example_association):
    association, _ = example_association
    good = "R-1;;seminarium;Seminarium;2024-03-01;;;;digitalt;10;5;4;1;;;;;;"
    data = "\n".join([HEADER, good, *(row for row, _, _ in BAD_ROWS[1:])]) + "\n"
    with pytest.raises(ImportRefused) as refused:
        import_activities(data.encode(), "a.csv", _ctx(association))
    errors = refused.value.errors
    for line, (_, column, words) in enumerate(BAD_ROWS[1:], start=3):
        found = [e for e in errors if e.row == line and e.column == column]
        assert found and any(words.lower() in e.message.lower() for e in found), (line, column, [str(e) for e in errors
                                                                                                  if e.row == line])
    assert "19900101" not in " ".join(str(e) for e in errors)  # never shown back
    unknown_status = next(line for line, (row, _, _) in enumerate(BAD_ROWS[1:], start=3) if "klar" in row)
    assert [e.column for e in errors if e.row == unknown_status] == ["status"]  # reported once
    assert not Activity.objects.filter(association=association).exists()
    first = BAD_ROWS[0][0]
    with pytest.raises(ImportRefused) as refused:
        import_activities(f"{HEADER}\n{first}\n".encode(), "a.csv", _ctx(association))
    assert refused.value.errors[0].column == "deltagare_kvinna" and "summan" in refused.value.errors[0].message


@pytest.mark.parametrize("content, words", [
    (b"", "tom"),
    (b"typ;titel;datum;format;okand\n", "okänd kolumn"),
    (b"titel;datum;format\n", "typ"),
    (b"typ;titel;datum;format\n", "inga rader"),
    (b"typ;titel;datum;format\nseminarium;\x00;2024-01-01;digitalt\n", "nolltecken"),
    (b"PK\x03\x04 inte en riktig zip", "Excel"),
    (b"typ;titel;datum;format;deltagare_totalt\nseminarium;" + b"x" * 5000 + b";2024-01-01;digitalt;1\n", "tecken"),
])
def test_hostile_activity_files_are_refused_with_a_message(example_association, content, words):
    association, _ = example_association
    name = "a.xlsx" if content.startswith(b"PK") else "a.csv"
    with pytest.raises(ImportRefused) as refused:
        import_activities(content, name, _ctx(association))
    assert any(words.lower() in str(e).lower() for e in refused.value.errors), [str(e) for e in refused.value.errors]


def test_codes_may_be_written_as_their_swedish_labels(example_association):
    association, _ = example_association
    data = ("Typ;Titel;Datum;Format;Status;Arrangör;Publik;Målgrupp;Deltagare_totalt\n"
            "Kunskapsdialog;Dialog;2024-03-01;Fysiskt;Genomförd;Förbundet;Chefer hos medlemmarna;Vuxna 30–64 år i behov "
            "av samordnat stöd;12\n"
            "konferens;Dag;2024-03-02;HYBRID;installd;Region Exempel;medarbetare;unga_vuxna;\n")
    assert import_activities(data.encode(), "a.csv", _ctx(association)).created == 2
    dialog, day = Activity.objects.order_by("date")
    assert (dialog.kind, dialog.format, dialog.status, dialog.organisers, dialog.audience, dialog.target_groups) == (
        "kunskapsdialog", "fysiskt", "genomford", ["forbundet"], ["chefer"], ["vuxna"])
    assert (day.format, day.status, day.organisers) == ("hybrid", "installd", ["region"])


def test_formula_like_cells_are_stored_as_text(example_association):
    association, _ = example_association
    data = f"{HEADER}\nR-1;;seminarium;=HYPERLINK(\"x\");2024-03-01;;;;digitalt;10;;;;;;;;;+SUM(A1)\n".encode()
    import_activities(data, "a.csv", _ctx(association))
    activity = Activity.objects.get(reference="R-1")
    assert (activity.title, activity.comment) == ('=HYPERLINK("x")', "+SUM(A1)")


def test_measure_rules_and_overlaps(activities_example):
    association = activities_example
    data = ("matt;insats;fran;till;varde;kommentar\n"
            "webb_besok;;2024-03-01;2024-04-30;100;\n"  # overlaps a stored half-year
            "nyhetsbrev_prenumeranter;;2024-01-01;2024-06-30;5;\n"  # a level has no fran
            "webb_unika_besokare;;;2024-06-30;5;\n"  # a whole period needs fran
            "okant;;2024-01-01;2024-06-30;5;\n"
            "webb_besok;;2025-01-01;2025-06-30;-1;\n"
            "webb_besok;;2025-07-01;2025-06-30;1;\n")
    with pytest.raises(ImportRefused) as refused:
        import_measures(data.encode(), "m.csv", _ctx(association))
    by_line = {(e.row, e.column) for e in refused.value.errors}
    assert {(3, "fran"), (4, "fran"), (5, "matt"), (6, "varde"), (7, "till")} <= by_line
    overlap = ("matt;insats;fran;till;varde\nwebb_besok;;2025-01-01;2025-03-31;1\n"
               "webb_besok;;2025-03-01;2025-06-30;1\n")
    with pytest.raises(ImportRefused) as refused:
        import_measures(overlap.encode(), "m.csv", _ctx(association))
    assert refused.value.errors[0].row == 3 and "överlappar rad 2" in refused.value.errors[0].message
    with pytest.raises(ImportRefused) as refused:
        import_measures(b"matt;insats;fran;till;varde\nwebb_besok;;2024-03-01;2024-04-30;100\n", "m.csv",
                        _ctx(association))
    assert "sparat värde" in refused.value.errors[0].message
    assert MeasureValue.objects.filter(association=association).count() == 20


def test_the_commands_exit_with_every_error(example_association, tmp_path):
    association, _ = example_association
    path = tmp_path / "aktiviteter.csv"
    path.write_text(f"{HEADER}\n{BAD_ROWS[2][0]}\n{BAD_ROWS[3][0]}\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_activities", "--association", association.slug, str(path))
    assert "2 fel" in str(failed.value) and "Rad 2" in str(failed.value) and "Rad 3" in str(failed.value)
    with pytest.raises(CommandError, match="inget förbund"):
        call_command("import_measures", "--association", "finns-inte", str(path))
    make_user("styrelse@exempelstad.se", association, Role.READER)
    with pytest.raises(CommandError, match="får inte registrera"):
        call_command("import_measures", "--association", association.slug, "--user", "styrelse@exempelstad.se",
                     str(path))
    with pytest.raises(CommandError, match="finns inte"):
        call_command("import_activities", "--association", association.slug, str(tmp_path / "saknas.csv"))


# --- rights per insats ---------------------------------------------------------------------------------

def test_a_deltagaransvarig_registers_for_the_assigned_insats_only(world):
    manager = world.users["manager"]
    ctx = _ctx(world.alfa, manager)
    rows = (f"{HEADER}\nR-1;aktivitet;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;;\n"
            f"R-2;team;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;;\n"
            f"R-3;;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;;\n"
            f"R-4;hemlig;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;;\n")
    with pytest.raises(ImportRefused) as refused:
        import_activities(rows.encode(), "a.csv", ctx)
    messages = {e.row: e.message for e in refused.value.errors}
    assert set(messages) == {3, 4, 5}
    assert "behörighet" in messages[3] and "administratör eller analytiker" in messages[4]
    assert "okänd insats" in messages[5]  # another förbund's insats is not named as one
    assert import_activities(rows.encode().split(b"\nR-2")[0] + b"\n", "a.csv", ctx).created == 1
    # A row that would take over a stored activity of another insats (same referens) is refused.
    Activity.objects.create(association=world.alfa, intervention=world.unassigned, reference="R-9",
                            kind="seminarium", title="T", date=D(2024, 3, 1), format="digitalt", attendees=1)
    with pytest.raises(ImportRefused) as refused:
        import_activities(f"{HEADER}\nR-9;aktivitet;seminarium;S;2024-03-01;;;;digitalt;10;;;;;;;;;\n".encode(),
                          "a.csv", ctx)
    assert "behörighet" in refused.value.errors[0].message


def test_pages_show_and_change_only_what_the_user_may(world, login):
    own = Activity.objects.create(association=world.alfa, intervention=world.assigned, kind="seminarium",
                                  title="Eget seminarium", date=D(2024, 3, 1), format="digitalt", attendees=10)
    other = Activity.objects.create(association=world.alfa, intervention=world.unassigned, kind="seminarium",
                                    title="Annat seminarium", date=D(2024, 3, 1), format="digitalt", attendees=10)
    beta = Activity.objects.create(association=world.beta, intervention=world.beta_intervention, kind="seminarium",
                                   title="Betas seminarium", date=D(2024, 3, 1), format="digitalt", attendees=10)
    manager = login(world.users["manager"])
    page = manager.get("/alfa/aktiviteter/").content.decode()
    assert "Eget seminarium" in page and "Annat seminarium" not in page and "Betas" not in page
    assert manager.get(f"/alfa/aktiviteter/{own.pk}/andra/").status_code == 200
    for pk in (other.pk, beta.pk, "99999999999999999999999", "x"):
        assert manager.get(f"/alfa/aktiviteter/{pk}/andra/").status_code == 404
        assert manager.post(f"/alfa/aktiviteter/{pk}/ta-bort/").status_code == 404
    admin = login(world.users["admin"])
    page = admin.get("/alfa/aktiviteter/?ar=2024&insats=team&typ=seminarium").content.decode()
    assert "Annat seminarium" in page and "Eget seminarium" not in page
    assert admin.get("/alfa/aktiviteter/?ar=abc&insats=" + "x" * 500).status_code == 200
    assert admin.get(f"/alfa/aktiviteter/{beta.pk}/andra/").status_code == 404
    assert login(world.users["reader"]).get("/alfa/aktiviteter/").status_code == 403


def _form(**changes):
    return {"insats": "aktivitet", "typ": "seminarium", "titel": "Seminarium", "datum": "2024-03-01", "antal": "1",
            "status": "genomford", "format": "digitalt", "deltagare_totalt": "20", **changes}


def test_the_form_applies_the_rules_of_a_row_and_cancels(world, login):
    client = login(world.users["manager"])
    response = client.post("/alfa/aktiviteter/ny/", _form(deltagare_kvinna="5", deltagare_man="5",
                                                          deltagare_annat_ej_angivet="5"))
    assert response.status_code == 200 and "summan ska vara lika med totalen" in response.content.decode()
    response = client.post("/alfa/aktiviteter/ny/", _form(insats="team"))
    assert response.status_code == 200 and not Activity.objects.exists()
    response = client.post("/alfa/aktiviteter/ny/", _form(org_0="20", roll_0="19", roll_7="1", utv_svar="10",
                                                          utv_rekommenderar_ja="8", utv_rekommenderar_nej="1",
                                                          utv_betyg_4="6", utv_betyg_5="4"))
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get()
    assert activity.by_organisation == {"fk": 20} and activity.by_role == {"medarbetare": 19, "okand": 1}
    assert client.post("/alfa/aktiviteter/ny/", _form()).status_code == 200  # the same activity again
    assert Activity.objects.count() == 1
    response = client.post(f"/alfa/aktiviteter/{activity.pk}/andra/", _form(status="installd", deltagare_totalt=""))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "installd" and activity.attendees is None
    response = client.post("/alfa/aktiviteter/ny/", _form(titel="Ring 19900101-0017"))
    assert response.status_code == 200 and response.context["form"].errors["titel"]
    assert Activity.objects.count() == 1


def test_the_measures_page_stores_replaces_and_refuses_overlaps(world, login):
    client = login(world.users["admin"])
    data = {"matt": "webb_besok", "insats": "", "fran": "2024-01-01", "till": "2024-06-30", "varde": "100"}
    assert client.post("/alfa/matt/", data).status_code == 302
    assert client.post("/alfa/matt/", {**data, "varde": "120"}).status_code == 302
    assert [v.value for v in MeasureValue.objects.all()] == [120]
    response = client.post("/alfa/matt/", {**data, "fran": "2024-03-01", "till": "2024-09-30"})
    assert response.status_code == 200 and "överlappar" in response.content.decode()
    response = client.post("/alfa/matt/", {**data, "matt": "nyhetsbrev_prenumeranter"})
    assert response.status_code == 200 and "lämna fran tom" in response.content.decode()
    manager = login(world.users["manager"])
    assert manager.post("/alfa/matt/", data).status_code == 200  # the förbund's own measure: not theirs
    assert MeasureValue.objects.count() == 1


# --- förbundsfil ----------------------------------------------------------------------------------------

def test_own_kinds_and_measures_through_the_association_file(example_association):
    association, _ = example_association
    document = {"slug": association.slug,
                "activity_kinds": [{"code": "studiebesok", "label": "Studiebesök"},
                                   {"code": "hembesok", "label": "Hembesök", "individual": True}],
                "measures": [{"code": "podd_lyssningar", "label": "Lyssningar på podden", "aggregation": "summa"}]}
    _, summary = apply_association_file(json.dumps(document).encode())
    assert len(summary.created) == 3
    _, summary = apply_association_file(json.dumps(document).encode())
    assert not summary.created and not summary.updated
    exported = export_association_file(association)
    assert exported["activity_kinds"] == [
        {"code": "hembesok", "label": "Hembesök", "individual": True},
        {"code": "studiebesok", "label": "Studiebesök", "individual": False}]
    assert exported["measures"] == [{"code": "podd_lyssningar", "label": "Lyssningar på podden", "aggregation": "summa"}]
    assert ActivityKind.objects.filter(association=association).count() == 2
    assert MeasureDefinition.objects.filter(association=association).count() == 1
    bad = {"slug": association.slug,
           "activity_kinds": [{"code": "sip_mote", "label": "SIP"}, {"code": "x", "label": "X", "individual": "ja"}],
           "measures": [{"code": "webb_besok", "label": "W", "aggregation": "summa"},
                        {"code": "ny", "label": "N", "aggregation": "medel"}, {"label": "utan kod"}]}
    with pytest.raises(association_file.AssociationFileError) as refused:
        apply_association_file(json.dumps(bad).encode())
    paths = " ".join(refused.value.errors)
    for path in ("activity_kinds[1].code", "activity_kinds[2].individual", "measures[1].code",
                 "measures[2].aggregation", "measures[3]"):
        assert path in paths


def test_an_own_individual_kind_and_measure_count_in_tables_and_metrics(example_association):
    association, _ = example_association
    apply_association_file(json.dumps({"slug": association.slug,
                                       "activity_kinds": [{"code": "hembesok", "label": "Hembesök", "individual": True}],
                                       "measures": [{"code": "podd", "label": "Podd", "aggregation": "summa"}]}).encode())
    import_activities(b"typ;titel;datum;format;deltagare_totalt\nhembesok;Hembesok;2024-03-01;fysiskt;3\n", "a.csv",
                      _ctx(association))
    import_measures(b"matt;fran;till;varde\npodd;2024-01-01;2024-03-31;40\npodd;2024-04-01;2024-06-30;2\n", "m.csv",
                    _ctx(association))
    tables = report_tables(association, H1)
    assert tables["activities"]["cells"]["hembesok"]["count"] == 1
    assert tables["measures"]["cells"]["podd"]["value"] == 42
    query = metrics.MetricQuery(association, *H1)
    assert metrics.resolve({"source": "activities", "key": "count", "kinds": ["hembesok"]}, query).counts == (1,)
    assert metrics.resolve({"source": "measures", "key": "podd"}, query).value == 42
    assert metrics.validate({"source": "activities", "key": "count", "kinds": ["finns_inte"]}, association)
    assert metrics.validate({"source": "measures", "key": "finns_inte"}, association)
    assert metrics.validate({"source": "measures", "key": "nyhetsbrev_prenumeranter", "per_day": True}, association)


# --- publication -----------------------------------------------------------------------------------------

def test_sip_counts_are_masked_in_publication_and_other_counts_are_not(example_association):
    from finsam.reports.publishing import publish_report
    from finsam.statistics.tables import thaw

    association, admin = example_association
    import_activities(b"insats;typ;titel;datum;format;deltagare_totalt;deltagare_kvinna;deltagare_man;"
                      b"deltagare_annat_ej_angivet\n"
                      b"finsam-team;sip_mote;SIP;2024-03-01;fysiskt;3;2;1;0\n"
                      b";styrelsemote;Styrelsen;2024-03-05;fysiskt;2;1;1;0\n"
                      b";seminarium;Seminarium;2024-03-07;digitalt;40;30;10;0\n", "a.csv", _ctx(association))
    published = publish_report(association, date_from=D(2024, 1, 1), date_to=D(2024, 6, 30), interventions=[],
                               title="Halvår", user=admin)
    table = thaw(published.content).table("activities")
    assert table.cells["sip_mote"]["count"] is None and table.cells["sip_mote"]["attendees_totalt"] is None
    assert table.cells["styrelsemote"]["count"] == 1 and table.cells["styrelsemote"]["attendees_totalt"] == 2
    assert table.cells["totalt"]["attendees_totalt"] is None  # would give the SIP count away


@pytest.mark.django_db(transaction=True)
def test_the_same_files_imported_at_once_are_stored_once(world):
    """Imports of one förbund take turns (the participant import's lock) and the database's unique
    constraints refuse a second copy: every import succeeds, one creates, the others find the rows."""
    from tests.test_concurrency import run_together

    activities = (f"{HEADER}\n" + "".join(f";aktivitet;seminarium;Seminarium {n};2024-03-{1 + n % 28:02d};;;;digitalt;"
                                         f"{n};;;;;;;;;\n" for n in range(40))).encode()
    measures = b"matt;insats;fran;till;varde\n" + b"".join(
        f"webb_besok;aktivitet;2024-{m:02d}-01;2024-{m:02d}-28;{m}\n".encode() for m in range(1, 13))

    def writer(importer, data):
        return lambda: importer(data, "samma.csv", _ctx(world.alfa, today=D(2026, 11, 23)))

    results = run_together([writer(import_activities, activities) for _ in range(3)]
                           + [writer(import_measures, measures) for _ in range(3)])
    assert [kind for kind, _ in results] == ["ok"] * 6, results
    assert sorted(summary.created for _, summary in results[:3]) == [0, 0, 40]
    assert sorted(summary.created for _, summary in results[3:]) == [0, 0, 12]
    assert Activity.objects.filter(association=world.alfa).count() == 40
    assert MeasureValue.objects.filter(association=world.alfa).count() == 12


def test_the_database_refuses_a_second_copy_of_an_activity_and_a_measure_value(world):
    from django.db import IntegrityError, transaction

    values = dict(association=world.alfa, intervention=None, kind="seminarium", title="S", date=D(2024, 3, 1),
                  format="digitalt", attendees=1)
    Activity.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(**values)
    MeasureValue.objects.create(association=world.alfa, measure="nyhetsbrev_prenumeranter", end=D(2024, 6, 30), value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureValue.objects.create(association=world.alfa, measure="nyhetsbrev_prenumeranter", end=D(2024, 6, 30),
                                    value=2)


def test_every_format_renders_the_activity_tables(activities_example):
    from openpyxl import load_workbook

    from finsam.reports.exporters import registry

    report = compute_report(activities_example, *YEAR, tables=["activities"])
    for exporter in registry:
        content = exporter.render(report)
        assert content, exporter.identifier
    workbook = load_workbook(io.BytesIO(registry.get("xlsx").render(report)))
    text = " ".join(str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "Aktiviteter per typ" in text and "SIP-möte" in text and "Räckvidd och mått" in text
    html = registry.get("html").render(report).decode()
    assert "Utvärderingar" in html and "88,6" in html  # recommend 178 of 201
    csv = registry.get("csv").render(report).decode("utf-8-sig")
    assert "Prenumeranter på nyhetsbrevet" in csv


def test_the_report_page_shows_activity_tables_when_there_are_activities(activities_example, client):
    from finsam.tenancy.models import User

    client.force_login(User.objects.get(username="admin@exempelstad.se"))
    page = client.get(f"/{activities_example.slug}/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31")
    assert page.status_code == 200 and "Aktiviteter per typ" in page.content.decode()
    # no activities then: the tables are there with their zeros (a report without them told a
    # reader nobody held a SIP meeting, docs/decisions.md "A publication's structure says nothing")
    page = client.get(f"/{activities_example.slug}/rapporter/?period=custom&date_from=2021-01-01&date_to=2021-12-31")
    assert "Aktiviteter per typ" in page.content.decode()
    # a förbund that records no activities nor measures has none
    Activity.objects.filter(association=activities_example).delete()
    MeasureValue.objects.filter(association=activities_example).delete()
    page = client.get(f"/{activities_example.slug}/rapporter/?period=custom&date_from=2022-01-01&date_to=2022-12-31")
    assert page.status_code == 200 and "Aktiviteter per typ" not in page.content.decode()


def test_an_excel_file_is_read_from_its_sheet_named_aktiviteter_or_matt(example_association):
    from openpyxl import Workbook

    association, _ = example_association

    def workbook(sheet, header, *rows):
        book = Workbook()
        book.active.title = "Instruktioner"
        book.active.append(["Läs bladet bredvid"])
        data = book.create_sheet(sheet)
        for row in (header, *rows):
            data.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    activities = workbook("Aktiviteter", ["typ", "titel", "datum", "format", "deltagare_totalt"],
                          ["Seminarium/webbinarium", "Excel-seminarium", datetime.datetime(2024, 5, 2), "Digitalt", 12])
    assert import_activities(activities, "a.xlsx", _ctx(association)).created == 1
    activity = Activity.objects.get(title="Excel-seminarium")
    assert (activity.kind, activity.date, activity.format, activity.attendees) == ("seminarium", D(2024, 5, 2),
                                                                                    "digitalt", 12)
    values = workbook("Matt", ["matt", "insats", "fran", "till", "varde"],
                      ["webb_besok", None, datetime.datetime(2024, 1, 1), datetime.datetime(2024, 6, 30), 12480.5])
    assert import_measures(values, "m.xlsx", _ctx(association)).created == 1
    assert float(MeasureValue.objects.get().value) == 12480.5


def test_finsam_report_writes_the_activity_tables(activities_example, tmp_path):
    out = tmp_path / "rapport.json"
    call_command("report", "--association", activities_example.slug, "--from", "2024-01-01", "--to", "2024-12-31",
                 "--tables", "activities", "--format", "json", "--output", str(out), stdout=StringIO())
    tables = {t["id"]: t for t in json.loads(out.read_text())["tables"]}
    assert set(tables) == {"activities", "activities_years", "activities_by_intervention", "activity_series",
                           "attendees_by_organisation", "attendees_by_role", "activity_evaluations", "activity_list",
                           "measures"}
    assert tables["activities_years"]["cells"]["totalt"] == {"count_2024": 61, "attendees_2024": 794}


def test_hostile_page_input_gives_no_500(world, login):
    Activity.objects.create(association=world.alfa, kind="seminarium", title="S", date=D(2024, 3, 1),
                            format="digitalt", attendees=1)
    MeasureValue.objects.create(association=world.alfa, measure="webb_besok", start=D(1, 1, 1), end=D(1, 6, 30), value=1)
    client = login(world.users["admin"])
    for data in (_form(antal="99999999999999999999", datum="0000-00-00", typ="<script>", format="x"),
                 _form(deltagare_totalt="-1", org_0="1e9", roll_0="x", utv_svar="9" * 30, insats="hemlig"),
                 _form(datum="9999-12-31", status="planerad", slutdatum="9999-12-31", antal="2")):
        assert client.post("/alfa/aktiviteter/ny/", data).status_code == 200
    assert client.post("/alfa/aktiviteter/ny/", {"titel": "\x00"}).status_code == 400  # core's refusal of NUL
    for data in ({"matt": "webb_besok", "till": "9999-99-99", "varde": "NaN"},
                 {"matt": "webb_besok", "fran": "0001-01-01", "till": "0001-01-01", "varde": "1e400"},
                 {"matt": "<x>", "insats": "hemlig", "till": "2024-01-01", "varde": "1"}):
        assert client.post("/alfa/matt/", data).status_code == 200
    assert Activity.objects.filter(association=world.alfa).count() == 1
    for query in ("?ar=99999999999999999999999", "?ar=-1&typ=" + "x" * 300, "?insats=%C3%A5%27"):
        assert client.get("/alfa/aktiviteter/" + query).status_code == 200
    assert client.get("/alfa/aktiviteter/?typ=%00").status_code == 400  # core's refusal of NUL
    report = compute_report(world.alfa, D(1, 1, 1), D(1, 12, 31), tables=["activities"])  # no year before year 1
    assert report.table("measures").cells["webb_besok"] == {"value": 1, "previous": None, "change": None}


def test_shares_read_as_shares_and_only_sip_counts_are_counts(activities_example):
    from finsam.reports.formatting import cell
    from finsam.statistics.tables import COUNT, MEASURE, SHARE

    report = compute_report(activities_example, *YEAR, tables=["activities"])
    evaluations = report.table("activity_evaluations")
    assert evaluations.kind("totalt", "recommend") == SHARE and cell(evaluations, "totalt", "recommend") == "88,6\u00a0%"
    assert evaluations.kind("seminarium", "answers") == MEASURE
    assert cell(evaluations, "totalt", "mean_rating") == "4,1"
    kinds = report.table("activities")
    assert kinds.kind("sip_mote", "count") == COUNT and kinds.kind("totalt", "count") == COUNT
    assert kinds.kind("seminarium", "count") == MEASURE
    # SIP meetings are not listed one by one; the listed activities are measures, all of them (only
    # some being counts told which insatser held SIP meetings), never hidden: a hidden one was its
    # kind's row minus the others listed (docs/decisions.md, "What the attack on the structure found")
    listing = report.table("activity_list")
    assert {listing.kind(key, col) for key, _ in listing.rows for col in ("count", "attendees_totalt")} == {MEASURE}
    assert not any(c["kind"] == "SIP-möte" for c in listing.cells.values())
    assert report.table("measures").kind("webb_besok", "value") == MEASURE


def test_every_tables_denominator_is_named_in_swedish(activities_example, client):
    """A caption says what a table's shares are of: "(andelar av aktiva deltagare)". The activity
    and survey tables' denominators showed as codes ("andelar av activities")."""
    from finsam.reports.formatting import DENOMINATORS
    from finsam.tenancy.models import User

    report = compute_report(activities_example, *YEAR)
    assert {t.denominator for t in report.tables if t.denominator} <= set(DENOMINATORS)
    client.force_login(User.objects.get(username="admin@exempelstad.se"))
    page = client.get(f"/{activities_example.slug}/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31")
    assert page.status_code == 200 and "andelar av activities" not in page.content.decode()
    assert "(andelar av tillfällen eller deltagartillfällen)" in page.content.decode()
