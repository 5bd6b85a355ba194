"""Access-log pages, mounted at /console/audit/."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.access_log, name="access-log"),
    path("access-log.csv", views.access_log_export, name="access-log-export"),
    path("tickets/<int:pk>/", views.ticket_access_log, name="ticket"),
]
