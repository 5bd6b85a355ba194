# mypy: disallow-untyped-defs, disallow-incomplete-defs
"""Reads of the reports app, scoped to who may see reports."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from servicedesk.models import Role, User

from .models import MonthlySnapshot
from .months import Month

REPORT_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def can_see_reports(user: object) -> bool:
    """Service-desk managers and administrators; nobody else learns that reports exist."""
    return isinstance(user, User) and user.is_active and (user.is_superuser or user.role in REPORT_ROLES)


def require_reports(user: object) -> User:
    if not can_see_reports(user):
        raise Http404
    assert isinstance(user, User)  # noqa: S101 -- narrowed by can_see_reports
    return user


def snapshots_of(month: Month) -> QuerySet[MonthlySnapshot]:
    """Every snapshot of the month, newest first (the first one is the month's current report)."""
    return (
        MonthlySnapshot.objects.filter(month=month.first_day)
        .select_related("requested_by")
        .order_by("-computed_at", "-id")
    )


def latest_snapshots(first: Month, last: Month) -> dict[Month, MonthlySnapshot]:
    """The newest snapshot of each month in [first, last], in one query (DISTINCT ON on PostgreSQL,
    which the (month, -computed_at, -id) index serves; newest-per-month in Python elsewhere)."""
    rows = MonthlySnapshot.objects.filter(month__gte=first.first_day, month__lte=last.first_day).order_by(
        "month", "-computed_at", "-id"
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        rows = rows.distinct("month")
    result: dict[Month, MonthlySnapshot] = {}
    for snapshot in rows:
        result.setdefault(Month.from_date(snapshot.month), snapshot)
    return result
