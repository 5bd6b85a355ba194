"""Bulk actions on tickets chosen in the list: assign, escalate, change priority.

Each row goes through the same service as on the ticket page, so each writes its history.
The rule, as agents expect it: every ticket is checked first; those the actor may not change (or
that cannot take the action in their state) are refused and reported one by one; all the others
change in one transaction: all of them or, if one fails on its locked row, none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.errors import DomainError
from servicedesk.models import AssignmentGroup, User

from . import services
from .models import ALLOWED_TRANSITIONS, LEVEL_CHOICES, PriorityRule, State, Ticket
from .selectors import tickets_visible_to

ASSIGN = "assign"
ESCALATE = "escalate"
PRIORITY = "priority"
# More rows than one list page holds is not a console action but a data fix.
MAX_ROWS = 100


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[
            ("", gettext_lazy("Choose an action")),
            (ASSIGN, gettext_lazy("Assign")),
            (ESCALATE, gettext_lazy("Escalate to a group")),
            (PRIORITY, gettext_lazy("Change priority")),
        ],
    )
    tickets = forms.TypedMultipleChoiceField(
        coerce=int,
        label=gettext_lazy("Tickets"),
        error_messages={"required": gettext_lazy("Select at least one ticket.")},
    )
    group = forms.ModelChoiceField(
        queryset=AssignmentGroup.objects.filter(active=True).order_by("level", "name"),
        required=False,
        label=gettext_lazy("Group"),
    )
    assignee = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label=gettext_lazy("Person"),
    )
    impact = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, choices=[("", "—"), *LEVEL_CHOICES],
        label=gettext_lazy("Impact"),
    )
    urgency = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, choices=[("", "—"), *LEVEL_CHOICES],
        label=gettext_lazy("Urgency"),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.actor = actor
        data = args[0] if args else kwargs.get("data")
        # Any id is a valid choice here; which ones the actor may change is decided per row.
        ids = [value for value in (data.getlist("tickets") if data is not None else []) if value.isdigit()]
        tickets = self.fields["tickets"]
        assert isinstance(tickets, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        tickets.choices = [(value, value) for value in ids[: MAX_ROWS + 1]]
        person = data.get("assignee", "") if data is not None else ""
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        assignee.choices = [("", "—")] + ([(person, person)] if person.isdigit() else [])

    def clean_tickets(self) -> list[int]:
        ids: list[int] = self.cleaned_data["tickets"]
        if len(ids) > MAX_ROWS:
            raise forms.ValidationError(_("Select at most %(max)d tickets at a time.") % {"max": MAX_ROWS})
        return ids

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        group: AssignmentGroup | None = data.get("group")
        if action in (ASSIGN, ESCALATE) and group is None and "group" not in self.errors:
            self.add_error("group", _("Choose the group."))
        if action == ASSIGN and group is not None and data.get("assignee") is not None:
            # Refused before any row is touched: the service would refuse every row anyway.
            person = group.members.filter(pk=data["assignee"], is_active=True).first()
            if person is None:
                self.add_error(
                    "assignee",
                    _("That person is not a member of %(group)s. Choose a member, or no one to put "
                      "the tickets in the group's queue.") % {"group": group.name},
                )
            data["person"] = person
        if action == PRIORITY:
            missing = {"impact": _("Choose the impact."), "urgency": _("Choose the urgency.")}
            for name, message in missing.items():
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, message)
            impact, urgency = data.get("impact"), data.get("urgency")
            cell = PriorityRule.objects.filter(impact=impact or 0, urgency=urgency or 0)
            if impact and urgency and not cell.exists():
                self.add_error(None, _("The priority matrix has no cell for that impact and urgency."))
        return data


@dataclass
class Refusal:
    number: str
    reason: str


@dataclass
class BulkResult:
    changed: list[Ticket] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    # A row that failed on its locked state while the others were written: all were rolled back.
    failed: Refusal | None = None


def _refusal(actor: User, ticket: Ticket, action: str, data: dict[str, Any]) -> str | None:
    """Why this row may not take the action, checked on the rows as read (the services check
    again on the locked rows)."""
    if not services.can_work_on(actor, ticket):
        return _("You may not change tickets of another group.")
    if action in (ASSIGN, ESCALATE) and State.ASSIGNED not in ALLOWED_TRANSITIONS[ticket.state]:
        return _("A %(state)s ticket cannot be assigned.") % {"state": State(ticket.state).label.lower()}
    if action == ESCALATE and data["group"].pk == ticket.assignment_group_id:
        return _("The ticket is already with that group.")
    if action == PRIORITY and ticket.state == State.CLOSED:
        return _("A closed ticket cannot be edited.")
    return None


def _writer(action: str, actor: User, data: dict[str, Any]) -> Callable[[Ticket], Ticket]:
    if action == ASSIGN:
        return lambda ticket: services.ticket_assign(
            ticket=ticket, actor=actor, group=data["group"], assignee=data.get("person")
        )
    if action == ESCALATE:
        return lambda ticket: services.ticket_escalate(ticket=ticket, actor=actor, group=data["group"])
    return lambda ticket: services.ticket_update(
        ticket=ticket, actor=actor, impact=data["impact"], urgency=data["urgency"]
    )


def bulk_apply(*, actor: User, data: dict[str, Any]) -> BulkResult:
    """Apply a validated BulkForm's action to its tickets (see the module's docstring)."""
    ids: list[int] = data["tickets"]
    tickets = {t.pk: t for t in tickets_visible_to(actor).filter(pk__in=ids)}
    result = BulkResult()
    allowed = []
    for pk in ids:
        ticket = tickets.get(pk)
        if ticket is None:  # not visible: say no more than that it is not there
            result.refused.append(Refusal(f"#{pk}", _("No such ticket.")))
            continue
        reason = _refusal(actor, ticket, data["action"], data)
        if reason:
            result.refused.append(Refusal(ticket.number, reason))
        else:
            allowed.append(ticket)
    write = _writer(data["action"], actor, data)
    number = ""
    try:
        with transaction.atomic():
            for ticket in allowed:
                number = ticket.number
                result.changed.append(write(ticket))
    except DomainError as error:
        result.changed = []
        result.failed = Refusal(number, error.message)
    return result
