"""Admin page listing the audit trail, newest first, with filters."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from clinic import audit
from clinic.audit.queries import AuditFilter, audit_page
from clinic.auth.access import ADMIN, roles_required
from clinic.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@roles_required(ADMIN)
def index():
    filters = AuditFilter.from_args(request.args)
    before = request.args.get("before", type=int)
    # Reading the trail is itself recorded, with the filter used (who looked for whom); committed before
    # the page is read, so the events shown are not expired by the commit and loaded again one by one.
    audit.record(current_user, "view", "audit_log", None, detail=filters.describe(before))
    db.session.commit()
    page = audit_page(filters, before_id=before)
    return render_template("audit/index.html", page=page, filters=filters)
