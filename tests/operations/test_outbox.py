"""The outbox records each message as sent as soon as its e-mails are handed over, and stamps
every e-mail with a Message-ID derived from its row, so a repeat after a fault can be dropped."""

from __future__ import annotations

import pytest
from django.core import mail

from incidents import services
from servicedesk.models import OutboxMessage
from servicedesk.outbox import RENDERERS, dispatch_pending, enqueue

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """What a crash looks like from inside the dispatcher: nothing after it runs."""


def test_every_email_carries_a_message_id_from_its_row_the_same_on_every_attempt(agent, end_user):
    first = services.ticket_create(actor=agent, caller=end_user, title="Monitor is black")
    services.ticket_create(actor=agent, caller=end_user, title="Keyboard is dead")
    dispatch_pending()
    ids = [m.message()["Message-ID"] for m in mail.outbox]

    # The first ticket's receipt is sent again (as after a crash before its commit)
    OutboxMessage.objects.filter(ticket=first).update(sent_at=None)
    dispatch_pending()

    assert len(set(ids)) == 2  # one per row
    assert all(i.startswith("<outbox.") and i.endswith("@example.org>") for i in ids)
    assert mail.outbox[-1].message()["Message-ID"] == ids[0]  # the repeat has the same id


def test_a_crash_mid_run_leaves_the_messages_already_handed_over_recorded_as_sent(
    agent, end_user, monkeypatch
):
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Printer")
    monkeypatch.setitem(RENDERERS, "test.crash", lambda message: (_ for _ in ()).throw(WorkerDied()))
    enqueue("test.crash", ticket_id=ticket.pk)
    after = services.ticket_create(actor=agent, caller=end_user, title="Scanner")

    with pytest.raises(WorkerDied):
        dispatch_pending()

    # The receipt handed over before the crash is recorded; the one in flight and those after
    # it are still owed, for the next run.
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(ticket=ticket, kind="ticket.created").sent_at is not None
    assert OutboxMessage.objects.get(kind="test.crash").sent_at is None
    assert OutboxMessage.objects.get(ticket=after, kind="ticket.created").sent_at is None
