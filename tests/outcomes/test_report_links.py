"""The first doctor's report link: a new one replaces (revokes) the earlier, staff revoke one from the
case page (coordinators and admins, with CSRF), both audited; a revoked link answers as an unknown one."""
from __future__ import annotations

import re

import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.mail.models import OutboxMessage
from clinic.outcomes.models import ReportLink


def send(client, session, case, recipient: str) -> str:
    """Send the report through the page; returns the link's path from the mail."""
    assert client.post(f"/cases/{case.id}/report/send", data={"recipient": recipient}).status_code == 302
    message = session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                             .order_by(OutboxMessage.id.desc()))
    return re.search(r"/reports/[A-Za-z0-9_-]+", message.text_body).group(0)


def links_of(session, case) -> list[ReportLink]:
    return list(session.scalars(sa.select(ReportLink).where(ReportLink.case_id == case.id).order_by(ReportLink.id)))


def revoked_audits(session, link: ReportLink) -> list[AuditEvent]:
    return list(session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "update", AuditEvent.entity == "report_link", AuditEvent.entity_id == str(link.id),
        AuditEvent.detail.like("revoked%"))))


def same_as_unknown(app, path: str) -> bool:
    visitor = app.test_client()
    unknown, answer = visitor.get("/reports/" + "x" * 43), visitor.get(path)
    return (answer.status_code, answer.get_data()) == (unknown.status_code, unknown.get_data()) == (404, unknown.get_data())


def test_a_report_sent_again_revokes_the_link_sent_before(app, client_as, signed_case, session, users):
    case = signed_case()
    coordinator = client_as("coordinator")
    wrong = send(coordinator, session, case, "wrong.address@example.org")
    right = send(coordinator, session, case, "first.doctor@example.org")
    assert same_as_unknown(app, wrong)
    assert app.test_client().get(right).status_code == 200
    old, new = links_of(session, case)
    assert old.revoked_at is not None and new.revoked_at is None
    assert len(revoked_audits(session, old)) == 1 and revoked_audits(session, new) == []


def test_the_coordinator_revokes_a_report_link_from_the_case_page(app, client_as, signed_case, session, users):
    case = signed_case()
    coordinator = client_as("coordinator")
    path = send(coordinator, session, case, "first.doctor@example.org")
    link = links_of(session, case)[0]
    page = coordinator.get(f"/cases/{case.id}").get_data(as_text=True)
    action = f'action="/report-links/{link.id}/revoke"'
    assert action in page and "first.doctor@example.org" in page
    response = coordinator.post(f"/report-links/{link.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}#outcome-heading")
    session.expire_all()
    assert link.revoked_at is not None and link.revoked_by_id == users["coordinator"].id
    assert len(revoked_audits(session, link)) == 1
    assert same_as_unknown(app, path)
    page = coordinator.get(f"/cases/{case.id}").get_data(as_text=True)
    assert action not in page and "Revoked" in page
    again = coordinator.post(f"/report-links/{link.id}/revoke", follow_redirects=True)
    assert again.status_code == 200 and "already does not open" in again.get_data(as_text=True)
    assert len(revoked_audits(session, link)) == 1


def test_an_admin_may_revoke_a_specialist_may_not(app, client_as, signed_case, session, users):
    case = signed_case()
    send(client_as("coordinator"), session, case, "first.doctor@example.org")
    link = links_of(session, case)[0]
    assert client_as("specialist").post(f"/report-links/{link.id}/revoke").status_code == 403
    session.expire_all()
    assert link.revoked_at is None
    assert client_as("admin").post(f"/report-links/{link.id}/revoke").status_code == 302
    session.expire_all()
    assert link.revoked_by_id == users["admin"].id


def test_the_revoke_button_needs_its_csrf_token(app, client_as, signed_case, session):
    case = signed_case()
    coordinator = client_as("coordinator")
    send(coordinator, session, case, "first.doctor@example.org")
    link = links_of(session, case)[0]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert coordinator.post(f"/report-links/{link.id}/revoke").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    session.expire_all()
    assert link.revoked_at is None
