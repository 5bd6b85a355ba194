"""API routes of the reports app, mounted at /api/reports/ (in the api namespace)."""

from __future__ import annotations

from django.urls import path

from .api import MonthlyReportRecomputeView, MonthlyReportView

urlpatterns = [
    path("monthly/<str:month>/", MonthlyReportView.as_view(), name="report-monthly"),
    path(
        "monthly/<str:month>/recompute/",
        MonthlyReportRecomputeView.as_view(),
        name="report-monthly-recompute",
    ),
]
