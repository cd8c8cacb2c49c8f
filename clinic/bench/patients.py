"""The patient's side in `clinic bench`: status links for a sample of cases (the page each patient
opens from their mails) and the worker's reminder tick over every booked appointment."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from clinic.bench.measure import Figure, timed
from clinic.bench.pages import Bench
from clinic.cases.models import Case
from clinic.cases.workflow import CaseStatus
from clinic.extensions import db
from clinic.database import utcnow

STAGES = (CaseStatus.RECORDS_PENDING, CaseStatus.SCHEDULED, CaseStatus.OPINION_RECORDED)
LINKS_PER_STAGE = 30


def build_status_links(built, plans, rng) -> None:
    """A live status link for a few cases of each stage a patient looks in on; the tokens are the samples."""
    from clinic.patients.services import issue_status_link

    tokens = []
    for stage in STAGES:
        ids = built.samples.get(stage, [])
        for case_id in rng.sample(ids, min(LINKS_PER_STAGE, len(ids))):
            tokens.append(issue_status_link(None, db.session.get(Case, case_id)))
    built.samples["status"] = tokens


def measure_reminders(bench: Bench) -> list[Figure]:
    """One tick of the reminder worker: the due query over every booked appointment (nothing sent),
    at a moment when reminders are due."""
    from clinic.patients.reminders import due, lead_times

    figure = Figure("reminders due, one worker tick", target=50, stat="median")
    with bench.app.app_context():
        leads = lead_times()
        now = utcnow() + timedelta(days=1)
        found = due(now, leads)
        for _ in range(bench.runs):
            with timed(figure, bench.counter):
                due(now, leads)
        booked = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.status == CaseStatus.SCHEDULED))
    figure.name += f" ({len(found)} due among {booked:,} scheduled cases)"
    return [figure]
