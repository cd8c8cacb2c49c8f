"""The directory's lists as the admin pages show them: one Section per kind of entry."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from clinic.directory import forms, services
from clinic.directory.models import Clinician, Organization, Plan, Subspecialty
from clinic.extensions import db

MAX_SEARCH = 100


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    singular: str
    model: type
    form: type
    save: Callable
    search: tuple
    order: tuple
    columns: tuple[tuple[str, str], ...]  # (heading, attribute)

    def page(self, query: str, status: str, page: int, size: int):
        """One page of entries matching the search, with the total."""
        conditions = []
        if query:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(sa.or_(*(c.ilike(f"%{escaped}%", escape="\\") for c in self.search)))
        if status in ("active", "inactive"):
            conditions.append(self.model.active.is_(status == "active"))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(self.model).where(*conditions))
        pages = max(1, -(-total // size))
        page = min(max(page, 1), pages)
        rows = db.session.scalars(sa.select(self.model).where(*conditions).order_by(*self.order)
                                  .offset((page - 1) * size).limit(size)).all()
        return rows, total, page, pages

    def values(self, form) -> dict:
        return {name: getattr(form, name).data for name in form.data if name not in ("submit", "csrf_token")}


SECTIONS = {s.name: s for s in (
    Section("clinicians", "Clinicians", "clinician", Clinician, forms.ClinicianForm, services.save_clinician,
            (Clinician.name, Clinician.npi, Clinician.specialty), (Clinician.name, Clinician.id),
            (("NPI", "npi"), ("Kind", "kind"), ("Specialty", "specialty"), ("Languages", "languages"))),
    Section("organizations", "Organizations", "organization", Organization, forms.OrganizationForm,
            services.save_organization, (Organization.name,), (Organization.name, Organization.id), (("Kind", "kind"),)),
    Section("subspecialties", "Subspecialties", "subspecialty", Subspecialty, forms.SubspecialtyForm,
            services.save_subspecialty, (Subspecialty.name, Subspecialty.code), (Subspecialty.name, Subspecialty.id),
            (("Code", "code"), ("ICD-10 prefixes", "icd10_prefixes"))),
    Section("plans", "Plans", "plan", Plan, forms.PlanForm, services.save_plan, (Plan.payer, Plan.name),
            (Plan.payer, Plan.name, Plan.id), (("Payer", "payer"),)),
)}
