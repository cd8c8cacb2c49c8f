"""A second-opinion request as plain values, whichever door it came through (form, staff, API)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class NamedClinician:
    name: str
    npi: str | None = None
    organization: str | None = None


@dataclass
class Intake:
    channel: str
    patient_name: str
    birth_date: date
    email: str
    diagnosis_text: str
    urgency: str
    reasons: list[str]
    phone: str | None = None
    timezone: str = "America/New_York"
    language: str = "en"
    referring: NamedClinician | None = None
    first_opinion: NamedClinician | None = None
    icd10_code: str | None = None
    treatment_text: str = ""
    treatment_invasive: bool = False
    consent_to_contact_first_doctor: bool = False
    questions: list[tuple[str, str]] = field(default_factory=list)
    self_pay: bool = False
    payer: str | None = None
    plan_name: str | None = None
    member_id: str | None = None
