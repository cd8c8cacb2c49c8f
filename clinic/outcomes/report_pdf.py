"""The patient's report as a PDF, drawn with fpdf2 (pure Python, works offline, no system libraries).

The built-in Helvetica covers Latin-1 only: typographic quotes and dashes are mapped to
their plain forms and anything else outside Latin-1 becomes "?", never an error.
"""
from __future__ import annotations

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from clinic.cases.vocabulary import QUESTION_CATEGORIES
from clinic.outcomes.services import ReportFacts
from clinic.i18n import long_date

PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", " ": " "})
NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


# A table row cannot break across pages: a cell holds at most this much, the full text follows below it.
CELL_CHARS = 500


def _text(value) -> str:
    return str(value or "").translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


def _cell(value) -> str:
    text = _text(value)
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS].rstrip() + "... " + _("(in full below)")


class _Report(FPDF):
    clinic = ""

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, _text(_("%(clinic)s · page %(page)s", clinic=self.clinic, page=self.page_no())), align="C")


def report_pdf(facts: ReportFacts, clinic: str, issued: str) -> bytes:
    case, opinion, comparison = facts.case, facts.opinion, facts.comparison
    pdf = _Report(format="A4")
    pdf.clinic = clinic
    pdf.set_title(_text(_("Second-opinion report %(reference)s", reference=case.reference)))
    pdf.set_author(_text(clinic))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int = 13):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 7, _text(text), **NEXT)
        pdf.set_font("Helvetica", size=10)

    def para(text: str, style: str = ""):
        pdf.set_font("Helvetica", style, 10)
        pdf.multi_cell(width, 5.5, _text(text), **NEXT)

    heading(_("Your second-opinion report") + f" · {clinic}", 16)
    para(_("%(clinic)s · case %(reference)s · %(name)s, born %(born)s", clinic=clinic, reference=case.reference,
           name=case.patient.name, born=long_date(case.patient.birth_date)))
    para(_("Second opinion by %(name)s, signed %(signed)s · issued %(issued)s.", name=opinion.specialist.name,
           signed=long_date(opinion.signed_at.date()), issued=issued))
    heading(_("In short"))
    for sentence in comparison.summary:
        para(f"- {sentence}")
    heading(_("The two opinions side by side"))
    with pdf.table(col_widths=(22, 34, 34, 10), text_align="LEFT", line_height=5.5) as table:
        table.row(["", _text(_("First opinion")), _text(_("Second opinion")), _text(_("Differs?"))])
        for row in comparison.rows:
            table.row([_text(row.label), _cell(row.first), _cell(row.second),
                       _text(_("Yes: %(verdict)s", verdict=row.verdict) if row.differs
                             else _("No: %(verdict)s", verdict=row.verdict))])
    cut = [(f"{row.label}, {side}", text) for row in comparison.rows
           for side, text in ((_("first opinion"), row.first), (_("second opinion"), row.second))
           if len(_text(text)) > CELL_CHARS]
    if cut:
        heading(_("In full"))
        for label, text in cut:
            para(f"{label}:", "B")
            para(text)
    heading(_("What happens if you wait"))
    para(opinion.if_patient_waits)
    heading(_("The second doctor's recommendation"))
    para(opinion.recommendation)
    heading(_("Your questions, answered"))
    for category, question, answer in facts.answers:
        para(f"{_(QUESTION_CATEGORIES.get(category, category))}: {question}", "B")
        para(answer or _("No answer."))
    for addendum in opinion.addenda:
        heading(_("Addendum of %(day)s", day=long_date(addendum.signed_at.date())), 11)
        para(addendum.text)
    heading(_("Next steps"))
    for step in comparison.next_steps:
        para(f"- {step}")
    if facts.decision is not None:
        para(_("Your decision, as recorded on %(day)s: %(decision)s.", day=long_date(facts.decision.recorded_at.date()),
               decision=_(facts.decision.label)), "B")
    return bytes(pdf.output())
