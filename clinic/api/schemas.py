"""Request bodies of the API, validated strictly: unknown fields and wrong types are refused."""
from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import (AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo,
                      field_validator)

from clinic.cases import icd10
from clinic.cases.intake import Intake, NamedClinician
from clinic.coverage.services import CoverageFacts
from clinic.coverage.vocabulary import RESULTS
from clinic.cases.vocabulary import (LANGUAGES, MAX_QUESTIONS, QUESTION_CATEGORIES, REASONS, SEED_QUESTIONS,
                                     URGENCIES)
from clinic.directory.npi import NPI_MESSAGE, is_valid_npi
from clinic.directory.rules import timezones
from clinic.formkit import utc_instant, within_calendar
from clinic.records.vocabulary import REJECTION_PROBLEMS
from clinic.text import one_address, refuse_control

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(one_address)]
# Days and instants within the clinic's calendar (formkit.FIRST_DAY..LAST_DAY): year 1 and 9999 were 500s.
Day = Annotated[date, AfterValidator(within_calendar)]
Instant = Annotated[AwareDatetime, AfterValidator(utc_instant)]
ReasonCode = Literal[tuple(REASONS)]  # type: ignore[valid-type]
UrgencyCode = Literal[tuple(URGENCIES)]  # type: ignore[valid-type]
CategoryCode = Literal[tuple(QUESTION_CATEGORIES)]  # type: ignore[valid-type]
LanguageCode = Literal[tuple(LANGUAGES)]  # type: ignore[valid-type]


def _plain(value, multi_line: bool):
    if isinstance(value, str):
        return refuse_control(value, multi_line)
    if isinstance(value, list):
        return [_plain(item, multi_line) for item in value]
    if isinstance(value, dict):
        return {_plain(key, False): _plain(item, multi_line) for key, item in value.items()}
    return value


class Strict(BaseModel):
    """Every request body: unknown fields refused, no type coercion, and no control character in any
    string (newlines and tabs only in the fields a model names in `multi_line`)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    multi_line: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _plain_text(cls, value, info: ValidationInfo):
        return _plain(value, info.field_name in cls.multi_line)


class PatientIn(Strict):
    name: Name
    birth_date: Day
    email: Email
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40,
                                            pattern=r"^[0-9+()./\- ]{7,40}$")] | None = None
    timezone: str = "America/New_York"
    language: LanguageCode = "en"

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date) -> date:
        if not date(1900, 1, 1) <= value <= date.today():
            raise ValueError("Use a birth date between 1900-01-01 and today.")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if value not in timezones():
            raise ValueError("Use an IANA time zone such as America/New_York.")
        return value


class ClinicianIn(Strict):
    name: Name
    npi: str | None = None
    organization: Name | None = None

    @field_validator("npi")
    @classmethod
    def _npi(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_npi(value):
            raise ValueError(NPI_MESSAGE)
        return value


class DiagnosisIn(Strict):
    multi_line = frozenset({"text"})
    text: Text
    icd10: str | None = None

    @field_validator("icd10")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is not None and not icd10.describe(value):
            raise ValueError(icd10.ICD10_MESSAGE)
        return value


class TreatmentIn(Strict):
    multi_line = frozenset({"text"})
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
    invasive: bool


class QuestionIn(Strict):
    multi_line = frozenset({"text"})
    category: CategoryCode
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Insured(Strict):
    payer: Short
    plan: Short
    member_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class SelfPay(Strict):
    self_pay: Literal[True]


class RequestIn(Strict):
    patient: PatientIn
    referring_clinician: ClinicianIn
    first_opinion_clinician: ClinicianIn | None = None
    diagnosis: DiagnosisIn
    proposed_treatment: TreatmentIn
    reasons: Annotated[list[ReasonCode], Field(min_length=1, max_length=len(REASONS))]
    urgency: UrgencyCode
    consent_to_contact_first_doctor: bool
    questions: Annotated[list[QuestionIn], Field(max_length=MAX_QUESTIONS)] | None = None
    coverage: Insured | SelfPay

    def intake(self) -> Intake:
        def named(person: ClinicianIn | None) -> NamedClinician | None:
            return person and NamedClinician(person.name, person.npi, person.organization)

        insured = self.coverage if isinstance(self.coverage, Insured) else None
        questions = [(q.category, q.text) for q in self.questions] if self.questions is not None \
            else list(SEED_QUESTIONS)
        return Intake(
            channel="api", patient_name=self.patient.name, birth_date=self.patient.birth_date,
            email=self.patient.email, phone=self.patient.phone, timezone=self.patient.timezone,
            language=self.patient.language, referring=named(self.referring_clinician),
            first_opinion=named(self.first_opinion_clinician),
            diagnosis_text=self.diagnosis.text, icd10_code=self.diagnosis.icd10,
            treatment_text=self.proposed_treatment.text, treatment_invasive=self.proposed_treatment.invasive,
            reasons=list(self.reasons), urgency=self.urgency,
            consent_to_contact_first_doctor=self.consent_to_contact_first_doctor, questions=questions,
            self_pay=insured is None, payer=insured and insured.payer, plan_name=insured and insured.plan,
            member_id=insured and insured.member_id,
        )


class RejectIn(Strict):
    """`reason` stays inside the clinic; `problem` is what a patient who sent the record is told."""

    multi_line = frozenset({"reason"})
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    problem: Literal[tuple(REJECTION_PROBLEMS)] = "other"  # type: ignore[valid-type]


class CoverageIn(Strict):
    """A coverage check; payer, plan and member id default to those stated on the request."""

    multi_line = frozenset({"notes"})

    result: Literal[tuple(RESULTS)]  # type: ignore[valid-type]
    payer: Short | None = None
    plan: Short | None = None
    member_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None = None
    prior_auth_required: bool = False
    auth_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)] | None = None
    method: Literal["portal", "phone", "electronic"] | None = None
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    patient_agreed_out_of_network: bool = False

    def facts(self, stated_payer: str | None, stated_plan: str | None, stated_member: str | None) -> CoverageFacts:
        return CoverageFacts(
            result=self.result, payer=self.payer or stated_payer, plan_name=self.plan or stated_plan,
            member_id=self.member_id or stated_member, prior_auth_required=self.prior_auth_required,
            auth_number=self.auth_number, method=self.method, notes=self.notes or None,
            patient_agreed_out_of_network=self.patient_agreed_out_of_network)
