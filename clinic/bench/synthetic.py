"""Synthetic clinic data at scale, inserted in bulk (Core executemany, not ORM objects).

Each stage adds its own generator; this module builds the people and the requests.
Values are deterministic for a given seed so runs compare.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from clinic.auth.models import User
from clinic.auth.passwords import hash_password
from clinic.cases.models import STATUSES, Case, CaseQuestion, CaseReason, Patient, TimelineEntry
from clinic.cases.vocabulary import REASONS, SEED_QUESTIONS, URGENCIES
from clinic.database import utcnow
from clinic.extensions import db

FIRST = ("Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kara", "Luis")
LAST = ("Garcia", "Smith", "Nguyen", "Okafor", "Rossi", "Kim", "Haddad", "Novak", "Silva", "Cohen", "Patel")
DIAGNOSES = (("Invasive ductal carcinoma", "C50.911"), ("Prostate adenocarcinoma", "C61"),
             ("Lumbar disc herniation", "M51.26"), ("Coronary artery disease", "I25.10"),
             ("Papillary thyroid carcinoma", "C73"), ("Crohn's disease", "K50.90"))
STATUS_WEIGHTS = (30, 10, 8, 12, 5, 5, 25, 3, 2)  # most cases closed or waiting for records
BENCH_PASSWORD = "bench-coordinator-password-2026"


def chunks(rows: list, size: int = 5000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def insert(table, rows: list[dict], progress=None) -> None:
    for chunk in chunks(rows):
        db.session.execute(sa.insert(table), chunk)
        if progress:
            progress.update(len(chunk))


def build_staff() -> dict[str, str]:
    """One account per role; returns email -> password."""
    hashed = hash_password(BENCH_PASSWORD)
    accounts = {f"{role}@bench.example": role for role in ("coordinator", "admin")}
    insert(User.__table__, [{"email": email, "name": role.title(), "role": role, "password_hash": hashed,
                             "active": True, "timezone": "America/New_York", "created_at": utcnow(),
                             "password_changed_at": utcnow()} for email, role in accounts.items()])
    return {email: BENCH_PASSWORD for email in accounts}


def build_cases(count: int, seed: int = 7, progress=None) -> None:
    """`count` requests spread over five years and every stage, with reasons, questions, timelines."""
    rng = random.Random(seed)
    now = utcnow()
    patients, cases, reasons, questions, timeline = [], [], [], [], []
    urgencies = list(URGENCIES)
    for i in range(1, count + 1):
        created = now - timedelta(days=rng.randint(0, 5 * 365), minutes=rng.randint(0, 1440))
        status = rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0]
        changed = min(now, created + timedelta(days=rng.randint(0, 60)))
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        text, code = rng.choice(DIAGNOSES)
        patients.append({"id": i, "name": name, "birth_date": date(1940, 1, 1) + timedelta(days=rng.randint(0, 25000)),
                         "email": f"patient{i}@bench.example", "phone": None, "timezone": "America/New_York",
                         "language": "en", "created_at": created})
        cases.append({"id": i, "reference": f"SO-B{i:07d}"[:12], "patient_id": i, "channel": "physician",
                      "diagnosis_text": text, "icd10_code": code, "treatment_text": "Surgery",
                      "treatment_invasive": True, "urgency": rng.choice(urgencies),
                      "consent_to_contact_first_doctor": True, "self_pay": i % 7 == 0,
                      "payer": None if i % 7 == 0 else "Acme Health", "plan_name": None if i % 7 == 0 else "Gold PPO",
                      "member_id": None if i % 7 == 0 else f"M{i}", "status": status, "status_changed_at": changed,
                      "created_at": created, "updated_at": changed, "version": 1})
        for reason in rng.sample(list(REASONS), rng.randint(1, 2)):
            reasons.append({"case_id": i, "reason": reason})
        for position, (category, question) in enumerate(SEED_QUESTIONS, start=1):
            questions.append({"case_id": i, "position": position, "category": category, "text": question})
        timeline.append({"case_id": i, "at": created, "kind": "status", "from_status": None,
                         "to_status": "records_pending", "note": "Request received."})
        if status != "records_pending":
            timeline.append({"case_id": i, "at": changed, "kind": "status", "from_status": "records_pending",
                             "to_status": status, "note": None})
    insert(Patient.__table__, patients)
    insert(Case.__table__, cases, progress)
    insert(CaseReason.__table__, reasons)
    insert(CaseQuestion.__table__, questions)
    insert(TimelineEntry.__table__, timeline)
