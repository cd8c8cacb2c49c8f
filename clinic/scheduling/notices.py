"""What an appointment tells people: the invite for each attendee, and its email in the outbox.

Each attendee gets the calendar in their own time zone. Subjects and invites
name the time, the place and the case reference, never a diagnosis.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app

from clinic.database import utcnow
from clinic.mail.outbox import enqueue
from clinic.scheduling import invites
from clinic.scheduling.models import MODALITIES, Appointment, AppointmentStatus



def when(appointment: Appointment, zone: str | None = None) -> str:
    """"Tue 10 Mar 2026, 09:00 EDT": the start in a named zone (the specialist's by default)."""
    local = appointment.start.astimezone(ZoneInfo(zone or appointment.timezone))
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"


def _kind(appointment: Appointment) -> str:
    if appointment.status == AppointmentStatus.CANCELLED:
        return "cancelled"
    return "moved" if appointment.ical_sequence else "booked"


def invite_for(appointment: Appointment, zone: str) -> invites.Invite:
    case = appointment.case
    specialist = appointment.specialist
    attendees = [invites.Person(case.patient.name, case.patient.email)]
    if specialist.email:
        attendees.append(invites.Person(specialist.name, specialist.email))
    return invites.Invite(
        uid=appointment.ical_uid, sequence=appointment.ical_sequence, start=appointment.start,
        end=appointment.end, timezone=zone, organizer=current_app.config["MAIL_FROM"],
        organizer_name=current_app.config["CLINIC_NAME"], attendees=tuple(attendees),
        reference=case.reference, modality=appointment.modality, location=appointment.location,
        specialist_name=specialist.name, cancelled=appointment.status == AppointmentStatus.CANCELLED,
        description=invites.prep_checklist(len(case.questions), appointment.modality),
    )


def calendar_text(appointment: Appointment, zone: str) -> str:
    invite = invite_for(appointment, zone)
    build = invites.cancel if invite.cancelled else invites.request
    return build(invite, utcnow())


def send_invites(appointment: Appointment) -> None:
    """One email per attendee, each with the invite in their own zone, written to the outbox now."""
    case = appointment.case
    specialist = appointment.specialist
    recipients = [(case.patient.email, case.patient.timezone, True)]
    if specialist.email:
        recipients.append((specialist.email, specialist.timezone or appointment.timezone, False))
    kind = _kind(appointment)
    for address, zone, is_patient in recipients:
        ics = calendar_text(appointment, zone)
        context = dict(kind=kind, appointment=appointment, case=case, for_patient=is_patient,
                       when=when(appointment, zone), when_specialist=when(appointment),
                       modality=MODALITIES[appointment.modality], clinic_name=current_app.config["CLINIC_NAME"],
                       checklist=invites.prep_checklist(len(case.questions), appointment.modality))
        enqueue(address, _subject(kind, is_patient, case.reference, context["when"]),
                _render("mail/appointment.txt", context), _render("mail/appointment.html", context),
                ics=ics, ics_method=invites.method_of(ics), case_id=case.id)


def _render(template: str, context: dict) -> str:
    """A mail template without the page context processors (mail is written outside any request too)."""
    return current_app.jinja_env.get_template(template).render(**context)


def _subject(kind: str, for_patient: bool, reference: str, at: str) -> str:
    what = "Your second-opinion consultation" if for_patient else f"Consultation {reference}"
    prefix = {"booked": "", "moved": "Moved: ", "cancelled": "Cancelled: "}[kind]
    return f"{prefix}{what}, {at}"
