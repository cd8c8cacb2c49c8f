"""The clinic's words for a request: reasons, urgencies, channels, question categories.

The six reasons and the seven questions are the reference guide's own
(shared/reference/second-opinion-guide.txt); their wording is kept.
"""
from __future__ import annotations

REASONS = {
    "serious_or_uncertain_diagnosis": ("Serious or uncertain diagnosis",
                                       "A condition that significantly affects quality of life."),
    "invasive_treatment": ("Invasive treatment",
                           "Surgery or a high-risk therapy that needs confirmation."),
    "persistent_symptoms": ("Persistent symptoms",
                            "No improvement despite following the treatment."),
    "rare_condition": ("Rare condition",
                       "A case that may need a specialist with specific expertise."),
    "lack_of_clarity": ("Lack of clarity",
                        "Difficulty interpreting the diagnosis or the explanation."),
    "conflicting_opinions": ("Conflicting opinions",
                             "Different approaches between professionals."),
}

# Declared in sort order, most pressing first. Alphabetical order happens to agree
# (urgent > soon > routine), which the work queue's index relies on; a test guards it.
URGENCIES = {
    "urgent": ("Urgent", 7),
    "soon": ("Soon", 14),
    "routine": ("Routine", 30),
}

CHANNELS = {
    "self": "Patient (public form)",
    "physician": "Physician referral",
    "staff": "Staff (phone or walk-in)",
    "api": "Referring system (API)",
}

QUESTION_CATEGORIES = {
    "diagnosis": "Diagnosis",
    "treatment": "Treatment",
    "alternatives": "Alternatives",
    "experience": "Experience",
    "prognosis": "Prognosis",
    "urgency": "Urgency",
    "other": "Other",
}

SEED_QUESTIONS = (
    ("diagnosis", "Do you agree with the initial diagnosis?"),
    ("diagnosis", "If not, what diagnosis do you consider correct and why?"),
    ("treatment", "What options do you recommend and what are the risks and benefits?"),
    ("alternatives", "Are less invasive treatments available?"),
    ("experience", "How often do you treat this condition?"),
    ("prognosis", "What is the goal of the treatment?"),
    ("urgency", "What happens if I wait or do not proceed with treatment now?"),
)

LANGUAGES = {
    "en": "English", "es": "Spanish", "zh": "Chinese", "vi": "Vietnamese", "ar": "Arabic",
    "fr": "French", "ht": "Haitian Creole", "ko": "Korean", "pt": "Portuguese", "ru": "Russian",
    "tl": "Tagalog", "de": "German", "it": "Italian", "pl": "Polish",
}

MAX_QUESTIONS = 20


def reason_label(code: str) -> str:
    return REASONS[code][0]


def urgency_window_days(urgency: str) -> int:
    return URGENCIES[urgency][1]
