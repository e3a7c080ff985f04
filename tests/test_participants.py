import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from finsam.audit.models import AccessLog, AppendOnlyError
from finsam.participants import consent
from finsam.participants.models import Participation, ParticipationChange, SupportRecord, VolumeCount
from tests.conftest import make_participation

PNR = "19850314-1239"


def register_data(**overrides):
    data = {
        "referens": "AP-9", "personnummer": PNR, "samtycke_form": "digitalt", "samtycke_bekraftat": "on",
        "startdatum": "2025-01-15", "anmalande_part": "fk", "utbildning": "gymnasial",
        "forsorjning_fore": ["sjukpenning"], "malgrupp": ["vuxna"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def url(name, world, *extra):
    return reverse(f"participants:{name}", args=["alfa", world.assigned.slug, *extra])


def test_register_with_digital_consent(world, login):
    client = login(world.users["manager"])
    response = client.post(url("create", world), register_data())
    assert response.status_code == 302
    p = Participation.objects.get(reference="AP-9")
    version = consent.current_text(world.assigned).version
    assert (p.gender, p.birth_year, p.consent_form, p.consent_text_version) == ("man", 1985, "digitalt", version)
    assert version.startswith(consent.CONSENT_TEXT_VERSION + ".")
    assert consent.stored_text(world.alfa, version).plain() == consent.current_text(world.assigned).plain()
    assert p.consent_date == datetime.date.today()
    assert list(p.support.values_list("code", flat=True)) == ["sjukpenning"]
    assert ParticipationChange.objects.filter(participation=p, action="created", user=world.users["manager"]).exists()
    assert AccessLog.objects.filter(action="register", intervention_slug=world.assigned.slug).exists()
    page = client.get(response.url).content.decode()
    assert "8503141239" not in page and PNR not in page


def test_identity_number_is_never_stored(world, login):
    login(world.users["manager"]).post(url("create", world), register_data())
    for row in Participation.objects.values():
        assert "850314" not in str(row)
    for row in ParticipationChange.objects.values():
        assert "850314" not in str(row)
    for row in AccessLog.objects.values():
        assert "850314" not in str(row)


def test_errors_are_shown_and_input_kept(world, login):
    client = login(world.users["manager"])
    response = client.post(url("create", world), register_data(personnummer="19850314-1233", samtycke_bekraftat=None,
                                                                referens="Min-ref"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ogiltigt personnummer: kontrollsiffran stämmer inte." in html
    assert "Deltagaren måste bekräfta samtycket" in html
    assert 'value="Min-ref"' in html
    assert not Participation.objects.filter(reference="Min-ref").exists()


def test_paper_consent_needs_a_date(world, login):
    client = login(world.users["manager"])
    html = client.post(url("create", world), register_data(samtycke_form="papper")).content.decode()
    assert "Ange datum för samtycket på papper." in html
    client.post(url("create", world), register_data(samtycke_form="papper", samtycke_datum="2025-01-10"))
    assert Participation.objects.get(reference="AP-9").consent_date == datetime.date(2025, 1, 10)


def test_anonymous_registration_keeps_only_gender_and_dates(world, login):
    client = login(world.users["manager"])
    # Issue 10: what an anonymous registration does not keep is refused, never dropped in silence.
    response = client.post(url("create", world), register_data(anonym="on", personnummer="", kon="kvinna", referens="AN-1"))
    assert response.status_code == 200 and not Participation.objects.filter(reference="AN-1").exists()
    assert "En anonym registrering sparar inte den här uppgiften." in response.content.decode()
    response = client.post(url("create", world), {"anonym": "on", "kon": "kvinna", "referens": "AN-1",
                                                  "samtycke_form": "digitalt", "startdatum": "2025-01-15"})
    assert response.status_code == 302
    p = Participation.objects.get(reference="AN-1")
    assert p.anonymous and p.person_key == "" and p.gender == "kvinna"
    assert (p.education, p.referrer, p.birth_year, p.consent_date) == ("", "", None, None)
    assert not p.support.exists() and not p.target_group_records.exists()


def test_warnings_for_same_person_and_age(world, login):
    client = login(world.users["manager"])
    # world.participation is 19900101-0017, ongoing in the assigned insats.
    response = client.post(url("create", world), register_data(personnummer="19900101-0017", referens="A-2",
                                                                spara_anda="1"), follow=True)
    assert "Samma person har redan ett pågående deltagande i insatsen." in response.content.decode()
    response = client.post(url("create", world), register_data(personnummer="20100101-0014", referens="A-3"), follow=True)
    assert "åldern vid start är 15 år, utanför 16–64" in response.content.decode()


def test_duplicate_reference_is_refused(world, login):
    html = login(world.users["manager"]).post(url("create", world), register_data(referens="A-1")).content.decode()
    assert "Referensen används redan i insatsen." in html


def test_exit_rules(world, login):
    client = login(world.users["manager"])
    exit_url = url("exit", world, world.participation.pk)
    html = client.post(exit_url, {"slutdatum": "2024-01-01", "avslutsorsak": "arbete", "version": 1}).content.decode()
    assert "slutdatum är före startdatum" in html.lower()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert "framtiden" in client.post(exit_url, {"slutdatum": tomorrow, "avslutsorsak": "arbete", "version": 1}).content.decode()
    assert "Avslutsorsak måste anges" in client.post(exit_url, {"slutdatum": "2024-06-30", "version": 1}).content.decode()
    assert Participation.objects.get(pk=world.participation.pk).end_date is None
    response = client.post(exit_url, {"slutdatum": "2024-06-30", "avslutsorsak": "studier", "forsorjning_efter": ["studiestod"],
                                      "version": 1})
    assert response.status_code == 302
    p = Participation.objects.get(pk=world.participation.pk)
    assert (p.end_date, p.exit_reason) == (datetime.date(2024, 6, 30), "studier")
    assert list(p.support.filter(phase="exit").values_list("code", flat=True)) == ["studiestod"]
    change = ParticipationChange.objects.get(participation=p, action="exited")
    assert change.changes["exit_reason"] == ["", "studier"]


def test_editing_keeps_the_identity_without_showing_it(world, login):
    client = login(world.users["manager"])
    p = world.participation
    form = client.get(url("edit", world, p.pk)).content.decode()
    assert "19900101" not in form
    key = p.person_key
    response = client.post(url("edit", world, p.pk), register_data(personnummer="", referens="A-1", version=p.version,
                                                                  utbildning="forgymnasial"))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.person_key == key and p.education == "forgymnasial" and p.version == 2


def test_concurrent_edits_are_refused(world, login):
    client = login(world.users["manager"])
    p = world.participation
    first = client.post(url("edit", world, p.pk), register_data(personnummer="", referens="A-1", version=1, utbildning="gymnasial"))
    assert first.status_code == 302
    second = client.post(url("edit", world, p.pk), register_data(personnummer="", referens="A-1", version=1,
                                                                utbildning="eftergymnasial_3_ar_eller_mer"))
    assert second.status_code == 200
    assert "Någon annan har ändrat deltagandet" in second.content.decode()
    p.refresh_from_db()
    assert p.education == "gymnasial"


@pytest.mark.parametrize("version", [None, "", "0", "-1", "abc", "1.0", "99999999999"])
@pytest.mark.parametrize("page", ["edit", "exit"])
def test_a_save_must_name_the_version_it_was_read_at(world, login, page, version):
    """Issue 9: a form posted without `version`, or with 0, bypassed the optimistic lock."""
    client = login(world.users["manager"])
    p = world.participation
    data = (register_data(personnummer="", referens="A-1", startdatum="2024-02-01", utbildning="forgymnasial")
            if page == "edit" else {"slutdatum": "2024-06-30", "avslutsorsak": "arbete"})
    if version is not None:
        data["version"] = version
    response = client.post(url(page, world, p.pk), data)
    assert response.status_code == 200
    assert "Formuläret saknar uppgift om vilken version av deltagandet du ändrar" in response.content.decode()
    p.refresh_from_db()
    assert (p.version, p.education, p.end_date) == (1, "", None)


def test_the_write_path_refuses_an_update_without_a_version(world):
    from finsam.participants import services
    from finsam.participants.importing import RowContext, Validation, participation_row

    p = world.participation
    raw = participation_row(p)
    raw["utbildning"] = "gymnasial"
    row = RowContext(world.alfa, [world.assigned], datetime.date.today()).clean_row(0, raw, Validation(),
                                                                                    known_identity=p)
    for missing in (None, 0):
        with pytest.raises(ValueError):
            services.save_participation(p, row, user=world.users["admin"], expected_version=missing)
    with pytest.raises(services.ConcurrentEditError):
        services.save_participation(p, row, user=world.users["admin"], expected_version=2)
    p.refresh_from_db()
    assert p.education == "" and p.version == 1


def test_the_form_refuses_the_same_person_and_start_twice(world, login):
    """The database holds one participation per person, insats and start date; the form says so
    (whatever the referens) instead of failing on save."""
    client = login(world.users["manager"])
    for referens in ("A-2", None):
        response = client.post(url("create", world), register_data(personnummer="19900101-0017", referens=referens,
                                                                   startdatum="2024-02-01"))
        assert response.status_code == 200
        assert "Personen har redan ett deltagande i insatsen med samma startdatum." in response.content.decode()
    assert Participation.objects.filter(intervention=world.assigned).count() == 1


def test_withdrawing_consent_anonymises_every_participation_of_the_person(world, foerbund_responsible, login):
    p = world.participation
    SupportRecord.objects.create(participation=p, phase="entry", code="sjukpenning")
    # The same person (same identity number as world.participation) in another insats.
    second = make_participation(world.unassigned, "T-2", exit_reason="arbete", end_date=datetime.date(2024, 5, 1))
    client = login(world.users["admin"])
    page = client.get(url("withdraw_consent", world, p.pk))
    assert page.status_code == 200 and "Det går inte att ångra" in page.content.decode()
    response = client.post(url("withdraw_consent", world, p.pk), {"bekrafta": "on"}, follow=True)
    assert "Samtycket är återkallat. 2 deltaganden i insatser du har tillgång till är nu anonyma." in response.content.decode()
    for participation in (p, second):
        participation.refresh_from_db()
        assert participation.anonymous and participation.person_key == ""
        assert participation.birth_year is None and participation.exit_reason == ""
        assert participation.start_date == datetime.date(2024, 2, 1)
        assert (participation.consent_date, participation.consent_form, participation.consent_text_version) == (None, "", "")
    assert second.end_date == datetime.date(2024, 5, 1)
    assert not SupportRecord.objects.filter(participation=p).exists()
    logged = AccessLog.objects.filter(action="consent_withdrawn")
    assert sorted(logged.values_list("intervention_slug", "row_count")) == [("aktivitet", 1), ("team", 1)]
    # Unrelated people keep their data.
    world.unassigned_participation.refresh_from_db()
    assert world.unassigned_participation.anonymous is False


def test_withdrawal_asks_for_confirmation_first(world, login):
    """Issue 9: one click used to withdraw irreversibly. The GET explains and changes nothing; a
    POST without the confirmation changes nothing either."""
    client = login(world.users["manager"])
    detail = client.get(url("detail", world, world.participation.pk)).content.decode()
    assert 'method="post" action="%s"' % url("withdraw_consent", world, world.participation.pk) not in detail
    page = client.get(url("withdraw_consent", world, world.participation.pk))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="bekrafta"' in html and "alla</strong> deltagarens deltaganden" in html
    refused = client.post(url("withdraw_consent", world, world.participation.pk), {})
    assert refused.status_code == 200
    assert "Kryssa i att deltagaren har återkallat sitt samtycke" in refused.content.decode()
    world.participation.refresh_from_db()
    assert not world.participation.anonymous and world.participation.person_key
    assert not AccessLog.objects.filter(action="consent_withdrawn").exists()


def test_withdrawal_keeps_mistakes_excluded_and_tells_only_what_the_user_may_see(world, login):
    """Issue 9: withdrawing removed the felregistrering mark (the rows counted again), and the
    message counted participations in insatser the deltagaransvarig cannot open."""
    from finsam.statistics.engine import Participation as EngineParticipation  # noqa: F401 (the engine's import)

    mistake = make_participation(world.assigned, "A-FEL", start_date=datetime.date(2024, 3, 1),
                                 end_date=datetime.date(2024, 3, 2), exit_reason="felregistrering")
    hidden = make_participation(world.unassigned, "T-2")  # same person, insats not assigned to the manager
    client = login(world.users["manager"])
    page = client.get(url("withdraw_consent", world, world.participation.pk)).content.decode()
    assert "A-FEL" in page and "T-2" not in page and world.unassigned.name not in page
    response = client.post(url("withdraw_consent", world, world.participation.pk), {"bekrafta": "on"}, follow=True)
    html = response.content.decode()
    assert "2 deltaganden i insatser du har tillgång till" in html
    assert "3 deltaganden" not in html and world.unassigned.name not in html
    for participation in (world.participation, mistake, hidden):
        participation.refresh_from_db()
        assert participation.anonymous and participation.person_key == ""
    assert mistake.exit_reason == "felregistrering"
    assert world.participation.exit_reason == "" and hidden.exit_reason == ""
    # The insats the user cannot open is written to and logged, for the administrator to see.
    assert AccessLog.objects.get(action="consent_withdrawn", intervention_slug=world.unassigned.slug).row_count == 1
    # The anonymised mistake can still be opened and exited without losing its mark.
    exit_page = client.post(url("exit", world, mistake.pk), {"slutdatum": "2024-03-03", "version": mistake.version})
    assert exit_page.status_code == 302
    mistake.refresh_from_db()
    assert (mistake.end_date, mistake.exit_reason) == (datetime.date(2024, 3, 3), "felregistrering")


def test_list_filters_and_logs(world, foerbund_responsible, login):
    make_participation(world.assigned, "A-2", personnummer="19850314-1239", end_date=datetime.date(2024, 3, 1),
                       exit_reason="arbete")
    client = login(world.users["analyst"])
    ongoing = client.get(url("list", world)).content.decode()
    assert "A-1" in ongoing and "A-2" not in ongoing
    exited = client.get(url("list", world) + "?status=exited").content.decode()
    assert "A-2" in exited and "A-1" not in exited
    log = AccessLog.objects.filter(action="list").latest("id")
    assert (log.user, log.intervention_slug, log.row_count) == (world.users["analyst"], "aktivitet", 1)


def test_search_by_identity_number_uses_the_hash_and_never_the_url(world, login):
    client = login(world.users["manager"])
    response = client.post(url("list", world) + "?status=all", {"q": "199001010017"})
    html = response.content.decode()
    assert "A-1" in html
    log = AccessLog.objects.get(action="search")
    assert log.row_count == 1 and "0017" not in log.subject
    assert "A-1" not in client.post(url("list", world) + "?status=all", {"q": "19850314-1239"}).content.decode()
    assert "A-1" in client.post(url("list", world) + "?status=all", {"q": "a-1"}).content.decode()


def test_detail_view_is_logged(world, foerbund_responsible, login):
    login(world.users["analyst"]).get(url("detail", world, world.participation.pk))
    log = AccessLog.objects.get(action="view")
    assert log.row_count == 1 and log.intervention_slug == "aktivitet"


def test_export_csv_is_semicolon_bom_neutralised_and_logged(world, foerbund_responsible, login):
    make_participation(world.assigned, "=cmd|' /C calc'!A0", personnummer="19850314-1239")
    response = login(world.users["analyst"]).get(reverse("participants:export", args=["alfa"]))
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert "personnummer" not in rows[0] and rows[0][0] == "insats"
    references = [r[1] for r in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in references
    assert len(rows) - 1 == Participation.objects.filter(association=world.alfa).count() == 3
    assert AccessLog.objects.get(action="export").row_count == 3
    assert "B-1" not in content


def test_export_xlsx(world, foerbund_responsible, login):
    response = login(world.users["admin"]).get(reverse("participants:export", args=["alfa"]) + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[1]][:3] == ["insats", "referens", "anonym"]
    assert sheet.max_row == 3


def test_template_has_dropdowns_and_instructions(world, login):
    response = login(world.users["manager"]).get(reverse("participants:template", args=["alfa"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Deltagare", "Koder", "Instruktioner"]
    header = [c.value for c in workbook["Deltagare"][1]]
    assert header[:3] == ["insats", "referens", "personnummer"] and "avslutsorsak" in header
    validations = workbook["Deltagare"].data_validations.dataValidation
    assert len(validations) >= 10
    codes_column = [c.value for c in workbook["Koder"]["V"]]  # avslutsorsak is the 22nd column
    # Issue 10: the dropdowns offer labels, never codes (tests/test_corrections.py).
    assert codes_column[0] == "avslutsorsak" and "Felregistrering" in codes_column


def test_web_import_lists_errors_then_imports(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.users["manager"])
    bad = "insats;referens;anonym;kon;startdatum\naktivitet;N-1;ja;kvinna;2024-02-31\nteam;N-2;ja;man;2024-01-01\n"
    response = client.post(reverse("participants:import", args=["alfa"]),
                           {"file": SimpleUploadedFile("f.csv", bad.encode())})
    html = response.content.decode()
    assert "Filen har 2 fel och har inte lästs in" in html
    assert "du har inte behörighet" in html  # team is not assigned to the manager
    good = "insats;referens;anonym;kon;startdatum\naktivitet;N-1;ja;kvinna;2024-02-28\n"
    response = client.post(reverse("participants:import", args=["alfa"]),
                           {"file": SimpleUploadedFile("f.csv", good.encode())})
    assert "1 skapade, 0 uppdaterade, 0 oförändrade" in response.content.decode()


def test_volume_counts(world, login):
    client = login(world.users["manager"])
    volumes = url("volumes", world)
    html = client.post(volumes, {"period_start": "2024-06-01", "period_end": "2024-01-01", "women": 3}).content.decode()
    assert "Periodens slut kan inte vara före dess början." in html
    client.post(volumes, {"period_start": "2024-01-01", "period_end": "2024-06-30", "women": 3, "men": 2, "other": 0})
    assert VolumeCount.objects.get().women == 3


def test_access_log_is_append_only(world, foerbund_responsible, login):
    login(world.users["analyst"]).get(url("detail", world, world.participation.pk))
    entry = AccessLog.objects.get()
    entry.subject = "ändrad"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.update(subject="x")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()


def test_access_log_page_filters(world, foerbund_responsible, login):
    login(world.users["analyst"]).get(url("detail", world, world.participation.pk))
    client = login(world.users["admin"])
    html = client.get(reverse("audit:access_log", args=["alfa"]) + "?action=view").content.decode()
    assert "analytiker@alfa.se" in html and "Visade deltagande" in html
    html = client.get(reverse("audit:access_log", args=["alfa"]) + "?action=export").content.decode()
    assert "Inga loggrader." in html


def test_identity_number_is_hidden_from_error_reports(world, login, monkeypatch):
    from django.views.debug import SafeExceptionReporterFilter

    from finsam.participants import services

    def crash(*args, **kwargs):
        raise RuntimeError("simulated")

    monkeypatch.setattr(services, "save_participation", crash)
    client = login(world.users["manager"])
    client.raise_request_exception = False
    response = client.post(url("create", world), register_data())
    assert response.status_code == 500
    request = response.wsgi_request
    filtered = SafeExceptionReporterFilter().get_post_parameters(request)
    assert filtered["personnummer"] != PNR and "*" in filtered["personnummer"]


def _flag_matches_support_rows():
    from django.db.models import Exists, OuterRef

    from finsam.participants.models import Participation, SupportRecord

    def has(phase):
        return Exists(SupportRecord.objects.filter(participation=OuterRef("pk"), phase=phase))

    both = set(Participation.objects.filter(has("entry"), has("exit")).values_list("pk", flat=True))
    flagged = set(Participation.objects.filter(support_at_entry_and_exit=True).values_list("pk", flat=True))
    return both == flagged and len(both) > 0


def test_support_flag_follows_every_write(exempelstad):
    """support_at_entry_and_exit (the support table's population, kept by the write path) always
    says what the support rows say: after an import, an edit and an anonymisation."""
    from finsam.participants import services
    from finsam.participants.importing import RowContext, Validation, participation_row
    from finsam.tenancy.models import RoleAssignment

    assert _flag_matches_support_rows()
    admin = RoleAssignment.objects.filter(association=exempelstad).first().user
    p = Participation.objects.filter(association=exempelstad, support_at_entry_and_exit=True).first()
    raw = participation_row(p)
    raw["forsorjning_efter"] = None
    raw["slutdatum"], raw["avslutsorsak"] = None, None
    result = Validation()
    row = RowContext(exempelstad, [p.intervention], datetime.date(2026, 11, 23)).clean_row(0, raw, result, known_identity=p)
    assert not result.errors, result.errors
    services.save_participation(p, row, user=admin, expected_version=p.version)
    p.refresh_from_db()
    assert not p.support_at_entry_and_exit and _flag_matches_support_rows()
    services.anonymise(Participation.objects.filter(association=exempelstad, support_at_entry_and_exit=True)[:5],
                       user=admin)
    assert _flag_matches_support_rows()
