"""Console routes of the reports app, mounted at /console/reports/."""

from __future__ import annotations

from django.urls import path, re_path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("recompute/", views.recompute, name="recompute"),
    path("subscription/", views.subscription, name="subscription"),
    path("contacts/", views.contacts, name="contacts"),
    re_path(r"^contacts\.(?P<fmt>csv|xlsx)$", views.contacts_export, name="contacts-export"),
    path("outages/", views.outages, name="outages"),
    re_path(r"^outages\.(?P<fmt>csv|xlsx)$", views.outages_export, name="outages-export"),
    re_path(r"^(?P<month>[^/]+)/report\.pdf$", views.export_pdf, name="pdf"),
    re_path(
        r"^(?P<month>[^/]+)/(?P<table>[a-z0-9_]+)\.(?P<fmt>csv|xlsx)$", views.export_table, name="export"
    ),
]
