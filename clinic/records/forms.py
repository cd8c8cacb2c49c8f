"""Records forms: upload, request, checklist item, reasons, follow-up, the patient's upload (shape only)."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from clinic.formkit import FlaskForm, MultiCheckboxField, calendar_day, id_choice, options
from clinic.records.vocabulary import (RECORD_KINDS, RECORD_SOURCES, REJECTION_PROBLEMS, REQUEST_METHODS,
                                       REQUEST_TARGETS)

ACCEPTED_HELP = "PDF, PNG, JPEG, DICOM or plain text."
CHOOSE_FILE = "Choose a file to upload."


class UploadForm(FlaskForm):
    record = SelectField("Record", coerce=id_choice, validate_choice=False)
    source = SelectField("Where it came from", choices=options({"": "Not stated", **RECORD_SOURCES}), default="")
    file = FileField("File", validators=[FileRequired(CHOOSE_FILE)], description=ACCEPTED_HELP)
    submit = SubmitField("Upload")


class RequestForm(FlaskForm):
    items = MultiCheckboxField("Records to request", coerce=id_choice, validate_choice=False,
                               validators=[DataRequired(message="Choose at least one record.")])
    target = RadioField("Ask", choices=options(REQUEST_TARGETS), default="patient", validators=[InputRequired()])
    facility = StringField("Clinic, hospital or lab", validators=[Optional(), Length(max=200)],
                           description="Only when asking a facility.")
    method = SelectField("Sent by", choices=options(REQUEST_METHODS), default="upload_link")
    source = SelectField("Where the records will come from", choices=options({"": "Not stated", **RECORD_SOURCES}),
                         default="")
    due_on = DateField("Due by", validators=[Optional(), calendar_day], description="A week from today when left empty.")
    submit = SubmitField("Send the request")


class AddItemForm(FlaskForm):
    kind = SelectField("Kind of record", choices=options(RECORD_KINDS), default="other")
    label = StringField("Name (optional)", validators=[Optional(), Length(max=120)],
                        description="For example 'Cardiology consult, March'.")
    required = BooleanField("Required before matching", default=True)
    submit = SubmitField("Add to the checklist")


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(message="Give the reason."), Length(max=500)])
    submit = SubmitField("Save")


class RejectForm(ReasonForm):
    problem = SelectField("What the patient is told", default="other",
                          choices=options([(code, label) for code, (label, _) in REJECTION_PROBLEMS.items()]),
                          description="When the patient sent the record, they are emailed this in plain words with a "
                                      "new upload link. Your reason stays inside the clinic.")


class FollowUpForm(FlaskForm):
    note = TextAreaField("What was done", validators=[Optional(), Length(max=500)],
                         description="For example 'Called records department; fax promised by Friday'.")
    due_on = DateField("New due date (optional)", validators=[Optional(), calendar_day])
    resend_link = BooleanField("Email the patient a new upload link")
    submit = SubmitField("Log the follow-up")


class ConfirmForm(FlaskForm):
    """A button only (with its CSRF token): verify."""

    submit = SubmitField("Verify")


class PatientUploadForm(FlaskForm):
    record = RadioField("What are you sending?", coerce=id_choice, validate_choice=False,
                        validators=[InputRequired(message="Choose what the file is.")])
    file = FileField("File", validators=[FileRequired(CHOOSE_FILE)],
                     description="PDF, a photo (JPEG or PNG), a DICOM image, or plain text.")
    submit = SubmitField("Send the file")
