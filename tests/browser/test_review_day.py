"""A specialist opens the full record of a held consultation from the demo clinic: every file
downloads, PDFs and images show in the viewer. (Signing, the comparison, the decision, the report
and the dashboard are walked in test_case_story.py.)"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import image_width, look, sign_in

pytestmark = pytest.mark.browser


def test_the_specialist_opens_every_record_of_a_held_consultation(page):
    from playwright.sync_api import expect

    sign_in(page, "specialist")
    groups = {name: page.locator(f"section[aria-labelledby={name}-heading] li") for name in
              ("proposed", "upcoming", "awaiting", "signed")}
    assert all(groups[name].count() >= 1 for name in groups)

    awaiting = groups["awaiting"].first
    reference = re.search(r"SO-[A-Z0-9]{4}-[A-Z0-9]{4}", awaiting.inner_text()).group(0)
    awaiting.get_by_role("link", name=f"Case {reference}", exact=True).click()
    expect(page.get_by_role("heading", name=f"Case {reference}")).to_be_visible()

    files = page.locator(".record-files li")
    assert files.count() >= 5
    downloads = [a.get_attribute("href") for a in page.locator(".record-files a", has_text="Download").all()]
    viewers = [a.get_attribute("href") for a in page.locator(".record-files a", has_text="View").all()]
    for href in downloads:
        assert page.request.get(href).status == 200
    looked = set()
    for href in viewers:
        page.goto(href)
        expect(page.locator("iframe.record-frame, img.record-image")).to_be_visible()
        kind = "image" if page.locator("img.record-image").count() else "pdf"
        if kind == "image":
            assert image_width(page) > 0
        if kind not in looked:
            look(page, f"review-viewer-{kind}")
            looked.add(kind)
    assert looked == {"image", "pdf"}
