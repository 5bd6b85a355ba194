"""The customer centre moved out of `incidents` into its own app (issue 11, "a room per domain"):
an existing database keeps every contact, queue and ticket link across the migration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from contacts.models import Contact
from tests.factories import AssignmentGroupFactory, TicketFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BEFORE = [("contacts", None), ("imports", "0001_initial"), ("incidents", "0014_time_left_index")]


def test_migrating_an_existing_database_keeps_every_contact_and_its_tickets():
    group = AssignmentGroupFactory()
    ticket = TicketFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # the schema as it was: contacts inside incidents
    old = executor.loader.project_state(BEFORE[1:]).apps
    queue = old.get_model("incidents", "ContactQueue").objects.create(
        code="main", name="Hovednummer", group_id=group.pk
    )
    contact = old.get_model("incidents", "Contact").objects.create(
        external_id="call-1", queue=queue, offered_at=timezone.now(), state="offered"
    )
    contact.tickets.add(ticket.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = Contact.objects.select_related("queue").get(external_id="call-1")
    assert moved.pk == contact.pk and moved.queue.name == "Hovednummer"
    assert list(moved.tickets.values_list("pk", flat=True)) == [ticket.pk]
