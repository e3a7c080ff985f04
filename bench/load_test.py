"""Benchmark: the app under gunicorn on PostgreSQL, driven over loopback by locust.

Two bounded runs (default 60 s each, 20 concurrent users): registrations (POST) and report pages
(GET of one förbund's last-year report). Prints throughput and p50/p95/p99 and failures, and
appends them to docs/performance.md. Uses the database in DATABASE_URL (e.g. the national one
made for bench/report_national.py) and adds a bench user there.

    DATABASE_URL=postgres://root@127.0.0.1:5432/finsam_national .venv/bin/python bench/load_test.py
Targets (issue 5): >= 100 registrations/s with p95 < 200 ms; report pages p95 < 500 ms; no errors.
"""

import argparse
import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
PORT = 8231


def prepare_user(association_slug, intervention_slug):
    os.environ["DJANGO_SETTINGS_MODULE"] = "finsam.settings"
    import django

    django.setup()
    from axes.models import AccessAttempt

    from finsam.tenancy.models import Association, Role, RoleAssignment, User
    from finsam.tenancy.scope import Scope

    association = Association.objects.get(slug=association_slug)
    password = secrets.token_urlsafe(16)
    user, _ = User.objects.get_or_create(username="bench-load@finsam.local")
    user.set_password(password)
    user.save()
    with Scope.of(association).activate():
        for role in (Role.ADMIN, Role.ANALYST):
            RoleAssignment.objects.get_or_create(user=user, association=association, role=role)
        association.interventions.get(slug=intervention_slug)
    AccessAttempt.objects.all().delete()
    return user.username, password


def run_locust(tag, users, seconds, env, workdir):
    prefix = Path(workdir) / tag
    subprocess.run(
        [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless", "-u", str(users),
         "-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{PORT}", "--tags", tag,
         "--csv", str(prefix), "--only-summary", "--stop-timeout", "5"],
        env=env, check=False, capture_output=True,
    )
    with open(f"{prefix}_stats.csv") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--association", default="gen-001")
    parser.add_argument("--intervention", default="insats-1")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", choices=["register", "report"], help="run one of the two")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Run this on PostgreSQL (DATABASE_URL=postgres://…).")
    username, password = prepare_user(args.association, args.intervention)
    workdir = tempfile.mkdtemp(prefix="finsam-load-")
    env = dict(os.environ, DEBUG="false", BENCH_USER=username, BENCH_PASSWORD=password,
               BENCH_ASSOCIATION=args.association, BENCH_INTERVENTION=args.intervention,
               DATABASE_CONN_MAX_AGE="60", AXES_FAILURE_LIMIT="1000")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "finsam.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers",
         str(args.workers), "--log-level", "warning"], env=env, cwd=str(ROOT),
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        results = {}
        for tag, name in (("register", "register"), ("report", "report page")):
            if args.only and tag != args.only:
                continue
            stats = run_locust(tag, args.users, args.seconds, env, workdir)[name]
            results[tag] = stats
            print(f"{name}: {float(stats['Requests/s']):.1f}/s, p50 {stats['50%']} ms, p95 {stats['95%']} ms, "
                  f"p99 {stats['99%']} ms, {stats['Request Count']} requests, {stats['Failure Count']} failures")
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not args.no_record:
        common.record("Load", [
            [tag, args.users, args.workers, f"{float(stats['Requests/s']):.1f}", stats["50%"], stats["95%"], stats["99%"],
             stats["Failure Count"]]
            for tag, stats in results.items()
        ])


if __name__ == "__main__":
    sys.exit(main())
