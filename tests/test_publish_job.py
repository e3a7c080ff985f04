"""Every publication runs as the background job `publish_report`: the request checks the form and
queues the job; the job page says when it is published and links to the publication, or says in
Swedish why it was refused. Masking against earlier publications takes seconds, too long for a
request (docs/performance.md, "Publishing: the request")."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from finsam.jobs.models import Job, State
from finsam.jobs.runner import UNEXPECTED_MESSAGE, claim_next, run_job, run_queued
from finsam.reports.jobs import PUBLISH_KIND
from finsam.reports.models import PublishedReport
from finsam.tenancy.models import Role
from tests.test_publications import people, publish  # noqa: F401 (people: a fixture)

D = datetime.date
YEAR = {"title": "Årsredovisning 2024", "date_from": "2024-01-01", "date_to": "2024-12-31"}
LINK_TEXT = "Visa den publicerade rapporten"


@pytest.fixture(autouse=True)
def worker_apart(settings, tmp_path):
    """The test plays the worker: a queued job runs only when the test runs it."""
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    settings.FINSAM_JOBS_SYNC = False


def publish_url(slug):
    return reverse("reports:publish", args=[slug])


def test_publishing_queues_a_job_whose_page_leads_to_the_publication(exempelstad, people, client):
    client.force_login(people[Role.ANALYST])
    response = client.post(publish_url("exempelstad"), YEAR)
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=["exempelstad", job.pk])
    assert job.kind == PUBLISH_KIND and job.state == State.QUEUED
    assert not PublishedReport.objects.exists()  # nothing published in the request
    waiting = client.get(response.url).content.decode()
    assert "Publicering av rapport" in waiting and "I kö" in waiting and LINK_TEXT not in waiting

    job = run_queued(job.pk)
    published = PublishedReport.objects.get()
    assert job.state == State.DONE and job.parameters["published_id"] == published.pk
    assert published.title == "Årsredovisning 2024" and published.published_by == people[Role.ANALYST]
    page = client.get(response.url).content.decode()
    detail = reverse("reports:published_detail", args=["exempelstad", published.pk])
    assert f'<a class="button" href="{detail}">{LINK_TEXT}</a>' in page
    assert "Rapporten ”Årsredovisning 2024” är publicerad." in page
    assert client.get(detail).status_code == 200


def test_an_invalid_form_is_answered_at_once_and_queues_nothing(exempelstad, people, client):
    client.force_login(people[Role.ANALYST])
    response = client.post(publish_url("exempelstad"), {**YEAR, "title": "\u200b", "date_to": "2023-12-31"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Skriv en rubrik som syns." in page
    # the period is in hidden fields: said in the form's summary, since their own errors are not shown
    assert "Rapportens period eller insatser saknas eller är ogiltiga." in page
    assert not Job.objects.exists()


def test_a_refused_publication_says_why_on_the_job_page(exempelstad, people, client, monkeypatch):
    """What the publication would give away with the earlier ones refuses it (publishing.PublishError):
    the job fails with that Swedish message, shown as the job page's alert, and nothing is published."""
    from finsam.reports import publishing
    from finsam.statistics.differencing import StructureReveals

    def reveals(report, threshold, earlier):
        raise StructureReveals({("atom", "flow", "totalt", "exited_man", "", D(2024, 7, 1), D(2024, 12, 31))})

    monkeypatch.setattr(publishing, "mask_for_publication", reveals)
    client.force_login(people[Role.ANALYST])
    response = client.post(publish_url("exempelstad"), YEAR)
    job = run_queued(Job.objects.get().pk)
    assert job.state == State.FAILED and job.error.startswith("Rapporten kan inte publiceras: tillsammans med")
    page = client.get(response.url).content.decode()
    alert = page.split('<div class="error-summary" role="alert">')[1].split("</div>")[0]
    assert "Jobbet misslyckades" in alert and job.error in alert
    assert LINK_TEXT not in page and not PublishedReport.objects.exists()


def test_the_link_needs_a_publication_the_job_made(exempelstad, people, client):
    """A failed job of the kind (the form's checks again when it ran) has no link."""
    first = publish(exempelstad, people[Role.ANALYST])
    client.force_login(people[Role.ANALYST])
    response = client.post(publish_url("exempelstad"), {**YEAR, "replaces": first.pk, "correction": "Fel datum."})
    publish(exempelstad, people[Role.ANALYST], title="Rättad först", replaces=first, correction="Annat.")
    job = run_queued(Job.objects.get().pk)
    assert job.state == State.FAILED and "Ersätter" in job.error
    assert LINK_TEXT not in client.get(response.url).content.decode()


# --- at once -------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_same_publication_asked_for_twice_at_once_is_queued_once(world):
    """A double click on Publicera: both requests land on one job's page, and one report is published.
    The same form sent again once that job has ended is a new publication, as asked."""
    from tests.test_concurrency import run_together

    analyst = world.users["analyst"]
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(analyst)
    results = run_together([lambda c=c: c.post(publish_url("alfa"), YEAR) for c in clients])
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    job = Job.objects.get()
    assert [r.status_code for _, r in results] == [302, 302]
    assert {r.url for _, r in results} == {reverse("jobs:detail", args=["alfa", job.pk])}
    assert run_queued(job.pk).state == State.DONE
    assert PublishedReport.objects.count() == 1
    # a different form is another job; the same one once the first has ended is too
    clients[0].post(publish_url("alfa"), {**YEAR, "title": "Annan rubrik"})
    clients[0].post(publish_url("alfa"), YEAR)
    assert Job.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_publish_jobs_run_by_two_workers_at_once(world):
    """Two workers each run a publish job at the same moment: different reports are both published,
    the second masked against the first (publishing.publish_report takes turns per förbund); two
    corrections of one report: one is published, the other fails with a Swedish message. None fails
    with the unexpected error, and nothing is published twice."""
    from tests.conftest import make_participation
    from tests.test_concurrency import run_together

    for n, (intervention, number) in enumerate([(world.assigned, "19900101-0017"),
                                                (world.assigned, "19850314-1239"),
                                                (world.unassigned, "19770707-7710")]):
        make_participation(intervention, f"R-{n}", personnummer=number, start_date=D(2024, 3, 1 + n))
    analyst = world.users["analyst"]
    client = Client()
    client.force_login(analyst)

    def both_at_once(forms):
        for form in forms:
            assert client.post(publish_url("alfa"), form).status_code == 302
        claimed = [claim_next(f"worker-{n}") for n in range(len(forms))]
        assert all(claimed)
        return [job for _, job in run_together([lambda j=j: run_job(j) for j in claimed])]

    jobs = both_at_once([{**YEAR, "title": "Hela"},
                         {**YEAR, "title": "Aktivitet", "interventions": [world.assigned.slug]}])
    assert [j.state for j in jobs] == [State.DONE, State.DONE], [j.error for j in jobs]
    assert sorted(world.alfa.published_reports.values_list("title", flat=True)) == ["Aktivitet", "Hela"]
    assert sorted(j.parameters["published_id"] for j in jobs) == \
        sorted(world.alfa.published_reports.values_list("pk", flat=True))

    first = world.alfa.published_reports.get(title="Hela")
    jobs = both_at_once([{**YEAR, "title": "Rättad A", "replaces": first.pk, "correction": "a"},
                         {**YEAR, "title": "Rättad B", "replaces": first.pk, "correction": "b"}])
    assert sorted(j.state for j in jobs) == [State.DONE, State.FAILED], [j.error for j in jobs]
    failed = next(j for j in jobs if j.state == State.FAILED)
    assert failed.error != UNEXPECTED_MESSAGE and failed.error.startswith("Rapporten")
    assert PublishedReport.objects.filter(replaces=first).count() == 1
    assert world.alfa.published_reports.count() == 3
