"""The rest of a working day in Chromium: errors beside their fields, a wrong password, an idle
session, the queue's memory, the main path with the keyboard alone, and every screen outside the
story (test_case_story.py) checked by axe-core and on a phone."""
from __future__ import annotations

import pytest

from tests.browser.conftest import look, sign_in, tab_to

pytestmark = pytest.mark.browser


def test_missing_fields_are_shown_beside_each_field(page):
    page.goto("/request")
    page.get_by_role("button", name="Send my request").click()
    assert page.locator("#form-errors").is_visible()
    name = page.get_by_label("Full name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "patient_name-error" in name.get_attribute("aria-describedby")
    assert "required" in page.locator("#patient_name-error").inner_text().lower()
    look(page, "other-public-request-errors")


def test_wrong_password_says_so_without_naming_which_part(page):
    page.goto("/login")
    page.get_by_label("Email").fill("coordinator@demo.clinic")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert "do not match an active account" in page.locator("#password-error").inner_text()


def test_sign_in_filter_the_queue_open_a_case_and_verify_a_record_with_the_keyboard_alone(page):
    """Tab, Enter and Space only, the focus visible at every stop."""
    from playwright.sync_api import expect

    page.goto("/login")
    tab_to(page, "el.id === 'email'")
    page.keyboard.type("coordinator@demo.clinic")
    page.keyboard.press("Tab")
    page.keyboard.type("coordinator-demo-password-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases")
    tab_to(page, "el.tagName === 'A' && el.textContent.includes('Records to verify')")
    page.keyboard.press("Enter")
    page.wait_for_url("**flag=records_to_verify**")
    tab_to(page, "el.tagName === 'A' && el.closest('table.queue-table')")
    reference = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Case {reference}")).to_be_visible()
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Verify'")
    record = page.evaluate("document.activeElement.closest('tr').querySelector('td a').textContent.trim()")
    page.keyboard.press("Space")
    expect(page.locator(".alert-success")).to_contain_text(record)
    expect(page.locator(".records-table tr", has_text=record).locator(".badge").first).to_have_text("Verified")


def test_the_queue_remembers_its_filters_until_cleared(page):
    from playwright.sync_api import expect

    sign_in(page, "coordinator")
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_role("button", name="Apply filters").click()
    page.locator("table.queue-table tbody a").first.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Work queue").click()
    assert "urgency=urgent" in page.url
    expect(page.get_by_label("Urgency")).to_have_value("urgent")
    assert all("Urgent" in row for row in page.locator("table.queue-table tbody tr").all_inner_texts())
    page.get_by_role("link", name="Clear").click()
    expect(page.get_by_label("Urgency")).to_have_value("")
    page.goto("/cases")
    assert "urgency" not in page.url


def test_idle_session_sends_the_user_back_to_sign_in(page, live_server):
    sign_in(page, "coordinator")
    live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 0
    try:
        page.goto("/cases")
    finally:
        live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 15
    assert "/login" in page.url
    assert "without activity" in page.content()


@pytest.mark.parametrize("name, path, role", [
    ("login", "/login", None), ("new-request", "/cases/new", "coordinator"),
    ("directory", "/directory", "coordinator"), ("clinician", "/directory/clinicians/1", "admin"),
    ("availability", "/availability/mine", "specialist"), ("users", "/admin/users", "admin"),
    ("user", "/admin/users/3", "admin"), ("audit-log", "/admin/audit/", "admin"),
    ("outbox", "/admin/outbox", "admin"), ("roster-import", "/directory/import", "admin"),
    ("availability-index", "/availability", "admin"),
])
def test_other_main_screens_pass_axe_and_fit_a_phone(page, name, path, role):
    """The story (test_case_story.py) looks at the screens of the workflow; these are the others."""
    if role:
        sign_in(page, role)
    page.goto(path)
    look(page, f"other-{name}")
