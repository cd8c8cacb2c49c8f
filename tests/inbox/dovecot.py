"""A real IMAP server for the fetch tests: Debian's Dovecot, started by this process on a free local
port with a configuration in a temporary folder (no system-wide change), one per xdist worker.

Dovecot refuses to run its login processes as root and to deliver mail as uid 0: run as root, the
configuration names Debian's own unprivileged `dovenull` and `dovecot` users, and the mail folder
belongs to `dovecot`; run as anyone else, everything is that user's."""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "clinic", "imap-test-password"


@dataclass
class Mailbox:
    host: str
    port: int
    user: str
    password: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(folder: Path, port: int) -> str:
    if os.geteuid() == 0:
        internal, login, mail_user = "dovecot", "dovenull", "dovecot"
    else:
        internal = login = mail_user = pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(pwd.getpwnam(mail_user).pw_gid).gr_name
    if os.geteuid() == 0:
        shutil.chown(folder / "mail", mail_user, group)
    return f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{folder}/mail/%u
default_internal_user = {internal}
default_internal_group = {group if os.geteuid() != 0 else internal}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={group} home={folder}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def start() -> tuple[Mailbox, subprocess.Popen, Path]:
    """Dovecot in the foreground (`-F`), answering on its port; stop() ends it and removes its folder."""
    folder = Path(tempfile.mkdtemp(prefix="clinic-dovecot-"))
    folder.chmod(0o755)  # Dovecot's unprivileged processes read the user file and the mail folder below
    for name in ("run", "state", "mail", "home"):
        (folder / name).mkdir()
    (folder / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = _free_port()
    (folder / "dovecot.conf").write_text(_config(folder, port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(folder / "dovecot.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (folder / "dovecot.log").read_text() if (folder / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot stopped: {process.stderr.read().decode()} {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                if conn.recv(100).startswith(b"* OK"):
                    return Mailbox("127.0.0.1", port, USER, PASSWORD), process, folder
        except OSError:
            time.sleep(0.05)
    stop(process, folder)
    raise RuntimeError("dovecot did not answer within 15 seconds")


def stop(process: subprocess.Popen, folder: Path) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def running() -> Iterator[Mailbox]:
    """A Dovecot for the duration of the block (a session fixture's body)."""
    mailbox, process, folder = start()
    try:
        yield mailbox
    finally:
        stop(process, folder)
