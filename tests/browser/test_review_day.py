"""A specialist reviews the full record of a held consultation, answers every question and signs;
the coordinator compares the two opinions, records the patient's decision and opens the report
and the dashboard. Against the demo clinic, in Chromium."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE, serious_violations, shoot, sign_in

pytestmark = pytest.mark.browser


def test_a_specialist_signs_and_the_coordinator_closes_the_case(page, browser, live_server):
    from playwright.sync_api import expect

    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "specialist")
    expect(page.get_by_role("heading", name="My cases", exact=True)).to_be_visible()
    groups = {name: page.locator(f"section[aria-labelledby={name}-heading] li") for name in
              ("proposed", "upcoming", "awaiting", "signed")}
    assert all(groups[name].count() >= 1 for name in groups)
    assert serious_violations(page) == []
    shoot(page, "review-01-workspace")

    awaiting = groups["awaiting"].first
    reference = re.search(r"SO-[A-Z0-9]{4}-[A-Z0-9]{4}", awaiting.inner_text()).group(0)
    awaiting.get_by_role("link", name=f"Case {reference}", exact=True).click()
    expect(page.get_by_role("heading", name=f"Case {reference}")).to_be_visible()
    shoot(page, "review-02-case")
    case_url = page.url

    # Every record: PDFs and images in the viewer, every file downloadable.
    files = page.locator(".record-files li")
    assert files.count() >= 5
    downloads = [a.get_attribute("href") for a in page.locator(".record-files a", has_text="Download").all()]
    viewers = [a.get_attribute("href") for a in page.locator(".record-files a", has_text="View").all()]
    for href in downloads:
        assert page.request.get(href).status == 200
    for href in viewers:
        page.goto(href)
        shown = page.locator("iframe.record-frame, img.record-image")
        expect(shown).to_be_visible()
        if page.locator("img.record-image").count():
            assert page.evaluate("document.querySelector('img.record-image').naturalWidth") > 0
            shoot(page, "review-03-viewer-image")
    page.goto(case_url)

    page.get_by_role("link", name="Continue the opinion").click()
    page.get_by_label("Modified: the same approach with changes (extent, order, dose, timing)").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Which less invasive option, and for whom it suits").fill(
        "Breast-conserving surgery with radiotherapy: both foci lie within 3 cm.")
    page.get_by_label("What happens if the patient waits").fill("A wait of four weeks for surgery is safe.")
    page.get_by_label("Your recommendation").fill("Wide local excision of both foci, then radiotherapy.")
    answers = page.locator(".opinion-answers textarea")
    for i in range(answers.count()):
        if not answers.nth(i).input_value():
            answers.nth(i).fill(f"My answer to question {i + 1}, after the consultation.")
    shoot(page, "review-04-opinion-form")
    page.get_by_role("button", name="Sign the opinion").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Opinion on case {reference} signed.")
    expect(page.locator("#opinion-heading + p")).to_contain_text("Signed")

    coordinator = browser.new_context(viewport=page.viewport_size, base_url=live_server.url).new_page()
    coordinator.on("dialog", lambda dialog: dialog.accept())
    sign_in(coordinator, "coordinator")
    coordinator.goto("/cases?status=opinion_recorded")
    coordinator.get_by_role("link", name=reference).click()
    coordinator.get_by_role("link", name="Compare the opinions and record the decision").click()
    expect(coordinator.locator(".compare-differs").first).to_contain_text("Differs")
    expect(coordinator.get_by_text("Wide local excision of both foci, then radiotherapy.").first).to_be_visible()
    assert serious_violations(coordinator) == []
    shoot(coordinator, "review-05-comparison")
    coordinator.get_by_label("Follow the second opinion").check()
    coordinator.get_by_role("button", name="Record the decision and close the case").click()
    expect(coordinator.locator(".alert-success")).to_contain_text(f"case {reference} is closed")

    coordinator.get_by_role("link", name="Open the printable report").click()
    expect(coordinator.get_by_role("heading", name="Your second-opinion report")).to_be_visible()
    expect(coordinator.locator(".report")).to_contain_text("Follow the second opinion")
    shoot(coordinator, "review-06-report")
    coordinator.get_by_role("link", name="Outcomes").click()
    expect(coordinator.locator("svg.chart").first).to_be_visible()
    assert serious_violations(coordinator) == []
    shoot(coordinator, "review-07-dashboard")


def test_the_workspace_fits_a_phone(phone):
    sign_in(phone, "specialist")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "review-08-workspace-phone")
