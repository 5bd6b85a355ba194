"""Signals other apps listen to, sent inside the transaction of the change they announce.

Receivers run in that transaction: what they write commits or rolls back with the change.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent by services.ticket_resolve after the ticket is resolved; kwargs: ticket, actor.
ticket_resolved = Signal()
