"""Directory forms: clinicians, organizations, subspecialties, plans and a clinician's links (shape only)."""
from __future__ import annotations

from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from clinic.directory import rules
from clinic.directory.models import CLINICIAN_KINDS, ORGANIZATION_KINDS, RELATIONSHIP_KINDS
from clinic.formkit import TIMEZONES, FlaskForm, calendar_day, id_choice, options

KIND_LABELS = {"specialist": "Specialist on our panel", "external": "External (referring or first-opinion doctor)"}
ORGANIZATION_LABELS = {"hospital": "Hospital", "practice": "Practice", "academic_center": "Academic center",
                       "group": "Group"}
RELATIONSHIP_LABELS = {"co_practice": "Co-practice", "training": "Training", "family": "Family",
                       "financial": "Financial", "co_author": "Co-author", "other": "Other"}
assert set(KIND_LABELS) == set(CLINICIAN_KINDS) and set(ORGANIZATION_LABELS) == set(ORGANIZATION_KINDS) \
    and set(RELATIONSHIP_LABELS) == set(RELATIONSHIP_KINDS)


def checked(check, *args):
    """A validator applying one of directory.rules, keeping its cleaned value."""
    def validate(form, field):
        try:
            field.data = check(field.data or "", *args)
        except ValueError as error:
            raise ValidationError(str(error)) from None
    return validate


def _ordered(form) -> bool:
    try:
        rules.dates_in_order(form.start.data, form.end.data)
    except ValueError as error:
        form.end.errors = [*form.end.errors, str(error)]
        return False
    return True


class ClinicianForm(FlaskForm):
    npi = StringField("NPI", validators=[checked(rules.npi)], description="10 digits; the last is the check digit.")
    name = StringField("Full name", validators=[checked(rules.text, 200)])
    kind = SelectField("Kind", choices=options(KIND_LABELS))
    specialty = StringField("Specialty", validators=[checked(rules.text, 120, False)])
    languages = StringField("Languages", default="en", validators=[checked(rules.languages)],
                            description="ISO 639-1 codes separated by ';', e.g. en;es.")
    academic = BooleanField("Works in an academic setting")
    email = StringField("Email", validators=[checked(rules.email)])
    timezone = SelectField("Time zone", choices=options(TIMEZONES), default="America/New_York")
    submit = SubmitField("Save")


class OrganizationForm(FlaskForm):
    name = StringField("Name", validators=[checked(rules.text, 200)])
    kind = SelectField("Kind", choices=options(ORGANIZATION_LABELS))
    submit = SubmitField("Save")


class SubspecialtyForm(FlaskForm):
    code = StringField("Code", validators=[checked(rules.code)], description="Short and stable, e.g. breast_oncology.")
    name = StringField("Name", validators=[checked(rules.text, 200)])
    icd10_prefixes = StringField("ICD-10 prefixes covered", validators=[checked(rules.icd10_prefixes)],
                                 description="Separated by ';', e.g. C50; D05. A case matches on the longest prefix.")
    submit = SubmitField("Save")


class PlanForm(FlaskForm):
    payer = StringField("Payer", validators=[checked(rules.text, 120)])
    name = StringField("Plan", validators=[checked(rules.text, 120)])
    submit = SubmitField("Save")


def _start(label: str = "Start", required: bool = True) -> DateField:
    return DateField(label, validators=[InputRequired(message="Enter the start date.") if required else Optional(),
                                       calendar_day])


def _end() -> DateField:
    return DateField("End (empty while current)", validators=[Optional(), calendar_day],
                     description="The last day; leave empty while it lasts.")


class DatedForm(FlaskForm):
    """A link with a period: the end, when given, is not before the start."""

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) and _ordered(self)


class AffiliationForm(DatedForm):
    organization = SelectField("Organization", coerce=id_choice, validate_choice=False)
    start, end = _start(), _end()
    submit = SubmitField("Save affiliation")


class NetworkForm(DatedForm):
    plan = SelectField("Plan", coerce=id_choice, validate_choice=False)
    start, end = _start(), _end()
    submit = SubmitField("Save network membership")


class RelationshipForm(DatedForm):
    other_npi = StringField("The other clinician's NPI", validators=[checked(rules.npi)])
    kind = SelectField("Kind of tie", choices=options(RELATIONSHIP_LABELS))
    start, end = _start("Start (if known)", required=False), _end()
    submit = SubmitField("Save relationship")


class ExpertiseForm(FlaskForm):
    subspecialty = SelectField("Subspecialty", coerce=id_choice, validate_choice=False)
    annual_volume = IntegerField("Cases a year", default=0,
                                 validators=[InputRequired(message="Enter the number of cases a year."),
                                             NumberRange(min=0, max=999999)])
    submit = SubmitField("Save subspecialty")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm")


class RosterForm(FlaskForm):
    files = MultipleFileField("Roster CSV files", validators=[FileRequired(message="Choose at least one CSV file.")],
                              description="clinicians.csv, organizations.csv, affiliations.csv, relationships.csv, "
                                          "subspecialties.csv, specialist_subspecialties.csv, plans.csv, networks.csv. "
                                          "All are checked before anything is saved.")
    submit = SubmitField("Import")
