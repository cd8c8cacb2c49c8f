"""A specialist's private calendar subscription: a random token in the URL, only its hash stored.

Issuing a new feed revokes the old one, so a leaked URL is closed by making a new one.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from clinic import audit
from clinic.auth.models import User
from clinic.database import utcnow
from clinic.extensions import db
from clinic.records.links import new_token, token_hash, well_formed
from clinic.scheduling import invites
from clinic.scheduling.availability import AvailabilityError
from clinic.scheduling.models import Appointment, CalendarFeed
from clinic.scheduling.notices import invite_for

PAST_DAYS = 30  # a feed shows the last month and everything ahead


def active_feed(specialist_id: int) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.specialist_id == specialist_id,
                                                           CalendarFeed.revoked_at.is_(None)))


def issue_feed(actor, specialist) -> str:
    """A new subscription token for the specialist (shown once); any earlier one stops working."""
    if not _account_active(specialist.id):
        raise AvailabilityError("Reactivate the specialist's account before making a calendar link.", field="feed")
    revoke_feed(actor, specialist)
    token = new_token()
    feed = CalendarFeed(specialist_id=specialist.id, token_hash=token_hash(token), created_by_id=getattr(actor, "id", None))
    db.session.add(feed)
    db.session.flush()
    audit.record(actor, "create", "calendar_feed", feed.id, detail=f"specialist={specialist.id}")
    return token


def revoke_feed(actor, specialist) -> bool:
    feed = active_feed(specialist.id)
    if feed is None:
        return False
    feed.revoked_at = utcnow()
    audit.record(actor, "update", "calendar_feed", feed.id, detail="revoked")
    db.session.flush()
    return True


def revoke_user_feed(actor, user) -> dict[str, int]:
    """A specialist's calendar link is their credential too (it shows their appointments): ended with
    their account's (auth.services.revoke_credentials)."""
    revoked = user.clinician_id is not None and revoke_feed(actor, user.clinician)
    return {"calendar_feeds": int(revoked)}


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed of this token; never one of a deactivated account (deactivation revokes it too)."""
    if not well_formed(token):
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token),
                                                           CalendarFeed.revoked_at.is_(None)))
    return feed if feed is not None and _account_active(feed.specialist_id) else None


def _account_active(specialist_id: int) -> bool:
    """False when the specialist's account is deactivated; a specialist without an account has a feed
    an admin hands over."""
    active = db.session.scalar(sa.select(User.active).where(User.clinician_id == specialist_id))
    return active is not False


def feed_calendar(feed: CalendarFeed) -> str:
    """The specialist's appointments as a named feed (invites.feed): cancelled ones are left out, so
    subscribed calendars drop them at their next refresh."""
    since = utcnow() - timedelta(days=PAST_DAYS)
    rows = db.session.scalars(sa.select(Appointment).where(Appointment.specialist_id == feed.specialist_id,
                                                           Appointment.end >= since)
                              .order_by(Appointment.start)).all()
    feed.last_used_at = utcnow()
    audit.record(None, "view", "calendar_feed", feed.id, detail=f"appointments={len(rows)}")
    zone = rows[0].specialist.timezone if rows else "UTC"
    name = f"{current_app.config['CLINIC_NAME']}: consultations"
    return invites.feed([invite_for(a, zone) for a in rows], utcnow(), name)
