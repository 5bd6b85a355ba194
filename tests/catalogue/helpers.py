"""Small helpers shared by the catalogue tests."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from servicedesk.models import User

START = (timezone.localdate() + timedelta(days=7)).isoformat()


LINK = re.compile(r"https?://[^/\s]+(/console/catalogue/approve/[^/\s]+/)")


def link_path(message: mail.EmailMessage) -> str:
    """The path of the one-time approval link in an e-mail."""
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def mails_to(messages: list[mail.EmailMessage], user: User) -> list[mail.EmailMessage]:
    return [m for m in messages if user.email in m.to]
