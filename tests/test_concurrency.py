"""Concurrent writes of participations (issue 9, class 3).

On PostgreSQL the writers really run at once: threads, each with its own database connection,
released together by a barrier. SQLite takes the write lock at BEGIN (transaction_mode
IMMEDIATE), so its writers run one after another whatever the threads do, and its in-memory test
database cannot be shared by writing threads; there the same writers run one after another and
the database constraint is tested directly. The outcome asked for is the same on both.
"""

import contextvars
import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from finsam.participants.importing import ImportRefused, import_file
from finsam.participants.models import Participation
from tests.test_participants import register_data, url

TODAY = datetime.date(2026, 11, 23)
HEADER = "insats;personnummer;startdatum;samtycke_datum;utbildning"


def identity_number(n):
    """A valid personnummer (date and Luhn check) for each n."""
    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=n)
    serial = f"{born:%y%m%d}{n % 1000:03d}"
    total = 0
    for position, digit in enumerate(serial):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{born:%Y%m%d}-{serial[6:]}{(10 - total % 10) % 10}"


def participant_file(intervention, count):
    rows = [f"{intervention.slug};{identity_number(n)};2024-02-{1 + n % 28:02d};2024-02-01;gymnasial"
            for n in range(count)]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def run_together(writers):
    """Run each writer (a function of no arguments) in its own thread with its own connection,
    released at the same moment; on SQLite one after another. Returns what each returned or
    raised."""
    results = [None] * len(writers)

    def call(i):
        try:
            results[i] = ("ok", writers[i]())
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            results[i] = ("error", error)

    if connection.vendor != "postgresql":
        for i in range(len(writers)):
            call(i)
        return results
    barrier = threading.Barrier(len(writers))

    def thread(i):
        try:
            barrier.wait(timeout=30)
            call(i)
        finally:
            connections.close_all()

    # Each writer runs as the test body does, with its scoping state (tests/conftest.py): a new thread
    # would start without it, as a request does.
    threads = [threading.Thread(target=contextvars.copy_context().run, args=(thread, i)) for i in range(len(writers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer did not finish (deadlock?)"
    return results


def _import(world, data):
    def writer():
        return import_file(data, "samma-fil.csv", association=world.alfa, user=world.users["admin"],
                           interventions=world.alfa.interventions.all(), today=TODAY)
    return writer


@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_four_times_at_once_is_stored_once(world):
    """Issue 9: on PostgreSQL four simultaneous imports of one file stored every participation four
    times. Now imports of one förbund take turns (advisory lock) and the database refuses a second
    copy: every import succeeds, the first creates, the others find the rows already there."""
    data = participant_file(world.assigned, 60)
    before = Participation.objects.count()
    results = run_together([_import(world, data) for _ in range(4)])
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert Participation.objects.count() - before == 60
    assert sorted(summary.created for _, summary in results) == [0, 0, 0, 60]
    assert sorted(summary.unchanged for _, summary in results) == [0, 60, 60, 60]


def _register(world, data):
    def writer():
        client = Client()
        client.force_login(world.users["manager"])
        return client.post(url("create", world), data)
    return writer


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_registration_is_stored_once_and_the_second_is_told(world):
    data = register_data(referens=None)  # identified by identity number and start date only
    results = run_together([_register(world, data), _register(world, data)])
    assert all(kind == "ok" for kind, _ in results), results  # no exception, no 500
    statuses = sorted(response.status_code for _, response in results)
    assert statuses == [200, 302]
    assert Participation.objects.filter(intervention=world.assigned, start_date=datetime.date(2025, 1, 15)).count() == 1
    refused = next(response for _, response in results if response.status_code == 200).content.decode()
    assert ("Deltagandet finns redan" in refused
            or "Personen har redan ett deltagande i insatsen med samma startdatum." in refused)


@pytest.mark.django_db(transaction=True)
def test_a_registration_racing_an_import_of_the_same_participation_is_stored_once(world):
    data = f"{HEADER}\n{world.assigned.slug};19850314-1239;2025-01-15;2025-01-15;gymnasial\n".encode()
    results = run_together([_import(world, data), _register(world, register_data(referens=None))])
    (import_kind, imported), (register_kind, response) = results
    assert import_kind == "ok" or isinstance(imported, ImportRefused), results
    assert register_kind == "ok" and response.status_code in (200, 302), results
    assert Participation.objects.filter(intervention=world.assigned, start_date=datetime.date(2025, 1, 15)).count() == 1


def test_the_database_refuses_a_second_participation_of_one_person_and_start(world):
    """The constraint itself, on both databases: whatever the referens."""
    original = world.participation
    copy = {f.attname: getattr(original, f.attname) for f in Participation._meta.concrete_fields if not f.primary_key}
    for reference in ("A-1-kopia", ""):
        with pytest.raises(IntegrityError), transaction.atomic():
            Participation.objects.create(**{**copy, "reference": reference})
    # Without a key (anonymous, anonymised) a participation is identified by its referens.
    anonymous = {**copy, "person_key": "", "anonymous": True, "reference": "AN-1"}
    Participation.objects.create(**anonymous)
    Participation.objects.create(**{**anonymous, "reference": "AN-2"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(**{**anonymous, "reference": "AN-2"})


@pytest.mark.django_db(transaction=True)
def test_two_administrators_removing_each_other_at_once_leave_one(world):
    """Found by the class-5 work: on PostgreSQL the two removals deadlocked and one was a 500. The
    administrator rows are now locked in one order, so they take turns: one is removed, the other
    is told that the förbund needs an administrator."""
    from django.urls import reverse

    from finsam.tenancy.models import Role, RoleAssignment
    from tests.conftest import make_user

    def remove(actor, subject):
        def writer():
            client = Client()
            client.force_login(actor)
            return client.post(reverse("tenancy:user_edit", args=[world.alfa.slug, subject.pk]), {"roles": []})
        return writer

    remaining = world.users["admin"]
    for round_ in range(4):  # a race is not won the same way every time: run it a few times
        newcomer = make_user(f"admin{round_}@alfa.se", world.alfa, Role.ADMIN)
        results = run_together([remove(remaining, newcomer), remove(newcomer, remaining)])
        assert all(kind == "ok" for kind, _ in results), results
        statuses = sorted(response.status_code for _, response in results)
        # At once, the second is told; when one was done before the other began (always on SQLite,
        # now and then on PostgreSQL), the second is no longer in the förbund at all. Never a 500.
        assert statuses in ([200, 302], [302, 404]), statuses
        if statuses == [200, 302]:
            refused = next(response for _, response in results if response.status_code == 200).content.decode()
            assert "Förbundet måste ha minst en förbundsadministratör." in refused
        admins = RoleAssignment.objects.filter(association=world.alfa, role=Role.ADMIN)
        assert admins.count() == 1
        remaining = admins.get().user
    assert RoleAssignment.objects.filter(association=world.alfa, role=Role.ADMIN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_answers_file_imported_at_once_is_stored_once(exempelstad):
    """Survey answers (finsam import-answers): imports lock the rounds they write, so the second
    import finds the first's ids (keyed hash of round and svar_id) and creates nothing."""
    from finsam.surveys.answers import import_answers
    from finsam.surveys.models import ImportId, Response
    from tests.test_survey_tables import DATA, load_surveys

    load_surveys(exempelstad, answers=False)
    data = (DATA / "exempel-svar.csv").read_bytes()

    def writer():
        return import_answers(data, "exempel-svar.csv", exempelstad)

    results = run_together([writer, writer, writer])
    assert [kind for kind, _ in results] == ["ok"] * 3, results
    assert sorted(summary.created for _, summary in results) == [0, 0, 88]
    assert Response.objects.count() == 88 == ImportId.objects.count()
