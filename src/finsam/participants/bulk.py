"""Multi-row INSERT for the import's bulk path.

It writes the same SQL as ``QuerySet.bulk_create`` (``INSERT … VALUES (…), (…) RETURNING id``) but
chooses each column's adapter once instead of preparing every value through the field API, which
made ``bulk_create`` spend ~60 % of an import preparing values (profiled with cProfile on 10 000
rows; see docs/performance.md). Only for models whose fields are plain values, dates, datetimes
and JSON.
"""

from django.db import connections, router
from django.db.models import DateField, DateTimeField, JSONField
from django.utils import timezone

MAX_PARAMETERS = {"sqlite": 32000, "postgresql": 60000}


def _adapter(field, connection, now):
    """A function from a row's value to the database value, or None when the driver takes the
    value as it is."""
    if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
        prepared = connection.ops.adapt_datetimefield_value(now)
        return lambda value: prepared
    if isinstance(field, DateTimeField):
        return lambda value: None if value is None else connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, DateField):
        return lambda value: None if value is None else connection.ops.adapt_datefield_value(value)
    if isinstance(field, JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert(model, rows, *, returning=False):
    """Insert ``rows`` (dicts of attribute name -> value; missing ones take the field default).
    Returns the new primary keys in order when ``returning``."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    adapters = [_adapter(f, connection, now) for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return _insert_unnest(connection, model, fields, adapters, defaults, rows, returning)
    head = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES ")
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    chunk = max(1, MAX_PARAMETERS.get(connection.vendor, 999) // len(fields))
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            batch = rows[start:start + chunk]
            params = []
            for row in batch:
                for field, adapt in zip(fields, adapters):
                    value = row.get(field.attname, defaults[field.attname])
                    params.append(value if adapt is None else adapt(value))
            cursor.execute(head + ", ".join([placeholder] * len(batch)) + tail, params)
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _insert_unnest(connection, model, fields, adapters, defaults, rows, returning):
    """PostgreSQL: one array parameter per column. A statement with a placeholder per value made
    psycopg spend most of an import parsing the statement (profiled); this one has ~30."""
    import json

    quote = connection.ops.quote_name
    names = [f"c{i}" for i in range(len(fields))]
    array_types, selects = [], []
    for field, name in zip(fields, names):
        if isinstance(field, JSONField):
            array_types.append("text[]")
            selects.append(f"{name}::jsonb")
        else:
            array_types.append(f"{field.db_type(connection)}[]")
            selects.append(name)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(selects)} FROM unnest({', '.join(f'%s::{t}' for t in array_types)}) "
        f"AS u({', '.join(names)})"
        + (f" RETURNING {quote(model._meta.pk.column)}" if returning else "")
    )
    columns = []
    for field, adapt in zip(fields, adapters):
        values = [row.get(field.attname, defaults[field.attname]) for row in rows]
        if isinstance(field, JSONField):
            values = [None if v is None else json.dumps(v) for v in values]
        elif adapt is not None:
            values = [adapt(v) for v in values]
        columns.append(values)
    ids = []
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        if returning:
            ids = [r[0] for r in cursor.fetchall()]
    return ids
