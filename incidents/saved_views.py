"""Saved views of the ticket list: three built in, and any filter set an agent saves by name,
for themselves or shared with one of their groups. A view is the list's query string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _

from servicedesk.models import AssignmentGroup, User

from .filters import TicketFilter
from .models import SavedView
from .selectors import user_group_ids

# Query parameters a view keeps: the filters and the sort order, never the page number.
VIEW_PARAMETERS = frozenset(TicketFilter.base_filters) | {"sort"}


@dataclass(frozen=True)
class BuiltinView:
    name: Any  # a lazy translation
    query: str


BUILTIN_VIEWS = (
    BuiltinView(_("My open tickets"), "assignee=me&open=true&sort=priority"),
    BuiltinView(_("My group's unassigned"), "my_groups=true&assignee=none&open=true&sort=priority"),
    BuiltinView(_("About to breach"), "resolution_sla=at_risk&sort=time_left"),
)


def normalised_query(params: QueryDict) -> str:
    """The filter part of a list query string, in a stable order, empty values left out."""
    kept = QueryDict(mutable=True)
    for key in sorted(params):
        values = [str(value) for value in params.getlist(key)]
        if key in VIEW_PARAMETERS:
            values = [value for value in values if value.strip()]
            if values:
                kept.setlist(key, values)
    return kept.urlencode()


def saved_views_for(user: User) -> QuerySet[SavedView]:
    """The user's own views and those shared with one of their groups (one query)."""
    shared = Q(shared_with__in=user_group_ids(user))
    return SavedView.objects.filter(Q(owner=user) | shared).select_related("owner", "shared_with")


def saved_view_delete(*, view_id: object, actor: User) -> None:
    """Delete one of the actor's own views; another's (even shared with them) is not found."""
    try:
        pk = int(str(view_id))
    except ValueError:
        raise Http404 from None
    deleted, _rows = SavedView.objects.filter(pk=pk, owner=actor).delete()
    if not deleted:
        raise Http404


class SavedViewForm(forms.ModelForm):
    """Name and optional sharing of the filters shown; the query comes from the list's URL."""

    shared_with = forms.ModelChoiceField(
        queryset=AssignmentGroup.objects.none(),
        required=False,
        label=_("Share with group"),
        empty_label=_("Only me"),
        error_messages={"invalid_choice": _("You can share a view only with a group you belong to.")},
    )

    class Meta:
        model = SavedView
        fields = ("name", "query", "shared_with")
        labels = {"name": _("Name of the view")}
        error_messages = {"name": {"required": _("Give the view a name.")}}
        widgets = {"query": forms.HiddenInput}

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", "view_%s")
        super().__init__(*args, **kwargs)
        self.owner = owner
        shared_with = self.fields["shared_with"]
        assert isinstance(shared_with, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        groups = AssignmentGroup.objects.filter(id__in=user_group_ids(owner), active=True)
        shared_with.queryset = groups.order_by("name")

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name", "")).split())
        if not name:
            raise forms.ValidationError(_("Give the view a name."))
        if SavedView.objects.filter(owner=self.owner, name__iexact=name).exists():
            raise forms.ValidationError(_("You already have a view with that name."))
        return name

    def clean_query(self) -> str:
        return normalised_query(QueryDict(self.cleaned_data.get("query", "")))

    def save(self, commit: bool = True) -> SavedView:
        self.instance.owner = self.owner
        return super().save(commit=commit)
