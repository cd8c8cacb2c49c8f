"""Forms of the matching stage: propose a specialist, answer a proposal (input shape only)."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from clinic.formkit import FlaskForm


class ProposeForm(FlaskForm):
    npi = HiddenField("NPI", validators=[DataRequired(), Regexp(r"^\d{10}$")])
    subspecialty = HiddenField("Subspecialty", validators=[Optional(), Length(max=40)])
    # Asked only while a doctor of the case is not identified (the service decides when it is needed).
    independence_override = StringField("Reason to propose before the doctor is confirmed",
                                        validators=[Optional(), Length(max=500)])
    submit = SubmitField("Propose")


class ConfirmDoctorForm(FlaskForm):
    """This directory clinician is the doctor named on the request."""

    npi = HiddenField("NPI", validators=[DataRequired(), Regexp(r"^\d{10}$")])
    submit = SubmitField("This is the doctor")


class NotInDirectoryForm(FlaskForm):
    reason = TextAreaField("How do you know?", validators=[
        DataRequired(message="Say how you know the doctor is not in the directory."), Length(max=500)],
        description="For example: searched by name and clinic, no listing.")
    submit = SubmitField("Not in the directory")


class ConfirmForm(FlaskForm):
    """A CSRF-protected button (accept, withdraw)."""

    submit = SubmitField("Confirm")


class DeclineForm(FlaskForm):
    reason = TextAreaField("Why are you declining?", validators=[
        DataRequired(message="Give the reason for declining."), Length(max=500)],
        description="The coordinator sees this on the case.")
    conflict = BooleanField("I have a tie to the referring or first-opinion doctor",
                            description="You will not be proposed for this case again.")
    submit = SubmitField("Decline the case")
