"""Change management console routes, mounted at /console/changes/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "changes"

urlpatterns: list[URLPattern | URLResolver] = []
