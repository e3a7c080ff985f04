"""A big report's PDF and Excel files are rendered by a background job from ids only; the job checks
the requester's rights again when it runs. Small reports and the light formats download directly."""

import datetime
import io

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from finsam.audit.models import AccessLog
from finsam.jobs.models import Job, State
from finsam.jobs.queue import enqueue
from finsam.jobs.registry import KINDS
from finsam.jobs.runner import run_queued
from finsam.reports import report_files, units
from finsam.reports.jobs import LIVE_KIND, PUBLISHED_KIND
from finsam.reports.publishing import publish_report
from finsam.reports.report_files import ReportFile, cells_of
from finsam.statistics.engine import compute_report

YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
QUERY = "?period=custom&date_from=2024-01-01&date_to=2024-12-31"


@pytest.fixture
def sync_jobs(settings, tmp_path, django_capture_on_commit_callbacks):
    """Jobs run in the test's process once the request (or enqueue) commits: ``committed(call)``."""
    settings.FINSAM_JOBS_SYNC = True
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"

    def committed(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            answer = call(*args, **kwargs)
        return answer

    return committed


@pytest.fixture
def small_threshold(monkeypatch, world):
    """Every report of the test world counts as big."""
    report = compute_report(world.alfa, *YEAR)
    monkeypatch.setattr(report_files, "REPORT_JOB_CELLS", cells_of(report) - 1)


def result(job):
    return (job.result_path).read_bytes()


def test_both_kinds_are_registered_with_the_pages_capabilities():
    assert KINDS[LIVE_KIND].capability == "view_reports"
    assert KINDS[PUBLISHED_KIND].capability == "view_published_reports"


def test_a_job_renders_the_report_file_its_ids_name(world, sync_jobs):
    wanted = ReportFile(world.alfa.pk, "xlsx", *YEAR, ("aktivitet",))
    job = sync_jobs(enqueue, LIVE_KIND, association=world.alfa, user=world.users["manager"], parameters=wanted.params())
    job.refresh_from_db()
    assert job.state == State.DONE, job.error
    assert job.result_name == "statistik-alfa-2024-01-01-2024-12-31.xlsx"
    assert job.result_content_type.startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(result(job)))
    assert workbook.sheetnames[0] == "Om rapporten"
    assert (job.progress_done, job.progress_total) == (2, 2) and "Excel" in job.summary


def test_the_job_rechecks_the_requesters_rights_when_it_runs(world, settings, tmp_path):
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    wanted = ReportFile(world.alfa.pk, "pdf", *YEAR, ("aktivitet",))
    job = enqueue(LIVE_KIND, association=world.alfa, user=world.users["manager"], parameters=wanted.params())
    world.assigned.assigned_users.clear()  # the insats is taken from them while the job waits
    job = run_queued(job.pk)
    assert job.state == State.FAILED and "inte längre behörighet" in job.error
    assert not job.result_name and not job.result_path.exists()


@pytest.mark.parametrize("parameters", [
    {"association": "x"},  # not ids
    {"exporter": "exe"},
])
def test_a_job_with_broken_parameters_fails_with_an_explanation(world, sync_jobs, parameters):
    params = {**ReportFile(world.alfa.pk, "pdf", *YEAR).params(), **parameters}
    job = sync_jobs(enqueue, LIVE_KIND, association=world.alfa, user=world.users["admin"], parameters=params)
    job.refresh_from_db()
    assert job.state == State.FAILED and "ogiltig" in job.error


def test_a_job_cannot_reach_another_forbunds_report(world, sync_jobs):
    """Parameters naming another förbund (a forged or stale row) are refused, whatever the kind."""
    wanted = ReportFile(world.beta.pk, "pdf", *YEAR)
    job = sync_jobs(enqueue, LIVE_KIND, association=world.alfa, user=world.users["admin"], parameters=wanted.params())
    job.refresh_from_db()
    assert job.state == State.FAILED and not job.result_name


def test_a_big_report_queues_pdf_and_excel_and_downloads_the_rest(world, login, sync_jobs, small_threshold):
    client = login(world.users["analyst"])
    url = reverse("reports:report", args=["alfa"]) + QUERY
    page = client.get(url).content.decode()
    assert "Rapporten är stor: Excel och PDF tas fram i bakgrunden" in page
    for file_format in ("pdf", "xlsx"):
        response = sync_jobs(client.get, url + f"&format={file_format}")
        job = Job.objects.latest("id")
        assert response.status_code == 302
        assert response.url == reverse("jobs:detail", args=["alfa", job.pk])
        assert job.kind == LIVE_KIND and job.parameters["exporter"] == file_format and job.state == State.DONE
    # The page's choices travel with the job: a section per insats, the previous period, the unit.
    sync_jobs(client.get, url + "&sections=on&previous=on&format=pdf")
    assert Job.objects.latest("id").parameters | {"exporter": "pdf"} == ReportFile(
        world.alfa.pk, "pdf", *YEAR, sections=True, previous=True, unit=units.default_unit(world.alfa)).params()
    Job.objects.latest("id").delete()
    pdf_job = Job.objects.get(parameters__exporter="pdf")
    page = client.get(reverse("jobs:detail", args=["alfa", pdf_job.pk])).content.decode()
    assert "Rapport som fil" in page and "Rapporten som PDF är klar" in page
    download = client.get(reverse("jobs:download", args=["alfa", pdf_job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="statistik-alfa-2024-01-01-2024-12-31.pdf"'
    assert pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages
    assert not AccessLog.objects.filter(action="job_download").exists()  # counts, no participant
    for file_format in ("csv", "json", "html"):
        assert client.get(url + f"&format={file_format}").status_code == 200
    assert Job.objects.count() == 2


def test_a_small_report_downloads_directly(world, login, sync_jobs):
    client = login(world.users["analyst"])
    url = reverse("reports:report", args=["alfa"]) + QUERY
    assert "tas fram i bakgrunden" not in client.get(url).content.decode()
    response = client.get(url + "&format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not Job.objects.exists()


def test_a_big_published_report_is_a_job_the_board_may_run(world, login, sync_jobs, small_threshold):
    published = publish_report(world.alfa, date_from=YEAR[0], date_to=YEAR[1], interventions=[], title="2024",
                               user=world.users["analyst"])
    client = login(world.users["reader"])
    url = reverse("reports:published_detail", args=["alfa", published.pk])
    assert "tas fram i bakgrunden" in client.get(url).content.decode()
    response = sync_jobs(client.get, url + "?format=pdf")
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=["alfa", job.pk])
    assert job.kind == PUBLISHED_KIND and job.parameters["published"] == published.pk and job.state == State.DONE
    assert job.result_name == f"publicerad-alfa-{published.pk}.pdf"
    assert client.get(reverse("jobs:download", args=["alfa", job.pk]))["Content-Type"] == "application/pdf"


def test_a_published_reports_file_is_rendered_once_per_user_while_its_result_is_kept(
        world, login, sync_jobs, small_threshold):
    """A publication never changes: a second click on its PDF opens the job that made it, rather
    than rendering the same big file again; a colleague gets a job of their own (a job is its
    requester's), and once the retention has deleted the result a click renders it anew."""
    published = publish_report(world.alfa, date_from=YEAR[0], date_to=YEAR[1], interventions=[], title="2024",
                               user=world.users["analyst"])
    url = reverse("reports:published_detail", args=["alfa", published.pk]) + "?format=pdf"
    reader = login(world.users["reader"])
    first = sync_jobs(reader.get, url)
    again = sync_jobs(reader.get, url)
    job = Job.objects.get(kind=PUBLISHED_KIND)
    assert first.url == again.url == reverse("jobs:detail", args=["alfa", job.pk]) and job.state == State.DONE
    excel = sync_jobs(reader.get, url.replace("pdf", "xlsx"))
    assert Job.objects.filter(kind=PUBLISHED_KIND).count() == 2 and excel.url != first.url
    sync_jobs(login(world.users["analyst"]).get, url)
    assert set(Job.objects.filter(parameters__exporter="pdf").values_list("requested_by", flat=True)) == {
        world.users["reader"].pk, world.users["analyst"].pk}
    job.delete_files()  # the retention deletes results after FINSAM_JOB_RETENTION_DAYS
    renewed = sync_jobs(login(world.users["reader"]).get, url)  # (one test client: log in again)
    newest = Job.objects.latest("id")
    assert renewed.url == reverse("jobs:detail", args=["alfa", newest.pk]) and newest.pk != job.pk
    assert newest.requested_by == world.users["reader"] and newest.result_path.exists()


def test_a_live_reports_file_is_one_job_while_it_runs_and_a_new_one_after(world, login, settings, tmp_path,
                                                                         small_threshold):
    """Live data change: a finished job's file may be out of date, so only a queued or running job
    of the very same file is reused (a second click while it waits)."""
    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"  # no sync: the job waits in the queue
    client = login(world.users["analyst"])
    url = reverse("reports:report", args=["alfa"]) + QUERY + "&format=pdf"
    first, again = client.get(url), client.get(url)
    job = Job.objects.get()
    assert first.url == again.url == reverse("jobs:detail", args=["alfa", job.pk]) and job.state == State.QUEUED
    run_queued(job.pk)
    assert client.get(url).url != first.url and Job.objects.count() == 2


def test_a_pdf_goes_to_a_job_sooner_than_excel(world, login, sync_jobs, monkeypatch):
    """The tagged PDF costs about 3.5 ms a cell, Excel about 0.2 ms: between REPORT_JOB_CELLS / the
    PDF's job_weight and REPORT_JOB_CELLS cells only the PDF is made by a job."""
    from finsam.reports.exporters import registry

    cells = cells_of(compute_report(world.alfa, *YEAR))
    assert registry.get("pdf").job_weight > 2 and registry.get("xlsx").job_weight == 1
    monkeypatch.setattr(report_files, "REPORT_JOB_CELLS", cells * 2)
    client = login(world.users["analyst"])
    url = reverse("reports:report", args=["alfa"]) + QUERY
    assert "Rapporten är stor: PDF tas fram i bakgrunden" in client.get(url).content.decode()
    assert sync_jobs(client.get, url + "&format=pdf").status_code == 302
    assert Job.objects.get().parameters["exporter"] == "pdf"
    excel = client.get(url + "&format=xlsx")
    assert excel.status_code == 200 and openpyxl.load_workbook(io.BytesIO(excel.content))
    assert Job.objects.count() == 1
