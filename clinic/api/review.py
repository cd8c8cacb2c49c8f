"""Review and outcomes in the API: the specialist's opinion, the patient's decision."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from flask_login import current_user
from pydantic import StringConstraints, field_validator

from clinic.api.blueprint import bp, created, parse
from clinic.api.errors import ApiError
from clinic.api.schemas import DiagnosisIn, Strict
from clinic.api.serializers import decision_document, opinion_document
from clinic.auth.access import COORDINATOR, SPECIALIST, deny, roles_required
from clinic.cases.models import Case
from clinic.extensions import db
from clinic.formkit import as_id
from clinic.outcomes import services as outcomes
from clinic.outcomes.vocabulary import CHOICES
from clinic.review import services as review
from clinic.review.access import assigned
from clinic.review.vocabulary import DIAGNOSIS_COMPARISONS, TREATMENT_COMPARISONS

Long = Annotated[str, StringConstraints(strip_whitespace=True, max_length=review.MAX_TEXT)]


class OpinionIn(Strict):
    """A draft may leave anything out; `sign: true` needs everything (as in the browser).
    `less_invasive_option`: a text names the option, null says there is none, absent is not stated yet."""

    multi_line = frozenset({"less_invasive_option", "if_patient_waits", "recommendation", "answers"})

    diagnosis: DiagnosisIn | None = None
    diagnosis_comparison: Literal[tuple(DIAGNOSIS_COMPARISONS)] | None = None  # type: ignore[valid-type]
    treatment_comparison: Literal[tuple(TREATMENT_COMPARISONS)] | None = None  # type: ignore[valid-type]
    less_invasive_option: Long | None = None
    if_patient_waits: Long | None = None
    recommendation: Long | None = None
    answers: dict[str, Long] = {}
    sign: bool = False

    @field_validator("answers")
    @classmethod
    def _question_ids(cls, value: dict[str, str]):
        if any(as_id(key) is None for key in value):
            raise ValueError("Key each answer by the question's id (a number).")
        return value

    def facts(self) -> review.OpinionFacts:
        stated = "less_invasive_option" in self.model_fields_set
        option = (self.less_invasive_option or "").strip()
        return review.OpinionFacts(
            diagnosis_text=self.diagnosis.text if self.diagnosis else "",
            icd10_code=self.diagnosis.icd10 if self.diagnosis else None,
            diagnosis_comparison=self.diagnosis_comparison, treatment_comparison=self.treatment_comparison,
            less_invasive=(bool(option) if stated else None), less_invasive_option=option,
            if_patient_waits=self.if_patient_waits or "", recommendation=self.recommendation or "",
            answers={int(key): text for key, text in self.answers.items()})


class DecisionIn(Strict):
    multi_line = frozenset({"note"})
    choice: Literal[tuple(CHOICES)]  # type: ignore[valid-type]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    follow_up_on: date | None = None  # "undecided" only: the day to ask again (default in 30 days)


@bp.post("/requests/<id:case_id>/opinion")
@roles_required(SPECIALIST)
def submit_opinion(case_id: int):
    assignment = assigned(case_id)
    body = parse(OpinionIn)
    try:
        if body.sign:
            opinion = review.sign_opinion(current_user, assignment, body.facts())
        else:
            opinion = review.save_draft(current_user, assignment, body.facts())
    except review.OpinionError as error:  # the form's field names, as the API names them
        fields = {_api_field(name): messages for name, messages in error.fields.items()}
        raise ApiError(error.status, error.message, fields) from None
    db.session.commit()
    return created(opinion_document(opinion) | {"case_status": assignment.case.status})


def _api_field(name: str) -> str:
    if name.startswith("answer_"):
        return "answers." + name.removeprefix("answer_")
    return {"diagnosis_text": "diagnosis.text", "icd10_code": "diagnosis.icd10",
            "less_invasive": "less_invasive_option"}.get(name, name)


@bp.post("/requests/<id:case_id>/decision")
@roles_required(COORDINATOR)
def record_decision(case_id: int):
    case = db.session.get(Case, case_id) or deny("case", case_id)
    body = parse(DecisionIn)
    decision = outcomes.record_decision(current_user, case, body.choice, body.note, follow_up_on=body.follow_up_on,
                                        via="api")
    db.session.commit()
    return created(decision_document(decision) | {"case_status": case.status})
