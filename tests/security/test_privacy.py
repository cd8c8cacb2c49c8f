"""Privacy: no diagnosis, condition or treatment leaves the clinic or lands in a log.

The demo clinic is loaded (every stage, through the real services), its mail delivered to .eml
files, and every page of every role walked by following the links and GET forms the pages
render, the patients' upload and report links included; the app's and werkzeug's logs are
captured at DEBUG throughout. Then each case's diagnosis, ICD-10 description and treatment (and
the second opinion's) is looked for in every URL requested or redirected to, every log line,
and every email: its subject, its text and HTML, and its calendar invite.
"""
from __future__ import annotations

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
from tests.security import figures

MAX_PAGES = 400
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


@pytest.mark.sweep
def test_no_condition_or_treatment_in_any_url_log_line_email_or_invite(app, session, caplog):
    caplog.set_level(logging.DEBUG, logger="clinic")
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    logins = load_demo()
    session.commit()
    deliver_due(limit=None)  # the demo's mail as .eml files, as `flask demo` leaves them
    secrets = clinical_texts(session)
    assert len(secrets) > 30
    urls: list[str] = []
    pages = 0
    for address, password, role in logins:
        client = app.test_client()
        response = client.post("/login", data={"email": address, "password": password})
        urls.append(response.headers["Location"])
        pages += walk(client, response.headers["Location"], urls)
    mails = mail_texts(app)
    bodies = " ".join(text for _, text in mails)
    for link in re.findall(r"https?://[^\s\"'<>]+/(?:upload|reports)/[A-Za-z0-9_-]+", bodies):
        pages += walk(app.test_client(), urlsplit(link).path, urls)  # the patient's and first doctor's links
    figures.add("privacy: pages walked", pages)
    figures.add("privacy: emails and invites read", len(mails))
    logs = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    leaks = []
    for secret in sorted(secrets):
        lowered = secret.lower()
        leaks += [f"URL {u}" for u in urls if lowered in unquote(u).lower()]
        leaks += [f"log: {line[:120]}" for line in logs if lowered in line.lower()]
        leaks += [f"{where}: {secret}" for where, text in mails if lowered in text.lower()]
    assert pages > 100 and len(mails) > 50
    assert leaks == []
