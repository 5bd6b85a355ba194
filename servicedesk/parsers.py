"""Request parsing with limits. Kept apart from views: DRF imports parsers while defining APIView."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

from .text import has_surrogate

MAX_JSON_DEPTH = 20


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of decoded JSON, stopping once past the limit (iterative: no recursion).

    Raises ParseError on a lone surrogate in any string, key or value: the database cannot store
    one, and every path through the API gets its 400 here."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                stack.append((child, level + 1))
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
        else:
            _check_text(item)
    return deepest


def _check_text(value: Any) -> None:
    if isinstance(value, str) and has_surrogate(value):
        raise exceptions.ParseError("The body holds text that is not valid Unicode (a lone surrogate).")


class DepthLimitedJSONParser(JSONParser):
    """JSON with limits: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, absurd nesting a 400
    (instead of a RecursionError, a 500). DRF reads the raw stream, so Django's own body limit
    does not apply here: we bound the read ourselves."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            raw = stream.read(limit + 1) if stream is not None else b""
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        if len(raw) > limit:
            raise PayloadTooLarge()
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON nested too deeply.") from None
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise exceptions.ParseError("JSON nested too deeply.")
        return data
