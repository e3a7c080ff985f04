import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from finsam.interventions.association_file import (
    AssociationFileError,
    apply_association_file,
    export_association_file,
)
from finsam.interventions.models import Intervention
from finsam.plans.models import Indicator
from finsam.tenancy.models import Association, Member

EXAMPLE = Path(__file__).parent / "data" / "exempel-forbund.json"


def example():
    return json.loads(EXAMPLE.read_text())


def test_example_file_creates_the_association(db):
    association, summary = apply_association_file(EXAMPLE.read_bytes())
    assert association.slug == "exempelstad"
    assert association.organisationsnummer == "222000-0000"
    assert sorted(m.code for m in association.members.all()) == ["af", "fk", "kommun:0180", "region"]
    assert association.interventions.count() == 4
    # an insats goal is an indicator of the plan of its year (the plan is the only store)
    indicator = Indicator.objects.get(goal__intervention__slug="aktivitetsplatsen", key="share_work_or_study")
    assert indicator.target == {"type": "at_least", "value": 0.3} and indicator.goal.focus_area.plan.key == "vp-2024"
    assert indicator.metric == {"source": "participants", "key": "share_work_or_study"}
    assert len(summary.created) == 1 + 4 + 4 + 2


def test_applying_twice_changes_nothing(db):
    apply_association_file(EXAMPLE.read_bytes())
    _, summary = apply_association_file(EXAMPLE.read_bytes())
    assert summary.created == [] and summary.updated == []
    assert summary.unchanged == 1 + 4 + 4 + 2


def test_a_changed_value_is_an_update(db):
    apply_association_file(EXAMPLE.read_bytes())
    doc = example()
    doc["interventions"][0]["name"] = "Aktivitetsplatsen Syd"
    _, summary = apply_association_file(doc)
    assert summary.updated == ["insats aktivitetsplatsen (name)"]
    assert Intervention.objects.get(slug="aktivitetsplatsen").name == "Aktivitetsplatsen Syd"


def test_export_reproduces_the_association(db):
    association, _ = apply_association_file(EXAMPLE.read_bytes())
    exported = export_association_file(association)
    Association.objects.all().delete()
    again, summary = apply_association_file(json.dumps(exported))
    assert export_association_file(again) == exported
    _, second = apply_association_file(json.dumps(exported))
    assert second.created == [] and second.updated == []


def test_every_error_is_listed_and_nothing_is_written(db):
    doc = example()
    doc["organisationsnummer"] = "222000-0001"
    doc["members"].append({"code": "kommun:9999", "name": "Ingenstans"})
    doc["interventions"][1]["kind"] = "gruppvis"
    doc["interventions"][2]["start"] = "2019-13-01"
    doc["interventions"][3]["target_groups"] = ["vuxna", "okand_grupp"]
    doc["interventions"][3]["colour"] = "blå"
    doc["goals"][1]["target"] = 30
    doc["goals"].append({"intervention": "finns-inte", "year": 2024, "metric": "new_count", "target": 5})
    with pytest.raises(AssociationFileError) as raised:
        apply_association_file(doc)
    errors = raised.value.errors
    expected_fragments = [
        "organisationsnummer",
        "members[5].code",
        "interventions[2].kind",
        "interventions[3].start",
        "interventions[4].target_groups",
        'okänt fält "colour"',
        "goals[2].target",
        "goals[3].intervention",
    ]
    for fragment in expected_fragments:
        assert any(fragment in e for e in errors), (fragment, errors)
    assert len(errors) == len(expected_fragments)
    assert not Association.objects.exists()
    assert not Member.objects.exists()


def test_a_failure_while_writing_leaves_nothing(db, monkeypatch):
    from finsam.plans import legacy

    def failing(*args, **kwargs):  # the last write: the goals, after every other part of the file
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(legacy, "write_goal", failing)
    with pytest.raises(RuntimeError):
        apply_association_file(EXAMPLE.read_bytes())
    assert not Association.objects.exists() and not Intervention.objects.exists()
    assert not Indicator.objects.exists()  # nothing of the file is left


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'{"slug": "x"}'])
def test_malformed_documents_are_refused(db, raw):
    with pytest.raises(AssociationFileError) as raised:
        apply_association_file(raw)
    assert raised.value.errors


def test_reserved_slugs_are_refused(db):
    doc = example()
    doc["slug"] = "system"
    doc["interventions"][0]["slug"] = "ny"
    doc["goals"] = []
    with pytest.raises(AssociationFileError) as raised:
        apply_association_file(doc)
    assert len(raised.value.errors) == 2


def test_update_from_the_web_refuses_another_associations_file(db):
    apply_association_file(EXAMPLE.read_bytes())
    with pytest.raises(AssociationFileError) as raised:
        apply_association_file(EXAMPLE.read_bytes(), expected_slug="annat")
    assert "exempelstad" in raised.value.errors[0]


def test_command_prints_summary(db, capsys):
    call_command("setup_association", str(EXAMPLE))
    out = capsys.readouterr().out
    assert "Skapade: 11" in out


def test_command_refuses_bad_file_with_every_error(db, tmp_path):
    bad = copy.deepcopy(example())
    bad["interventions"][0]["start"] = "igår"
    bad["members"][0]["code"] = "xx"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError) as raised:
        call_command("setup_association", str(path))
    message = str(raised.value)
    assert "2 fel" in message and "interventions[1].start" in message and "members[1].code" in message


def test_console_command_exits_non_zero_on_refusal(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{}")
    result = subprocess.run(
        [sys.executable, "-m", "finsam.cli", "setup-association", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "FINSAM_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
    )
    assert result.returncode != 0
    assert "fältet \"slug\" saknas" in result.stderr


def test_web_upload_lists_errors_and_keeps_data(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = login(world.users["admin"])
    doc = {"slug": "alfa", "name": "Nytt namn", "interventions": [{"slug": "x", "name": "X", "start": "fel"}]}
    upload = SimpleUploadedFile("f.json", json.dumps(doc).encode(), content_type="application/json")
    response = client.post(reverse("interventions:association_file", args=["alfa"]), {"file": upload})
    assert response.status_code == 200
    assert "interventions[1].start" in response.content.decode()
    world.alfa.refresh_from_db()
    assert world.alfa.name == "Samordningsförbundet Alfa"
    doc["interventions"][0]["start"] = "2024-01-01"
    upload = SimpleUploadedFile("f.json", json.dumps(doc).encode(), content_type="application/json")
    response = client.post(reverse("interventions:association_file", args=["alfa"]), {"file": upload})
    assert "1 skapade, 1 uppdaterade" in response.content.decode()
    world.alfa.refresh_from_db()
    assert world.alfa.name == "Nytt namn"


# --- sections other apps register (finance, plans, measures, activity_kinds) -------------------------

@pytest.fixture
def notes_section(monkeypatch):
    from finsam.interventions import association_file as af

    monkeypatch.setattr(af, "_sections", {})
    written = []

    def parse(checker, value, context):
        if not isinstance(value, list):
            checker.error("notes", "ska vara en lista.")
            return []
        for i, item in enumerate(value):
            if item.get("intervention") not in context.interventions:
                checker.error(f"notes[{i + 1}].intervention", f"\"{item.get('intervention')}\" är ingen insats.")
        return value

    def write(association, cleaned, summary, context):
        written.append((association.slug, [context.written[n["intervention"]].slug for n in cleaned]))
        summary.unchanged += 1

    af.register_section(af.Section("notes", parse, write, export=lambda association: ["exported"]))
    return written


def test_a_registered_section_is_parsed_with_the_stored_insatser_and_written_in_the_transaction(db, notes_section):
    association, _ = apply_association_file(EXAMPLE.read_bytes())
    name = association.name
    # slug + the section alone is a valid file for a förbund that exists; its name stays.
    association, _ = apply_association_file(json.dumps({"slug": association.slug,
                                                        "notes": [{"intervention": "novum"}]}))
    assert notes_section == [(association.slug, ["novum"])] and association.name == name
    with pytest.raises(AssociationFileError) as error:
        apply_association_file(json.dumps({"slug": association.slug, "notes": [{"intervention": "nej"}]}))
    assert error.value.errors == ['notes[1].intervention: "nej" är ingen insats.']
    assert len(notes_section) == 1  # nothing written
    with pytest.raises(AssociationFileError, match="name: saknas"):
        apply_association_file(json.dumps({"slug": "nytt-forbund", "notes": []}))
    assert export_association_file(association)["notes"] == ["exported"]
