"""Private links' tokens never reach a log whole (issue 14): an access log line showed the whole
/upload/<token>, /reports/<token> or /calendar/<token>.ics, and anyone who reads the logs could
open the patient's upload page, report or calendar. Each is cut to its first 6 characters + "…"."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from clinic.security import TokenMask, token_paths

TOKEN = "Abc123" + "x" * 37


def test_every_route_that_takes_a_token_is_masked(app):
    paths = token_paths(app)
    assert {"/upload/", "/reports/", "/calendar/"} <= set(paths)


@pytest.mark.parametrize("path", ["/upload/{}", "/reports/{}", "/calendar/{}.ics", "/upload/{}?lang=es"])
def test_werkzeugs_request_log_keeps_only_the_first_six_characters(app, caplog, path):
    from werkzeug._internal import _log  # what the development server's request handler calls

    with caplog.at_level(logging.INFO, logger="werkzeug"):
        _log("info", '%s - - [%s] %s', "127.0.0.1", "01/Dec/2026 04:00:00",
             f'"GET {path.format(TOKEN)} HTTP/1.1" 200 -')
    assert TOKEN not in caplog.text and "Abc123…" in caplog.text


def test_gunicorns_access_log_keeps_only_the_first_six_characters(app, tmp_path):
    """gunicorn writes its access log through the `gunicorn.access` logger, which the app filters in
    each worker: the default format (%(r)s, the request line) and %(U)s (the path) are both masked,
    and so is a Referer holding a private link."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s %(U)s "%(f)s"')
    log = Logger(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/upload/{TOKEN}", "PATH_INFO": f"/upload/{TOKEN}",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9", "QUERY_STRING": "",
               "HTTP_REFERER": f"https://clinic.example/reports/{TOKEN}"}
    log.access(SimpleNamespace(status="200 OK", sent=10, headers=[]), SimpleNamespace(headers=[]), environ,
               timedelta(milliseconds=5))
    for handler in logging.getLogger("gunicorn.access").handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert TOKEN not in line and line.count("Abc123…") == 3


def test_the_apps_own_log_is_masked(app, caplog):
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        app.logger.warning("link %s refused", f"/upload/{TOKEN}")
    assert TOKEN not in caplog.text and "/upload/Abc123…" in caplog.text


def test_other_paths_and_short_values_are_left_as_they_are(app):
    mask = TokenMask(app)
    assert mask.mask("GET /cases/12/records/upload 200") == "GET /cases/12/records/upload 200"
    assert mask.mask("GET /upload/abc 404") == "GET /upload/abc 404"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_real_gunicorn_access_log_never_holds_a_token(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = os.environ | {"CLINIC_ENV": "development", "SECRET_KEY": "x" * 32, "RATELIMIT_ENABLED": "0",
                        "DATABASE_URL": f"sqlite:///{tmp_path}/clinic.db", "UPLOAD_FOLDER": str(tmp_path / "up"),
                        "MAIL_FOLDER": str(tmp_path / "mail")}
    subprocess.run([sys.executable, "-c", "from clinic import create_app; from clinic.extensions import db\n"
                    "app = create_app()\nwith app.app_context(): db.create_all()"], env=env, cwd=root, check=True)
    port, log = _free_port(), tmp_path / "access.log"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--access-logfile", str(log), "wsgi:app"], env=env, cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for path in (f"/upload/{TOKEN}", f"/reports/{TOKEN}", f"/calendar/{TOKEN}.ics"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
            except urllib.error.HTTPError:
                pass  # an unknown link: 404; what matters is the log line
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = log.read_text()
    assert lines.count("Abc123…") == 3 and TOKEN not in lines
