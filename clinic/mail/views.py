"""The admin's view of the outbox: what is waiting or failed (never the body), and retrying one."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import ADMIN, deny, roles_required
from clinic.extensions import db
from clinic.formkit import FlaskForm
from clinic.mail.models import OutboxMessage
from clinic.mail.outbox import retry

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")
PAGE = 200


class RetryForm(FlaskForm):
    """The CSRF token of a retry button."""


@bp.get("")
@roles_required(ADMIN)
def outbox():
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.status.in_(("pending", "failed")))
                              .order_by(OutboxMessage.status, OutboxMessage.id.desc()).limit(PAGE)).all()
    counts = dict(db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                                     .group_by(OutboxMessage.status)).all())
    audit.record(current_user, "view", "outbox", None, detail=f"n={len(rows)}")
    db.session.commit()
    return render_template("mail/outbox.html", messages=rows, counts=counts, form=RetryForm())


@bp.post("/<id:message_id>/retry")
@roles_required(ADMIN)
def retry_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or deny("outbox_message", message_id)
    if RetryForm().validate_on_submit() and message.status in ("pending", "failed"):
        retry(message)
        audit.record(current_user, "update", "outbox_message", message.id, detail="retry")
        db.session.commit()
        flash(f"Message to {message.recipient} queued for another attempt.", "success")
    return redirect(url_for("mail.outbox"))
