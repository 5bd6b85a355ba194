"""Console forms of the catalogue. They collect input; catalogue.services checks and writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.forms import BLANK, ConsoleForm
from servicedesk.models import User

from .models import FieldType, FormField

YES = "yes"
NO = "no"


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's date picker sends YYYY-MM-DD, the format the service wants


def _widget(definition: FormField) -> forms.Widget:
    if definition.type == FieldType.CHOICE:
        return forms.Select(choices=[BLANK, *((choice, choice) for choice in definition.choices)])
    if definition.type == FieldType.DATE:
        return DateInput()
    if definition.type == FieldType.YES_NO:
        return forms.RadioSelect(choices=[(YES, _("Yes")), (NO, _("No"))])
    if definition.type == FieldType.USER:
        return forms.TextInput(attrs={"autocomplete": "off", "maxlength": 150})
    return forms.TextInput(attrs={"maxlength": 2000})


def _help_text(definition: FormField) -> str:
    if definition.type == FieldType.USER:
        hint = _("Their user name or e-mail address.")
        return f"{definition.help_text} {hint}" if definition.help_text else hint
    return definition.help_text


class OrderForm(ConsoleForm):
    """An item's order form, built from its field definitions.

    It only collects answers: they are checked by services.request_submit against the same
    definitions as API orders are, and its messages are shown on the fields. The fields are
    therefore optional here; the required ones carry the browser's `required` and say so.
    """

    def __init__(self, *args: Any, definitions: Sequence[FormField], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "answer")
        super().__init__(*args, **kwargs)
        self.definitions = {definition.key: definition for definition in definitions}
        for definition in definitions:
            widget = _widget(definition)
            if definition.required:
                widget.attrs["required"] = True
            self.fields[definition.key] = forms.CharField(
                label=definition.label,
                required=False,
                help_text=_help_text(definition),
                widget=widget,
                label_suffix=f" ({_('required')})" if definition.required else "",
            )

    def answers(self) -> dict[str, object]:
        """The answers in the API's shape (yes/no as booleans, people as user ids)."""
        answers: dict[str, object] = {}
        for key, definition in self.definitions.items():
            value: str = self.cleaned_data.get(key) or ""
            if not value:
                continue
            if definition.type == FieldType.YES_NO:
                answers[key] = {YES: True, NO: False}.get(value, value)
            elif definition.type == FieldType.USER:
                answers[key] = _person_id(value)
            else:
                answers[key] = value
        return answers

    def add_answer_errors(self, errors: Mapping[str, str]) -> None:
        for key, message in errors.items():
            self.add_error(key if key in self.fields else None, message)


def _person_id(text: str) -> int | str:
    """The active person with that user name or e-mail; the text itself (refused later) if none."""
    person = (
        User.objects.filter(is_active=True)
        .filter(Q(username__iexact=text) | Q(email__iexact=text))
        .order_by("pk")
        .only("pk")
        .first()
    )
    return person.pk if person else text


class ApproveForm(ConsoleForm):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(ConsoleForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The requester is told this reason."),
        error_messages={"required": gettext_lazy("Give a reason for the rejection.")},
    )
