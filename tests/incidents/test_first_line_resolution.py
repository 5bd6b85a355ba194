"""First-line resolution is derived from what the services record (DESIGN.md's definition)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.kpi import first_line_resolution
from incidents.models import Ticket
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _resolved(agent, **fields):
    ticket = TicketFactory(assignee=agent, state="in_progress", **fields)
    return services.ticket_resolve(ticket=ticket, actor=agent, code="solved", note="Fixed")


def _age_resolution(ticket, days):
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=days))
    ticket.refresh_from_db()


def test_first_line_resolution_counts_only_tickets_kept_and_solved_at_first_line(
    agent, end_user, first_line_group, second_line_group
):
    # 1. Resolved at first line: counts.
    _resolved(agent, assignment_group=first_line_group)
    # 2. Escalated to second line and back, then resolved at first line: does not count.
    back = TicketFactory(assignment_group=first_line_group)
    services.ticket_escalate(ticket=back, actor=agent, group=second_line_group)
    services.ticket_assign(ticket=back, actor=agent, group=first_line_group, assignee=agent)
    services.ticket_resolve(ticket=back, actor=agent, code="solved", note="Fixed")
    # 3. Reopened 2 days after resolving, resolved again at first line: does not count.
    soon = _resolved(agent, assignment_group=first_line_group)
    _age_resolution(soon, days=2)
    services.ticket_reopen(ticket=soon, actor=agent)
    services.ticket_resolve(ticket=soon, actor=agent, code="solved", note="Fixed again")
    # 4. Reopened 8 days after resolving, resolved again at first line: counts.
    late = _resolved(agent, assignment_group=first_line_group)
    _age_resolution(late, days=8)
    services.ticket_reopen(ticket=late, actor=agent)
    services.ticket_resolve(ticket=late, actor=agent, code="solved", note="New fault")
    # 5. Resolved by second line: does not count. 6. Still open: not in the base.
    resolver_ticket = TicketFactory(assignment_group=second_line_group)
    services.ticket_resolve(ticket=resolver_ticket, actor=agent, code="solved", note="Fixed")
    TicketFactory(assignment_group=first_line_group)

    figures = first_line_resolution(Ticket.objects.all())

    # Hand count: resolved = tickets 1-5 = 5; at first line = tickets 1 and 4 = 2; 2/5 = 40 %.
    assert (figures.resolved, figures.at_first_line) == (5, 2)
    assert figures.rate == pytest.approx(0.4)


def test_an_order_fulfilled_by_another_groups_task_is_not_a_first_line_resolution(
    agent, first_line_group, second_line_group
):
    order = TicketFactory(assignment_group=first_line_group, kind="request")
    TicketFactory(
        assignment_group=second_line_group,
        parent=order,
        state="resolved",
        resolved_by_group=second_line_group,
    )
    services.ticket_resolve(ticket=order, actor=agent, code="fulfilled", note="Delivered")

    figures = first_line_resolution(Ticket.objects.filter(pk=order.pk))

    assert (figures.resolved, figures.at_first_line) == (1, 0)
