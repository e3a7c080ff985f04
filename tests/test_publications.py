"""Published reports: frozen, masked once against every earlier publication, the board's only view."""

import datetime
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from finsam.participants.models import Participation
from finsam.reports.models import ImmutableError, PublishedReport
from finsam.reports.publishing import PublishError, publish_report
from finsam.statistics.engine import compute_report
from finsam.tenancy.models import Role, RoleAssignment, User
from tests.test_masking import assert_safe, determined_by, reader_relations, value

D = datetime.date
YEAR = (D(2024, 1, 1), D(2024, 12, 31))


@pytest.fixture
def people(exempelstad):
    made = {}
    for role in (Role.ANALYST, Role.READER):
        made[role] = User.objects.create_user(f"{role}@exempelstad.se")
        RoleAssignment.objects.create(user=made[role], association=exempelstad, role=role)
    return made


def publish(association, user, period=YEAR, interventions=(), title="Årsredovisning 2024", **kwargs):
    return publish_report(association, date_from=period[0], date_to=period[1], interventions=list(interventions),
                          title=title, user=user, **kwargs)


@pytest.fixture
def publish_now(settings, tmp_path, django_capture_on_commit_callbacks):
    """Posts the publish form and runs its background job once the request commits, as the worker
    would (tests/test_publish_job.py tests the job page itself): ``publish_now(client, data)``."""
    settings.FINSAM_JOBS_SYNC = True
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"

    def post(client, data, slug="exempelstad"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("reports:publish", args=[slug]), data)

    return post


def test_analyst_publishes_and_the_board_reads_the_frozen_masked_report(exempelstad, people, client, publish_now):
    from finsam.jobs.models import Job

    client.force_login(people[Role.ANALYST])
    response = publish_now(client, {"title": "Årsredovisning 2024", "date_from": "2024-01-01",
                                    "date_to": "2024-12-31"})
    published = PublishedReport.objects.get()
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=["exempelstad", job.pk])
    assert job.parameters["published_id"] == published.pk
    detail = reverse("reports:published_detail", args=["exempelstad", published.pk])
    assert f'href="{detail}">Visa den publicerade rapporten</a>' in client.get(response.url).content.decode()
    assert published.published_by == people[Role.ANALYST] and published.threshold == 5
    client.force_login(people[Role.READER])
    publish(exempelstad, people[Role.ANALYST], interventions=["novum"], title="Novum 2024")
    listing = client.get(reverse("reports:published_list", args=["exempelstad"])).content.decode()
    assert "Årsredovisning 2024" in listing and "Hela förbundet" in listing
    assert "<td>Novum</td>" in listing  # the insats by name
    url = reverse("reports:published_detail", args=["exempelstad", published.pk])
    page = client.get(url).content.decode()
    assert "dolt för att skydda enskilda" in page
    data = json.loads(client.get(url + "?format=json").content)
    assert data["publication"] == {"masked": True, "threshold": 5}
    exit_reason = next(t for t in data["tables"] if t["id"] == "exit_reason")
    assert exit_reason["cells"]["arbete"]["man"] is None
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    assert workbook.sheetnames[0] == "Om rapporten"
    assert client.get(url + "?format=exe").status_code == 404
    # what the board sees is safe on its own
    assert_safe(compute_report(exempelstad, *YEAR), published.report(), 5)


def test_a_publication_never_changes(exempelstad, people):
    published = publish(exempelstad, people[Role.ANALYST])
    before = published.report().to_json()
    Participation.objects.filter(association=exempelstad).delete()
    exempelstad.name = "Nytt namn"
    exempelstad.save()
    after = PublishedReport.objects.get(pk=published.pk).report().to_json()
    assert after["tables"] == before["tables"] and after["association"]["name"] == "Samordningsförbundet Exempelstad"
    with pytest.raises(ImmutableError):
        published.save()
    with pytest.raises(ImmutableError):
        PublishedReport.objects.filter(pk=published.pk).update(title="x")
    with pytest.raises(ImmutableError):
        published.delete()
    # the stored document holds no hidden value: masked cells are null in it
    content = PublishedReport.objects.get(pk=published.pk).content
    flow = next(t for t in content["tables"] if t["id"] == "flow")
    assert all(flow["cells"][r][c] is None for r, c in flow["masked"])


def test_a_correction_is_a_new_publication_that_says_what_it_replaces(exempelstad, people, client):
    first = publish(exempelstad, people[Role.ANALYST])
    with pytest.raises(PublishError):
        publish(exempelstad, people[Role.ANALYST], replaces=first, correction=" ")
    second = publish(exempelstad, people[Role.ANALYST], title="Årsredovisning 2024 (rättad)", replaces=first,
                     correction="Två avslut var registrerade med fel datum.")
    assert second.replaces == first and first.replacement == second
    with pytest.raises(PublishError):  # a replaced report cannot be replaced again
        publish(exempelstad, people[Role.ANALYST], replaces=first, correction="igen")
    client.force_login(people[Role.READER])
    page = client.get(reverse("reports:published_detail", args=["exempelstad", first.pk])).content.decode()
    assert "ersatt av" in page and "Årsredovisning 2024 (rättad)" in page
    page = client.get(reverse("reports:published_detail", args=["exempelstad", second.pk])).content.decode()
    assert "Två avslut var registrerade med fel datum." in page


def test_another_associations_publication_is_404(world, login):
    from tests.test_access_matrix import _published

    published = _published(world)
    client = login(world.users["outsider"])  # admin of beta
    assert client.get(reverse("reports:published_detail", args=["beta", published.pk])).status_code == 404
    assert client.get(reverse("reports:published_detail", args=["alfa", published.pk])).status_code == 404
    reader = login(world.users["reader"])
    assert reader.get(reverse("reports:published_detail", args=["alfa", 10 ** 30])).status_code == 404


def test_publish_form_errors_are_shown_in_swedish(exempelstad, people, client):
    client.force_login(people[Role.ANALYST])
    response = client.post(reverse("reports:publish", args=["exempelstad"]), {"title": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "period eller insatser saknas" in page
    # a period that ends before it begins: its error is on a hidden field, so the summary says it
    response = client.post(reverse("reports:publish", args=["exempelstad"]),
                           {"title": "Årsredovisning", "date_from": "2024-01-01", "date_to": "2023-12-31"})
    assert response.status_code == 400 and "period eller insatser saknas" in response.content.decode()
    assert PublishedReport.objects.count() == 0


# --- differencing across publications --------------------------------------------------------------

def cross_relations(reports):
    """What a reader holding these publications knows across them: an insats's report is that insats's
    share of the förbund's (for counts of participations), and with the same period and scope the same
    table is the same. Written out for the scopes used below (one insats each, and the whole förbund)."""
    relations = []
    whole = [k for k, r in enumerate(reports) if not r.interventions]
    singles = {r.interventions[0]: k for k, r in enumerate(reports) if len(r.interventions) == 1}
    additive = ["flow", "age", "education", "time_on_support", "referrer", "target_group", "exit_reason",
                "support_in_out", "duration", "municipality"]
    for w in whole:
        names = list(reports[w].intervention_names)
        if set(singles) != set(names):
            continue
        for table in reports[w].tables:
            if table.id not in additive:
                continue
            for row in table.cells:
                if table.id == "flow" and row in names:
                    continue
                for col in table.cells[row]:
                    if (row, col) in table.measures:
                        continue
                    parts = []
                    for slug in names:
                        single = reports[singles[slug]].table(table.id)
                        if row in single.cells and col in single.cells[row]:
                            parts.append((singles[slug], table.id, row, col))
                    if parts:
                        relations.append((parts, (w, table.id, row, col)))
        for slug in names:  # an insats's anonymous exits are its own report's varav_anonyma
            for g in ("kvinna", "man", "annat_ej_angivet", "totalt"):
                relations.append(([(singles[slug], "flow", "varav_anonyma", f"exited_{g}")], (w, "~anon", slug, g)))
    return relations


def test_per_insats_publications_cannot_be_subtracted_from_the_whole(exempelstad, people):
    """The board gets the whole förbund and every insats of the same year: the whole minus all but
    one insats must not reveal what the remaining one hides."""
    analyst = people[Role.ANALYST]
    slugs = sorted(exempelstad.interventions.values_list("slug", flat=True))
    published = [publish(exempelstad, analyst)] + [publish(exempelstad, analyst, interventions=[s], title=s)
                                                    for s in slugs]
    reports = [p.report() for p in published]
    unmasked = [compute_report(exempelstad, *YEAR, [s] if k else []) for k, s in enumerate([None] + slugs)]
    for shown, truth in zip(reports, unmasked):
        assert_safe(truth, shown, 5)  # each on its own
    relations, hidden = what_readers_know(reports, unmasked)
    cross = cross_relations(reports)
    assert len(cross) > 100
    for parts, total in cross:  # true of the data
        assert sum(value(unmasked[p[0]], p[1:]) for p in parts) == value(unmasked[total[0]], total[1:])
    assert not small_ones(determined_by(relations + cross, hidden | unpublished(relations)), unmasked)


def what_readers_know(reports, unmasked):
    """(relations, hidden) over several publications, numbered: what a reader writes down from each
    published report (``reader_relations`` of its unmasked report, cells prefixed by its number) and
    the cells each one hides."""
    relations, hidden = [], set()
    for k, (shown, truth) in enumerate(zip(reports, unmasked)):
        own, _ = reader_relations(truth)
        relations += [([(k, *p) for p in parts], (k, *total)) for parts, total in own]
        for table in shown.tables:
            hidden |= {(k, table.id, r, c) for r, c in table.masked}
    return relations, hidden


def unpublished(relations):
    """Counts the reader's relations speak of that no table shows: unknown to the reader too."""
    return {c for parts, total in relations for c in parts + [total] if c[1].startswith("~")}


def small_ones(cells, unmasked, threshold=5):
    """The cells among ``cells`` whose true value is a count that publication hides (1 to 4). A
    hidden cell that the publications together give away is harmless when its value is larger: it
    would not help to work out a small one (that one would be determined too)."""
    return {c for c in cells if 0 < value(unmasked[c[0]], c[1:]) < threshold}


def test_masking_per_report_alone_would_be_subtracted(exempelstad, people):
    """The test above can fail: masked one by one, the same publications give hidden counts away."""
    slugs = sorted(exempelstad.interventions.values_list("slug", flat=True))
    alone = [compute_report(exempelstad, *YEAR, [s] if s else [], publish=True) for s in [None] + slugs]
    unmasked = [compute_report(exempelstad, *YEAR, [s] if s else []) for s in [None] + slugs]
    relations, hidden = what_readers_know(alone, unmasked)
    assert small_ones(determined_by(relations + cross_relations(alone), hidden | unpublished(relations)), unmasked)


def test_half_year_and_year_cannot_be_subtracted(exempelstad, people):
    """H1 and the whole year published: new and exited add up over time; still nothing is determined
    when the second half is published too."""
    analyst = people[Role.ANALYST]
    periods = [(D(2024, 1, 1), D(2024, 6, 30)), YEAR, (D(2024, 7, 1), D(2024, 12, 31))]
    reports = [publish(exempelstad, analyst, period=p, title=str(p)).report() for p in periods]
    unmasked = [compute_report(exempelstad, *p) for p in periods]
    relations, hidden = what_readers_know(reports, unmasked)
    cross = []
    time_additive = {"education", "time_on_support", "referrer", "target_group", "exit_reason", "support_in_out",
                     "duration"}
    for table in reports[1].tables:
        for row, cols in table.cells.items():
            for col in cols:
                if (row, col) in table.measures or table.id in ("goals", "flow_years"):
                    continue
                if table.id in time_additive or (table.id == "flow" and col.split("_")[0] in ("new", "exited")):
                    cross.append(([(0, table.id, row, col), (2, table.id, row, col)], (1, table.id, row, col)))
                elif table.id == "flow" and col.startswith("current_") and row not in ("volym", "totalt_inkl_volym"):
                    # current in the year = current in H1 + new in H2 = current in H2 + exited in H1
                    new, exited = col.replace("current_", "new_"), col.replace("current_", "exited_")
                    cross.append(([(0, "flow", row, col), (2, "flow", row, new)], (1, "flow", row, col)))
                    cross.append(([(2, "flow", row, col), (0, "flow", row, exited)], (1, "flow", row, col)))
    for parts, total in cross:  # true of the data
        assert sum(value(unmasked[p[0]], p[1:]) for p in parts) == value(unmasked[total[0]], total[1:])
    assert len(cross) > 100
    assert not small_ones(determined_by(relations + cross, hidden | unpublished(relations)), unmasked)


@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_are_masked_one_against_the_other(world):
    """Two analysts publish the whole förbund and one insats at the same moment: they take turns (the
    förbund's row is locked), so the second is masked against the first, and both are stored once.
    Two corrections of one report at once: one succeeds, the other is told, none is a 500."""
    from tests.conftest import make_participation
    from tests.test_concurrency import run_together

    for n, (intervention, gender_number) in enumerate([(world.assigned, "19900101-0017"),
                                                       (world.assigned, "19850314-1239"),
                                                       (world.unassigned, "19770707-7710")]):
        make_participation(intervention, f"R-{n}", personnummer=gender_number, start_date=D(2024, 3, 1 + n))
    analyst = world.users["analyst"]
    results = run_together([
        lambda: publish(world.alfa, analyst, title="Hela"),
        lambda: publish(world.alfa, analyst, interventions=[world.assigned.slug], title="Aktivitet"),
    ])
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert world.alfa.published_reports.count() == 2
    first = world.alfa.published_reports.get(title="Hela")
    results = run_together([
        lambda: publish(world.alfa, analyst, title="Rättad A", replaces=first, correction="a"),
        lambda: publish(world.alfa, analyst, title="Rättad B", replaces=first, correction="b"),
    ])
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, PublishError) and "redan ersatt" in str(error)
    assert PublishedReport.objects.filter(replaces=first).count() == 1


def test_invisible_characters_are_taken_out_of_titles(exempelstad, people, client, publish_now):
    client.force_login(people[Role.ANALYST])
    period = {"date_from": "2024-01-01", "date_to": "2024-12-31"}
    response = publish_now(client, {"title": "\u200b", **period})
    assert response.status_code == 400 and "Skriv en rubrik som syns." in response.content.decode()
    publish_now(client, {"title": "Årsrapport\u202e4202", **period})
    assert PublishedReport.objects.get().title == "Årsrapport4202"


@pytest.mark.django_db(transaction=True)
def test_masking_runs_outside_the_write_transaction(world, monkeypatch):
    """Found by an attack: on SQLite the whole masking ran inside the publication's write
    transaction, which locks the database; every other write waited for it (or failed after 20 s)."""
    from finsam.reports import publishing
    from django.db import connection

    seen = []
    real = publishing.mask_for_publication

    def spy(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(publishing, "mask_for_publication", spy)
    publish(world.alfa, world.users["analyst"], title="Första")
    publish(world.alfa, world.users["analyst"], title="Andra")
    assert seen == [False, False]
    assert world.alfa.published_reports.count() == 2


MASK_IN_A_NEW_PROCESS = """
import hashlib, json, sys
import django
django.setup()
from finsam.statistics import differencing
from finsam.statistics.tables import freeze, thaw
data = json.load(sys.stdin)
earlier = [thaw(data["year"])]
h1 = thaw(data["h1"])
differencing.mask_for_publication(h1, 5, earlier)
h2 = thaw(data["h2"])
differencing.mask_for_publication(h2, 5, earlier + [thaw(freeze(h1))])
print(sorted((report, t.id, r, c) for report, rep in (("h1", h1), ("h2", h2)) for t in rep.tables for r, c in t.masked))
"""


def test_masking_against_earlier_publications_is_the_same_in_every_process(exempelstad):
    """Which cells a publication hides must not depend on the process's string hashing (sets of
    cells iterated in hash order gave a different masking in a different process)."""
    import os
    import subprocess
    import sys

    from finsam.statistics.tables import freeze

    year = compute_report(exempelstad, *YEAR, publish=True)
    h1 = compute_report(exempelstad, D(2024, 1, 1), D(2024, 6, 30))
    h2 = compute_report(exempelstad, D(2024, 7, 1), D(2024, 12, 31))
    data = json.dumps({"year": freeze(year), "h1": freeze(h1), "h2": freeze(h2)})
    results = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed, DJANGO_SETTINGS_MODULE="finsam.settings")
        done = subprocess.run([sys.executable, "-c", MASK_IN_A_NEW_PROCESS], input=data, env=env,
                              capture_output=True, text=True, timeout=300, check=True)
        results.add(done.stdout)
    assert len(results) == 1 and "exit_reason" in next(iter(results))
