"""Reminders before each consultation: at the right moment, once, with the status link and nothing of
the condition; none for a cancelled one, new ones for a moved one; two workers never send one twice."""
from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from clinic.database import utcnow
from clinic.extensions import db
from clinic.mail.models import OutboxMessage
from clinic.patients import reminders
from clinic.patients.models import Reminder
from clinic.scheduling import services as scheduling
from tests import factories
from tests.conftest import build_intake
from tests.patients.conftest import status_path
from tests.scheduling.test_concurrency import committed_app  # noqa: F401 (a fixture)

HOURS = [timedelta(hours=48), timedelta(hours=2)]


def _booked(matched_case, next_slot, users, session, days_ahead: int = 5):
    case = matched_case()
    specialist = scheduling.accepted_assignment(case).specialist
    appointment = scheduling.book(users["coordinator"], case, next_slot(specialist, 8 * days_ahead))
    appointment.invited_at = utcnow() - timedelta(days=3)  # booked days ago
    session.flush()
    return case, appointment


def _reminder_mails(session, case) -> list[OutboxMessage]:
    return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.case_id == case.id,
                                                               OutboxMessage.subject.like("Reminder:%"))))


def test_the_moment_of_each_reminder(matched_case, next_slot, users, session):
    case, appointment = _booked(matched_case, next_slot, users, session)
    start = appointment.start
    assert reminders.due(start - timedelta(hours=49), HOURS) == []
    assert reminders.due(start - timedelta(hours=47), HOURS) == [(appointment.id, HOURS[0])]
    assert reminders.due(start - timedelta(hours=1), HOURS) == [(appointment.id, HOURS[1])], \
        "a worker that was down sends only the nearest reminder"
    assert reminders.due(start + timedelta(minutes=1), HOURS) == []
    appointment.invited_at = start - timedelta(hours=30)  # booked (or moved) 30 hours before: the invite just told them
    assert reminders.due(start - timedelta(hours=29), HOURS) == []
    assert reminders.due(start - timedelta(hours=1), HOURS) == [(appointment.id, HOURS[1])]


def test_a_reminder_is_sent_once_with_the_status_link_and_no_condition(client, matched_case, next_slot, users, session):
    case, appointment = _booked(matched_case, next_slot, users, session)
    at = appointment.start - timedelta(hours=47)
    assert reminders.send_due(at) == 1
    assert reminders.send_due(at) == 0 and reminders.send_due(at + timedelta(hours=1)) == 0
    [mail] = _reminder_mails(session, case)
    assert mail.recipient == case.patient.email
    for part in (mail.subject, mail.text_body, mail.html_body):
        assert case.diagnosis_text not in part and case.icd10_code not in part
    assert appointment.specialist.name in mail.text_body and "New York time" in mail.text_body
    assert "Open the link a few minutes early" in mail.text_body, "what to prepare for a video visit"
    assert client.get(status_path(mail)).status_code == 200
    assert reminders.send_due(appointment.start - timedelta(hours=1)) == 1  # the 2-hour one
    assert len(_reminder_mails(session, case)) == 2


def test_moved_gets_new_reminders_cancelled_gets_none(matched_case, next_slot, users, session):
    case, appointment = _booked(matched_case, next_slot, users, session)
    assert reminders.send_due(appointment.start - timedelta(hours=47)) == 1
    specialist = appointment.specialist
    scheduling.reschedule(users["coordinator"], appointment, next_slot(specialist, 8 * 6))
    appointment.invited_at = utcnow() - timedelta(days=3)
    session.flush()
    assert reminders.send_due(appointment.start - timedelta(hours=47)) == 1, "the new time gets its own reminder"
    other, cancelled = _booked(matched_case, next_slot, users, session)
    scheduling.cancel(users["coordinator"], cancelled, "The patient is in hospital")
    session.flush()
    assert reminders.send_due(cancelled.start - timedelta(hours=47)) == 0
    assert _reminder_mails(session, other) == []


def test_a_bad_setting_is_named(app, matched_case, next_slot, users, session):
    import click
    import pytest

    app.config["REMINDER_HOURS"] = "48,soon"
    try:
        with pytest.raises(click.UsageError, match="REMINDER_HOURS"):
            reminders.send_due()
    finally:
        app.config["REMINDER_HOURS"] = "48,2"


def test_the_worker_runs_every_task_once(app, matched_case, next_slot, users, session):
    case, appointment = _booked(matched_case, next_slot, users, session, days_ahead=1)
    appointment.start, appointment.end = utcnow() + timedelta(hours=1), utcnow() + timedelta(hours=2)
    session.flush()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "reminders: 1" in result.output and "mail: sent" in result.output


def test_two_workers_at_once_send_each_reminder_once(committed_app):  # noqa: F811
    app = committed_app
    with app.app_context():
        specialist = factories.ClinicianFactory()
        factories.open_every_day(specialist)
        from clinic.cases.services import submit_request
        from tests.conftest import find_slot

        case = factories.accept(submit_request(None, build_intake()), specialist)
        appointment = scheduling.book(None, case, find_slot(specialist, 20))
        appointment.invited_at = utcnow() - timedelta(days=3)
        db.session.commit()
        at, appointment_id, case_id = appointment.start - timedelta(hours=47), appointment.id, case.id
    barrier, sent = threading.Barrier(4), []

    def worker():
        with app.app_context():
            barrier.wait()
            sent.append(reminders.send_due(at))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        rows = db.session.scalars(sa.select(Reminder).where(Reminder.appointment_id == appointment_id)).all()
        mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.case_id == case_id, OutboxMessage.subject.like("Reminder:%")))
        assert sorted(sent) == [0, 0, 0, 1] and len(rows) == 1 and mails == 1
        db.session.remove()
