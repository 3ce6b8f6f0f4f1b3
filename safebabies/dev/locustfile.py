"""Simulated people of every role for `make loadtest` (safebabies/dev/loadtest.py runs it).

    locust -f safebabies/dev/locustfile.py --headless --host http://127.0.0.1:8000 ...

Who they are and which records they open come from the JSON file LOADTEST_FIXTURES names (the
load test writes it from the benchmark site). Every page is asked for by its name in PATHS, so
tests/test_loadtest.py can resolve each one against the URLconf without importing Locust: a
renamed URL fails a test instead of turning into a column of 404s. Each request is named
"<role>: <page>" in the results; anything but the expected status is a failure.
"""

import html
import itertools
import json
import os
import random
import re
import time

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

# The pages and API calls, by name; {placeholders} are filled from the fixtures.
PATHS = {
    "healthz (floor)": "/healthz",
    "sign-in page": "/accounts/login/",
    "API token": "/api/v1/auth/token/",
    "home": "/",
    "case list": "/cases/",
    "case list search": "/cases/?q={q}",
    "case page": "/cases/{case_id}/",
    "FTM list": "/cases/{case_id}/ftms/",
    "FTM log page": "/ftms/{ftm_id}/log/",
    "FTM autosave": "/ftms/{ftm_id}/save/",
    "CQI dashboard": "/cqi/{site}/",
    "hearing summary page": "/cases/{case_id}/hearings/{hearing_id}/summary/",
    "API cases list": "/api/v1/cases/",
    "API case detail": "/api/v1/cases/{case_id}/",
    "API children of a case": "/api/v1/children/?case={case_id}",
    "API family time of a case": "/api/v1/family-time/?case={case_id}",
    "API FTMs of a case": "/api/v1/ftms/?case={case_id}",
    "API hearing summary (JSON)": "/api/v1/hearings/{hearing_id}/summary/",
    "API hearing summary (PDF)": "/api/v1/hearings/{hearing_id}/summary/?format=pdf",
    "API CQI metrics": "/api/v1/cqi/metrics/?site={site}&start={start}&end={end}",
    "people page": "/accounts/sites/{site}/people/",
    "audit page": "/accounts/sites/{site}/audit/",
    "API audit events of a case": "/api/v1/audit-events/?case={case_id}",
}
SIGN_IN_PATHS = ("sign-in page", "API token")  # at the start, and again now and then
BUSY_RETRIES = 5  # a sign-in told to come back (503, Retry-After) tries again this many times

FIXTURES: dict = {}
if os.environ.get("LOADTEST_FIXTURES"):
    with open(os.environ["LOADTEST_FIXTURES"]) as _file:
        FIXTURES = json.load(_file)

SEARCHES = ["riv", "ngu", "garc", "Ava", "mateo", "JD-1", "smi"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'data-version="(\d+)"')
GOING_WELL = re.compile(r'<textarea[^>]*name="going_well"[^>]*>(.*?)</textarea>', re.S)
_next_coordinator = itertools.count()  # one account and one meeting each, in turn


def _think_time() -> tuple[float, float]:
    """LOADTEST_WAIT, "min,max" seconds between one person's pages (default 1-3 s)."""
    low, high = (os.environ.get("LOADTEST_WAIT") or "1,3").split(",")
    return float(low), float(high)


WAIT = _think_time()
# The mean time between one person's sign-ins after the first: their session ends (idle
# timeout, a new browser, a phone app's new token) at random, as a Poisson process.
SIGN_IN_EVERY = float(os.environ.get("LOADTEST_SIGN_IN_EVERY") or 600)


class Person(FastHttpUser):
    """Signs in as one role's account on start, and again when their session ends (every
    SIGN_IN_EVERY seconds on average); thinks WAIT seconds between pages."""

    abstract = True
    wait_time = between(*WAIT)
    role = ""
    session_ends = 0.0

    @property
    def email(self) -> str:
        return FIXTURES["users"][self.role]

    def path(self, name: str, **values: object) -> str:
        return PATHS[name].format(site=FIXTURES.get("site", ""), **values)

    def _get(self, name: str, expect: int = 200, **values: object):
        if name not in SIGN_IN_PATHS and time.monotonic() >= self.session_ends:
            self.sign_in_again()  # the session ended: sign in again, then the page
        with self.client.get(
            self.path(name, **values),
            name=f"{self.role}: {name}",
            headers=getattr(self, "api_headers", {}) if name.startswith("API") else {},
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                response.failure(f"answered {response.status_code}, not {expect}")
            return response

    def _busy(self, response) -> bool:
        """A 503 with Retry-After from a sign-in: every password-hashing slot was busy
        (safebabies/identity/hashers.py). The designed answer, not a failure: it is counted on
        a row of its own ("sign-in busy", not the sign-in's), and the person waits as told and
        tries again."""
        wait = response.headers.get("Retry-After", "")
        if response.status_code != 503 or not wait.isdigit():
            return False
        response.request_meta["name"] = f"{self.role}: sign-in busy (503, Retry-After)"
        response.success()
        time.sleep(int(wait))  # gevent's: the other simulated people go on meanwhile
        return True

    def sign_in(self) -> None:
        """The sign-in form as a browser sends it (CSRF token from the page)."""
        self.session_ends = time.monotonic() + random.expovariate(1 / SIGN_IN_EVERY)
        for _ in range(BUSY_RETRIES):
            page = self._get("sign-in page")
            token = CSRF.search(page.text or "")
            with self.client.post(
                self.path("sign-in page"),
                data={
                    "username": self.email,
                    "password": FIXTURES["password"],
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                },
                name=f"{self.role}: sign in",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if self._busy(response):
                    continue
                where = response.headers.get("Location", "")
                if response.status_code != 302 or "login" in where:
                    response.failure(f"sign-in answered {response.status_code} to {where!r}")
                return

    def api_sign_in(self) -> None:
        """A bearer token from the API's token endpoint, as an API client gets one."""
        for _ in range(BUSY_RETRIES):
            with self.client.post(
                self.path("API token"),
                json={"email": self.email, "password": FIXTURES["password"]},
                name=f"{self.role}: API token",
                catch_response=True,
            ) as response:
                if self._busy(response):
                    continue
                if response.status_code != 201:
                    response.failure(f"answered {response.status_code}, not 201")
                    return
                self.api_headers = {"Authorization": f"Bearer {response.json()['token']}"}
                return

    def on_start(self) -> None:
        self.sign_in()

    def sign_in_again(self) -> None:
        """Sign-ins mixed in with the pages all through the run, not only at the start: when
        the person's session ends, a fresh browser session signs in again before the next page
        (issue 23: sign-in must not starve the rest)."""
        self.client.cookiejar.clear()
        self.sign_in()

    @task(1)
    def healthz(self) -> None:
        """The trivial view, under the same load: the floor the other figures stand on."""
        with self.client.get(
            self.path("healthz (floor)"), name="healthz (floor)", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")


class Coordinator(Person):
    """A Community Coordinator with a caseload of their own (about 20 families, one of the
    load test's coordinator accounts each): home, search and the case list (the whole site),
    a case page of their families, logging one of their FTMs, the dashboard."""

    weight = 3
    role = "community_coordinator"

    @property
    def email(self) -> str:
        return self.account["email"]

    def on_start(self) -> None:
        n = next(_next_coordinator)
        accounts = FIXTURES["coordinators"]
        self.account = accounts[n % len(accounts)]
        ftms = self.account["ftms"]
        self.ftm_id = ftms[(n // len(accounts)) % len(ftms)]
        self.typed = 0
        super().on_start()

    @task(2)
    def home(self) -> None:
        self._get("home")

    @task(2)
    def search(self) -> None:
        self._get("case list search", q=random.choice(SEARCHES))

    @task(1)
    def case_list(self) -> None:
        self._get("case list")

    @task(3)
    def case_page(self) -> None:
        self._get("case page", case_id=random.choice(self.account["cases"]))

    @task(2)
    def log_ftm(self) -> None:
        """Open the meeting's logging page, then type: three autosaves as the page sends
        them (the changed field, what the page last had for it, the CSRF token)."""
        page = self._get("FTM log page", ftm_id=self.ftm_id)
        text = page.text or ""
        token, version, field = CSRF.search(text), VERSION.search(text), GOING_WELL.search(text)
        if not (token and version and field):
            return
        had = html.unescape(field.group(1))
        for _ in range(3):
            self.typed += 1
            now = f"Load test note {self.typed}: the baby smiled at the visit."
            with self.client.post(
                self.path("FTM autosave", ftm_id=self.ftm_id),
                json={
                    "version": int(version.group(1)),
                    "fields": {"going_well": now},
                    "base": {"going_well": [had]},
                },
                headers={"X-CSRFToken": token.group(1)},
                name=f"{self.role}: FTM autosave",
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"answered {response.status_code}: {response.text[:200]}")
                    return
                had = response.json()["fields"]["going_well"]

    @task(1)
    def dashboard(self) -> None:
        self._get("CQI dashboard")


class Caseworker(Person):
    """A caseworker: home and their own families in the pages, their records through the API."""

    weight = 2
    role = "caseworker"

    def on_start(self) -> None:
        super().on_start()
        self.api_sign_in()

    def own_case(self) -> str:
        return random.choice(FIXTURES["caseworker_cases"])

    def sign_in_again(self) -> None:
        """A fresh session and a new API token, as a phone app signing in again would."""
        super().sign_in_again()
        self.api_sign_in()

    @task(2)
    def home(self) -> None:
        self._get("home")

    @task(1)
    def case_list(self) -> None:
        self._get("case list")

    @task(2)
    def case_page(self) -> None:
        self._get("case page", case_id=self.own_case())

    @task(2)
    def api_cases(self) -> None:
        self._get("API cases list")

    @task(2)
    def api_case(self) -> None:
        case_id = self.own_case()
        self._get("API case detail", case_id=case_id)
        self._get("API children of a case", case_id=case_id)
        self._get("API family time of a case", case_id=case_id)
        self._get("API FTMs of a case", case_id=case_id)


class Judge(Person):
    """A judge: the coming two weeks' hearings, a pre-hearing summary as page, JSON and PDF."""

    role = "judge"

    def hearing(self) -> list[str]:
        return random.choice(FIXTURES["hearings"])

    @task(3)
    def docket(self) -> None:
        self._get("home")

    @task(2)
    def summary_page(self) -> None:
        case_id, hearing_id = self.hearing()
        self._get("hearing summary page", case_id=case_id, hearing_id=hearing_id)

    @task(2)
    def summary_json(self) -> None:
        self._get("API hearing summary (JSON)", hearing_id=self.hearing()[1])

    @task(1)
    def summary_pdf(self) -> None:
        """The two-year family's summary (the longest one) as a PDF."""
        self._get("API hearing summary (PDF)", hearing_id=FIXTURES["summary_hearing"])


class SiteTeam(Person):
    """A Site Implementation Team member: the CQI dashboard and the metrics API."""

    role = "site_implementation"

    @task(2)
    def dashboard(self) -> None:
        self._get("CQI dashboard")

    @task(1)
    def metrics(self) -> None:
        self._get("API CQI metrics", start=FIXTURES["start"], end=FIXTURES["end"])


class ParentMentor(Person):
    """A parent mentor: home, the families they walk beside, their meetings."""

    role = "parent_mentor"

    def own_case(self) -> str:
        return random.choice(FIXTURES["mentor_cases"])

    @task(2)
    def home(self) -> None:
        self._get("home")

    @task(2)
    def case_page(self) -> None:
        self._get("case page", case_id=self.own_case())

    @task(1)
    def ftms(self) -> None:
        self._get("FTM list", case_id=self.own_case())


class SiteAdmin(Person):
    """A site admin: the people page and the audit trail (page and API)."""

    role = "site_admin"

    @task(2)
    def people(self) -> None:
        self._get("people page")

    @task(2)
    def audit(self) -> None:
        self._get("audit page")

    @task(1)
    def audit_api(self) -> None:
        self._get("API audit events of a case", case_id=random.choice(FIXTURES["cases"]))
