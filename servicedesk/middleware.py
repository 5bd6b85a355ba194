"""Serve each signed-in user in their preferred language."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "preferred_language", "") if user and user.is_authenticated else ""
        if not language:
            return self.get_response(request)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        # override, not activate: the language must not outlive this request in the thread.
        with translation.override(language):
            return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers carry people's data: no browser or proxy may keep a copy.

    Static files (served by WhiteNoise before this) keep their own long-lived caching; a response
    that already says how to cache itself is left as it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
