"""Agent console (server-rendered). Thin: forms validate, services write, selectors read.

Every page works without JavaScript; console.js only adds the caller look-up as you type and
hides the parts of the log-a-call form that the chosen outcome does not need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit import selectors as audit_selectors
from audit.models import AccessChannel, AccessResource
from audit.services import record_ticket_read, record_tickets_export
from contacts import services as contacts
from contacts.models import Contact
from servicedesk import csv_safe
from servicedesk.api import people_matching
from servicedesk.db import reads_from_replica
from servicedesk.errors import DomainError
from servicedesk.models import AssignmentGroup, Role, User
from servicedesk.paging import CappedPaginator
from sla import outages as outage_services
from sla import selectors as sla_selectors
from sla.models import ClockState, Metric, Outage

from . import call_views, selectors, services
from .bulk import BulkForm
from .console import console_user, form_errors_text, render_page, require_agent, safe_next
from .downloads import attachment_response
from .filters import TicketFilter
from .forms import (
    AttachmentForm,
    CommentForm,
    DeclareMajorForm,
    EmptyForm,
    EndMajorForm,
    LinkForm,
    LogCallForm,
    OutageForm,
    PendForm,
    ReopenForm,
    ResolveForm,
    ReviewForm,
)
from .models import (
    LEVEL_CHOICES,
    OPEN_STATES,
    PRIORITY_CHOICES,
    QUEUED_STATES,
    Channel,
    Comment,
    EventAction,
    Kind,
    PendingReason,
    PostIncidentReview,
    ResolutionCode,
    State,
    Ticket,
    TicketEvent,
)
from .people import people_found, person_choices, person_label
from .saved_views import BUILTIN_VIEWS, SavedViewForm, normalised_query, saved_views_for
from .ticket_forms import TicketAssignForm, TicketEditForm

PAGE_SIZE = 25
CALLER_RESULTS = 10


# --- ticket list and queues --------------------------------------------------------------------

# The filters the console shows; the rest of TicketFilter still works from the URL.
AGENT_FILTERS = ("q", "state", "priority", "assignment_group", "service", "assignee", "open")
END_USER_FILTERS = ("q", "state", "open")


def _filterset(request: HttpRequest, user: User, params: QueryDict | None = None) -> TicketFilter:
    data = request.GET if params is None else params
    filterset = TicketFilter(data, queryset=selectors.ticket_list_for(user), request=request)
    form = filterset.form
    form.label_suffix = ""
    form.fields["open"].label = _("Open or done")
    # Checkboxes are quicker to use with a keyboard than multi-selects.
    for name in ("state", "priority"):
        form.fields[name].widget = forms.CheckboxSelectMultiple(choices=form.fields[name].choices)
    form.fields["open"].widget = forms.Select(
        choices=[("", _("Any")), ("true", _("Open")), ("false", _("Resolved or closed"))]
    )
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs.update(
        {"placeholder": _("INC0001234 or words"), "data-search-shortcut": ""}
    )
    # The person picker: a choice of anyone / me / unassigned / people found by name.
    form.fields["assignee"].help_text = ""
    form.fields["assignee"].widget = forms.Select(
        choices=person_choices(user, data.get("assignee", ""), data.get("assignee_q", ""))
    )
    return filterset


class SortForm(forms.Form):
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("newest", gettext_lazy("Newest first")),
            ("priority", gettext_lazy("Priority, then oldest")),
            ("time_left", gettext_lazy("Time left")),
        ],
    )


def _sorted(tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket] | sla_selectors.TimeLeftOrder:
    if sort == "priority":
        # As a queue hands work out: best priority first, the longest waiting first within it.
        return tickets.order_by("priority", "created_at", "id")
    if sort == "time_left":
        return sla_selectors.TimeLeftOrder(tickets)
    return tickets.order_by("-created_at", "-id")


@dataclass(frozen=True)
class TicketRow:
    ticket: Ticket
    resolution: sla_selectors.ClockSummary | None


@login_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    return ticket_list_page(request, request.GET)


def ticket_list_page(
    request: HttpRequest,
    params: QueryDict,
    *,
    bulk_form: BulkForm | None = None,
    view_form: SavedViewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Tickets the user may see, filtered by `params`, sorted and paginated; agents also see
    their queues, their saved views and the bulk-action bar. A refused bulk action or saved view
    re-renders the list it came from with its form's errors.

    Query count is constant in the number of rows: one count, one page of rows with their
    related people, groups and services (select_related by the selector), one query for the
    page's resolution clocks (plus the calendars, if one runs), the filter form's option lists,
    the queue counts, the saved views and the alert count.
    """
    user = console_user(request)
    filterset = _filterset(request, user, params)
    valid = filterset.is_valid()
    sort_form = SortForm(params, auto_id="sort_%s")
    sort_form.label_suffix = ""
    sort = sort_form.cleaned_data["sort"] if sort_form.is_valid() else ""
    matching: QuerySet[Ticket] = filterset.qs if valid else Ticket.objects.none()
    # Counted without the sort's join (time left): the count reads only what the filter reads.
    paginator = CappedPaginator(_sorted(matching, sort), PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    rows = list(page.object_list)
    now = timezone.now()
    resolution = sla_selectors.resolution_summaries(user, rows, now)
    shown = AGENT_FILTERS if user.is_agent else END_USER_FILTERS
    form = filterset.form
    context: dict[str, Any] = {
        "filter_form": form,
        "filter_fields": [form[name] for name in shown],
        "sort_form": sort_form,
        # Errors of filters given in the URL but not shown in the form.
        "hidden_filter_errors": [
            (form.fields[name].label, errors) for name, errors in form.errors.items() if name not in shown
        ],
        "filters_valid": valid,
        "page_obj": page,
        "tickets": rows,
        "rows": [TicketRow(ticket, resolution.get(ticket.pk)) for ticket in rows],
        "queues": list(selectors.queues_for(user)) if user.is_agent else [],
        "list_query": params.urlencode(),
    }
    if user.is_agent:
        context.update(_agent_list_context(user, params, bulk_form, view_form))
    return render_page(request, "console/ticket_list.html", context, status=status)


def _posted_list(data: Any, key: str) -> list[str]:
    """All values of a key of posted data (a QueryDict), or none."""
    return list(data.getlist(key)) if isinstance(data, QueryDict) else []


def _agent_list_context(
    user: User, params: QueryDict, bulk_form: BulkForm | None, view_form: SavedViewForm | None
) -> dict[str, Any]:
    """Saved views and the bulk-action bar of an agent's list."""
    current = normalised_query(params)
    if view_form is None:
        view_form = SavedViewForm(owner=user, initial={"query": current})
    if bulk_form is None:
        bulk_form = BulkForm(actor=user)
    found = people_found(user, params.get("person_q", ""))
    people = [(str(user.pk), _("Me"))] + [(str(p.pk), person_label(p)) for p in found if p.pk != user.pk]
    posted = bulk_form["assignee"].value() if bulk_form.is_bound else None
    if posted and all(value != str(posted) for value, _label in people):
        people.append((str(posted), f"#{posted}"))
    assignee = bulk_form.fields["assignee"]
    assert isinstance(assignee, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
    assignee.choices = [("", _("No one: the group's queue")), *people]
    return {
        "builtin_views": BUILTIN_VIEWS,
        "saved_views": list(saved_views_for(user)),
        "current_view_query": current,
        "view_form": view_form,
        "bulk_form": bulk_form,
        # After a refused bulk action the same rows stay ticked.
        "selected_ids": {int(v) for v in _posted_list(bulk_form.data, "tickets") if v.isdigit()}
        if bulk_form.is_bound
        else set(),
    }


@login_required
@require_GET
def queue_list(request: HttpRequest) -> HttpResponse:
    user = require_agent(request)
    return render_page(request, "console/queue_list.html", {"queues": list(selectors.queues_for(user))})


@login_required
@require_POST
def queue_claim_next(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the next ticket of a queue: the oldest of the highest priority."""
    user = require_agent(request)
    group = get_object_or_404(AssignmentGroup, pk=pk, active=True)
    back = safe_next(request, reverse("console:home"))
    try:
        ticket = services.queue_claim_next(group=group, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    if ticket is None:
        messages.info(request, _("The queue is empty."))
        return redirect(back)
    messages.success(request, _("You claimed %(number)s.") % {"number": ticket.number})
    return redirect("console:ticket", pk=ticket.pk)


# --- log a call ----------------------------------------------------------------------------------


def _callers(query: str, selected: User | None = None) -> list[User]:
    """Up to ten active people matching the look-up text; the selected caller always first."""
    people: list[User] = []
    if len(query) >= 2:
        matches = people_matching(
            User.objects.filter(is_active=True).select_related("department", "trust"), query
        ).order_by("last_name", "first_name", "id")
        people = list(matches[:CALLER_RESULTS])
    if selected is not None and selected not in people:
        people.insert(0, selected)
    return people


def _selected_caller(value: object) -> User | None:
    try:
        pk = int(str(value))
    except ValueError:
        return None
    return User.objects.filter(pk=pk, is_active=True).select_related("department", "trust").first()


@login_required
@require_GET
def caller_lookup(request: HttpRequest) -> HttpResponse:
    """An HTML fragment of people matching ?q= (name, phone or e-mail), as caller choices."""
    require_agent(request)
    query = request.GET.get("q", "").strip()[:100]
    selected = _selected_caller(request.GET.get("selected", ""))
    people = _callers(query, selected)
    return render(
        request,
        "console/_caller_results.html",
        {"people": people, "query": query, "selected_id": _only_or(people, selected)},
    )


def _only_or(people: list[User], selected: User | None) -> int | None:
    # One match is the caller nine times in ten: pre-select it to save a keystroke.
    if selected is not None:
        return selected.pk
    return people[0].pk if len(people) == 1 else None


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    """Log a call in one submit: caller, what it is about, and resolve / escalate / keep it."""
    user = require_agent(request)
    caller_q = request.GET.get("caller_q", "").strip()[:100]
    selected: User | None = None
    if request.method == "POST":
        form = LogCallForm(request.POST)
        if form.is_valid():
            try:
                ticket = services.log_call(actor=user, **form.log_call_arguments())
            except DomainError as error:
                form.add_domain_error(error)
            else:
                contact = Contact.objects.filter(external_id=form.cleaned_data["contact"]).first()
                if contact is not None:
                    contacts.contact_link_ticket(contact=contact, ticket=ticket)
                messages.success(request, _message_for_logged(ticket))
                return redirect("console:ticket", pk=ticket.pk)
        selected = form.cleaned_data.get("caller")
        if selected is None:
            selected = _selected_caller(request.POST.get("caller", ""))
    else:
        form = LogCallForm(initial=call_views.initial_for(request))
        selected = _selected_caller(request.GET.get("caller", ""))
    return log_call_page(request, form, caller_q, selected, status=400 if request.method == "POST" else 200)


def log_call_page(
    request: HttpRequest,
    form: LogCallForm,
    caller_q: str,
    selected: User | None,
    *,
    status: int,
    note_error: str = "",
) -> HttpResponse:
    people = _callers(caller_q, selected)
    selected_id = _only_or(people, selected)
    caller = next((person for person in people if person.pk == selected_id), None)
    return render_page(
        request,
        "console/ticket_new.html",
        {
            "form": form,
            "caller_q": caller_q,
            "people": people,
            "query": caller_q,
            "selected_id": selected_id,
            "contact_id": form["contact"].value() or "",
            "note_error": note_error,
            **call_views.panels_context(request, form, caller),
        },
        status=status,
    )


def _message_for_logged(ticket: Ticket) -> str:
    values = {"number": ticket.number}
    if ticket.state == State.RESOLVED:
        return _("%(number)s logged and resolved.") % values
    if ticket.reassignment_count:
        group = ticket.assignment_group.name if ticket.assignment_group else ""
        return _("%(number)s logged and escalated to %(group)s.") % {**values, "group": group}
    return _("%(number)s logged; you are working on it.") % values


# --- ticket page -----------------------------------------------------------------------------------

# Coded values in history rows, shown by their labels.
_VALUE_LABELS: dict[str, dict[str, Any]] = {
    "state": dict(State.choices),
    "pending_reason": dict(PendingReason.choices),
    "resolution_code": dict(ResolutionCode.choices),
    "kind": dict(Kind.choices),
    "channel": dict(Channel.choices),
    "impact": {str(k): v for k, v in LEVEL_CHOICES},
    "urgency": {str(k): v for k, v in LEVEL_CHOICES},
    "priority": {str(k): v for k, v in PRIORITY_CHOICES},
    "major_incident": {"yes": gettext_lazy("Yes"), "no": gettext_lazy("No")},
}
# Columns that are not model fields.
_EXTRA_LABELS = {"number": gettext_lazy("Number")}


def _field_label(name: str) -> str:
    try:
        model_field = Ticket._meta.get_field(name)
    except FieldDoesNotExist:
        return str(_EXTRA_LABELS.get(name, capfirst(name.replace("_", " "))))
    return capfirst(str(getattr(model_field, "verbose_name", name)))


def _value_label(name: str, value: str) -> str:
    return str(_VALUE_LABELS.get(name, {}).get(value, value))


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    """One line of the ticket's history: an event (with its changed fields) or a comment."""

    when: datetime
    actor: User | None
    action: str
    action_label: str
    value: str = ""
    changes: list[Change] = field(default_factory=list)
    comment: Comment | None = None
    internal: bool = False
    note: str = ""  # a work note given with the change (e.g. why it was reassigned)


def build_timeline(events: Iterable[TicketEvent], comments: Iterable[Comment]) -> list[TimelineEntry]:
    """Merge history events and comments by time.

    A transition writes one event per changed field in one instant; those become one entry.
    The "commented" event of a shown comment is left out: the comment itself is the entry.
    """
    comment_list = list(comments)
    comment_ids = {c.pk for c in comment_list}
    entries: list[tuple[datetime, int, int, TimelineEntry]] = []
    current: TimelineEntry | None = None
    current_key: tuple[object, ...] | None = None
    for event in events:
        if event.action == EventAction.COMMENTED and event.details.get("comment") in comment_ids:
            continue
        key = (event.actor_id, event.action, event.created_at)
        if (
            current is None
            or key != current_key
            or event.action in (EventAction.CREATED, EventAction.ATTACHED, EventAction.COMMENTED)
        ):
            current = TimelineEntry(
                when=event.created_at,
                actor=event.actor,
                action=event.action,
                action_label=str(EventAction(event.action).label)
                if event.action in EventAction.values
                else event.action,
                internal=event.internal,
            )
            current_key = key
            entries.append((event.created_at, 0, event.pk, current))
        if not current.note and isinstance(event.details, dict):
            current.note = str(event.details.get("note") or "")
        if event.field:
            current.changes.append(
                Change(
                    field=_field_label(event.field),
                    old=_value_label(event.field, event.old_value),
                    new=_value_label(event.field, event.new_value),
                )
            )
        elif event.new_value:
            current.value = event.new_value
    for comment in comment_list:
        entry = TimelineEntry(
            when=comment.created_at,
            actor=comment.author,
            action="comment",
            action_label=_("Comment"),
            comment=comment,
            internal=comment.internal,
        )
        entries.append((comment.created_at, 1, comment.pk, entry))
    entries.sort(key=lambda item: item[:3])
    return [entry for *_, entry in entries]


@dataclass
class Actions:
    """What the user may do on the ticket now, from its state and their rights."""

    claim: bool = False
    start: bool = False
    pend: bool = False
    resolve: bool = False
    assign: bool = False
    reopen: bool = False
    close: bool = False
    converse: bool = False
    declare_major: bool = False
    end_major: bool = False
    link: bool = False
    review: bool = False
    edit: bool = False

    @property
    def any_transition(self) -> bool:
        return any((self.claim, self.start, self.pend, self.resolve, self.assign, self.reopen, self.close))

    @property
    def any_major(self) -> bool:
        return any((self.declare_major, self.end_major, self.link, self.review))


def actions_for(user: User, ticket: Ticket) -> Actions:
    # Mirrors the checks in services.py so only useful buttons show; the services still decide.
    is_caller = ticket.caller_id == user.pk
    customer = user.role == Role.END_USER or not user.is_agent
    can_work = not customer and services.can_work_on(user, ticket)
    state = ticket.state
    unclaimed = ticket.assignee_id is None and state in QUEUED_STATES
    manages_major = not customer and services.can_manage_major(user)
    return Actions(
        claim=can_work and unclaimed,
        start=can_work and not unclaimed and state in (State.NEW, State.ASSIGNED, State.PENDING),
        pend=can_work and state in (State.NEW, State.ASSIGNED, State.IN_PROGRESS),
        resolve=can_work and state in OPEN_STATES,
        assign=can_work and state in OPEN_STATES,
        reopen=state == State.RESOLVED and (is_caller if customer else can_work),
        close=can_work and state == State.RESOLVED,
        converse=state != State.CLOSED and (user.is_agent or is_caller),
        declare_major=manages_major
        and ticket.kind == Kind.INCIDENT
        and not ticket.major_incident
        and state in OPEN_STATES,
        end_major=manages_major and ticket.major_active,
        link=not customer and ticket.major_incident and state != State.CLOSED,
        review=manages_major and ticket.major_incident and not ticket.major_active and state != State.CLOSED,
        edit=can_work and state != State.CLOSED,
    )


@login_required
@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket, its merged history and comments, files, and the actions open to the user.

    A fixed number of queries: the ticket with its relations, events, comments and files each
    with their people, the SLA clocks with their segments (and the calendars, if one runs), the
    option lists of the assign form, for the caller the latest reads of the ticket by others,
    and the access-log insert after the response.
    """
    user = console_user(request)
    ticket = selectors.ticket_get_for_user(user, pk)
    record_ticket_read(request, ticket, channel=AccessChannel.CONSOLE)
    return ticket_page(request, user, ticket)


def ticket_page(
    request: HttpRequest, user: User, ticket: Ticket, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    """Render the ticket page; a refused edit passes its bound form (with errors) in `bound`."""
    events = selectors.events_for(user, ticket)
    comments = selectors.comments_for(user, ticket)
    actions = actions_for(user, ticket)
    agent = user.is_agent
    # Only a major incident's page reads its outages and review: two queries, whatever their number.
    major = agent and ticket.major_incident
    return render_page(
        request,
        "console/ticket_detail.html",
        {
            "ticket": ticket,
            "clocks": sla_selectors.clock_reports_for(user, ticket, timezone.now()),
            "timeline": build_timeline(events, comments),
            "attachments": list(selectors.attachments_for(user, ticket)),
            "children": list(selectors.ticket_children_for(user, ticket)),
            "parent": selectors.ticket_parent_for(user, ticket),
            "actions": actions,
            "agent": agent,
            "own_reads": audit_selectors.own_ticket_reads(user, ticket),
            "comment_form": CommentForm(agent=agent, auto_id="comment_%s"),
            "attachment_form": AttachmentForm(agent=agent, auto_id="attachment_%s"),
            "pend_form": PendForm(auto_id="pend_%s"),
            "resolve_form": ResolveForm(auto_id="resolve_%s"),
            "reopen_form": ReopenForm(auto_id="reopen_%s"),
            "assign_form": TicketAssignForm(ticket=ticket) if actions.assign else None,
            "edit_form": TicketEditForm(ticket=ticket) if actions.edit else None,
            "major_outages": list(ticket.outages.select_related("service").order_by("started_at", "id"))
            if major
            else [],
            "review": PostIncidentReview.objects.select_related("owner").filter(ticket=ticket).first()
            if major
            else None,
            "can_edit_outages": outage_services.can_manage_outages(user),
            "declare_form": DeclareMajorForm(auto_id="declare_%s") if actions.declare_major else None,
            "end_major_form": EndMajorForm(auto_id="end_major_%s") if actions.end_major else None,
            "link_form": LinkForm(auto_id="link_%s") if actions.link else None,
            "review_form": ReviewForm(auto_id="review_%s", initial=_review_initial(ticket, user))
            if actions.review
            else None,
            **bound,
        },
        status=status,
    )


@login_required
@require_POST
def outage_edit(request: HttpRequest, pk: int, outage_id: int) -> HttpResponse:
    """A manager corrects the start or end of one of the major incident's outages."""
    user = console_user(request)
    ticket = selectors.ticket_get_for_user(user, pk)
    outage = get_object_or_404(Outage, pk=outage_id, ticket=ticket)
    form = OutageForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("console:ticket", pk=ticket.pk)
    try:
        outage_services.outage_update(outage=outage, actor=user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("console:ticket", pk=ticket.pk)
    messages.success(request, _("The outage of %(service)s is corrected.") % {"service": outage.service.name})
    return redirect("console:ticket", pk=ticket.pk)


def _review_initial(ticket: Ticket, user: User) -> dict[str, Any]:
    review = PostIncidentReview.objects.filter(ticket=ticket).first()
    if review is None:
        return {"owner": user.pk}
    return {"cause": review.cause, "actions": review.actions, "owner": review.owner_id, "due": review.due}


def _link(ticket: Ticket, user: User, data: dict[str, Any]) -> Ticket:
    """Link the related ticket named in the form; one the user may not see is "not found"."""
    related = selectors.tickets_visible_to(user).filter(pk=data["ticket"]).first()
    if related is None:
        raise DomainError(_("No ticket with that number was found."), field="ticket")
    services.ticket_link_major(ticket=ticket, actor=user, related=related)
    return ticket


def _after_change(request: HttpRequest, user: User, ticket: Ticket) -> HttpResponse:
    # After handing a ticket to another group a resolver may no longer see it.
    if selectors.tickets_visible_to(user).filter(pk=ticket.pk).exists():
        return redirect("console:ticket", pk=ticket.pk)
    return redirect("console:home")


@dataclass(frozen=True)
class Transition:
    form: type[forms.Form]
    run: Callable[[Ticket, User, dict[str, Any]], Ticket]
    done: Any  # a lazily translated message with %(number)s


TRANSITIONS: dict[str, Transition] = {
    "claim": Transition(
        EmptyForm,
        lambda t, u, d: services.ticket_claim(ticket=t, actor=u),
        gettext_lazy("You claimed %(number)s."),
    ),
    "start": Transition(
        EmptyForm,
        lambda t, u, d: services.ticket_start(ticket=t, actor=u),
        gettext_lazy("%(number)s is in progress."),
    ),
    "pend": Transition(
        PendForm,
        lambda t, u, d: services.ticket_pend(ticket=t, actor=u, reason=d["reason"]),
        gettext_lazy("%(number)s is on hold."),
    ),
    "resolve": Transition(
        ResolveForm,
        lambda t, u, d: services.ticket_resolve(ticket=t, actor=u, code=d["code"], note=d["note"]),
        gettext_lazy("%(number)s is resolved."),
    ),
    "reopen": Transition(
        ReopenForm,
        lambda t, u, d: services.ticket_reopen(ticket=t, actor=u, reason=d["reason"]),
        gettext_lazy("%(number)s is reopened."),
    ),
    "close": Transition(
        EmptyForm,
        lambda t, u, d: services.ticket_close(ticket=t, actor=u),
        gettext_lazy("%(number)s is closed."),
    ),
    # Assign and escalate ask for a work note and show errors on the page: ticket_views.py.
    "declare-major": Transition(
        DeclareMajorForm,
        lambda t, u, d: services.ticket_declare_major(
            ticket=t, actor=u, impact_start=d["impact_start"], services=list(d["services"]) or None
        ),
        gettext_lazy("%(number)s is a major incident."),
    ),
    "end-major": Transition(
        EndMajorForm,
        lambda t, u, d: services.ticket_end_major(ticket=t, actor=u, restored_at=d["restored_at"]),
        gettext_lazy("The major incident %(number)s has ended."),
    ),
    "link": Transition(LinkForm, _link, gettext_lazy("The ticket is linked to %(number)s.")),
    "review": Transition(
        ReviewForm,
        lambda t, u, d: services.ticket_review_major(ticket=t, actor=u, **d).ticket,
        gettext_lazy("The post-incident review of %(number)s is saved."),
    ),
}


@login_required
@require_POST
def ticket_transition(request: HttpRequest, pk: str, transition: str) -> HttpResponse:
    """Run one state transition through its service; any refusal is flashed, nothing changes."""
    user = console_user(request)
    ticket = selectors.ticket_get_for_user(user, pk)
    spec = TRANSITIONS[transition]
    form = spec.form(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("console:ticket", pk=ticket.pk)
    try:
        ticket = spec.run(ticket, user, form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("console:ticket", pk=ticket.pk)
    messages.success(request, str(spec.done) % {"number": ticket.number})
    return _after_change(request, user, ticket)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    ticket = selectors.ticket_get_for_user(user, pk)
    form = CommentForm(request.POST, agent=user.is_agent)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("console:ticket", pk=ticket.pk)
    try:
        services.comment_add(
            ticket=ticket,
            actor=user,
            body=form.cleaned_data["body"],
            internal=form.cleaned_data.get("internal", False),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Comment added."))
    return redirect(reverse("console:ticket", kwargs={"pk": ticket.pk}) + "#timeline")


@login_required
@require_POST
def attachment_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = console_user(request)
    ticket = selectors.ticket_get_for_user(user, pk)
    form = AttachmentForm(request.POST, request.FILES, agent=user.is_agent)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("console:ticket", pk=ticket.pk)
    try:
        attachment = services.attachment_add(
            ticket=ticket,
            actor=user,
            upload=form.cleaned_data["file"],
            internal=form.cleaned_data.get("internal", False),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s attached.") % {"name": attachment.filename})
    return redirect(reverse("console:ticket", kwargs={"pk": ticket.pk}) + "#attachments")


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a ticket the user may see; internal files only for IT staff. Always a download."""
    attachment = selectors.attachment_get_for_user(console_user(request), pk)
    record_ticket_read(
        request, attachment.ticket_id, channel=AccessChannel.CONSOLE, resource=AccessResource.FILE
    )
    return attachment_response(attachment)


# --- notifications ---------------------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The SLA warnings and breaches of the tickets the agent is responsible for, newest first."""
    user = require_agent(request)
    # Counted up to the cap: an exact count of a busy group's alerts read them all (0.75 s at
    # 300,000 alerts).
    page = CappedPaginator(sla_selectors.alerts_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "console/notification_list.html",
        {"page_obj": page, "alerts": list(page.object_list), "since": timezone.now() - timedelta(days=1)},
    )


# --- export ----------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "number", "kind", "title", "caller", "service", "priority", "state",
    "assignment_group", "assignee", "channel", "created_at", "resolved_at", "reassignment_count",
)  # fmt: skip
SLA_METRICS = (Metric.RESPONSE, Metric.RESOLUTION)


def _with_sla_clocks(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Each ticket's customer-facing response and resolution clock fields, by two LEFT JOINs
    (one row per ticket: a ticket has at most one clock per metric without a group)."""
    for metric in SLA_METRICS:
        alias = f"sla_{metric}"
        tickets = tickets.annotate(
            **{
                alias: FilteredRelation(
                    "clocks", condition=Q(clocks__metric=metric, clocks__group__isnull=True)
                )
            }
        ).annotate(
            **{
                f"{alias}_state": F(f"{alias}__state"),
                f"{alias}_due": F(f"{alias}__due_at"),
                f"{alias}_met": F(f"{alias}__met"),
                f"{alias}_breached_at": F(f"{alias}__breached_at"),
            }
        )
    return tickets


def _sla_due(ticket: Ticket, metric: str) -> datetime | None:
    due: datetime | None = getattr(ticket, f"sla_{metric}_due")  # annotated by _with_sla_clocks
    return due


def _sla_status(ticket: Ticket, metric: str) -> str:
    """met / breached (final once the clock stopped, or breached while running) / running /
    paused, or empty when the ticket has no such clock."""
    alias = f"sla_{metric}"
    state, met, breached_at = (getattr(ticket, f"{alias}_{name}") for name in ("state", "met", "breached_at"))
    if state is None:
        return ""
    if met is not None:
        return _("met") if met else _("breached")
    if breached_at is not None:
        return _("breached")
    return _("paused") if state == ClockState.PAUSED else _("running")


@login_required
@require_GET
@reads_from_replica
def ticket_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered ticket list as CSV: the same filters and the same visibility as the list."""
    user = console_user(request)
    filterset = _filterset(request, user)
    if not filterset.is_valid():
        return HttpResponse(form_errors_text(filterset.form), status=400, content_type="text/plain")
    # One query however many rows: related names by select_related, clocks by two joins.
    tickets = _with_sla_clocks(filterset.qs).order_by("-created_at", "-id")
    record_tickets_export(request, filterset.qs)
    sla_header = [
        _("Response due"),
        _("Response SLA"),
        _("Resolution due"),
        _("Resolution SLA"),
    ]

    def rows() -> Iterator[list[object]]:
        yield [*(_field_label(name) for name in EXPORT_COLUMNS), *sla_header]
        for ticket in tickets.iterator(chunk_size=2000):
            yield [
                ticket.number,
                ticket.get_kind_display(),
                ticket.title,
                ticket.caller,
                ticket.service.name if ticket.service else "",
                ticket.priority,
                ticket.get_state_display(),
                ticket.assignment_group.name if ticket.assignment_group else "",
                ticket.assignee or "",
                ticket.get_channel_display(),
                ticket.created_at,
                ticket.resolved_at,
                ticket.reassignment_count,
                _sla_due(ticket, Metric.RESPONSE),
                _sla_status(ticket, Metric.RESPONSE),
                _sla_due(ticket, Metric.RESOLUTION),
                _sla_status(ticket, Metric.RESOLUTION),
            ]

    response = StreamingHttpResponse(csv_safe.lines(rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tickets.csv"'
    return response
