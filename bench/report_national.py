"""Benchmark: the national report (all associations) for one year and for all years, on
PostgreSQL, against what an analyst would do instead: a straightforward pandas script and DuckDB
queries over a Parquet export of the same data. The three must agree on the numbers they share
(checked, printed); then their times are compared in the same run.

Prepare the data once (about 15 minutes for 2 000 000 participations on these machines):
    createdb -h 127.0.0.1 -U root finsam_national
    DATABASE_URL=postgres://root@127.0.0.1:5432/finsam_national .venv/bin/finsam migrate
    DATABASE_URL=postgres://root@127.0.0.1:5432/finsam_national .venv/bin/finsam generate-data \\
        --associations 80 --participations 2000000 --seed 2026
Run (needs the bench extra: .venv/bin/pip install -e ".[test,bench]"):
    DATABASE_URL=postgres://root@127.0.0.1:5432/finsam_national .venv/bin/python bench/report_national.py
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
GENDERS = ["kvinna", "man", "annat_ej_angivet"]
WORK = ["arbete", "arbete_subventionerat"]


def timed(function, runs):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --- export ------------------------------------------------------------------------------------

TEXT = "string"
COLUMN_TYPES = {
    "participations": {"id": "int64", "association": TEXT, "gender": TEXT, "anonymous": "bool", "person_key": TEXT,
                       "age_at_start": "int64", "start_date": "date32", "end_date": "date32", "exit_reason": TEXT,
                       "education": TEXT, "time_on_support": TEXT, "referrer": TEXT, "municipality": TEXT},
    "support": {"participation_id": "int64", "phase": TEXT, "code": TEXT},
    "target_groups": {"participation_id": "int64", "code": TEXT},
}


def export_parquet(directory):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from django.db import connection

    queries = {
        "participations": """SELECT p.id, a.slug AS association, p.gender, p.anonymous, p.person_key,
            p.age_at_start, p.start_date, p.end_date, p.exit_reason, p.education, p.time_on_support, p.referrer,
            p.municipality FROM participants_participation p JOIN tenancy_association a ON a.id = p.association_id""",
        "support": "SELECT participation_id, phase, code FROM participants_supportrecord",
        "target_groups": "SELECT participation_id, code FROM participants_targetgrouprecord",
    }
    paths = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for name, sql in queries.items():
            csv_path = Path(directory) / f"{name}.csv"
            with open(csv_path, "wb") as out, raw.copy(f"COPY ({sql}) TO STDOUT WITH CSV HEADER") as copy:
                for block in copy:
                    out.write(block)
            # Every column typed: inferred types would read kommunkod 0180 as the number 180.
            table = pacsv.read_csv(csv_path, convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False, true_values=["t"], false_values=["f"],  # COPY writes booleans as t/f
                column_types=COLUMN_TYPES[name]))
            paths[name] = Path(directory) / f"{name}.parquet"
            pq.write_table(table, paths[name])
            csv_path.unlink()
    return paths


# --- pandas ------------------------------------------------------------------------------------

def pandas_tables(paths, start, end):
    import pandas as pd

    p = pd.read_parquet(paths["participations"])
    s = pd.read_parquet(paths["support"])
    p = p[p.exit_reason != "felregistrering"]
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    p_start, p_end = pd.to_datetime(p.start_date), pd.to_datetime(p.end_date)
    gender = p.gender.where(p.gender.isin(["kvinna", "man"]), "annat_ej_angivet")
    current = (p_start <= end) & (p_end.isna() | (p_end >= start))
    new = (p_start >= start) & (p_start <= end)
    exited = p_end.notna() & (p_end >= start) & (p_end <= end)
    personal = ~p.anonymous
    out = {}
    for name, mask in (("current", current), ("new", new), ("exited", exited)):
        out[f"flow_{name}"] = int(mask.sum())
        out[f"flow_{name}_by_gender"] = gender[mask].value_counts().to_dict()
    keyed = p[current & (p.person_key != "")]
    out["unique"] = int(keyed.person_key.nunique() + (current & (p.person_key == "")).sum())
    age = pd.cut(p.age_at_start[personal & current], [15, 19, 24, 29, 39, 49, 59, 64], labels=False)
    out["age_16_64"] = int(age.notna().sum())
    for column in ("education", "time_on_support", "referrer"):
        values = p[column][personal & new].replace("", "uppgift_saknas")
        out[column] = values.value_counts().to_dict()
    out["exit_reason"] = p.exit_reason[personal & exited].value_counts().to_dict()
    reasons = p.exit_reason[personal & exited]
    out["work_or_study"] = int(reasons.isin(WORK + ["studier"]).sum())
    ids = p.id[personal & exited]
    s = s[s.participation_id.isin(ids)]
    both = set(s[s.phase == "entry"].participation_id) & set(s[s.phase == "exit"].participation_id)
    s = s[s.participation_id.isin(both)]
    out["support_in_out"] = s.groupby(["phase", "code"]).size().to_dict()
    days = (p_end - p_start).dt.days[personal & exited]
    out["duration_mean"] = round(float(days.mean()) / 30.4375, 1)
    out["duration_median"] = round(float(days.median()) / 30.4375, 1)
    out["municipality"] = p.municipality[personal & current].replace("", "uppgift_saknas").value_counts().to_dict()
    years = {}
    for year in range(start.year, end.year + 1):
        y0, y1 = max(start, pd.Timestamp(year, 1, 1)), min(end, pd.Timestamp(year, 12, 31))
        years[year] = int(((p_start <= y1) & (p_end.isna() | (p_end >= y0))).sum())
    out["flow_years_current"] = years
    return out


# --- DuckDB ------------------------------------------------------------------------------------

def duckdb_tables(paths, start, end):
    import duckdb

    db = duckdb.connect()
    db.execute(f"CREATE VIEW p AS SELECT * FROM read_parquet('{paths['participations']}') WHERE exit_reason <> 'felregistrering'")
    db.execute(f"CREATE VIEW s AS SELECT * FROM read_parquet('{paths['support']}')")
    a, b = start.isoformat(), end.isoformat()
    cur = f"(start_date <= DATE '{b}' AND (end_date IS NULL OR end_date >= DATE '{a}'))"
    new = f"(start_date BETWEEN DATE '{a}' AND DATE '{b}')"
    ex = f"(end_date BETWEEN DATE '{a}' AND DATE '{b}')"
    g = "CASE WHEN gender IN ('kvinna','man') THEN gender ELSE 'annat_ej_angivet' END"
    out = {}
    flow = db.execute(f"SELECT count(*) FILTER ({cur}), count(*) FILTER ({new}), count(*) FILTER ({ex}) FROM p").fetchone()
    out["flow_current"], out["flow_new"], out["flow_exited"] = flow
    for name, mask in (("current", cur), ("new", new), ("exited", ex)):
        out[f"flow_{name}_by_gender"] = dict(db.execute(f"SELECT {g}, count(*) FROM p WHERE {mask} GROUP BY 1").fetchall())
    out["unique"] = db.execute(
        f"SELECT count(DISTINCT person_key) FILTER (person_key <> '') + count(*) FILTER (person_key = '') FROM p WHERE {cur}"
    ).fetchone()[0]
    out["age_16_64"] = db.execute(
        f"SELECT count(*) FROM p WHERE NOT anonymous AND {cur} AND age_at_start BETWEEN 16 AND 64").fetchone()[0]
    for column in ("education", "time_on_support", "referrer"):
        out[column] = dict(db.execute(
            f"SELECT CASE WHEN {column} = '' THEN 'uppgift_saknas' ELSE {column} END, count(*) FROM p "
            f"WHERE NOT anonymous AND {new} GROUP BY 1").fetchall())
    out["exit_reason"] = dict(db.execute(f"SELECT exit_reason, count(*) FROM p WHERE NOT anonymous AND {ex} GROUP BY 1").fetchall())
    out["work_or_study"] = db.execute(
        f"SELECT count(*) FROM p WHERE NOT anonymous AND {ex} AND exit_reason IN ('arbete','arbete_subventionerat','studier')"
    ).fetchone()[0]
    out["support_in_out"] = {(phase, code): n for phase, code, n in db.execute(f"""
        WITH pop AS (SELECT id FROM p WHERE NOT anonymous AND {ex}
                     AND id IN (SELECT participation_id FROM s WHERE phase = 'entry')
                     AND id IN (SELECT participation_id FROM s WHERE phase = 'exit'))
        SELECT phase, code, count(*) FROM s WHERE participation_id IN (SELECT id FROM pop) GROUP BY 1, 2""").fetchall()}
    mean, median = db.execute(
        f"SELECT avg(end_date - start_date), median(end_date - start_date) FROM p WHERE NOT anonymous AND {ex}").fetchone()
    out["duration_mean"] = round(float(mean) / 30.4375, 1)
    out["duration_median"] = round(float(median) / 30.4375, 1)
    out["municipality"] = dict(db.execute(
        f"SELECT CASE WHEN municipality = '' THEN 'uppgift_saknas' ELSE municipality END, count(*) FROM p "
        f"WHERE NOT anonymous AND {cur} GROUP BY 1").fetchall())
    years = {}
    for year in range(start.year, end.year + 1):
        y0, y1 = max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
        years[year] = db.execute(
            f"SELECT count(*) FROM p WHERE start_date <= DATE '{y1}' AND (end_date IS NULL OR end_date >= DATE '{y0}')"
        ).fetchone()[0]
    out["flow_years_current"] = years
    return out


# --- ours --------------------------------------------------------------------------------------

def engine_summary(tables):
    """The same figures from our tables, for the agreement check."""
    t = {table.id: table for table in tables}
    flow = t["flow"].cells["totalt"]
    out = {f"flow_{m}": flow[f"{m}_totalt"] for m in ("current", "new", "exited")}
    for m in ("current", "new", "exited"):
        out[f"flow_{m}_by_gender"] = {g: flow[f"{m}_{g}"] for g in GENDERS if flow[f"{m}_{g}"]}
    out["unique"] = t["unique"].cells["totalt"]["totalt"]
    age = t["age"].cells
    out["age_16_64"] = sum(age[k]["totalt"] for k in age if k not in ("utanfor_16_64", "uppgift_saknas", "totalt"))
    for column in ("education", "time_on_support"):
        out[column] = {k: v["totalt"] for k, v in t[column].cells.items() if k != "totalt" and v["totalt"]}
    out["referrer"] = {k: v["count"] for k, v in t["referrer"].cells.items() if k != "totalt" and v["count"]}
    out["exit_reason"] = {k: v["totalt"] for k, v in t["exit_reason"].cells.items() if k != "totalt" and v["totalt"]}
    out["work_or_study"] = t["work_or_study"].cells["totalt"]["work_or_study"]
    out["support_in_out"] = {(phase, code): v[f"totalt_{phase}"] for code, v in t["support_in_out"].cells.items()
                             for phase in ("entry", "exit") if v[f"totalt_{phase}"]}
    out["duration_mean"] = t["duration"].cells["mean_months"]["totalt"]
    out["duration_median"] = t["duration"].cells["median_months"]["totalt"]
    out["municipality"] = {k: v["count"] for k, v in t["municipality"].cells.items() if k != "totalt" and v["count"]}
    out["flow_years_current"] = {int(k): v["current_totalt"] for k, v in t["flow_years"].cells.items()}
    return out


def differences(ours, theirs):
    return [key for key in ours if ours[key] != theirs.get(key)
            and not (isinstance(ours[key], float) and abs(ours[key] - theirs.get(key, 0)) <= 0.1)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "finsam.settings"
    import django

    django.setup()
    from django.db import connection

    from finsam.participants.models import Participation
    from finsam.statistics.engine import compute_national_tables
    from finsam.tenancy.models import Association
    from finsam.tenancy.scope import Scope

    if connection.vendor != "postgresql":
        raise SystemExit("Run this on PostgreSQL (DATABASE_URL=postgres://…).")
    scope = Scope.national(Association.objects.all())  # what a national capability would grant: every förbund
    with scope.activate():
        total = Participation.objects.count()
        first = Participation.objects.order_by("start_date").values_list("start_date", flat=True).first()
    periods = {"one year": (datetime.date(args.year, 1, 1), datetime.date(args.year, 12, 31)),
               "all years": (first, datetime.date.today())}
    directory = tempfile.mkdtemp(prefix="finsam-parquet-")
    export_seconds, paths = timed(lambda: export_parquet(directory), 1)
    print(f"{total} participations; Parquet export {export_seconds:.1f} s (not counted)")
    lines = []
    for label, (start, end) in periods.items():
        ours_s, tables = timed(lambda s=start, e=end: compute_national_tables(scope, s, e), args.runs)
        pandas_s, pandas_out = timed(lambda s=start, e=end: pandas_tables(paths, s, e), args.runs)
        duck_s, duck_out = timed(lambda s=start, e=end: duckdb_tables(paths, s, e), args.runs)
        ours = engine_summary(tables)
        agree_pandas, agree_duck = differences(ours, pandas_out), differences(ours, duck_out)
        print(f"{label} {start}–{end}: ours {ours_s:.2f} s, pandas {pandas_s:.2f} s, DuckDB {duck_s:.2f} s; "
              f"ours/DuckDB = {ours_s / duck_s:.1f}x, ours/pandas = {ours_s / pandas_s:.1f}x")
        print(f"  agreement with pandas: {'all figures equal' if not agree_pandas else 'DIFFERENT: ' + ', '.join(agree_pandas)}")
        print(f"  agreement with DuckDB: {'all figures equal' if not agree_duck else 'DIFFERENT: ' + ', '.join(agree_duck)}")
        lines.append([total, label, f"{ours_s:.2f}", f"{pandas_s:.2f}", f"{duck_s:.2f}", f"{ours_s / duck_s:.1f}",
                      "yes" if not agree_pandas and not agree_duck else "NO"])
    if not args.no_record:
        common.record("National report", lines)


if __name__ == "__main__":
    sys.exit(main())
