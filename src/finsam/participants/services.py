"""Writing participations: the one path used by the import, the forms and the commands.

Every change writes a ParticipationChange row (who, when, which fields). Identity values are
never written to the history, only that they changed.
"""

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When

from finsam import codes
from finsam.tenancy.models import mark_data_changed

from . import bulk
from .models import Participation, ParticipationChange, SupportRecord, TargetGroupRecord, age_at

SCALAR_FIELDS = [
    "intervention_id", "reference", "person_key", "anonymous", "pseudonymous", "gender", "legal_gender", "birth_year",
    "birth_month", "consent_date", "consent_form", "consent_text_version", "start_date", "end_date", "referrer",
    "referring_unit", "education", "time_on_support", "time_without_work", "municipality", "born_abroad",
    "impairment", "violence_questions", "exit_reason", "age_at_start", "support_at_entry_and_exit",
]
SET_FIELDS = ["target_groups", "support_entry", "support_exit"]
SECRET_FIELDS = {"person_key"}
PERSONAL_FIELDS = [
    f for f in SCALAR_FIELDS
    if f not in ("intervention_id", "reference", "anonymous", "pseudonymous", "gender", "start_date", "end_date")
]
# What an identified participation keeps when a row without personnummer updates it.
IDENTITY_FIELDS = ("person_key", "legal_gender", "birth_year", "birth_month")


# Given consent is changed by nothing but a withdrawal (which anonymises): an edit, an exit or an
# import update keeps what was stored.
CONSENT_FIELDS = ("consent_date", "consent_form", "consent_text_version")

# First half of the PostgreSQL advisory-lock key that serialises writes of participations per
# förbund (the second half is the association id). Any constant unused elsewhere would do.
WRITE_LOCK_NAMESPACE = 0x46494E53  # "FINS"


class ConcurrentEditError(Exception):
    """Someone else saved the participation after it was read."""


class AlreadyRegistered(Exception):
    """The database refused a participation that already exists: the same referens, or the same
    person and start date, in the insats (typically written at the same moment by someone else)."""


class SamePersonOtherReference(Exception):
    """A row with a referens names a person and start date stored under another referens."""

    def __init__(self, line, reference):
        super().__init__(line, reference)
        self.line, self.reference = line, reference


class SameParticipationTwice(Exception):
    """Two rows of one file identify the same stored participation."""

    def __init__(self, line, first_line):
        super().__init__(line, first_line)
        self.line, self.first_line = line, first_line


def current_values(participation):
    values = {f: getattr(participation, f) for f in SCALAR_FIELDS}
    support = list(participation.support.all())
    values["support_entry"] = sorted(s.code for s in support if s.phase == SupportRecord.ENTRY)
    values["support_exit"] = sorted(s.code for s in support if s.phase == SupportRecord.EXIT)
    values["target_groups"] = sorted(t.code for t in participation.target_group_records.all())
    return values


def _row_values(row):
    values = {f: row.get(f, "") for f in SCALAR_FIELDS if f != "intervention_id"}
    values["intervention_id"] = row["intervention"].pk
    for f in ("birth_year", "birth_month", "consent_date", "start_date", "end_date"):
        values[f] = row.get(f)
    values["anonymous"] = bool(row.get("anonymous"))
    values["pseudonymous"] = bool(row.get("pseudonymous")) and not values["anonymous"]
    values["age_at_start"] = age_at(values["birth_year"], values["birth_month"], values["start_date"])
    for f in SET_FIELDS:
        values[f] = sorted(row.get(f) or [])
    values["support_at_entry_and_exit"] = bool(values["support_entry"]) and bool(values["support_exit"])
    return values


def _diff(old, new):
    changes = {}
    for key, value in new.items():
        if old.get(key) != value:
            if key in SECRET_FIELDS:
                changes[key] = ["(dolt)", "(dolt)"]
            else:
                changes[key] = [_jsonable(old.get(key)), _jsonable(value)]
    return changes


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _write_children(ids_with_values):
    """Support and target-group rows for (participation id, values) pairs."""
    bulk.insert(SupportRecord, [
        {"participation_id": pk, "phase": phase, "code": code}
        for pk, values in ids_with_values
        for phase, key in ((SupportRecord.ENTRY, "support_entry"), (SupportRecord.EXIT, "support_exit"))
        for code in values[key]
    ])
    bulk.insert(TargetGroupRecord, [
        {"participation_id": pk, "code": code} for pk, values in ids_with_values for code in values["target_groups"]
    ])


def _apply(participation, values):
    for f in SCALAR_FIELDS:
        setattr(participation, f, values[f])


def _keep_identity(old, values):
    """An identified participation is never made pseudonymous: a non-anonymous row without
    personnummer (a re-imported export, an edit) keeps the identity stored. The row validator
    does this already; this is the write path's guarantee (docs/decisions.md)."""
    if old["person_key"] and not values["person_key"] and not values["anonymous"]:
        for f in IDENTITY_FIELDS:
            values[f] = old[f]
        values["pseudonymous"] = False
        values["age_at_start"] = age_at(values["birth_year"], values["birth_month"], values["start_date"])


def _keep_consent(old, values):
    if old["consent_date"] is not None and not values["anonymous"]:
        for f in CONSENT_FIELDS:
            values[f] = old[f]


def lock_participant_writes(association_id):
    """Serialise writers of one förbund's participations until the transaction ends, so that the
    check "is this participation stored already?" and the insert that follows cannot interleave
    with another import or registration. PostgreSQL: a transaction-level advisory lock. SQLite
    serialises every writer already (transactions begin IMMEDIATE, settings.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [WRITE_LOCK_NAMESPACE, association_id])


UPSERT_CHUNK = 2000


@transaction.atomic
def upsert_participations(association, rows, *, user, progress=None):
    """Create or update participations from cleaned import rows, in one transaction. Rows are
    matched and written a chunk at a time so that memory stays bounded for large files;
    ``progress(done, total)`` hears after each chunk (nothing is committed until the end).
    Returns an ImportSummary."""
    from .importing import ImportSummary

    summary = ImportSummary()
    lock_participant_writes(association.pk)
    matched = {}  # participation id -> line of the row that matched it
    try:
        with transaction.atomic():
            for start in range(0, len(rows), UPSERT_CHUNK):
                if progress:
                    progress(start, len(rows))
                _upsert_chunk(association, rows[start:start + UPSERT_CHUNK], user, summary, matched)
            if progress:
                progress(len(rows), len(rows))
    except IntegrityError:
        raise AlreadyRegistered from None
    if summary.created or summary.updated:
        mark_data_changed(association.pk)
    return summary


def _upsert_chunk(association, rows, user, summary, matched):
    intervention_ids = {row["intervention"].pk for row in rows}
    refs = {row["reference"] for row in rows if row["reference"]}
    keys = {key for row in rows for key in [row["person_key"], *row.get("previous_person_keys", [])] if key}
    existing = Participation.objects.filter(association=association, intervention_id__in=intervention_ids).filter(
        Q(reference__in=refs) | Q(person_key__in=keys)
    ).prefetch_related("support", "target_group_records")
    index = {}
    for p in existing:
        if p.reference:
            index[(p.intervention_id, "ref", p.reference)] = p
        if p.person_key:
            index.setdefault((p.intervention_id, "pnr", p.person_key, p.start_date), p)

    to_create, to_update = [], []
    for row in rows:
        values = _row_values(row)
        match = index.get(row["identity"])
        if match is None:
            # Identified by identity number and start date; a row stored under the key from before
            # a rotation is found too, and re-keyed by the update. A row with a referens finds the
            # same person's participation stored without one (and gives it the referens); stored
            # under another referens it is refused: the database holds one per person and start.
            for key in [row["person_key"], *row.get("previous_person_keys", [])]:
                if match is None and key:
                    match = index.get((values["intervention_id"], "pnr", key, row["start_date"]))
            if match is not None and row["reference"] and match.reference:
                raise SamePersonOtherReference(row.get("line"), match.reference)
        if match is None:
            to_create.append(values)
            continue
        if match.pk in matched:
            raise SameParticipationTwice(row.get("line"), matched[match.pk])
        matched[match.pk] = row.get("line")
        old = current_values(match)
        if not values["reference"]:
            values["reference"] = old["reference"]
        _keep_identity(old, values)
        _keep_consent(old, values)
        changes = _diff(old, values)
        if changes:
            to_update.append((match, values, changes))
        else:
            summary.unchanged += 1

    created = bulk.insert(
        Participation, [{"association_id": association.pk, **{f: v[f] for f in SCALAR_FIELDS}} for v in to_create],
        returning=True,
    )
    _write_children(list(zip(created, to_create)))
    bulk.insert(ParticipationChange, [
        {"participation_id": pk, "user_id": user.pk if user else None, "action": "imported", "changes": {}}
        for pk in created
    ])
    summary.created += len(created)
    summary.pseudonymous += sum(1 for v in to_create if v["pseudonymous"])

    for participation, values, changes in to_update:
        _apply(participation, values)
        participation.version = F("version") + 1
        participation.save()
        participation.support.all().delete()
        participation.target_group_records.all().delete()
        ParticipationChange.objects.create(participation=participation, user=user, action="updated", changes=changes)
    _write_children([(p.pk, v) for p, v, _ in to_update])
    summary.updated += len(to_update)


@transaction.atomic
def save_participation(participation, row, *, user, expected_version=None, action="updated"):
    """Create (``participation.pk`` None) or update one participation from a cleaned row (see
    importing.RowContext.clean_row). An update must name the ``expected_version`` it was read at
    (optimistic locking; there is no default, so that a caller cannot skip the check), and is
    refused with ConcurrentEditError when someone else saved in between. AlreadyRegistered when
    the database already holds the participation."""
    values = _row_values(row)
    lock_participant_writes(participation.association_id)
    if participation.pk is None:
        _apply(participation, values)
        try:
            with transaction.atomic():
                participation.save()
        except IntegrityError:
            participation.pk = None
            raise AlreadyRegistered from None
        _write_children([(participation.pk, values)])
        ParticipationChange.objects.create(participation=participation, user=user, action="created", changes={})
        return participation  # participation.save() marked the data changed (statistics/cache.py)
    if not isinstance(expected_version, int) or isinstance(expected_version, bool) or expected_version < 1:
        raise ValueError("An update must name the version the participation was read at.")
    old = current_values(participation)
    _keep_identity(old, values)
    _keep_consent(old, values)
    changes = _diff(old, values)
    if not changes:
        return participation  # what is stored is what was posted: nothing to write, nothing lost
    scalar = {f: values[f] for f in SCALAR_FIELDS}
    try:
        with transaction.atomic():
            updated = Participation.objects.filter(pk=participation.pk, version=expected_version).update(
                **scalar, version=F("version") + 1
            )
    except IntegrityError:
        raise AlreadyRegistered from None
    if not updated:
        raise ConcurrentEditError
    participation.support.all().delete()
    participation.target_group_records.all().delete()
    _write_children([(participation.pk, values)])
    ParticipationChange.objects.create(participation=participation, user=user, action=action, changes=changes)
    mark_data_changed(participation.association_id)
    participation.refresh_from_db()
    return participation


def same_person(participation):
    """Every participation of the person behind ``participation`` in its förbund (consent
    withdrawal): by the person's key; a participation without one (pseudonymous, anonymous) is
    nobody else's, so only itself."""
    if not participation.person_key:
        return Participation.objects.filter(pk=participation.pk)
    return Participation.objects.filter(association_id=participation.association_id,
                                        person_key=participation.person_key)


@transaction.atomic
def anonymise(participations, *, user, action="anonymised"):
    """Make participations anonymous in one step: identity key and every personal variable
    removed, keeping insats, reference, gender and dates (so volume counts stay the same)."""
    rows = list(participations.values_list("pk", "association_id"))
    ids = [pk for pk, _ in rows]
    for association_id in {a for _, a in rows}:
        mark_data_changed(association_id)
    blank = {f: None if f in ("birth_year", "birth_month", "consent_date", "age_at_start") else "" for f in PERSONAL_FIELDS}
    blank["support_at_entry_and_exit"] = False  # the support rows go too
    # A participation marked as a mistake stays one: it must not start counting again.
    excluded = codes.EXIT_REASON_EXCLUDED
    blank["exit_reason"] = Case(When(exit_reason=excluded, then=Value(excluded)), default=Value(""))
    # Anonymous is not pseudonymous (the database's participation_pseudonymous_has_no_key).
    Participation.objects.filter(pk__in=ids).update(anonymous=True, pseudonymous=False, **blank,
                                                    version=F("version") + 1)
    SupportRecord.objects.filter(participation_id__in=ids).delete()
    TargetGroupRecord.objects.filter(participation_id__in=ids).delete()
    # The history of an anonymised participation could tell its answers: keep only the events.
    ParticipationChange.objects.filter(participation_id__in=ids).update(changes={})
    ParticipationChange.objects.bulk_create(
        [ParticipationChange(participation_id=pk, user=user, action=action, changes={}) for pk in ids]
    )
    return len(ids)


# Kept by retention: what the report tables count. Cleared: what only links a row to a person or
# serves the project leader's own work.
RETENTION_CLEARED = {
    "reference": "", "consent_date": None, "consent_form": "", "consent_text_version": "", "legal_gender": "",
    "referring_unit": "", "time_without_work": "", "born_abroad": "", "impairment": "", "violence_questions": "",
}


@transaction.atomic
def deidentify(participations, *, now):
    """Retention (gallring): remove what identifies the people behind ``participations`` while every
    report table stays the same. Each person's key becomes a random surrogate shared by that
    person's participations in this run (so unique-person counts hold) and which no identity
    number leads back to. A pseudonymous participation has no key: its referens (its only link to
    the förbund's own records) is cleared, and it stays pseudonymous, an individual of its own in
    ``unique`` as before. Returns the number of participations changed."""
    import secrets

    rows = list(participations.filter(deidentified_at__isnull=True).values_list("pk", "person_key", "association_id"))
    for association_id in {a for _, _, a in rows}:
        mark_data_changed(association_id)  # the counts stay the same, but the cache is not the place to rely on it
    surrogates = {}
    for pk, key, _ in rows:
        surrogate = ""
        if key:
            surrogate = surrogates.setdefault(key, "gallrad-" + secrets.token_hex(24))
        Participation.objects.filter(pk=pk).update(
            person_key=surrogate, deidentified_at=now, version=F("version") + 1, **RETENTION_CLEARED
        )
    ids = [pk for pk, _, _ in rows]
    ParticipationChange.objects.filter(participation_id__in=ids).update(changes={})
    ParticipationChange.objects.bulk_create(
        [ParticipationChange(participation_id=pk, user=None, action="deidentified", changes={}) for pk in ids]
    )
    return len(ids)


# Corrections (issue 10): a registration made by mistake is marked felregistrering (it then counts
# in no table, statistics/engine.py) or, when it holds no identity, deleted; an exit made by
# mistake is reopened. Each takes the version the participation was read at, like any edit.

DELETABLE_KINDS = ("anonymous", "pseudonymous")


class NotDeletable(Exception):
    """Identified participations are not deleted from the UI: retention (gallring) handles them."""


def _as_row(participation):
    row = current_values(participation)
    row["intervention"] = participation.intervention
    return row


def mark_mistaken(participation, *, user, expected_version):
    """Exit reason ``felregistrering``; an ongoing participation gets its start date as end date
    (an exit reason needs an end date, in the form and in the participant file)."""
    row = _as_row(participation)
    row["exit_reason"] = codes.EXIT_REASON_EXCLUDED
    row["end_date"] = participation.end_date or participation.start_date
    return save_participation(participation, row, user=user, expected_version=expected_version,
                              action="marked_mistaken")


def reopen(participation, *, user, expected_version):
    """Undo an exit: end date, exit reason and support after exit cleared. Logged as "reopened"
    with the old values (save_participation writes the change)."""
    row = _as_row(participation)
    row.update(end_date=None, exit_reason="", support_exit=[])
    return save_participation(participation, row, user=user, expected_version=expected_version, action="reopened")


@transaction.atomic
def delete_participation(participation, *, expected_version):
    """Delete an anonymous or pseudonymous participation with its history. The caller logs the
    deletion (who, which, why) in the access log, which outlives the row. ConcurrentEditError
    when it changed since it was read (or is gone)."""
    if participation.kind not in DELETABLE_KINDS:
        raise NotDeletable
    lock_participant_writes(participation.association_id)
    deleted, _ = Participation.objects.filter(pk=participation.pk, version=expected_version).delete()
    if not deleted:
        raise ConcurrentEditError
    mark_data_changed(participation.association_id)
