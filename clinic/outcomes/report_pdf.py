"""The patient's report as a PDF, drawn with fpdf2 (pure Python, works offline, no system libraries).

The built-in Helvetica covers Latin-1 only: typographic quotes and dashes are mapped to
their plain forms and anything else outside Latin-1 becomes "?", never an error.
"""
from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from clinic.cases.vocabulary import QUESTION_CATEGORIES
from clinic.outcomes.services import ReportFacts
from clinic.web import local_time

PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", " ": " "})
NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
DAY = "%d %B %Y"  # dates on the reader's clock, as the web report shows them


# A table row cannot break across pages: a cell holds at most this much, the full text follows below it.
CELL_CHARS = 500


def _text(value) -> str:
    return str(value or "").translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


def _cell(value) -> str:
    text = _text(value)
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS].rstrip() + "... (in full below)"


class _Report(FPDF):
    clinic = ""

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 8, _text(f"{self.clinic} · page {self.page_no()}"), align="C")


def report_pdf(facts: ReportFacts, clinic: str, issued: str) -> bytes:
    case, opinion, comparison = facts.case, facts.opinion, facts.comparison
    pdf = _Report(format="A4")
    pdf.clinic = clinic
    pdf.set_title(_text(f"Second-opinion report {case.reference}"))
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

    heading(f"Your second-opinion report · {clinic}", 16)
    para(f"Case {case.reference} · {case.patient.name}, born {case.patient.birth_date.isoformat()} · issued {issued}")
    para(f"Second opinion by {opinion.specialist.name}, signed {local_time(opinion.signed_at, DAY)}.")
    heading("In short")
    for sentence in comparison.summary:
        para(f"- {sentence}")
    heading("The two opinions side by side")
    with pdf.table(col_widths=(22, 34, 34, 10), text_align="LEFT", line_height=5.5) as table:
        table.row(["", "First opinion", "Second opinion", "Differs?"])
        for row in comparison.rows:
            table.row([_text(row.label), _cell(row.first), _cell(row.second),
                       _text(f"Yes: {row.verdict}" if row.differs else f"No: {row.verdict}")])
    cut = [(f"{row.label}, {side}", text) for row in comparison.rows
           for side, text in (("first opinion", row.first), ("second opinion", row.second))
           if len(_text(text)) > CELL_CHARS]
    if cut:
        heading("In full")
        for label, text in cut:
            para(f"{label}:", "B")
            para(text)
    heading("If you wait")
    para(opinion.if_patient_waits)
    heading("The second doctor's recommendation")
    para(opinion.recommendation)
    heading("Your questions, answered")
    for category, question, answer in facts.answers:
        para(f"{QUESTION_CATEGORIES.get(category, category)}: {question}", "B")
        para(answer or "No answer.")
    for addendum in opinion.addenda:
        heading(f"Addendum of {local_time(addendum.signed_at, DAY)}", 11)
        para(addendum.text)
    heading("Next steps")
    for step in comparison.next_steps:
        para(f"- {step}")
    if facts.decision is not None:
        para(f"Your decision, as recorded on {local_time(facts.decision.recorded_at, DAY)}: {facts.decision.label}.", "B")
    return bytes(pdf.output())
