"""The coordinator's comparison, decision and report; sending to the first doctor only with consent;
the dashboard from the database, its CSV and its fixed query count."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from clinic.audit.models import AuditEvent
from clinic.mail.models import OutboxMessage
from clinic.outcomes import services
from clinic.outcomes.figures import TO_OPINION
from clinic.outcomes.models import Decision


def audited(session, action: str, entity: str, entity_id=None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == str(entity_id))
    return list(session.scalars(query))


def test_the_comparison_shows_both_opinions_the_differences_and_the_answers(client_as, signed_case):
    case = signed_case()
    html = client_as("coordinator").get(f"/cases/{case.id}/comparison").get_data(as_text=True)
    assert "Mastectomy" in html and "Lumpectomy and sentinel node biopsy" in html
    assert "The opinions differ." in html and html.count("Differs</span>") >= 2
    assert case.questions[0].text in html and "Answer to question 1." in html


def test_recording_the_decision_closes_the_case(client_as, signed_case, session):
    case = signed_case()
    response = client_as("coordinator").post(f"/cases/{case.id}/decision",
                                             data={"choice": "follow_second", "note": "Will book the lumpectomy."})
    assert response.status_code == 302
    session.expire_all()
    assert case.status == "closed"
    assert session.scalar(sa.select(Decision.choice).where(Decision.case_id == case.id)) == "follow_second"
    assert case.timeline[-1].to_status == "closed"


@pytest.mark.parametrize("choice", ["", "follow_third", "<script>"])
def test_a_decision_must_be_one_of_the_choices(client_as, signed_case, choice):
    case = signed_case()
    response = client_as("coordinator").post(f"/cases/{case.id}/decision", data={"choice": choice})
    assert response.status_code == 422 and case.status == "opinion_recorded"


def test_a_decision_waits_for_the_signed_opinion_and_is_recorded_once(my_case, users, signed_case):
    waiting = my_case()
    with pytest.raises(services.OutcomeError, match="signed the opinion"):
        services.record_decision(users["coordinator"], waiting, "undecided")
    case = signed_case()
    services.record_decision(users["coordinator"], case, "seek_third")
    with pytest.raises(services.OutcomeError, match="already recorded"):
        services.record_decision(users["coordinator"], case, "follow_first")


def test_the_case_page_links_to_the_comparison(client_as, signed_case):
    case = signed_case()
    html = client_as("coordinator").get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/comparison" in html and "Second opinion and decision" in html


def test_without_a_signed_opinion_the_comparison_sends_back_to_the_case(client_as, my_case):
    case = my_case()
    assert client_as("coordinator").get(f"/cases/{case.id}/comparison").status_code == 302
    assert client_as("coordinator").get(f"/cases/{case.id}/report").status_code == 302


def test_the_report_is_plain_language_and_audited(client_as, signed_case, session):
    case = signed_case()
    html = client_as("coordinator").get(f"/cases/{case.id}/report").get_data(as_text=True)
    assert "Your second-opinion report" in html and "made it more precise" in html and "Next steps" in html
    assert audited(session, "view", "report", case.id)


def test_the_report_downloads_as_a_pdf_and_the_download_is_an_export(client_as, signed_case, session):
    case = signed_case({"recommendation": "Surgery “quoted” — with dashes and ünïcode 中文"})
    response = client_as("coordinator").get(f"/cases/{case.id}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert audited(session, "export", "report", case.id)


def test_an_opinion_written_at_full_length_still_gives_its_pdf(client_as, signed_case):
    """A table row cannot break across pages: the longest texts the forms accept must still print."""
    from clinic.review.services import MAX_TEXT

    long = "The plan, step by step, with its reasons and its risks. " * (MAX_TEXT // 56)
    case = signed_case({"recommendation": long[:MAX_TEXT], "less_invasive_option": long[:MAX_TEXT]})
    response = client_as("coordinator").get(f"/cases/{case.id}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_without_consent_the_report_is_not_offered_for_sending(client_as, signed_case, session):
    case = signed_case(consent_to_contact_first_doctor=False)
    coordinator = client_as("coordinator")
    html = coordinator.get(f"/cases/{case.id}/comparison").get_data(as_text=True)
    assert "Send to the first doctor" not in html and f"/cases/{case.id}/report/send" not in html
    assert "has <strong>not</strong> consented" in html
    refused = coordinator.post(f"/cases/{case.id}/report/send", data={"recipient": "dr@example.org"})
    assert refused.status_code == 404
    assert audited(session, "denied", "report_send", case.id)
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.recipient == "dr@example.org")) == 0


def test_with_consent_the_first_doctor_gets_a_private_link_and_no_diagnosis(client_as, signed_case, session, app):
    case = signed_case()
    coordinator = client_as("coordinator")
    assert coordinator.post(f"/cases/{case.id}/report/send", data={"recipient": "first.doctor@example.org"}
                            ).status_code == 302
    message = session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == "first.doctor@example.org"))
    assert case.reference in message.subject
    for word in ("carcinoma", "breast", "mastectomy", "C50"):
        assert word.lower() not in message.subject.lower() and word.lower() not in message.text_body.lower()
    assert audited(session, "export", "report", case.id)
    token = re.search(r"/reports/([A-Za-z0-9_-]+)", message.text_body).group(1)
    shared = app.test_client().get(f"/reports/{token}")
    assert shared.status_code == 200 and "Your second-opinion report" in shared.get_data(as_text=True)
    assert audited(session, "view", "report_link")


@pytest.mark.parametrize("token", ["x" * 43, "short", "%3Cscript%3E", "a" * 200])
def test_a_wrong_report_link_says_nothing_of_any_case(client, token):
    response = client.get(f"/reports/{token}")
    assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)


def test_an_invalid_recipient_is_refused(client_as, signed_case, session):
    case = signed_case()
    client_as("coordinator").post(f"/cases/{case.id}/report/send", data={"recipient": "not an address"})
    assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.recipient == "not an address")) == 0


def _decide(cases, users, choices):
    for case, choice in zip(cases, choices):
        services.record_decision(users["coordinator"], case, choice)


def test_the_dashboard_figures_match_a_hand_computed_set_of_cases(client_as, signed_case, users, session):
    # 4 signed opinions: refined/modified/less (x2), confirmed/same, changed/changed/less.
    cases = [signed_case(), signed_case(),
             signed_case({"diagnosis_comparison": "confirmed", "treatment_comparison": "same", "less_invasive": False}),
             signed_case({"diagnosis_comparison": "changed", "treatment_comparison": "changed"})]
    _decide(cases[:2], users, ["follow_second", "undecided"])
    tallies, spans = services.dashboard_data()
    assert sorted((t.diagnosis, t.treatment, t.less_invasive, t.count) for t in tallies) == [
        ("changed", "changed", True, 1), ("confirmed", "same", False, 1), ("refined", "modified", True, 2)]
    assert len(spans[TO_OPINION]) == 4 and all(days >= 0 for days in spans[TO_OPINION])
    html = client_as("coordinator").get("/outcomes").get_data(as_text=True)
    assert "50 % (2 of 4)" in html  # refined
    assert "25 % (1 of 4)" in html  # confirmed, and changed
    assert "75 % (3 of 4)" in html  # less invasive offered, and treatment modified or changed
    assert "<svg" in html and "<script>" not in html
    assert audited(session, "view", "outcomes_dashboard")


def test_the_dashboard_csv_is_aggregate_only_and_audited(client_as, signed_case, session):
    case = signed_case()
    for role in ("coordinator", "admin"):
        response = client_as(role).get("/outcomes.csv")
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert case.patient.name not in body and case.reference not in body and "carcinoma" not in body.lower()
        assert body.splitlines()[0].startswith("group,measure,category,count,total,value")
    assert len(audited(session, "export", "outcomes_dashboard")) == 2


def test_the_dashboard_costs_the_same_queries_for_few_or_many_cases(client_as, signed_case, app):
    from sqlalchemy import event

    from clinic.extensions import db

    coordinator = client_as("coordinator")

    def count() -> int:
        seen = []
        target = db.session.get_bind()
        target = target.engine if hasattr(target, "engine") else target
        listener = lambda *args, **kwargs: seen.append(1)  # noqa: E731
        event.listen(target, "before_cursor_execute", listener)
        try:
            assert coordinator.get("/outcomes").status_code == 200
        finally:
            event.remove(target, "before_cursor_execute", listener)
        return len(seen)

    signed_case()
    few = count()
    for _ in range(4):
        signed_case()
    assert count() == few


def test_specialists_cannot_reach_the_outcomes_pages(client_as, signed_case, session):
    case = signed_case()
    specialist = client_as("specialist")
    for path in (f"/cases/{case.id}/comparison", f"/cases/{case.id}/report", f"/cases/{case.id}/report.pdf",
                 "/outcomes", "/outcomes.csv"):
        assert specialist.get(path).status_code == 403
    assert audited(session, "denied", "route")


def test_the_dashboard_counts_the_opinions_signed_in_the_chosen_period(client_as, signed_case):
    from datetime import timedelta

    from clinic.database import utcnow

    def signed(since=None) -> int:
        return sum(t.count for t in services.dashboard_data(since)[0])

    signed_case()
    assert signed() == signed(utcnow() - timedelta(days=1)) == 1
    assert signed(utcnow() + timedelta(minutes=1)) == 0
    coordinator = client_as("coordinator")
    assert "Last 12 months: 1 signed opinion." in coordinator.get("/outcomes").get_data(as_text=True)
    assert "All time: 1 signed opinion." in coordinator.get("/outcomes?period=all").get_data(as_text=True)
    assert "Last 12 months" in coordinator.get("/outcomes?period=<script>").get_data(as_text=True)


def test_a_refused_address_is_named_beside_its_field_and_stays_as_typed(client_as, signed_case):
    case = signed_case()
    response = client_as("coordinator").post(f"/cases/{case.id}/report/send", data={"recipient": "not an address"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    field = re.search(r'<input[^>]*id="recipient"[^>]*>', html).group(0)
    assert re.search(r'aria-describedby="[^"]*recipient-error', field) and 'value="not an address"' in field
    assert 'id="recipient-error"' in html


def test_a_second_decision_is_told_why_it_was_refused(client_as, signed_case, users):
    case = signed_case()
    services.record_decision(users["coordinator"], case, "follow_second")
    response = client_as("coordinator").post(f"/cases/{case.id}/decision", data={"choice": "follow_first"},
                                             follow_redirects=True)
    assert "already recorded" in response.get_data(as_text=True)
