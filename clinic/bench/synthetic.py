"""Synthetic requests at scale: patients, cases, reasons, questions, named doctors and timelines.

Inserted in bulk (Core executemany, not ORM objects), deterministic for a seed so runs
compare. Each case gets a plan (`CasePlan`) that the stage builders (stages.py) follow,
so its records, coverage, assignment and appointment agree with its status.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from clinic.auth.models import User
from clinic.auth.passwords import hash_password
from clinic.cases import milestones
from clinic.cases.models import STATUSES, Case, CaseClinician, CaseQuestion, CaseReason, Patient, TimelineEntry
from clinic.cases.vocabulary import REASONS, SEED_QUESTIONS, URGENCIES
from clinic.cases.workflow import CaseStatus
from clinic.database import utcnow
from clinic.extensions import db

FIRST = ("Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kara", "Luis")
LAST = ("Garcia", "Smith", "Nguyen", "Okafor", "Rossi", "Kim", "Haddad", "Novak", "Silva", "Cohen", "Patel")
# Codes the synthetic directory's subspecialties cover (clinic.matching.synthetic.SUBSPECIALTIES).
DIAGNOSES = (("Invasive ductal carcinoma", "C50.911"), ("Prostate adenocarcinoma", "C61"),
             ("Lumbar disc herniation", "M51.26"), ("Coronary artery disease", "I25.10"),
             ("Papillary thyroid carcinoma", "C73"), ("Crohn's disease", "K50.90"),
             ("Multiple sclerosis", "G35"), ("Follicular lymphoma", "C82.90"))
# A referral center with years of history in steady flow (about 55 requests a day): each open
# stage holds the requests of its usual dwell time, so about 4 % are open and the rest ended.
STATUS_WEIGHTS = {CaseStatus.RECORDS_PENDING: 1.5, CaseStatus.READY_TO_MATCH: 0.4, CaseStatus.MATCHED: 0.4, CaseStatus.SCHEDULED: 1.2, CaseStatus.CONSULTED: 0.3,
                  CaseStatus.OPINION_RECORDED: 0.4, CaseStatus.CLOSED: 86.3, CaseStatus.WITHDRAWN: 5.8, CaseStatus.CANCELLED: 3.7}
# How far back an open case of each stage was requested (days); ended cases span five years.
AGE_DAYS = {CaseStatus.RECORDS_PENDING: 45, CaseStatus.READY_TO_MATCH: 30, CaseStatus.MATCHED: 40, CaseStatus.SCHEDULED: 60, CaseStatus.CONSULTED: 75,
            CaseStatus.OPINION_RECORDED: 90}
PLANS = (("Acme Health", "Gold PPO"), ("BlueRiver", "Select HMO"), ("Payer 3", "Plan 3"), ("Payer 4", "Plan 4"))
BENCH_PASSWORD = "bench-password-for-synthetic-2026"
CHUNK = 5000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class CasePlan:
    """What the stage builders need to know about one synthetic case."""

    id: int
    status: str
    created: datetime
    changed: datetime
    icd10: str
    self_pay: bool
    plan: tuple[str, str] | None


def insert(table: sa.Table, rows: list[dict], progress: Progress | None = None) -> None:
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        db.session.execute(sa.insert(table), chunk)
        if progress:
            progress(len(chunk))


def build_staff(specialist_id: int | None) -> dict[str, str]:
    """One account per role (the specialist is linked to a panel specialist); returns role -> email."""
    hashed = hash_password(BENCH_PASSWORD)
    accounts = {"coordinator": None, "admin": None, "specialist": specialist_id}
    insert(User.__table__, [{"email": f"{role}@bench.example", "name": f"Bench {role.title()}", "role": role,
                             "password_hash": hashed, "active": True, "timezone": "America/New_York",
                             "clinician_id": clinician, "created_at": utcnow(), "password_changed_at": utcnow()}
                            for role, clinician in accounts.items()])
    return {role: f"{role}@bench.example" for role in accounts}


def plan_cases(count: int, rng, now: datetime) -> list[CasePlan]:
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    plans = []
    for i in range(1, count + 1):
        # The first cases take each stage in turn, so even a tiny clinic has a case of every kind to measure.
        status = statuses[i - 1] if i <= len(statuses) else rng.choices(statuses, weights=weights)[0]
        age = rng.randint(1, AGE_DAYS.get(status, 5 * 365))
        created = now - timedelta(days=age, minutes=rng.randint(0, 1440))
        changed = min(now - timedelta(minutes=5), created + timedelta(days=rng.randint(0, min(age, 60))))
        self_pay = i % 9 == 0
        plans.append(CasePlan(i, status, created, changed, rng.choice(DIAGNOSES)[1], self_pay,
                              None if self_pay else PLANS[i % len(PLANS)]))
    return plans


def build_cases(plans: list[CasePlan], referring: list[tuple[int, str, str]], rng, progress: Progress) -> None:
    """Patients, cases, reasons, questions, named doctors and the status timeline of every plan.

    `referring` holds (clinician id, npi, name) of external doctors in the directory."""
    diagnosis = {code: text for text, code in DIAGNOSES}
    patients, cases, reasons, questions, doctors, timeline = [], [], [], [], [], []
    for plan in plans:
        i = plan.id
        patients.append({"id": i, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                         "birth_date": date(1940, 1, 1) + timedelta(days=rng.randint(0, 25000)),
                         "email": f"patient{i}@bench.example", "phone": None, "created_at": plan.created,
                         "timezone": rng.choice(("America/New_York", "America/Chicago", "America/Los_Angeles")),
                         "language": rng.choice(("en", "en", "en", "es", "fr", "zh"))})
        cases.append({"id": i, "reference": f"SO-B{i:07d}", "patient_id": i, "channel": "physician",
                      "diagnosis_text": diagnosis[plan.icd10], "icd10_code": plan.icd10,
                      "treatment_text": "Surgery", "treatment_invasive": True, "urgency": rng.choice(list(URGENCIES)),
                      "consent_to_contact_first_doctor": i % 5 != 0, "self_pay": plan.self_pay,
                      "payer": plan.plan and plan.plan[0], "plan_name": plan.plan and plan.plan[1],
                      "member_id": plan.plan and f"M{i:08d}", "status": plan.status,
                      "status_changed_at": plan.changed, "created_at": plan.created, "updated_at": plan.changed,
                      "version": 1})
        for reason in rng.sample(list(REASONS), rng.randint(1, 2)):
            reasons.append({"case_id": i, "reason": reason})
        for position, (category, question) in enumerate(SEED_QUESTIONS, start=1):
            questions.append({"case_id": i, "position": position, "category": category, "text": question,
                              "answer": None})
        clinician_id, npi, name = referring[i % len(referring)]
        doctors.append({"case_id": i, "role": "referring", "name": name, "npi": npi, "clinician_id": clinician_id,
                        "organization": None, "resolution": "by_npi"})
        timeline.append({"case_id": i, "at": plan.created, "kind": "status", "from_status": None,
                         "to_status": CaseStatus.RECORDS_PENDING, "note": "Request received (physician)."})
        if plan.status != CaseStatus.RECORDS_PENDING:
            timeline.append({"case_id": i, "at": plan.changed, "kind": "status", "from_status": _before(plan.status),
                             "to_status": plan.status, "note": None})
    insert(Patient.__table__, patients)
    insert(Case.__table__, cases, progress)
    for table, rows in ((CaseReason, reasons), (CaseQuestion, questions), (CaseClinician, doctors),
                        (TimelineEntry, timeline)):
        insert(table.__table__, rows)
    milestones.rebuild()  # what the workflow writes on each move, from the status lines just inserted


def _before(status: str) -> str:
    if status in (CaseStatus.WITHDRAWN, CaseStatus.CANCELLED):
        return CaseStatus.RECORDS_PENDING
    return STATUSES[STATUSES.index(status) - 1]
