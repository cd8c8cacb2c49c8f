"""Forms of the patient's side (input shape only): the status page's own forms, and the staff buttons."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from clinic.formkit import FlaskForm, OutOfCalendar, id_choice, read_instant, translated
from clinic.i18n import N_


def _instant(form, field) -> None:
    try:
        field.moment = read_instant(field.data)
    except OutOfCalendar:
        raise ValidationError(_("Please choose one of the times shown.")) from None


def _appointment_id(form, field) -> None:
    try:
        field.id_value = id_choice(field.data)
    except ValueError:
        raise ValidationError(_("This consultation has changed since you opened the page. Please look at it again.")) from None


# What the patient may answer after reading the report, in their words (the clinic's labels are CHOICES).
PATIENT_CHOICES = (
    ("follow_first", N_("I will follow my first doctor's advice")),
    ("follow_second", N_("I will follow the second opinion")),
    ("seek_third", N_("I want another opinion")),
    ("undecided", N_("I have not decided yet")),
)


class MoveForm(FlaskForm):
    appointment = HiddenField(validators=[_appointment_id])
    start = RadioField(_l("Choose a new time"), choices=[], validate_choice=False,
                       validators=[InputRequired(message=_l("Please choose one of the times shown.")), _instant])
    submit = SubmitField(_l("Move my consultation"))


class CancelForm(FlaskForm):
    appointment = HiddenField(validators=[_appointment_id])
    reason = TextAreaField(_l("Why are you cancelling? (optional)"), validators=[Optional(), Length(max=400)])
    submit = SubmitField(_l("Cancel my consultation"))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[
        InputRequired(message=_l("Write your message first.")),
        Length(max=2000, message=_l("Please keep your message under 2,000 characters."))])
    submit = SubmitField(_l("Send to the clinic"))


class DecisionForm(FlaskForm):
    choice = RadioField(_l("What have you decided?"), choices=translated(PATIENT_CHOICES),
                        validators=[InputRequired(message=_l("Please choose one of the answers."))])
    note = TextAreaField(_l("Anything you want to tell us (optional)"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Send my answer"))


class ButtonForm(FlaskForm):
    """A staff button with its CSRF token (release the report, send or revoke links, mark handled)."""

    submit = SubmitField(_l("Confirm"))
