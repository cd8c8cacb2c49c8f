"""Directory operations for the admin pages: save, (de)activate, link. They flush and audit, never commit."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from clinic import audit
from clinic.directory.models import (Affiliation, Clinician, NetworkMembership, Organization, Plan, Relationship,
                                     SpecialistSubspecialty, Subspecialty, normalize_name)
from clinic.errors import DomainError
from clinic.extensions import db


class DirectoryError(DomainError):
    """A refused change; `field` names the input at fault."""

    status = 422


def _taken(model, condition, item) -> bool:
    found = db.session.scalar(sa.select(model.id).where(condition))
    return found is not None and (item is None or found != item.id)


def _save(actor, model, item, values: dict, entity: str):
    created = item is None
    item = item or model()
    for name, value in values.items():
        setattr(item, name, value)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "create" if created else "update", entity, item.id, detail=",".join(sorted(values)))
    return item


def save_clinician(actor, item: Clinician | None, values: dict) -> Clinician:
    if _taken(Clinician, Clinician.npi == values["npi"], item):
        raise DirectoryError("Another clinician already has this NPI.", field="npi")
    return _save(actor, Clinician, item, values, "clinician")


def save_organization(actor, item: Organization | None, values: dict) -> Organization:
    key = normalize_name(values["name"])
    if not key:
        raise DirectoryError("A name needs letters or digits.", field="name")
    if _taken(Organization, Organization.normalized_name == key, item):
        raise DirectoryError("An organization with this name is already listed.", field="name")
    return _save(actor, Organization, item, values | {"normalized_name": key}, "organization")


def save_subspecialty(actor, item: Subspecialty | None, values: dict) -> Subspecialty:
    if _taken(Subspecialty, Subspecialty.code == values["code"], item):
        raise DirectoryError("Another subspecialty has this code.", field="code")
    return _save(actor, Subspecialty, item, values, "subspecialty")


def save_plan(actor, item: Plan | None, values: dict) -> Plan:
    same = sa.and_(sa.func.lower(Plan.payer) == values["payer"].lower(), sa.func.lower(Plan.name) == values["name"].lower())
    if _taken(Plan, same, item):
        raise DirectoryError("This payer already has a plan with this name.", field="name")
    return _save(actor, Plan, item, values, "plan")


def set_active(actor, item, active: bool, entity: str) -> None:
    """Deactivate (or reactivate) rather than delete: cases and audit rows keep pointing at it."""
    item.active = active
    audit.record(actor, "update", entity, item.id, detail="activated" if active else "deactivated")
    db.session.flush()


def save_affiliation(actor, person: Clinician, organization_id: int, start: date, end: date | None) -> Affiliation:
    """Add a period at an organization, or set the end of the one starting that day."""
    if organization_id is None or db.session.get(Organization, organization_id) is None:
        raise DirectoryError("Choose an organization from the list.", field="organization")
    key = {"clinician_id": person.id, "organization_id": organization_id, "start": start}
    return _link(actor, _find_or_new(Affiliation, key), end, "affiliation")


def save_network(actor, person: Clinician, plan_id: int, start: date, end: date | None) -> NetworkMembership:
    if person.kind != "specialist":
        raise DirectoryError("Only specialists on the panel join networks.", field="plan")
    if plan_id is None or db.session.get(Plan, plan_id) is None:
        raise DirectoryError("Choose a plan from the list.", field="plan")
    key = {"specialist_id": person.id, "plan_id": plan_id, "start": start}
    return _link(actor, _find_or_new(NetworkMembership, key), end, "network_membership")


def _find_or_new(model, key: dict):
    """The link with this natural key, or a new one: saving the same period again sets its end."""
    return db.session.scalar(sa.select(model).filter_by(**key)) or model(**key)


def save_relationship(actor, person: Clinician, other_npi: str, kind: str, start: date | None,
                      end: date | None) -> Relationship:
    other = db.session.scalar(sa.select(Clinician).where(Clinician.npi == other_npi))
    if other is None:
        raise DirectoryError("No clinician with this NPI in the directory; add them first.", field="other_npi")
    if other.id == person.id:
        raise DirectoryError("A clinician cannot have a relationship with themself.", field="other_npi")
    pair = sorted((person, other), key=lambda c: c.npi)  # symmetric: stored once, as the roster stores it
    link = db.session.scalar(sa.select(Relationship).where(
        Relationship.clinician_a_id.in_((person.id, other.id)), Relationship.clinician_b_id.in_((person.id, other.id)),
        Relationship.kind == kind, Relationship.start.is_(None) if start is None else Relationship.start == start))
    link = link or Relationship(clinician_a_id=pair[0].id, clinician_b_id=pair[1].id, kind=kind, start=start)
    return _link(actor, link, end, "relationship")


def _link(actor, link, end: date | None, entity: str):
    created = link.id is None
    link.end = end
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "create" if created else "update", entity, link.id)
    return link


def save_expertise(actor, person: Clinician, subspecialty_id: int, volume: int) -> SpecialistSubspecialty:
    if person.kind != "specialist":
        raise DirectoryError("Only specialists on the panel have subspecialties.", field="subspecialty")
    if subspecialty_id is None or db.session.get(Subspecialty, subspecialty_id) is None:
        raise DirectoryError("Choose a subspecialty from the list.", field="subspecialty")
    link = db.session.get(SpecialistSubspecialty, (person.id, subspecialty_id)) or \
        SpecialistSubspecialty(specialist_id=person.id, subspecialty_id=subspecialty_id)
    link.annual_volume = volume
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "update", "specialist_subspecialty", f"{person.id}:{subspecialty_id}", detail=f"volume={volume}")
    return link


LINKS = {
    "affiliations": (Affiliation, "clinician_id"),
    "networks": (NetworkMembership, "specialist_id"),
    "subspecialties": (SpecialistSubspecialty, "specialist_id"),
}


def remove_link(actor, person: Clinician, link: str, link_id: int) -> bool:
    """Delete a link entered by mistake (an ended one is kept with its end date). False if not found."""
    if link == "relationships":
        row = db.session.get(Relationship, link_id)
        found = row is not None and person.id in (row.clinician_a_id, row.clinician_b_id)
    elif link == "subspecialties":
        row = db.session.get(SpecialistSubspecialty, (person.id, link_id))
        found = row is not None
    else:
        model, owner = LINKS[link]
        row = db.session.get(model, link_id)
        found = row is not None and getattr(row, owner) == person.id
    if not found:
        return False
    db.session.delete(row)
    audit.record(actor, "delete", link.rstrip("s"), link_id, detail=f"clinician={person.id}")
    db.session.flush()
    return True


def clinician_links(person: Clinician) -> dict:
    """What the specialist's page shows: affiliations, declared ties, networks, subspecialties."""
    ties = db.session.scalars(sa.select(Relationship).where(sa.or_(
        Relationship.clinician_a_id == person.id, Relationship.clinician_b_id == person.id))
        .order_by(Relationship.start.desc())).all()
    return {
        "affiliations": db.session.scalars(sa.select(Affiliation).where(Affiliation.clinician_id == person.id)
                                           .order_by(Affiliation.start.desc())).all(),
        "relationships": [(t, t.clinician_b if t.clinician_a_id == person.id else t.clinician_a) for t in ties],
        "networks": db.session.scalars(sa.select(NetworkMembership).where(NetworkMembership.specialist_id == person.id)
                                       .order_by(NetworkMembership.start.desc())).all(),
        "subspecialties": db.session.scalars(sa.select(SpecialistSubspecialty)
                                             .where(SpecialistSubspecialty.specialist_id == person.id)).all(),
    }
