"""Directory admin pages: admins change, coordinators read; errors beside the field; roster upload."""
from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from clinic.directory.models import Affiliation, Clinician, NetworkMembership, Organization, Relationship
from clinic.directory.npi import with_check_digit
from tests import factories
from tests.directory.test_roster import roster


def test_admin_creates_edits_and_deactivates_an_organization(client_as, session):
    admin = client_as("admin")
    response = admin.post("/directory/organizations/new", data={"name": "Harbor Clinic", "kind": "practice"})
    assert response.status_code == 302
    org = session.scalar(sa.select(Organization).where(Organization.normalized_name == "harbor clinic"))
    duplicate = admin.post("/directory/organizations/new", data={"name": "HARBOR  clinic!", "kind": "practice"})
    assert duplicate.status_code == 422 and "already listed" in duplicate.get_data(as_text=True)
    admin.post(f"/directory/organizations/{org.id}/edit", data={"name": "Harbor Clinic East", "kind": "group"})
    admin.post(f"/directory/organizations/{org.id}/active")
    session.expire_all()
    assert (org.name, org.kind, org.active) == ("Harbor Clinic East", "group", False)


def test_clinician_form_shows_errors_beside_the_fields(client_as):
    response = client_as("admin").post("/directory/clinicians/new", data={
        "npi": "1234567890", "name": "=HYPERLINK(\"x\")", "kind": "specialist", "languages": "english!",
        "timezone": "America/New_York"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "the check digit" in page and "spreadsheet formulas are not accepted" in page
    assert "is not a language code" in page


def test_admin_adds_a_clinician_and_their_links(client_as, session):
    admin = client_as("admin")
    npi = with_check_digit("500000001")
    admin.post("/directory/clinicians/new", data={"npi": npi, "name": "Dr. New Person", "kind": "specialist",
                                                  "languages": "en; es", "timezone": "America/Chicago"})
    person = session.scalar(sa.select(Clinician).where(Clinician.npi == npi))
    assert person.languages == "en;es"
    org, plan = factories.OrganizationFactory(), factories.PlanFactory()
    other = factories.ClinicianFactory(kind="external")
    session.flush()
    base = f"/directory/clinicians/{person.id}/links"
    assert admin.post(f"{base}/affiliations", data={"organization": org.id, "start": "2019-01-01"}).status_code == 302
    bad = admin.post(f"{base}/networks", data={"plan": plan.id, "start": "2020-01-01", "end": "2019-01-01"})
    assert bad.status_code == 422 and "is before the start" in bad.get_data(as_text=True)
    admin.post(f"{base}/networks", data={"plan": plan.id, "start": "2020-01-01"})
    admin.post(f"{base}/relationships", data={"other_npi": other.npi, "kind": "family"})
    page = client_as("coordinator").get(f"/directory/clinicians/{person.id}").get_data(as_text=True)
    assert org.name in page and plan.label in page and "Family with" in page
    assert session.scalar(sa.select(sa.func.count()).select_from(Relationship)) == 1
    link = session.scalar(sa.select(Affiliation).where(Affiliation.clinician_id == person.id))
    assert admin.post(f"{base}/affiliations/{link.id}/remove").status_code == 302
    assert session.scalar(sa.select(sa.func.count()).select_from(NetworkMembership)) == 1


def test_removing_a_link_of_another_clinician_is_404(client_as, session):
    link = factories.AffiliationFactory()
    person = factories.ClinicianFactory()
    session.flush()
    response = client_as("admin").post(f"/directory/clinicians/{person.id}/links/affiliations/{link.id}/remove")
    assert response.status_code == 404


def test_coordinators_read_but_do_not_change_the_directory(client_as, session):
    factories.ClinicianFactory(name="Dr. Readable")
    session.flush()
    coordinator = client_as("coordinator")
    page = coordinator.get("/directory/clinicians?q=readable").get_data(as_text=True)
    assert "Dr. Readable" in page and "Deactivate<" not in page and "Add clinician" not in page
    assert coordinator.get("/directory/clinicians/new").status_code == 403


def test_list_search_is_literal_and_paginated(client_as, session, app):
    for n in range(30):
        factories.OrganizationFactory(name=f"Clinic {n:02d}")
    factories.OrganizationFactory(name="100% Care")
    session.flush()
    admin = client_as("admin")
    assert "100% Care" in admin.get("/directory/organizations?q=%25").get_data(as_text=True)
    assert "Clinic 00" not in admin.get("/directory/organizations?q=%25").get_data(as_text=True)
    second = admin.get("/directory/organizations?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second
    assert admin.get("/directory/organizations?page=999999999999").status_code == 200
    assert admin.get("/directory/nonsense").status_code == 404


def test_roster_upload_page_lists_problems_and_imports_good_files(client_as, session):
    admin = client_as("admin")
    files = roster(**{"plans.csv": "payer,plan\n=1+1,Gold\n"})
    data = {"files": [(io.BytesIO(content), name) for name, content in files.items()]}
    response = admin.post("/directory/import", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Import refused; nothing was changed." in page
    assert "spreadsheet formulas are not accepted" in page
    assert session.scalar(sa.select(sa.func.count()).select_from(Clinician)) == 1  # the users fixture's only
    data = {"files": [(io.BytesIO(content), name) for name, content in roster().items()]}
    response = admin.post("/directory/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and "Imported 13 rows." in response.get_data(as_text=True)


def test_specialist_page_shows_affiliations_ties_and_networks(client_as, session):
    person = factories.ClinicianFactory(name="Dr. Page Owner")
    factories.AffiliationFactory(clinician=person, start=date(2019, 3, 1), end=date(2022, 6, 30))
    factories.NetworkFactory(specialist_id=person.id)
    factories.RelationshipFactory(clinician_a=person, kind="co_author")
    session.flush()
    page = client_as("coordinator").get(f"/directory/clinicians/{person.id}").get_data(as_text=True)
    assert "2019-03-01 – 2022-06-30" in page and "Co-author with" in page and "Acme Health Plan" in page
