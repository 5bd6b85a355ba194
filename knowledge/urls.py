"""Knowledge base routes of the console, mounted at /console/kb/."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "knowledge"

urlpatterns: list[URLPattern] = [
    path("suggestions/", views.agent_suggestions, name="suggestions"),
]
