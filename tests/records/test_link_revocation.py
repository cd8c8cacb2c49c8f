"""Replaced = revoked: a new upload link for a case closes the earlier ones, audited, and a
revoked link answers exactly as an unknown one does."""
from __future__ import annotations

import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.records import services
from clinic.records.models import UploadLink
from tests.records.test_links import ask_patient


def revocations(session, link_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "update", AuditEvent.entity == "upload_link", AuditEvent.entity_id == str(link_id),
        AuditEvent.detail.like("revoked%")))


def test_a_new_records_request_revokes_the_earlier_upload_link(client_as, case, coordinator, session):
    first = ask_patient(case, coordinator, session, kinds=("imaging",))
    second = ask_patient(case, coordinator, session, kinds=("imaging_report",))
    anonymous = client_as("anonymous")
    unknown = anonymous.get("/upload/" + "x" * 43)
    revoked = anonymous.get(first)
    assert (revoked.status_code, revoked.get_data()) == (unknown.status_code, unknown.get_data()) and unknown.status_code == 404
    assert anonymous.get(second).status_code == 200
    old, new = session.scalars(sa.select(UploadLink).where(UploadLink.case_id == case.id).order_by(UploadLink.id))
    assert old.revoked_at is not None and old.revoked_by_id == coordinator.id and new.revoked_at is None
    assert revocations(session, old.id) == 1 and revocations(session, new.id) == 0


def test_a_resent_link_in_a_follow_up_revokes_the_earlier_one_too(client_as, case, coordinator, session):
    first = ask_patient(case, coordinator, session, kinds=("imaging",))
    item = next(i for i in case.record_items if i.kind == "imaging")
    services.follow_up(coordinator, item, "Called; sending a fresh link", resend_link=True)
    session.commit()
    assert client_as("anonymous").get(first).status_code == 404
    assert session.scalar(sa.select(sa.func.count()).select_from(UploadLink)
                          .where(UploadLink.case_id == case.id, UploadLink.revoked_at.is_(None))) == 1


def test_links_of_another_case_are_left_alone(client_as, case, new_case, coordinator, session):
    other = new_case(coordinator)
    theirs = ask_patient(other, coordinator, session, kinds=("imaging",))
    ask_patient(case, coordinator, session, kinds=("imaging",))
    ask_patient(case, coordinator, session, kinds=("imaging_report",))
    assert client_as("anonymous").get(theirs).status_code == 200
