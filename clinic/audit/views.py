"""Admin page listing the audit trail, newest first, with filters."""
from flask import Blueprint, render_template, request

from clinic.audit.queries import AuditFilter, audit_page
from clinic.auth.access import ADMIN, roles_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@roles_required(ADMIN)
def index():
    filters = AuditFilter.from_args(request.args)
    page = audit_page(filters, before_id=request.args.get("before", type=int))
    return render_template("audit/index.html", page=page, filters=filters)
