"""The coordinator books, moves and cancels a consultation in a real browser (Chromium via Playwright),
against a live server on loopback with a committed SQLite database of its own."""
from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from clinic.extensions import db
from tests import factories
from tests.conftest import PASSWORD, build_intake, make_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from clinic.cases.services import submit_request

    app = make_app("sqlite:///" + str(tmp_path_factory.mktemp("live") / "live.db"), tmp_path_factory,
                   WTF_CSRF_ENABLED=True)
    with app.app_context():
        upgrade()
        coordinator = factories.UserFactory(role="coordinator")
        specialist = factories.ClinicianFactory(timezone="America/Chicago")
        factories.open_every_day(specialist)
        case = factories.accept(submit_request(None, build_intake(timezone="America/New_York")), specialist)
        rivals = [factories.accept(submit_request(None, build_intake()), specialist) for _ in range(2)]
        db.session.commit()
        facts = {"email": coordinator.email, "case_id": case.id, "reference": case.reference,
                 "rivals": [rival.id for rival in rivals]}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", facts
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def signed_in(browser, base, facts):
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.fill("#email", facts["email"])
    page.fill("#password", PASSWORD)
    page.click("input[type=submit]")
    return page


def test_two_coordinators_race_for_one_slot_one_books_it_the_other_is_told_it_was_just_taken(live, browser):
    """Two cases of the same specialist, two browsers on the slot picker, the same slot, submitted together."""
    from playwright.sync_api import expect

    base, facts = live
    pages = [signed_in(browser, base, facts) for _ in facts["rivals"]]
    try:
        for page, case_id in zip(pages, facts["rivals"]):
            page.goto(f"{base}/cases/{case_id}/booking")
            page.locator("input[name=start]").first.check()
        assert len({page.locator("input[name=start]:checked").get_attribute("value") for page in pages}) == 1
        for page in pages:  # both submit before either answer is read
            page.get_by_role("button", name="Book this slot").click(no_wait_after=True)
        for page in pages:
            page.wait_for_selector(".alert-success, #start-error")
        outcomes = sorted("booked" if page.locator(".alert-success").count() else "taken" for page in pages)
        assert outcomes == ["booked", "taken"]
        loser = next(page for page in pages if page.locator("#start-error").count())
        expect(loser.locator("#start-error")).to_contain_text("That slot was just taken by another booking.")
        assert "start-error" in loser.locator("fieldset").first.get_attribute("aria-describedby")
    finally:
        for page in pages:
            page.context.close()


def test_a_coordinator_books_moves_and_cancels_a_consultation(live, browser):
    from playwright.sync_api import expect

    base, facts = live
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm question before cancelling
        page.goto(f"{base}/login")
        page.fill("#email", facts["email"])
        page.fill("#password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{base}/cases/{facts['case_id']}")
        page.click("a:has-text('Book the consultation')")
        expect(page.locator("legend")).to_have_text("Open slots")
        expect(page.locator(".slot-choice").first).to_contain_text("patient")  # Chicago vs New York
        page.locator("input[name=start]").nth(1).check()
        page.click("input[value='Book this slot']")
        expect(page.locator(".alert-success")).to_contain_text("Booked for")
        page.click("a:has-text('Reschedule')")
        page.locator("input[name=start]").nth(3).check()
        page.click("input[value='Move to this slot']")
        expect(page.locator(".alert-success")).to_contain_text("Moved to")
        expect(page.locator("dd").filter(has_text="grows with each change")).to_contain_text("1")
        page.fill("#reason", "The patient asked for another week.")
        page.click("input[value='Cancel appointment']")
        expect(page.locator(".alert-success")).to_contain_text("back to matched")
        page.goto(f"{base}/cases/{facts['case_id']}")
        expect(page.locator(".status-badge").first).to_have_text("Matched")
        expect(page.locator(".timeline").first).to_contain_text("Appointment cancelled: The patient asked for another week.")
    finally:
        context.close()
