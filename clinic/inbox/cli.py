"""`clinic mail receive` (one message on standard input, for a mail server's pipe) and `clinic mail
fetch` (the IMAP mailbox's unseen messages)."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from clinic.database import begin_write
from clinic.extensions import db

mail = click.Group("mail", help="Replies to invites that come back to the clinic's mailbox.")
EX_TEMPFAIL = 75  # sysexits.h: the mail server keeps the message and delivers it again later
CHUNK = 64 * 1024


def _standard_input() -> bytes:
    """The message, at most one byte past the size limit: the rest is read and dropped, so the
    mail server sees it taken, and the message is kept aside as too large."""
    from clinic.inbox.itip import MAX_BYTES

    stream = sys.stdin.buffer
    raw = stream.read(MAX_BYTES + 1)
    while len(raw) > MAX_BYTES and stream.read(CHUNK):
        pass
    return raw


@mail.command("receive")
@with_appcontext
def receive_command():
    """Read one RFC 822 message from standard input and act on it, or keep it aside for an admin.
    Exits 0 once it is recorded, 75 (try again later) when the database is unavailable."""
    from clinic.inbox import services
    from clinic.inbox.fetch import DATABASE_DOWN

    raw = _standard_input()
    try:
        begin_write(db.session())
        message = services.receive(raw)
        outcome, reason = message.outcome, message.reason
        db.session.commit()
    except DATABASE_DOWN as error:
        db.session.rollback()
        click.echo(f"The database is unavailable ({type(error).__name__}); the message was not taken. "
                   "The mail server will deliver it again.", err=True)
        sys.exit(EX_TEMPFAIL)
    click.echo(f"{outcome}" + (f": {reason}" if reason else ""))


@mail.command("fetch")
@with_appcontext
def fetch_command():
    """Receive the unseen messages of the IMAP mailbox (INBOX_IMAP_* settings), each in its own
    transaction, flagging each \\Seen once recorded. Exits 75 when the mailbox or the database is
    unavailable."""
    from clinic.inbox.fetch import DATABASE_DOWN, MailboxError, configured, fetch_new

    if not configured():
        raise click.UsageError("Set INBOX_IMAP_HOST, INBOX_IMAP_USER and INBOX_IMAP_PASSWORD to fetch from a "
                               "mailbox, or have the mail server pipe each message to `clinic mail receive`.")
    try:
        summary = fetch_new()
    except MailboxError as error:
        click.echo(str(error), err=True)
        sys.exit(EX_TEMPFAIL)
    except DATABASE_DOWN as error:
        click.echo(f"The database is unavailable ({type(error).__name__}); what was not taken stays unseen.", err=True)
        sys.exit(EX_TEMPFAIL)
    click.echo(summary.line())
