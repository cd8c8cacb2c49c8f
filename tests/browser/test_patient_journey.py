"""The patient's side of one case, in Chromium against the live demo clinic: the public form, the
acknowledgement and its status link, a record sent from the status page, rejected by the coordinator
(the patient told why in plain words) and sent again, the invitation, a "No" pressed in a calendar
app and read from the clinic's mailbox on a real IMAP server (Dovecot), the coordinator rebooking
from the queue's flag, the reminder, and the report given to the patient and read on a phone.

Staff steps other browser tests walk through screen by screen (the remaining records, coverage,
matching, the consultation held, the opinion signed) are done here through the same services, in
the live server's app, as a colleague elsewhere in the clinic would."""
from __future__ import annotations

import imaplib
import os
import re
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic.demo.files import make_pdf
from clinic.extensions import db
from tests.browser.conftest import PHONE, delivered, look, sign_in
from tests.browser.test_case_story import calendars, the_patient_asks
from tests.inbox import dovecot
from tests.inbox.conftest import reply_for

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(dovecot.DOVECOT),
                                 reason="Dovecot is not installed (.ci/run installs dovecot-imapd)")]

PATIENT = "Grace Journey"
EMAIL = "grace.journey@example.org"
DIAGNOSIS_WORDS = ("carcinoma", "C50", "mastectomy")  # what the patient wrote on the form


@pytest.fixture(scope="module")
def imap_server():
    with dovecot.running() as mailbox:
        yield mailbox


@contextmanager
def at_the_clinic(live_server):
    """The live server's app, as a colleague or the worker acts on it: committed, then the mail sent."""
    from clinic.mail.outbox import deliver_due

    with live_server.app.app_context():
        yield
        db.session.commit()
        deliver_due(limit=None)


def the_case(reference: str):
    from clinic.cases.models import Case

    return db.session.scalar(sa.select(Case).where(Case.reference == reference))


def latest(folder: Path, subject_has: str):
    """The newest mail to the patient whose subject holds `subject_has`, checked for privacy on the way."""
    found = [m for m in delivered(folder, EMAIL) if subject_has in str(m["Subject"])]
    assert found, f"no mail to the patient about {subject_has!r}"
    message = found[-1]
    shown = str(message["Subject"]) + message.get_body(("plain",)).get_content()
    assert not any(word.lower() in shown.lower() for word in DIAGNOSIS_WORDS), message["Subject"]
    return message


def status_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/status/[A-Za-z0-9_-]+)", message.get_body(("plain",)).get_content())
    assert found, f"no status link in {message['Subject']!r}"
    return found.group(1)


def send_from_status_page(page, record: str, name: str, lines: list[str], answer: str = "We received your file") -> None:
    from playwright.sync_api import expect

    page.get_by_label(record, exact=True).check()
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": make_pdf(record, lines)}])
    page.get_by_role("button", name="Send the file").click()
    expect(page.locator("main")).to_contain_text(answer)


def the_coordinator_rejects_then_verifies(page, case_id: int, record: str, verdict: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"/cases/{case_id}")
    page.locator("table").get_by_role("link", name=record, exact=True).click()
    if verdict == "reject":
        reject = page.get_by_role("region", name="Reject")
        reject.get_by_label("Reason").fill("Only page 1 of 3; the margins page is missing.")
        reject.get_by_label("What the patient is told").select_option(label="Incomplete: pages or images missing")
        reject.get_by_role("button", name="Reject and ask again").click()
        expect(page.locator(".alert-success")).to_be_visible()
    else:
        page.get_by_role("button", name="Verify: complete and legible").click()
        expect(page.locator(".alert-success")).to_be_visible()


def a_calendar_app_declines(live_server, reference: str, server, monkeypatch) -> None:
    """The patient presses "No" in Gmail: the REPLY lands in the clinic's mailbox and `clinic mail fetch` reads it."""
    from clinic.scheduling.models import ACTIVE

    with at_the_clinic(live_server):
        appointment = next(a for a in the_case(reference).appointments if a.status == ACTIVE)
        raw = reply_for(appointment, "gmail", partstat="DECLINED", organizer=live_server.app.config["MAIL_FROM"])
    client = imaplib.IMAP4(server.host, server.port, timeout=10)
    client.login(server.user, server.password)
    assert client.append("INBOX", None, imaplib.Time2Internaldate(time.time()), raw)[0] == "OK"
    client.logout()
    for key, value in {"INBOX_IMAP_HOST": server.host, "INBOX_IMAP_PORT": server.port, "INBOX_IMAP_USER": server.user,
                       "INBOX_IMAP_PASSWORD": server.password, "INBOX_IMAP_SSL": False,
                       "INBOX_IMAP_STARTTLS": False, "INBOX_IMAP_FOLDER": "INBOX"}.items():
        monkeypatch.setitem(live_server.app.config, key, value)
    result = live_server.app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 0 and "applied 1" in result.output, result.output


def the_coordinator_rebooks_from_the_flag(page, reference: str) -> None:
    from playwright.sync_api import expect

    page.goto("/cases")
    page.get_by_role("link", name=re.compile("Invite declined — rebook")).click()
    row = page.locator("table.queue-table tbody tr", has_text=reference)
    expect(row).to_be_visible()
    look(page, "30-queue-invite-declined")
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_text("declined").first).to_be_visible()
    page.get_by_role("link", name="Open the appointment").click()
    page.get_by_role("link", name="Reschedule").click()
    page.locator("input[name=start]").nth(3).check()
    page.get_by_role("button", name="Move to this slot").click()
    expect(page.locator(".alert-success")).to_contain_text("Moved to")
    page.goto("/cases?flag=invite_declined")
    expect(page.locator("table.queue-table tbody tr", has_text=reference)).to_have_count(0)


def test_a_patient_follows_their_case_from_the_form_to_the_report(browser, live_server, imap_server, monkeypatch):
    from playwright.sync_api import expect

    folder = Path(live_server.app.config["MAIL_FOLDER"])
    desk = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url)
    pocket = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True)
    patient_context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url)
    coordinator, patient, phone = desk.new_page(), patient_context.new_page(), pocket.new_page()
    for page in (patient, coordinator, phone):
        page.set_default_timeout(10_000)
        page.on("dialog", lambda dialog: dialog.accept())
    try:
        # The form, and the acknowledgement with the status link: no diagnosis in the patient's mailbox.
        reference = the_patient_asks(patient, PATIENT, EMAIL, shot=None)
        acknowledgement = latest(folder, "we received your request")
        assert reference in str(acknowledgement["Subject"])
        status = status_path(acknowledgement)
        patient.goto(status)
        assert "0 of 6 received" in patient.locator(".patient-steps").inner_text()
        look(patient, "20-status-new")

        # The coordinator asks the patient for the records; the status page lists them with the upload form.
        with at_the_clinic(live_server):
            case_id = the_case(reference).id
        sign_in(coordinator, "coordinator")
        coordinator.goto(f"/cases/{case_id}")
        coordinator.get_by_role("link", name="Request records").click()
        coordinator.get_by_role("button", name="Send the request").click()
        expect(coordinator.locator(".alert-success")).to_be_visible()
        assert latest(folder, "please send your medical records")
        patient.goto(status)
        expect(patient.get_by_role("heading", name="What we need from you")).to_be_visible()
        look(patient, "21-status-records-wanted")

        # A record sent from the status page, rejected with a reason in plain words, sent again.
        send_from_status_page(patient, "Pathology report", "pathology-page1.pdf", ["Page 1 of 3"])
        the_coordinator_rejects_then_verifies(coordinator, case_id, "Pathology report", "reject")
        assert latest(folder, reference)  # the patient is told, privately
        patient.goto(status)
        problem = patient.locator("li", has_text="Pathology report").locator(".alert-warning")
        expect(problem).to_contain_text("Part of it is missing. Please send the whole record")
        assert "margins" not in patient.content()  # the coordinator's own reason stays inside the clinic
        look(patient, "22-status-record-rejected")
        send_from_status_page(patient, "Pathology report", "pathology-page1.pdf", ["Page 1 of 3"],  # the same bytes again
                              answer="We could not use this file before. Please send a new copy.")
        send_from_status_page(patient, "Pathology report", "pathology-complete.pdf", ["Pages 1, 2, 3 of 3"])
        the_coordinator_rejects_then_verifies(coordinator, case_id, "Pathology report", "verify")

        # The rest of the gate and the match, as colleagues do them elsewhere; then the coordinator books.
        from clinic.directory.models import Clinician
        from tests import factories

        with at_the_clinic(live_server):
            raman = db.session.scalar(sa.select(Clinician).where(Clinician.name == "Dr. Priya Raman"))
            factories.accept(the_case(reference), raman)
        coordinator.goto(f"/cases/{case_id}")
        coordinator.get_by_role("link", name="Book the consultation").click()
        coordinator.locator("input[name=start]").first.check()
        coordinator.get_by_role("button", name="Book this slot").click()
        expect(coordinator.locator(".alert-success")).to_contain_text("Booked for")
        invite = calendars(folder, EMAIL)[-1]
        assert invite.method == "REQUEST" and invite.events[0].sequence == 0
        patient.goto(status)
        expect(patient.get_by_role("heading", name="Your consultation")).to_be_visible()
        expect(patient.get_by_role("link", name="Add to my calendar (.ics)")).to_be_visible()
        look(patient, "23-status-consultation")

        # "No" in the calendar app: the clinic reads it, the queue flags it, the coordinator rebooks.
        a_calendar_app_declines(live_server, reference, imap_server, monkeypatch)
        the_coordinator_rebooks_from_the_flag(coordinator, reference)
        moved = calendars(folder, EMAIL)[-1]
        assert moved.events[0].uid == invite.events[0].uid and moved.events[0].sequence == 1
        assert moved.events[0].dtstart != invite.events[0].dtstart

        # The reminder, an hour before (the worker's clock moved forward).
        from clinic.patients.reminders import send_due
        from clinic.scheduling.models import ACTIVE

        with at_the_clinic(live_server):
            appointment = next(a for a in the_case(reference).appointments if a.status == ACTIVE)
            assert send_due(now=appointment.start - timedelta(hours=1)) == 1
            appointment_id = appointment.id
        reminder = latest(folder, "Reminder: your consultation")
        assert status_path(reminder).startswith("/status/")

        # Held, signed, and given to the patient, who reads it on a phone.
        from clinic.auth.models import User
        from clinic.scheduling import services as scheduling
        from clinic.scheduling.models import Appointment

        with at_the_clinic(live_server):
            appointment = db.session.get(Appointment, appointment_id)
            appointment.start -= timedelta(days=30)
            appointment.end -= timedelta(days=30)
            scheduling.complete(None, appointment)
            specialist = db.session.scalar(sa.select(User).where(User.email == "specialist@demo.clinic"))
            factories.sign(the_case(reference), specialist)
        coordinator.goto(f"/cases/{case_id}")
        coordinator.get_by_role("button", name="Give the report to the patient").click()
        expect(coordinator.locator(".alert-success")).to_be_visible()
        ready = latest(folder, "report")
        phone.goto(status_path(ready))
        phone.get_by_role("link", name="Read my report").click()
        expect(phone.locator("main")).to_contain_text("Lumpectomy and sentinel node biopsy, then radiotherapy.")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert "ICD-10" not in phone.locator("main").inner_text()  # words, not codes
        look(phone, "24-patient-report")
        phone.go_back()
        phone.get_by_label("I will follow the second opinion").check()
        phone.get_by_role("button", name="Send my answer").click()
        expect(phone.locator(".alert-success")).to_be_visible()
        expect(phone.locator("#decision")).to_be_visible()
        look(phone, "25-status-decided")
        coordinator.goto(f"/cases/{case_id}")
        expect(coordinator.locator(".status-badge").first).to_have_text("Closed")
    finally:
        for context in (desk, pocket, patient_context):
            context.close()
