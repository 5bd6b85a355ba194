"""SLA data: business calendars, policies with targets, OLAs, and the clocks on tickets.

Targets and calendars are data, edited by managers in the admin; clocks are derived from a
ticket's history (sla/clock.py) and swept for warnings and breaches (sla/scan.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models import PRIORITY_CHOICES, Kind, Ticket
from servicedesk.models import AssignmentGroup, Service

if TYPE_CHECKING:
    from . import calendar as cal


class Calendar(models.Model):
    """Working hours in a time zone, minus public holidays and closures."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Oslo")
    always_open = models.BooleanField(_("open 24/7"), default=False)
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=2,
        blank=True,
        default="NO",
        help_text=_("ISO country code whose public holidays are closed; empty for none."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def to_spec(self) -> cal.CalendarSpec:
        """The pure calendar the arithmetic works on (reads intervals and exceptions)."""
        from . import calendar as cal

        weekly: list[list[cal.Interval]] = [[] for _day in range(7)]
        for interval in self.intervals.all():
            weekly[interval.weekday].append((interval.start, interval.end))
        closures: set[dt.date] = set()
        overrides: list[tuple[dt.date, tuple[cal.Interval, ...]]] = []
        for exception in self.exceptions.all():
            if exception.opens is None or exception.closes is None:
                closures.add(exception.date)
            else:
                overrides.append((exception.date, ((exception.opens, exception.closes),)))
        return cal.CalendarSpec(
            timezone=self.timezone,
            weekly=tuple(tuple(sorted(day)) for day in weekly),
            always_open=self.always_open,
            holiday_country=self.holiday_country or None,
            closures=frozenset(closures),
            overrides=tuple(sorted(overrides)),
        )

    def validate_working_time(self) -> None:
        """Raise ValidationError if the calendar could never reach a due time (or is malformed)."""
        from . import calendar as cal

        try:
            cal.validate(self.to_spec())
        except cal.CalendarError as error:
            raise ValidationError(str(error)) from error


class WorkingInterval(models.Model):
    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.end != dt.time(0) and self.end <= self.start:
            raise ValidationError({"end": _("The interval must end after it starts.")})


class CalendarException(models.Model):
    """A date that differs from the week: closed all day, or open only for a shortened time."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True, help_text=_("Empty: closed all day."))
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_unique_date"),
            models.CheckConstraint(
                condition=models.Q(opens__isnull=True, closes__isnull=True)
                | models.Q(opens__isnull=False, closes__isnull=False),
                name="calendar_exception_both_or_neither",
            ),
        ]
        verbose_name = _("closure or shortened day")
        verbose_name_plural = _("closures and shortened days")

    def __str__(self) -> str:
        return f"{self.date} {self.note}".strip()

    def clean(self) -> None:
        if (self.opens is None) != (self.closes is None):
            raise ValidationError(_("Give both opening and closing time, or neither for a closed day."))
        if self.opens and self.closes and self.closes != dt.time(0) and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class Metric(models.TextChoices):
    RESPONSE = "response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    OLA = "ola", _("Group (OLA)")


class SlaPolicy(models.Model):
    """Which tickets a policy applies to; the lowest precedence number among matches wins."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    precedence = models.PositiveIntegerField(
        _("precedence"), unique=True, help_text=_("Lower wins when several policies match.")
    )
    active = models.BooleanField(_("active"), default=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, blank=True, help_text=_("Empty: any.")
    )
    service_tier = models.PositiveSmallIntegerField(
        _("service tier"),
        null=True,
        blank=True,
        choices=[(1, "1"), (2, "2"), (3, "3")],
        help_text=_("Empty: any."),
    )
    assignment_group = models.ForeignKey(
        AssignmentGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("group"),
        help_text=_("Empty: any."),
    )
    warning_fractions = models.JSONField(
        _("warn at fractions of the target"),
        default=list,
        blank=True,
        help_text=_("For example [0.75, 0.9]."),
    )
    pause_when_awaiting_customer = models.BooleanField(_("pause while awaiting the customer"), default=True)
    pause_when_awaiting_third_party = models.BooleanField(
        _("pause while awaiting a third party"), default=True
    )

    class Meta:
        ordering = ["precedence"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        fractions = self.warning_fractions
        if not isinstance(fractions, list) or not all(
            isinstance(f, (int, float)) and not isinstance(f, bool) and 0 < f < 1 for f in fractions
        ):
            raise ValidationError(
                {"warning_fractions": _("Give a list of fractions between 0 and 1, e.g. [0.75, 0.9].")}
            )

    def matches(self, *, kind: str, service_tier: int | None, group_id: int | None) -> bool:
        return (
            (not self.kind or self.kind == kind)
            and (self.service_tier is None or self.service_tier == service_tier)
            and (self.assignment_group_id is None or self.assignment_group_id == group_id)
        )


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PRIORITY_CHOICES)
    metric = models.CharField(
        _("measures"),
        max_length=10,
        choices=[(Metric.RESPONSE, Metric.RESPONSE.label), (Metric.RESOLUTION, Metric.RESOLUTION.label)],
    )
    target_seconds = models.PositiveIntegerField(_("target (business seconds)"))
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, verbose_name=_("calendar"))

    class Meta:
        ordering = ["policy", "priority", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority", "metric"], name="sla_target_unique"),
            models.CheckConstraint(condition=models.Q(target_seconds__gt=0), name="sla_target_positive"),
        ]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")

    def __str__(self) -> str:
        return f"P{self.priority} {self.get_metric_display()}: {self.target_seconds} s"

    def clean(self) -> None:
        if not self.target_seconds or self.target_seconds <= 0:
            raise ValidationError({"target_seconds": _("The target must be more than zero.")})


class OlaTarget(models.Model):
    """How long one group may hold a ticket (an operational-level agreement)."""

    group = models.ForeignKey(AssignmentGroup, on_delete=models.CASCADE, related_name="ola_targets")
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=PRIORITY_CHOICES, null=True, blank=True, help_text=_("Empty: any priority.")
    )
    target_seconds = models.PositiveIntegerField(_("target (business seconds)"))
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, verbose_name=_("calendar"))

    class Meta:
        ordering = ["group", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["group", "priority"], name="ola_target_unique"),
            models.CheckConstraint(condition=models.Q(target_seconds__gt=0), name="ola_target_positive"),
        ]
        verbose_name = _("OLA target")
        verbose_name_plural = _("OLA targets")

    def __str__(self) -> str:
        return f"{self.group} P{self.priority or '*'}: {self.target_seconds} s"

    def clean(self) -> None:
        if not self.target_seconds or self.target_seconds <= 0:
            raise ValidationError({"target_seconds": _("The target must be more than zero.")})


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class Clock(models.Model):
    """One target measured for one ticket. Derived from the ticket's history (sla/clock.py).

    While running, `due_at` is the instant the elapsed business time reaches the target and
    `next_check_at` the earliest warning or breach instant not yet recorded: the breach sweep is
    an indexed range query on it.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(_("measures"), max_length=10, choices=Metric.choices)
    group = models.ForeignKey(
        AssignmentGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="+")
    target_seconds = models.PositiveIntegerField(_("target (business seconds)"))
    warning_fractions = models.JSONField(default=list, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=ClockState.choices)
    started_at = models.DateTimeField(_("started"))
    # Business seconds counted up to `running_since` (or in total, when not running).
    elapsed_seconds = models.FloatField(_("elapsed (business seconds)"), default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    # How many warning thresholds have been recorded (0 … len(warning_fractions)).
    warned_level = models.PositiveSmallIntegerField(default=0)
    # Whether the sweep has recorded (and notified) the breach of the running clock.
    breach_recorded = models.BooleanField(default=False)
    # The instant the target was exceeded, once known (by the sweep, or when the clock stopped).
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    met = models.BooleanField(_("met"), null=True, blank=True)

    class Meta:
        ordering = ["ticket", "metric", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric"], condition=models.Q(group__isnull=True), name="clock_unique_sla"
            ),
            models.UniqueConstraint(
                fields=["ticket", "metric", "group"],
                condition=models.Q(group__isnull=False),
                name="clock_unique_ola",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="running")
                | models.Q(due_at__isnull=False, running_since__isnull=False),
                name="clock_running_has_due",
            ),
            models.CheckConstraint(
                condition=models.Q(state="running")
                | models.Q(due_at__isnull=True, next_check_at__isnull=True),
                name="clock_only_running_is_due",
            ),
        ]
        indexes = [
            # The sweep: running clocks with a warning or breach due. Only running clocks have
            # next_check_at, and the partial index holds only those: small, and hot in cache.
            models.Index(
                fields=["next_check_at"],
                name="clock_next_check_idx",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["due_at"], name="clock_due_idx", condition=models.Q(state="running")),
        ]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.group_id or ''}".strip()

    def key(self) -> tuple[str, int | None]:
        return (self.metric, self.group_id)


class ClockSegment(models.Model):
    """A stretch of a clock's life, running or paused, with the business seconds it counted."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="segments")
    running = models.BooleanField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    business_seconds = models.FloatField(default=0)
    reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["clock", "started_at", "id"]
        verbose_name = _("clock segment")
        verbose_name_plural = _("clock segments")

    def __str__(self) -> str:
        return f"{'running' if self.running else 'paused'} {self.started_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class ClockAlert(models.Model):
    """A warning or breach, recorded exactly once per clock and level (the constraint says so)."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="alerts")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_alerts")
    kind = models.CharField(max_length=8, choices=AlertKind.choices)
    # Warning: 1-based index into the clock's warning fractions; breach: 0.
    level = models.PositiveSmallIntegerField(default=0)
    fraction = models.FloatField(help_text=_("Share of the target elapsed when it fired"))
    threshold_at = models.DateTimeField(_("threshold reached"))
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "kind", "level"], name="clock_alert_once"),
        ]
        indexes = [
            models.Index(fields=["ticket", "-recorded_at"], name="clock_alert_ticket_idx"),
            # The navigation's count of the last day's alerts reads only that day's rows.
            models.Index(fields=["recorded_at"], name="clock_alert_recorded_idx"),
        ]
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")

    def __str__(self) -> str:
        return f"{self.kind} {self.fraction:.0%} {self.clock_id}"


class KpiTarget(models.Model):
    """A service-level target managers can change (DESIGN.md: targets are data, not code)."""

    AVERAGE_WAIT_SECONDS = "average_wait_seconds"
    FIRST_LINE_RESOLUTION = "first_line_resolution"

    key = models.SlugField(_("key"), max_length=60, unique=True)
    value = models.FloatField(_("target"))
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")

    def __str__(self) -> str:
        return f"{self.key} = {self.value:g}"

    @classmethod
    def value_of(cls, key: str, default: float) -> float:
        value = cls.objects.filter(key=key).values_list("value", flat=True).first()
        return default if value is None else value


class OutageCause(models.TextChoices):
    MAJOR_INCIDENT = "major_incident", _("Major incident")
    CHANGE = "change", _("Change")
    MONITORING = "monitoring", _("Monitoring")
    MANUAL = "manual", _("Manual")


class Outage(models.Model):
    """A time a service was (or is, or will be) unavailable: the basis of the availability figure.

    One model for every outage (sla/outages.py writes them): unplanned from a major incident or
    from monitoring, planned from a scheduled change, or recorded by hand. `ended_at` is null
    while the outage lasts. Overlaps are allowed (a monitoring alarm and the major incident about
    it): the availability computation merges them (sla/availability.py).
    """

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="outages", verbose_name=_("service")
    )
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    planned = models.BooleanField(_("planned"), default=False)
    cause = models.CharField(_("cause"), max_length=16, choices=OutageCause.choices)
    # The major incident it belongs to; the outage follows its declaration and end.
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outages",
        verbose_name=_("major incident"),
    )
    # The scheduled change it is the planned downtime of; goes with the change's window.
    change = models.ForeignKey(
        "changes.Change",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outages",
        verbose_name=_("change"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # Availability and the list: a service's outages overlapping a period.
            models.Index(fields=["service", "started_at"], name="outage_service_start_idx"),
            models.Index(fields=["started_at"], name="outage_start_idx"),
            # "Is the service down now?": the few open outages.
            models.Index(
                fields=["service"], name="outage_open_idx", condition=models.Q(ended_at__isnull=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="outage_ends_after_start",
            ),
            # Monitoring reports down/up per service: at most one open monitoring outage each,
            # so a "down" delivered twice at once cannot open two.
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(cause="monitoring", ended_at__isnull=True),
                name="outage_one_open_monitoring_per_service",
            ),
            models.UniqueConstraint(
                fields=["change", "service"],
                condition=models.Q(change__isnull=False),
                name="outage_one_per_change_service",
            ),
            models.UniqueConstraint(
                fields=["ticket", "service"],
                condition=models.Q(ticket__isnull=False),
                name="outage_one_per_incident_service",
            ),
            models.CheckConstraint(
                condition=~models.Q(cause="change") | models.Q(change__isnull=False),
                name="outage_change_cause_has_change",
            ),
        ]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")

    def __str__(self) -> str:
        end = f"{self.ended_at:%Y-%m-%d %H:%M}" if self.ended_at else "…"
        return f"{self.service}: {self.started_at:%Y-%m-%d %H:%M}–{end}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def clean(self) -> None:
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("An outage cannot end before it starts.")})


class OutageAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    ENDED = "ended", _("Ended")


class OutageEvent(models.Model):
    """One history row per changed field of an outage: who, when, what, old → new."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=12, choices=OutageAction.choices)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["outage", "created_at"], name="outage_event_time_idx")]
        verbose_name = _("outage event")
        verbose_name_plural = _("outage events")

    def __str__(self) -> str:
        return f"{self.action} {self.field}".strip()
