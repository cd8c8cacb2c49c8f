"""What an appointment tells people: the invite for each attendee, and its email in the outbox.

Each attendee gets the calendar in their own time zone. Subjects and invites
name the time, the place and the case reference, never a diagnosis.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext

from clinic import i18n
from clinic.database import utcnow
from clinic.mail.compose import long_date, render_mail
from clinic.mail.outbox import enqueue
from clinic.scheduling import invites
from clinic.scheduling.models import Appointment, AppointmentStatus


def when(appointment: Appointment, zone: str | None = None) -> str:
    """"Tue 10 Mar 2026, 09:00 EDT": the start in a named zone (the specialist's by default)."""
    zone = zone or appointment.timezone
    # Translators: a Babel date pattern (EEE short weekday, d day, MMM short month, y year, HH:mm time).
    stamp = i18n.local_moment(appointment.start, zone, gettext("EEE d MMM y, HH:mm"))
    return f"{stamp} {appointment.start.astimezone(ZoneInfo(zone)).tzname()}"


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


def send_invites(appointment: Appointment, moved_from: datetime | None = None) -> None:
    """One email per attendee, each with the invite in their own zone, written to the outbox now.
    `moved_from`: the start before a reschedule, which the mail names as the time that no longer applies."""
    case = appointment.case
    specialist = appointment.specialist
    recipients = [(case.patient.email, case.patient.timezone, True)]
    if specialist.email:
        recipients.append((specialist.email, specialist.timezone or appointment.timezone, False))
    kind = _kind(appointment)
    for address, zone, is_patient in recipients:
        with i18n.patient_language(case) if is_patient else i18n.staff_language():
            ics = calendar_text(appointment, zone)
            text, html = render_mail("appointment", **_mail_facts(appointment, kind, zone, is_patient, moved_from))
            enqueue(address, _subject(kind, is_patient, case.reference, when(appointment, zone)), text, html,
                    ics=ics, ics_method=invites.method_of(ics), case_id=case.id)


def _mail_facts(appointment: Appointment, kind: str, zone: str, for_patient: bool,
                moved_from: datetime | None) -> dict:
    """What templates/mail/appointment.* say, on the reader's clock. The specialist also reads the
    patient's clock when it differs (a video call across zones); the patient is given their own time
    alone, and the checklist for their kind of visit as a list."""
    case, specialist = appointment.case, appointment.specialist
    patient_zone = case.patient.timezone
    checklist = invites.prep_checklist(len(case.questions), appointment.modality).splitlines()
    video = appointment.modality == "video"
    return dict(
        kind=kind, for_patient=for_patient, reference=case.reference, case_open=case.is_open,
        addressee=case.patient.name if for_patient else specialist.name, specialist_name=specialist.name,
        when=long_when(appointment.start, zone),
        when_other=None if for_patient or _same_clock(appointment.start, zone, patient_zone)
        else long_when(appointment.start, patient_zone),
        moved_from=long_when(moved_from, zone) if moved_from and kind == "moved" else None,
        video=video, location=appointment.location,
        video_url=appointment.location if video and appointment.location.startswith("https://") else None,
        checklist_title=checklist[0].rstrip(":"), checklist=[line.removeprefix("- ") for line in checklist[1:]],
        case_url=None if for_patient else _specialist_case_url(case.id),
    )


def long_when(start: datetime, zone: str) -> str:
    """"Tuesday 10 March 2026 at 09:00, New York time (EDT)": the start as a patient reads it on their own clock."""
    local = start.astimezone(ZoneInfo(zone))
    place = zone.rsplit("/", 1)[-1].replace("_", " ")
    return gettext("%(date)s at %(time)s, %(place)s time (%(zone)s)", date=long_date(local.date()),
                   time=f"{local:%H:%M}", place=place, zone=local.tzname())


def _same_clock(start: datetime, zone: str, other: str) -> bool:
    def reading(where: str) -> datetime:
        return start.astimezone(ZoneInfo(where)).replace(tzinfo=None)
    return reading(zone) == reading(other)


def _specialist_case_url(case_id: int) -> str:
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):  # outside requests too
        return url_for("review.case", case_id=case_id, _external=True)


def _subject(kind: str, for_patient: bool, reference: str, at: str) -> str:
    what = gettext("Your second-opinion consultation") if for_patient else gettext("Consultation %(reference)s",
                                                                                   reference=reference)
    if kind == "moved":
        return gettext("Moved: %(what)s, %(when)s", what=what, when=at)
    if kind == "cancelled":
        return gettext("Cancelled: %(what)s, %(when)s", what=what, when=at)
    return f"{what}, {at}"
