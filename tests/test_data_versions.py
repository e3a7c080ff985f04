"""Data versions by declaration: every write path raises its förbund's data version itself.

The report cache (statistics/cache.py) keys reports by the förbund's DataVersion. Each app's write
services mark the data changed (tenancy/changes.py, participants/services.py); the ORM receivers of
cache.py are only a safety net, so every test here runs with them disconnected.

- WRITE_PATHS lists every way the product writes what the engine reads (a view posted as its users
  post it, or the service a view or command calls), with the routes it serves.
- ``test_every_route_is_a_write_path_or_writes_nothing_counted`` fails for a route in neither
  WRITE_PATHS nor WRITES_NOTHING_COUNTED (like test_access_matrix's test_every_route_is_in_the_matrix).
- ``test_every_model_read_is_covered`` fails when a model the engine reads
  (statistics.sources.models_read()) is inserted, updated or deleted by no listed path: a new app's
  tables declare what they read, and its write paths must be added here.
- ``test_write_path_raises_the_version`` runs each path, finds from the SQL which counted tables it
  wrote, and fails unless the version of the förbund was raised.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from finsam.participants import services
from finsam.participants.models import Participation, VolumeCount
from finsam.statistics import cache
from finsam.statistics.sources import models_read
from finsam.tenancy.models import Member, data_version

from tests.conftest import make_participation

D = datetime.date


@pytest.fixture
def no_safety_net():
    cache.disconnect()
    yield
    cache.connect()


def _url(world, name, **kwargs):
    return reverse(name, kwargs={"association_slug": world.alfa.slug, **kwargs})


def _form_data(form, **changes):
    """What a browser posts for ``form`` as shown (its initial values), with ``changes``."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        else:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    data.update(changes)
    return data


def _post(client, world, user, name, data=None, **kwargs):
    client.force_login(world.users[user])
    response = client.post(_url(world, name, **kwargs), data or {})
    form = response.context and response.context.get("form")
    assert response.status_code == 302, form.errors if form else response.status_code


# --- the write paths --------------------------------------------------------------------------
# Each is action(world, client, prepared), where ``prepared`` is what its setup (run before the
# SQL is captured) returned.

def _insats_created(world, client, _):
    from finsam.interventions.forms import InterventionForm

    form = InterventionForm(association=world.alfa)
    _post(client, world, "admin", "interventions:create", _form_data(
        form, name="Ny insats", slug="ny-insats", kind="individual", status="active", start_date="2024-01-01"))


def _insats_edited(world, client, _):
    from finsam.interventions.forms import InterventionForm

    form = InterventionForm(instance=world.assigned, association=world.alfa)
    _post(client, world, "admin", "interventions:edit", _form_data(form, name="Nytt namn"),
          intervention_slug=world.assigned.slug)


def _target_group(world, client, _):
    _post(client, world, "admin", "interventions:target_groups", {"code": "egen", "label": "Egen målgrupp"})


def _association_file(world, client, _):
    import json

    from finsam.interventions.association_file import export_association_file

    document = export_association_file(world.alfa)
    document["settings"]["masking_threshold"] = 7
    document["target_groups"].append({"code": "fran_fil", "label": "Från fil"})
    document["target_groups"][0]["label"] = "Nytt namn från fil"
    document["interventions"][0]["name"] = "Namn från fil"
    document["goals"].append({"intervention": document["interventions"][0]["slug"], "year": 2024,
                              "metric": "new_count", "target": 9, "manual_result": None, "description": ""})
    upload = SimpleUploadedFile("forbund.json", json.dumps(document).encode(), content_type="application/json")
    client.force_login(world.users["admin"])
    response = client.post(_url(world, "interventions:association_file"), {"file": upload})
    assert response.status_code == 200 and response.context["summary"] is not None, response.context["errors"]


def _target_group_stored(world):
    from finsam.interventions.models import TargetGroup

    return TargetGroup.objects.create(association=world.alfa, code="egen", label="Egen målgrupp")


def _settings(world, client, _):
    from finsam.tenancy.forms import AssociationSettingsForm

    _post(client, world, "admin", "tenancy:settings",
          _form_data(AssociationSettingsForm(instance=world.alfa), masking_threshold="9"))


def _member_created(world, client, _):
    _post(client, world, "admin", "tenancy:member_create", {"kind": "kommun", "municipality_code": "0114", "name": "Upplands Väsby kommun"})


def _member_edited(world, client, _):
    _post(client, world, "admin", "tenancy:member_edit", {"kind": "fk", "municipality_code": "", "name": "FK Syd"},
          member_id=world.alfa_member.pk)


def _member_deleted(world, client, _):
    _post(client, world, "admin", "tenancy:member_delete", member_id=world.alfa_member.pk)


def _volume(world, client, _):
    _post(client, world, "manager", "participants:volumes",
          {"period_start": "2024-03-01", "period_end": "2024-03-31", "women": "4", "men": "2", "other": "0"},
          intervention_slug=world.assigned.slug)


def _import(world, client, _):
    """One row updates the world's participation (its support and target group rows replaced),
    one registers a new one."""
    csv = ("insats;referens;personnummer;kon;samtycke_datum;startdatum;utbildning;malgrupp;forsorjning_fore\n"
           "aktivitet;A-1;19900101-0017;man;2024-02-01;2024-02-01;gymnasial;migration;lon\n"
           "aktivitet;IMP-2;19850314-1239;man;2024-02-01;2024-03-01;gymnasial;vuxna;lon\n")
    client.force_login(world.users["manager"])
    upload = SimpleUploadedFile("deltagare.csv", csv.encode("utf-8"), content_type="text/csv")
    response = client.post(_url(world, "participants:import"), {"file": upload})
    assert response.context["summary"] is not None, [str(e) for e in response.context["errors"]]


def _import_as_job(world, client, _):
    """The same file over the size that makes it a background job (run at once, as in tests)."""
    from django.test import TestCase, override_settings

    from finsam.jobs.models import Job, State

    csv = ("insats;referens;personnummer;kon;samtycke_datum;startdatum;utbildning;malgrupp;forsorjning_fore\n"
           "aktivitet;A-1;19900101-0017;man;2024-02-01;2024-02-01;gymnasial;migration;lon\n"
           "aktivitet;JOB-2;19850314-1239;man;2024-02-01;2024-03-01;gymnasial;vuxna;lon\n")
    client.force_login(world.users["manager"])
    upload = SimpleUploadedFile("deltagare.csv", csv.encode("utf-8"), content_type="text/csv")
    with override_settings(FINSAM_JOB_IMPORT_BYTES=1, FINSAM_JOBS_SYNC=True), \
            TestCase.captureOnCommitCallbacks(execute=True):  # the test's transaction never commits
        response = client.post(_url(world, "participants:import"), {"file": upload})
    assert response.status_code == 302
    assert Job.objects.get(kind="participant_import").state == State.DONE


def _registration(world, client, _):
    from finsam.participants.importing import RowContext, Validation

    raw = {"insats": world.assigned.slug, "referens": "NY-1", "anonym": "ja", "kon": "kvinna",
           "startdatum": D(2024, 5, 1)}
    row = RowContext(world.alfa, [world.assigned], D(2026, 11, 23)).clean_row(0, raw, Validation())
    services.save_participation(Participation(association=world.alfa, intervention=world.assigned), row,
                                user=world.users["manager"])


def _edit(world, client, _):
    from finsam.participants.importing import RowContext, Validation, participation_row

    participation = world.participation
    raw = participation_row(participation)
    raw.update(utbildning="gymnasial", forsorjning_fore="lon", malgrupp="migration")
    row = RowContext(world.alfa, [world.assigned], D(2026, 11, 23)).clean_row(
        0, raw, Validation(), known_identity=participation)
    services.save_participation(participation, row, user=world.users["manager"], expected_version=participation.version)


def _exit(world, client, _):
    p = world.participation
    _post(client, world, "manager", "participants:exit",
          {"slutdatum": "2024-06-30", "avslutsorsak": "arbete", "forsorjning_efter": ["lon"], "version": p.version},
          intervention_slug=world.assigned.slug, pk=p.pk)


def _exited(world):
    p = world.participation
    Participation.objects.filter(pk=p.pk).update(end_date=D(2024, 6, 30), exit_reason="arbete")
    p.refresh_from_db()
    return p


def _with_rows(world):
    """The world's participation with support and target-group rows, which the path replaces or removes."""
    from finsam.participants.models import SupportRecord, TargetGroupRecord

    SupportRecord.objects.create(participation=world.participation, phase="entry", code="a_kassa")
    TargetGroupRecord.objects.create(participation=world.participation, code="vuxna")
    return world.participation


def _anonymous(world):
    return make_participation(world.assigned, "ANON-1", anonymous=True, person_key="", birth_year=None,
                              birth_month=None, consent_date=None, consent_form="")


def _correction(route, **data):
    def path(world, client, p):
        _post(client, world, "manager", route, {"version": p.version, "bekrafta": "on", **data},
              intervention_slug=world.assigned.slug, pk=p.pk)
    return path


def _retention(world, client, _):
    from finsam.participants.retention import run_retention

    assert run_retention(world.alfa, today=D(2040, 1, 1))


# --- finance (finsam/finance/services.py; the pages of finance-web call the same services) ----------

FINANCE_BUDGET = ("ar;typ;post;insats;medlem;manad;prognosdatum;belopp;text\n"
                  "2024;budget;medlemsbidrag;;fk;;;1000;\n2024;budget;insatser;aktivitet;;;;800;\n")
FINANCE_ACTUALS = "period;post;insats;medlem;belopp;text\n2024-01;styrelse;;;100;\n2024-01;medlemsbidrag;;fk;-500;\n"


def _finance_budget_stored(world):
    from finsam.finance.services import import_budget

    import_budget(world.alfa, FINANCE_BUDGET.encode(), filename="budget.csv")


def _finance_actuals_stored(world):
    from finsam.finance.services import import_actuals

    import_actuals(world.alfa, FINANCE_ACTUALS.encode(), filename="utfall.csv", today=D(2026, 11, 23))


def _finance_budget_import(world, client, _):
    """A changed set: a new version, the old one no longer current."""
    from finsam.finance.services import import_budget

    import_budget(world.alfa, FINANCE_BUDGET.replace("800", "900").encode(), filename="budget.csv")


def _finance_actuals_import(world, client, _):
    """The period's actuals replaced."""
    from finsam.finance.services import import_actuals

    import_actuals(world.alfa, FINANCE_ACTUALS.replace("100", "150").encode(), filename="utfall.csv",
                   today=D(2026, 11, 23))


def _finance_budget_by_hand(world, client, _):
    from finsam.finance.services import save_budget_lines

    save_budget_lines(world.alfa, 2024, "budget", [{"post": "styrelse", "belopp": "1200"}], world.users["admin"])


def _finance_actuals_by_hand(world, client, _):
    from finsam.finance.services import save_actuals

    save_actuals(world.alfa, "2024-02", [{"post": "styrelse", "belopp": "90"}], world.users["admin"],
                 today=D(2026, 11, 23))


def _finance_settings(world, client, _):
    from finsam.finance.services import save_settings

    save_settings(world.alfa, {"display_unit": "kr", "admin_share_max": 0.1})
    save_settings(world.alfa, {"display_unit": "tkr"})


def _activity_data(**changes):
    return {"insats": "aktivitet", "typ": "seminarium", "titel": "Frukostseminarium", "datum": "2024-03-01",
            "antal": "1", "status": "genomford", "format": "digitalt", "deltagare_totalt": "20", **changes}


def _activity(world):
    from finsam.activities.models import Activity

    return Activity.objects.create(association=world.alfa, intervention=world.assigned, kind="seminarium",
                                   title="Seminarium", date=D(2024, 3, 1), format="digitalt", attendees=12)


def _activity_created(world, client, _):
    _post(client, world, "manager", "activities:create", _activity_data())


def _activity_cancelled(world, client, activity):
    _post(client, world, "analyst", "activities:edit", _activity_data(titel="Seminarium", status="installd",
                                                                       deltagare_totalt=""), pk=activity.pk)


def _activity_deleted(world, client, activity):
    _post(client, world, "admin", "activities:delete", pk=activity.pk)


def _upload(world, client, user, route, csv):
    client.force_login(world.users[user])
    upload = SimpleUploadedFile("fil.csv", csv.encode(), content_type="text/csv")
    response = client.post(_url(world, route), {"file": upload})
    assert response.context["summary"] is not None, [str(e) for e in response.context["errors"]]


def _activity_file(world, client, activity):
    _upload(world, client, "admin", "activities:import",
            "insats;typ;titel;datum;format;deltagare_totalt\n"
            "aktivitet;seminarium;Seminarium;2024-03-01;fysiskt;30\n"
            ";kunskapsdialog;Kunskapsdialog;2024-04-01;digitalt;25\n")


def _measure_value(world):
    from finsam.activities.models import MeasureValue

    return MeasureValue.objects.create(association=world.alfa, measure="webb_besok", start=D(2024, 1, 1),
                                       end=D(2024, 6, 30), value=100)


def _measure_saved(world, client, _):
    for value in ("100", "120"):  # a new value, then the same period again: replaced
        _post(client, world, "admin", "activities:measures",
              {"matt": "webb_besok", "insats": "", "fran": "2024-07-01", "till": "2024-12-31", "varde": value})


def _measure_deleted(world, client, value):
    _post(client, world, "manager" if value.intervention else "admin", "activities:measure_delete", pk=value.pk)


def _measure_file(world, client, value):
    _upload(world, client, "analyst", "activities:measures_import",
            "matt;insats;fran;till;varde\n"
            "webb_besok;;2024-01-01;2024-06-30;150\n"
            "nyhetsbrev_prenumeranter;;;2024-06-30;412\n")


def _own_kinds_and_measures(world):
    from finsam.activities.models import ActivityKind, MeasureDefinition

    ActivityKind.objects.create(association=world.alfa, code="egen_typ", label="Egen typ")
    MeasureDefinition.objects.create(association=world.alfa, code="eget_matt", label="Eget mått", aggregation="summa")


def _association_file_sections(world, client, _):
    import json

    document = {"slug": world.alfa.slug,
                "activity_kinds": [{"code": "egen_typ", "label": "Nytt namn", "individual": True},
                                   {"code": "ny_typ", "label": "Ny typ"}],
                "measures": [{"code": "eget_matt", "label": "Nytt namn", "aggregation": "senaste"},
                             {"code": "nytt_matt", "label": "Nytt mått", "aggregation": "helperiod"}]}
    upload = SimpleUploadedFile("forbund.json", json.dumps(document).encode(), content_type="application/json")
    client.force_login(world.users["admin"])
    response = client.post(_url(world, "interventions:association_file"), {"file": upload})
    assert response.status_code == 200 and response.context["summary"] is not None, response.context["errors"]

def _plan_tree(world):
    """A plan of alfa with a målområde, a goal and a manual indicator: (plan, area, goal, indicator)."""
    from finsam.plans.models import FocusArea, Indicator, Plan, PlanGoal

    plan = Plan.objects.create(association=world.alfa, key="vp-2024", name="VP 2024", from_year=2024, to_year=2024)
    area = FocusArea.objects.create(plan=plan, key="omrade", name="Område")
    goal = PlanGoal.objects.create(focus_area=area, key="mal", name="Mål")
    indicator = Indicator.objects.create(goal=goal, key="i", text="I", metric={"source": "manual"},
                                         target={"type": "at_least", "value": 5}, period={"type": "year"})
    return plan, area, goal, indicator


def _with_assessment(tree):
    from finsam.plans.models import Assessment

    Assessment.objects.create(focus_area=tree[1], year=2024, grade="ej_uppfyllt")
    return tree


def _plan_route(route, data, *levels):
    """A write path of the plan pages: POST ``data`` to ``route`` with the ids of ``levels`` of
    _plan_tree (plan, area, goal, indicator)."""
    names = ("plan_id", "area_id", "goal_id", "indicator_id")

    def path(world, client, tree):
        ids = {names[i]: tree[i].pk for i in levels}
        _post(client, world, "analyst", route, data, **ids)
    return path


INDICATOR_POST = {"key": "nya", "text": "Minst 10 nya", "order": "0", "metric": "participants|new_count",
                  "target_type": "at_least", "target_value": "10", "period_type": "year"}
PLAN_WRITES = {
    "plan created": (_plan_route("plans:plan_create", {"key": "vp-2025", "name": "VP 2025", "from_year": "2025",
                                                         "to_year": "2025"}), {"plans:plan_create"}, None),
    "plan edited": (_plan_route("plans:plan_edit", {"key": "vp-2024", "name": "Ny", "from_year": "2024",
                                                      "to_year": "2024"}, 0), {"plans:plan_edit"}, _plan_tree),
    "plan deleted": (_plan_route("plans:plan_delete", {}, 0), {"plans:plan_delete"}, _plan_tree),
    "målområde created": (_plan_route("plans:area_create", {"key": "nytt", "name": "Nytt", "order": "1"}, 0),
                          {"plans:area_create"}, _plan_tree),
    "målområde edited": (_plan_route("plans:area_edit", {"key": "omrade", "name": "Annat", "order": "0"}, 0, 1),
                         {"plans:area_edit"}, _plan_tree),
    "målområde deleted": (_plan_route("plans:area_delete", {}, 0, 1), {"plans:area_delete"}, _plan_tree),
    "assessment": (_plan_route("plans:assessment", {"year": "2024", "grade": "god", "text": "Bra"}, 0, 1),
                   {"plans:assessment"}, _plan_tree),
    "assessment replaced": (_plan_route("plans:assessment", {"year": "2024", "grade": "god", "text": "Bra"}, 0, 1),
                            {"plans:assessment"}, lambda world: _with_assessment(_plan_tree(world))),
    "plan goal created": (_plan_route("plans:goal_create", {"key": "nytt", "name": "Nytt", "order": "1"}, 0, 1),
                          {"plans:goal_create"}, _plan_tree),
    "plan goal edited": (_plan_route("plans:goal_edit", {"key": "mal", "name": "Annat", "order": "0"}, 0, 2),
                         {"plans:goal_edit"}, _plan_tree),
    "plan goal deleted": (_plan_route("plans:goal_delete", {}, 0, 2), {"plans:goal_delete"}, _plan_tree),
    "indicator created": (_plan_route("plans:indicator_create", INDICATOR_POST, 0, 2), {"plans:indicator_create"},
                          _plan_tree),
    "indicator edited": (_plan_route("plans:indicator_edit", {**INDICATOR_POST, "key": "i"}, 0, 3),
                         {"plans:indicator_edit"}, _plan_tree),
    "indicator deleted": (_plan_route("plans:indicator_delete", {}, 0, 3), {"plans:indicator_delete"}, _plan_tree),
    "manual result": (_plan_route("plans:result", {"to": "2024-12-31", "value": "7", "text": "Enkät"}, 0, 3),
                      {"plans:result"}, _plan_tree),
}


# --- the survey pages (finsam.surveys views) ------------------------------------------------------------

def _survey_round(world, status="oppen"):
    from finsam.surveys.models import Round
    from finsam.surveys.questions import load_question_set
    from tests.conftest import DATA

    load_question_set((DATA / "exempel-fragor-v2.json").read_bytes(), world.alfa)
    return Round.objects.create(association=world.alfa, key=f"dv-{status}", title="Omgång", respondent_group="deltagare_avslut",
                                question_set=world.alfa.question_sets.get(), intervention=world.assigned,
                                date_from=D(2024, 1, 1), date_to=D(2024, 12, 31), status=status)


def _survey_draft(world):
    return _survey_round(world, "utkast")


def _survey_set_only(world):
    return _survey_round(world).question_set


def _survey_round_form(round, **changes):
    data = {"key": round.key, "title": round.title, "question_set": round.question_set_id,
            "respondent_group": round.respondent_group, "intervention": round.intervention_id,
            "date_from": "2024-01-01", "date_to": "2024-12-31", "population_kind": "number", "population_number": "10"}
    data.update(changes)
    return data


def _survey_round_created(world, client, question_set):
    from finsam.surveys.models import Round

    round = Round(question_set=question_set, respondent_group="insatspersonal", intervention=world.assigned)
    _post(client, world, "admin", "surveys:round_create", _survey_round_form(round, key="ny", title="Ny"))


def _survey_round_edited(world, client, round):
    _post(client, world, "admin", "surveys:round_edit", _survey_round_form(round, title="Nytt namn"), round_id=round.pk)


def _survey_round_status(world, client, round):
    _post(client, world, "manager", "surveys:round_status", {"action": "close"}, round_id=round.pk)


def _survey_codes(world, client, round):
    client.force_login(world.users["manager"])
    response = client.post(_url(world, "surveys:code_slips", round_id=round.pk), {"count": "2"})
    assert response["Content-Type"] == "application/pdf"


def _survey_paper(world, client, round):
    _post(client, world, "manager", "surveys:paper_entry", {"sprak": "sv", "svar-d01": "stor", "action": "save"},
          round_id=round.pk)


def _survey_web_answer(world, client, round):
    from django.test import Client

    respondent = Client()
    base = f"/{world.alfa.slug}/enkat/{round.token}/"
    respondent.post(base, {})
    token = re.search(r'name="t" value="([^"]+)"', respondent.get(base + "fraga/1/").content.decode()).group(1)
    respondent.post(base + "fraga/1/", {"t": token, "svar": "stor"})
    response = respondent.post(base + "granska/", {"t": token})
    assert response.status_code == 302 and "/tack/" in response.url


def _survey_upload(route, name, content, user="admin"):
    def path(world, client, _):
        from tests.conftest import DATA

        upload = SimpleUploadedFile(name, content() if callable(content) else (DATA / content).read_bytes())
        client.force_login(world.users[user])
        url = reverse(route) if user == "sysadmin" else _url(world, route)
        response = client.post(url, {"file": upload})
        assert response.status_code == 200 and not response.context["errors"], response.context["errors"]
    return path


def _survey_file():
    import json

    round = {"key": "fran-fil", "title": "Från fil", "question_set": "exempel-indikatorer", "version": 2,
             "respondent_group": "insatspersonal", "intervention": "aktivitet", "from": "2024-01-01",
             "to": "2024-12-31", "population": 10, "status": "oppen"}
    return json.dumps({"format": "finsam-surveys/1", "rounds": [round], "goals": []}).encode()


def _survey_answers_file():
    return ("omgang;svar_id;kanal;sprak;d01\r\ndv-oppen;1;papper;sv;stor\r\n").encode()


# --- finance pages (issue 13): each writes through finance/services.py ----------------------------

def _finance_grid(world, client, user, name, values, **kwargs):
    """Post a finance grid page as shown, with ``values`` {input label: amount} typed in."""
    client.force_login(world.users[user])
    page = client.get(_url(world, name, **kwargs) + ("?prognosdatum=2024-06-30" if name == "finance:forecast" else ""))
    form = page.context["form"]
    data = {n: form[n].value() or "" for n in form.fields}
    for label, text in values.items():
        data[next(n for n, f in form.fields.items() if f.label == label)] = text
    if name == "finance:forecast":
        data["prognosdatum"] = "2024-06-30"
    response = client.post(_url(world, name, **kwargs), data)
    assert response.status_code == 302, response.context["form"].errors


def _finance_budget(world, client, _):
    _finance_grid(world, client, "analyst", "finance:budget", {"Styrelse, Budget 2024": "1 000",
                                                               "Revision, Plan 2025": "50"}, year=2024)


def _finance_forecast(world, client, _):
    _finance_grid(world, client, "analyst", "finance:forecast",
                  {"Styrelse, Prognos 2024, från 2024-06-30 till 2024-12-31": "700"}, year=2024)


def _finance_actuals(world, client, _):
    _finance_grid(world, client, "admin", "finance:actuals", {"Styrelse, Utfall 2024-03": "300"}, year=2024, month=3)


def _finance_file(kind, content):
    def path(world, client, _):
        client.force_login(world.users["admin"])
        preview = client.post(_url(world, "finance:import", kind=kind),
                              {"file": SimpleUploadedFile(f"{kind}.csv", content.encode(), content_type="text/csv")})
        assert preview.status_code == 200 and preview.context["token"], preview.context["errors"]
        done = client.post(_url(world, "finance:import", kind=kind), {"token": preview.context["token"]})
        assert done.status_code == 302
    return path


def _finance_stored(world):
    """Lines for the write paths to replace (a new version) and actuals to replace."""
    from finsam.finance.services import import_actuals, import_budget

    import_budget(world.alfa, [{"ar": "2024", "typ": "budget", "post": "styrelse", "belopp": "10"}])
    import_actuals(world.alfa, [{"period": "2024-02", "post": "styrelse", "belopp": "10"}])


def _finance_settings_page(world, client, _):
    _post(client, world, "admin", "finance:settings", {"display_unit": "kr", "equity_cap_kind": "amount",
                                                       "equity_cap_amount": "2 000 000", "admin_share_max": "10"})


# name -> (action, routes it serves, setup or None)
WRITE_PATHS = {
    "insats created": (_insats_created, {"interventions:create"}, None),
    "insats edited": (_insats_edited, {"interventions:edit"}, None),
    "target group added": (_target_group, {"interventions:target_groups"}, None),
    "förbundsfil": (_association_file, {"interventions:association_file", "interventions:system_association_file"},
                    _target_group_stored),
    "settings": (_settings, {"tenancy:settings"}, None),
    "member created": (_member_created, {"tenancy:member_create"}, None),
    "member edited": (_member_edited, {"tenancy:member_edit"}, None),
    "member deleted": (_member_deleted, {"tenancy:member_delete"}, None),
    "volume count": (_volume, {"participants:volumes"}, None),
    "import": (_import, {"participants:import"}, _with_rows),
    "import as a background job": (_import_as_job, {"participants:import"}, _with_rows),
    "registration": (_registration, {"participants:create"}, None),
    "edit": (_edit, {"participants:edit"}, _with_rows),
    "exit": (_exit, {"participants:exit"}, None),
    "consent withdrawn": (_correction("participants:withdraw_consent"), {"participants:withdraw_consent"},
                          _with_rows),
    "marked felregistrering": (_correction("participants:mark_mistaken"), {"participants:mark_mistaken"}, _exited),
    "exit reopened": (_correction("participants:reopen"), {"participants:reopen"}, _exited),
    "deleted": (_correction("participants:delete", motivering="Registrerad två gånger"), {"participants:delete"},
                _anonymous),
    "retention": (_retention, set(), _exited),  # the command finsam retention
    "finance budget import": (_finance_budget_import, set(), _finance_budget_stored),  # finsam import-budget
    "finance actuals import": (_finance_actuals_import, set(), _finance_actuals_stored),  # finsam import-actuals
    "finance budget by hand": (_finance_budget_by_hand, set(), _finance_budget_stored),
    "finance actuals by hand": (_finance_actuals_by_hand, set(), None),
    "finance settings": (_finance_settings, set(), None),
    "activity created": (_activity_created, {"activities:create"}, None),
    "activity edited or cancelled": (_activity_cancelled, {"activities:edit"}, _activity),
    "activity deleted": (_activity_deleted, {"activities:delete"}, _activity),
    "activity file": (_activity_file, {"activities:import"}, _activity),  # one row updated, one created
    "measure value saved": (_measure_saved, {"activities:measures"}, None),
    "measure value deleted": (_measure_deleted, {"activities:measure_delete"}, _measure_value),
    "measures file": (_measure_file, {"activities:measures_import"}, _measure_value),
    "förbundsfil: own kinds and measures": (_association_file_sections, {"interventions:association_file"},
                                            _own_kinds_and_measures),
    "survey round created": (_survey_round_created, {"surveys:round_create"}, _survey_set_only),
    "survey round edited": (_survey_round_edited, {"surveys:round_edit"}, _survey_draft),
    "survey round closed on its page": (_survey_round_status, {"surveys:round_status"}, _survey_round),
    "survey codes issued on their page": (_survey_codes, {"surveys:code_slips"}, _survey_round),
    "survey paper form": (_survey_paper, {"surveys:paper_entry"}, _survey_round),
    "survey web answer": (_survey_web_answer, {"surveys:review"}, _survey_round),
    "survey question set page": (_survey_upload("surveys:question_sets", "fragor.json", "exempel-fragor-v2.json"),
                                 {"surveys:question_sets"}, None),
    "survey file page": (_survey_upload("surveys:survey_file", "enkater.json", _survey_file),
                         {"surveys:survey_file"}, _survey_set_only),
    "survey answers page": (_survey_upload("surveys:answers_import", "svar.csv", _survey_answers_file),
                            {"surveys:answers_import"}, _survey_round),
    "survey national page": (_survey_upload("surveys:national_file", "riket.csv", "exempel-riket-2024.csv",
                                            user="sysadmin"), {"surveys:national_file"}, None),
    "finance budget page": (_finance_budget, {"finance:budget"}, _finance_stored),
    "finance forecast page": (_finance_forecast, {"finance:forecast"}, None),
    "finance actuals page": (_finance_actuals, {"finance:actuals"}, None),
    "finance budget file": (_finance_file("budget", "ar;typ;post;belopp\r\n2024;budget;styrelse;20\r\n"),
                            {"finance:import"}, _finance_stored),
    "finance actuals file": (_finance_file("utfall", "period;post;belopp\r\n2024-02;styrelse;20\r\n"),
                             {"finance:import"}, _finance_stored),
    "finance settings page": (_finance_settings_page, {"finance:settings"}, None),
    **PLAN_WRITES,
}

# Routes whose requests write nothing the engine reads (each says why).
WRITES_NOTHING_COUNTED = {
    "reports:overview", "reports:report", "reports:published_list", "reports:published_detail",
    "reports:publish",  # a PublishedReport: made from the report, not read by it
    "tenancy:members", "tenancy:users", "tenancy:user_create", "tenancy:user_edit",  # users and roles
    "tenancy:password_change", "tenancy:system_associations",
    # A new förbund: its DataVersion is created with it, nothing is cached under it yet.
    "tenancy:system_association_create",
    "interventions:list", "interventions:detail", "interventions:association_file_download",
    "participants:list", "participants:detail", "participants:template", "participants:export",
    "participants:extract",
    "participants:consent_create", "participants:consent_status", "participants:consent_answer",  # ConsentRequest
    "audit:access_log",
    # A job's page, status, file and the list of one's jobs; the job itself writes through the
    # service of its kind (the write path "import as a background job").
    "jobs:detail", "jobs:status", "jobs:download", "jobs:list",
    "home", "healthz", "accessibility", "help", "login", "logout",
    "activities:list",
    # Survey pages that only read, the PDFs (codes are issued by code_slips, a write path), the
    # free text and the answers export, and the respondent's screens before Skicka (the session only).
    "surveys:round_list", "surveys:round_detail", "surveys:poster", "surveys:paper_pdf", "surveys:free_text",
    "surveys:answers_export", "surveys:start", "surveys:question", "surveys:respond_all", "surveys:thanks",
    "finance:home", "finance:intervention",  # finance pages that only read
    "plans:list", "plans:plan_detail",
}

# (model label, operation) that no path of the product performs; each says why. A path that starts
# to perform one belongs in WRITE_PATHS (and then here no longer).
NEVER_WRITTEN = {
    ("tenancy.Association", "DELETE"),  # a förbund is never deleted through the product
    # A new förbund (system pages): its DataVersion is created with it, nothing is cached under it.
    ("tenancy.Association", "INSERT"),
    ("interventions.Intervention", "DELETE"),  # an insats is ended (status), never deleted
    ("interventions.TargetGroup", "DELETE"),  # target groups are added or relabelled, never deleted
    ("participants.VolumeCount", "UPDATE"),  # volume counts are only added
    ("participants.VolumeCount", "DELETE"),
    # Support and target-group rows are replaced (deleted and inserted), never updated.
    ("participants.SupportRecord", "UPDATE"),
    ("participants.TargetGroupRecord", "UPDATE"),
    # Finance (issue 13): a changed budget set is a new version (the old one's flag `current` is
    # updated); lines are never updated or deleted, nor are versions; actuals of a period are
    # replaced (deleted and inserted), never updated; settings are updated, never deleted.
    ("finance.BudgetLine", "UPDATE"),
    ("finance.BudgetLine", "DELETE"),
    ("finance.BudgetSet", "DELETE"),
    ("finance.Actual", "UPDATE"),
    ("finance.FinanceSettings", "DELETE"),
    # A förbund's own activity kinds and measures are added or relabelled (förbundsfil), never deleted.
    ("activities.ActivityKind", "DELETE"),
    ("activities.MeasureDefinition", "DELETE"),
}


# --- surveys (finsam.surveys: services and commands; the pages of surveys-web add their routes) ----

def _survey_set(version=1, text="Fungerar samverkan?"):
    return {"format": "finsam-questions/1", "key": "prov", "version": version, "source": "egen", "title": "Prov",
            "languages": ["sv"], "respondent_groups": [{"code": "egen_grupp", "label": "Egen grupp"}],
            "indicators": [{"code": "X1", "name": "Samverkan", "level": "organisation", "measurement_points": []}],
            "scales": [{"key": "ja_nej", "steps": [{"code": "ja", "bucket": "positiv", "label": {"sv": "Ja"}},
                                                   {"code": "nej", "bucket": "negativ", "label": {"sv": "Nej"}}],
                        "dont_know": {"sv": "Vet inte"}}],
            "questions": [{"key": "q1", "indicator": "X1", "groups": ["styrelse"], "scale": "ja_nej",
                           "text": {"sv": text}}]}


def _survey_file(title="Styrelsen", target=0.8):
    return {"format": "finsam-surveys/1",
            "rounds": [{"key": "r1", "title": title, "question_set": "prov", "version": 1,
                        "respondent_group": "styrelse", "intervention": None, "from": "2024-11-01",
                        "to": "2024-11-30", "population": 10, "status": "oppen"}],
            "goals": [{"year": 2024, "intervention": None, "respondent_group": None, "question": "q1",
                       "target": target}]}


def _survey_set_stored(world):
    from finsam.surveys.questions import load_question_set

    load_question_set(_survey_set(), world.alfa)


def _surveys_stored(world):
    from finsam.surveys.models import Round
    from finsam.surveys.setup import apply_survey_file

    _survey_set_stored(world)
    apply_survey_file(_survey_file(), world.alfa)
    return Round.objects.get(association=world.alfa, key="r1")


def _with_codes(world):
    from finsam.surveys.services import issue_codes

    rnd = _surveys_stored(world)
    return rnd, issue_codes(rnd, 2)


def _question_set_loaded(world, client, _):
    from finsam.surveys.questions import load_question_set

    load_question_set(_survey_set(), world.alfa)


def _question_set_replaced(world, client, _):
    from finsam.surveys.questions import load_question_set

    load_question_set(_survey_set(text="Fungerar samverkan bra?"), world.alfa)  # not locked: rewritten


def _survey_file_applied(world, client, _):
    from finsam.surveys.setup import apply_survey_file

    apply_survey_file(_survey_file(), world.alfa)


def _survey_file_changed(world, client, _):
    from finsam.surveys.setup import apply_survey_file

    apply_survey_file(_survey_file(title="Styrelsen 2024", target=0.9), world.alfa)


def _codes_issued(world, client, rnd):
    from finsam.surveys.services import issue_codes

    issue_codes(rnd, 3)


def _round_closed(world, client, rnd):
    from finsam.surveys.services import close_round

    close_round(rnd)


def _response_recorded(world, client, prepared):
    from finsam.surveys.services import record_response

    rnd, codes = prepared
    record_response(rnd, channel="webb", language="sv", answers={"q1": "ja"}, code=codes[0])


def _answers_imported(world, client, rnd):
    from finsam.surveys.answers import import_answers

    import_answers(b"omgang;svar_id;q1\nr1;1;ja\nr1;2;Nej\n", "svar.csv", world.alfa)


def _national_loaded(world, client, _):
    from finsam.surveys.national import load_national

    load_national(b"ar;respondentgrupp;nyckel;n;andel_positiv;antal_forbund\n2024;styrelse;q1;100;0,7;20\n",
                  "riket.csv")


def _national_stored(world):
    _national_loaded(world, None, None)


WRITE_PATHS.update({
    "question set loaded": (_question_set_loaded, set(), None),  # finsam load-questions
    "question set version rewritten": (_question_set_replaced, set(), _survey_set_stored),
    "survey file applied": (_survey_file_applied, set(), _survey_set_stored),  # finsam setup-surveys
    "survey file changed": (_survey_file_changed, set(), _surveys_stored),
    "survey codes issued": (_codes_issued, set(), _surveys_stored),
    "survey round closed": (_round_closed, set(), _surveys_stored),
    "survey response recorded": (_response_recorded, set(), _with_codes),
    "survey answers imported": (_answers_imported, set(), _surveys_stored),  # finsam import-answers
    "national comparison loaded": (_national_loaded, set(), _national_stored),  # finsam load-national
})
NEVER_WRITTEN |= {
    # Question sets: a version is rewritten (its questions and scales deleted and inserted) until it
    # is locked, never deleted; indicators and own groups are upserted by key, never deleted.
    ("surveys.QuestionSet", "DELETE"), ("surveys.Question", "UPDATE"), ("surveys.Scale", "UPDATE"),
    ("surveys.Indicator", "DELETE"), ("surveys.RespondentGroup", "UPDATE"), ("surveys.RespondentGroup", "DELETE"),
    # Rounds are kept (their responses count); goals of a year are replaced (deleted and inserted).
    ("surveys.Round", "DELETE"), ("surveys.SurveyGoal", "UPDATE"),
    # A response and its answers are written once and never changed or deleted; a code row is
    # inserted when issued and deleted when used, never updated.
    ("surveys.Response", "UPDATE"), ("surveys.Response", "DELETE"), ("surveys.Answer", "UPDATE"),
    ("surveys.Answer", "DELETE"), ("surveys.SurveyCode", "UPDATE"),
    ("surveys.NationalComparison", "UPDATE"),  # a year of the file replaces the year's rows
}

def _routes():
    """Every named route of the project: each app's namespace (a new app's too) and the root's."""
    resolver = get_resolver()
    named = {p.name for p in resolver.url_patterns if getattr(p, "name", None)}
    for ns, (_, app_resolver) in resolver.namespace_dict.items():
        named |= {f"{ns}:{p.name}" for p in app_resolver.url_patterns if p.name}
    return named


def test_every_route_is_a_write_path_or_writes_nothing_counted():
    named = _routes()
    served = set().union(*(routes for _, routes, _ in WRITE_PATHS.values()))
    assert not served & WRITES_NOTHING_COUNTED
    assert named - served - WRITES_NOTHING_COUNTED == set(), "Routes not classified for data versions"
    assert served | WRITES_NOTHING_COUNTED <= named


_WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)
_OPERATION = {"INSERT INTO": "INSERT", "UPDATE": "UPDATE", "DELETE FROM": "DELETE"}


def _counted_writes(queries):
    """(model label, INSERT/UPDATE/DELETE) of every model the engine reads that ``queries`` wrote."""
    tables = {model._meta.db_table: model._meta.label for model in models_read()}
    writes = set()
    for query in queries:
        match = _WRITE.match(query["sql"])
        if match and match.group(2) in tables:
            writes.add((tables[match.group(2)], _OPERATION[match.group(1).upper()]))
    return writes


def _run(name, world, client):
    """Run a write path with the safety net off; (counted writes, version before, version after)."""
    action, _, setup = WRITE_PATHS[name]
    for row in (world.alfa, world.alfa_member, world.assigned, world.participation):
        row.refresh_from_db()  # as stored (test_every_model_read_is_covered rolls each path back)
    prepared = setup(world) if setup else None
    before = data_version(world.alfa.pk).version
    with CaptureQueriesContext(connection) as queries:
        action(world, client, prepared)
    return _counted_writes(queries.captured_queries), before, data_version(world.alfa.pk).version


@pytest.mark.parametrize("name", WRITE_PATHS)
def test_write_path_raises_the_version(world, client, no_safety_net, name):
    writes, before, after = _run(name, world, client)
    assert writes, f"{name} wrote nothing the engine reads"
    assert after > before, f"{name} wrote {sorted(writes)} without raising the förbund's data version"


def test_every_model_read_is_covered(world, client, no_safety_net):
    from django.db import transaction

    covered = set()
    for name in WRITE_PATHS:
        sid = transaction.savepoint()
        covered |= _run(name, world, client)[0]
        transaction.savepoint_rollback(sid)
    expected = {(model._meta.label, op) for model in models_read() for op in ("INSERT", "UPDATE", "DELETE")}
    missing = expected - NEVER_WRITTEN - covered
    assert not missing, f"Models the engine reads that no write path above writes: {sorted(missing)}"


def test_the_safety_net_is_derived_from_what_the_engine_reads():
    from django.db.models.signals import post_delete, post_save

    assert {model for signal, model in cache.receivers() if signal is post_save} == set(models_read())
    # Participant rows are deleted in bulk (and marked) by participants/services.py only.
    deletes = {model._meta.label for signal, model in cache.receivers() if signal is post_delete}
    assert "participants.Participation" not in deletes and "participants.VolumeCount" in deletes


def test_the_safety_net_covers_a_write_outside_the_services(world):
    before = data_version(world.alfa.pk).version
    VolumeCount.objects.create(association=world.alfa, intervention=world.assigned, period_start=D(2024, 1, 1),
                               period_end=D(2024, 1, 31), women=1)
    Member.objects.filter(pk=world.alfa_member.pk).first().delete()
    assert data_version(world.alfa.pk).version == before + 2
