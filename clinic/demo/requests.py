"""Demo requests: realistic patients and cases, submitted through the intake service."""
from __future__ import annotations

from datetime import date, timedelta

from clinic.cases import milestones
from clinic.cases.intake import Intake, NamedClinician
from clinic.cases.services import end_case, submit_request
from clinic.cases.vocabulary import SEED_QUESTIONS
from clinic.cases.workflow import CaseStatus
from clinic.database import utcnow

# patient, birth date, diagnosis, ICD-10-CM, treatment, invasive, reasons, urgency, days ago, referrer index
CASES = (
    ("Maria Gonzalez", date(1968, 4, 12), "Invasive ductal carcinoma of the right breast, stage IIA", "C50.911",
     "Right mastectomy followed by chemotherapy", True, ["serious_or_uncertain_diagnosis", "invasive_treatment"],
     "urgent", 2, 0),
    ("James Whitfield", date(1957, 9, 3), "Prostate adenocarcinoma, Gleason 3+4", "C61",
     "Radical prostatectomy", True, ["invasive_treatment", "conflicting_opinions"], "soon", 6, 0),
    ("Aisha Bello", date(1985, 1, 22), "Lumbar disc herniation at L4-L5", "M51.26",
     "Spinal fusion L4-L5", True, ["invasive_treatment", "persistent_symptoms"], "routine", 12, 1),
    ("Robert Chen", date(1949, 11, 30), "Coronary artery disease, three vessels", "I25.10",
     "Coronary artery bypass grafting", True, ["invasive_treatment"], "soon", 4, 2),
    ("Emily Novak", date(1990, 6, 18), "Papillary thyroid carcinoma, 1.2 cm", "C73",
     "Total thyroidectomy", True, ["serious_or_uncertain_diagnosis"], "routine", 20, 0),
    ("Daniel Osei", date(1978, 2, 7), "Rheumatoid arthritis not responding to methotrexate", "M06.9",
     "Start a biologic (adalimumab)", False, ["persistent_symptoms", "lack_of_clarity"], "routine", 35, 2),
    ("Sofia Rossi", date(1982, 8, 25), "Relapsing-remitting multiple sclerosis", "G35.A",
     "Disease-modifying therapy", False, ["serious_or_uncertain_diagnosis", "lack_of_clarity"], "soon", 9, 2),
    ("Thomas Green", date(1971, 12, 1), "Crohn's disease with strictures", "K50.90",
     "Bowel resection", True, ["invasive_treatment", "conflicting_opinions"], "routine", 15, 2),
    ("Linda Park", date(1953, 3, 14), "Osteoarthritis of the right knee", "M17.11",
     "Total knee replacement", True, ["invasive_treatment"], "routine", 42, 1),
    ("Kwame Mensah", date(1966, 5, 9), "Diffuse large B-cell lymphoma", "C83.30",
     "R-CHOP chemotherapy, six cycles", False, ["serious_or_uncertain_diagnosis", "rare_condition"], "urgent", 1, 0),
    ("Grace Liu", date(1979, 10, 2), "Uterine fibroids", "D25.9",
     "Hysterectomy", True, ["invasive_treatment", "lack_of_clarity"], "routine", 8, 2),
    ("Peter Johansson", date(1961, 7, 19), "Atrial fibrillation, persistent", "I48.91",
     "Catheter ablation", True, ["invasive_treatment", "persistent_symptoms"], "soon", 3, 2),
    ("Fatima Haddad", date(1975, 4, 28), "Sarcoidosis with lung involvement", "D86.9",
     "Long-term corticosteroids", False, ["rare_condition", "lack_of_clarity"], "routine", 25, 2),
    ("Carlos Mendes", date(1959, 1, 11), "Adenocarcinoma of the head of the pancreas", "C25.0",
     "Whipple procedure", True, ["serious_or_uncertain_diagnosis", "invasive_treatment"], "urgent", 0, 0),
    ("Hannah Weiss", date(1993, 9, 6), "Chronic migraine without aura", "G43.709",
     "Botulinum toxin injections", False, ["persistent_symptoms"], "routine", 50, 2),
    ("Omar Farouk", date(1964, 2, 17), "Solitary pulmonary nodule, 9 mm", "R91.1",
     "Right upper lobectomy", True, ["serious_or_uncertain_diagnosis", "invasive_treatment"], "soon", 5, 0),
)


def load(state: dict) -> None:
    coordinator = state["users"]["coordinator"]
    referring = state["referring"]
    now = utcnow()
    cases = []
    for i, (name, born, diagnosis, code, treatment, invasive, reasons, urgency, days_ago, ref) in enumerate(CASES):
        doctor = referring[ref]
        organization = doctor.affiliations[0].organization.name if doctor.affiliations else None
        by_physician = i % 3 != 2
        intake = Intake(
            channel="physician" if by_physician else "self", patient_name=name, birth_date=born,
            email=name.lower().replace(" ", ".").replace("'", "") + "@patient.example", phone="+1 555 010 %04d" % i,
            timezone="America/New_York" if i % 4 else "America/Los_Angeles", language="es" if i % 5 == 0 else "en",
            referring=NamedClinician(doctor.name, doctor.npi, organization) if by_physician else None,
            first_opinion=NamedClinician(doctor.name, doctor.npi if by_physician else None, organization),
            diagnosis_text=diagnosis, icd10_code=code, treatment_text=treatment, treatment_invasive=invasive,
            reasons=reasons, urgency=urgency, consent_to_contact_first_doctor=i % 4 != 3,
            questions=list(SEED_QUESTIONS), self_pay=i % 6 == 5,
            payer=None if i % 6 == 5 else ("Acme Health" if i % 2 else "BlueRiver"),
            plan_name=None if i % 6 == 5 else ("Gold PPO" if i % 2 else "Select HMO"),
            member_id=None if i % 6 == 5 else f"M{100200 + i}",
        )
        case = submit_request(coordinator if by_physician else None, intake)
        case.created_at = case.status_changed_at = case.timeline[0].at = now - timedelta(days=days_ago, hours=i)
        cases.append(case)
    milestones.rebuild([c.id for c in cases])  # the requests' arrival moved back with their first line
    end_case(coordinator, cases[-2], CaseStatus.WITHDRAWN, "The patient decided to continue with the first plan.")
    state["cases"] = cases
