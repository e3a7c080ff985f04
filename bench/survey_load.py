"""Benchmark: 200 respondents answering one survey round at once (a poster at a meeting).

Starts the app on a new SQLite database in a temporary directory, under gunicorn (the bench extra;
2 workers × 16 threads, backlog 2048) or, with --server runserver, as bin/serve does (`finsam serve`,
Django's threaded development server, whose listen backlog of 10 resets most of 200 connections
opened in the same millisecond: give it --ramp), with an example question set and an open round; then N threads
(default 200), released together, each a phone without JavaScript with its own session cookie: the
first screen, Börja, an answer to every question, Skicka (each POST followed to the next screen).
Prints the number of responses stored, errors, and p50/p95/max of each request and of a whole
questionnaire; appends a row to docs/performance.md and writes bench/results/survey_load-DATE.json.

    .venv/bin/python bench/survey_load.py [--respondents 200] [--server gunicorn|runserver] [--ramp SECONDS]
Target (issue 12): 200 at once with zero errors; every response stored once.
"""

import argparse
import datetime
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent


def prepare(tmp):
    os.environ["FINSAM_VAR_DIR"] = tmp
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    common.setup_django()
    from finsam.interventions.models import Intervention
    from finsam.surveys.models import Round
    from finsam.surveys.questions import load_question_set
    from finsam.tenancy.models import Association
    from finsam.tenancy.scope import Scope

    association = Association.objects.create(slug="exempelstad", name="Samordningsförbundet Exempelstad")
    with Scope.of(association).activate():
        insats = Intervention.objects.create(association=association, slug="aktivitetsplatsen",
                                             name="Aktivitetsplatsen", start_date=datetime.date(2020, 1, 1))
        load_question_set((ROOT / "tests/data/exempel-fragor-v2.json").read_bytes(), association)
        round = Round.objects.create(association=association, key="bench", title="Deltagare vid avslut",
                                     question_set=association.question_sets.get(), respondent_group="deltagare_avslut",
                                     intervention=insats, date_from=datetime.date(2026, 1, 1),
                                     date_to=datetime.date(2026, 12, 31), status="oppen")
    return round.token


def respondent(base, number, timings, errors):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(path, data=None):
        started = time.perf_counter()
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with opener.open(base + path, data=body, timeout=120) as response:
            text = response.read().decode()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
        timings.append(time.perf_counter() - started)
        return text

    steps = ["mycket_stor", "stor", "liten", "inte_alls", "vet_ej"]
    try:
        call("")
        text = call("", {"sprak": "sv"})  # Börja: redirected to question 1
        question = 1
        while "/fraga/" in text or question == 1:
            token = re.search(r'name="t" value="([^"]+)"', text).group(1)
            if 'type="radio"' in text:
                answer = steps[(number + question) % len(steps)]
            else:
                answer = f"Svar {number}"
            text = call(f"fraga/{question}/", {"t": token, "svar": answer, "gor": "next"})
            question += 1
            if "granska" in text and "Skicka" in text:
                break
        token = re.search(r'name="t" value="([^"]+)"', text).group(1)
        thanks = call("granska/", {"t": token})
        if "Tack" not in thanks:
            raise RuntimeError("no thanks page")
    except Exception as error:  # noqa: BLE001 - every failure is counted
        errors.append(f"{number}: {error!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--port", type=int, default=8232)
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--ramp", type=float, default=0.0, help="spread the respondents' start over this many seconds")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="finsam-survey-load-")
    token = prepare(tmp)
    env = {**os.environ, "FINSAM_VAR_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
    if args.server == "gunicorn":
        command = [str(ROOT / ".venv/bin/gunicorn"), "finsam.wsgi:application", "-b", f"127.0.0.1:{args.port}",
                   "-w", "2", "--threads", "16", "--backlog", "2048", "--timeout", "120"]
    else:
        command = [str(ROOT / ".venv/bin/finsam"), "serve", f"127.0.0.1:{args.port}", "--noreload"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}/exempelstad/enkat/{token}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        timings, errors, totals = [], [], []
        barrier = threading.Barrier(args.respondents)

        def run(number):
            barrier.wait()
            time.sleep(args.ramp * number / args.respondents)
            started = time.perf_counter()
            respondent(base, number, timings, errors)
            totals.append(time.perf_counter() - started)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(args.respondents)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    from finsam.surveys.models import Response
    from finsam.tenancy.models import Association
    from finsam.tenancy.scope import Scope

    with Scope.of(Association.objects.get(slug="exempelstad")).activate():
        stored = Response.objects.count()
    ms = sorted(t * 1000 for t in timings)
    whole = sorted(t * 1000 for t in totals)

    def pct(values, p):
        return values[min(len(values) - 1, int(len(values) * p))] if values else 0

    result = {
        "server": args.server, "ramp_seconds": args.ramp, "respondents": args.respondents, "responses_stored": stored, "errors": len(errors), "requests": len(ms),
        "seconds": round(elapsed, 1), "request_p50_ms": round(statistics.median(ms)) if ms else None,
        "request_p95_ms": round(pct(ms, 0.95)), "request_max_ms": round(ms[-1]) if ms else None,
        "questionnaire_p50_ms": round(statistics.median(whole)) if whole else None,
        "questionnaire_p95_ms": round(pct(whole, 0.95)),
    }
    print(json.dumps(result, indent=2))
    for error in errors[:10]:
        print(error, file=sys.stderr)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"survey_load-{args.server}-{datetime.date.today()}.json").write_text(json.dumps(result, indent=2) + "\n")
    common.record("Survey respondents at once", [[
        args.server, args.ramp, result["respondents"], result["responses_stored"], result["errors"], result["requests"], result["seconds"],
        result["request_p50_ms"], result["request_p95_ms"], result["questionnaire_p50_ms"],
        result["questionnaire_p95_ms"]]])
    return 1 if errors or stored != args.respondents else 0


if __name__ == "__main__":
    sys.exit(main())
