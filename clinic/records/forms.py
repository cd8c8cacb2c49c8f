"""Records forms: upload, request, checklist item, reasons, follow-up, the patient's upload (shape only)."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from clinic.formkit import FlaskForm, MultiCheckboxField, calendar_day, id_choice, options
from clinic.records.vocabulary import (RECORD_KINDS, RECORD_SOURCES, REJECTION_PROBLEMS, REQUEST_METHODS,
                                       REQUEST_TARGETS)

ACCEPTED_HELP = "PDF, PNG, JPEG, DICOM or plain text."
CHOOSE_FILE = _l("Choose a file to upload.")


class UploadForm(FlaskForm):
    record = SelectField(_l("Record"), coerce=id_choice, validate_choice=False)
    source = SelectField(_l("Where it came from"), choices=options({"": "Not stated", **RECORD_SOURCES}), default="")
    file = FileField(_l("File"), validators=[FileRequired(CHOOSE_FILE)], description=ACCEPTED_HELP)
    submit = SubmitField(_l("Upload"))


class RequestForm(FlaskForm):
    items = MultiCheckboxField(_l("Records to request"), coerce=id_choice, validate_choice=False,
                               validators=[DataRequired(message=_l("Choose at least one record."))])
    target = RadioField(_l("Ask"), choices=options(REQUEST_TARGETS), default="patient", validators=[InputRequired()])
    facility = StringField(_l("Clinic, hospital or lab"), validators=[Optional(), Length(max=200)],
                           description=_l("Only when asking a facility."))
    method = SelectField(_l("Sent by"), choices=options(REQUEST_METHODS), default="upload_link")
    source = SelectField(_l("Where the records will come from"), choices=options({"": "Not stated", **RECORD_SOURCES}),
                         default="")
    due_on = DateField(_l("Due by"), validators=[Optional(), calendar_day], description=_l("A week from today when left empty."))
    submit = SubmitField(_l("Send the request"))


class AddItemForm(FlaskForm):
    kind = SelectField(_l("Kind of record"), choices=options(RECORD_KINDS), default="other")
    label = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=120)],
                        description=_l("For example 'Cardiology consult, March'."))
    required = BooleanField(_l("Required before matching"), default=True)
    submit = SubmitField(_l("Add to the checklist"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=500)])
    submit = SubmitField(_l("Save"))


class RejectForm(ReasonForm):
    problem = SelectField(_l("What the patient is told"), default="other",
                          choices=options([(code, label) for code, (label, _told) in REJECTION_PROBLEMS.items()]),
                          description=_l("When the patient sent the record, they are emailed this in plain words with a "
                                         "new upload link. Your reason stays inside the clinic."))


class FollowUpForm(FlaskForm):
    note = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=500)],
                         description=_l("For example 'Called records department; fax promised by Friday'."))
    due_on = DateField(_l("New due date (optional)"), validators=[Optional(), calendar_day])
    resend_link = BooleanField(_l("Email the patient a new upload link"))
    submit = SubmitField(_l("Log the follow-up"))


class ConfirmForm(FlaskForm):
    """A button only (with its CSRF token): verify."""

    submit = SubmitField(_l("Verify"))


class PatientUploadForm(FlaskForm):
    record = RadioField(_l("What are you sending?"), coerce=id_choice, validate_choice=False,
                        validators=[InputRequired(message=_l("Choose what the file is."))])
    file = FileField(_l("File"), validators=[FileRequired(CHOOSE_FILE)],
                     description=_l("PDF, a photo (JPEG or PNG), a DICOM image, or plain text."))
    submit = SubmitField(_l("Send the file"))
