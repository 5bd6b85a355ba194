"""Writes the access-log rows a view recorded once the response has gone to the browser."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.http import HttpRequest, HttpResponseBase

from . import services


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        pending = services.PendingReads()
        setattr(request, services.PENDING_ATTR, pending)
        response = self.get_response(request)
        if pending:
            # The server calls the response's closers after the last byte is sent (and the test
            # client before it returns): the insert never delays the page. Django runs them
            # before request_finished closes the database connection.
            # (_resource_closers is Django's own list for this, e.g. FileResponse closing its file.)
            response._resource_closers.append(partial(services.write_pending, pending))  # type: ignore[attr-defined]
        return response
