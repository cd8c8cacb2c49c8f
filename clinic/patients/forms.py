"""Forms of the patient's side (input shape only): the status page's own forms, and the staff buttons."""
from __future__ import annotations

from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from clinic.formkit import FlaskForm, OutOfCalendar, id_choice, options, read_instant


def _instant(form, field) -> None:
    try:
        field.moment = read_instant(field.data)
    except OutOfCalendar:
        raise ValidationError("Please choose one of the times shown.") from None


def _appointment_id(form, field) -> None:
    try:
        field.id_value = id_choice(field.data)
    except ValueError:
        raise ValidationError("This consultation has changed since you opened the page. Please look at it again.") from None


# What the patient may answer after reading the report, in their words (the clinic's labels are CHOICES).
PATIENT_CHOICES = (
    ("follow_first", "I will follow my first doctor's advice"),
    ("follow_second", "I will follow the second opinion"),
    ("seek_third", "I want another opinion"),
    ("undecided", "I have not decided yet"),
)


class MoveForm(FlaskForm):
    appointment = HiddenField(validators=[_appointment_id])
    start = RadioField("Choose a new time", choices=[], validate_choice=False,
                       validators=[InputRequired(message="Please choose one of the times shown."), _instant])
    submit = SubmitField("Move my consultation")


class CancelForm(FlaskForm):
    appointment = HiddenField(validators=[_appointment_id])
    reason = TextAreaField("Why are you cancelling? (optional)", validators=[Optional(), Length(max=400)])
    submit = SubmitField("Cancel my consultation")


class MessageForm(FlaskForm):
    body = TextAreaField("Your message", validators=[
        InputRequired(message="Write your message first."),
        Length(max=2000, message="Please keep your message under 2,000 characters.")])
    submit = SubmitField("Send to the clinic")


class DecisionForm(FlaskForm):
    choice = RadioField("What have you decided?", choices=options(PATIENT_CHOICES),
                        validators=[InputRequired(message="Please choose one of the answers.")])
    note = TextAreaField("Anything you want to tell us (optional)", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Send my answer")


class ButtonForm(FlaskForm):
    """A staff button with its CSRF token (release the report, send or revoke links, mark handled)."""

    submit = SubmitField("Confirm")
