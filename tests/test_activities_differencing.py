"""SIP meetings count persons: a board member holding two publications (a year and its first half)
must not work a small SIP count out by subtracting one from the other."""

import datetime

import pytest

from finsam.activities.access import row_context
from finsam.activities.importing import import_activities
from finsam.reports.publishing import publish_report
from finsam.statistics.tables import COUNT, thaw
from finsam.statistics.engine import compute_report
from finsam.tenancy.permissions import Access
from tests.test_activities import H1, YEAR, activities_example  # noqa: F401 (a fixture)

D = datetime.date
HEADER = b"insats;typ;titel;datum;format;deltagare_totalt\n"


def _sip(slug, day, n):
    return b"".join(f"{slug};sip_mote;SIP {i};{day};fysiskt;2\n".encode() for i in range(n))


def _import(association, admin, body):
    import_activities(HEADER + body, "a.csv", row_context(Access.for_user(admin, association), today=D(2026, 11, 23)))


def _published(association, admin, start, end, interventions=(), title="R"):
    report = publish_report(association, date_from=start, date_to=end, interventions=list(interventions),
                            title=title, user=admin)
    return thaw(report.content)


def _visible_counts(report):
    """Every visible count of the report's activity tables: {(table, row, col): value} (the tests'
    activities are all SIP meetings, so each is a count of persons)."""
    found = {}
    for table in report.tables:
        if table.id.startswith(("activit", "attendees")):
            for row, columns in table.cells.items():
                for col, value in columns.items():
                    if isinstance(value, int) and table.kind(row, col) == COUNT:
                        found[(table.id, row, col)] = value
    return found


def test_a_year_minus_its_first_half_does_not_give_a_small_sip_count_away(example_association):
    association, admin = example_association
    # 8 SIP meetings in the first half, 2 in the second: 10 in the year.
    _import(association, admin, _sip("finsam-team", "2024-03-01", 8) + _sip("finsam-team", "2024-09-01", 2))
    h1 = _published(association, admin, D(2024, 1, 1), D(2024, 6, 30), title="Halvår")
    year = _published(association, admin, D(2024, 1, 1), D(2024, 12, 31), title="Helår")
    first, whole = _visible_counts(h1), _visible_counts(year)
    assert first[("activities", "sip_mote", "count")] == 8  # 8 >= the threshold: shown
    assert first[("activities_by_intervention", "finsam-team", "count")] == 8
    for cell, value in whole.items():
        if cell in first:
            assert not 0 < value - first[cell] < 5, f"{cell}: {value} - {first[cell]}"


def test_the_activity_list_of_a_publication_does_not_list_sip_meetings_one_by_one(example_association):
    """Three SIP meetings of one insats, each a row: the published list must not show them (their
    number, dates and titles are the persons' meetings), so the hidden count cannot be counted."""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", 3) + b";seminarium;Seminarium;2024-03-07;digitalt;40\n")
    report = _published(association, admin, D(2024, 1, 1), D(2024, 6, 30))
    assert report.table("activities").cells["sip_mote"]["count"] is None
    listing = report.table("activity_list")
    kinds = [listing.cells[key]["kind"] for key, _ in listing.rows]
    assert "SIP-möte" not in kinds and len(kinds) == 1  # the seminar


def test_one_publication_does_not_give_the_sip_attendees_away_through_another_table(example_association):
    """The same activities are counted by kind, by insats and by organisation and role: the total
    of one table minus the seminar's attendees of another must not give the hidden SIP attendees."""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", 2) + b"novum;seminarium;Seminarium;2024-03-07;digitalt;40\n")
    report = _published(association, admin, D(2024, 1, 1), D(2024, 6, 30))
    kinds = report.table("activities")
    assert kinds.cells["sip_mote"]["attendees_totalt"] is None and kinds.cells["seminarium"]["attendees_totalt"] == 40
    same_population = [("activities_by_intervention", "totalt", "attendees_totalt"),
                       ("activities_by_intervention", "novum", "attendees_totalt"),
                       ("activities_years", "totalt", "attendees_2024"),
                       ("attendees_by_organisation", "totalt", "count"), ("attendees_by_role", "totalt", "count")]
    for table, row, col in same_population:
        value = report.table(table).cells[row][col]
        assert value is None or not 0 < value - 40 < 5, (table, row, col, value)


def test_the_relations_of_the_activity_tables_hold_on_the_example(activities_example):  # noqa: F811
    def value(report, cell):
        return report.table(cell[0]).cells[cell[1]][cell[2]]

    for period in (YEAR, H1):
        report = compute_report(activities_example, *period, tables=["activities"])
        mine = [r for r in report.relations if any(str(c[0]).startswith(("activit", "attendees")) for c in [*r[0], r[1]])]
        assert len(mine) > 10
        unpublished_totals = {}
        for parts, total in mine:
            shown = [p for p in parts if not str(p[0]).startswith("~")]
            if str(total[0]).startswith("~"):  # a count no table shows (every SIP meeting): the same in each
                if len(shown) == len(parts):
                    assert unpublished_totals.setdefault(total, sum(value(report, p) for p in parts)) == \
                        sum(value(report, p) for p in parts), (parts, total)
            elif len(shown) < len(parts):  # with a count no table shows (an insats's SIP meetings): >= 0
                assert sum(value(report, p) for p in shown) <= value(report, total), (parts, total)
            else:
                assert sum(value(report, p) for p in parts) == value(report, total), (parts, total)


def test_an_insats_row_minus_its_listed_activities_does_not_give_its_sip_attendees_away(example_association):
    """Novum: two SIP meetings (2 attendees each) and a seminar of 40; FINSAM-team: eight SIP meetings
    and a seminar of 30. Novum's row of the table per insats minus its seminar in the list would be
    its SIP meetings' attendees (4)."""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", 2) + _sip("finsam-team", "2024-03-02", 8)
            + b"novum;seminarium;Seminarium;2024-03-07;digitalt;40\n"
            + b"finsam-team;seminarium;Seminarium 2;2024-03-08;digitalt;30\n")
    report = _published(association, admin, D(2024, 1, 1), D(2024, 6, 30))
    novum = report.table("activities_by_intervention").cells["novum"]
    listed = [c for c in report.table("activity_list").cells.values() if c["intervention"] == "Novum"]
    for col in ("count", "attendees_totalt"):
        if novum[col] is not None and all(c[col] is not None for c in listed):
            assert not 0 < novum[col] - sum(c[col] for c in listed) < 5, col


# --- the förbund minus one insats (issue 9, the förbund's own activities and insatser without any) ----

WHOLE, NOVUM = (), ("novum",)
D_H1, D_YEAR, D_H2 = (D(2024, 1, 1), D(2024, 6, 30)), (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 7, 1), D(2024, 12, 31))


def _seminars(slug, day, n):
    return b"".join(f"{slug};seminarium;Seminarium {slug} {i};{day};digitalt;20\n".encode() for i in range(n))


def _publish_all(association, admin, publications):
    """Publish (scope, period) after each other: {(scope, period): the thawed publication}."""
    return {(scope, period): _published(association, admin, *period, scope, title=f"{scope} {period}")
            for scope, period in publications}


def _no_small_difference(first, second):
    """No count shown in both publications differs by 1 to 4 (the data of these tests are such that
    every such difference is SIP meetings of an insats or of the förbund's own)."""
    a, b = _visible_counts(first), _visible_counts(second)
    for cell in set(a) & set(b):
        assert not 0 < abs(a[cell] - b[cell]) < 5, f"{cell}: {a[cell]} and {b[cell]}"


@pytest.mark.parametrize("whole_first", [True, False])
def test_the_forbund_minus_one_insats_does_not_give_the_forbunds_own_sip_meetings_away(example_association,
                                                                                       whole_first):
    """Novum: 5 SIP meetings (2 attendees each); the förbund itself: 2 (4 attendees); FINSAM-team: 5
    seminars. The whole förbund's SIP attendees (14) minus Novum's (10) were the förbund's own 4: an
    unfiltered report was taken as the sum of its insatser, the förbund's own activities no part."""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", 5) + _sip("", "2024-03-02", 2)
            + _seminars("finsam-team", "2024-03-03", 5))
    order = [(WHOLE, D_H1), (NOVUM, D_H1)]
    published = _publish_all(association, admin, order if whole_first else order[::-1])
    _no_small_difference(published[(WHOLE, D_H1)], published[(NOVUM, D_H1)])


@pytest.mark.parametrize("whole_first", [True, False])
def test_the_forbund_minus_one_insats_does_not_give_another_insats_sip_meetings_away(example_association,
                                                                                     whole_first):
    """Novum: 5 SIP meetings and 5 seminars; FINSAM-team: 2 SIP meetings and 5 seminars; the other
    insatser and the förbund itself nothing (absent from the table per insats, the förbund's row 0).
    The whole's 7 SIP meetings minus Novum's 5 were FINSAM-team's 2: a reader knows the other
    insatser's parts are 0, the masking took them for unknowns. (Whole first, Novum's is refused:
    its seminars, a measure never hidden, give Novum's SIP meetings away as its row of the whole
    minus them, and so FINSAM-team's.)"""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", 5) + _sip("finsam-team", "2024-03-02", 2)
            + _seminars("novum", "2024-03-03", 5) + _seminars("finsam-team", "2024-03-04", 5))
    order = [(WHOLE, D_H1), (NOVUM, D_H1)]
    published = _publish_or_refuse(association, admin, order if whole_first else order[::-1])
    assert published[order[0] if whole_first else order[1]] is not None  # the first is published
    if None in published.values():
        return
    whole = published[(WHOLE, D_H1)].table("activities_by_intervention")
    assert all(whole.cells[part]["count"] in (0, None) for part in ("aktivitetsplatsen", "ips-psykos", "forbundet"))
    _no_small_difference(published[(WHOLE, D_H1)], published[(NOVUM, D_H1)])


def test_a_year_minus_its_first_half_minus_one_insats_does_not_give_the_forbunds_own_sip_meetings_away(
        example_association):
    """The förbund itself: 5 SIP meetings in March, 2 in September; Novum: 5 in October; no other
    activities. The year's 12 minus the first half's 5 minus Novum's second half's 5 were the
    förbund's own 2 of the second half (attendees: 24 - 10 - 10 = 4)."""
    association, admin = example_association
    _import(association, admin, _sip("", "2024-03-01", 5) + _sip("", "2024-09-01", 2) + _sip("novum", "2024-10-01", 5))
    published = _publish_all(association, admin, [(WHOLE, D_H1), (WHOLE, D_YEAR), (NOVUM, D_H2)])
    h1, year, novum = (_visible_counts(published[key]) for key in [(WHOLE, D_H1), (WHOLE, D_YEAR), (NOVUM, D_H2)])
    for col in ("count", "fysiskt", "attendees_annat_ej_angivet", "attendees_totalt"):
        for row in ("sip_mote", "totalt"):
            cell = ("activities", row, col)
            if cell in h1 and cell in year and cell in novum:
                assert not 0 < year[cell] - h1[cell] - novum[cell] < 5, (cell, year[cell], h1[cell], novum[cell])
    for cell in [("activities_by_intervention", "totalt", "count"), ("attendees_by_organisation", "totalt", "count")]:
        if cell in h1 and cell in year and cell in novum:
            assert not 0 < year[cell] - h1[cell] - novum[cell] < 5, (cell, year[cell], h1[cell], novum[cell])


def test_one_insats_with_only_sip_meetings_does_not_give_another_insats_sip_meetings_away(example_association):
    """Novum: 5 SIP meetings and nothing else (no row in the list: its row per insats is its SIP
    meetings); FINSAM-team: 2 SIP meetings and 5 seminars. The SIP row of activities (7) minus
    Novum's row (5) was FINSAM-team's 2, in one publication."""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", 5) + _sip("finsam-team", "2024-03-02", 2)
            + _seminars("finsam-team", "2024-03-04", 5))
    report = _published(association, admin, *D_H1)
    kinds, by_intervention = report.table("activities").cells, report.table("activities_by_intervention").cells
    assert not any(c["intervention"] == "Novum" for c in report.table("activity_list").cells.values())
    for col in ("count", "attendees_annat_ej_angivet", "attendees_totalt"):
        sip, novum = kinds["sip_mote"][col], by_intervention["novum"][col]
        if sip is not None and novum is not None:
            assert not 0 < sip - novum < 5, (col, sip, novum)


def _sip_counts(*reports):
    """The SIP meetings each publication shows in Aktiviteter per typ (None: hidden or no such row)."""
    return tuple(_visible_counts(r).get(("activities", "sip_mote", "count")) for r in reports)


def _parts_without_sip(report, scope):
    """The parts of ``scope`` (insats slugs, "forbundet" for the förbund's own) the publication shows
    held no SIP meeting: absent from the table per insats, or a row whose count equals the occasions
    of its listed activities (SIP meetings are never listed). None when the tables are not there."""
    ids = {t.id for t in report.tables}
    if not {"activities_by_intervention", "activity_list"} <= ids:
        return None
    rows = report.table("activities_by_intervention").cells
    listing = report.table("activity_list").cells.values()
    names = {**report.intervention_names, "forbundet": "Förbundet"}
    free = set()
    for part in scope:
        if part not in rows:
            free.add(part)
            continue
        listed = sum(c["count"] for c in listing if c["intervention"] == names[part] and c["count"] is not None)
        if rows[part]["count"] is not None and rows[part]["count"] == listed:
            free.add(part)
    return free


@pytest.mark.parametrize("seminars", [True, False])
@pytest.mark.parametrize("k", range(5))
def test_a_new_publications_structure_does_not_complete_earlier_ones(example_association, seminars, k):
    """Novum: 5 SIP meetings in March; FINSAM-team: 4 SIP meetings (k of them in September, the rest
    in March) and, with ``seminars``, 5 seminars in March. Novum's first half and the whole year
    published, the whole first half then showed which parts had SIP meetings: once, FINSAM-team's row
    equal to its listed seminars (or absent), the förbund's own row 0, the other insatser absent. So
    the first half had Novum's 5 and the second half the year's minus 5, though no cell showed a
    small count. Then leaving the activity tables out, exactly when k was 4, told the same
    (docs/decisions.md, "A publication's structure says nothing"). Now every part is a row whatever
    it held, a count row that may be hidden; a publication that still completes them is refused."""
    association, admin = example_association
    assert association.masking_threshold == 5  # so that every k of 1-4 is a small count
    _import(association, admin, _sip("novum", "2024-03-01", 5) + _sip("finsam-team", "2024-03-05", 4 - k)
            + _sip("finsam-team", "2024-09-01", k) + (_seminars("finsam-team", "2024-03-03", 5) if seminars else b""))
    published = _publish_or_refuse(association, admin, [(NOVUM, D_H1), (WHOLE, D_YEAR), (WHOLE, D_H1)])
    novum, year, h1 = (published[key] for key in [(NOVUM, D_H1), (WHOLE, D_YEAR), (WHOLE, D_H1)])
    assert novum is not None and year is not None
    if h1 is None:
        return  # refused: nothing a reader sees
    assert not h1.omitted and {"activities", "activities_by_intervention"} <= {t.id for t in h1.tables}
    novum_sip, year_sip, h1_sip = _sip_counts(novum, year, h1)
    # the reader's computations: the year minus its first half; the year minus Novum's first half
    # when every other part shows it held no SIP meeting in the first half
    if year_sip is not None and h1_sip is not None:
        assert not 0 < year_sip - h1_sip < 5
    scope = [s for s in h1.intervention_names if s != "novum"] + ["forbundet"]
    if year_sip is not None and novum_sip is not None and _parts_without_sip(h1, scope) == set(scope):
        assert not 0 < year_sip - novum_sip < 5, f"the second half's SIP meetings: {year_sip} - {novum_sip}"


def test_a_kind_missing_from_a_publication_is_known_to_be_zero(example_association):
    """Novum: 5 SIP meetings in March; FINSAM-team: 2 SIP meetings in March and seminars in both
    halves. The year (7 SIP meetings) and Novum's first half (5) published; the second half then had
    no SIP row at all, which tells a reader the second half held none: the first half had 7, of which
    FINSAM-team's were 7 - 5 = 2 (the förbund's own row is 0)."""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", 5) + _sip("finsam-team", "2024-03-02", 2)
            + _seminars("finsam-team", "2024-03-03", 5) + _seminars("finsam-team", "2024-09-03", 5))
    published = _publish_or_refuse(association, admin, [(WHOLE, D_YEAR), (NOVUM, D_H1), (WHOLE, D_H2)])
    year, novum, h2 = (published[k] for k in [(WHOLE, D_YEAR), (NOVUM, D_H1), (WHOLE, D_H2)])
    assert year is not None
    if novum is None or h2 is None:
        return  # refused
    year_sip, novum_sip = _sip_counts(year, novum)
    ids = {t.id for t in h2.tables}
    shows_no_sip = "activities" in ids and h2.table("activities").cells.get("sip_mote", {}).get("count", 0) == 0
    own = year.table("activities_by_intervention").cells.get("forbundet", {}).get("count") if \
        "activities_by_intervention" in {t.id for t in year.tables} else None
    assert not (shows_no_sip and year_sip is not None and novum_sip is not None and own == 0
                and 0 < year_sip - novum_sip < 5), f"FINSAM-team's first half: {year_sip} - {novum_sip}"


def test_what_a_publication_shows_was_held_by_nobody_is_a_known_zero(example_association):
    """The table per kind lists the kinds held: a kind it leaves out (and, with no SIP row, every
    part's SIP meetings) is 0 for every part of the scope in the period; a kind it shows is not."""
    from finsam.activities.report_tables import INDIVIDUAL
    from finsam.statistics.differencing import _empty_parts

    association, admin = example_association
    _import(association, admin, _seminars("finsam-team", "2024-09-03", 5) + _sip("novum", "2024-03-01", 5))
    # FINSAM-team held seminars in the second half (so it is in the table per insats), no SIP meeting;
    # Novum held SIP meetings in the first half
    for period, part, sip_held in [(D_H2, "finsam-team", False), (D_H1, "novum", True)]:
        zeros = _empty_parts([compute_report(association, *period)])
        known = lambda *cell: any(holds(*cell) for _, _, holds, _ in zeros.get(part, ()))  # noqa: E731
        assert known("activities", "sip_mote", "count") is not sip_held
        assert known(INDIVIDUAL, "totalt", "count") is not sip_held
        assert known("activities", "seminarium", "count") is sip_held  # the seminars were in September
        assert not known("activities", "totalt", "count")


SIP_ATOM = ("atom", "activities", "sip_mote", "count", "finsam-team", D(2024, 7, 1), D(2024, 12, 31))
EXITS_ATOM = ("atom", "flow", "totalt", "exited_man", "finsam-team", D(2024, 7, 1), D(2024, 12, 31))


@pytest.mark.parametrize("revealed, about", [
    ({EXITS_ATOM}, "visa antal som"),  # a participant count: a 0 no cell of the new report can hide
    ({SIP_ATOM}, "visa antal om aktiviteter som"),
    ({SIP_ATOM, EXITS_ATOM}, "visa antal som"),
])
def test_what_publishing_does_with_what_the_check_finds(example_association, monkeypatch, revealed, about):
    """Whatever the check finds given away through what the new publication shows beyond the cells
    it may hide (StructureReveals) refuses it, with a Swedish message that says whether activities
    are concerned, and nothing is stored; leaving the activity tables out instead told a reader as
    much (docs/decisions.md)."""
    from finsam.reports import publishing
    from finsam.reports.models import PublishedReport
    from finsam.statistics.differencing import StructureReveals

    def reveals(report, threshold, earlier):
        assert "activities" in {t.id for t in report.tables}  # every table, none left out
        raise StructureReveals(revealed)

    association, admin = example_association
    _import(association, admin, _seminars("finsam-team", "2024-03-03", 5))
    monkeypatch.setattr(publishing, "mask_for_publication", reveals)
    with pytest.raises(publishing.PublishError, match=f"Rapporten kan inte publiceras: .* {about} är för små"):
        publish_report(association, date_from=D(2024, 1, 1), date_to=D(2024, 6, 30), interventions=[], title="R",
                       user=admin)
    assert not PublishedReport.objects.filter(association=association).exists()


def _publish_or_refuse(association, admin, publications):
    """As _publish_all, with None for a publication refused (PublishError)."""
    from finsam.reports.publishing import PublishError

    published = {}
    for scope, period in publications:
        try:
            published[(scope, period)] = _published(association, admin, *period, scope, title=f"{scope} {period}")
        except PublishError:
            published[(scope, period)] = None
    return published


def test_a_period_without_any_activity_is_known_to_be_zero(example_association):
    """Novum: 5 SIP meetings in March; FINSAM-team: 2 SIP meetings and 5 seminars in March, nothing
    in the second half. The year (7 SIP meetings, FINSAM-team and Novum the only parts with
    activities) and Novum's first half (5) published; the second half then had no activity table at
    all (no activity in the period), which tells a reader every part held nothing then: Novum's
    year is its first half's 5, and FINSAM-team's SIP meetings are 7 - 5 = 2. Now the tables are
    there with their zeros (masked like any count); such a publication is refused when hiding does
    not help."""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", 5) + _sip("finsam-team", "2024-03-02", 2)
            + _seminars("finsam-team", "2024-03-03", 5))
    published = _publish_or_refuse(association, admin, [(WHOLE, D_YEAR), (NOVUM, D_H1), (WHOLE, D_H2)])
    year, novum, h2 = (published[k] for k in [(WHOLE, D_YEAR), (NOVUM, D_H1), (WHOLE, D_H2)])
    year_sip, novum_sip = _sip_counts(year, novum)
    if h2 is None:
        return  # refused
    # the second half shows every part's and kind's 0 (the tables are there, with their zeros)
    assert {"activities", "activities_by_intervention"} <= {t.id for t in h2.tables}
    counts = [c.get("count") for c in h2.table("activities_by_intervention").cells.values()]
    held_nothing = _sip_counts(h2) == (0,) or all(c == 0 for c in counts)
    assert not (held_nothing and year_sip is not None and novum_sip is not None and 0 < year_sip - novum_sip < 5), \
        f"FINSAM-team's SIP meetings: {year_sip} - {novum_sip}"


def test_an_organisation_missing_from_a_publication_is_known_to_be_zero(example_association):
    """SIP meetings of two attendees each: Novum 5 with Försäkringskassan (fk=2) in March and 5 with
    Arbetsförmedlingen (af=2) in September, FINSAM-team 2 with fk in March and 5 with af in September.
    The year (fk 14) and Novum's first half (fk 10) published; the second half then had no row fk in
    Deltagare per organisation: no fk attendance then, so the first half's was 14, of which
    FINSAM-team's (Novum and FINSAM-team the only parts with activities in the year) 14 - 10 = 4.
    Now the row is always there; its 0 is a count like any other."""
    association, admin = example_association
    header = b"insats;typ;titel;datum;format;deltagare_totalt;per_organisation\n"

    def sip(slug, day, n, organisation):
        return b"".join(f"{slug};sip_mote;SIP {i};{day};fysiskt;2;{organisation}=2\n".encode() for i in range(n))

    import_activities(header + sip("novum", "2024-03-01", 5, "fk") + sip("finsam-team", "2024-03-02", 2, "fk")
                      + sip("finsam-team", "2024-09-02", 5, "af") + sip("novum", "2024-09-03", 5, "af"), "a.csv",
                      row_context(Access.for_user(admin, association), today=D(2026, 11, 23)))
    published = _publish_or_refuse(association, admin, [(WHOLE, D_YEAR), (NOVUM, D_H1), (WHOLE, D_H2)])
    year, novum, h2 = (published[k] for k in [(WHOLE, D_YEAR), (NOVUM, D_H1), (WHOLE, D_H2)])
    if h2 is None:
        return  # refused
    cell = ("attendees_by_organisation", "fk", "count")
    year_fk, novum_fk, h2_fk = (_visible_counts(r).get(cell) for r in (year, novum, h2))
    assert h2_fk in (0, None)  # the row is there, 0 or hidden
    assert not (h2_fk == 0 and year_fk is not None and novum_fk is not None and 0 < year_fk - novum_fk < 5), \
        f"FINSAM-team's fk attendance in the first half: {year_fk} - {novum_fk}"



@pytest.mark.parametrize("sip, shown", [(6, True), (2, False)])
def test_a_listed_seminars_small_count_is_no_person_count(example_association, sip, shown):
    """A seminar of one occasion in an insats that also held SIP meetings is a count of the list (its
    insats's row minus it is the SIP meetings) but counts no persons: publication hides it only to
    protect the SIP meetings, never for its own sake (it hid the 1, and with it Novum's row and the
    totals, though Novum's 6 SIP meetings needed no protection). With 2 SIP meetings they are still
    protected."""
    association, admin = example_association
    _import(association, admin, _sip("novum", "2024-03-01", sip) + b"novum;seminarium;Seminarium;2024-03-07;fysiskt;20\n")
    report = _published(association, admin, *D_H1)
    listed = next(iter(report.table("activity_list").cells.values()))
    novum = report.table("activities_by_intervention").cells["novum"]["count"]
    sip_row = report.table("activities").cells["sip_mote"]["count"]
    if shown:
        assert (listed["count"], novum, sip_row) == (1, sip + 1, sip)
    else:
        assert sip_row is None and (novum is None or listed["count"] is None)


def test_the_series_table_counts_no_sip_meeting_and_no_person(example_association):
    """A series holding SIP meetings counts only its other meetings, and none of its numbers is a
    count: nothing a publication of it shows or leaves out says anything of SIP meetings, which is
    why it declares no known zeros (``empty``) and masking gives it no atoms."""
    association, admin = example_association
    header = b"insats;typ;titel;datum;format;deltagare_totalt;serie;status\n"
    body = (b"finsam-team;sip_mote;SIP;2024-03-01;fysiskt;2;samordning;\n"
            b"finsam-team;sip_mote;SIP;2024-04-01;fysiskt;;samordning;installd\n"
            b"finsam-team;seminarium;Frukost;2024-04-02;fysiskt;;samordning;installd\n"
            b"finsam-team;seminarium;Frukost;2024-03-02;fysiskt;30;samordning;\n"
            b"novum;sip_mote;SIP;2024-03-03;fysiskt;3;bara-sip;\n")
    import_activities(header + body, "a.csv", row_context(Access.for_user(admin, association), today=D(2026, 11, 23)))
    table = compute_report(association, *YEAR, tables=["activity_series"]).table("activity_series")
    assert table.cells == {"samordning": {"count": 1, "cancelled": 1, "attendees_totalt": 30}}
    assert table.measures == {("samordning", col) for col in ("count", "cancelled", "attendees_totalt")}
    assert table.notes  # says SIP meetings are counted elsewhere
