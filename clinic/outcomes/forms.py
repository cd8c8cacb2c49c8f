"""Forms of the outcomes stage: the patient's decision and sending the report (input shape only)."""
from __future__ import annotations

from wtforms import DateField, EmailField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from clinic.formkit import FlaskForm, email_address, options
from clinic.outcomes.vocabulary import CHOICES


class DecisionForm(FlaskForm):
    choice = RadioField("The patient decided to", choices=options(CHOICES),
                        validators=[InputRequired(message="Choose what the patient decided.")])
    note = TextAreaField("Note", validators=[Optional(), Length(max=1000)],
                         description="Optional: what the patient said, or what happens next.")
    follow_up_on = DateField("If undecided: ask again on", validators=[Optional()],
                             description="Undecided keeps the case open. Empty: in 30 days.")
    submit = SubmitField("Record the decision")


class SendReportForm(FlaskForm):
    recipient = EmailField("First doctor's email", validators=[
        DataRequired(message="Give the first doctor's email address."), Length(max=254),
        email_address], description="They receive a private link to the report, valid for 30 days.")
    submit = SubmitField("Send to the first doctor")


class RevokeLinkForm(FlaskForm):
    """A button only (with its CSRF token): revoke a report link."""

    submit = SubmitField("Revoke")
