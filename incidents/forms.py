"""Console forms. They only validate input and map domain errors to fields; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import F, Q, QuerySet
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from servicedesk.errors import DomainError
from servicedesk.models import AGENT_ROLES, AssignmentGroup, Category, Service, User

from .models import LEVEL_CHOICES, Channel, Kind, PendingReason, ResolutionCode, parse_number

# The empty option of a select, as Django's own model choice fields show it.
BLANK = ("", BLANK_CHOICE_LABEL)


class ConsoleForm(forms.Form):
    """A console form: labels without a trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is Oslo wall-clock time (the active zone)."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class DomainErrorMixin:
    """Show a service's DomainError on the form field it names (or above the form)."""

    # Service argument name → form field name, where the two differ.
    domain_fields: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        field = self.domain_fields.get(error.field or "", error.field)
        form.add_error(field if field in form.fields else None, error.message)


class CategoryChoiceField(forms.ModelChoiceField):
    # Category.__str__ reads its parent (and the parent's parent): label from the one selected
    # parent instead, so the option list stays one query.
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.name} / {obj.name}" if obj.parent else obj.name


def active_categories(service: Service | None = None) -> QuerySet[Category]:
    """Active categories, each top-level one then its children: "Access", "Access / Login", …

    With a service: only those offered for it (linked to it, or linked to no service at all).
    """
    categories = Category.objects.filter(active=True)
    if service is not None:
        links = Category.services.through.objects
        categories = categories.filter(
            Q(pk__in=links.filter(service=service).values("category"))
            | ~Q(pk__in=links.values("category"))
        )
    return categories.select_related("parent").order_by(
        Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name"
    )


def chosen_service(value: object) -> Service | None:
    """The active service a form's raw value names, if any."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    return Service.objects.filter(pk=pk, active=True).first()


def group_members() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, assignment_groups__active=True)
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


OUTCOME_KEEP = "keep"
OUTCOME_RESOLVE = "resolve"
OUTCOME_ESCALATE = "escalate"


class LogCallForm(DomainErrorMixin, ConsoleForm):
    """The first-line agent's one-submit form: who called, what about, and what happens now."""

    domain_fields = {
        "code": "resolution_code",
        "note": "resolution_note",
        "group": "escalate_to",
        "assignment_group": "escalate_to",
    }

    # The customer-centre contact this call came in on (from "Answer"), linked to the ticket.
    contact = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    # The caller is picked from look-up results (radio buttons named "caller").
    caller = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        label=_("Caller"),
        error_messages={
            "required": _("Choose the caller: search by name, phone or e-mail and pick one."),
            "invalid_choice": _("That caller does not exist or is no longer active."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Kind.choices, initial=Kind.INCIDENT, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(active=True).order_by("tier", "name"),
        label=_("Service"),
        required=False,
    )
    # Narrowed to the chosen service's categories in __init__: only those are offered and valid.
    category = CategoryChoiceField(
        queryset=active_categories(),
        label=_("Category"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the categories of the chosen service.")},
    )
    impact = forms.TypedChoiceField(label=_("Impact"), choices=LEVEL_CHOICES, coerce=int, initial=3)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=LEVEL_CHOICES, coerce=int, initial=3)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (OUTCOME_KEEP, _("Keep and work on it")),
            (OUTCOME_RESOLVE, _("Resolve now")),
            (OUTCOME_ESCALATE, _("Escalate to group")),
        ],
        initial=OUTCOME_KEEP,
        widget=forms.RadioSelect,
    )
    resolution_code = forms.ChoiceField(
        label=_("Resolution code"),
        choices=[BLANK, *ResolutionCode.choices],
        required=False,
    )
    resolution_note = forms.CharField(
        label=_("Resolution note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    escalate_to = forms.ModelChoiceField(
        queryset=AssignmentGroup.objects.filter(active=True).order_by("level", "name"),
        label=_("Escalate to group"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = self.data.get("service") if self.is_bound else self.initial.get("service")
        if service:
            category_field: CategoryChoiceField = self.fields["category"]  # type: ignore[assignment]
            category_field.queryset = active_categories(
                service if isinstance(service, Service) else chosen_service(service)
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == OUTCOME_RESOLVE:
            if not data.get("resolution_code"):
                self.add_error("resolution_code", _("Choose a resolution code."))
            if not (data.get("resolution_note") or "").strip():
                self.add_error("resolution_note", _("Describe the resolution."))
        elif outcome == OUTCOME_ESCALATE and not data.get("escalate_to"):
            self.add_error("escalate_to", _("Choose the group to escalate to."))
        return data

    def log_call_arguments(self) -> dict[str, Any]:
        """The keyword arguments for services.log_call (besides actor) from the valid form."""
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            field: data[field]
            for field in (
                "caller",
                "kind",
                "channel",
                "service",
                "category",
                "impact",
                "urgency",
                "title",
                "description",
            )
        }
        if data["outcome"] == OUTCOME_RESOLVE:
            arguments.update(resolve_code=data["resolution_code"], resolve_note=data["resolution_note"])
        elif data["outcome"] == OUTCOME_ESCALATE:
            arguments["escalate_to"] = data["escalate_to"]
        return arguments


class CommentForm(ConsoleForm):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(
        label=_("Internal (IT staff only)"), required=False, initial=False
    )

    def __init__(self, *args: Any, agent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not agent:
            del self.fields["internal"]


class AttachmentForm(ConsoleForm):
    file = forms.FileField(label=_("File"))
    internal = forms.BooleanField(label=_("Internal (IT staff only)"), required=False)

    def __init__(self, *args: Any, agent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not agent:
            del self.fields["internal"]


class PendForm(ConsoleForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=[BLANK, *PendingReason.choices])


class ResolveForm(ConsoleForm):
    code = forms.ChoiceField(
        label=_("Resolution code"), choices=[BLANK, *ResolutionCode.choices]
    )
    note = forms.CharField(label=_("Resolution note"), widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(ConsoleForm):
    reason = forms.CharField(label=_("Why reopen?"), required=False, max_length=500)


class AssignForm(ConsoleForm):
    group = forms.ModelChoiceField(
        queryset=AssignmentGroup.objects.filter(active=True).order_by("level", "name"),
        label=_("Group"),
    )
    assignee = forms.ModelChoiceField(
        queryset=group_members(),
        label=_("Assignee"),
        required=False,
        help_text=_("Optional: a member of the group. Empty puts the ticket in the group's queue."),
    )


class EscalateForm(ConsoleForm):
    group = forms.ModelChoiceField(
        queryset=AssignmentGroup.objects.filter(active=True).order_by("level", "name"),
        label=_("Group"),
    )


class EmptyForm(ConsoleForm):
    pass


# --- major incidents ---------------------------------------------------------------------------


class DeclareMajorForm(ConsoleForm):
    impact_start = forms.DateTimeField(
        label=_("Impact start"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("When the service was first affected. Empty: when the ticket was logged."),
    )
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.filter(active=True).order_by("tier", "name"),
        label=_("Affected services"),
        required=False,
        help_text=_("Empty: the ticket's service."),
    )


class EndMajorForm(ConsoleForm):
    restored_at = forms.DateTimeField(
        label=_("Service restored"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Empty: now."),
    )


class LinkForm(ConsoleForm):
    ticket = forms.CharField(
        label=_("Related ticket"), max_length=20, help_text=_("Its number, e.g. INC0001234.")
    )

    def clean_ticket(self) -> int:
        value = self.cleaned_data["ticket"].strip()
        pk = parse_number(value) or (int(value) if value.isdigit() else None)
        if pk is None:
            raise forms.ValidationError(_("Enter a ticket number such as INC0001234."))
        return pk


class ReviewForm(ConsoleForm):
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(label=_("Actions"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role__in=AGENT_ROLES).order_by(
            "last_name", "first_name", "id"
        ),
        label=_("Owner of the actions"),
    )
    due = forms.DateField(label=_("Actions due"), widget=forms.DateInput(attrs={"type": "date"}))


class OutageForm(ConsoleForm):
    """A manager corrects an outage's start and end (empty end: still ongoing)."""

    started_at = forms.DateTimeField(label=_("Impact start"), widget=LocalDateTimeInput())
    ended_at = forms.DateTimeField(label=_("End"), required=False, widget=LocalDateTimeInput())
