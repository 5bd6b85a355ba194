"""Console pages of the access log: the auditor's search (by ticket, by person) with its CSV
export, and one ticket's log for auditors and for the ticket's caller."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from incidents.console import console_user, form_errors_text, render_page
from servicedesk import csv_safe
from servicedesk.db import reads_from_replica
from servicedesk.models import User

from . import selectors
from .filters import AccessLogFilter
from .models import AccessLog

PAGE_SIZE = 50


def require_auditor(request: HttpRequest) -> User:
    user = console_user(request)
    if not user.reads_access_log:
        raise PermissionDenied(_("Only auditors and administrators may read the access log."))
    return user


def _filterset(request: HttpRequest, user: User) -> AccessLogFilter:
    filterset = AccessLogFilter(request.GET, queryset=selectors.access_log_for(user), request=request)
    filterset.form.label_suffix = ""
    for name in ("since", "until"):
        filterset.form.fields[name].widget.input_type = "date"
    filterset.form.fields["ticket"].widget.attrs["placeholder"] = "INC0001234"
    return filterset


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Every read of a ticket, newest first, filtered by ticket, person, channel and dates."""
    user = require_auditor(request)
    filterset = _filterset(request, user)
    asked = any(request.GET.get(name) for name in request.GET if name != "page")
    valid = asked and filterset.is_valid()
    rows = filterset.qs if valid else AccessLog.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    form = filterset.form
    return render_page(
        request,
        "audit/access_log.html",
        {
            "filter_form": form,
            "filter_fields": [form[name] for name in ("ticket", "person", "channel", "since", "until")],
            "filters_valid": valid,
            "asked": asked,
            "page_obj": page,
            "rows": list(page.object_list),
            "full": True,
        },
        status=400 if asked and not valid else 200,
    )


EXPORT_HEADER = ("when", "user name", "person", "ticket", "how", "what", "address")


@login_required
@require_GET
@reads_from_replica
def access_log_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered access log as CSV (auditors and admins)."""
    user = require_auditor(request)
    filterset = _filterset(request, user)
    if not filterset.is_valid():
        return HttpResponse(form_errors_text(filterset.form), status=400, content_type="text/plain")
    rows = filterset.qs

    def records() -> Iterator[list[object]]:
        yield list(EXPORT_HEADER)
        for row in rows.iterator(chunk_size=2000):
            yield [
                timezone.localtime(row.at).isoformat(timespec="seconds"),
                row.user.username if row.user else row.user_id,
                row.user or "",
                row.ticket.number if row.ticket else row.ticket_id,
                row.channel,
                row.resource,
                row.address,
            ]

    response = StreamingHttpResponse(csv_safe.lines(records()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def ticket_access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has opened this ticket: every read for auditors and admins, reads by others for the
    caller; 403 (or 404) for anyone else."""
    user = console_user(request)
    ticket, full = selectors.ticket_for_access_log(user, pk)
    rows = selectors.ticket_access_log(user, ticket, full=full)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "audit/ticket_access_log.html",
        {"ticket": ticket, "page_obj": page, "rows": list(page.object_list), "full": full},
    )
