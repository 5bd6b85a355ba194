"""Small template helpers for the console."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
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
        summary.badge_label,
        summary.text,
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
