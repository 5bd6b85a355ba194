"""The one domain error type; the API maps it to HTTP, forms show its message."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused an operation. Nothing was changed."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class IllegalTransition(DomainError):
    status = 409
    code = "illegal_transition"


class NotAllowed(DomainError):
    status = 403
    code = "not_allowed"


class AttachmentTooLarge(DomainError):
    status = 413
    code = "attachment_too_large"
