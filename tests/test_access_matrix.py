"""Every URL, every role, both privacy models: who gets the page, who gets 403, who gets 404.

The expectations are written out here, independently of ``permissions.CAPABILITIES``; a new
route without a row in ROUTES fails ``test_every_route_is_in_the_matrix``. Where the förbund's
privacy model (docs/privacy.md) changes who may reach a route, the row gives the roles per model:
``{MEMBERS: ..., ASSOCIATION: ...}``. Under "Parterna ansvarar" (MEMBERS, the default) only the
insats's deltagaransvarig reaches participant-level data; under "Förbundet ansvarar" the förbund's
administratör and analytiker do too.
"""

import datetime
import re

import pytest
from django.urls import Resolver404, get_resolver, resolve, reverse

from finsam.tenancy.models import PrivacyModel, Role, RoleAssignment

from tests.conftest import set_privacy_model

ALL = {"admin", "analyst", "manager", "reader"}
ADMIN = {"admin"}
MEMBERS, ASSOCIATION = PrivacyModel.MEMBERS.value, PrivacyModel.ASSOCIATION.value
MANAGER_ONLY = {"manager"}
# Participant-level data: the assigned deltagaransvarig only, or the förbund's staff too.
PARTICIPANT_READERS = {MEMBERS: MANAGER_ONLY, ASSOCIATION: {"admin", "analyst", "manager"}}
REGISTRARS = {MEMBERS: MANAGER_ONLY, ASSOCIATION: {"admin", "manager"}}
# Import and export: the analyst too when the förbund is responsible (issue 10).
FILE_HANDLERS = {MEMBERS: MANAGER_ONLY, ASSOCIATION: {"admin", "analyst", "manager"}}
SYSTEM = "system"
PUBLIC = "public"
SIGNED_IN = "signed_in"  # every signed-in user, whatever their roles
OPEN = "open"  # every visitor, signed in or not (the user guide)
# Background jobs: only the user who queued one reaches it (the manager in ROUTES); any other
# user is a 404, a colleague as much as an outsider (docs/architecture.md, "Background jobs").
REQUESTER = "requester"
# Indicator surveys: rounds seen by these, run (opened, closed, printed, typed in) by these.
SURVEY_VIEWERS = {"admin", "analyst", "manager"}
SURVEY_RUNNERS = {"admin", "manager"}
PLANNERS = {"admin", "analyst"}

# name -> (url kwargs builder, method, roles that get the page)
ROUTES = {
    "reports:overview": (lambda w: {}, "get", ALL),
    "tenancy:settings": (lambda w: {}, "get", ADMIN),
    "tenancy:members": (lambda w: {}, "get", ADMIN),
    "tenancy:member_create": (lambda w: {}, "get", ADMIN),
    "tenancy:member_edit": (lambda w: {"member_id": w.alfa_member.pk}, "get", ADMIN),
    "tenancy:member_delete": (lambda w: {"member_id": w.alfa_member.pk}, "post", ADMIN),
    "tenancy:users": (lambda w: {}, "get", ADMIN),
    "tenancy:user_create": (lambda w: {}, "get", ADMIN),
    "tenancy:user_edit": (lambda w: {"user_id": w.users["reader"].pk}, "get", ADMIN),
    "interventions:list": (lambda w: {}, "get", ALL),
    "interventions:create": (lambda w: {}, "get", ADMIN),
    "interventions:target_groups": (lambda w: {}, "get", ADMIN),
    "interventions:detail": (lambda w: {"intervention_slug": w.assigned.slug}, "get", ALL),
    "interventions:edit": (lambda w: {"intervention_slug": w.assigned.slug}, "get", ADMIN),
    "interventions:association_file": (lambda w: {}, "get", ADMIN),
    "interventions:association_file_download": (lambda w: {}, "get", ADMIN),
    "participants:list": (lambda w: {"intervention_slug": w.assigned.slug}, "get", PARTICIPANT_READERS),
    "participants:create": (lambda w: {"intervention_slug": w.assigned.slug}, "get", REGISTRARS),
    "participants:detail": (lambda w: _p(w), "get", PARTICIPANT_READERS),
    "participants:edit": (lambda w: _p(w), "get", REGISTRARS),
    "participants:exit": (lambda w: _p(w), "get", REGISTRARS),
    "participants:withdraw_consent": (lambda w: _p(w), "get", REGISTRARS),
    "participants:mark_mistaken": (lambda w: _p(w), "get", REGISTRARS),
    "participants:reopen": (lambda w: _p(w), "get", REGISTRARS),
    "participants:delete": (lambda w: _p(w), "get", REGISTRARS),
    # Counts per period and gender, not persons: the same in both models.
    "participants:volumes": (lambda w: {"intervention_slug": w.assigned.slug}, "get", {"admin", "analyst", "manager"}),
    "participants:import": (lambda w: {}, "get", FILE_HANDLERS),
    "participants:template": (lambda w: {}, "get", FILE_HANDLERS),
    # Each user exports the rows of the insatser whose participants they see.
    "participants:export": (lambda w: {}, "get", FILE_HANDLERS),
    "participants:extract": (lambda w: {}, "get", PARTICIPANT_READERS),
    "participants:consent_create": (lambda w: {"intervention_slug": w.assigned.slug}, "post", REGISTRARS),
    "participants:consent_status": (lambda w: {"intervention_slug": w.assigned.slug, "pk": _consent(w).pk}, "get", REGISTRARS),
    # The participant's own page: no login; an unknown token is a 404 for everyone.
    "participants:consent_answer": (lambda w: {"token": "okand-token"}, "get", PUBLIC),
    "audit:access_log": (lambda w: {}, "get", ADMIN),
    # Live reports only for the roles that may see small counts; läsare read published reports.
    # A deltagaransvarig gets the report of their assigned insatser only (tests/test_report_scope.py).
    "reports:report": (lambda w: {}, "get", {"admin", "analyst", "manager"}),
    "reports:publish": (lambda w: {}, "post", {"admin", "analyst"}),
    "reports:published_list": (lambda w: {}, "get", ALL),
    "reports:published_detail": (lambda w: {"report_id": _published(w).pk}, "get", ALL),
    "tenancy:system_associations": (lambda w: {}, "get", SYSTEM),
    "tenancy:system_association_create": (lambda w: {}, "get", SYSTEM),
    "interventions:system_association_file": (lambda w: {}, "get", SYSTEM),
    "tenancy:password_change": (lambda w: {}, "get", SIGNED_IN),
    "help": (lambda w: {}, "get", OPEN),
    "jobs:list": (lambda w: {}, "get", ALL),  # each member's own jobs
    "jobs:detail": (lambda w: {"job_id": _job(w).pk}, "get", REQUESTER),
    "jobs:status": (lambda w: {"job_id": _job(w).pk}, "get", REQUESTER),
    "jobs:download": (lambda w: {"job_id": _job(w).pk}, "get", REQUESTER),
    # Activities and measures: counts, no personal data, the same in both models; a deltagaransvarig
    # those of the assigned insatser (tests/test_activities.py: another insats's row is a 404).
    "activities:list": (lambda w: {}, "get", {"admin", "analyst", "manager"}),
    "activities:create": (lambda w: {}, "get", {"admin", "analyst", "manager"}),
    "activities:edit": (lambda w: {"pk": _activity(w).pk}, "get", {"admin", "analyst", "manager"}),
    "activities:delete": (lambda w: {"pk": _activity(w).pk}, "post", {"admin", "analyst", "manager"}),
    "activities:import": (lambda w: {}, "get", {"admin", "analyst", "manager"}),
    "activities:measures": (lambda w: {}, "get", {"admin", "analyst", "manager"}),
    "activities:measure_delete": (lambda w: {"pk": _measure_value(w).pk}, "post", {"admin", "analyst", "manager"}),
    "activities:measures_import": (lambda w: {}, "get", {"admin", "analyst", "manager"}),
    # Indicator surveys: no participant-level data, the same in both models. A deltagaransvarig
    # reaches the rounds of the insatser assigned to them (tests/test_surveys_web.py).
    "surveys:round_list": (lambda w: {}, "get", SURVEY_VIEWERS),
    "surveys:round_create": (lambda w: {}, "get", ADMIN),
    "surveys:round_detail": (lambda w: {"round_id": _survey_round(w).pk}, "get", SURVEY_VIEWERS),
    "surveys:round_edit": (lambda w: {"round_id": _survey_round(w, "utkast").pk}, "get", ADMIN),
    "surveys:round_status": (lambda w: {"round_id": _survey_round(w).pk}, "post", SURVEY_RUNNERS),
    "surveys:poster": (lambda w: {"round_id": _survey_round(w).pk}, "get", SURVEY_RUNNERS),
    "surveys:code_slips": (lambda w: {"round_id": _survey_round(w).pk}, "get", SURVEY_RUNNERS),
    "surveys:paper_pdf": (lambda w: {"round_id": _survey_round(w).pk}, "get", SURVEY_RUNNERS),
    "surveys:paper_entry": (lambda w: {"round_id": _survey_round(w).pk}, "get", SURVEY_RUNNERS),
    "surveys:free_text": (lambda w: {"round_id": _survey_round(w).pk}, "get", {"admin", "analyst"}),
    "surveys:question_sets": (lambda w: {}, "get", ADMIN),
    "surveys:survey_file": (lambda w: {}, "get", ADMIN),
    "surveys:answers_import": (lambda w: {}, "get", ADMIN),
    "surveys:answers_export": (lambda w: {}, "get", ADMIN),
    # National figures, the same for every förbund: the systemadministratör's (docs/decisions.md).
    "surveys:national_file": (lambda w: {}, "get", SYSTEM),
    # The respondent's pages: no login; an unknown token is a 404 for everyone.
    "surveys:start": (lambda w: _unknown_survey(), "get", PUBLIC),
    "surveys:question": (lambda w: {**_unknown_survey(), "number": 1}, "get", PUBLIC),
    "surveys:respond_all": (lambda w: _unknown_survey(), "get", PUBLIC),
    "surveys:review": (lambda w: _unknown_survey(), "get", PUBLIC),
    "surveys:thanks": (lambda w: _unknown_survey(), "get", PUBLIC),
    # Finance (issue 13): the förbund's staff enter it; a deltagaransvarig sees the assigned insats's
    # budget and outcome (another insats is a 404: tests/test_finance_pages.py); läsare read
    # published reports only. Not participant-level data: the same in both privacy models.
    "finance:home": (lambda w: {}, "get", {"admin", "analyst", "manager"}),
    "finance:budget": (lambda w: {"year": 2024}, "get", {"admin", "analyst"}),
    "finance:forecast": (lambda w: {"year": 2024}, "get", {"admin", "analyst"}),
    "finance:actuals": (lambda w: {"year": 2024, "month": 3}, "get", {"admin", "analyst"}),
    "finance:import": (lambda w: {"kind": "utfall"}, "get", {"admin", "analyst"}),
    "finance:settings": (lambda w: {}, "get", {"admin", "analyst"}),
    "finance:intervention": (lambda w: {"intervention_slug": w.assigned.slug}, "get", {"admin", "analyst", "manager"}),
    # The plan (issue 14): administratör and analytiker.
    "plans:list": (lambda w: {}, "get", PLANNERS),
    "plans:plan_create": (lambda w: {}, "get", PLANNERS),
    "plans:plan_detail": (lambda w: _tree(w, "plan"), "get", PLANNERS),
    "plans:plan_edit": (lambda w: _tree(w, "plan"), "get", PLANNERS),
    "plans:plan_delete": (lambda w: _tree(w, "plan"), "post", PLANNERS),
    "plans:area_create": (lambda w: _tree(w, "plan"), "get", PLANNERS),
    "plans:area_edit": (lambda w: _tree(w, "area"), "get", PLANNERS),
    "plans:area_delete": (lambda w: _tree(w, "area"), "post", PLANNERS),
    "plans:assessment": (lambda w: _tree(w, "area"), "get", PLANNERS),
    "plans:goal_create": (lambda w: _tree(w, "area"), "get", PLANNERS),
    "plans:goal_edit": (lambda w: _tree(w, "goal"), "get", PLANNERS),
    "plans:goal_delete": (lambda w: _tree(w, "goal"), "post", PLANNERS),
    "plans:indicator_create": (lambda w: _tree(w, "goal"), "get", PLANNERS),
    "plans:indicator_edit": (lambda w: _tree(w, "indicator"), "get", PLANNERS),
    "plans:indicator_delete": (lambda w: _tree(w, "indicator"), "post", PLANNERS),
    "plans:result": (lambda w: _tree(w, "indicator"), "get", PLANNERS),
}


def _survey_round(world, status="oppen"):
    """A round of the deltagaransvarig's insats (the example question set, version 2)."""
    from finsam.surveys.models import Round
    from finsam.surveys.questions import load_question_set
    from tests.conftest import DATA

    if not world.alfa.question_sets.exists():
        load_question_set((DATA / "exempel-fragor-v2.json").read_bytes(), world.alfa)
    return Round.objects.get_or_create(
        association=world.alfa, key=f"matris-{status}", defaults=dict(
            title="Matrisens omgång", question_set=world.alfa.question_sets.get(), respondent_group="deltagare_avslut",
            intervention=world.assigned, date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 12, 31),
            status=status))[0]


def _unknown_survey():
    return {"association_slug": "alfa", "token": "okand-token"}


def _tree(world, level):
    """The url kwargs of a plan of alfa down to ``level`` (created once)."""
    from finsam.plans.models import FocusArea, Indicator, Plan, PlanGoal

    plan = Plan.objects.get_or_create(association=world.alfa, key="vp-2030",
                                      defaults={"name": "VP 2030", "from_year": 2030, "to_year": 2030})[0]
    area = FocusArea.objects.get_or_create(plan=plan, key="omrade", defaults={"name": "Område"})[0]
    goal = PlanGoal.objects.get_or_create(focus_area=area, key="mal", defaults={"name": "Mål"})[0]
    indicator = Indicator.objects.get_or_create(goal=goal, key="i", defaults={"text": "I", "metric": {"source": "manual"}})[0]
    kwargs = {"plan_id": plan.pk, "area_id": area.pk, "goal_id": goal.pk, "indicator_id": indicator.pk}
    keep = {"plan": ["plan_id"], "area": ["plan_id", "area_id"], "goal": ["plan_id", "goal_id"],
            "indicator": ["plan_id", "indicator_id"]}[level]
    return {k: kwargs[k] for k in keep}


def _p(world):
    return {"intervention_slug": world.assigned.slug, "pk": world.participation.pk}


ROLES = ["admin", "analyst", "manager", "reader", "outsider", "sysadmin", "nobody"]


def _published(world):
    from finsam.reports.publishing import publish_report

    existing = world.alfa.published_reports.first()
    return existing or publish_report(world.alfa, date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 12, 31),
                                      interventions=[], title="Årsrapport 2024", user=world.users["analyst"])


# A valid POST for routes that answer an invalid one with the form again.
POST_DATA = {
    "reports:publish": lambda w: {"title": "Halvår 2024", "date_from": "2024-01-01", "date_to": "2024-06-30"},
}


def _job(world):
    """A finished participant export of the deltagaransvarig, with its file."""
    from finsam.jobs.models import Job, State

    job = Job.objects.filter(association=world.alfa, requested_by=world.users["manager"]).first()
    if job is None:
        job = Job.objects.create(association=world.alfa, kind="participant_export", requested_by=world.users["manager"],
                                 state=State.DONE, parameters={"format": "csv", "exported_insatser": [world.assigned.pk]})
        job.save_result("deltagare-alfa.csv", "text/csv", b"A-1\r\n", rows=1)
        job.save()
    return job


def _consent(world):
    from finsam.participants.consent import create_request

    return create_request(world.assigned, world.users["admin"])[0]


def _url(world, name, kwargs):
    if ROUTES[name][2] in (SYSTEM, PUBLIC, SIGNED_IN, OPEN):
        return reverse(name, kwargs=kwargs)
    return reverse(name, kwargs={"association_slug": world.alfa.slug, **kwargs})


def _expected(name, role, model=MEMBERS):
    allowed = ROUTES[name][2]
    if isinstance(allowed, dict):
        allowed = allowed[model]
    if allowed == PUBLIC:
        return 404
    if allowed == REQUESTER:
        return 200 if role == "manager" else 404
    if allowed in (SIGNED_IN, OPEN):
        return 200
    if allowed == SYSTEM:
        return 200 if role == "sysadmin" else 404
    if role in allowed:
        return 302 if ROUTES[name][1] == "post" else 200
    if role in ALL:
        return 403
    return 404  # outsider, system admin without a role, user without roles


def test_every_route_is_in_the_matrix():
    named = set()
    for ns in get_resolver().namespace_dict:  # every app's namespace: a new app cannot be forgotten here
        resolver = get_resolver().namespace_dict[ns][1]
        named |= {f"{ns}:{p.name}" for p in resolver.url_patterns}
    namespaced = {n for n in ROUTES if ":" in n}
    assert named == namespaced, f"Routes without access expectations: {named - namespaced}"


def set_model(world, model):
    set_privacy_model(world.alfa, model)


@pytest.fixture(params=[MEMBERS, ASSOCIATION])
def model(request, world):
    set_model(world, request.param)
    return request.param


def test_the_default_model_is_the_members_one(world):
    assert world.alfa.privacy_model == MEMBERS


@pytest.mark.parametrize("name", sorted(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(world, model, client, name, role):
    builder, method, _ = ROUTES[name]
    client.force_login(world.users[role])
    url = _url(world, name, builder(world))
    data = POST_DATA[name](world) if name in POST_DATA else {}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == _expected(name, role, model), url


@pytest.mark.parametrize("name", sorted(n for n in ROUTES if ROUTES[n][2] not in (PUBLIC, OPEN)))
def test_anonymous_is_sent_to_login(world, client, name):
    builder, method, _ = ROUTES[name]
    response = getattr(client, method)(_url(world, name, builder(world)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unknown_association_is_404(world, login):
    assert login(world.users["admin"]).get("/finns-inte/").status_code == 404


@pytest.mark.parametrize("role", ["admin", "analyst", "reader", "manager"])
def test_another_associations_objects_are_404(world, model, login, role):
    client = login(world.users[role])
    slug = world.alfa.slug
    assert client.get(reverse("interventions:detail", args=[slug, world.beta_intervention.slug])).status_code == 404
    if role == "admin":
        assert client.get(reverse("interventions:edit", args=[slug, world.beta_intervention.slug])).status_code == 404
        assert client.get(reverse("tenancy:member_edit", args=[slug, world.beta_member.pk])).status_code == 404
        assert client.post(reverse("tenancy:member_delete", args=[slug, world.beta_member.pk])).status_code == 404
        assert client.get(reverse("tenancy:user_edit", args=[slug, world.users["outsider"].pk])).status_code == 404


@pytest.mark.parametrize("name", ["list", "create", "volumes"])
def test_manager_cannot_reach_participants_of_unassigned_interventions(world, login, name):
    client = login(world.users["manager"])
    assert client.get(reverse(f"participants:{name}", args=["alfa", world.unassigned.slug])).status_code == 404


@pytest.mark.parametrize("name", ["detail", "edit", "exit"])
def test_participations_outside_reach_are_404(world, login, name):
    manager = login(world.users["manager"])
    other = world.unassigned_participation
    assert manager.get(reverse(f"participants:{name}", args=["alfa", other.intervention.slug, other.pk])).status_code == 404
    # Another förbund's participation, even under this förbund's own insats and URL.
    set_model(world, ASSOCIATION)
    admin = login(world.users["admin"])
    beta = world.beta_participation
    assert admin.get(reverse(f"participants:{name}", args=["alfa", world.assigned.slug, beta.pk])).status_code == 404
    assert admin.get(reverse(f"participants:{name}", args=["alfa", beta.intervention.slug, beta.pk])).status_code == 404


def test_manager_reaches_only_assigned_interventions(world, login):
    client = login(world.users["manager"])
    detail = reverse("interventions:detail", args=[world.alfa.slug, world.unassigned.slug])
    assert client.get(detail).status_code == 404
    listing = client.get(reverse("interventions:list", args=[world.alfa.slug])).content.decode()
    assert world.assigned.name in listing
    assert world.unassigned.name not in listing


def test_inactive_user_is_logged_out(world, login):
    client = login(world.users["admin"])
    world.users["admin"].is_active = False
    world.users["admin"].save()
    response = client.get(reverse("reports:overview", args=[world.alfa.slug]))
    assert response.status_code == 302


# --- the privacy models (issue 10) ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["list", "create", "detail", "edit"])
def test_an_admin_who_is_also_deltagaransvarig_sees_only_the_assigned_insats_under_members(world, login, name):
    admin = world.users["admin"]
    RoleAssignment.objects.create(user=admin, association=world.alfa, role=Role.PARTICIPANT_MANAGER)
    world.assigned.assigned_users.add(admin)
    client = login(admin)

    def url(intervention, participation):
        args = ["alfa", intervention.slug] + ([participation.pk] if name in ("detail", "edit") else [])
        return reverse(f"participants:{name}", args=args)

    assert client.get(url(world.assigned, world.participation)).status_code == 200
    assert client.get(url(world.unassigned, world.unassigned_participation)).status_code == 404
    set_model(world, ASSOCIATION)
    assert client.get(url(world.unassigned, world.unassigned_participation)).status_code == 200


def _exported_references(client):
    response = client.get(reverse("participants:export", args=["alfa"]) + "?format=csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_a_deltagaransvarig_exports_the_rows_of_own_insatser_only(world, model, login):
    content = _exported_references(login(world.users["manager"]))
    assert "A-1" in content and "T-1" not in content and "B-1" not in content
    # Even when naming another insats.
    response = login(world.users["manager"]).get(
        reverse("participants:export", args=["alfa"]) + f"?format=csv&insats={world.unassigned.slug}")
    assert "T-1" not in b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_the_foerbund_staff_exports_every_insats_when_the_foerbund_is_responsible(world, login, role):
    set_model(world, ASSOCIATION)
    content = _exported_references(login(world.users[role]))
    assert "A-1" in content and "T-1" in content and "B-1" not in content


PAGES_WITH_LINKS = [
    ("reports:overview", lambda w: []),
    ("interventions:list", lambda w: []),
    ("interventions:detail", lambda w: [w.assigned.slug]),
    ("interventions:detail", lambda w: [w.unassigned.slug]),
]


@pytest.mark.parametrize("role", ["admin", "analyst", "manager", "reader"])
def test_no_participant_link_is_offered_that_would_be_refused(world, model, login, role):
    """Menus and pages offer a participant route only to users who get it (a 403 or 404 behind a
    link is a broken promise), in both models."""
    client = login(world.users[role])
    offered = set()
    for name, args in PAGES_WITH_LINKS:
        page = client.get(reverse(name, args=["alfa", *args(world)]))
        if page.status_code != 200:
            continue
        for href in re.findall(r'href="([^"#?]+)', page.content.decode()):
            try:
                match = resolve(href)
            except Resolver404:
                continue
            if match.namespace == "participants":
                offered.add(href)
    for href in offered:
        assert client.get(href).status_code == 200, (role, model, href)
    if role == "admin" and model == MEMBERS:
        # Reports yes, participant rows no (volume counts are counts, not persons).
        assert {h for h in offered if resolve(h).url_name != "volumes"} == set(), offered
    if role == "manager":
        assert reverse("participants:list", args=["alfa", world.assigned.slug]) in offered
        assert reverse("participants:extract", args=["alfa"]) in offered


def test_the_admin_under_members_sees_reports_but_no_participant_list_or_import_link(world, login):
    client = login(world.users["admin"])
    assert client.get(reverse("reports:report", args=["alfa"])).status_code == 200
    page = client.get(reverse("interventions:detail", args=["alfa", world.assigned.slug])).content.decode()
    assert reverse("participants:list", args=["alfa", world.assigned.slug]) not in page
    assert reverse("participants:import", args=["alfa"]) not in page
    assert client.get(reverse("participants:list", args=["alfa", world.assigned.slug])).status_code == 403


def _activity(world):
    """An activity of the deltagaransvarig's insats."""
    from finsam.activities.models import Activity

    return Activity.objects.get_or_create(association=world.alfa, intervention=world.assigned, kind="seminarium",
                                          title="Seminarium", date=datetime.date(2024, 3, 1),
                                          defaults={"format": "digitalt", "attendees": 12})[0]


def _measure_value(world):
    from finsam.activities.models import MeasureValue

    return MeasureValue.objects.get_or_create(association=world.alfa, intervention=world.assigned,
                                              measure="webb_besok", start=datetime.date(2024, 1, 1),
                                              end=datetime.date(2024, 6, 30), defaults={"value": 100})[0]
