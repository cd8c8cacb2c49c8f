"""The patient's request form and the coordinator's intake form (input shape only)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, EmailField, FieldList, FormField,
                     RadioField, SelectField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import TextArea

from clinic.cases import icd10
from clinic.cases.intake import Intake, NamedClinician
from clinic.cases.vocabulary import LANGUAGES, QUESTION_CATEGORIES, REASONS, SEED_QUESTIONS, URGENCIES
from clinic.cases.workflow import CaseStatus
from clinic.directory.npi import NPI_MESSAGE, is_valid_npi
from clinic.formkit import TIMEZONES, FlaskForm, Form, MultiCheckboxField, email_address, options, translated

EXTRA_QUESTIONS = 3
YES_NO = {"yes": _l("Yes"), "no": _l("No")}
PAYMENT = {"insurance": _l("Health insurance"), "self_pay": _l("I will pay myself")}
INSURANCE_MISSING = {"payer": _l("Enter the insurance company, or choose self-pay."),
                     "plan_name": _l("Enter the plan, or choose self-pay."),
                     "member_id": _l("Enter the member ID, or choose self-pay.")}



def _valid_icd10(form, field):
    if field.data and not icd10.describe(field.data):
        raise ValidationError(icd10.ICD10_MESSAGE)


def _valid_npi(form, field):
    if field.data and not is_valid_npi(field.data.strip()):
        raise ValidationError(NPI_MESSAGE)


def _past_date(form, field):
    if field.data and not date(1900, 1, 1) <= field.data <= date.today():
        raise ValidationError(_("Enter a birth date between 1900 and today."))


class QuestionForm(Form):
    include = BooleanField(_l("Ask this question"))
    category = SelectField(_l("Category"), choices=translated(QUESTION_CATEGORIES), default="other")
    text = StringField(_l("Question"), validators=[Length(max=500)], widget=TextArea())  # a long question stays readable

    def validate_text(self, field):
        if self.include.data and not (field.data or "").strip():
            raise ValidationError(_("Write the question or untick it."))


class RequestForm(FlaskForm):
    """What a patient tells us; the staff form adds the referring physician and channel."""

    patient_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    birth_date = DateField(_l("Date of birth"), validators=[InputRequired(message=_l("Enter the date of birth.")), _past_date])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), email_address],
                       description=_l("Invites and updates are sent here."))
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40),
                        Regexp(r"^[0-9+()./\- ]{7,40}$", message=_l("Use digits, spaces and + ( ) - only."))])
    timezone = SelectField(_l("Your time zone"), choices=options(TIMEZONES), default="America/New_York")
    language = SelectField(_l("Preferred language"), choices=translated(LANGUAGES), default="en")

    first_doctor_name = StringField(_l("Doctor who gave the first opinion"),
                                    validators=[DataRequired(), Length(max=200)])
    first_doctor_organization = StringField(_l("Their clinic or hospital (optional)"),
                                            validators=[Optional(), Length(max=200)])

    diagnosis_text = TextAreaField(_l("Diagnosis you were given"), validators=[DataRequired(), Length(max=4000)])
    icd10_code = StringField(_l("Diagnosis code, if you know it (ICD-10)"),
                             validators=[Optional(), Length(max=10), _valid_icd10])
    treatment_text = TextAreaField(_l("Treatment proposed (if any)"), validators=[Optional(), Length(max=4000)])
    treatment_invasive = RadioField(_l("Is the proposed treatment surgery or another invasive procedure?"),
                                    choices=options(YES_NO), default="no", validators=[InputRequired()])
    reasons = MultiCheckboxField(_l("Why you want a second opinion"), choices=translated((k, v[0]) for k, v in REASONS.items()),
                                 validators=[DataRequired(message=_l("Choose at least one reason."))])
    urgency = RadioField(_l("How soon do you need the opinion?"), choices=translated((k, v[0]) for k, v in URGENCIES.items()),
                         default="routine", validators=[InputRequired()])
    questions = FieldList(FormField(QuestionForm), min_entries=len(SEED_QUESTIONS) + EXTRA_QUESTIONS,
                          max_entries=len(SEED_QUESTIONS) + EXTRA_QUESTIONS)
    consent_to_contact_first_doctor = RadioField(_l("May we contact the doctor who gave the first opinion for your records?"),
        choices=options(YES_NO), default="no", validators=[InputRequired()],
        description=_l("You may seek a second opinion without your doctor knowing; we then ask you for the records."))
    payment = RadioField(_l("How will the consultation be paid?"),
                         choices=options(PAYMENT),
                         default="insurance", validators=[InputRequired()])
    payer = StringField(_l("Insurance company"), validators=[Length(max=120)])
    plan_name = StringField(_l("Plan"), validators=[Length(max=120)])
    member_id = StringField(_l("Member ID"), validators=[Length(max=60)])
    submit = SubmitField(_l("Send my request"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            for entry, (category, text) in zip(self.questions.entries, SEED_QUESTIONS):
                entry.form.include.data = True
                entry.form.category.data = category
                entry.form.text.data = str(_l(text))  # in the patient's words: they may edit it

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.payment.data == "insurance":
            for name in ("payer", "plan_name", "member_id"):
                field = getattr(self, name)
                if not (field.data or "").strip():
                    field.errors = [*field.errors, INSURANCE_MISSING[name]]
                    valid = False
        return valid

    def intake(self, channel: str = "self") -> Intake:
        return Intake(
            channel=channel, patient_name=self.patient_name.data, birth_date=self.birth_date.data,
            email=self.email.data, phone=self.phone.data, timezone=self.timezone.data, language=self.language.data,
            first_opinion=NamedClinician(self.first_doctor_name.data, None, self.first_doctor_organization.data),
            diagnosis_text=self.diagnosis_text.data, icd10_code=self.icd10_code.data or None,
            treatment_text=self.treatment_text.data or "", treatment_invasive=self.treatment_invasive.data == "yes",
            reasons=list(self.reasons.data), urgency=self.urgency.data,
            consent_to_contact_first_doctor=self.consent_to_contact_first_doctor.data == "yes",
            questions=[(q.category.data, q.text.data) for q in (e.form for e in self.questions.entries)
                       if q.include.data and (q.text.data or "").strip()],
            self_pay=self.payment.data == "self_pay",
            payer=self.payer.data, plan_name=self.plan_name.data, member_id=self.member_id.data,
        )


class StaffIntakeForm(RequestForm):
    channel = SelectField(_l("Request came from"), choices=options({"physician": "Physician referral",
                                                                "staff": "Patient by phone or in person"}))
    referring_name = StringField(_l("Referring physician"), validators=[Optional(), Length(max=200)])
    referring_npi = StringField(_l("Referring physician's NPI"), validators=[Optional(), Length(max=10), _valid_npi])
    referring_organization = StringField(_l("Referring physician's organization"), validators=[Optional(), Length(max=200)])
    first_doctor_npi = StringField(_l("First-opinion doctor's NPI (if known)"),
                                   validators=[Optional(), Length(max=10), _valid_npi])
    submit = SubmitField(_l("Create case"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.channel.data == "physician" and not (self.referring_name.data or "").strip():
            self.referring_name.errors = [*self.referring_name.errors, "Enter the referring physician's name."]
            valid = False
        return valid

    def intake(self, channel: str = "staff") -> Intake:
        data = super().intake(self.channel.data)
        data.first_opinion.npi = (self.first_doctor_npi.data or "").strip() or None
        if (self.referring_name.data or "").strip():
            data.referring = NamedClinician(self.referring_name.data, (self.referring_npi.data or "").strip() or None,
                                            self.referring_organization.data)
        return data


class EndCaseForm(FlaskForm):
    outcome = RadioField(_l("End the case as"), choices=options({CaseStatus.WITHDRAWN: "Withdrawn by the patient",
                                                             CaseStatus.CANCELLED: "Cancelled by the clinic"}),
                         validators=[InputRequired(message=_l("Choose withdrawn or cancelled."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=500)])
    submit = SubmitField(_l("End the case"))


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Note"), validators=[DataRequired(message=_l("Write the note.")), Length(max=1000)])
    submit = SubmitField(_l("Add note"))
