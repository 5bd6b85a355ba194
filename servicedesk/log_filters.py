# mypy: disallow-untyped-defs, disallow-incomplete-defs
"""Logging filters (wired in settings.LOGGING)."""

from __future__ import annotations

import logging


class OneLineClientErrors(logging.Filter):
    """django.request logs a refused request (403 PermissionDenied, 400 bad request) as a warning
    with the exception's full traceback. A refusal is ordinary, not a fault: keep it to one line
    with the reason given; server errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500 and record.exc_info:
            reason = " ".join(str(record.exc_info[1] or "").split())  # one line, whatever it holds
            record.msg = record.getMessage() + (f" — {reason}" if reason else "")
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
