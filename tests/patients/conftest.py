"""The patient's side: the status link from the mails a patient receives, as the patient would follow it."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from clinic.mail.models import OutboxMessage


def mails_to(session, case) -> list[OutboxMessage]:
    return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == case.patient.email)
                                .order_by(OutboxMessage.id)))


def status_path(message: OutboxMessage) -> str:
    """The status page's path in a mail's plain-text part (the link the patient clicks)."""
    found = re.search(r"https?://[^/\s]+(/status/[A-Za-z0-9_-]+)", message.text_body)
    assert found, f"no status link in {message.subject!r}"
    return found.group(1)


@pytest.fixture
def status_of(session):
    """status_of(case): the path of the status page, from the newest mail to the patient that holds one."""
    def find(case) -> str:
        for message in reversed(mails_to(session, case)):
            if "/status/" in message.text_body:
                return status_path(message)
        raise AssertionError("the patient was sent no status link")
    return find
