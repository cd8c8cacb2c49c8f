"""Synthetic rows of every merged stage for the synthetic cases: records and document metadata,
coverage checks, assignments, appointments, outbox mail and the audit trail.

Each case's rows agree with its status (a matched case has verified records, verified
coverage and an accepted specialist; a scheduled one a booked appointment on the
specialist's openings), so every page does the work it does in a real clinic.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.bench.synthetic import CasePlan, Progress, insert
from clinic.cases.models import TimelineEntry
from clinic.cases.workflow import CaseStatus
from clinic.coverage.models import CoverageCheck
from clinic.directory.models import Clinician, Plan, Subspecialty
from clinic.extensions import db
from clinic.mail.models import OutboxMessage
from clinic.matching.models import Assignment
from clinic.records.checklist import required_kinds
from clinic.records.models import Document, RecordItem
from clinic.scheduling.models import Appointment

PAST_GATE = (CaseStatus.READY_TO_MATCH, CaseStatus.MATCHED, CaseStatus.SCHEDULED, CaseStatus.CONSULTED, CaseStatus.OPINION_RECORDED, CaseStatus.CLOSED)
ACCEPTED = (CaseStatus.MATCHED, CaseStatus.SCHEDULED, CaseStatus.CONSULTED, CaseStatus.OPINION_RECORDED, CaseStatus.CLOSED)
HELD = (CaseStatus.CONSULTED, CaseStatus.OPINION_RECORDED, CaseStatus.CLOSED)
# A records_pending case: each checklist item somewhere between missing and verified.
PENDING_ITEM = (("missing", 15), ("requested", 35), ("received", 20), ("verified", 25), ("rejected", 5))
UTC = timezone.utc


@dataclass
class Panel:
    """The synthetic directory as the stage builders use it."""

    specialists: list[int]
    zones: dict[int, str]
    plans: dict[tuple[str, str], int]
    subspecialties: list[tuple[int, tuple[str, ...]]]  # (id, dotless prefixes)
    busy: int  # the bench specialist's own clinician id: a realistic share of cases is theirs
    coordinator: int = 0
    assigned: dict[int, int] = field(default_factory=dict)  # case id -> accepted or proposed specialist


def load_panel() -> Panel:
    rows = db.session.execute(sa.select(Clinician.id, Clinician.timezone).where(Clinician.kind == "specialist")
                              .order_by(Clinician.id)).all()
    plans = {(p.payer, p.name): p.id for p in db.session.scalars(sa.select(Plan))}
    subs = [(s.id, tuple(s.prefixes)) for s in db.session.scalars(sa.select(Subspecialty).order_by(Subspecialty.id))]
    return Panel([r.id for r in rows], dict(rows), plans, subs, rows[0].id)


def _pick(rng, weighted) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def build_records(plans: list[CasePlan], panel: Panel, rng, progress: Progress) -> None:
    """The required checklist of every case; documents (metadata only) for what arrived."""
    items, documents = [], []
    item_id = 0
    for plan in plans:
        settled = plan.status in PAST_GATE
        for kind in required_kinds(plan.icd10):
            item_id += 1
            status = "verified" if settled else _pick(rng, PENDING_ITEM)
            requested = plan.created + timedelta(hours=rng.randint(2, 72))
            arrived = requested + timedelta(days=rng.randint(1, 9)) if status in ("received", "verified") else None
            items.append({
                "id": item_id, "case_id": plan.id, "kind": kind, "label": None, "required": True, "status": status,
                "source": "direct_request" if arrived else None,
                "requested_from_kind": None if status == "missing" else "facility",
                "requested_from": None if status == "missing" else "Synthetic Hospital records office",
                "request_method": None if status == "missing" else "fax",
                "requested_at": None if status == "missing" else requested,
                "due_on": None if status == "missing" else (requested + timedelta(days=7)).date(),
                "follow_ups": 0, "last_follow_up_at": None, "received_at": arrived,
                "verified_by_id": panel.coordinator if status == "verified" else None,
                "verified_at": arrived + timedelta(hours=4) if status == "verified" else None,
                "rejection_reason": "Illegible scan; a new copy was asked for" if status == "rejected" else None,
                "not_applicable_reason": None, "created_at": plan.created})
            if arrived:
                documents.append({
                    "case_id": plan.id, "record_item_id": item_id, "storage_key": f"bench{item_id:032x}",
                    "original_name": f"{kind}.pdf", "content_type": "application/pdf",
                    "size": rng.randint(40_000, 4_000_000), "sha256": f"{item_id:064x}",
                    "uploaded_via": "coordinator", "uploaded_by_id": panel.coordinator, "uploaded_at": arrived})
    insert(RecordItem.__table__, items, progress)
    insert(Document.__table__, documents)


def build_coverage(plans: list[CasePlan], panel: Panel, rng) -> None:
    """A verified in-network check for every insured case past the gate; some pending cases checked too."""
    rows = []
    for plan in plans:
        if plan.self_pay or (plan.status not in PAST_GATE and rng.random() > 0.4):
            continue
        result = "verified_in_network" if plan.status in PAST_GATE or rng.random() < 0.8 else "not_covered"
        rows.append({"case_id": plan.id, "plan_id": panel.plans.get(plan.plan), "payer": plan.plan[0],
                     "plan_name": plan.plan[1], "member_id": f"M{plan.id:08d}", "result": result,
                     "prior_auth_required": False, "auth_number": None, "method": "portal", "notes": None,
                     "patient_agreed_out_of_network": False, "checked_by_id": panel.coordinator,
                     "checked_at": plan.created + timedelta(days=1)})
    insert(CoverageCheck.__table__, rows)


def _subspecialty(panel: Panel, icd10: str) -> int | None:
    code = icd10.replace(".", "")
    return next((sid for sid, prefixes in panel.subspecialties if any(code.startswith(p) for p in prefixes)), None)


def build_assignments(plans: list[CasePlan], panel: Panel, rng) -> None:
    """Accepted specialists from `matched` on, proposals out for some cases ready to match,
    and an earlier decline here and there (kept: it shows on the case and in the ranking)."""
    rows, notes = [], []
    for plan in plans:
        live = "accepted" if plan.status in ACCEPTED else \
            "proposed" if plan.status == CaseStatus.READY_TO_MATCH and rng.random() < 0.3 else None
        if live is None and plan.status != CaseStatus.READY_TO_MATCH:
            continue
        sub = _subspecialty(panel, plan.icd10)
        at = plan.changed - timedelta(days=rng.randint(1, 5))
        if rng.random() < 0.1:
            rows.append({"case_id": plan.id, "specialist_id": rng.choice(panel.specialists), "subspecialty_id": sub,
                         "status": "declined", "decline_reason": "Away at a congress that month",
                         "conflict_declared": False, "proposed_by_id": panel.coordinator,
                         "proposed_at": at - timedelta(days=3), "responded_at": at - timedelta(days=2)})
        if live is None:
            continue
        specialist = panel.busy if rng.random() < 0.002 else rng.choice(panel.specialists)
        panel.assigned[plan.id] = specialist
        rows.append({"case_id": plan.id, "specialist_id": specialist, "subspecialty_id": sub, "status": live,
                     "decline_reason": None, "conflict_declared": False, "proposed_by_id": panel.coordinator,
                     "proposed_at": at, "responded_at": at + timedelta(hours=6) if live == "accepted" else None})
        notes.append({"case_id": plan.id, "at": at, "kind": "matching", "from_status": None, "to_status": None,
                      "note": "Proposed to a panel specialist (rank 1)."})
    insert(Assignment.__table__, rows)
    insert(TimelineEntry.__table__, notes)


def opening(index: int) -> tuple[time, time, int, str]:
    """The weekly opening (Monday to Friday) of the index-th specialist: start, end, slot minutes, modality."""
    start = time(9) if index % 2 == 0 else time(13)
    return start, time(start.hour + 4), 30 if index % 3 else 60, "video" if index % 4 else "in_person"


def availability_csv(panel: Panel, npis: dict[int, str]) -> str:
    """availability.csv (DESIGN.md section 9) for every specialist: five weekday openings each."""
    lines = ["npi,weekday,start,end,slot_minutes,timezone,modality,location"]
    for index, specialist in enumerate(panel.specialists):
        start, end, minutes, modality = opening(index)
        where = f"https://video.bench.example/room/{specialist}" if modality == "video" else "Clinic building room 2"
        for weekday in range(5):
            lines.append(f"{npis[specialist]},{weekday},{start:%H:%M},{end:%H:%M},{minutes},{panel.zones[specialist]},"
                         f"{modality},{where}")
    return "\n".join(lines) + "\n"


def build_appointments(plans: list[CasePlan], panel: Panel, count: int, now: datetime, rng,
                       progress: Progress) -> list[dict]:
    """Booked consultations for scheduled cases (on the specialist's free slots, no two at one time),
    then held ones for the most recent consulted and closed cases, `count` in all."""
    index = {sid: i for i, sid in enumerate(panel.specialists)}
    taken, rows = set(), []
    chosen = [p for p in plans if p.status == CaseStatus.SCHEDULED] + \
        sorted((p for p in plans if p.status in HELD), key=lambda p: p.changed, reverse=True)
    for plan in chosen[:count]:
        specialist = panel.assigned[plan.id]
        zone = panel.zones[specialist]
        start_time, _, minutes, modality = opening(index[specialist])
        if plan.status == CaseStatus.SCHEDULED:
            start = _free_start(rng, now, ZoneInfo(zone), start_time, minutes, specialist, taken)
            status = "booked"
        else:
            start = (plan.changed - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
            status = "completed"
        rows.append({"id": len(rows) + 1, "case_id": plan.id, "specialist_id": specialist, "start": start,
                     "end": start + timedelta(minutes=minutes), "timezone": zone, "modality": modality,
                     "location": "Clinic building room 2", "status": status, "ical_uid": f"bench-{plan.id}@second-opinion",
                     "ical_sequence": 0, "status_reason": None, "booked_by_id": panel.coordinator,
                     "created_at": plan.changed, "updated_at": plan.changed, "version": 1})
    insert(Appointment.__table__, rows, progress)
    return rows


def _free_start(rng, now: datetime, zone: ZoneInfo, first: time, minutes: int, specialist: int, taken: set):
    while True:
        day = (now + timedelta(days=rng.randint(1, 45))).astimezone(zone).date()
        if day.weekday() >= 5:
            continue
        local = datetime.combine(day, first, tzinfo=zone) + timedelta(minutes=minutes * rng.randrange(240 // minutes))
        start = local.astimezone(UTC)
        if (specialist, start) not in taken:
            taken.add((specialist, start))
            return start


def build_outbox(appointments: list[dict], plans: dict[int, CasePlan], invite_text: str) -> None:
    """The invites each booking sent (patient and specialist), already delivered; text of real size."""
    rows = []
    for row in appointments:
        for who in ("patient", "specialist"):
            at = row["created_at"]
            rows.append({"recipient": f"{who}{row['case_id']}@bench.example", "case_id": row["case_id"],
                         "subject": "Your second-opinion consultation" if who == "patient" else "Consultation",
                         "text_body": "Your consultation is booked.\n" * 12, "html_body": None, "ics": invite_text,
                         "ics_method": "REQUEST", "status": "sent", "created_at": at, "next_attempt_at": at,
                         "claimed_until": None, "attempts": 1, "last_error": None, "sent_at": at,
                         "message_id": f"<bench-{row['id']}-{who}@clinic.example>"})
    insert(OutboxMessage.__table__, rows)


def build_audit(plans: list[CasePlan], panel: Panel, rng, progress: Progress) -> None:
    """The trail years of work leave: the request, coordinators' views and status changes."""
    rows = []
    for plan in plans:
        rows.append(_event(plan.created, None, "create", "case", plan.id, "channel=physician"))
        for _ in range(rng.randint(1, 4)):
            rows.append(_event(plan.created + timedelta(hours=rng.randint(1, 500)), panel.coordinator, "view",
                               "case", plan.id, None))
        if plan.status != CaseStatus.RECORDS_PENDING:
            rows.append(_event(plan.changed, panel.coordinator, "update", "case", plan.id, f"status -> {plan.status}"))
    rows.sort(key=lambda r: r["at"])  # ids follow time, as they do in a real trail
    insert(AuditEvent.__table__, rows, progress)


def _event(at, user, action, entity, entity_id, detail) -> dict:
    return {"at": at, "user_id": user, "action": action, "entity": entity, "entity_id": str(entity_id),
            "ip": "10.0.0.1", "detail": detail}


def by_id(plans: list[CasePlan]) -> dict[int, CasePlan]:
    return {p.id: p for p in plans}


def sample_ids(plans: list[CasePlan], appointments: list[dict]) -> dict[str, list[int]]:
    """Ids the measures draw from: cases by stage, booked appointments."""
    found = defaultdict(list)
    for plan in plans:
        found[plan.status].append(plan.id)
        found["case"].append(plan.id)
    found["appointment"] = [a["id"] for a in appointments if a["status"] == "booked"]
    return dict(found)
