"""A patient asks for a second opinion; a coordinator finds it at the top of the queue."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE, serious_violations, shoot, sign_in

pytestmark = pytest.mark.browser


def fill_request(page, name: str):
    page.goto("/request")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Date of birth").fill("1972-04-09")
    page.get_by_label("Email").fill("browser.patient@example.org")
    page.get_by_label("Doctor who gave the first opinion").fill("Dr. Helen Carter")
    page.get_by_label("Diagnosis you were given").fill("Breast cancer, stage II")
    page.get_by_label("Serious or uncertain diagnosis").check()
    page.get_by_label("Urgent").check()
    page.get_by_label("Insurance company").fill("Acme Health")
    page.get_by_label("Plan", exact=True).fill("Gold PPO")
    page.get_by_label("Member ID").fill("B-1")


def test_patient_submits_and_coordinator_finds_it_first_in_the_queue(page, browser, live_server):
    fill_request(page, "Browser Patient")
    shoot(page, "01-public-request-desktop")
    page.get_by_role("button", name="Send my request").click()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"SO-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
    assert "Breast cancer" not in page.content()
    shoot(page, "02-request-received")

    coordinator = browser.new_context(viewport=page.viewport_size, base_url=live_server.url).new_page()
    sign_in(coordinator, "coordinator")
    first_row = coordinator.locator("table.queue-table tbody tr").first
    assert reference in first_row.inner_text() and "Urgent" in first_row.inner_text()
    shoot(coordinator, "03-work-queue")
    first_row.get_by_role("link").click()
    assert "What this case is waiting for" in coordinator.content()
    shoot(coordinator, "04-case-page")


def test_missing_fields_are_shown_beside_each_field(page):
    page.goto("/request")
    page.get_by_role("button", name="Send my request").click()
    assert page.locator("#form-errors").is_visible()
    name = page.get_by_label("Full name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "required" in page.locator("#patient_name-error").inner_text().lower()
    shoot(page, "05-public-request-errors")


def test_wrong_password_says_so_without_naming_which_part(page):
    page.goto("/login")
    page.get_by_label("Email").fill("coordinator@demo.clinic")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert "do not match an active account" in page.locator("#password-error").inner_text()


def test_sign_in_with_the_keyboard_alone(page):
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    for _ in range(3):
        if page.evaluate("document.activeElement.id") == "email":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("coordinator@demo.clinic")
    page.keyboard.press("Tab")
    page.keyboard.type("coordinator-demo-password-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases")
    assert page.get_by_role("heading", name="Work queue").is_visible()


def test_idle_session_sends_the_user_back_to_sign_in(page, live_server):
    sign_in(page, "coordinator")
    live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 0
    try:
        page.goto("/cases")
    finally:
        live_server.app.config["IDLE_TIMEOUT_MINUTES"] = 15
    assert "/login" in page.url
    assert "without activity" in page.content()


def test_public_form_on_a_phone_has_no_horizontal_scroll(phone):
    phone.goto("/request")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    shoot(phone, "01-public-request-phone")


@pytest.mark.parametrize("path, role", [("/request", None), ("/login", None), ("/cases", "coordinator"),
                                        ("/cases/new", "coordinator"), ("/admin/users", "admin")])
def test_main_screens_have_no_serious_accessibility_violations(page, path, role):
    if role:
        sign_in(page, role)
    page.goto(path)
    assert serious_violations(page) == []
