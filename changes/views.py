"""Change management console (server-rendered, works without JavaScript). Thin: forms validate,
services write, selectors read. For IT staff only: anyone else gets 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from incidents.console import form_errors_text, render_page, require_agent
from incidents.models import LEVEL_CHOICES
from servicedesk.errors import DomainError
from servicedesk.models import Service, User

from . import selectors, services, timeline
from .figures import OSLO
from .filters import ChangeFilter
from .forms import (
    ApproveForm,
    AssessForm,
    CalendarForm,
    ChangeForm,
    CloseForm,
    CompleteForm,
    ReasonForm,
    ScheduleForm,
)
from .models import (
    ALLOWED_TRANSITIONS,
    PREPARATION_STATES,
    Change,
    ChangeEvent,
    ChangeType,
    EventAction,
    FreezeWindow,
    Outcome,
    Risk,
    RiskQuestion,
    State,
)

PAGE_SIZE = 25


def _agent(request: HttpRequest) -> User:
    return require_agent(request, _("Change management is for service-desk staff."))


def _page(
    request: HttpRequest, user: User, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A change management page: its sub-navigation shows how many changes wait for the
    user's vote (one count query)."""
    context["vote_count"] = selectors.awaiting_vote_count(user)
    return render_page(request, template, context, status=status)


# --- list ----------------------------------------------------------------------------------------

LIST_FILTERS = ("q", "state", "change_type", "risk", "service")


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    """Changes, filtered and paginated. Constant queries: a count, a page of rows with their
    people and groups, their services, the filter options and the alert count."""
    user = _agent(request)
    filterset = ChangeFilter(request.GET, queryset=selectors.change_list_for(user), request=request)
    form = filterset.form
    form.label_suffix = ""
    form.fields["state"].widget = forms.CheckboxSelectMultiple(choices=form.fields["state"].choices)
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs["placeholder"] = _("CHG0001234 or words")
    valid = filterset.is_valid()
    changes = filterset.qs.order_by("-created_at", "-id") if valid else Change.objects.none()
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        user,
        "changes/change_list.html",
        {
            "filter_form": form,
            "filter_fields": [form[name] for name in LIST_FILTERS],
            "filters_valid": valid,
            "page_obj": page,
            "changes": list(page.object_list),
        },
    )


@login_required
@require_GET
def change_votes(request: HttpRequest) -> HttpResponse:
    """The changes waiting for this user's vote as a board member. Constant queries: the count
    for the sub-navigation, the rows with their services, and the alert count."""
    user = _agent(request)
    return _page(request, user, "changes/votes.html", {"changes": selectors.awaiting_vote_list(user)})


# --- raise and edit ------------------------------------------------------------------------------


@login_required
def change_new(request: HttpRequest) -> HttpResponse:
    user = _agent(request)
    form = ChangeForm(request.POST or None, user=user, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_create(actor=user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(number)s raised as a draft.") % {"number": change.number})
            return redirect("changes:detail", pk=change.pk)
    status = 400 if request.method == "POST" else 200
    return _page(request, user, "changes/change_form.html", {"form": form, "change": None}, status=status)


@login_required
def change_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _agent(request)
    change = selectors.change_get_for_user(user, pk)
    content_editable = change.state in PREPARATION_STATES
    initial = {
        name: getattr(change, name)
        for name in ("title", "description", "justification", "impact", "implementation_plan", "backout_plan",
                     "test_plan", "planned_start", "planned_end", "owner", "implementer_group", "release")
    }  # fmt: skip
    # Linked tickets as prefetched for this user: only those they may see (the rest are kept).
    initial.update(services=list(change.services.all()), fixes=list(change.fixes.all()))
    initial["caused_incidents"] = list(change.caused_incidents.all())
    form = ChangeForm(
        request.POST or None, initial=initial, user=user, creating=False, content_editable=content_editable
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_update(change=change, actor=user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(number)s saved.") % {"number": change.number})
            return redirect("changes:detail", pk=change.pk)
    status = 400 if request.method == "POST" else 200
    return render_page(request, "changes/change_form.html", {"form": form, "change": change}, status=status)


# --- change page ---------------------------------------------------------------------------------

_VALUE_LABELS: dict[str, dict[str, Any]] = {
    "state": dict(State.choices),
    "risk": dict(Risk.choices),
    "outcome": dict(Outcome.choices),
    "change_type": dict(ChangeType.choices),
    "impact": {str(value): label for value, label in LEVEL_CHOICES},
}


# Instants are recorded in ISO 8601 (UTC); the page shows them in local time.
_INSTANT_FIELDS = frozenset({"planned_start", "planned_end", "actual_start", "actual_end", "closed_at"})


def _value_label(name: str, value: str) -> str:
    if name in _INSTANT_FIELDS and value:
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    return str(_VALUE_LABELS.get(name, {}).get(value, value))


def _field_label(name: str) -> str:
    try:
        model_field = Change._meta.get_field(name)
    except FieldDoesNotExist:
        return capfirst(name.replace("_", " "))
    return capfirst(str(getattr(model_field, "verbose_name", name)))


@dataclass
class FieldChangeText:
    field: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    """One step of the history: the fields it changed, and its note (a reason, a vote count)."""

    when: datetime
    actor: User | None
    action_label: str
    note: str = ""
    changes: list[FieldChangeText] = field(default_factory=list)


def _note(event: ChangeEvent) -> str:
    details = event.details
    if "reason" in details:
        return str(details["reason"])
    if event.action == EventAction.APPROVED and "required" in details:
        return str(_("%(approvals)s of %(required)s approvals") % details)
    return ""


def build_timeline(events: QuerySet[ChangeEvent]) -> list[TimelineEntry]:
    """A step writes one event per changed field in one instant; those become one entry."""
    entries: list[TimelineEntry] = []
    key: tuple[object, ...] | None = None
    for event in events:
        if (event.actor_id, event.action, event.created_at) != key:
            key = (event.actor_id, event.action, event.created_at)
            label = EventAction(event.action).label if event.action in EventAction.values else event.action
            entries.append(TimelineEntry(event.created_at, event.actor, str(label), _note(event)))
        if event.field:
            entries[-1].changes.append(
                FieldChangeText(
                    _field_label(event.field),
                    _value_label(event.field, event.old_value),
                    _value_label(event.field, event.new_value),
                )
            )
    return entries


@dataclass
class Actions:
    """What the user may do on the change now. Mirrors the services' checks so only useful
    buttons show; the services still decide."""

    edit: bool = False
    submit: bool = False
    assess: bool = False
    request_approval: bool = False
    decide: bool = False
    schedule: bool = False
    implement: bool = False
    complete: bool = False
    close: bool = False
    cancel: bool = False

    @property
    def any_transition(self) -> bool:
        return any(value for name, value in vars(self).items() if name != "edit")


def actions_for(user: User, change: Change, *, decided: bool) -> Actions:
    manage = services.can_manage(user)
    implement = services.can_implement(user, change)
    requester = user.pk == change.requester_id
    state = change.state
    standard = change.change_type == ChangeType.STANDARD
    emergency = change.change_type == ChangeType.EMERGENCY
    return Actions(
        edit=not change.is_final and (manage or (requester and state == State.DRAFT)),
        submit=state == State.DRAFT and (manage or requester),
        assess=manage and not standard and State.ASSESSED in ALLOWED_TRANSITIONS[state],
        request_approval=manage and state == State.ASSESSED,
        decide=state == State.AWAITING_APPROVAL
        and not decided
        and not services.is_own(user, change)
        and selectors.is_board_member(user, change),
        schedule=manage and state in (State.APPROVED, State.SCHEDULED),
        implement=implement and (state == State.SCHEDULED or (state == State.APPROVED and emergency)),
        complete=implement and state == State.IMPLEMENTING,
        close=manage and state == State.REVIEW,
        cancel=State.CANCELLED in ALLOWED_TRANSITIONS[state]
        and (manage or (requester and state in PREPARATION_STATES)),
    )


def _local_input(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else None


@login_required
@require_GET
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The change, its approvals, conflict warnings, history and the steps open to the user.
    A fixed number of queries, however long its history."""
    user = _agent(request)
    change = selectors.change_get_for_user(user, pk)
    approvals = list(change.approvals.all())
    actions = actions_for(user, change, decided=any(a.approver_id == user.pk for a in approvals))
    questions = list(RiskQuestion.objects.filter(active=True)) if actions.assess else []
    answers = {answer.question_id: answer.answer for answer in change.risk_answers.all()}
    assess_initial: dict[str, Any] = {"impact": change.impact}
    assess_initial.update({f"q{pk}": "yes" if yes else "no" for pk, yes in answers.items()})
    window = {
        "planned_start": _local_input(change.planned_start),
        "planned_end": _local_input(change.planned_end),
    }
    return render_page(
        request,
        "changes/change_detail.html",
        {
            "change": change,
            "approvals": approvals,
            "approved_count": sum(1 for a in approvals if a.decision == "approved"),
            "conflicts": selectors.change_conflicts(change),
            "outages": list(change.outages.select_related("service").order_by("started_at", "id")),
            "timeline": build_timeline(selectors.events_for(change)),
            "actions": actions,
            "assess_form": AssessForm(auto_id="assess_%s", questions=questions, initial=assess_initial),
            "approve_form": ApproveForm(auto_id="approve_%s"),
            "reject_form": ReasonForm(auto_id="reject_%s"),
            "schedule_form": ScheduleForm(auto_id="schedule_%s", initial=window),
            "complete_form": CompleteForm(auto_id="complete_%s"),
            "close_form": CloseForm(auto_id="close_%s"),
            "cancel_form": ReasonForm(auto_id="cancel_%s"),
        },
    )


@dataclass(frozen=True)
class Transition:
    form: Callable[[Any], forms.Form]
    run: Callable[[Change, User, forms.Form], object]
    done: Any  # a lazily translated message with %(number)s


def _assess_form(data: Any) -> forms.Form:
    return AssessForm(data, questions=list(RiskQuestion.objects.filter(active=True)))


def _assess(change: Change, user: User, form: forms.Form) -> Change:
    assert isinstance(form, AssessForm)  # noqa: S101 -- built by _assess_form
    return services.change_assess(
        change=change, actor=user, answers=form.answers(), impact=form.cleaned_data["impact"]
    )


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        forms.Form,
        lambda c, u, f: services.change_submit(change=c, actor=u),
        gettext_lazy("%(number)s is submitted."),
    ),
    "assess": Transition(_assess_form, _assess, gettext_lazy("%(number)s is assessed.")),
    "request-approval": Transition(
        forms.Form,
        lambda c, u, f: services.change_request_approval(change=c, actor=u),
        gettext_lazy("%(number)s is sent for approval."),
    ),
    "approve": Transition(
        ApproveForm,
        lambda c, u, f: services.change_approve(change=c, actor=u, comment=f.cleaned_data["comment"]),
        gettext_lazy("You approved %(number)s."),
    ),
    "reject": Transition(
        ReasonForm,
        lambda c, u, f: services.change_reject(change=c, actor=u, reason=f.cleaned_data["reason"]),
        gettext_lazy("You rejected %(number)s."),
    ),
    "schedule": Transition(
        ScheduleForm,
        lambda c, u, f: services.change_schedule(change=c, actor=u, **f.cleaned_data),
        gettext_lazy("%(number)s is scheduled."),
    ),
    "implement": Transition(
        forms.Form,
        lambda c, u, f: services.change_implement(change=c, actor=u),
        gettext_lazy("Implementation of %(number)s has started."),
    ),
    "complete": Transition(
        CompleteForm,
        lambda c, u, f: services.change_complete(change=c, actor=u, **f.cleaned_data),
        gettext_lazy("%(number)s is implemented and awaits its review."),
    ),
    "close": Transition(
        CloseForm,
        lambda c, u, f: services.change_close(change=c, actor=u, **f.cleaned_data),
        gettext_lazy("%(number)s is closed."),
    ),
    "cancel": Transition(
        ReasonForm,
        lambda c, u, f: services.change_cancel(change=c, actor=u, reason=f.cleaned_data["reason"]),
        gettext_lazy("%(number)s is cancelled."),
    ),
}


@login_required
@require_POST
def change_transition(request: HttpRequest, pk: str, transition: str) -> HttpResponse:
    """Run one step of the workflow through its service; any refusal is flashed, nothing changes."""
    user = _agent(request)
    change = selectors.change_get_for_user(user, pk)
    spec = TRANSITIONS[transition]
    form = spec.form(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            spec.run(change, user, form)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, str(spec.done) % {"number": change.number})
    return redirect("changes:detail", pk=change.pk)


# --- calendar ------------------------------------------------------------------------------------


@dataclass
class Day:
    date: date
    in_period: bool
    changes: list[Change]
    freezes: list[FreezeWindow]


def _midnight(day: date) -> datetime:
    # A local (Oslo) midnight as an aware instant: days are 23 or 25 hours long on DST changes.
    return datetime.combine(day, time(0), tzinfo=OSLO)


def _overlapping(items: list[Any], day: date, start_attr: str, end_attr: str) -> list[Any]:
    start, end = _midnight(day), _midnight(day + timedelta(days=1))
    return [item for item in items if getattr(item, start_attr) < end and getattr(item, end_attr) > start]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@login_required
@require_GET
def change_calendar(request: HttpRequest) -> HttpResponse:
    """The change calendar by week or month, optionally for one service, with freeze windows:
    a timeline (bars over days and hours, freezes shaded, conflicts marked) and the same as a
    table for screen readers.

    Constant queries however many changes: the changes with their services, the freeze windows
    with theirs, the service options and the alert count.
    """
    user = _agent(request)
    form = CalendarForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "week"
    anchor = data.get("date") or timezone.localdate()
    service: Service | None = data.get("service")
    if view == "month":
        first = anchor.replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
        after = _add_months(first, 1)
        grid_end = after + timedelta(days=(7 - after.weekday()) % 7)
        previous, following = _add_months(first, -1), after
    else:
        first = grid_start = anchor - timedelta(days=anchor.weekday())
        after = grid_end = grid_start + timedelta(days=7)
        previous, following = grid_start - timedelta(days=7), grid_end
    start, end = _midnight(grid_start), _midnight(grid_end)
    changes = selectors.calendar_changes(user, start, end, service)
    freezes = selectors.calendar_freeze_windows(start, end, service)
    dates = [grid_start + timedelta(days=n) for n in range((grid_end - grid_start).days)]
    days = [
        Day(
            day,
            first <= day < after,
            _overlapping(changes, day, "planned_start", "planned_end"),
            _overlapping(freezes, day, "start", "end"),
        )
        for day in dates
    ]
    chart = timeline.build(
        start=start,
        end=end,
        days=dates,
        midnights=[_midnight(day) for day in dates],
        changes=changes,
        freezes=freezes,
        hourly=view == "week",
    )
    return _page(
        request,
        user,
        "changes/calendar.html",
        {
            "form": form,
            "view": view,
            "first": first,
            "last": after - timedelta(days=1),
            "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
            "days": days,
            "timeline": chart,
            "service": service,
            "previous": previous,
            "following": following,
            "today": timezone.localdate(),
        },
    )
