"""The report cache (statistics/cache.py): a cached report is the computed one, and every kind of
write to what the engine counts makes the next report a fresh computation."""

import datetime

import pytest

from finsam.interventions.models import TargetGroup
from finsam.participants import services
from finsam.participants.models import Participation, VolumeCount
from finsam.plans.legacy import write_goal
from finsam.plans.models import Indicator
from finsam.statistics.cache import cached_report
from finsam.statistics.engine import compute_report
from finsam.tenancy.models import Member, RoleAssignment, data_version
from tests.conftest import DATA

D = datetime.date
YEAR = (D(2024, 1, 1), D(2024, 12, 31))


def figures(report):
    return [table.to_json() for table in report.tables]


def test_second_report_comes_from_the_cache(exempelstad):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = cached_report(exempelstad, *YEAR)
    with CaptureQueriesContext(connection) as queries:
        second = cached_report(exempelstad, *YEAR)
    read = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(read) == 1 and "tenancy_dataversion" in read[0]  # the data version only
    assert figures(second) == figures(first) == figures(compute_report(exempelstad, *YEAR))


def test_parameters_are_part_of_the_key(exempelstad):
    slug = exempelstad.interventions.order_by("slug").first().slug
    for args, kwargs in [(YEAR, {}), (YEAR, {"publish": True}), ((D(2024, 1, 1), D(2024, 6, 30)), {}),
                         (YEAR, {"interventions": [slug]})]:
        cached = cached_report(exempelstad, *args, **kwargs)
        assert figures(cached) == figures(compute_report(exempelstad, *args, **kwargs))


def _import_changed_file(association, admin):
    from finsam.participants.importing import import_file

    data = (DATA / "exempel-deltagare.csv").read_bytes().decode("utf-8-sig")
    lines = data.splitlines()
    header = lines[0].split(";")
    number = next(n for n, line in enumerate(lines) if line.split(";")[header.index("startdatum")].startswith("2024"))
    cells = lines[number].split(";")
    cells[header.index("anmalande_part")] = "annan" if cells[header.index("anmalande_part")] != "annan" else "fk"
    lines[number] = ";".join(cells)
    summary = import_file("\n".join(lines).encode("utf-8"), "ändrad.csv", association=association, user=admin,
                          interventions=association.interventions.all(), today=D(2026, 11, 23))
    assert summary.updated == 1


def _save_form_row(association, admin):
    from finsam.participants.importing import RowContext, Validation, participation_row

    participation = Participation.objects.filter(association=association, anonymous=False,
                                                 start_date__year=2024).first()
    raw = participation_row(participation)
    raw["kon"] = "man" if participation.gender != "man" else "kvinna"
    result = Validation()
    row = RowContext(association, [participation.intervention], D(2026, 11, 23)).clean_row(
        0, raw, result, known_identity=participation)
    assert not result.errors
    services.save_participation(participation, row, user=admin, expected_version=participation.version)


def _register(association, admin):
    from finsam.participants.importing import RowContext, Validation

    intervention = association.interventions.order_by("name").first()
    raw = {"insats": intervention.slug, "referens": "NY-1", "anonym": "ja", "kon": "kvinna",
           "startdatum": D(2024, 5, 1)}
    result = Validation()
    row = RowContext(association, [intervention], D(2026, 11, 23)).clean_row(0, raw, result)
    assert not result.errors
    services.save_participation(Participation(association=association, intervention=intervention), row, user=admin)


CHANGES = {
    "registration": _register,
    "import": _import_changed_file,
    "form": _save_form_row,
    "anonymise": lambda a, admin: services.anonymise(
        Participation.objects.filter(association=a, anonymous=False, start_date__year=2024)[:10], user=admin),
    "deidentify": lambda a, admin: services.deidentify(
        Participation.objects.filter(association=a, end_date__year=2024), now=datetime.datetime.now(datetime.UTC)),
    "goal": lambda a, admin: write_goal(a.interventions.first(), 2024, "new_count", 999),
    "goal deleted": lambda a, admin: Indicator.objects.filter(goal__focus_area__plan__association=a,
                                                              goal__intervention__isnull=False).delete(),
    "insats renamed": lambda a, admin: _rename_first(a),
    "member": lambda a, admin: Member.objects.create(association=a, kind="kommun", municipality_code="0114",
                                                     name="Upplands Väsby kommun"),
    "target group": lambda a, admin: TargetGroup.objects.create(association=a, code="egen_grupp", label="Egen grupp"),
    "volume": lambda a, admin: VolumeCount.objects.create(
        association=a, intervention=a.interventions.first(), period_start=D(2024, 3, 1), period_end=D(2024, 3, 31),
        women=7, men=5, other=0),
    "settings": lambda a, admin: _set_threshold(a),
    "participation saved directly": lambda a, admin: _direct_save(a),
    "marked felregistrering": lambda a, admin: _correct(a, admin, "mark_mistaken"),
    "exit reopened": lambda a, admin: _correct(a, admin, "reopen"),
    "deleted": lambda a, admin: _correct(a, admin, "delete"),
}


def _correct(association, admin, correction):
    """The corrections of issue 10 (services.mark_mistaken, reopen, delete_participation)."""
    exited = Participation.objects.filter(association=association, end_date__year=2024)
    if correction == "delete":
        participation = exited.filter(anonymous=True).first()
        services.delete_participation(participation, expected_version=participation.version)
        return
    participation = exited.filter(anonymous=False).exclude(exit_reason="felregistrering").first()
    getattr(services, correction)(participation, user=admin, expected_version=participation.version)


def _rename_first(association):
    intervention = association.interventions.order_by("name").first()
    intervention.name = "Ett helt nytt namn"
    intervention.save()


def _set_threshold(association):
    association.masking_threshold = 9
    association.save()


def _direct_save(association):
    participation = Participation.objects.filter(association=association, end_date__isnull=True, anonymous=False,
                                                 start_date__year=2024).first()
    participation.end_date, participation.exit_reason = D(2024, 12, 31), "arbete"
    participation.save()


@pytest.mark.parametrize("change", CHANGES)
def test_every_write_invalidates(exempelstad, change):
    association = exempelstad
    admin = RoleAssignment.objects.filter(association=association).first().user
    before_version = data_version(association.pk).key()
    before = {publish: figures(cached_report(association, *YEAR, publish=publish)) for publish in (False, True)}
    CHANGES[change](association, admin)
    association.refresh_from_db()
    assert data_version(association.pk).key() != before_version
    for publish in (False, True):
        after = figures(cached_report(association, *YEAR, publish=publish))
        assert after == figures(compute_report(association, *YEAR, publish=publish))
    if change != "deidentify":  # retention keeps every figure by design (test_retention.py)
        assert before != {p: figures(cached_report(association, *YEAR, publish=p)) for p in (False, True)}


def test_other_associations_keep_their_entries(world):
    cached_report(world.beta, *YEAR)
    beta_version = data_version(world.beta.pk).key()
    write_goal(world.assigned, 2024, "new_count", 3)
    assert data_version(world.beta.pk).key() == beta_version


def test_the_page_shows_new_data_at_once(world, login):
    from tests.conftest import make_participation

    client = login(world.users["analyst"])
    url = "/alfa/rapporter/?period=custom&date_from=2024-01-01&date_to=2024-12-31"

    def new_participations():
        html = client.get(url).content.decode()
        flow = html[html.index('id="t-flow"'):html.index('id="t-unique"')]
        return flow[flow.index("Totalt"):].split("</tr>")[0]

    before = new_participations()
    assert before == new_participations()  # served from the caches
    make_participation(world.assigned, "A-2", personnummer="19850314-1239", start_date=D(2024, 3, 1))
    assert new_participations() != before
