"""Console forms for changes. They only validate input and map domain errors to fields; services
write."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incidents.forms import BLANK, ConsoleForm, DomainErrorMixin, LocalDateTimeInput
from incidents.models import LEVEL_CHOICES, Kind, Ticket, parse_number
from servicedesk.models import AGENT_ROLES, AssignmentGroup, Service, User

from .models import ChangeType, Outcome, Release, RiskQuestion, StandardChangeTemplate
from .services import CONTENT_FIELDS


class TicketNumbersField(forms.CharField):
    """Tickets by their numbers, e.g. "INC0001234, REQ0001235"."""

    def __init__(self, *, kinds: tuple[str, ...] = tuple(Kind.values), **kwargs: Any) -> None:
        self.kinds = kinds
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | QuerySet):
            return ", ".join(ticket.number for ticket in value)
        return value

    def clean(self, value: Any) -> list[Ticket]:
        text = super().clean(value)
        words = [word for word in re.split(r"[\s,;]+", text) if word]
        ids = [parse_number(word) for word in words]
        bad = [word for word, pk in zip(words, ids, strict=True) if pk is None]
        tickets = list(
            Ticket.objects.filter(pk__in=[pk for pk in ids if pk is not None], kind__in=self.kinds)
        )
        found = {ticket.pk for ticket in tickets}
        bad += [word for word, pk in zip(words, ids, strict=True) if pk is not None and pk not in found]
        if bad:
            raise forms.ValidationError(
                _("Unknown ticket numbers: %(numbers)s"), params={"numbers": ", ".join(bad)}
            )
        return tickets


class ChangeForm(DomainErrorMixin, ConsoleForm):
    """Raise or edit a change. Once approval is requested only the link fields remain editable."""

    change_type = forms.ChoiceField(
        label=_("Type"), choices=ChangeType.choices, initial=ChangeType.NORMAL, widget=forms.RadioSelect
    )
    template = forms.ModelChoiceField(
        queryset=StandardChangeTemplate.objects.filter(active=True),
        label=_("Standard change template"),
        required=False,
        help_text=_("Required for a standard change; its plans are used where yours are empty."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    justification = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.filter(active=True).order_by("tier", "name"),
        label=_("Affected services"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    impact = forms.TypedChoiceField(label=_("Impact"), choices=LEVEL_CHOICES, coerce=int, initial=3)
    implementation_plan = forms.CharField(
        label=_("Implementation plan"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    backout_plan = forms.CharField(
        label=_("Back-out plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    test_plan = forms.CharField(
        label=_("Test plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_start = forms.DateTimeField(label=_("Planned start"), required=False, widget=LocalDateTimeInput())
    planned_end = forms.DateTimeField(label=_("Planned end"), required=False, widget=LocalDateTimeInput())
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role__in=AGENT_ROLES).order_by(
            "last_name", "first_name", "id"
        ),
        label=_("Change owner"),
        required=False,
    )
    implementer_group = forms.ModelChoiceField(
        queryset=AssignmentGroup.objects.filter(active=True).order_by("level", "name"),
        label=_("Implementer group"),
        required=False,
    )
    release = forms.ModelChoiceField(queryset=Release.objects.all(), label=_("Release"), required=False)
    fixes = TicketNumbersField(
        label=_("Fixes tickets"), help_text=_("Ticket numbers, e.g. INC0001234, separated by commas.")
    )
    caused_incidents = TicketNumbersField(
        label=_("Caused incidents"),
        kinds=(Kind.INCIDENT,),
        help_text=_("Incident numbers, e.g. INC0001234, separated by commas."),
    )

    def __init__(self, *args: Any, creating: bool, content_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["change_type"], self.fields["template"]
        if not content_editable:
            for name in CONTENT_FIELDS:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("change_type") == ChangeType.STANDARD and not data.get("template"):
            self.add_error("template", _("Choose the template of the standard change."))
        return data


class AssessForm(DomainErrorMixin, ConsoleForm):
    """The risk questionnaire: one yes/no question per active risk question, and the impact."""

    domain_fields = {"answers": "__all__"}

    impact = forms.TypedChoiceField(label=_("Impact"), choices=LEVEL_CHOICES, coerce=int)

    def __init__(self, *args: Any, questions: list[RiskQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[int, bool]:
        return {question.pk: self.cleaned_data[f"q{question.pk}"] for question in self.questions}


class ApproveForm(ConsoleForm):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class ReasonForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleForm(ConsoleForm):
    planned_start = forms.DateTimeField(label=_("Planned start"), widget=LocalDateTimeInput())
    planned_end = forms.DateTimeField(label=_("Planned end"), widget=LocalDateTimeInput())


class CompleteForm(ConsoleForm):
    outcome = forms.ChoiceField(label=pgettext_lazy("change", "Outcome"), choices=[BLANK, *Outcome.choices])
    notes = forms.CharField(
        label=_("Implementation notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(ConsoleForm):
    review_notes = forms.CharField(
        label=_("Post-implementation review"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class CalendarForm(ConsoleForm):
    view = forms.ChoiceField(
        label=_("View"), required=False, choices=[("week", _("Week")), ("month", _("Month"))]
    )
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(active=True).order_by("tier", "name"),
        label=_("Service"),
        required=False,
        empty_label=_("All services"),
    )
