"""Benchmark: a 200 000-row participant file read in through the page, as a background job, while
the pages stay in use (issue 11).

Run from the checkout:  .venv/bin/python bench/import_job.py [--rows 200000] [--postgres] [--format xlsx]
A fresh database (as bench/import_large.py) gets the example förbund; the app runs under gunicorn
(2 workers × 4 threads) with `finsam worker` beside it. The script signs in, uploads the file on the
import page (which queues the job and redirects to the job page), then until the job is done polls,
twice a second, the job's status (what the progress bar asks) and the förbund's list of insatser (a
normal page), recording each response time. Prints and appends to docs/performance.md: upload
time, total time until done, time to the end of validation, the status and page latencies (median,
95th percentile, max), progress updates seen, and the worker's peak memory.
Needs the bench extras (gunicorn): .venv/bin/pip install -e '.[bench]'.
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import common
from import_large import EXAMPLE, FINSAM, ROOT, fresh_env, write_csv, write_xlsx

PORT = 8797
BASE = f"http://127.0.0.1:{PORT}"
USER, PASSWORD = "bench-admin@exempelstad.se", "Bänkens-långa-lösenord-2026"


class Browser:
    """Just enough of a browser: cookies, CSRF token, multipart upload."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path):
        """(seconds, body, HTTP status); an error status is returned, not raised."""
        start = time.perf_counter()
        try:
            with self.opener.open(BASE + path, timeout=120) as response:
                body, code = response.read(), response.status
        except urllib.error.HTTPError as error:
            body, code = error.read(), error.code
        return time.perf_counter() - start, body, code

    def post(self, path, fields, file=None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {"csrfmiddlewaretoken": self.csrf(), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        if file:
            name, local = file
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{local.name}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + local.read_bytes() + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(BASE + path, data=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": BASE + path})
        start = time.perf_counter()
        with self.opener.open(request, timeout=600) as response:
            response.read()
        return time.perf_counter() - start, response.geturl()


def prepare_user(env):
    subprocess.run([FINSAM, "shell", "-c", (
        "from finsam.tenancy.models import Association, Role, RoleAssignment, User; "
        f"u = User.objects.create_user({USER!r}, password={PASSWORD!r}); "
        "RoleAssignment.objects.create(user=u, association=Association.objects.get(slug='exempelstad'), role=Role.ADMIN)"
    )], env=env, check=True)


COPIES_PER_DATE = 100  # common.copy_of finds at most 500 other people per birth date and gender


def build_rows(count):
    """As import_large.build_rows, for any number of rows: after every COPIES_PER_DATE copies of the
    example file, its people are born a year earlier (a new birth date, with a valid control digit),
    so that each copy is still a person of its own."""
    import csv

    with open(EXAMPLE, encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        template = list(reader)
    at, ref = header.index("personnummer"), header.index("referens")
    rows = []
    for n in range(count):
        copy, row = divmod(n, len(template))
        shift, within = divmod(copy, COPIES_PER_DATE)
        source = list(template[row])
        if shift:
            source[ref] += f"-y{shift}"
            if source[at]:
                source[at] = _born_earlier(source[at].replace("-", ""), shift)
            within += 1  # a copy, never the (shifted) original
        rows.append(common.copy_of(header, source, within))
    return header, rows


def _born_earlier(identity, years):
    year, rest = int(identity[:4]) - years, identity[4:8]
    if rest == "0229":
        rest = "0301"
    digits = f"{year % 100:02d}{rest}{identity[8:11]}"
    total = sum(sum(divmod(int(d) * (2 - k % 2), 10)) for k, d in enumerate(digits))
    return f"{year}{rest}{identity[8:11]}{(10 - total % 10) % 10}"


def percentiles(values):
    ordered = sorted(values)
    return (statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)], ordered[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="finsam-import-job-"))
    header, rows = build_rows(args.rows)
    path = tmp / f"deltagare.{args.format}"
    (write_xlsx if args.format == "xlsx" else write_csv)(path, header, rows)
    del rows
    env = fresh_env(args.postgres, str(tmp), "job")
    # A 200 000-row CSV file is ≈ 25 MB: over the default 20 MB upload limit (xlsx is ≈ 9 MB).
    env["FINSAM_UPLOAD_MAX_BYTES"] = str(max(20 * 1024 * 1024, path.stat().st_size + 1024))
    prepare_user(env)
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "finsam.wsgi", "--bind", f"127.0.0.1:{PORT}",
                               "--workers", "2", "--threads", "4", "--timeout", "600"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([FINSAM, "worker", "--poll", "0.5"], env=env, stdout=subprocess.DEVNULL)
    try:
        browser = Browser()
        for _ in range(100):
            try:
                browser.get("/konto/logga-in/")
                break
            except OSError:
                time.sleep(0.2)
        browser.post("/konto/logga-in/", {"username": USER, "password": PASSWORD})
        browser.get("/exempelstad/deltagare/importera/")
        started = time.perf_counter()
        upload_seconds, job_url = browser.post("/exempelstad/deltagare/importera/", {}, ("file", path))
        job_path = urllib.parse.urlparse(job_url).path
        assert re.search(r"/jobb/\d+/$", job_path), job_url
        status_times, page_times, seen, validated_at, errors = [], [], set(), None, {"status": 0, "page": 0}
        while True:
            seconds, body, code = browser.get(job_path + "status/")
            status_times.append(seconds)
            if code != 200:
                errors["status"] += 1
                time.sleep(0.5)
                continue
            status = json.loads(body)
            seen.add((status["text"], status["done"]))
            if validated_at is None and status["text"].startswith("Steg 2"):
                validated_at = time.perf_counter() - started
            if status["finished"]:
                break
            seconds, _, code = browser.get("/exempelstad/insatser/")
            page_times.append(seconds)
            errors["page"] += code != 200
            time.sleep(0.5)
        total = time.perf_counter() - started
        _, body, _ = browser.get(job_path)
        outcome = re.search(r"Filen är inläst: [^<]*|Jobbet misslyckades", body.decode())
    finally:
        server.terminate()
        worker.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(worker.pid, 0)
        server.wait()
    peak_mb = usage.ru_maxrss / 1024
    s50, s95, smax = percentiles(status_times)
    p50, p95, pmax = percentiles(page_times)
    database = "postgres" if args.postgres else "sqlite"
    print(f"{database} {args.format} {args.rows} rows ({path.stat().st_size / 1e6:.1f} MB): upload {upload_seconds:.1f} s, "
          f"done after {total:.1f} s (validated after {validated_at or 0:.1f} s), worker peak {peak_mb:.0f} MB")
    print(f"status: {len(status_times)} requests, median {s50 * 1000:.0f} ms, p95 {s95 * 1000:.0f} ms, max {smax * 1000:.0f} ms; "
          f"{len(seen)} distinct progress states, {errors['status']} errors")
    print(f"page /exempelstad/insatser/: {len(page_times)} requests, median {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {pmax * 1000:.0f} ms, {errors['page']} errors")
    print(outcome.group(0) if outcome else "outcome not found")
    if not args.no_record:
        common.record("Import as a background job", [[
            database, args.format, args.rows, f"{upload_seconds:.1f}", f"{validated_at or 0:.0f}", f"{total:.0f}",
            f"{s50 * 1000:.0f} / {s95 * 1000:.0f} / {smax * 1000:.0f} ({errors['status']} errors)",
            f"{p50 * 1000:.0f} / {p95 * 1000:.0f} / {pmax * 1000:.0f} ({errors['page']} errors)",
            len(seen), f"{peak_mb:.0f}"]])


if __name__ == "__main__":
    sys.exit(main())
