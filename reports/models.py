"""Monthly KPI snapshots and who receives them by e-mail.

A snapshot is immutable: it is written once by reports.services.snapshot_create and never updated
(recomputing a month writes a new one; the old ones stay and are listed).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("Monthly schedule")
    NIGHTLY = "nightly", _("Nightly month to date")
    MANAGER = "manager", _("Recomputed by a manager")
    DEMO = "demo", _("Demo data")


class MonthlySnapshot(models.Model):
    month = models.DateField(_("month"), help_text=_("The first day of the Oslo calendar month."))
    # Figures count events in [period_start, period_end): the whole month, or up to the computation
    # for a month-to-date snapshot.
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("until"))
    complete = models.BooleanField(_("whole month"))
    figures = models.JSONField(_("figures"))
    targets = models.JSONField(_("targets in force"))
    definitions_version = models.PositiveSmallIntegerField(_("definitions version"))
    computed_at = models.DateTimeField(_("computed"))
    computation_seconds = models.FloatField(_("computation time (s)"))
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # Scheduled runs carry a key ("schedule:2019-03", "nightly:2019-03-14"): a beat task delivered
    # twice, late or to two workers finds the key taken and writes nothing (the unique constraint
    # decides, not a check-then-insert). Manual recomputations have none: each is a new snapshot.
    run_key = models.CharField(max_length=60, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-month", "-computed_at", "-id"]
        indexes = [
            # The dashboard and the API: the latest snapshot of each month (DISTINCT ON month).
            models.Index(fields=["month", "-computed_at", "-id"], name="snapshot_month_latest_idx"),
        ]
        verbose_name = _("monthly KPI snapshot")
        verbose_name_plural = _("monthly KPI snapshots")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} @ {self.computed_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Immutable: refuse to rewrite a stored snapshot (a guard, not a side effect).
        if not self._state.adding:
            raise ValueError("A monthly snapshot is immutable; compute a new one instead.")
        super().save(*args, **kwargs)


class MonthlyReportSubscription(models.Model):
    """A manager who has opted in to receive each month's report by e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="monthly_report_subscription"
    )
    created_at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("monthly report subscription")
        verbose_name_plural = _("monthly report subscriptions")

    def __str__(self) -> str:
        return str(self.user)
