"""`clinic mail receive` (a mail server's pipe) and `clinic mail fetch` without a mailbox."""
from __future__ import annotations

import sqlalchemy as sa

from clinic.inbox.models import InboundMessage
from tests.conftest import make_app
from tests.inbox.conftest import reply_for


def test_receive_reads_one_message_from_standard_input(app, booked, session):
    appointment = booked()
    raw = reply_for(appointment, "outlook", partstat="DECLINED", line_end="\n")  # a pipe hands over LF lines
    result = app.test_cli_runner().invoke(args=["mail", "receive"], input=raw)
    assert result.exit_code == 0 and result.output.startswith("applied")
    again = app.test_cli_runner().invoke(args=["mail", "receive"], input=raw)
    assert again.exit_code == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 1


def test_receive_keeps_unreadable_mail_aside_and_exits_zero(app, session):
    result = app.test_cli_runner().invoke(args=["mail", "receive"], input=b"From: a@example.org\r\n\r\nhello")
    assert result.exit_code == 0 and result.output.startswith("not_calendar")


def test_receive_asks_the_mail_server_to_try_again_when_the_database_is_down(tmp_path, tmp_path_factory):
    down = make_app(f"sqlite:///{tmp_path}/no/such/folder/clinic.db", tmp_path_factory)
    result = down.test_cli_runner().invoke(args=["mail", "receive"], input=b"From: a@example.org\r\n\r\nhello")
    assert result.exit_code == 75 and "will deliver it again" in result.output


def test_fetch_without_a_mailbox_says_which_setting_is_missing(app):
    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 2 and "INBOX_IMAP_HOST" in result.output
