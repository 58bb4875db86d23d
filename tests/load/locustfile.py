"""The load mix (issue 17): employees, mentors and HR admins of the large demo programme,
signed in through the real login form beforehand (run.py), each with their own pages.

Run by run.py (``make loadtest``); by hand:
    LOAD_SESSIONS=var/load/sessions.json LOAD_GROUP=30 locust -f tests/load/locustfile.py \
        --headless -u 30 -r 10 -t 2m -H http://127.0.0.1:PORT

Pages are named by their URL pattern, so each is one line in the figures.
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task

SESSIONS = json.loads(open(os.environ["LOAD_SESSIONS"]).read())  # noqa: SIM115
GROUP = os.environ.get("LOAD_GROUP", "30")
SLUG = SESSIONS["slug"]
SEARCHES = ("smith", "patel", "engineer", "ahmed.khan", "zoe")
CHARTS = ("enrolment", "outcomes", "decline_reasons", "checkins", "ratings", "topics")
DEPARTMENTS = ("Engineering", "Sales", "Marketing", "Finance", "People")
PAIRING_LINK = re.compile(r'href="/pairings/(\d+)/"')
PROPOSAL_LINK = re.compile(r'href="/proposals/(\d+)/"')
ID = re.compile(r"/\d+/")


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    accounts: list[str] = []

    def on_start(self):
        self.email = random.choice(self.accounts)
        self.jar = dict(SESSIONS["cookies"][self.email])

    def _cookies(self) -> dict:
        """With DEBUG off the session and CSRF cookies are Secure, and requests sends no
        Secure cookie over http: on loopback the load users keep and send them themselves
        (a browser would need the TLS proxy)."""
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())}

    def _keep(self, response) -> None:
        self.jar.update(response.cookies.get_dict())
        self.client.cookies.clear()

    def page(self, url: str, name: str, **kwargs):
        with self.client.get(
            url, name=name, catch_response=True, headers=self._cookies(), **kwargs
        ) as response:
            self._keep(response)
            self._judge(response, 200)
        return response

    def post(self, url: str, name: str, data: dict):
        """POST with the CSRF token, then follow the redirect as its own page: requests
        would drop the cookies we send on a redirect."""
        data = {"csrfmiddlewaretoken": self.jar.get("csrftoken", ""), **data}
        with self.client.post(
            url,
            name=name,
            data=data,
            catch_response=True,
            headers=self._cookies(),
            allow_redirects=False,
        ) as response:
            self._keep(response)
            self._judge(response, 302)
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith("/"):
            self.page(location, ID.sub("/[id]/", location))
        return response

    @staticmethod
    def _judge(response, expected: int):
        if response.status_code != expected:
            response.failure(f"HTTP {response.status_code}")
        elif "/accounts/login/" in response.headers.get("Location", response.url):
            response.failure("signed out")
        else:
            response.success()


class Employee(SignedIn):
    """A mentee or peer coach: home, their pairing, logging a check-in."""

    weight = 5
    accounts = SESSIONS["employees"]

    def on_start(self):
        super().on_start()
        self.pairings: list[str] = []

    @task(3)
    def home(self):
        self.page("/", "home")

    @task(2)
    def pairing_list(self):
        response = self.page("/pairings/", "/pairings/")
        self.pairings = PAIRING_LINK.findall(response.text) or self.pairings

    @task(3)
    def pairing_detail(self):
        if self.pairings:
            self.page(f"/pairings/{random.choice(self.pairings)}/", "/pairings/[id]/")

    @task(1)
    def checkin(self):
        if not self.pairings:
            return
        today = _london_today()
        self.post(
            f"/pairings/{random.choice(self.pairings)}/checkins/",
            "/pairings/[id]/checkins/ (POST)",
            {"held_on": today.isoformat(), "summary": "Load test: talked goals.", "rating": "4"},
        )

    @task(1)
    def proposals(self):
        self.page("/proposals/", "/proposals/")

    @task(1)
    def programmes(self):
        self.page("/programmes/", "/programmes/")


class Mentor(SignedIn):
    """A mentor answering proposals: several users share a mentor, so accepts race for
    the mentor's last places."""

    weight = 3
    accounts = SESSIONS["mentors"][GROUP]

    @task(3)
    def home(self):
        self.page("/", "home")

    @task(3)
    def proposal_and_accept(self):
        response = self.page("/proposals/", "/proposals/")
        found = PROPOSAL_LINK.findall(response.text)
        if not found:
            return
        pk = random.choice(found)
        self.page(f"/proposals/{pk}/", "/proposals/[id]/")
        self.post(f"/proposals/{pk}/accept/", "/proposals/[id]/accept/ (POST)", {})

    @task(2)
    def pairings(self):
        response = self.page("/pairings/", "/pairings/")
        found = PAIRING_LINK.findall(response.text)
        if found:
            self.page(f"/pairings/{random.choice(found)}/", "/pairings/[id]/")


class HRAdmin(SignedIn):
    """An HR admin: the participants table with search and filters, the dashboard and the
    three exports of the 10,000-person programme."""

    weight = 2
    accounts = SESSIONS["hr"]

    @task(2)
    def table(self):
        self.page(f"/programmes/{SLUG}/participants/", "participants")

    @task(2)
    def search(self):
        self.page(
            f"/programmes/{SLUG}/participants/",
            "participants ?q=",
            params={"q": random.choice(SEARCHES)},
        )

    @task(2)
    def filters(self):
        params = random.choice(
            (
                {"role": "mentor", "department": random.choice(DEPARTMENTS)},
                {"role": "mentee", "level": str(random.randint(1, 4)), "matched": "no"},
                {"paused": "yes"},
                {"matched": "yes", "page": str(random.randint(1, 5))},
                {"page": str(random.randint(2, 100))},
            )
        )
        self.page(f"/programmes/{SLUG}/participants/", "participants ?filters", params=params)

    @task(2)
    def dashboard(self):
        self.page(f"/programmes/{SLUG}/dashboard/", "dashboard")

    @task(1)
    def programme(self):
        self.page(f"/programmes/{SLUG}/", "programme")

    @task(1)
    def participants_csv(self):
        self.page(f"/programmes/{SLUG}/participants.csv", "participants.csv")

    @task(1)
    def pairings_csv(self):
        self.page(f"/programmes/{SLUG}/pairings.csv", "pairings.csv")

    @task(1)
    def dashboard_csv(self):
        self.page(
            f"/programmes/{SLUG}/dashboard.csv",
            "dashboard.csv",
            params={"chart": random.choice(CHARTS)},
        )


def _london_today() -> date:
    """The app's today (TIME_ZONE): a check-in dated tomorrow would be refused."""
    return datetime.now(ZoneInfo(os.environ.get("TIME_ZONE", "Europe/London"))).date()
