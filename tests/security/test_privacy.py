"""Privacy: no diagnosis, condition or treatment leaves the clinic or lands in a log.

The demo clinic is loaded (every stage, through the real services), its mail delivered to .eml
files, and every page of every role walked by following the links and GET forms the pages
render, the patients' upload and report links included; the app's and werkzeug's logs are
captured at DEBUG throughout. Then each case's diagnosis, ICD-10 description and treatment (and
the second opinion's) is looked for in every URL requested or redirected to, every log line,
and every email: its subject, its text and HTML, and its calendar invite.
"""
from __future__ import annotations

import contextlib
import email
import logging
import re
from collections import deque
from email import policy
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import sqlalchemy as sa

from clinic.cases import icd10
from clinic.cases.models import Case
from clinic.demo import load_demo
from clinic.extensions import db
from clinic.mail.models import OutboxMessage
from clinic.mail.outbox import deliver_due
from clinic.review.models import Opinion
from tests.conftest import shared_transaction
from tests.security import figures

MAX_PAGES = 400
# On one xdist worker, so the demo clinic is loaded once (per database) for all the walks.
pytestmark = pytest.mark.xdist_group("demo-clinic")
SKIP = ("/logout", "/static/", "/bootstrap/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "get":
            self.links.append(a.get("action") or "")
        elif tag in ("iframe", "img") and a.get("src"):
            self.links.append(a["src"])


def walk(client, start: str, seen_urls: list[str]) -> int:
    """Every same-site page reachable from `start` by links (breadth first); records each URL
    requested and each redirect's target in `seen_urls`; returns the number of pages fetched."""
    queue, visited = deque([start]), set()
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if url in visited or any(part in url for part in SKIP):
            continue
        visited.add(url)
        seen_urls.append(url)
        response = client.get(url)
        location = response.headers.get("Location")
        if location:
            seen_urls.append(location)
            queue.append(urlsplit(location)._replace(scheme="", netloc="").geturl())
        if "html" not in (response.content_type or ""):
            continue
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        for link in parser.links:
            target = urljoin(url, link)
            parts = urlsplit(target)
            if parts.netloc in ("", "localhost") and not link.startswith(("mailto:", "#", "tel:")):
                queue.append(parts._replace(scheme="", netloc="", fragment="").geturl())
    return len(visited)


def clinical_texts(session) -> set[str]:
    """What must never leave: each case's diagnosis, its ICD-10 description, the treatment, and the
    second opinion's diagnosis and recommendation."""
    found: set[str] = set()
    for text, code, treatment in session.execute(sa.select(Case.diagnosis_text, Case.icd10_code, Case.treatment_text)):
        found |= {text, treatment, icd10.describe(code) or ""}
    for text, recommendation in session.execute(sa.select(Opinion.diagnosis_text, Opinion.recommendation)):
        found |= {text, recommendation}
    return {t.strip() for t in found if t and len(t.strip()) >= 6}


def mail_texts(app) -> list[tuple[str, str]]:
    """(where, text) for every email: outbox subjects and invites, and each .eml part decoded."""
    texts = []
    for subject, ics in db.session.execute(sa.select(OutboxMessage.subject, OutboxMessage.ics)):
        texts += [("subject", subject), ("invite", ics or "")]
    for path in Path(app.config["MAIL_FOLDER"]).rglob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        texts.append((f"{path.name} headers", str(message["Subject"]) + " " + str(message["To"])))
        for part in message.walk():
            if part.get_content_maintype() == "text":
                texts.append((f"{path.name} {part.get_content_type()}", part.get_content()))
    return texts


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage() + (record.exc_text or ""))


@contextlib.contextmanager
def logs_at_debug():
    """Every line the app's and werkzeug's loggers write meanwhile, at DEBUG."""
    handler, saved = _Collect(), {}
    for name in ("clinic", "werkzeug"):
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).removeHandler(handler)


@pytest.fixture(scope="module")
def demo(_app):
    """The demo clinic, loaded once for the module's walks (each walk in a savepoint of it), its mail
    delivered to .eml files as `flask demo` leaves them; what must never leave, and the logs of loading it."""
    with shared_transaction(_app), logs_at_debug() as lines:
        logins = load_demo()
        db.session.commit()
        deliver_due(limit=None)
        secrets = clinical_texts(db.session)
        assert len(secrets) > 30
        yield {"logins": {role: (address, password) for address, password, role in logins}, "secrets": secrets,
               "logs": lines}


def leaks_of(secrets, urls=(), logs=(), mails=()) -> list[str]:
    leaks = []
    for secret in sorted(secrets):
        lowered = secret.lower()
        leaks += [f"URL {u}" for u in urls if lowered in unquote(u).lower()]
        leaks += [f"log: {line[:120]}" for line in logs if lowered in line.lower()]
        leaks += [f"{where}: {secret}" for where, text in mails if lowered in text.lower()]
    return leaks


def _patient_links(app) -> list[str]:
    bodies = " ".join(text for _, text in mail_texts(app))
    return [urlsplit(link).path for link in
            re.findall(r"https?://[^\s\"'<>]+/(?:upload|reports)/[A-Za-z0-9_-]+", bodies)]


# One walk per way in, so xdist workers share the sweep: each staff role signed in, and the links the
# mail gives the patient and the first doctor. (The fewest pages each walk must reach.)
WALKS = {"coordinator": 40, "specialist": 10, "admin": 20, "links in the mail": 2}


@pytest.mark.sweep
@pytest.mark.parametrize("walk_as", WALKS)
def test_no_condition_or_treatment_in_any_url_or_log_line(app, demo, walk_as):
    urls: list[str] = []
    pages = 0
    with logs_at_debug() as logs:
        if walk_as in demo["logins"]:
            client = app.test_client()
            address, password = demo["logins"][walk_as]
            response = client.post("/login", data={"email": address, "password": password})
            urls.append(response.headers["Location"])
            pages += walk(client, response.headers["Location"], urls)
        else:
            for link in _patient_links(app):
                pages += walk(app.test_client(), link, urls)
    figures.add("privacy: pages walked", pages)
    assert pages >= WALKS[walk_as]
    assert leaks_of(demo["secrets"], urls=urls, logs=[*demo["logs"], *logs]) == []


@pytest.mark.sweep
def test_no_condition_or_treatment_in_any_email_or_invite(app, demo):
    mails = mail_texts(app)
    figures.add("privacy: emails and invites read", len(mails))
    assert len(mails) > 50
    assert leaks_of(demo["secrets"], mails=mails) == []
