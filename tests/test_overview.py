"""The start page (Översikt): figures of this year against last year to date, goal status to date,
data-quality warnings, per role; the läsare from published reports only. "Today" is injected."""

import datetime
import re

import pytest
from django.urls import reverse

from finsam.audit.models import AccessLog
from finsam.participants import quality
from finsam.participants.models import Participation, SupportRecord
from finsam.reports import overview
from finsam.reports.publishing import publish_report
from finsam.statistics import grading
from tests.plan_goals import insats_goal

from .conftest import make_participation

TODAY = datetime.date(2025, 6, 30)  # day 181 of 365


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(quality, "today", lambda: TODAY)
    return TODAY


def d(text):
    return datetime.date.fromisoformat(text)


def _personnummer(nine):
    """A valid identity number from YYMMDDNNN (the Luhn check digit added)."""
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return f"19{nine[:6]}-{nine[6:]}{(10 - total % 10) % 10}"


@pytest.fixture
def small(world):
    """World's A-1 (aktivitet, from 2024-02-01) and T-1 (team, from 2024-02-01), and:"""
    a, t = world.assigned, world.unassigned
    pn = iter(_personnummer(f"{80 + i}0{i + 1}0{i + 1}{100 + i}") for i in range(6))
    make_participation(a, "A-2", personnummer=next(pn), start_date=d("2025-03-01"))
    make_participation(a, "A-3", personnummer=next(pn), start_date=d("2024-10-01"), end_date=d("2025-05-01"),
                       exit_reason="arbete")
    make_participation(a, "A-4", personnummer=next(pn), start_date=d("2025-01-10"), end_date=d("2025-04-01"),
                       exit_reason="arbetssokande")
    make_participation(a, "A-5", start_date=d("2025-02-01"), end_date=d("2025-03-01"), anonymous=True, person_key="",
                       legal_gender="", birth_year=None, birth_month=None, consent_date=None, consent_form="")
    make_participation(a, "A-6", personnummer=next(pn), start_date=d("2023-01-15"), consent_date=None, consent_form="")
    t2 = make_participation(t, "T-2", personnummer=next(pn), start_date=d("2024-03-01"), end_date=d("2024-05-01"),
                            exit_reason="studier")
    SupportRecord.objects.create(participation=t2, phase=SupportRecord.EXIT, code="lon")
    return world


# --- the figures, against counts made by hand --------------------------------------------------

def test_figures_this_year_and_last_year_to_date(small):
    o = overview.live_overview(small.alfa, None, TODAY)
    assert (o.this_year.date_from, o.this_year.date_to) == (d("2025-01-01"), TODAY)
    assert (o.last_year.date_from, o.last_year.date_to) == (d("2024-01-01"), d("2024-06-30"))
    this, last = o.this_year, o.last_year
    # aktivitet: ongoing on 30 June; new; exited, A-5 (A-5 anonymous)
    a = this.row("aktivitet")
    assert (a.ongoing, a.new, a.exited) == (3, 3, 3)
    assert (a.work_or_study, a.exited_counted, a.share) == (1, 2, 0.5)
    assert (a.share_text, a.basis_text) == ("50,0\u00a0%", "1 av 2")
    a = last.row("aktivitet")  # 30 June 2024: A-1 (new), A-6
    assert (a.ongoing, a.new, a.exited) == (2, 1, 0)
    t = this.row("team")
    assert (t.ongoing, t.new, t.exited) == (1, 0, 0)
    t = last.row("team")  # T-1 new and ongoing, T-2 new and exited to studies
    assert (t.ongoing, t.new, t.exited, t.work_or_study, t.exited_counted) == (1, 2, 1, 1, 1)
    total = this.row("totalt")
    assert (total.ongoing, total.new, total.exited, total.work_or_study, total.exited_counted) == (4, 3, 3, 1, 2)


def test_last_year_to_date_of_29_february():
    assert overview.same_day_last_year(d("2024-02-29")) == d("2023-02-28")
    assert overview.same_day_last_year(d("2025-03-01")) == d("2024-03-01")


def test_goal_status_to_date(small):
    for metric, target in [("new_count", 10), ("share_work_or_study", "0.4"), ("current_count", 6),
                           ("share_men_new", "0.9")]:
        insats_goal(small.assigned, 2025, metric, target)
    insats_goal(small.assigned, 2024, "new_count", 1)
    goals = {g.label: g for g in overview.live_overview(small.alfa, None, TODAY).this_year.goals}
    assert len(goals) == 4  # this year's only
    new = goals["Antal nya deltagare"]  # 3 new against 10 × 181/365 = 4.96: 60 %, at least 50 %
    assert (new.result, new.expected, new.assessment, new.complete) == ("3", "5,0", "Risk", False)
    share = goals["Andel till arbete eller studier"]  # a share is expected at its target: 50 % ≥ 40 %
    assert (share.expected, share.assessment, share.basis) == ("40,0\u00a0%", "I fas", "1 av 2")
    # current: from the 3 ongoing on 1 January towards 6: 3 + 3 × 181/365 = 4.49; 6 current
    current = goals["Antal aktuella deltagare"]
    assert (current.result, current.expected, current.assessment) == ("6", "4,5", "I fas")
    men = goals["Andel män bland nya"]  # new A-2, A-4 (men by their numbers? see below), A-5
    genders = [p.gender for p in Participation.objects.filter(reference__in=["A-2", "A-4", "A-5"])]
    expected_status = grading.goal_status(genders.count("man") / 3, 0.9, 50)
    assert men.assessment == expected_status


def test_after_the_year_the_grade():
    assert grading.goal_status(None, 5, 50) == "Ej bedömt"
    assert grading.goal_status(3, None, 50) == "Ej bedömt"
    assert grading.expected_to_date("manual", 5, 2025, TODAY) is None
    assert grading.expected_to_date("new_count", 365, 2025, d("2025-12-31")) == 365
    assert grading.expected_to_date("new_count", 365, 2025, d("2025-01-01")) == 1
    assert grading.expected_to_date("current_count", 100, 2025, d("2025-12-31"), opening=40) == 100
    assert grading.expected_to_date("current_count", 100, 2025, d("2025-12-31")) is None
    assert grading.expected_to_date("share_work_or_study", 0.4, 2025, d("2025-02-01")) == 0.4
    assert [grading.goal_status(r, 10, 50) for r in (9.5, 9.4, 5, 4.9)] == ["I fas", "Risk", "Risk", "Ej i fas"]


def test_whole_year_is_graded(small):
    insats_goal(small.assigned, 2024, "new_count", 1)
    o = overview.live_overview(small.alfa, None, d("2024-12-31"))
    (goal,) = o.this_year.goals
    assert (goal.complete, goal.assessment, goal.expected) == (True, "God", "")


# --- the page per role -------------------------------------------------------------------------

def _cells(html, caption):
    table = html.split(f">{caption}</caption>", 1)[1].split("</table>", 1)[0]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def test_admin_sees_every_insats_and_the_total(small, login, today):
    html = login(small.users["admin"]).get(reverse("reports:overview", args=["alfa"])).content.decode()
    rows = {r[0]: r for r in _cells(html, "Deltagare i år och förra året")[1:]}
    assert set(rows) == {"Aktivitetsplatsen", "FINSAM-team", "Hela förbundet"}
    assert rows["Aktivitetsplatsen"][1:7] == ["3", "2", "3", "1", "3", "0"]


def test_manager_sees_only_assigned_insatser(small, login, today):
    html = login(small.users["manager"]).get(reverse("reports:overview", args=["alfa"])).content.decode()
    rows = {r[0]: r for r in _cells(html, "Deltagare i år och förra året")[1:]}
    assert set(rows) == {"Aktivitetsplatsen", "Dina insatser"}
    assert rows["Dina insatser"][1] == "3"  # not the förbund's 4
    assert "FINSAM-team" not in html.split("Så går det i år")[1].split("h-more")[0]


def test_manager_without_insatser(small, login, today):
    small.assigned.assigned_users.clear()
    html = login(small.users["manager"]).get(reverse("reports:overview", args=["alfa"])).content.decode()
    assert "inte tilldelad någon insats" in html
    assert "Deltagare i år" not in html


def test_data_quality_warnings_with_links_for_the_manager(small, login, today):
    html = login(small.users["manager"]).get(reverse("reports:overview", args=["alfa"])).content.decode()
    section = html.split('id="h-quality"')[1].split("</section>")[0]
    base = reverse("participants:list", args=["alfa", "aktivitet"])
    assert f'href="{base}?status=ongoing&amp;varning=lang-tid">Pågående i mer än 24 månader: 1<' in section
    assert f'href="{base}?status=exited&amp;varning=utan-forsorjning-efter">Avslutade utan försörjning vid avslut: 2<' in section
    assert f'href="{base}?status=all&amp;varning=utan-samtycke">Samtyckesdatum saknas: 1<' in section
    assert "FINSAM-team" not in section


def test_warning_link_lists_those_rows_and_logs(small, login, today):
    client = login(small.users["manager"])
    url = reverse("participants:list", args=["alfa", "aktivitet"])
    html = client.get(url, {"status": "exited", "varning": "utan-forsorjning-efter"}).content.decode()
    assert ">A-3<" in html and ">A-4<" in html and ">A-5<" not in html
    assert "Deltaganden (2)" in html
    entry = AccessLog.objects.latest("pk")
    assert "varning: avslutade utan försörjning vid avslut" in entry.subject and entry.row_count == 2
    html = client.get(url, {"status": "all", "varning": "utan-samtycke"}).content.decode()
    assert "Deltaganden (1)" in html and ">A-6<" in html
    # an unknown warning is ignored, not an error
    assert client.get(url, {"varning": "<script>"}).status_code == 200


def test_warning_counts_agree_with_the_list(small):
    counts = quality.counts(small.alfa, [small.assigned.pk, small.unassigned.pk], TODAY)
    assert counts[small.assigned.pk] == {"lang-tid": 1, "utan-forsorjning-efter": 2, "utan-samtycke": 1}
    assert counts[small.unassigned.pk] == {"lang-tid": 0, "utan-forsorjning-efter": 0, "utan-samtycke": 0}


def test_pseudonymous_consent_follows_the_setting(small):
    make_participation(small.unassigned, "P-1", person_key="", pseudonymous=True, consent_date=None, consent_form="",
                       start_date=d("2025-01-02"))
    assert quality.counts(small.alfa, [small.unassigned.pk], TODAY)[small.unassigned.pk]["utan-samtycke"] == 1
    small.alfa.pseudonymous_consent_required = False
    small.alfa.save()
    assert quality.counts(small.alfa, [small.unassigned.pk], TODAY)[small.unassigned.pk]["utan-samtycke"] == 0


def test_admin_sees_counts_linked_only_where_they_may_see_rows(small, login, today):
    from finsam.tenancy.models import PrivacyModel
    from tests.conftest import set_privacy_model

    client = login(small.users["admin"])
    # "Parterna ansvarar" (the default): the administratör sees no participant row, so counts only.
    section = client.get(reverse("reports:overview", args=["alfa"])).content.decode().split('id="h-quality"')[1]
    section = section.split("</section>")[0]
    assert "Pågående i mer än 24 månader: 1" in section and "varning=" not in section
    # "Förbundet ansvarar": the counts link to the rows.
    set_privacy_model(small.alfa, PrivacyModel.ASSOCIATION)
    section = client.get(reverse("reports:overview", args=["alfa"])).content.decode().split('id="h-quality"')[1]
    assert "varning=lang-tid" in section


# --- the läsare: published figures only -------------------------------------------------------------

def test_reader_without_publication_sees_a_sentence(small, login, today):
    html = login(small.users["reader"]).get(reverse("reports:overview", args=["alfa"])).content.decode()
    assert "Ingen rapport för i år är publicerad ännu" in html
    assert "Deltagare i år" not in html and 'id="h-quality"' not in html


def test_reader_sees_the_published_figures_masked(small, login, today, monkeypatch):
    def live(*args, **kwargs):
        raise AssertionError("a läsare's start page never computes live figures")

    published = publish_report(small.alfa, date_from=d("2025-01-01"), date_to=d("2025-05-31"), interventions=[],
                               title="Delår 2025", user=small.users["admin"])
    report = published.report()
    flow = report.table("flow")
    assert ("aktivitet", "new_totalt") in flow.masked  # 3 new: hidden
    monkeypatch.setattr(overview, "cached_report", live)
    html = login(small.users["reader"]).get(reverse("reports:overview", args=["alfa"])).content.decode()
    assert "Delår 2025" in html
    rows = {r[0]: r for r in _cells(html, "Deltagare i år och förra året")[1:]}
    assert rows["Aktivitetsplatsen"][3] == ".."  # hidden in the publication, hidden here
    for key, label in flow.rows:  # every figure is the published cell, or hidden where it is
        if key in rows or label in rows:
            row = rows[label]
            for index, column in ((3, "new_totalt"), (5, "exited_totalt")):
                published_value = ".." if (key, column) in flow.masked else str(flow.cell(key, column))
                assert row[index] == published_value, (key, column)


def test_reader_ongoing_is_hidden_when_a_count_behind_it_is(small):
    published = publish_report(small.alfa, date_from=d("2025-01-01"), date_to=d("2025-05-31"), interventions=[],
                               title="Delår 2025", user=small.users["admin"])
    o = overview.published_overview(small.alfa, TODAY)
    report = published.report()
    flow = report.table("flow")
    for row in o.this_year.rows:
        hidden = {(row.key, "current_totalt"), (row.key, "exited_totalt")} & set(flow.masked)
        assert (row.ongoing_text == "..") == bool(hidden)


# --- the example förbund, counted independently from its file ---------------------------------------

def _example_rows():
    import csv

    from .conftest import DATA

    with open(DATA / "exempel-deltagare.csv", encoding="utf-8-sig") as f:
        return [r for r in csv.DictReader(f, delimiter=";") if r["avslutsorsak"] != "felregistrering"]


def _count_by_hand(rows, slug, first, day):
    rows = [r for r in rows if slug is None or r["insats"] == slug]
    s = lambda r: d(r["startdatum"])  # noqa: E731
    e = lambda r: d(r["slutdatum"]) if r["slutdatum"] else None  # noqa: E731
    ongoing = sum(1 for r in rows if s(r) <= day and (e(r) is None or e(r) > day))
    new = sum(1 for r in rows if first <= s(r) <= day)
    exited = [r for r in rows if e(r) and first <= e(r) <= day]
    identified = [r for r in exited if r["anonym"] != "ja"]
    to_work = [r for r in identified if r["avslutsorsak"] in ("arbete", "arbete_subventionerat", "studier")]
    return ongoing, new, len(exited), len(to_work), len(identified)


@pytest.mark.parametrize("day", [d("2024-09-30"), d("2024-12-31"), d("2024-02-29")])
def test_example_forbund_against_its_file(exempelstad, day):
    rows = _example_rows()
    o = overview.live_overview(exempelstad, None, day)
    last_day = overview.same_day_last_year(day)
    for slug in ["aktivitetsplatsen", "finsam-team", "ips-psykos", "novum", None]:
        for figures, first, until in ((o.this_year, d(f"{day.year}-01-01"), day),
                                      (o.last_year, d(f"{last_day.year}-01-01"), last_day)):
            row = figures.row(slug or "totalt")
            got = (row.ongoing, row.new, row.exited, row.work_or_study, row.exited_counted)
            assert got == _count_by_hand(rows, slug, first, until), (slug, until)


def test_example_goals_on_30_september(exempelstad):
    rows = _example_rows()
    day = d("2024-09-30")  # day 274 of 366
    goals = {g.label: g for g in overview.live_overview(exempelstad, None, day).this_year.goals}
    _, new, _, to_work, identified = _count_by_hand(rows, "aktivitetsplatsen", d("2024-01-01"), day)
    expected_new = 40 * 274 / 366
    ratio = new / expected_new
    status = "I fas" if ratio >= 0.95 else "Risk" if ratio >= exempelstad.grade_acceptable_percent / 100 else "Ej i fas"
    assert goals["Antal nya deltagare"].result == str(new)
    assert goals["Antal nya deltagare"].assessment == status
    share = to_work / identified
    status = "I fas" if share >= 0.3 * 0.95 else "Risk" if share >= 0.3 * exempelstad.grade_acceptable_percent / 100 else "Ej i fas"
    assert goals["Andel till arbete eller studier"].assessment == status
    assert goals["Andel till arbete eller studier"].basis == f"{to_work} av {identified}"


def test_example_warnings_against_its_file(exempelstad):
    rows = _example_rows()
    day = d("2024-09-30")
    ids = dict(exempelstad.interventions.values_list("slug", "pk"))
    counts = quality.counts(exempelstad, list(ids.values()), day)
    for slug, pk in ids.items():
        mine = [r for r in rows if r["insats"] == slug]
        long = sum(1 for r in mine if not r["slutdatum"] and d(r["startdatum"]) < d("2022-09-30"))
        no_support = sum(1 for r in mine if r["slutdatum"] and r["anonym"] != "ja" and not r["forsorjning_efter"])
        no_consent = sum(1 for r in mine if r["anonym"] != "ja" and not r["samtycke_datum"])
        assert counts.get(pk, {"lang-tid": 0, "utan-forsorjning-efter": 0, "utan-samtycke": 0}) == {
            "lang-tid": long, "utan-forsorjning-efter": no_support, "utan-samtycke": no_consent}, slug


def test_warning_counts_are_cached_under_the_data_version(small, login, today):
    from finsam.tenancy.models import mark_data_changed

    client = login(small.users["manager"])
    url = reverse("reports:overview", args=["alfa"])
    assert "Avslutade utan försörjning vid avslut: 2" in client.get(url).content.decode()
    a3 = Participation.objects.get(reference="A-3")
    # bulk_create sends no signal, so not even the safety net of statistics/cache.py raises the version
    SupportRecord.objects.bulk_create([SupportRecord(participation=a3, phase=SupportRecord.EXIT, code="lon")])
    assert "Avslutade utan försörjning vid avslut: 2" in client.get(url).content.decode()
    mark_data_changed(small.alfa.pk)  # as the write path does
    assert "Avslutade utan försörjning vid avslut: 1" in client.get(url).content.decode()
