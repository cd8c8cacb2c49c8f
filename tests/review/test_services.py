"""The opinion's rules: drafts from acceptance, signing once the consultation is held and every
question answered, nothing changes after signing (service, ORM, database), addenda follow."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.review import services
from clinic.review.models import Addendum, Opinion, OpinionAnswer, SignedOpinionImmutable
from tests import factories


def mine(case, users):
    return services.assignment_of(users["specialist"].clinician_id, case.id)


def test_a_draft_can_be_saved_as_soon_as_the_case_is_accepted(my_case, users):
    case = my_case(held=False)
    opinion = services.save_draft(users["specialist"], mine(case, users),
                                  services.OpinionFacts(diagnosis_text="Probably DCIS"))
    assert (opinion.diagnosis_text, opinion.is_signed, case.status) == ("Probably DCIS", False, "matched")


def test_signing_waits_for_the_consultation_and_writes_nothing(my_case, users, session):
    case = my_case(held=False)
    with pytest.raises(services.NotReadyToSign, match="consultation has been held"):
        factories.sign(case, users["specialist"])
    assert session.scalar(sa.select(sa.func.count()).select_from(Opinion)) == 0
    assert case.status == "matched"


def test_a_missing_answer_blocks_signing_and_names_the_question(my_case, users):
    case = my_case()
    facts = factories.opinion_facts(case)
    third = case.questions[2]
    facts.answers[third.id] = "   "
    with pytest.raises(services.OpinionError) as refused:
        services.sign_opinion(users["specialist"], mine(case, users), facts)
    assert f"question 3: “{third.text}”" in refused.value.message
    assert list(refused.value.fields) == [f"answer_{third.id}"]
    assert case.status == "consulted"


@pytest.mark.parametrize("change, field", [
    ({"diagnosis_text": ""}, "diagnosis_text"),
    ({"diagnosis_comparison": None}, "diagnosis_comparison"),
    ({"treatment_comparison": None}, "treatment_comparison"),
    ({"less_invasive": None}, "less_invasive"),
    ({"less_invasive": True, "less_invasive_option": ""}, "less_invasive_option"),
    ({"if_patient_waits": " "}, "if_patient_waits"),
    ({"recommendation": ""}, "recommendation"),
])
def test_each_part_of_the_opinion_is_needed_to_sign(my_case, users, change, field):
    case = my_case()
    with pytest.raises(services.OpinionError) as refused:
        factories.sign(case, users["specialist"], **change)
    assert field in refused.value.fields


@pytest.mark.parametrize("change, field", [
    ({"icd10_code": "C99.999"}, "icd10_code"),
    ({"icd10_code": "<script>"}, "icd10_code"),
    ({"diagnosis_comparison": "maybe"}, "diagnosis_comparison"),
    ({"treatment_comparison": "DROP TABLE"}, "treatment_comparison"),
    ({"recommendation": "x" * 9000}, "recommendation"),
])
def test_malformed_drafts_are_refused_with_the_field_named(my_case, users, change, field, session):
    case = my_case()
    with pytest.raises(services.OpinionError) as refused:
        services.save_draft(users["specialist"], mine(case, users), factories.opinion_facts(case, **change))
    assert field in refused.value.fields
    assert session.scalar(sa.select(sa.func.count()).select_from(Opinion)) == 0


def test_an_answer_to_another_cases_question_is_refused(my_case, users, new_case):
    case, other = my_case(), new_case()
    facts = factories.opinion_facts(case)
    facts.answers[other.questions[0].id] = "Sneaky"
    with pytest.raises(services.OpinionError, match="Some fields"):
        services.save_draft(users["specialist"], mine(case, users), facts)


def test_signing_records_the_opinion_and_moves_the_case(my_case, users, session):
    case = my_case()
    opinion = factories.sign(case, users["specialist"])
    assert opinion.is_signed and opinion.signed_by_id == users["specialist"].id
    assert case.status == "opinion_recorded"
    assert {a.question_id: a.text for a in opinion.answers} == {q.id: f"Answer to question {q.position}."
                                                               for q in case.questions}
    assert case.timeline[-1].to_status == "opinion_recorded"
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "opinion",
                                                      AuditEvent.detail == "signed")) is not None


def test_a_signed_opinion_cannot_be_changed_through_the_service(signed_case, users):
    case = signed_case()
    assignment = mine(case, users)
    for attempt in (lambda: services.save_draft(users["specialist"], assignment, factories.opinion_facts(case)),
                    lambda: services.sign_opinion(users["specialist"], assignment, factories.opinion_facts(case))):
        with pytest.raises(services.OpinionSigned, match="cannot be changed"):
            attempt()


def test_the_orm_refuses_to_flush_a_change_to_a_signed_opinion(signed_case, users, session):
    opinion = services.signed_opinion(signed_case())
    opinion.recommendation = "Something else"
    with pytest.raises(SignedOpinionImmutable):
        session.flush()
    session.rollback()


def test_the_orm_refuses_changes_to_the_answers_of_a_signed_opinion(signed_case, session):
    opinion = services.signed_opinion(signed_case())
    opinion.answers[0].text = "Changed"
    with pytest.raises(SignedOpinionImmutable):
        session.flush()
    session.rollback()


@pytest.mark.parametrize("statement", [
    lambda o: sa.update(Opinion).where(Opinion.id == o.id).values(recommendation="changed in SQL"),
    lambda o: sa.update(Opinion).where(Opinion.id == o.id).values(signed_at=None),
    lambda o: sa.delete(Opinion).where(Opinion.id == o.id),
    lambda o: sa.update(OpinionAnswer).where(OpinionAnswer.opinion_id == o.id).values(text="changed"),
    lambda o: sa.delete(OpinionAnswer).where(OpinionAnswer.opinion_id == o.id),
    lambda o: sa.insert(OpinionAnswer).values(opinion_id=o.id, question_id=o.answers[0].question_id + 10_000,
                                              text="late"),
    lambda o: sa.update(Addendum).where(Addendum.opinion_id == o.id).values(text="changed"),
    lambda o: sa.delete(Addendum).where(Addendum.opinion_id == o.id),
])
def test_the_database_refuses_to_change_a_signed_opinion_even_in_sql(signed_case, users, session, statement):
    case = signed_case()
    services.add_addendum(users["specialist"], mine(case, users), "A later note.")
    opinion = services.signed_opinion(case)
    session.flush()
    with pytest.raises(sa.exc.DatabaseError, match="signed opinion"):
        with session.begin_nested():
            session.execute(statement(opinion))


def test_the_database_lets_a_draft_change(my_case, users, session):
    case = my_case()
    opinion = services.save_draft(users["specialist"], mine(case, users), factories.opinion_facts(case))
    session.execute(sa.update(Opinion).where(Opinion.id == opinion.id).values(recommendation="Revised"))
    session.execute(sa.update(OpinionAnswer).where(OpinionAnswer.opinion_id == opinion.id).values(text="Revised"))


def test_an_addendum_follows_a_signed_opinion_dated_and_signed_by_the_specialist(signed_case, users):
    case = signed_case()
    addendum = services.add_addendum(users["specialist"], mine(case, users), "  Pathology review confirms HER2-.  ")
    assert addendum.text == "Pathology review confirms HER2-."
    assert addendum.signed_at is not None and addendum.signed_by_id == users["specialist"].id
    assert services.signed_opinion(case).addenda == [addendum]


@pytest.mark.parametrize("text", ["", "   ", "x" * 9000])
def test_an_empty_or_huge_addendum_is_refused(signed_case, users, text):
    case = signed_case()
    with pytest.raises(services.OpinionError):
        services.add_addendum(users["specialist"], mine(case, users), text)


def test_an_addendum_needs_a_signed_opinion(my_case, users):
    case = my_case()
    with pytest.raises(services.OpinionError, match="follows a signed opinion"):
        services.add_addendum(users["specialist"], mine(case, users), "Too early")


def test_the_workspace_groups_the_specialists_cases(my_case, users, new_case, session):
    proposed = new_case()
    factories.open_gate(None, proposed)
    session.add(factories.Assignment(case_id=proposed.id, specialist_id=users["specialist"].clinician_id,
                                     status="proposed"))
    upcoming, awaiting, signed = my_case(held=False), my_case(), my_case()
    factories.sign(signed, users["specialist"])
    someone_elses = factories.accept(new_case(), factories.ClinicianFactory())
    session.flush()
    groups = services.workspace(users["specialist"].clinician_id)
    ids = lambda group: [a.case_id for a in group]  # noqa: E731
    assert (ids(groups.proposed), ids(groups.upcoming), ids(groups.awaiting), ids(groups.signed)) == \
        ([proposed.id], [upcoming.id], [awaiting.id], [signed.id])
    assert someone_elses.id not in ids(groups.proposed + groups.upcoming + groups.awaiting + groups.signed)
