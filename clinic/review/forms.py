"""Forms of the review stage: the opinion (with one answer per patient question) and the addendum.

Shape only: every field is optional for a draft; what signing needs is the service's rule.
"""
from __future__ import annotations

from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from clinic.formkit import FlaskForm, options
from clinic.review.services import MAX_TEXT, OpinionFacts
from clinic.review.vocabulary import DIAGNOSIS_COMPARISONS, DIAGNOSIS_HELP, TREATMENT_COMPARISONS, TREATMENT_HELP

LONG = [Optional(), Length(max=MAX_TEXT)]
YES_NO = {"yes": "Yes", "no": "No"}


def _described(labels: dict[str, str], help_texts: dict[str, str]) -> dict[str, str]:
    return {code: f"{label}: {help_texts[code]}" for code, label in labels.items()}


class OpinionForm(FlaskForm):
    diagnosis_text = TextAreaField("Your diagnosis", validators=LONG,
                                   description="In words the patient's doctors will read; the report explains it plainly.")
    icd10_code = StringField("ICD-10-CM code", validators=[Optional(), Length(max=10)],
                             description="Optional, for example C50.912.")
    diagnosis_comparison = RadioField("Compared with the first diagnosis",
                                      choices=options(_described(DIAGNOSIS_COMPARISONS, DIAGNOSIS_HELP)),
                                      validators=[Optional()])
    treatment_comparison = RadioField("Compared with the treatment proposed",
                                      choices=options(_described(TREATMENT_COMPARISONS, TREATMENT_HELP)),
                                      validators=[Optional()])
    less_invasive = RadioField("Is there a less invasive option?", choices=options(YES_NO), validators=[Optional()])
    less_invasive_option = TextAreaField("Which less invasive option, and for whom it suits", validators=LONG,
                                         description="Only when there is one.")
    if_patient_waits = TextAreaField("What happens if the patient waits", validators=LONG)
    recommendation = TextAreaField("Your recommendation", validators=LONG)
    save = SubmitField("Save draft")
    sign = SubmitField("Sign the opinion")

    def answer_fields(self):
        return [f for f in self if f.name.startswith("answer_")]

    def facts(self) -> OpinionFacts:
        choice = self.less_invasive.data
        return OpinionFacts(
            diagnosis_text=self.diagnosis_text.data or "", icd10_code=(self.icd10_code.data or "").strip() or None,
            diagnosis_comparison=self.diagnosis_comparison.data or None,
            treatment_comparison=self.treatment_comparison.data or None,
            less_invasive=None if choice not in YES_NO else choice == "yes",
            less_invasive_option=self.less_invasive_option.data or "",
            if_patient_waits=self.if_patient_waits.data or "", recommendation=self.recommendation.data or "",
            answers={int(f.name.removeprefix("answer_")): f.data or "" for f in self.answer_fields()})


def opinion_form(questions, opinion=None) -> OpinionForm:
    """The form with one answer field per question, filled from the draft when there is one."""

    class CaseOpinionForm(OpinionForm):
        pass

    for number, question in enumerate(questions, start=1):
        setattr(CaseOpinionForm, f"answer_{question.id}",
                TextAreaField(f"{number}. {question.text}", validators=LONG))
    form = CaseOpinionForm()
    if opinion is not None and not form.is_submitted():
        for name in ("diagnosis_text", "icd10_code", "diagnosis_comparison", "treatment_comparison",
                     "less_invasive_option", "if_patient_waits", "recommendation"):
            getattr(form, name).data = getattr(opinion, name)
        form.less_invasive.data = None if opinion.less_invasive is None else ("yes" if opinion.less_invasive else "no")
        for question in questions:
            getattr(form, f"answer_{question.id}").data = opinion.answer_to(question.id)
    return form


class AddendumForm(FlaskForm):
    text = TextAreaField("Addendum", validators=[DataRequired(message="Write the addendum."), Length(max=MAX_TEXT)],
                         description="Dated and signed with your name; the opinion itself stays as signed.")
    submit = SubmitField("Sign the addendum")
