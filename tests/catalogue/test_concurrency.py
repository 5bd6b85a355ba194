"""The last two fulfilment tasks resolved at the same instant still fulfil the order, once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from catalogue import services
from catalogue.models import RequestState
from incidents import services as tickets
from incidents.models import EventAction, State, Ticket, TicketEvent
from servicedesk.models import Role
from tests.factories import AssignmentGroupFactory, UserFactory

from .factories import TaskTemplateFactory

# serialized_rollback: keep the migrations' seed data (the priority matrix) across the flush.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 5


def _resolve_all_at_once(tasks: list[Ticket], resolvers: list) -> None:
    barrier = threading.Barrier(len(tasks))
    errors: list[BaseException] = []

    def resolve(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            tickets.ticket_resolve(ticket=tasks[index], actor=resolvers[index], code="fulfilled", note="Done")
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=resolve, args=(i,)) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_two_last_tasks_resolved_at_once_fulfil_the_order(first_line_group, access_item, requester):
    # Given an item without approvals whose order makes two tasks for two different groups
    access_item.approval_steps.all().delete()
    access_item.task_templates.all().delete()
    resolvers = []
    for name in ("Workstation", "Network"):
        resolver = UserFactory(role=Role.RESOLVER)
        TaskTemplateFactory(
            item=access_item, title=name, group=AssignmentGroupFactory(name=name, members=[resolver])
        )
        resolvers.append(resolver)
    answers = {"application": "DIPS", "role_needs": "x", "start_date": "2030-01-01"}

    for _ in range(ROUNDS):
        order = services.request_submit(item=access_item, requester=requester, answers=answers)
        tasks = list(Ticket.objects.filter(parent_id=order.pk).order_by("title"))
        assert len(tasks) == 2

        # When both resolvers resolve their task at the same instant
        _resolve_all_at_once([tasks[1], tasks[0]], resolvers)  # Workstation, Network

        # Then the order is fulfilled and its ticket resolved exactly once
        order.refresh_from_db()
        assert order.state == RequestState.FULFILLED
        assert Ticket.objects.get(pk=order.pk).state == State.RESOLVED
        resolved_events = TicketEvent.objects.filter(
            ticket_id=order.pk, action=EventAction.RESOLVED, field="state"
        )
        assert resolved_events.count() == 1
