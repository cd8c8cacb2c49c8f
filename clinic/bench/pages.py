"""The pages the benchmark measures, through the real WSGI app and its test client.

Adding a page is one line in PAGES: a name, a path (or a function drawing one from the
synthetic ids, e.g. a random case in a stage), the role that opens it and its target.
"""
from __future__ import annotations

import contextvars
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import click

from clinic.bench.measure import Figure, QueryCounter, timed
from clinic.bench.profile import write_profile
from clinic.bench.synthetic import BENCH_PASSWORD
from clinic.cases.workflow import CaseStatus


@dataclass
class Bench:
    """What the measures share: the app, the query counter, the synthetic ids and a signed-in client per role."""

    app: object
    counter: QueryCounter
    runs: int
    rng: random.Random
    samples: dict[str, list]  # ids by kind; "status": the tokens of status links
    logins: dict[str, str]
    profile: str | None = None  # a folder: profiles of what missed its target are written there
    clients: dict[str, object] = field(default_factory=dict)

    def draw(self, kind: str) -> int:
        return self.rng.choice(self.samples[kind])

    def get(self, role: str, url: str):
        """A request in a context of its own: its own application context, `g` and database
        session, as a request to a running server gets (not those of the bench command)."""
        return contextvars.Context().run(self.client(role).get, url)

    def client(self, role: str):
        if role not in self.clients:
            client = self.app.test_client()
            if role != "anonymous":
                response = contextvars.Context().run(
                    client.post, "/login", data={"email": self.logins[role], "password": BENCH_PASSWORD})
                if response.status_code != 302:
                    raise click.ClickException(f"The bench {role} could not sign in.")
            self.clients[role] = client
        return self.clients[role]


@dataclass(frozen=True)
class Page:
    name: str
    path: str | Callable[[Bench], str]
    role: str = "coordinator"
    target: float | None = None        # p95 ceiling in ms
    floor_target: float | None = None  # median ceiling as a multiple of the floor


def case(stage: str, suffix: str = "") -> Callable[[Bench], str]:
    return lambda bench: f"/cases/{bench.draw(stage)}{suffix}"


PAGES = [
    Page("hello-world route (floor)", "/healthz", role="anonymous"),
    Page("work queue, first page", "/cases?status=open", target=30, floor_target=5),  # the default view, explicitly (a bare /cases returns to the last filters)
    Page("work queue, filtered", "/cases?status=records_pending&urgency=urgent&reason=invasive_treatment", target=30),
    Page("work queue, records overdue", "/cases?flag=records_overdue", target=30),
    Page("work queue, all cases, page 200", "/cases?status=all&page=200", target=30),
    Page("case page, any case", case("case"), target=30),
    Page("case page, records pending", case(CaseStatus.RECORDS_PENDING), target=30),
    Page("case page, scheduled", case(CaseStatus.SCHEDULED), target=30),
    Page("case page, ready to match (shortlist panel)", case(CaseStatus.READY_TO_MATCH), target=30),
    Page("shortlist page", case(CaseStatus.READY_TO_MATCH, "/matches")),
    Page("slot picker", case(CaseStatus.MATCHED, "/booking")),
    Page("appointment page", lambda bench: f"/appointments/{bench.draw('appointment')}"),
    Page("specialist workspace (My cases)", "/specialist/cases", role="specialist"),
    Page("directory: clinicians", "/directory/clinicians", role="admin"),
    Page("directory: clinician search", "/directory/clinicians?q=synthetic+0421", role="admin"),
    Page("directory: organizations", "/directory/organizations", role="admin"),
    Page("audit log", "/admin/audit/", role="admin"),
    Page("audit log, one case", lambda bench: f"/admin/audit/?entity=case&entity_id={bench.draw('case')}",
         role="admin"),
    Page("outcomes dashboard (last 12 months, the default)", "/outcomes", target=150),
    Page("outcomes dashboard, all five years", "/outcomes?period=all"),
    Page("patient's status page (from the mails)", lambda bench: f"/status/{bench.draw('status')}", role="anonymous",
         target=30),
]


def measure_page(bench: Bench, page: Page, floor: float | None = None) -> Figure:
    figure = Figure(page.name, target=page.target, floor_target=page.floor_target)
    path = page.path if isinstance(page.path, str) else None
    bench.get(page.role, path or page.path(bench))  # compiled templates and loaded code, as in a running server
    for _ in range(bench.runs):
        url = path or page.path(bench)
        with timed(figure, bench.counter):
            response = bench.get(page.role, url)
        if response.status_code != 200:
            raise click.ClickException(f"{url} answered {response.status_code}")
    if bench.profile and figure.met(floor) is False:
        write_profile(bench.profile, page.name, lambda: bench.get(page.role, path or page.path(bench)))
    return figure


def measure_pages(bench: Bench) -> list[Figure]:
    floor = measure_page(bench, PAGES[0])
    return [floor, *(measure_page(bench, page, floor.median) for page in PAGES[1:])]
