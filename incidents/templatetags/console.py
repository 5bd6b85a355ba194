"""Small template helpers for the console."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def when(value: datetime | None) -> SafeString | str:
    """A <time> element: machine-readable UTC instant, shown in the current (Oslo) local time."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), local.strftime("%Y-%m-%d %H:%M"))


@register.simple_tag
def sla_badge(summary: Any) -> SafeString:
    """An SLA clock's badge (a sla.selectors.ClockSummary): a tag, not an include, because the
    ticket list shows one per row and an include costs a template context per row."""
    return format_html(
        '<span class="badge sla sla-{}" title="{}">{}</span>',
        summary.badge,
        summary.hover_text,
        summary.text,
    )


@register.simple_tag
def ticket_row(row: Any, *, selectable: bool, selected: Any = None) -> SafeString:
    """One row of the ticket list (an incidents.views.TicketRow), built in Python as Django's admin
    builds its change list rows: the list shows 25 of them, and a row of template tags cost ten
    times as much to render. `selectable`: the bulk-action checkbox (agents); `selected`: ids
    ticked before (a refused bulk action)."""
    ticket = row.ticket
    check = (
        format_html(
            '<td class="col-check"><input type="checkbox" name="tickets" value="{}" id="pick-{}"{} '
            'aria-label="{}"></td>',
            ticket.pk,
            ticket.pk,
            mark_safe(" checked") if selected and ticket.pk in selected else "",
            _("Select %(number)s") % {"number": ticket.number},
        )
        if selectable
        else ""
    )
    service = ticket.service.name if ticket.service else ""
    group = ticket.assignment_group.name if ticket.assignment_group else ""
    priority = ticket.get_priority_display()
    state = ticket.get_state_display()
    if ticket.assignee:
        person = str(ticket.assignee)
        assignee = format_html('<td class="col-assignee" title="{}">{}</td>', person, person)
    else:
        assignee = format_html('<td class="col-assignee"><span class="muted">{}</span></td>', _("Unassigned"))
    summary = row.resolution
    if summary is None:
        due = mark_safe('<span class="muted">—</span>')
    elif summary.clock.due_at:
        due = format_html('{} <span class="due">{}</span>', sla_badge(summary), when(summary.clock.due_at))
    else:
        due = sla_badge(summary)
    return format_html(
        "<tr>{}"
        '<td><a href="{}">{}</a></td>'
        '<td class="col-title" title="{}">{}</td>'
        '<td class="col-caller" title="{}">{}</td>'
        '<td class="col-service" title="{}">{}</td>'
        '<td class="col-priority"><span class="priority priority-{}" title="{}">{}</span></td>'
        '<td class="col-state"><span class="state state-{}" title="{}">{}</span></td>'
        '<td class="col-group" title="{}">{}</td>'
        "{}"
        '<td class="col-due sla-cell">{}</td>'
        '<td class="col-created">{}</td></tr>',
        check,
        reverse("console:ticket", args=[ticket.pk]),
        ticket.number,
        ticket.title,
        ticket.title,
        ticket.caller,
        ticket.caller,
        service,
        service or "—",
        ticket.priority,
        priority,
        priority,
        ticket.state,
        state,
        state,
        group,
        group or "—",
        assignee,
        due,
        when(ticket.created_at),
    )


@register.filter
def seconds(value: float | None) -> str:
    """A short wait, e.g. '45 s' or '2 min 05 s'; '–' when there is none."""
    if value is None:
        return "–"
    whole = round(value)
    if whole < 60:
        return _("%(s)d s") % {"s": whole}
    return _("%(m)d min %(s)02d s") % {"m": whole // 60, "s": whole % 60}


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"
