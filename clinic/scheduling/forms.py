"""Forms of scheduling: availability rules, days off, booking from the slot picker, cancel and close."""
from __future__ import annotations

from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from clinic.formkit import TIMEZONES, FlaskForm, OutOfCalendar, calendar_day, options, read_instant
from clinic.scheduling.availability import MAX_SLOT, MIN_SLOT
from clinic.scheduling.models import MODALITIES, WEEKDAYS


class RuleForm(FlaskForm):
    weekday = SelectField("Weekday", choices=options([(str(i), d) for i, d in enumerate(WEEKDAYS)]), default="0")
    start = TimeField("From (local time)", validators=[InputRequired(message="Enter the start time.")])
    end = TimeField("To (local time)", validators=[InputRequired(message="Enter the end time.")])
    slot_minutes = IntegerField("Slot length (minutes)", default=60,
                                validators=[InputRequired(message="Enter the slot length."),
                                            NumberRange(MIN_SLOT, MAX_SLOT)])
    timezone = SelectField("Time zone", choices=options(TIMEZONES))
    modality = SelectField("Modality", choices=options(MODALITIES), default="in_person")
    location = StringField("Address or video link", validators=[Optional(), Length(max=300)],
                           description="For video, the https:// link patients open.")
    submit = SubmitField("Add opening")

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError("The end must be later than the start.")


class DayOffForm(FlaskForm):
    day = DateField("Day off", validators=[InputRequired(message="Enter the date."), calendar_day])
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=200)])
    submit = SubmitField("Add day off")


class DeleteForm(FlaskForm):
    """An empty form: the CSRF token of a delete, revoke or retry button."""


def _utc_instant(form, field):
    try:
        field.moment = read_instant(field.data)
    except OutOfCalendar:
        raise ValidationError("Pick one of the slots.") from None


class BookForm(FlaskForm):
    start = RadioField("Open slots", choices=[], validate_choice=False,
                       validators=[DataRequired(message="Pick one of the slots."), _utc_instant])
    submit = SubmitField("Book this slot")


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason for cancelling", validators=[DataRequired(message="Give a reason."),
                                                                Length(max=500)],
                           description="Shown on the case timeline; the patient and specialist get a cancellation.")
    submit = SubmitField("Cancel appointment")


class NoShowForm(FlaskForm):
    note = StringField("Note (optional)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Mark as no-show")
