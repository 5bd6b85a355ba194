"""The ticket page's edit and assign forms (console). They validate; incidents.services writes."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servicedesk.models import AssignmentGroup, Category, Service, User

from .forms import CategoryChoiceField, ConsoleForm, DomainErrorMixin
from .models import LEVEL_CHOICES, Ticket

# The fields an agent edits on the ticket page; each goes through services.ticket_update, which
# writes one history row per changed field and takes the priority from impact × urgency.
EDIT_FIELDS = ("title", "service", "category", "impact", "urgency")


class TicketEditForm(DomainErrorMixin, ConsoleForm):
    """Title, service, category, impact and urgency of one ticket, filled with its values.

    Priority is not typed in: it is the priority matrix's cell for impact × urgency, as when the
    call was logged, so the two can never disagree. A retired service or category the ticket
    still has stays selectable, so saving other fields does not clear it.
    """

    title = forms.CharField(label=_("Title"), max_length=200)
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=_("Service"), required=False)
    category = CategoryChoiceField(queryset=Category.objects.none(), label=_("Category"), required=False)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=LEVEL_CHOICES, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=LEVEL_CHOICES, coerce=int)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "edit_%s")
        # Ids, not objects: reading ticket.service here would cost a query per page.
        kwargs.setdefault(
            "initial",
            {
                "title": ticket.title,
                "service": ticket.service_id,
                "category": ticket.category_id,
                "impact": ticket.impact,
                "urgency": ticket.urgency,
            },
        )
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        service_field = cast(forms.ModelChoiceField, self.fields["service"])
        category_field = cast(CategoryChoiceField, self.fields["category"])
        service_field.queryset = Service.objects.filter(Q(active=True) | Q(pk=ticket.service_id)).order_by(
            "tier", "name"
        )
        # A new impact or urgency shows the priority it gives before saving (htmx).
        for name in ("impact", "urgency"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("console:ticket-priority", kwargs={"pk": ticket.pk}),
                    "hx-trigger": "change",
                    "hx-target": "#edit-priority",
                    "hx-include": "#edit_impact, #edit_urgency",
                }
            )
        # As the log-a-call form: each top-level category, then its children.
        category_field.queryset = (
            Category.objects.filter(Q(active=True) | Q(pk=ticket.category_id))
            .select_related("parent")
            .order_by(Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name")
        )

    def changes(self) -> dict[str, Any]:
        """The valid form's values that differ from the ticket's."""
        return {
            name: value for name, value in self.cleaned_data.items() if getattr(self.ticket, name) != value
        }


def members_of(group: AssignmentGroup | None) -> QuerySet[User]:
    """Who a ticket of the group may be assigned to: its active members, by name."""
    if group is None:
        return User.objects.none()
    return group.members.filter(is_active=True).order_by("last_name", "first_name", "id")


class TicketAssignForm(DomainErrorMixin, ConsoleForm):
    """Hand the ticket to a group, optionally to one of its members, with a work note.

    The assignee list holds only the chosen group's members (reloaded with htmx when the group
    changes; without JavaScript a wrong pick is a form error). Anyone else is refused here,
    before anything is saved.
    """

    domain_fields = {"group": "group", "assignee": "assignee", "note": "note"}

    group = forms.ModelChoiceField(
        queryset=AssignmentGroup.objects.filter(active=True).order_by("level", "name"),
        label=_("Group"),
        error_messages={"invalid_choice": _("That group does not exist or is no longer active.")},
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        label=_("Assignee"),
        required=False,
        help_text=_("Optional: a member of the group. Empty puts the ticket in the group's queue."),
        error_messages={"invalid_choice": _("That person does not exist or is no longer active.")},
    )
    note = forms.CharField(
        label=_("Work note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why it moves, and what the next person needs to know. Kept in the ticket's history."),
        error_messages={"required": _("Write a work note: why the ticket moves, and what is known so far.")},
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "assign_%s")
        kwargs.setdefault("initial", {"group": ticket.assignment_group_id, "assignee": ticket.assignee_id})
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.show_members_of(ticket.assignment_group if not self.is_bound else self._bound_group())
        # A new group reloads the assignee list with its members (htmx; the page works without).
        self.fields["group"].widget.attrs.update(
            {
                "hx-get": reverse("console:ticket-assignees", kwargs={"pk": ticket.pk}),
                "hx-trigger": "change",
                "hx-target": "#assign-assignee",
                "hx-swap": "innerHTML",
            }
        )

    def _bound_group(self) -> AssignmentGroup | None:
        field = self.fields["group"]
        try:
            group: AssignmentGroup | None = field.clean(self.data.get(self.add_prefix("group")))
        except forms.ValidationError:
            return None
        return group

    def show_members_of(self, group: AssignmentGroup | None) -> None:
        """The assignee options shown: the group's members only (validation still sees everyone,
        so a wrong pick gets the clear message below rather than "not one of the choices")."""
        self.fields["assignee"].widget.choices = forms.ModelChoiceField(
            queryset=members_of(group), required=False
        ).choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        group, assignee = data.get("group"), data.get("assignee")
        if group is None:
            return data
        if assignee is not None and not members_of(group).filter(pk=assignee.pk).exists():
            self.add_error(
                "assignee",
                _("%(person)s is not a member of %(group)s. Choose someone from the list, or leave it empty.")
                % {"person": assignee, "group": group.name},
            )
        elif group.pk == self.ticket.assignment_group_id and (assignee.pk if assignee else None) == (
            self.ticket.assignee_id
        ):
            self.add_error("group", _("The ticket is already there: choose another group or person."))
        return data
