"""The attack on "A publication's structure says nothing" (issue 9, class 1): a board member holding
the published reports of a förbund works a SIP count (persons, 1-4 with threshold 5) out of the
visible cells alone. Each test is one reader's computation, in numbers, on publications made the
way the kansli makes them (publish_report)."""

import datetime

import pytest

from finsam.activities.access import row_context
from finsam.activities.importing import import_activities
from finsam.reports.publishing import PublishError, publish_report
from finsam.statistics.tables import COUNT, thaw
from finsam.tenancy.permissions import Access

D = datetime.date
Y, H1, H2 = (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 1, 1), D(2024, 6, 30)), (D(2024, 7, 1), D(2024, 12, 31))
HEADER = "referens;insats;typ;titel;datum;format;deltagare_totalt;per_organisation;per_roll\n"


def _import(association, admin, rows):
    """rows: (referens, insats slug or "" for the förbund's own, typ, datum, deltagare_totalt[,
    per_organisation[, per_roll]])."""
    body = ""
    for ref, slug, kind, day, attendees, *splits in rows:
        organisations, roles = (*splits, "", "")[:2]
        body += f'{ref};{slug};{kind};{kind} {ref};{day};fysiskt;{attendees};"{organisations}";"{roles}"\n'
    import_activities((HEADER + body).encode(), "a.csv",
                      row_context(Access.for_user(admin, association), today=D(2026, 11, 23)))


FULL_HEADER = ("referens;insats;typ;titel;datum;format;deltagare_totalt;deltagare_kvinna;deltagare_man;"
               "deltagare_annat_ej_angivet;per_organisation;per_roll\n")


def _import_full(association, admin, lines):
    """lines: rows of FULL_HEADER's columns, as in a file."""
    import_activities((FULL_HEADER + "".join(f"{line}\n" for line in lines)).encode(), "a.csv",
                      row_context(Access.for_user(admin, association), today=D(2026, 11, 23)))


def _publish(association, admin, period, interventions=()):
    """The thawed publication, or None when refused (a refusal is seen by the analyst, not a reader)."""
    try:
        published = publish_report(association, date_from=period[0], date_to=period[1],
                                   interventions=list(interventions), title="R", user=admin)
    except PublishError:
        return None
    return thaw(published.content)


def _shown(report, table_id, row, col):
    """The visible count of a cell, None when hidden (or no such table, row or column)."""
    table = next((t for t in report.tables if t.id == table_id), None)
    if table is None or row not in table.cells:
        return None
    value = table.cells[row].get(col)
    return value if isinstance(value, int) and table.kind(row, col) == COUNT else None


def _number(report, table_id, row, col):
    """Any visible number of a cell (a count or a measure), None when hidden or absent."""
    table = next((t for t in report.tables if t.id == table_id), None)
    value = table.cells.get(row, {}).get(col) if table is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _small(value):
    return value is not None and 0 < value < 5


def test_sip_meetings_are_not_recorded_without_attendance(example_association):
    """Novum: 2 SIP meetings recorded with deltagare_totalt 0 were allowed (a whole number >= 0); the
    masking takes an attendance of 0 for no meeting held (zero_implies, as a reader would) and so
    took the SIP row's count for a known 0 and showed it: SIP-möte 2. A held meeting of an
    individual kind now has at least one attendance: the file is refused, in Swedish."""
    from finsam.activities.models import Activity
    from finsam.participants.importing import ImportRefused

    association, admin = example_association
    with pytest.raises(ImportRefused) as refused:
        _import(association, admin, [(f"S{i}", "novum", "sip_mote", "2024-03-01", 0) for i in range(2)]
                + [(f"A{i}", "finsam-team", "seminarium", "2024-03-03", 20) for i in range(5)])
    messages = [e.message for e in refused.value.errors]
    assert len(messages) == 2 and all("ett genomfört sip-möte har minst en deltagare" in m for m in messages), messages
    assert not Activity.objects.filter(association=association).exists()


def _listed(report):
    """The listed activities: [(date, insats name)] (SIP meetings are never listed)."""
    return [(D.fromisoformat(c["date"]), c["intervention"]) for c in report.table("activity_list").cells.values()]


def test_the_list_tells_which_stretches_held_no_other_activity(example_association):
    """FINSAM-team: a SIP meeting on 2 June with 2 attendances, both medarbetare (per_roll); the
    förbund itself: one on 10 July with 4 (insatspersonal); Aktivitetsplatsen: a seminar on 19
    November with 36 (no roles). The year and then its second half published. Deltagare per roll
    shows medarbetare 2 in the year and 0 in the second half, so 2 in the first half; the year's
    list shows its only activity besides SIP meetings was in November, so those 2 are SIP
    attendances. The masking ties a row's attendances at other activities to the list only per
    publication (activities_split_other), not per stretch."""
    association, admin = example_association
    _import(association, admin, [("S1", "finsam-team", "sip_mote", "2024-06-02", 2, "annan=2", "medarbetare=2"),
                                 ("S2", "", "sip_mote", "2024-07-10", 4, "fk=2;af=2", "insatspersonal=4"),
                                 ("A1", "aktivitetsplatsen", "seminarium", "2024-11-19", 36, "fk=36")])
    year, h2 = _publish(association, admin, Y), _publish(association, admin, H2)
    assert year is not None
    if h2 is None:
        return  # refused
    assert all(day >= H2[0] for day, _ in _listed(year))  # nothing but SIP meetings in the first half
    for table_id, row in (("attendees_by_role", "medarbetare"), ("attendees_by_organisation", "annan")):
        whole, second = _shown(year, table_id, row, "count"), _shown(h2, table_id, row, "count")
        assert not (whole is not None and second is not None and _small(whole - second)), \
            f"{row}'s SIP attendances in the first half: {whole} - {second}"


def test_a_hidden_listed_seminar_is_its_kinds_row_minus_the_other_seminars(example_association):
    """The förbund itself: 5 SIP meetings (1 in June, 4 in July, 11 attendances) and a seminar in
    April (40); Aktivitetsplatsen: a seminar in November (36); FINSAM-team: 2 SIP meetings in
    October. The year, then its second half. The year hides the förbund's seminar in the list (to
    protect the förbund's SIP meetings: its row of Aktiviteter per insats minus its listed
    activities), but Seminarium/webbinarium in Aktiviteter per typ, a measure never hidden, is the
    sum of the listed seminars: 76 - 36 (the November seminar, the only one listed in the second
    half, whose row there is 36) = 40. So the förbund's SIP meetings were 5 - 1 = 4 in the year, and
    their attendances 51 - 40 = 11, of which 9 in the second half (its row there; it listed
    nothing then): 2 in the first."""
    association, admin = example_association
    _import_full(association, admin, [
        "A8;aktivitetsplatsen;seminarium;Sem 8;2024-11-19;digitalt;36;;;;fk=36;",
        'S12;finsam-team;sip_mote;SIP 12;2024-10-05;digitalt;2;2;0;0;"fk=2;civilsamhalle=0";',
        'S13;finsam-team;sip_mote;SIP 13;2024-10-21;digitalt;4;1;2;1;"kommun:0180=1;annat_forbund=3";',
        'S20;;sip_mote;SIP 20;2024-06-23;digitalt;2;2;0;0;"annat_forbund=0;fk=2";medarbetare=2',
        "S29;;sip_mote;SIP 29;2024-07-27;digitalt;1;0;0;1;;",
        "S31;;sip_mote;SIP 31;2024-07-26;fysiskt;4;4;0;0;;",
        'S32;;sip_mote;SIP 32;2024-07-10;fysiskt;4;3;1;0;"fk=2;af=2";insatspersonal=4',
        "A34;;seminarium;Sem 34;2024-04-11;digitalt;40;;;;fk=40;",
    ])
    year, h2 = _publish(association, admin, Y), _publish(association, admin, H2)
    assert year is not None
    seminars = [(c["date"], c["intervention"]) for c in year.table("activity_list").cells.values()]
    assert sorted(seminars) == [("2024-04-11", "Förbundet"), ("2024-11-19", "Aktivitetsplatsen")]
    for col, kind_col in (("count", "count"), ("attendees_totalt", "attendees_totalt")):
        # the November seminar: the second half's seminar row (it lists only that one), or the year's list
        november = _number(h2, "activities", "seminarium", kind_col) if h2 is not None else None
        november = _number(year, "activity_list", "A8", col) if november is None else november
        april = _number(year, "activity_list", "A34", col)
        if april is None and november is not None:
            april = year.table("activities").cells["seminarium"][kind_col] - november
        own = _shown(year, "activities_by_intervention", "forbundet", col)
        if april is not None and own is not None:
            assert not _small(own - april), f"the förbund's SIP meetings' {col} in the year: {own} - {april}"
            second = _shown(h2, "activities_by_intervention", "forbundet", col) if h2 is not None else None
            if second is not None:
                assert not _small(own - april - second), \
                    f"the förbund's SIP meetings' {col} in the first half: {own} - {april} - {second}"


def test_a_year_minus_its_first_half_per_organisation_does_not_give_sip_attendances_away(example_association):
    """IPS psykos: 2 SIP meetings in April (3 and 2 attendances, no organisation or role given);
    Novum: 2 in July, one with 2 attendances (fk, chefer), one with 1 (none given). No other
    activity. The first half, then the year: Ej uppdelat of Deltagare per organisation (and per
    roll) was 5 and 6, so the whole förbund's SIP meetings of the second half had 1 attendance
    without organisation. The rows of the attendee tables decompose into none, and virtual reports
    (the year minus its first half) had only the tables' cells, not their SIP parts
    (activities_split_individual)."""
    association, admin = example_association
    _import(association, admin, [("S1", "ips-psykos", "sip_mote", "2024-04-24", 3),
                                 ("S2", "ips-psykos", "sip_mote", "2024-04-03", 2),
                                 ("S3", "novum", "sip_mote", "2024-07-12", 2, "fk=2", "chefer=2"),
                                 ("S4", "novum", "sip_mote", "2024-07-10", 1)])
    h1, year = _publish(association, admin, H1), _publish(association, admin, Y)
    assert h1 is not None
    if year is None:
        return  # refused
    assert not year.table("activity_list").cells  # SIP meetings only
    for table_id in ("attendees_by_organisation", "attendees_by_role"):
        first, whole = _shown(h1, table_id, "ej_uppdelat", "count"), _shown(year, table_id, "ej_uppdelat", "count")
        assert not (first is not None and whole is not None and _small(whole - first)), \
            f"{table_id}: the second half's SIP attendances without a split: {whole} - {first}"


def test_a_year_minus_its_first_quarter_is_a_period_too(example_association):
    """IPS psykos: 2 SIP meetings in February (3 and 2 attendances); Novum: 2 in January (3 each)
    and 1 in September (3). IPS psykos and Novum's year, then the whole förbund's first half, then
    its first quarter: Novum's row of Aktiviteter per insats shows 9 attendances in the year and 6
    in the first quarter, so 3 from April to December (nothing listed). The masking checked each
    stretch between the publications' bounds (April-June, July-December) and a scope's part of
    each, not the rest of a period besides a smaller one published."""
    association, admin = example_association
    _import(association, admin, [("S1", "ips-psykos", "sip_mote", "2024-02-25", 3),
                                 ("S2", "ips-psykos", "sip_mote", "2024-02-07", 2),
                                 ("S3", "novum", "sip_mote", "2024-01-11", 3, "", "chefer=3"),
                                 ("S4", "novum", "sip_mote", "2024-01-13", 3),
                                 ("S5", "novum", "sip_mote", "2024-09-21", 3)])
    year = _publish(association, admin, Y, ("ips-psykos", "novum"))
    _publish(association, admin, H1)
    q1 = _publish(association, admin, (D(2024, 1, 1), D(2024, 3, 31)))
    assert year is not None
    if q1 is None:
        return  # refused
    for col in ("count", "attendees_totalt"):
        whole, first = (_shown(r, "activities_by_intervention", "novum", col) for r in (year, q1))
        assert not (whole is not None and first is not None and _small(whole - first)), \
            f"Novum's SIP meetings' {col} from April to December: {whole} - {first}"
