"""Sign-in throttling: which failures count against whom, and how long a throttled person waits.

The usual pair (OWASP's authentication cheat sheet): failures per account *and* address are held
tight, so one address guessing at one account is stopped within a minute; failures per account from
anywhere are held looser, over growing windows (an hour, then a day), so guesses spread over many
addresses are stopped too, while the owner at a fresh address is never locked out for longer than
the window named in the message. A browser that signed in to the account before carries a device
cookie (OWASP's "device cookies") and is exempt from the per-account limit: an attacker elsewhere
cannot keep the owner out by spending the account's failures. A third limit per address across
accounts stops one address trying many accounts. The client's address is the socket's peer unless
TRUSTED_PROXIES is set (clinic/security.py), and the audit trail records the same address.
"""
from __future__ import annotations

import math
import time

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from clinic.extensions import limiter

DEVICE_COOKIE = "known_device"
DEVICE_DAYS = 180


def _email() -> str:
    return request.form.get("email", "").strip().lower()[:254]


def account_address_key() -> str:
    return f"login-account-address:{_email()}|{request.remote_addr or ''}"


def account_key() -> str:
    return "login-account:" + _email()


def address_key() -> str:
    return "login-address:" + (request.remote_addr or "")


def account_address_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


def failed(response) -> bool:
    """Only failures count: a sign-in that succeeds answers with a redirect."""
    return response.status_code != 302


def seconds_to_wait() -> int:
    """How long until every limit this request broke lets it through again (at least a second)."""
    now = time.time()
    resets = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    return max(1, math.ceil(max(resets, default=now + 60) - now))


def wait_in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 90 * 60:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} minutes"
    hours = math.ceil(seconds / 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="sign-in device")


def remember_device(response, email: str):
    """After a successful sign-in: this browser has proven it knows the account's password."""
    response.set_cookie(DEVICE_COOKIE, _devices().dumps(email.strip().lower()), max_age=DEVICE_DAYS * 86400,
                        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def known_device() -> bool:
    """Whether the browser signed in to the account it now tries, within DEVICE_DAYS."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return False
    try:
        return _devices().loads(cookie, max_age=DEVICE_DAYS * 86400) == _email()
    except BadSignature:
        return False
