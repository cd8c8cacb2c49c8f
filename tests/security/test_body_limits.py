"""Body limits hold on the stream itself: a chunked request (no Content-Length) is cut at the cap
for every route, before CSRF, form or JSON parsing and authentication read it (issue 14).

Before: only Content-Length was compared with the text limits, and Werkzeug's own cap (50 MB, for
uploads) returned the first 50 MB of a longer chunked body as if it were all of it: a 45 MB chunked
JSON body was read and parsed by anonymous requests, and a worker grew by ~540 MB."""
from __future__ import annotations

import io
import os
import select
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from clinic.api.blueprint import MAX_JSON
from clinic.security import MAX_TEXT_FORM

MB = 1024 * 1024


class CountingBody(io.RawIOBase):
    """A chunked body of `total` bytes that counts how much of it the app pulled."""

    def __init__(self, total: int, head: bytes = b""):
        self.total, self.head, self.pulled = total, head, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        size = min(len(buffer), self.total - self.pulled)
        if size <= 0:
            return 0
        start = self.pulled
        data = (self.head + b"x" * size)[start:start + size] if start < len(self.head) else b"x" * size
        buffer[:size] = data
        self.pulled += size
        return size


def chunked(client, path: str, content_type: str, body: CountingBody, headers: dict | None = None):
    """The request as a server that decodes chunked transfer passes it on: no Content-Length,
    the stream marked as terminated by the server (the WSGI extension Werkzeug honours)."""
    environ = EnvironBuilder(path=path, method="POST", content_type=content_type, headers=headers).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": body, "wsgi.input_terminated": True})
    return client.open(Request(environ))


def test_a_chunked_json_body_past_the_limit_is_refused_before_authentication(client):
    body = CountingBody(45 * MB, b'{"patient": {"name": "')
    response = chunked(client, "/api/v1/requests", "application/json", body)
    assert response.status_code == 413 and response.is_json
    assert "larger than the 1024 KB limit" in response.get_json()["error"]
    assert body.pulled <= MAX_JSON + 64 * 1024  # nothing buffered beyond the cap


def test_a_json_body_cut_at_the_cap_answers_413_not_invalid_json(app, bearer):
    document = b'{"reason": "' + b"a" * MAX_JSON + b'"}'
    body = CountingBody(len(document), document)
    response = chunked(app.test_client(), "/api/v1/records/1/reject", "application/json", body,
                       headers=bearer("coordinator"))
    assert response.status_code == 413 and "JSON" not in response.get_json()["error"]


def test_a_chunked_form_past_the_text_limit_is_refused_before_csrf_parses_it(app, session):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        body = CountingBody(45 * MB, b"email=")
        response = chunked(app.test_client(), "/request", "application/x-www-form-urlencoded", body)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 413 and "larger than the 2048 KB limit" in response.get_data(as_text=True)
    assert body.pulled <= MAX_TEXT_FORM + 64 * 1024


def test_a_chunked_upload_past_the_upload_cap_is_refused(app, client_as, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * MB)
    head = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n"
    body = CountingBody(40 * MB, head)
    response = chunked(client_as("coordinator"), "/cases/1/records/upload", "multipart/form-data; boundary=b", body)
    assert response.status_code == 413 and "larger than the 2 MB limit" in response.get_data(as_text=True)
    assert body.pulled <= 2 * MB + 64 * 1024


def test_a_body_within_the_limit_is_read_whole(client):
    """The cap is one byte past the limit: a body of exactly the limit is not taken for a longer one."""
    from clinic.security import CappedInput

    exact = CappedInput(io.BytesIO(b"a" * 10), 10)
    assert exact.read() == b"a" * 10
    longer = CappedInput(io.BytesIO(b"a" * 11), 10)
    with pytest.raises(Exception) as refused:
        longer.read()
    assert getattr(refused.value, "code", None) == 413


SERVER = textwrap.dedent("""
    import sys
    from werkzeug.serving import make_server
    from clinic import create_app
    from clinic.extensions import db

    folder = sys.argv[1]
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/t.db",
                      "UPLOAD_FOLDER": f"{folder}/up", "MAIL_FOLDER": f"{folder}/mail", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=False)
    print(server.server_port, flush=True)
    server.serve_forever()
""")


def _memory(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak) of a process, in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def _send_chunked(port: int, path: str, content_type: str, total: int, head: bytes = b"") -> int | None:
    """POST `total` bytes with Transfer-Encoding: chunked, stopping when the server answers.
    Returns the status read back (None when the server reset the connection before it could be read)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode())
    chunk, sent = b"x" * (256 * 1024), 0
    try:
        first = head + chunk[len(head):]
        while sent < total and not select.select([sock], [], [], 0)[0]:
            piece = first if sent == 0 else chunk
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        if sent >= total:
            sock.sendall(b"0\r\n\r\n")
        answer = sock.recv(64)
    except OSError:
        return None
    finally:
        sock.close()
    return int(answer.split()[1]) if answer.startswith(b"HTTP/") else None


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
def test_a_200_mb_chunked_body_leaves_a_real_server_worker_memory_flat(tmp_path):
    """Acceptance of issue 14: a real server (Werkzeug's, one process) fed 200 MB chunked bodies,
    anonymous, on a JSON route and a form route; its peak memory grows by the cap, not the body."""
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp_path)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[2],
                               env=os.environ | {"CLINIC_ENV": "development"})
    try:
        port = int(process.stdout.readline())
        for path, kind in (("/api/v1/requests", "application/json"), ("/request", "application/x-www-form-urlencoded")):
            _send_chunked(port, path, kind, 64 * 1024)  # warm up: the first request loads templates and code
        time.sleep(0.2)
        before = _memory(process.pid)
        statuses = [_send_chunked(port, "/api/v1/requests", "application/json", 200 * MB, b'{"a": "'),
                    _send_chunked(port, "/request", "application/x-www-form-urlencoded", 200 * MB, b"email=")]
        time.sleep(0.2)
        after = _memory(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    grown = after["VmHWM"] - before["VmHWM"]
    print(f"\nworker peak RSS {before['VmHWM'] / MB:.1f} -> {after['VmHWM'] / MB:.1f} MB "
          f"(+{grown / MB:.1f} MB) for two 200 MB chunked bodies; answers {statuses}")
    assert all(status in (413, None) for status in statuses)
    assert grown < 16 * MB, f"the worker grew by {grown / MB:.0f} MB"
