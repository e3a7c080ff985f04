"""Load profile for bench/load_test.py: staff registering participants, and readers of reports.

A user logs in like a browser (CSRF token from the login form), then repeats its task with no
pause, so the figures are the server's capacity, not a think-time model. FastHttpUser
(geventhttpclient) rather than HttpUser (requests): the load generator shares the server's two
cores, and requests cost it several times more CPU per request.
"""

import os
import random
import re
from urllib.parse import urlencode

from locust import FastHttpUser, constant, tag, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ASSOCIATION = os.environ.get("BENCH_ASSOCIATION", "gen-001")
INTERVENTION = os.environ.get("BENCH_INTERVENTION", "insats-1")
PASSWORD = os.environ["BENCH_PASSWORD"]


def luhn_digit(nine):
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def random_identity_number():
    year, month, day = random.randint(1962, 2006), random.randint(1, 12), random.randint(1, 28)
    nine = f"{year % 100:02d}{month:02d}{day:02d}{random.randint(0, 999):03d}"
    return f"{year}{month:02d}{day:02d}-{nine[6:]}{luhn_digit(nine)}"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Staff(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        page = self.client.get("/konto/logga-in/", name="login form")
        token = CSRF.search(page.text).group(1)
        self.client.post("/konto/logga-in/", data=urlencode({"username": os.environ["BENCH_USER"], "password": PASSWORD,
                                                           "csrfmiddlewaretoken": token}), headers=FORM, name="login")
        form = self.client.get(f"/{ASSOCIATION}/insatser/{INTERVENTION}/deltagare/ny/", name="registration form")
        self.token = CSRF.search(form.text).group(1)

    @tag("register")
    @task
    def register(self):
        data = {
            "csrfmiddlewaretoken": self.token, "referens": f"L-{random.getrandbits(48):x}",
            "personnummer": random_identity_number(), "samtycke_form": "digitalt", "samtycke_bekraftat": "on",
            "startdatum": "2026-01-15", "anmalande_part": "af", "utbildning": "gymnasial",
            "forsorjning_fore": ["sjukpenning"],
        }
        with self.client.post(f"/{ASSOCIATION}/insatser/{INTERVENTION}/deltagare/ny/", data=urlencode(data, doseq=True),
                              headers=FORM, name="register", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
        # A browser shows "Deltagandet är sparat" on the page it is redirected to, which empties the
        # message cookie; without this the messages of every registration would pile up in it.
        for cookie in list(self.client.cookiejar):
            if cookie.name == "messages":
                self.client.cookiejar.clear(cookie.domain, cookie.path, cookie.name)

    @tag("report")
    @task
    def report(self):
        with self.client.get(f"/{ASSOCIATION}/rapporter/?period=last_year", name="report page",
                             catch_response=True) as response:
            if response.status_code != 200 or "Deltagarflöden" not in response.text:
                response.failure(f"status {response.status_code}")
