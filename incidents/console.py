"""What every console view needs: the signed-in user, the agent check, the page frame, errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from servicedesk.models import User
from sla import selectors as sla_selectors


def console_user(request: HttpRequest) -> User:
    """The signed-in user (every console view is behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def require_agent(request: HttpRequest, message: str | None = None) -> User:
    """The signed-in user if they are service-desk staff; 403 otherwise."""
    user = console_user(request)
    if not user.is_agent:
        raise PermissionDenied(message or _("Only service-desk staff may do this."))
    return user


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a console page; agents' pages also get the count of recent SLA alerts for the nav."""
    user = console_user(request)
    if user.is_agent:
        # One count query per page, whatever the page shows; "99+" past the cap.
        count = sla_selectors.recent_alert_count(user, timezone.now())
        context["alert_count"] = min(count, sla_selectors.ALERT_COUNT_CAP)
        context["alert_count_more"] = count > sla_selectors.ALERT_COUNT_CAP
    return render(request, template, context, status=status)


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address of a form or link if it stays on this site; `default` otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def form_errors_text(form: forms.Form) -> str:
    """A form's errors as one line, for a flash message after a refused POST."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(error) for error in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)
