"""The opinion and the decision through the API: the browser's rules, JSON errors, the case document."""
from __future__ import annotations

import pytest

from tests import factories


def body(case, **changes):
    facts = factories.opinion_facts(case)
    data = {"diagnosis": {"text": facts.diagnosis_text, "icd10": facts.icd10_code},
            "diagnosis_comparison": "refined", "treatment_comparison": "modified",
            "less_invasive_option": facts.less_invasive_option, "if_patient_waits": facts.if_patient_waits,
            "recommendation": facts.recommendation, "answers": {str(k): v for k, v in facts.answers.items()}}
    return data | changes


def post(app, case, token, payload, what="opinion"):
    return app.test_client().post(f"/api/v1/requests/{case.id}/{what}", json=payload, headers=token)


def test_a_draft_then_a_signature_through_the_api(app, my_case, bearer):
    case = my_case()
    token = bearer("specialist")
    draft = post(app, case, token, {"recommendation": "Thinking"})
    assert draft.status_code == 201 and draft.json["signed"] is False
    signed = post(app, case, token, body(case, sign=True))
    assert signed.status_code == 201 and signed.json["signed"] and signed.json["case_status"] == "opinion_recorded"
    again = post(app, case, token, body(case, recommendation="Changed"))
    assert again.status_code == 409 and "cannot be changed" in again.json["error"]


def test_signing_before_the_consultation_is_409(app, my_case, bearer):
    case = my_case(held=False)
    response = post(app, case, bearer("specialist"), body(case, sign=True))
    assert response.status_code == 409 and "consultation" in response.json["error"]


def test_a_missing_answer_is_422_naming_the_question(app, my_case, bearer):
    case = my_case()
    answers = {str(q.id): "Yes." for q in case.questions[1:]}
    response = post(app, case, bearer("specialist"), body(case, answers=answers, sign=True))
    assert response.status_code == 422
    assert case.questions[0].text in response.json["fields"][f"answers.{case.questions[0].id}"][0]


@pytest.mark.parametrize("change, field", [
    ({"diagnosis_comparison": "same"}, "diagnosis_comparison"),
    ({"treatment_comparison": 3}, "treatment_comparison"),
    ({"diagnosis": {"text": "x", "icd10": "ZZZ"}}, "diagnosis.icd10"),
    ({"answers": {"first": "x"}}, "answers"),
    ({"answers": ["x"]}, "answers"),
    ({"surprise": True}, "surprise"),
    ({"sign": "yes"}, "sign"),
])
def test_malformed_opinions_are_422_with_the_field_named(app, my_case, bearer, change, field):
    case = my_case()
    response = post(app, case, bearer("specialist"), body(case, **change))
    assert response.status_code == 422 and field in response.json["fields"]


def test_another_specialists_case_is_404(app, new_case, bearer):
    case = factories.accept(new_case(), factories.ClinicianFactory())
    assert post(app, case, bearer("specialist"), {"recommendation": "x"}).status_code == 404


def test_the_decision_closes_the_case_and_the_case_document_shows_both(app, signed_case, bearer):
    case = signed_case()
    token = bearer("coordinator")
    decided = post(app, case, token, {"choice": "follow_second", "note": "Booked surgery."}, "decision")
    assert decided.status_code == 201 and decided.json["case_status"] == "closed"
    document = app.test_client().get(f"/api/v1/requests/{case.id}", headers=token).json
    assert document["opinion"]["diagnosis_comparison"] == "refined" and document["opinion"]["signed"]
    assert document["decision"]["choice"] == "follow_second"
    assert document["questions"][0]["answer"] == "Answer to question 1."
    assert post(app, case, token, {"choice": "undecided"}, "decision").status_code == 409


@pytest.mark.parametrize("payload", [{"choice": "maybe"}, {}, {"choice": "undecided", "note": "x" * 2000}])
def test_a_malformed_decision_is_422(app, signed_case, bearer, payload):
    case = signed_case()
    assert post(app, case, bearer("coordinator"), payload, "decision").status_code == 422


def test_a_decision_before_the_opinion_is_409(app, my_case, bearer):
    case = my_case()
    assert post(app, case, bearer("coordinator"), {"choice": "undecided"}, "decision").status_code == 409
