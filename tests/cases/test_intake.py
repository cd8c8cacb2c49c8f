"""Intake through the service: what a new request records."""
import pytest
import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.cases.intake import NamedClinician
from clinic.cases.models import CaseClinician
from clinic.cases.vocabulary import SEED_QUESTIONS
from tests.factories import ClinicianFactory


def test_a_request_becomes_a_case_with_patient_reasons_questions_and_reference(new_case, users):
    case = new_case(users["coordinator"], reasons=["invasive_treatment", "rare_condition", "invasive_treatment"])
    assert case.reference.startswith("SO-") and len(case.reference) == 12
    assert case.patient.name == "Jane Roe"
    assert case.reason_codes == ["invasive_treatment", "rare_condition"]
    assert [(q.category, q.text) for q in case.questions] == list(SEED_QUESTIONS)
    assert case.icd10_code == "C50.911"


def test_icd10_code_is_stored_in_dotted_upper_case(new_case):
    assert new_case(icd10_code="c50911").icd10_code == "C50.911"


def test_referring_doctor_is_linked_to_the_directory_by_npi(new_case):
    known = ClinicianFactory(kind="external", name="Dr. Known")
    case = new_case(referring=NamedClinician("Dr. Known", known.npi, "Mercy"),
                    first_opinion=NamedClinician("Dr. Stranger", "1234567893", None))
    referring, first = case.named("referring"), case.named("first_opinion")
    assert referring.clinician_id == known.id
    assert first.clinician_id is None and first.npi == "1234567893"


def test_self_pay_request_keeps_no_insurance_details(new_case):
    case = new_case(self_pay=True, payer="Acme", plan_name="Gold", member_id="X1")
    assert case.self_pay and case.payer is None and case.member_id is None


def test_reference_codes_avoid_ambiguous_characters(new_case):
    references = {new_case().reference for _ in range(30)}
    assert len(references) == 30
    assert not any(ch in ref[3:] for ref in references for ch in "01OIL")


def test_intake_is_audited_as_a_case_creation(new_case, session, users):
    case = new_case(users["coordinator"])
    event = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "case",
                                                        AuditEvent.entity_id == str(case.id))).one()
    assert (event.action, event.user_id) == ("create", users["coordinator"].id)


def test_case_reference_is_unique_in_the_database(new_case, session):
    first = new_case()
    second = new_case()
    second.reference = first.reference
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.flush()


def test_clinician_roles_are_unique_per_case(new_case, session):
    case = new_case(first_opinion=NamedClinician("Dr. A"))
    session.add(CaseClinician(case_id=case.id, role="first_opinion", name="Dr. B"))
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.flush()
