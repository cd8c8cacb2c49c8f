"""Forms of the matching stage: propose a specialist, answer a proposal (input shape only)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class ProposeForm(FlaskForm):
    npi = HiddenField("NPI", validators=[DataRequired(), Regexp(r"^\d{10}$")])
    subspecialty = HiddenField("Subspecialty", validators=[Optional(), Length(max=40)])
    submit = SubmitField("Propose")


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
