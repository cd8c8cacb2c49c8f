"""The clinic's words for a request: reasons, urgencies, channels, question categories.

The six reasons and the seven questions are the reference guide's own
(shared/reference/second-opinion-guide.txt); their wording is kept.
"""
from __future__ import annotations

from clinic.i18n import N_

REASONS = {
    "serious_or_uncertain_diagnosis": (N_("Serious or uncertain diagnosis"),
                                       N_("A condition that significantly affects quality of life.")),
    "invasive_treatment": (N_("Invasive treatment"),
                           N_("Surgery or a high-risk therapy that needs confirmation.")),
    "persistent_symptoms": (N_("Persistent symptoms"),
                            N_("No improvement despite following the treatment.")),
    "rare_condition": (N_("Rare condition"),
                       N_("A case that may need a specialist with specific expertise.")),
    "lack_of_clarity": (N_("Lack of clarity"),
                        N_("Difficulty interpreting the diagnosis or the explanation.")),
    "conflicting_opinions": (N_("Conflicting opinions"),
                             N_("Different approaches between professionals.")),
}

# Declared in sort order, most pressing first. Alphabetical order happens to agree
# (urgent > soon > routine), which the work queue's index relies on; a test guards it.
URGENCIES = {
    "urgent": (N_("Urgent"), 7),
    "soon": (N_("Soon"), 14),
    "routine": (N_("Routine"), 30),
}

CHANNELS = {
    "self": "Patient (public form)",
    "physician": "Physician referral",
    "staff": "Staff (phone or walk-in)",
    "api": "Referring system (API)",
}

QUESTION_CATEGORIES = {
    "diagnosis": N_("Diagnosis"),
    "treatment": N_("Treatment"),
    "alternatives": N_("Alternatives"),
    "experience": N_("Experience"),
    "prognosis": N_("Prognosis"),
    "urgency": N_("Urgency"),
    "other": N_("Other"),
}

SEED_QUESTIONS = (
    ("diagnosis", N_("Do you agree with the initial diagnosis?")),
    ("diagnosis", N_("If not, what diagnosis do you consider correct and why?")),
    ("treatment", N_("What options do you recommend and what are the risks and benefits?")),
    ("alternatives", N_("Are less invasive treatments available?")),
    ("experience", N_("How often do you treat this condition?")),
    ("prognosis", N_("What is the goal of the treatment?")),
    ("urgency", N_("What happens if I wait or do not proceed with treatment now?")),
)

LANGUAGES = {
    "en": N_("English"), "es": N_("Spanish"), "zh": N_("Chinese"), "vi": N_("Vietnamese"), "ar": N_("Arabic"),
    "fr": N_("French"), "ht": N_("Haitian Creole"), "ko": N_("Korean"), "pt": N_("Portuguese"), "ru": N_("Russian"),
    "tl": N_("Tagalog"), "de": N_("German"), "it": N_("Italian"), "pl": N_("Polish"),
}

MAX_QUESTIONS = 20


def reason_label(code: str) -> str:
    return REASONS[code][0]


def urgency_window_days(urgency: str) -> int:
    return URGENCIES[urgency][1]
