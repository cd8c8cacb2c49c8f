"""Every mail's HTML part as a reader's browser-based mail client lays it out (Chromium, through
Playwright), on a phone (390px) and a desktop (1280px): nothing wider than the screen, no text
under 14px, every text at a contrast of 4.5:1 or more, and every link an absolute address that
works (links into the app answer 200 on a live server the mails were written for: PUBLIC_URL is
its address). Screenshots of each mail at both widths go to /tmp/mail-shots/.

The mails are made by tests/mail/producers.py through the real services: a new kind of mail is
checked here by adding its producer there."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from clinic.extensions import db
from tests.conftest import make_app, make_users
from tests.mail.producers import produce_all

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/mail-shots")
WIDTHS = (320, 390, 1280)  # the narrowest phone the layout is built for, a common phone, a desktop

# Problems of the page as laid out, in the browser: overflow, small text, low contrast.
LAYOUT_PROBLEMS = """() => {
  const width = window.innerWidth, problems = [];
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const describe = el => `<${el.tagName.toLowerCase()}> "${(el.textContent || '').trim().slice(0, 40)}"`;
  if (document.documentElement.scrollWidth > width)
    problems.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  const rgb = value => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(c => c / 255)
      .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
      .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    if (el.getBoundingClientRect().right > width + 0.5)
      problems.push(`${describe(el)} ends at ${Math.round(el.getBoundingClientRect().right)}px`);
    const ownText = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText) continue;
    const style = getComputedStyle(el);
    if (parseFloat(style.fontSize) < 14) problems.push(`${describe(el)} is ${style.fontSize}`);
    const [a, b] = [luminance(rgb(style.color)), luminance(background(el))];
    const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (contrast < 4.5) problems.push(`${describe(el)} has a contrast of ${contrast.toFixed(2)}:1`);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def mails_and_server(tmp_path_factory):
    """Every kind of mail, written by the real services for a live server (PUBLIC_URL) that holds
    their links' tokens in its committed database."""
    app = make_app("sqlite:///" + str(tmp_path_factory.mktemp("mail-live") / "live.db"), tmp_path_factory,
                   RATELIMIT_ENABLED=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        upgrade()
        mails = produce_all(make_users())
        db.session.commit()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield mails, app.config["PUBLIC_URL"]
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def test_every_mail_fits_phone_and_desktop_reads_well_and_its_links_work(browser, mails_and_server):
    mails, public_url = mails_and_server
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    problems, links = [], {}
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for mail in mails:
            page.set_content(mail.html)
            problems += [f"{mail.name} at {width}px: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
            page.screenshot(path=str(SHOTS / f"{mail.name}-{width}.png"), full_page=True)
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                links.setdefault(href, mail.name)
        context.close()
    assert problems == []
    assert links, "no mail carries a link"
    context = browser.new_context()
    try:
        for href, name in links.items():
            assert urlsplit(href).scheme in ("http", "https") and urlsplit(href).netloc, f"{name}: {href}"
            if href.startswith(public_url + "/"):
                answer = context.request.get(href)  # staff pages answer with the sign-in page, after a redirect
                assert answer.status == 200, f"{name}: {href} answered {answer.status}"
    finally:
        context.close()
