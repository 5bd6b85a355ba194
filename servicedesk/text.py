"""The one check of input text that the database could not store.

PostgreSQL text (and jsonb) holds neither NUL nor lone UTF-16 surrogates (JSON lets "\\ud800"
through): such text would be a 500 on saving. The JSON parser refuses surrogates anywhere in a
body (servicedesk/parsers.py), DRF's CharField refuses NUL and surrogates by field, and free-form
values (catalogue answers) use this function.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def is_storable(text: str) -> bool:
    """Whether the database can store the text as it is."""
    return "\x00" not in text and not has_surrogate(text)
