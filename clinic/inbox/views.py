"""The coordinator's decisions on proposed times, and the admin's list of messages kept aside."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from clinic import audit
from clinic.auth.access import ADMIN, COORDINATOR, deny, roles_required
from clinic.extensions import db
from clinic.inbox import services
from clinic.inbox.models import CounterProposal, InboundMessage, Outcome
from clinic.inbox.panel import DecisionForm
from clinic.scheduling.services import write_lock
from clinic.web import attempt

bp = Blueprint("inbox", __name__)
PAGE = 200


def _counter(counter_id: int) -> CounterProposal:
    return db.session.get(CounterProposal, counter_id) or deny("counter_proposal", counter_id)


def _decide(counter_id: int, decision, done):
    write_lock()  # accepting is a reschedule: on SQLite its slot check and move hold the write lock
    counter = _counter(counter_id)
    case_id = counter.appointment.case_id
    if DecisionForm().validate_on_submit():
        attempt(lambda: decision(current_user, counter), success=done)
    return redirect(url_for("cases.case", case_id=case_id, _anchor="inbox-heading"))


@bp.post("/counters/<id:counter_id>/accept")
@roles_required(COORDINATOR)
def accept(counter_id: int):
    return _decide(counter_id, services.accept_counter,
                   lambda appointment: f"Consultation moved to {services.notices.when(appointment)}. "
                                       "The new invites are on their way.")


@bp.post("/counters/<id:counter_id>/decline")
@roles_required(COORDINATOR)
def decline(counter_id: int):
    return _decide(counter_id, services.decline_counter,
                   "Proposal declined. The proposer is told the consultation stays as booked.")


@bp.get("/admin/inbox")
@roles_required(ADMIN)
def kept_aside():
    rows = db.session.scalars(sa.select(InboundMessage).where(InboundMessage.outcome == Outcome.KEPT_ASIDE)
                              .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(PAGE)).all()
    counts = dict(db.session.execute(sa.select(InboundMessage.outcome, sa.func.count())
                                     .group_by(InboundMessage.outcome)).all())
    audit.record(current_user, "view", "inbox", None, detail=f"kept aside n={len(rows)}")
    db.session.commit()
    return render_template("inbox/kept_aside.html", messages=rows, counts=counts)


@bp.get("/admin/inbox/<id:inbound_id>")
@roles_required(ADMIN)
def message(inbound_id: int):
    found = db.session.get(InboundMessage, inbound_id) or deny("inbound_message", inbound_id)
    audit.record(current_user, "view", "inbound_message", found.id)
    db.session.commit()
    return render_template("inbox/message.html", message=found)
