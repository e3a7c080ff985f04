"""Findings of the attack on issue 11 (new tables, report options, jobs, scope): each test failed on
the merged code before its fix."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse


# --- The comparison with a year earlier for a period in year 1 -----------------------------------

@pytest.mark.parametrize("date_from", ["0001-01-01", "0001-03-01"])
def test_comparing_a_period_of_year_1_with_a_year_earlier_is_a_form_error_not_a_500(world, login, date_from):
    """There is no year 0: the comparison's period would be out of the calendar (ValueError, 500)."""
    client = login(world.users["analyst"])
    response = client.get(reverse("reports:report", args=["alfa"]), {
        "period": "custom", "date_from": date_from, "date_to": "0002-12-31", "previous": "on", "sections": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Det finns ingen period ett år tidigare att jämföra med" in page
    for file_format in ("csv", "json"):  # no file either
        response = client.get(reverse("reports:report", args=["alfa"]), {
            "period": "custom", "date_from": date_from, "date_to": "0002-12-31", "previous": "on",
            "format": file_format})
        assert response.status_code == 200 and "attachment" not in response.get("Content-Disposition", "")


def test_the_report_command_refuses_a_comparison_before_year_1(world):
    with pytest.raises(CommandError, match="ingen period ett år tidigare"):
        call_command("report", "--association", "alfa", "--from", "0001-01-01", "--to", "0001-12-31",
                     "--foregaende-period")


# --- An export's file after its requester lost the insats ----------------------------------------

def test_a_deltagaransvarig_unassigned_from_the_insats_can_no_longer_download_its_export(
        world, login, settings, tmp_path, django_capture_on_commit_callbacks):
    """The capability (export_participants) stays with the role; the insatser do not. The file of
    an export made while assigned holds the insats's participants: refused once unassigned."""
    from finsam.audit.models import AccessLog
    from finsam.jobs.models import Job, State

    settings.FINSAM_JOBS_DIR = tmp_path / "jobs"
    settings.FINSAM_JOB_EXPORT_ROWS = 0
    settings.FINSAM_JOBS_SYNC = True
    manager = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("participants:export", args=["alfa"]), {"format": "csv"})
    job = Job.objects.get()
    assert job.state == State.DONE
    url = reverse("jobs:download", args=["alfa", job.pk])
    assert b"A-1" in b"".join(manager.get(url).streaming_content)  # while assigned
    world.assigned.assigned_users.remove(world.users["manager"])
    assert manager.get(url).status_code == 403
    assert AccessLog.objects.filter(action="job_download").count() == 1  # only the allowed download
    world.assigned.assigned_users.add(world.users["manager"])  # assigned again: the file again
    assert manager.get(url).status_code == 200
    assert job.parameters["exported_insatser"] == [world.assigned.pk]  # what the check compares with
