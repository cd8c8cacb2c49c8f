"""Reminders before each consultation (REMINDER_HOURS, default 48 h and 2 h), by mail with the status link.

Sent by `clinic worker` (clinic/cli.py) or by cron with `clinic reminders send`. A reminder is
one row per (appointment, SEQUENCE, lead time): the unique key makes the second of two workers
fail its insert and send nothing, and a moved appointment (a new SEQUENCE) gets its own reminders.
Cancelled, held or missed appointments get none. A lead time whose moment passed before the
appointment's current version was sent (invited_at) is skipped: the invite itself just told the patient, and a
48-hour reminder an hour before would only be noise (the 2-hour one still goes).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from clinic import audit, i18n
from clinic.cases import workflow
from clinic.database import begin_write, utcnow
from clinic.extensions import db
from clinic.mail.compose import render_mail
from clinic.mail.outbox import enqueue
from clinic.patients import services
from clinic.patients.models import Reminder
from clinic.scheduling import invites, notices
from clinic.scheduling.models import ACTIVE, MODALITIES, Appointment


def lead_times() -> list[timedelta]:
    """REMINDER_HOURS as lead times, longest first ("48,2"; "" for none). A bad setting stops the
    worker with the setting's name rather than sending at wrong times."""
    raw = current_app.config["REMINDER_HOURS"].strip()
    try:
        hours = sorted({float(part) for part in raw.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise click.UsageError(f"REMINDER_HOURS must be hours separated by commas (like 48,2), not {raw!r}.") from None
    if any(not 0 < h <= 24 * 14 for h in hours):
        raise click.UsageError("REMINDER_HOURS: each lead time is more than 0 and at most 336 hours (14 days).")
    return [timedelta(hours=h) for h in hours]


def due(now: datetime, leads: list[timedelta]) -> list[tuple[int, timedelta]]:
    """(appointment id, lead) of every reminder whose moment has come: the appointment is booked and
    ahead, its lead window has opened, it was sent before the window opened, and no reminder of
    this version and lead exists. Only the shortest open window counts (a worker down for two days
    sends the 2-hour reminder, not the 48-hour one too)."""
    if not leads:
        return []
    rows = db.session.execute(
        sa.select(Appointment.id, Appointment.start, Appointment.invited_at, Appointment.ical_sequence)
        .where(Appointment.status == ACTIVE, Appointment.start > now, Appointment.start <= now + leads[0])
        .order_by(Appointment.start)).all()
    sent = {(a, s, m) for a, s, m in db.session.execute(
        sa.select(Reminder.appointment_id, Reminder.sequence, Reminder.lead_minutes)
        .where(Reminder.appointment_id.in_([row.id for row in rows])))} if rows else set()
    found = []
    for row in rows:
        open_leads = [lead for lead in leads if row.start - lead <= now]
        lead = open_leads[-1]  # the shortest window that has opened
        minutes = int(lead.total_seconds() // 60)
        if (row.id, row.ical_sequence, minutes) in sent or (row.invited_at or now) > row.start - lead:
            continue
        found.append((row.id, lead))
    return found


def send_due(now: datetime | None = None) -> int:
    """Send every reminder that is due, each in its own transaction; returns how many were sent."""
    now = now or utcnow()
    count = 0
    for appointment_id, lead in due(now, lead_times()):
        begin_write(db.session())
        appointment = db.session.get(Appointment, appointment_id)
        if appointment is None or appointment.status != ACTIVE:
            db.session.rollback()
            continue
        if _send(appointment, lead):
            db.session.commit()
            count += 1
        else:
            db.session.rollback()
    return count


def _send(appointment: Appointment, lead: timedelta) -> bool:
    """Claim the reminder (the unique row), then write its mail; False when another worker has it."""
    reminder = Reminder(appointment_id=appointment.id, sequence=appointment.ical_sequence,
                        lead_minutes=int(lead.total_seconds() // 60), sent_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(reminder)
            db.session.flush()
    except IntegrityError:
        return False
    case = appointment.case
    token = services.issue_status_link(None, case)
    with i18n.patient_language(case):
        text, html = render_mail(
            "reminder", patient_name=case.patient.name, reference=case.reference, status_url=services.status_url(token),
            when=notices.long_when(appointment.start, case.patient.timezone),
            specialist=appointment.specialist.name, modality=appointment.modality,
            how=_(MODALITIES[appointment.modality]), location=appointment.location,
            prep=[line.removeprefix("- ") for line in
                  invites.prep_checklist(len(case.questions), appointment.modality).splitlines()[1:]],
            soon=lead <= timedelta(hours=6))
        # Translators: a Babel date pattern (EEE short weekday, d day, MMM short month, HH:mm time).
        day = i18n.local_moment(appointment.start, case.patient.timezone, _("EEE d MMM, HH:mm"))
        message = enqueue(case.patient.email, _("Reminder: your consultation on %(when)s", when=day), text, html,
                          case_id=case.id)
    db.session.flush()
    reminder.outbox_message_id = message.id
    audit.record(None, "create", "reminder", reminder.id, detail=f"appointment={appointment.id} lead={lead}")
    workflow.note(None, case, "patient", f"Reminder emailed to the patient ({_lead_words(lead)} before).")
    return True


def _lead_words(lead: timedelta) -> str:
    hours = lead.total_seconds() / 3600
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


@click.group("reminders", help="Reminders before consultations.")
def reminders_cli():
    pass


@reminders_cli.command("send")
@with_appcontext
def send_command():
    """Send the reminders that are due now (for cron; `clinic worker` does this on its own)."""
    click.echo(f"reminders sent: {send_due()}")
