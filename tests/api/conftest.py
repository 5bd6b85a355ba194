from __future__ import annotations

import pytest

from incidents.models import Ticket
from servicedesk.models import AssignmentGroup, User
from tests.factories import TicketFactory


@pytest.fixture
def ticket_of(first_line_group: AssignmentGroup):
    """A new ticket called in by the given person, waiting in the customer centre's queue."""

    def make(caller: User, **fields: object) -> Ticket:
        fields.setdefault("assignment_group", first_line_group)
        return TicketFactory(caller=caller, **fields)

    return make
