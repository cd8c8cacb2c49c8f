"""One case from the public form to the dashboard, in Chromium against the live demo clinic: the
patient asks, the coordinator gathers and verifies the records and coverage and proposes an
independent specialist, the specialist accepts, the coordinator books and moves the consultation
(invites parsed with the `ical` package), the specialist signs the opinion, the coordinator records
the patient's decision and the dashboard counts the case. Each main screen is looked at on the way
(axe-core, desktop and phone screenshots), and the case page says what it waits for at every stage."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from clinic.demo.files import make_pdf, make_png, make_text
from tests.browser.conftest import delivered, image_width, look, sign_in

pytestmark = pytest.mark.browser

PATIENT = "Ada Lovelace-Story"
PATIENT_EMAIL = "ada.story@example.org"
SPECIALIST = "Dr. Priya Raman"  # breast surgery, in BlueRiver's network, no tie to Riverside Oncology
SPECIALIST_EMAIL = "raman@panel.demo.clinic"
RECORDS = {  # record name -> (file name, bytes)
    "Visit summary": ("visit-summary.pdf", make_pdf("Visit summary", ["Left breast mass, 2.1 cm."])),
    "Lab results": ("labs.pdf", make_pdf("Laboratory results", ["CBC normal."])),
    "Medication list": ("medications.txt", make_text("Medications", ["Levothyroxine 50 mcg"])),
    "Imaging (the images)": ("mammogram.png", make_png(96, 96, seed=7)),
    "Imaging report": ("imaging-report.pdf", make_pdf("Mammography report", ["BI-RADS 5"])),
    "Pathology report": ("pathology.pdf", make_pdf("Core biopsy", ["Invasive ductal carcinoma, grade 2"])),
}


def choose(select, text: str) -> None:
    """Pick the option of a <select> whose label contains `text`."""
    select.select_option(value=select.locator("option", has_text=text).first.get_attribute("value"))


def waiting(page) -> str:
    return page.locator(".waiting-box").first.inner_text()


def the_patient_asks(page, name: str = PATIENT, address: str = PATIENT_EMAIL, shot: str | None = "01-public-request") -> str:
    """The public form filled as a patient would (a breast cancer diagnosis, BlueRiver coverage); the reference shown."""
    page.goto("/request")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Date of birth").fill("1971-12-10")
    page.get_by_label("Email").fill(address)
    page.get_by_label("Doctor who gave the first opinion").fill("Dr. Helen Carter")
    page.get_by_label("Their clinic or hospital (optional)").fill("Riverside Oncology Associates")
    page.get_by_label("Diagnosis you were given").fill("Invasive ductal carcinoma of the left breast")
    page.get_by_label("Diagnosis code, if you know it (ICD-10)").fill("C50.912")
    page.get_by_label("Treatment proposed (if any)").fill("Left mastectomy")
    page.locator("#treatment_invasive").get_by_label("Yes").check()
    page.get_by_label("Serious or uncertain diagnosis").check()
    page.get_by_label("Urgent").check()
    page.get_by_label("Insurance company").fill("BlueRiver")
    page.get_by_label("Plan", exact=True).fill("Select HMO")
    page.get_by_label("Member ID").fill("BR-77")
    if shot:
        look(page, shot)
    page.get_by_role("button", name="Send my request").click()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"SO-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
    assert "carcinoma" not in page.content()
    return reference


def the_coordinator_gathers_the_records(page, reference: str) -> str:
    from playwright.sync_api import expect

    sign_in(page, "coordinator")
    first_row = page.locator("table.queue-table tbody tr").first
    expect(first_row).to_contain_text(reference)
    expect(first_row).to_contain_text("Urgent")
    look(page, "02-work-queue")
    first_row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Case {reference}")).to_be_visible()
    assert "Pathology report: missing" in waiting(page)  # C50 is a neoplasm: pathology is required
    look(page, "03-case-records-pending")
    case_url = page.url

    page.get_by_role("link", name="Request records").click()
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # An invalid upload is refused beside the file field, and nothing is attached.
    upload = page.locator("form[aria-label='Upload a document']")
    upload.get_by_label("Record").select_option(label="Visit summary (requested)")
    upload.get_by_label("File").set_input_files(
        files=[{"name": "summary.html", "mimeType": "text/html", "buffer": b"<html><script>alert(1)</script></html>"}])
    upload.get_by_role("button", name="Upload").click()
    expect(page.locator("#file-error")).to_contain_text("cannot be attached")
    assert page.get_by_label("File").get_attribute("aria-describedby").endswith("file-error")
    look(page, "03b-upload-refused")
    page.goto(case_url)

    for record, (name, content) in RECORDS.items():
        upload = page.locator("form[aria-label='Upload a document']")
        choose(upload.get_by_label("Record"), f"{record} (")
        upload.get_by_label("File").set_input_files(files=[{"name": name, "mimeType": "application/octet-stream",
                                                             "buffer": content}])
        upload.get_by_role("button", name="Upload").click()
        expect(page.locator(".alert-success")).to_contain_text(f"{name} attached to {record}")
    while page.get_by_role("button", name="Verify").count():
        page.get_by_role("button", name="Verify").first.click()
        page.wait_for_load_state()
    assert "Coverage: not verified" in waiting(page)

    page.get_by_role("link", name="Record a coverage check").click()
    page.get_by_label("Verified, in network").check()
    choose(page.get_by_label("Payer and plan"), "Select HMO")
    page.get_by_label("Member ID").fill("BR-77")
    page.get_by_role("button", name="Record the check").click()
    expect(page.locator(".status-badge").first).to_have_text("Ready to match")
    assert "A specialist to accept the case" in waiting(page) or "specialist" in waiting(page).lower()
    look(page, "04-case-ready-to-match")
    return case_url


def the_coordinator_proposes_a_specialist(page) -> None:
    from playwright.sync_api import expect

    # The patient named their doctor without an NPI: who it is in the directory is confirmed first,
    # or the independence check stays incomplete.
    doctor = page.locator(".doctor-resolution")
    expect(doctor).to_contain_text("Who is the first-opinion doctor, Dr. Helen Carter")
    doctor.locator("li", has_text="Dr. Helen Carter").first.get_by_role(
        "button", name=re.compile("This is the doctor")).click()
    expect(page.locator(".alert-success")).to_contain_text("confirmed as Dr. Helen Carter")
    page.get_by_role("link", name="Full shortlist and exclusions").click()
    expect(page.get_by_role("heading", name=re.compile("Independent specialists"))).to_be_visible()
    page.locator("details.excluded > summary").click()
    network = page.locator("details.excluded-rule", has_text="In the network of the patient's plan")
    network.locator("summary").click()
    nwosu = network.locator("li", has_text="Dr. Amara Nwosu")  # in Acme's network only
    expect(nwosu).to_contain_text("not in network for BlueRiver Select HMO")
    look(page, "05-shortlist")
    page.get_by_role("button", name=f"Propose {SPECIALIST}").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert "accept" in waiting(page).lower()


def the_specialist_accepts(page, reference: str) -> None:
    from playwright.sync_api import expect

    sign_in(page, "specialist")
    look(page, "06-specialist-workspace")
    proposal = page.locator("section[aria-labelledby=proposed-heading] li", has_text=reference)
    proposal.get_by_role("link", name=f"Accept or decline case {reference}").click()
    look(page, "07-proposal")
    page.get_by_role("button", name="Accept the case").click()
    expect(page.locator(".alert-success")).to_be_visible()


def calendars(folder: Path, recipient: str) -> list:
    """Every calendar mailed to `recipient`, parsed by the independent `ical` package, oldest first."""
    from ical.calendar_stream import IcsCalendarStream

    return [IcsCalendarStream.calendar_from_ics(part.get_content())
            for message in delivered(folder, recipient) for part in message.walk()
            if part.get_content_type() == "text/calendar" and not part.get_filename()]


def the_coordinator_books_and_moves(page, case_url: str, mail: Path):
    from playwright.sync_api import expect

    page.goto(case_url)
    assert "booked" in waiting(page).lower()
    page.get_by_role("link", name="Book the consultation").click()
    look(page, "08-slot-picker")
    expect(page.get_by_role("button", name="Book this slot")).to_be_in_viewport()  # not below three weeks of slots
    page.locator("input[name=start]").first.check()
    page.get_by_role("button", name="Book this slot").click()
    expect(page.locator(".alert-success")).to_contain_text("Booked for")
    look(page, "09-appointment")
    booked = {who: calendars(mail, who) for who in (PATIENT_EMAIL, SPECIALIST_EMAIL)}
    assert all(booked.values()), "an invite for the patient and for the specialist"
    invite = booked[PATIENT_EMAIL][-1]
    assert invite.method == "REQUEST" and invite.events[0].sequence == 0
    uid = invite.events[0].uid
    assert booked[SPECIALIST_EMAIL][-1].events[0].uid == uid
    assert "carcinoma" not in str(invite.events[0].summary).lower()

    page.get_by_role("link", name="Reschedule").click()
    page.locator("input[name=start]").nth(2).check()
    page.get_by_role("button", name="Move to this slot").click()
    expect(page.locator(".alert-success")).to_contain_text("Moved to")
    moved = calendars(mail, PATIENT_EMAIL)[-1]
    assert moved.events[0].uid == uid and moved.events[0].sequence == 1
    assert moved.events[0].dtstart != invite.events[0].dtstart
    page.goto(case_url)
    assert "take place" in waiting(page).lower()
    look(page, "10-case-scheduled")
    return moved.events[0].dtend


def the_consultation_is_held(page, case_url: str, live_server, end, monkeypatch) -> None:
    """The clock moves past the consultation (in the live server's own process) to mark it held."""
    from playwright.sync_api import expect

    from clinic.scheduling import services, views

    later = end.astimezone(services.utcnow().tzinfo) + timedelta(minutes=5)
    with monkeypatch.context() as clock:
        clock.setattr(services, "utcnow", lambda: later)
        clock.setattr(views, "utcnow", lambda: later)
        page.get_by_role("link", name="Open the appointment").click()
        page.get_by_role("button", name="Mark as held").click()
        expect(page.locator(".alert-success")).to_be_visible()
    page.goto(case_url)
    assert "sign the opinion" in waiting(page).lower()
    look(page, "11-case-consulted")


def the_specialist_signs(page, reference: str) -> None:
    from playwright.sync_api import expect

    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/specialist/cases")
    awaiting = page.locator("section[aria-labelledby=awaiting-heading] li", has_text=reference)
    awaiting.get_by_role("link", name=f"Case {reference}", exact=True).click()
    look(page, "12-specialist-case")
    image = page.locator(".record-files li", has_text="mammogram.png")
    image.get_by_role("link", name=re.compile("^View")).click()
    expect(page.locator("img.record-image")).to_be_visible()
    assert image_width(page) == 96
    page.go_back()
    page.get_by_role("link", name="Start the opinion").click()
    page.get_by_label("Your diagnosis").fill("Invasive ductal carcinoma, 2.1 cm, node-negative on imaging")
    page.get_by_label("Refined: the same condition, made more precise").check()
    page.get_by_label("Modified: the same approach with changes (extent, order, dose, timing)").check()
    page.locator("#less_invasive").get_by_label("Yes").check()
    page.get_by_label("Which less invasive option, and for whom it suits").fill(
        "Breast-conserving surgery with radiotherapy suits a single 2 cm tumour.")
    page.get_by_label("What happens if the patient waits").fill("Four weeks of waiting is safe.")
    page.get_by_label("Your recommendation").fill("Lumpectomy with sentinel node biopsy, then radiotherapy.")
    answers = page.locator(".opinion-answers textarea")
    for i in range(answers.count()):
        answers.nth(i).fill(f"My answer to question {i + 1}.")
    look(page, "13-opinion-form")
    expect(page.get_by_role("button", name="Sign the opinion")).to_be_in_viewport()
    page.get_by_role("button", name="Sign the opinion").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Opinion on case {reference} signed.")


def signed_opinions(page) -> int:
    page.goto("/outcomes")
    return int(re.search(r"(\d+) signed opinions?", page.locator("main").inner_text()).group(1))


def the_coordinator_closes_the_case(page, case_url: str, reference: str, before: int) -> None:
    from playwright.sync_api import expect

    page.goto(case_url)
    assert "decision" in waiting(page).lower()
    stale = page.context.new_page()  # a second tab, left open on the case page
    stale.goto(case_url)
    look(page, "14-case-opinion-recorded")
    page.get_by_role("link", name="Compare the opinions and record the decision").click()
    expect(page.locator(".compare-differs").first).to_be_visible()
    expect(page.get_by_text("Lumpectomy with sentinel node biopsy, then radiotherapy.").first).to_be_visible()
    look(page, "15-comparison")
    page.get_by_label("Follow the second opinion").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".alert-success")).to_contain_text(f"case {reference} is closed")
    page.get_by_role("link", name="Open the printable report").click()
    expect(page.locator(".report")).to_contain_text("Lumpectomy with sentinel node biopsy")
    look(page, "16-report")
    page.goto(case_url)
    assert "Nothing: the case is closed" in waiting(page)
    look(page, "17-case-closed")
    assert signed_opinions(page) == before + 1
    look(page, "18-dashboard")

    # The stale tab still offers to end the case: the workflow refuses, and says why.
    stale.on("dialog", lambda dialog: dialog.accept())
    stale.get_by_label("Withdrawn by the patient").check()
    stale.get_by_label("Reason").fill("The patient changed her mind.")
    stale.get_by_role("button", name="End the case").click()
    expect(stale.locator(".alert-danger")).to_contain_text("A case that is closed cannot become withdrawn.")
    expect(stale.locator(".status-badge").first).to_have_text("Closed")


def test_a_request_travels_from_the_public_form_to_the_dashboard(browser, live_server, monkeypatch):
    mail = Path(live_server.app.config["MAIL_FOLDER"])
    contexts = [browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url)
                for _ in range(3)]
    patient, coordinator, specialist = (context.new_page() for context in contexts)
    for page in (patient, coordinator, specialist):
        page.set_default_timeout(10_000)
    coordinator.on("dialog", lambda dialog: dialog.accept())
    try:
        reference = the_patient_asks(patient)
        case_url = the_coordinator_gathers_the_records(coordinator, reference)
        the_coordinator_proposes_a_specialist(coordinator)
        the_specialist_accepts(specialist, reference)
        before = signed_opinions(coordinator)
        end = the_coordinator_books_and_moves(coordinator, case_url, mail)
        the_consultation_is_held(coordinator, case_url, live_server, end, monkeypatch)
        the_specialist_signs(specialist, reference)
        the_coordinator_closes_the_case(coordinator, case_url, reference, before)
    finally:
        for context in contexts:
            context.close()

