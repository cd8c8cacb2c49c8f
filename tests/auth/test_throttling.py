"""Sign-in throttling holds across workers and reloads, reads the client's address only from proxies
we trust, and never locks an account's owner out for longer than the message says."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from clinic import config
from clinic.audit import AuditEvent
from clinic.auth import throttle
from clinic.extensions import db, limiter
from tests.conftest import make_app
from tests.factories import PASSWORD, UserFactory

REDIS = "redis://127.0.0.1:6379/11"  # a database of its own: limiter.reset() empties it
WRONG = "wrong-password-x"


def _fail(client, email, address="198.51.100.7", **headers):
    return client.post("/login", data={"email": email, "password": WRONG},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


# --- storage -------------------------------------------------------------------------------------
@pytest.mark.parametrize("storage, allowed", [("memory://", None), ("memory://", "1"), ("redis://127.0.0.1:6379", None)])
def test_production_refuses_to_start_with_per_worker_limiter_storage(monkeypatch, tmp_path, storage, allowed):
    monkeypatch.setenv("CLINIC_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", storage)
    if allowed:
        monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", allowed)
    else:
        monkeypatch.delenv("RATELIMIT_ALLOW_MEMORY", raising=False)
    if storage == "memory://" and not allowed:
        with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI=redis://.*RATELIMIT_ALLOW_MEMORY=1"):
            config.from_environment(str(tmp_path))
    else:
        assert config.from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == storage


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.fixture
def restart(app):
    """restart(storage): the limiter re-created as a reloaded worker creates it, on that storage."""
    original = app.config["RATELIMIT_STORAGE_URI"]

    def reload(storage: str):
        app.config["RATELIMIT_STORAGE_URI"] = storage
        limiter.init_app(app)  # the hooks are registered once; the storage is made anew
    yield reload
    limiter.reset()
    reload(original)


def test_with_memory_storage_a_reload_forgets_the_failures(app, client, users, restart):
    """Why production refuses memory://: what the issue found."""
    email = users["admin"].email
    for _ in range(5):
        _fail(client, email)
    assert _fail(client, email).status_code == 429
    restart("memory://")
    assert _fail(client, email).status_code == 200


@pytest.mark.skipif(not _redis_up(), reason="Redis is not reachable at 127.0.0.1:6379")
def test_with_redis_storage_the_failures_survive_a_reload(app, client, users, restart):
    restart(REDIS)
    limiter.reset()
    email = users["admin"].email
    for _ in range(5):
        _fail(client, email)
    restart(REDIS)  # another worker, or the same one reloaded
    assert _fail(client, email).status_code == 429


# --- the pair of limits --------------------------------------------------------------------------
def test_a_throttled_account_still_lets_its_owner_in_from_a_fresh_address(client, users):
    email = users["admin"].email
    statuses = [_fail(client, email, "203.0.113.66").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    owner = client.post("/login", data={"email": email, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert owner.status_code == 302


def test_failures_spread_over_many_addresses_throttle_the_account_and_say_how_long_to_wait(app, client, users):
    allowed = int(app.config["LOGIN_ACCOUNT_LIMIT"].split()[0])  # 20 an hour
    email = users["admin"].email
    statuses = [_fail(client, email, f"203.0.113.{n}").status_code for n in range(allowed)]
    assert statuses == [200] * allowed
    blocked = client.post("/login", data={"email": email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert blocked.status_code == 429
    seconds = int(blocked.headers["Retry-After"])
    assert 0 < seconds <= 3601
    page = blocked.get_data(as_text=True)
    assert f"Too many failed sign-in attempts. Try again in {throttle.wait_in_words(seconds)}." in page
    assert "minute" in throttle.wait_in_words(seconds) or "hour" in throttle.wait_in_words(seconds)


def test_a_browser_that_signed_in_before_is_not_locked_out_by_failures_elsewhere(app, client, users):
    """OWASP's device cookie: the attacker spends the account's failures; the owner's browser still gets in."""
    from tests.conftest import sign_in

    owner = sign_in(app.test_client(), users["admin"])
    owner.post("/logout")
    allowed = int(app.config["LOGIN_ACCOUNT_LIMIT"].split()[0])
    for n in range(allowed):
        _fail(client, users["admin"].email, f"203.0.113.{n}")
    assert _fail(client, users["admin"].email, "203.0.113.250").status_code == 429
    assert app.test_client().post("/login", data={"email": users["admin"].email, "password": PASSWORD},
                                  environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 429
    back = owner.post("/login", data={"email": users["admin"].email, "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert back.status_code == 302


def test_a_device_cookie_counts_only_for_its_own_account(app, client, users):
    from tests.conftest import sign_in

    browser = sign_in(app.test_client(), users["coordinator"])
    browser.post("/logout")
    allowed = int(app.config["LOGIN_ACCOUNT_LIMIT"].split()[0])
    for n in range(allowed):
        _fail(client, users["admin"].email, f"203.0.113.{n}")
    assert browser.post("/login", data={"email": users["admin"].email, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 429
    browser.set_cookie("known_device", "forged.value.here")
    assert browser.post("/login", data={"email": users["admin"].email, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "192.0.2.11"}).status_code == 429


def test_the_per_address_throttle_names_its_wait_in_seconds(client, users):
    email = users["admin"].email
    for _ in range(5):
        _fail(client, email)
    blocked = _fail(client, email)
    seconds = int(blocked.headers["Retry-After"])
    assert 0 < seconds <= 61 and f"Try again in {seconds} second" in blocked.get_data(as_text=True)


@pytest.mark.parametrize("seconds, words", [(1, "1 second"), (45, "45 seconds"), (600, "10 minutes"),
                                            (3599, "60 minutes"), (5400, "2 hours"), (80000, "23 hours")])
def test_the_wait_is_said_in_words(seconds, words):
    assert throttle.wait_in_words(seconds) == words


# --- addresses behind a proxy --------------------------------------------------------------------
@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """The app configured with TRUSTED_PROXIES=1, on a database of its own."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("proxied") / "proxied.db")
    application = make_app(url, tmp_path_factory, TRUSTED_PROXIES=1)
    with application.app_context():
        upgrade()
        UserFactory(email="coordinator@proxied.example", role="coordinator")
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _last_failure_address(application) -> str | None:
    with application.app_context():
        return db.session.scalar(sa.select(AuditEvent.ip).where(AuditEvent.action == "login_failed")
                                 .order_by(AuditEvent.id.desc()).limit(1))


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, client, users, session):
    for n in range(6):  # a forged header per attempt does not dodge the throttle
        response = _fail(client, users["admin"].email, "198.51.100.7", **{"X-Forwarded-For": f"10.0.0.{n}"})
    assert response.status_code == 429
    ips = session.scalars(sa.select(AuditEvent.ip).where(AuditEvent.action == "login_failed")).all()
    assert set(ips) == {"198.51.100.7"}


def test_behind_a_trusted_proxy_the_client_address_is_read_from_x_forwarded_for(proxied):
    limiter.reset()
    client = proxied.test_client()
    email = "coordinator@proxied.example"
    # The client forged the first entry; the proxy appended the address it saw.
    statuses = [_fail(client, email, "10.0.0.2", **{"X-Forwarded-For": f"6.6.6.{n}, 203.0.113.5"}).status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]  # the forged part changed every time: the throttle held
    assert _last_failure_address(proxied) == "203.0.113.5"
    other = _fail(client, email, "10.0.0.2", **{"X-Forwarded-For": "192.0.2.44"})
    assert other.status_code == 200 and _last_failure_address(proxied) == "192.0.2.44"
    limiter.reset()
