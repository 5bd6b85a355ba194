"""Service catalogue console routes, mounted at /console/catalogue/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "catalogue"

urlpatterns: list[URLPattern | URLResolver] = []
