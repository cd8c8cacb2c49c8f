"""Account operations: sign-in, sessions, users and API tokens. They flush, never commit."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from clinic import audit
from clinic.auth.models import ROLES, SPECIALIST, ApiToken, User, UserSession
from clinic.auth.passwords import check_password, hash_password, password_problem
from clinic.database import utcnow
from clinic.errors import DomainError
from clinic.extensions import db
from clinic.wiring import wiring

TOKEN_PREFIX = "so_"
# Touching last_seen on every request would write on every page; once a minute is enough
# for a 15-minute idle limit.
TOUCH_EVERY = timedelta(seconds=60)


class AccountError(DomainError):
    """A refused account operation; `field` names the input at fault."""

    status = 422


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None, taking the same time either way."""
    user = find_user(email)
    if user is None:
        # Hash anyway so an unknown address costs what a wrong password costs.
        check_password(_dummy_hash(), password)
        return None
    if not check_password(user.password_hash, password) or not user.active:
        return None
    return user


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY:
        _DUMMY[method] = hash_password(secrets.token_hex(16))
    return _DUMMY[method]


def start_session(user: User, ip: str | None) -> str:
    """A new server-side session for a fresh sign-in; returns its secret token."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=digest(token), user_id=user.id, ip=ip))
    user.session_token = token
    audit.record(user, "login", "user", user.id)
    db.session.flush()
    return token


def session_user(token: str) -> tuple[User | None, str | None]:
    """The user of a live session, or (None, why it ended: 'idle' or 'expired')."""
    row = db.session.scalar(
        sa.select(UserSession).where(UserSession.token_hash == digest(token), UserSession.ended_at.is_(None))
    )
    if row is None or not row.user.active:
        return None, None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    lifetime = timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])
    ended = "idle" if now - row.last_seen_at > idle else "expired" if now - row.created_at > lifetime else None
    if ended:
        row.ended_at = now
        audit.record(row.user, "logout", "user", row.user_id, detail=f"session ended: {ended}")
        return None, ended
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    row.user.session_token = token
    return row.user, None


def end_session(user: User) -> None:
    if user.session_token:
        db.session.execute(
            sa.update(UserSession)
            .where(UserSession.token_hash == digest(user.session_token))
            .values(ended_at=utcnow())
        )
    audit.record(user, "logout", "user", user.id)


def create_user(actor, email: str, name: str, role: str, password: str | None = None,
                clinician=None) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when not given)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"Choose one of: {', '.join(ROLES)}.", field="role")
    if find_user(email):
        raise AccountError("An account with this email address already exists.", field="email")
    if role == SPECIALIST and clinician is None:
        raise AccountError("A specialist account needs the NPI of their directory record.", field="npi")
    password = password or generated_password()
    problem = password_problem(password, email, name)
    if problem:
        raise AccountError(problem, field="password")
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password),
                clinician=clinician)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user", user.id, detail=f"role={role}")
    return user, password


def generated_password() -> str:
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def set_password(actor, user: User, password: str) -> None:
    """A new password; every credential the old one could have leaked ends with it (the actor's own
    session survives when they reset their own password)."""
    problem = password_problem(password, user.email, user.name)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    audit.record(actor, "update", "user", user.id, detail="password reset")
    revoke_credentials(actor, user, "password reset")


def set_active(actor, user: User, active: bool) -> None:
    """Deactivation ends every credential; reactivation brings none back (new ones only when asked for)."""
    if actor is not None and actor.id == user.id and not active:
        raise AccountError("You cannot deactivate your own account.", field="active")
    user.active = active
    audit.record(actor, "update", "user", user.id, detail="activated" if active else "deactivated")
    if not active:
        revoke_credentials(actor, user, "deactivated")


def revoke_credentials(actor, user: User, reason: str) -> dict[str, int]:
    """End every credential the user holds: sessions, API tokens, calendar feed links. One audit row
    names the reason and the counts; returns the counts.

    The actor's own current session is kept when they act on their own account.
    """
    now = utcnow()
    sessions = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    own = getattr(actor, "session_token", None) if getattr(actor, "id", None) == user.id else None
    if own:
        sessions = sessions.where(UserSession.token_hash != digest(own))
    ended = db.session.execute(sessions.values(ended_at=now)).rowcount
    revoked = db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    ).rowcount
    counts = {"sessions": ended, "api_tokens": revoked}
    for revoke_more in wiring().credential_revokers:  # e.g. a specialist's calendar feed (scheduling)
        counts |= revoke_more(actor, user)
    audit.record(actor, "update", "user", user.id,
                 detail=f"credentials revoked ({reason}): " + " ".join(f"{k}={v}" for k, v in counts.items()))
    db.session.flush()
    return counts


def issue_token(actor, user: User, name: str) -> str:
    """A new API token for the user; the plain value is returned once and stored hashed."""
    if not user.active:
        raise AccountError("Reactivate the account before issuing it a token.", field="user")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=(name.strip() or "API token")[:100],
                     token_hash=digest(secret), prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "create", "api_token", token.id, detail=f"user={user.id}")
    return secret


def revoke_token(actor, token: ApiToken) -> None:
    token.revoked_at = token.revoked_at or utcnow()
    audit.record(actor, "update", "api_token", token.id, detail="revoked")


def token_user(secret: str) -> User | None:
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
    return token.user
