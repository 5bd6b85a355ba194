"""Answers to an item's order form, checked on the server against the item's field definitions.

The API and the console send answers in the same JSON shape: text and choices as strings, dates as
ISO strings (YYYY-MM-DD), yes/no as booleans, people as user ids. Anything else is refused by
field key, and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from servicedesk.errors import DomainError
from servicedesk.models import User
from servicedesk.text import is_storable

from .models import FieldType, FormField

MAX_TEXT_LENGTH = 2000
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class AnswersInvalid(DomainError):
    """Some answers do not fit the form; `errors` maps each field key to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(
            _("Check these answers: %(keys)s.") % {"keys": ", ".join(sorted(errors))}, field="answers"
        )
        self.errors = errors


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_user_id(value: object) -> bool:
    # Within a database id's range: a huge number is a wrong answer, not a database error.
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def clean_answers(fields: Sequence[FormField], answers: Mapping[str, object]) -> dict[str, Any]:
    """The answers as stored (optional fields left empty are omitted), or AnswersInvalid."""
    known = {field.key for field in fields}
    errors: dict[str, str] = {
        str(key): _("The form has no such field.") for key in answers if key not in known
    }
    wanted_people = [answers.get(f.key) for f in fields if f.type == FieldType.USER]
    # One query for every person named in the form.
    people = set(
        User.objects.filter(is_active=True, pk__in=[v for v in wanted_people if _is_user_id(v)]).values_list(
            "pk", flat=True
        )
    )
    cleaned: dict[str, Any] = {}
    for field in fields:
        value = answers.get(field.key)
        if _is_empty(value):
            if field.required:
                errors[field.key] = _("This field is required.")
            continue
        error, result = _clean_one(field, value, people)
        if error:
            errors[field.key] = error
        else:
            cleaned[field.key] = result
    if errors:
        raise AnswersInvalid(errors)
    return cleaned


def _clean_one(field: FormField, value: object, people: set[int]) -> tuple[str, Any]:
    """(error message, "") or ("", the value to store)."""
    if field.type == FieldType.YES_NO:
        return ("", value) if isinstance(value, bool) else (_("Answer yes or no."), "")
    if field.type == FieldType.USER:
        if _is_user_id(value) and value in people:
            return "", value
        return _("Choose an active person (their user id)."), ""
    if not isinstance(value, str):
        return _("Enter text."), ""
    if not is_storable(value):
        return _("The text contains a character that is not allowed."), ""
    text = value.strip()
    if field.type == FieldType.CHOICE:
        if text not in field.choices:
            return _("Choose one of: %(choices)s.") % {"choices": ", ".join(field.choices)}, ""
        return "", text
    if field.type == FieldType.DATE:
        try:
            if not ISO_DATE.fullmatch(text):
                raise ValueError(text)
            return "", date.fromisoformat(text).isoformat()
        except ValueError:
            return _("Enter a date as YYYY-MM-DD."), ""
    if len(text) > MAX_TEXT_LENGTH:
        return _("Write at most %(count)d characters.") % {"count": MAX_TEXT_LENGTH}, ""
    return "", text


@dataclass(frozen=True)
class AnswerLine:
    key: str
    label: str
    value: str


def answer_lines(fields: Iterable[FormField], answers: Mapping[str, Any]) -> list[AnswerLine]:
    """The answers for people to read, in form order; keys no longer on the form come last."""
    field_list = list(fields)
    people_ids = [answers[f.key] for f in field_list if f.type == FieldType.USER and f.key in answers]
    people = {user.pk: user for user in User.objects.filter(pk__in=people_ids)} if people_ids else {}
    lines = []
    for field in field_list:
        if field.key not in answers:
            continue
        value = answers[field.key]
        if field.type == FieldType.YES_NO:
            text = _("Yes") if value else _("No")
        elif field.type == FieldType.USER:
            person = people.get(value)
            text = f"{person} ({person.username})" if person else str(value)
        else:
            text = str(value)
        lines.append(AnswerLine(field.key, field.label, text))
    known = {f.key for f in field_list}
    lines.extend(AnswerLine(key, key, str(value)) for key, value in answers.items() if key not in known)
    return lines
