"""Scope (tenancy/scope.py): a förbund's rows are read only inside its scope, and never another's.

Test bodies run with scoping disabled (conftest.py); the tests here switch it back on with
``no_scope()``, as every request does, to prove what production does.
"""

import ast
import datetime
import tokenize
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path
from django_scopes import ScopeError, scopes_disabled

from finsam.activities.models import Activity, ActivityKind, MeasureDefinition, MeasureValue
from finsam.audit.models import AccessLog
from finsam.finance.models import Actual, BudgetLine, BudgetSet, FinanceSettings
from finsam.interventions.models import Intervention, TargetGroup
from finsam.jobs.models import Job
from finsam.participants.models import (
    ConsentRequest, ConsentText, Participation, ParticipationChange, SupportRecord, TargetGroupRecord, VolumeCount,
)
from finsam.plans.legacy import write_goal
from finsam.reports.models import PublishedReport
from finsam.statistics.engine import Context
from finsam.tenancy.models import Association, Member, mark_data_changed
from finsam.tenancy.permissions import Access, association_view
from finsam.tenancy.scope import RequestScopeMiddleware, Scope, no_scope

SOURCE = Path(__file__).resolve().parents[1] / "src" / "finsam"

# Models with a path to Association whose default manager is not scoped, and why.
UNSCOPED_ALLOWED = {
    # The tenant itself: it is looked up (by slug, by role) before any scope can be chosen.
    "tenancy.Association": "the förbund itself",
    # Django's table behind Intervention.assigned_users: reached only through Intervention (scoped)
    # and User (no förbund's data), never queried on its own.
    "interventions.Intervention_assigned_users": "many-to-many table of insats and user",
}

# Every use of scopes_disabled / with_scopes_disabled in src/finsam, per file: each looks across
# every förbund on purpose. A new one fails here until it is argued for and added.
SCOPES_DISABLED_ALLOWED = {
    # The participant's consent page has no login: the secret token names the förbund.
    "participants/consent.py": 1,
    # The worker serves every förbund: it finds queued, stale and expired jobs across all of them
    # (each job then runs inside its own förbund's scope).
    "jobs/runner.py": 1,
}


def path_to_association(model, seen=()):
    """The lookup from ``model`` to Association along forward foreign keys, or None."""
    if model is Association:
        return ""
    for field in model._meta.get_fields():
        if field.many_to_one or (field.one_to_one and field.concrete):
            target = field.related_model
            if target in seen or target is model:
                continue
            rest = path_to_association(target, seen + (model,))
            if rest is not None:
                return field.name + (f"__{rest}" if rest else "")
    return None


def tenant_models():
    return [m for m in apps.get_models(include_auto_created=True)
            if path_to_association(m) is not None and m._meta.label not in UNSCOPED_ALLOWED]


def test_every_tenant_model_has_a_scoped_default_manager(world):
    unscoped = []
    with no_scope():
        for model in tenant_models():
            try:
                model._default_manager.count()
            except ScopeError:
                continue
            unscoped.append(model._meta.label)
    assert unscoped == [], (
        f"Tenant-owned models without a scoped default manager: {unscoped}. Give each "
        "objects = scoped(\"path__to__association\") (tenancy/scope.py), or argue for it in UNSCOPED_ALLOWED.")
    assert {m._meta.label for m in apps.get_models(include_auto_created=True)} >= set(UNSCOPED_ALLOWED)


def test_the_completeness_test_sees_the_known_tenant_models():
    labels = {m._meta.label for m in tenant_models()}
    assert labels >= {
        "tenancy.Member", "tenancy.RoleAssignment", "tenancy.DataVersion", "interventions.TargetGroup",
        "interventions.Intervention", "participants.Participation", "participants.SupportRecord",
        "participants.TargetGroupRecord", "participants.ParticipationChange", "participants.VolumeCount",
        "participants.ConsentRequest", "participants.ConsentText", "audit.AccessLog", "reports.PublishedReport",
    }


def test_a_queryset_method_of_the_model_raises_scope_error_too(world):
    access = Access(world.users["admin"], world.alfa, frozenset())
    with no_scope():
        with pytest.raises(ScopeError):
            Intervention.objects.visible_to(access)
        with pytest.raises(ScopeError):
            list(AccessLog.objects.all())


def test_write_once_rows_stay_write_once_in_and_out_of_scope(world):
    from finsam.audit.models import AppendOnlyError
    from finsam.audit.log import log_access

    log_access(world.users["admin"], world.alfa, "view")
    with no_scope(), Scope.of(world.alfa).activate():
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.all().delete()
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.filter(action="view").update(action="x")
    with pytest.raises(AppendOnlyError):  # scoping disabled
        AccessLog.objects.all().delete()


def _one_of_each(world):
    """At least one row of every scoped model in both förbund."""
    admin = world.users["admin"]
    for association, intervention, participation in ((world.alfa, world.assigned, world.participation),
                                                     (world.beta, world.beta_intervention, world.beta_participation)):
        TargetGroup.objects.create(association=association, code=f"egen_{association.slug}", label="Egen")
        write_goal(intervention, 2024, "new_count", 10)  # an insats goal: indicators of the plan
        SupportRecord.objects.create(participation=participation, phase="entry", code="ingen")
        TargetGroupRecord.objects.create(participation=participation, code="unga")
        ParticipationChange.objects.create(participation=participation, action="created")
        VolumeCount.objects.create(association=association, intervention=intervention, period_start=datetime.date(2024, 1, 1),
                                   period_end=datetime.date(2024, 1, 31), women=1)
        ConsentRequest.objects.create(association=association, intervention=intervention, token_hash=association.slug * 8,
                                      text_version="1", created_by=admin, expires_at=datetime.datetime(2030, 1, 1,
                                                                                                       tzinfo=datetime.UTC))
        ConsentText.objects.create(association=association, version="1", text="Text")
        AccessLog.objects.create(association=association, action="view")
        PublishedReport.objects.create(association=association, title="R", date_from=datetime.date(2024, 1, 1),
                                       date_to=datetime.date(2024, 12, 31), threshold=5, content={}, published_by=admin)
        Job.objects.create(association=association, kind="participant_import", requested_by=admin)
        budget_set = BudgetSet.objects.create(association=association, year=2024, type="budget")
        BudgetLine.objects.create(budget_set=budget_set, post="styrelse", amount=Decimal("100.50"))
        Actual.objects.create(association=association, year=2024, month=1, post="styrelse", amount=Decimal("99.25"))
        FinanceSettings.objects.create(association=association)
        ActivityKind.objects.create(association=association, code="egen_typ", label="Egen typ")
        MeasureDefinition.objects.create(association=association, code="eget_matt", label="Eget mått", aggregation="summa")
        Activity.objects.create(association=association, intervention=intervention, kind="seminarium", title="S",
                                date=datetime.date(2024, 3, 1), format="digitalt", attendees=10)
        MeasureValue.objects.create(association=association, measure="webb_besok", start=datetime.date(2024, 1, 1),
                                    end=datetime.date(2024, 6, 30), value=100)
        _surveys_of(association, intervention)
        _plan_rows(association, intervention)


def _surveys_of(association, intervention):
    """A row of every model of the surveys app in ``association``."""
    from finsam.surveys import models as s

    qs = s.QuestionSet.objects.create(association=association, key="set", version=1, source="egen", title="T")
    s.RespondentGroup.objects.create(association=association, code="egen", label="Egen")
    indicator = s.Indicator.objects.create(association=association, set_key="set", code="E1", name="E", level="personal")
    scale = s.Scale.objects.create(association=association, question_set=qs, key="ja_nej", steps=[])
    question = s.Question.objects.create(association=association, question_set=qs, position=1, key="q1",
                                         indicator=indicator, groups=["styrelse"], scale=scale, text={"sv": "?"})
    rnd = s.Round.objects.create(association=association, key="r", title="R", question_set=qs,
                                 respondent_group="styrelse", intervention=intervention,
                                 date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 1, 31))
    s.SurveyCode.objects.create(association=association, round=rnd, code_hash=association.slug)
    response = s.Response.objects.create(association=association, round=rnd, channel="webb", language="sv",
                                         date=datetime.date(2024, 1, 2))
    s.Answer.objects.create(association=association, response=response, question=question, step="ja")
    s.ImportId.objects.create(association=association, round=rnd, key_hash="x", response=response)
    s.SurveyGoal.objects.create(association=association, position=1, year=2024, question_key="q1", target="0.8")


def _plan_rows(association, intervention):
    from finsam.plans.models import Assessment, FocusArea, Indicator, Plan, PlanGoal

    plan = Plan.objects.create(association=association, key="vp-2030", name="VP", from_year=2030, to_year=2030)
    area = FocusArea.objects.create(plan=plan, key="omrade", name="Område")
    Assessment.objects.create(focus_area=area, year=2030, grade="god")
    goal = PlanGoal.objects.create(focus_area=area, key="mal", name="Mål", intervention=intervention)
    Indicator.objects.create(goal=goal, key="i", text="I", metric={"source": "manual"})


@pytest.mark.parametrize("label", sorted(m._meta.label for m in tenant_models()))
def test_a_forbunds_scope_returns_its_rows_and_never_anothers(world, label):
    _one_of_each(world)
    model = apps.get_model(label)
    lookup = path_to_association(model)
    every = {a: set(model._default_manager.filter(**{lookup: a}).values_list("pk", flat=True))
             for a in (world.alfa, world.beta)}
    assert every[world.alfa] and every[world.beta], f"add a row of {label} for both förbund to _one_of_each"
    with no_scope():
        for association in (world.alfa, world.beta):
            with Scope.of(association).activate():
                assert set(model._default_manager.values_list("pk", flat=True)) == every[association]
        with Scope.national([world.alfa, world.beta]).activate():
            assert set(model._default_manager.values_list("pk", flat=True)) == every[world.alfa] | every[world.beta]
        with pytest.raises(ScopeError):
            model._default_manager.count()


def test_a_scope_inside_another_may_only_narrow_it(world):
    with no_scope():
        with Scope.national([world.alfa, world.beta]).activate(), Scope.of(world.alfa).activate():
            assert list(Member.objects.values_list("association", flat=True)) == [world.alfa.pk]
        with Scope.of(world.alfa).activate():
            with pytest.raises(ScopeError):
                Scope.of(world.beta).activate()
            with pytest.raises(ScopeError):
                mark_data_changed(world.beta.pk)  # no way round it through the data version either
            with pytest.raises(ScopeError):  # the engine refuses to count a scope that is not active
                Context(Scope.of(world.beta), datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
        with pytest.raises(ScopeError):
            Context(Scope.of(world.alfa), datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    with pytest.raises(ValueError):
        Scope.of(Association(slug="ny"))  # no id: would mean every förbund


def test_scope_inside_scopes_disabled_switches_scoping_back_on(world):
    with scopes_disabled():
        assert Participation.objects.count() == 3
        with Scope.of(world.beta).activate():
            assert list(Participation.objects.all()) == [world.beta_participation]


# --- requests run under the real scope, whatever the test body has ----------------------------------

def unscoped_view(request):
    return HttpResponse(str(Participation.objects.count()))


@association_view()
def scoped_view(request):
    return HttpResponse(",".join(Participation.objects.order_by("reference").values_list("reference", flat=True)))


urlpatterns = [path("utan-scope/", unscoped_view), path("<slug:association_slug>/med-scope/", scoped_view)]


@pytest.mark.urls(__name__)
def test_a_view_querying_outside_a_scope_raises_even_in_a_test(world, login):
    client = login(world.users["admin"])
    with pytest.raises(ScopeError):
        client.get("/utan-scope/")
    assert client.get("/alfa/med-scope/").content == b"A-1,T-1"  # every förbund's rows exist in the test


def test_the_middleware_starts_every_request_without_a_scope(world):
    middleware = RequestScopeMiddleware(lambda request: unscoped_view(request))
    with pytest.raises(ScopeError):
        middleware(RequestFactory().get("/"))


def test_the_streamed_export_reads_inside_the_scope_while_it_is_sent(foerbund_responsible, login):
    response = login(foerbund_responsible.users["admin"]).get("/alfa/deltagare/export/?format=csv")
    with no_scope():  # the server reads the body after the view (and its scope) has returned
        content = b"".join(response.streaming_content).decode("utf-8")
    assert "A-1" in content and "T-1" in content and "B-1" not in content


@pytest.mark.parametrize("command, args", [
    ("report", {"association": "alfa", "date_from": "2024-01-01", "date_to": "2024-12-31"}),
    ("export_association", {"slug": "alfa"}),
    ("retention", {"today": "2040-01-01"}),
    ("retention", {"association": "beta", "dry_run": True}),
    ("setup_association", {"file": str(Path(__file__).parent / "data" / "exempel-forbund.json")}),
    ("demo", {}),
    ("generate_data", {"associations": 2, "participations": 20}),
])
def test_commands_run_in_the_scope_of_their_forbund(world, command, args, capsys):
    kwargs = dict(args)
    positional = [kwargs.pop(name) for name in ("slug", "file") if name in kwargs]
    with no_scope():
        call_command(command, *positional, **kwargs)
    assert capsys.readouterr().out


def _names_used(source, names):
    """How often the code of ``source`` (not its comments, strings or imports) names one of ``names``."""
    count = 0
    with source.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type == tokenize.NAME and token.string in names and not token.line.lstrip().startswith(
                    ("from ", "import ")):
                count += 1
    return count


def test_scopes_disabled_is_used_only_where_allowed():
    uses = {}
    for source in SOURCE.rglob("*.py"):
        count = _names_used(source, {"scopes_disabled", "with_scopes_disabled"})
        if count:
            uses[source.relative_to(SOURCE).as_posix()] = count
    assert uses == SCOPES_DISABLED_ALLOWED, (
        "scopes_disabled() looks across every förbund: use a Scope, or argue for the use in SCOPES_DISABLED_ALLOWED.")


def _imports_from_django_scopes(source):
    """The names ``source`` takes from django-scopes (``*`` for the module itself)."""
    names = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django_scopes"):
            names |= {alias.name for alias in node.names}
            if node.module in ("django_scopes.state", "django_scopes.manager"):
                names.add("*")  # its internals
        elif isinstance(node, ast.Import) and any(a.name.startswith("django_scopes") for a in node.names):
            names.add("*")
    return names


def test_only_the_scope_module_activates_django_scopes_directly():
    # django-scopes' own scope() and with_scope() would let a piece of work widen its scope or
    # pass association=None (every förbund); Scope.activate() only narrows.
    direct = [source.relative_to(SOURCE).as_posix() for source in SOURCE.rglob("*.py")
              if _imports_from_django_scopes(source) & {"scope", "with_scope", "state", "*"}]
    assert direct == ["tenancy/scope.py"]

