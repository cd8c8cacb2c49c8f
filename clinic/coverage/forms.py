"""The coverage check form (shape only; the directory's plans are checked by the service)."""
from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from clinic.coverage.vocabulary import CHECK_METHODS, RESULTS
from clinic.formkit import FlaskForm, options, whole_number


def _int_or_none(value):
    return whole_number(str(value)) if value not in (None, "", "None") else None


class CoverageForm(FlaskForm):
    result = RadioField("Result", choices=options(RESULTS), validators=[InputRequired(message="Choose the result.")])
    plan = SelectField("Payer and plan", coerce=_int_or_none, validate_choice=False)
    payer = StringField("Insurance company (payer)", validators=[Optional(), Length(max=120)])
    plan_name = StringField("Plan", validators=[Optional(), Length(max=120)])
    member_id = StringField("Member ID", validators=[Optional(), Length(max=60)])
    patient_agreed_out_of_network = BooleanField(
        "The patient agreed to go ahead out of network", description="Required before an out-of-network case "
        "can be matched: the patient pays more out of network.")
    prior_auth_required = BooleanField("Prior authorization required")
    auth_number = StringField("Authorization number", validators=[Optional(), Length(max=60)],
                              description="Leave empty until the payer gives it.")
    method = SelectField("Checked by", choices=options(CHECK_METHODS))
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Record the check")
