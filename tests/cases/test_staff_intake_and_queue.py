"""The coordinator's intake form, the work queue and the case page."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic.audit import AuditEvent
from clinic.cases.models import Case
from clinic.database import utcnow
from tests.cases.test_public_form import form_data
from tests.factories import ClinicianFactory


def staff_data(**changes):
    return form_data(**({"channel": "physician", "referring_name": "Dr. Omar Haddad", "referring_npi": "1234567893",
                         "referring_organization": "Mercy General Hospital"} | changes))


def test_coordinator_creates_a_case_from_a_physician_referral(client_as, session):
    known = ClinicianFactory(kind="external", npi="1234567893")
    response = client_as("coordinator").post("/cases/new", data=staff_data())
    assert response.status_code == 302
    case = session.scalars(sa.select(Case)).one()
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert case.channel == "physician"
    assert case.named("referring").clinician_id == known.id


@pytest.mark.parametrize("changes, message", [
    ({"referring_npi": "1234567890"}, "check digit"),
    ({"referring_npi": "12345"}, "check digit"),
    ({"referring_name": ""}, "referring physician"),
    ({"first_doctor_npi": "abcdefghij"}, "check digit"),
])
def test_staff_intake_refuses_bad_physician_details(client_as, session, changes, message):
    response = client_as("coordinator").post("/cases/new", data=staff_data(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_a_public_request_lands_at_the_top_of_the_queue_with_its_urgency(client, client_as, new_case, session):
    for days, urgency in ((30, "routine"), (10, "soon")):
        new_case(urgency=urgency).created_at = utcnow() - timedelta(days=days)
    session.flush()
    client.post("/request", data=form_data(urgency="urgent", patient_name="Newest Patient"))
    page = client_as("coordinator").get("/cases").get_data(as_text=True)
    rows = page.split("<tbody>")[1]
    assert rows.index("Newest Patient") < rows.index("Jane Roe")
    assert "Urgent" in rows.split("</tr>")[0]


def test_queue_orders_by_urgency_then_newest_first(client_as, new_case, session):
    made = {}
    for name, urgency, days in (("A", "routine", 40), ("B", "urgent", 1), ("C", "soon", 5), ("D", "urgent", 3)):
        made[name] = new_case(urgency=urgency, patient_name=f"Patient {name}")
        made[name].created_at = utcnow() - timedelta(days=days)
    session.flush()
    page = client_as("coordinator").get("/cases").get_data(as_text=True)
    positions = [page.index(f"Patient {name}") for name in "BDCA"]
    assert positions == sorted(positions)


def test_queue_filters_by_status_urgency_reason_and_age(client_as, new_case, session):
    old = new_case(urgency="soon", reasons=["rare_condition"], patient_name="Old Rare")
    old.created_at = utcnow() - timedelta(days=20)
    new_case(urgency="routine", reasons=["invasive_treatment"], patient_name="Young Invasive")
    session.flush()
    coordinator = client_as("coordinator")
    assert "Young Invasive" not in coordinator.get("/cases?reason=rare_condition").get_data(as_text=True)
    assert "Old Rare" not in coordinator.get("/cases?urgency=routine").get_data(as_text=True)
    aged = coordinator.get("/cases?age=14").get_data(as_text=True)
    assert "Old Rare" in aged and "Young Invasive" not in aged
    assert "No cases match" in coordinator.get("/cases?status=closed").get_data(as_text=True)


def test_queue_counts_cases_per_stage(client_as, new_case, session):
    for _ in range(3):
        new_case()
    page = client_as("coordinator").get("/cases").get_data(as_text=True)
    assert 'Records pending <span class="badge text-bg-light">3</span>' in page


def test_queue_paginates(app, client_as, new_case):
    app.config["QUEUE_PAGE_SIZE"] = 2
    try:
        for i in range(5):
            new_case(patient_name=f"Paged {i}")
        coordinator = client_as("coordinator")
        first = coordinator.get("/cases").get_data(as_text=True)
        third = coordinator.get("/cases?page=3").get_data(as_text=True)
        beyond = coordinator.get("/cases?page=999999999999").get_data(as_text=True)
    finally:
        app.config["QUEUE_PAGE_SIZE"] = 25
    assert "Page 1 of 3" in first and first.count("Paged ") == 2
    assert "Page 3 of 3" in third and third.count("Paged ") == 1
    assert "Page 3 of 3" in beyond  # an absurd page number shows the last page, not an error


@pytest.mark.parametrize("query", ["status=' OR 1=1 --", "urgency=<script>", "page=-1", "page=abc",
                                   "reason=%00", "age=9999999999999999999", "flag=../../etc"])
def test_queue_survives_hostile_filters(client_as, query):
    assert client_as("coordinator").get("/cases?" + query).status_code == 200


def test_case_page_shows_the_request_and_what_it_waits_for_and_is_audited(client_as, new_case, session, users):
    case = new_case()
    page = client_as("coordinator").get(f"/cases/{case.id}").get_data(as_text=True)
    assert case.reference in page and "Jane Roe" in page
    assert "Malignant neoplasm of unspecified site of right female breast" in page
    assert "What this case is waiting for" in page
    view = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "case")).one()
    assert (view.user_id, view.entity_id) == (users["coordinator"].id, str(case.id))


def test_unknown_case_is_404_and_the_denial_is_audited(client_as, session):
    assert client_as("coordinator").get("/cases/999999").status_code == 404
    assert session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "denied")).one().entity_id == "999999"


def test_coordinator_withdraws_a_case_with_a_reason(client_as, new_case, session):
    case = new_case()
    coordinator = client_as("coordinator")
    refused = coordinator.post(f"/cases/{case.id}/end", data={"outcome": "withdrawn", "reason": ""})
    assert refused.status_code == 302
    session.expire_all()
    assert session.get(Case, case.id).status == "records_pending"
    coordinator.post(f"/cases/{case.id}/end", data={"outcome": "withdrawn", "reason": "Patient chose to wait"})
    session.expire_all()
    ended = session.get(Case, case.id)
    assert ended.status == "withdrawn"
    assert ended.timeline[-1].note == "Patient chose to wait"


def test_a_note_lands_on_the_timeline(client_as, new_case, session):
    case = new_case()
    client_as("coordinator").post(f"/cases/{case.id}/notes", data={"text": "Called the patient"})
    session.expire_all()
    assert session.get(Case, case.id).timeline[-1].note == "Called the patient"


def test_urgency_values_sort_alphabetically_in_queue_order():
    from clinic.cases.vocabulary import URGENCIES

    assert list(URGENCIES) == sorted(URGENCIES, reverse=True)


def test_queue_can_show_the_longest_waiting_first(client_as, new_case, session):
    for name, urgency, days in (("A", "routine", 40), ("B", "urgent", 1), ("C", "soon", 5), ("D", "urgent", 3)):
        new_case(urgency=urgency, patient_name=f"Patient {name}").created_at = utcnow() - timedelta(days=days)
    session.flush()
    page = client_as("coordinator").get("/cases?sort=oldest").get_data(as_text=True)
    positions = [page.index(f"Patient {name}") for name in "DBCA"]
    assert positions == sorted(positions)
