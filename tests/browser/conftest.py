"""Browser tests: a live server of the app on a free loopback port with its own database
(the demo clinic loaded), driven by Playwright in Debian's Chromium, headless.

Screenshots of each main screen are saved to tests/browser/screenshots/ (desktop 1366x768
and phone 390x844)."""
from __future__ import annotations

import email
import shutil
import threading
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from clinic import create_app
from clinic.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LOGINS = {
    "coordinator": ("coordinator@demo.clinic", "coordinator-demo-password-2026"),
    "specialist": ("specialist@demo.clinic", "specialist-demo-password-2026"),
    "admin": ("admin@demo.clinic", "admin-demo-password-2026"),
}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason="Debian chromium is not installed (.ci/run installs it)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, fresh_screenshots):
    folder = tmp_path_factory.mktemp("live")
    app = create_app({
        "TESTING": True, "SECRET_KEY": "browser-tests", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.db'}",
        "UPLOAD_FOLDER": str(folder / "uploads"), "MAIL_FOLDER": str(folder / "mail"), "MAIL_SERVER": "",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        from clinic.demo import load_demo

        load_demo()
        db.session.commit()
        # The demo's mail is delivered now, so each request's own mail leaves with it (not behind a backlog).
        from clinic.mail.outbox import deliver_due

        deliver_due(limit=None)
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def fresh_screenshots():
    """Screenshots of this run only (requested by the live server, so tests without a browser keep them)."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def image_width(page, selector: str = "img.record-image") -> int:
    """The natural width of the image once the browser has finished loading it (0 if it failed):
    visible is not loaded, and reading it earlier races the download."""
    page.wait_for_function("s => { const i = document.querySelector(s); return i !== null && i.complete; }",
                           arg=selector)
    return page.evaluate("s => document.querySelector(s).naturalWidth", selector)


def delivered(folder: Path, recipient: str) -> list[EmailMessage]:
    """Every mail written to `folder` (MAIL_FOLDER's .eml files) for `recipient`, oldest first."""
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if recipient in str(message["To"]):
            found.append(message)
    return found


def shoot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, role: str):
    email, password = LOGINS[role]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def look(page, name: str) -> None:
    """Look at a screen as its users do: axe-core finds nothing serious, a desktop and a phone
    screenshot are saved, and on the phone nothing scrolls sideways."""
    assert serious_violations(page) == [], name
    assert heading_jumps(page) == [], name
    shoot(page, f"{name}-desktop")
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        shoot(page, f"{name}-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways"
    finally:
        page.set_viewport_size(size)


def tab_to(page, matches: str, limit: int = 120) -> None:
    """Press Tab until the focused element satisfies the JavaScript predicate `matches` (given `el`),
    and check the focus is visible there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({matches}); }})()"):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"no visible focus on {matches}"
            return
    raise AssertionError(f"Tab never reached {matches}")


def heading_jumps(page) -> list[str]:
    """Headings out of order: the page starts at one h1 and never skips a level going down."""
    levels = page.evaluate("[...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]"
                           ".map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 40)])")
    jumps = [] if levels and levels[0][0] == 1 else [f"starts at {levels[0] if levels else 'nothing'}"]
    jumps += [f"h{a} -> h{b} ({text})" for (a, _), (b, text) in zip(levels, levels[1:]) if b > a + 1]
    return jumps


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, first {v['nodes'][0]['target']})"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
