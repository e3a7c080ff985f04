"""Benchmark: a förbund's long run of publications, each masked against every linked earlier one.

    .venv/bin/python bench/publish_sequence.py [--years 2023 2024 2025] [--steps N] [--profile]
                                               [--dump FILE] [--no-record]

builds its own database (SQLite under a temporary directory unless DATABASE_URL is set), loads the
demo (`finsam demo`: Exempelstad, 4 insatser with participations), and publishes, in order, what a
förbund publishes over the years: per year the first half and the year of the whole förbund, then
the year of each insats (6 a year). Each publication goes through the background job
(`publish_report`: queued as the publish form queues it, run here as the worker runs it), so the
code measured is the job's. Printed per publication: wall and process CPU time, cells hidden, and
the time (CPU) inside the linear search (`masking.suppress_revealing`, the elimination and greedy
hiding), the inequality check (`inequalities.hold`, the LP) and building the reader's system
(`differencing._system`, also called inside the check for the "before" program); the three are
timed around the calls, so the system built inside the check counts in both.

``--profile`` masks the slowest step once more under cProfile (against the same earlier
publications) and prints the functions with the most cumulative time. ``--dump FILE`` writes the
hidden cells of every publication as JSON (to compare two versions of the code). ``--steps N``
stops after N publications.

Run it from a checkout's root: the code measured is that checkout's `src/`. Printed, and added to
docs/performance.md ("Publishing a long sequence").
"""

import argparse
import cProfile
import datetime
import functools
import io
import json
import os
import pstats
import sys
import time

import common

D = datetime.date


class Timers:
    """CPU seconds spent inside wrapped functions (inclusive; a nested call of the same one counts once)."""

    def __init__(self):
        self.seconds, self.depth = {}, {}

    def wrap(self, module, name, label):
        original = getattr(module, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            self.depth[label] = self.depth.get(label, 0) + 1
            began = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth[label] -= 1
                if not self.depth[label]:
                    self.seconds[label] = self.seconds.get(label, 0.0) + time.process_time() - began

        setattr(module, name, timed)

    def take(self):
        seconds, self.seconds = self.seconds, {}
        return seconds


def plan(years, slugs):
    """[(title, first day, last day, insatser)] in the order a förbund publishes them."""
    steps = []
    for year in years:
        steps.append((f"H1 {year}", D(year, 1, 1), D(year, 6, 30), []))
        steps.append((f"{year}", D(year, 1, 1), D(year, 12, 31), []))
        steps += [(f"{slug} {year}", D(year, 1, 1), D(year, 12, 31), [slug]) for slug in slugs]
    return steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024, 2025])
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dump", default=None)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    common.setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from finsam.jobs.models import State
    from finsam.jobs.runner import run_queued
    from finsam.reports.jobs import PUBLISH_KIND
    from finsam.jobs.queue import enqueue
    from finsam.statistics import differencing
    from finsam.tenancy.models import Association, User
    from finsam.tenancy.scope import Scope

    settings.FINSAM_JOBS_SYNC = False  # this script plays the worker
    timers = Timers()
    timers.wrap(differencing.masking, "suppress_revealing", "elimination")
    timers.wrap(differencing.inequalities, "hold", "lp")
    timers.wrap(differencing, "_system", "system")

    call_command("demo", verbosity=0, stdout=io.StringIO())
    association = Association.objects.get(slug="exempelstad")
    analyst = User.objects.get(username="analytiker@exempelstad.se")
    with Scope.of(association).activate():
        slugs = sorted(association.interventions.filter(participations__isnull=False).distinct()
                       .values_list("slug", flat=True))
    steps = plan(args.years, slugs)[:args.steps]
    print(f"{len(steps)} publications; insatser {', '.join(slugs)}")
    print(f"{'step':>4} {'publication':<24} {'linked':>6} {'wall s':>7} {'CPU s':>7} {'hidden':>6} "
          f"{'elim s':>7} {'LP s':>7} {'system s':>8}  state")
    results, dump = [], {}
    for n, (title, start, end, scope) in enumerate(steps, 1):
        parameters = {"title": title, "date_from": start.isoformat(), "date_to": end.isoformat(),
                      "interventions": scope, "sections": False, "replaces": "", "correction": ""}
        with Scope.of(association).activate():
            job = enqueue(PUBLISH_KIND, association=association, user=analyst, parameters=parameters)
            earlier = association.published_reports.count()
        timers.take()
        wall, cpu = time.perf_counter(), time.process_time()
        job = run_queued(job.pk)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        inside = timers.take()
        hidden, state = "–", job.state
        if job.state == State.DONE:
            with Scope.of(association).activate():
                published = association.published_reports.get(pk=job.parameters["published_id"])
                report = published.report()
                linked = len(differencing._linked(report, [p.report() for p in
                                                           association.published_reports.exclude(pk=published.pk)]))
            cells = sorted([t.id, *map(str, cell)] for t in report.tables for cell in t.masked)
            hidden = len(cells)
            dump[title] = cells
        else:
            linked = "–"
            state = f"{job.state}: {job.error}"
        row = [n, title, earlier, linked, f"{wall:.1f}", f"{cpu:.1f}", hidden, f"{inside.get('elimination', 0):.1f}",
               f"{inside.get('lp', 0):.1f}", f"{inside.get('system', 0):.1f}"]
        results.append((row, start, end, scope))
        print(f"{n:>4} {title:<24} {linked:>6} {wall:>7.1f} {cpu:>7.1f} {hidden:>6} {row[7]:>7} {row[8]:>7} "
              f"{row[9]:>8}  {state}", flush=True)
    total = sum(float(r[0][5]) for r in results)
    print(f"total CPU {total:.1f} s")
    if args.dump:
        with open(args.dump, "w") as out:
            json.dump(dump, out, indent=0)
    if args.profile:
        worst = max(range(len(results)), key=lambda i: float(results[i][0][5]))
        (row, start, end, scope) = results[worst]
        _profile(association, row[1], start, end, scope, worst)
    if not args.no_record:
        engine = os.environ["DATABASE_URL"].split(":", 1)[0]
        common.record("Publishing a long sequence", [[engine, len(results), " / ".join(r[0][5] for r in results),
                                                      f"{total:.1f}", results[-1][0][6]]])
    return 0


def _profile(association, title, start, end, scope, earlier_count):
    """Mask step ``title`` once more under cProfile, against the publications made before it."""
    from finsam.statistics.differencing import mask_for_publication
    from finsam.statistics.engine import compute_report
    from finsam.tenancy.scope import Scope

    with Scope.of(association).activate():
        earlier = [p.report() for p in association.published_reports.order_by("pk")[:earlier_count]]
        report = compute_report(association, start, end, scope)
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        mask_for_publication(report, association.masking_threshold, earlier)
        profiler.disable()
    print(f"\ncProfile of step {title!r} (against {len(earlier)} earlier), CPU time:")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
