"""Every stage's change of a case raises the case's optimistic version (Case.version) before it
writes anything else, so two people changing the same case at once cannot both win: the loser's
UPDATE finds the version moved and is told to reload (tests/security/test_concurrency.py races
them on PostgreSQL). One row per service that changes a case."""
from __future__ import annotations

import io
import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from clinic.cases import services as cases
from clinic.cases.models import Case
from clinic.coverage.services import CoverageFacts, record_check
from clinic.matching import resolution
from clinic.matching import services as matching
from clinic.matching.models import Assignment
from clinic.outcomes import services as outcomes
from clinic.records import services as records
from clinic.records.models import RecordItem
from clinic.records.uploads import attach_document
from clinic.review import services as review
from clinic.scheduling import services as scheduling
from clinic.scheduling.models import Appointment
from tests import factories


def _item(stage, name):
    return stage["db"].get(RecordItem, stage[name])


def _appointment(stage, name="appointment"):
    return stage["db"].get(Appointment, stage[name])


def _assignment(stage, case):
    return stage["db"].scalar(sa.select(Assignment).where(Assignment.case_id == stage[case],
                                                          Assignment.status == "accepted"))


CHANGES = {
    "add a note": ("pending", lambda s, u: cases.add_note(u, s["case"], "Called the patient.")),
    "end the case": ("pending", lambda s, u: cases.end_case(u, s["case"], "withdrawn", "Patient's choice")),
    "add a record": ("pending", lambda s, u: records.add_item(u, s["case"], "other", "Letter")),
    "request records": ("pending", lambda s, u: records.request_records(
        u, s["case"], [s["case"].record_items[2]], "patient", "email")),
    "follow up": ("pending", lambda s, u: records.follow_up(u, _item(s, "asked_record"), "Chased")),
    "not applicable": ("pending", lambda s, u: records.mark_not_applicable(u, s["case"].record_items[3], "None done")),
    "verify a record": ("pending", lambda s, u: records.verify_record(u, _item(s, "received_record"))),
    "reject a record": ("pending", lambda s, u: records.reject_record(u, _item(s, "received_record"), "Illegible")),
    "attach a document": ("pending", lambda s, u: attach_document(
        u, s["case"].record_items[4], "x.pdf", io.BytesIO(factories.TINY_PDF + b"%v\n"), via="coordinator")),
    "check coverage": ("pending", lambda s, u: record_check(u, s["case"], CoverageFacts(result="self_pay"))),
    "propose a specialist": ("ready", lambda s, u: matching.propose_specialist(u, s["case"], s["npi"],
                                                                               override="Referrer unreachable")),
    "confirm the referring doctor": ("ready", lambda s, u: resolution.mark_not_in_directory(
        u, s["case"], "referring", "Searched by name and clinic")),
    "accept a proposal": ("offered", lambda s, u: matching.accept_assignment(
        u, s["db"].get(Assignment, s["proposal"]))),
    "decline a proposal": ("offered", lambda s, u: matching.decline_assignment(
        u, s["db"].get(Assignment, s["proposal"]), "Travelling", False)),
    "withdraw a proposal": ("offered", lambda s, u: matching.withdraw_proposal(u, s["db"].get(Assignment, s["proposal"]))),
    "book": ("matched", lambda s, u: scheduling.book(u, s["case"], s["slot"])),
    "reschedule": ("scheduled", lambda s, u: scheduling.reschedule(u, _appointment(s), s["slot"])),
    "cancel": ("scheduled", lambda s, u: scheduling.cancel(u, _appointment(s), "Patient asked")),
    "no-show": ("started_case", lambda s, u: scheduling.mark_no_show(u, _appointment(s, "started"))),
    "mark held": ("started_case", lambda s, u: scheduling.complete(u, _appointment(s, "started"))),
    "save a draft": ("consulted", lambda s, u: review.save_draft(
        s["specialist_user"], _assignment(s, "consulted"), review.OpinionFacts(recommendation="Draft"))),
    "sign the opinion": ("consulted", lambda s, u: review.sign_opinion(
        s["specialist_user"], _assignment(s, "consulted"), factories.opinion_facts(s["case"]))),
    "add an addendum": ("decided", lambda s, u: review.add_addendum(
        s["specialist_user"], _assignment(s, "decided"), "Later thought.")),
    "record the decision": ("decided", lambda s, u: outcomes.record_decision(u, s["case"], "follow_second")),
    "send the report": ("decided", lambda s, u: outcomes.send_report(u, s["case"], "first@doctor.example")),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_a_case_raises_its_version(app, users, every_stage, session, next_slot, change):
    stage_name, act = CHANGES[change]
    stage = dict(every_stage, db=session, specialist_user=users["specialist"])
    stage["started_case"] = session.get(Appointment, every_stage["started"]).case_id
    case = session.get(Case, stage[stage_name])
    stage["case"] = case
    stage["slot"] = next_slot(users["specialist"].clinician, 6)
    session.flush()
    before = case.version
    act(stage, users["coordinator"])
    session.flush()
    assert case.version > before, f"{change} left the case's version at {before}"


def test_a_change_from_a_stale_copy_of_the_case_is_refused(app, users, new_case, session):
    """What the loser of a race meets: the case changed since it was read."""
    case = new_case()
    session.flush()
    session.execute(sa.update(Case).where(Case.id == case.id).values(version=Case.version + 1)  # someone else
                    .execution_options(synchronize_session=False))
    with pytest.raises(StaleDataError):
        cases.add_note(users["coordinator"], case, "Written from an old page")
    session.rollback()
