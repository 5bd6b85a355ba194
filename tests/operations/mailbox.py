"""A mail "server" whose deliveries can be counted across processes: one file per e-mail.

Worker processes started by the tests use it as their EMAIL_BACKEND. Each e-mail is written to
a file in MAILBOX_DIR (closed before `send_messages` returns, so a killed worker cannot lose an
e-mail it handed over), then the backend waits MAILBOX_DELAY seconds, as a mail server that is
slow to confirm. A worker killed in that wait has delivered the e-mail but not recorded it: the
window in which a fault makes a repeat.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from email import message_from_bytes
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(os.environ["MAILBOX_DIR"])
        for message in email_messages:
            (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
            time.sleep(float(os.environ.get("MAILBOX_DELAY", "0")))
        return len(email_messages)


def deliveries(folder: Path) -> Counter[str]:
    """How many times each Message-ID was delivered."""
    return Counter(
        str(message_from_bytes(path.read_bytes())["Message-ID"]) for path in folder.glob("*.eml")
    )
