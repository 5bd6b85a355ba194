"""The person picker: staff found by name, as select options (without JavaScript) or JSON (as
you type, console_list.js). Only staff the agent may see (selectors.staff_visible_to)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from servicedesk.api import people_matching
from servicedesk.models import User

from .selectors import staff_visible_to

PEOPLE_RESULTS = 10


def people_found(user: User, query: str, group_id: int | None = None) -> QuerySet[User]:
    """Up to ten staff the user may see whose name (or user name, e-mail) matches every word;
    with a group, only its members. Nothing for fewer than two characters."""
    query = query.strip()[:100]
    staff = staff_visible_to(user)
    if len(query) < 2:
        return staff.none()
    if group_id is not None:
        staff = staff.filter(assignment_groups=group_id)
    return people_matching(staff, query).order_by("last_name", "first_name", "id")[:PEOPLE_RESULTS]


def person_label(person: User) -> str:
    return f"{person} ({person.username})"


def person_choices(user: User, selected: str, query: str) -> list[tuple[str, str]]:
    """The assignee filter's options: anyone, me, unassigned, the chosen person, those found."""
    choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))]
    selected = selected.strip()
    people = list(people_found(user, query))
    if selected.isdigit() and all(str(p.pk) != selected for p in people):
        chosen = staff_visible_to(user).filter(pk=int(selected)).first()
        # An id of someone not shown stays a valid filter, shown by its number only.
        choices.append((selected, person_label(chosen) if chosen else f"#{selected}"))
    choices.extend((str(p.pk), person_label(p)) for p in people)
    return choices
