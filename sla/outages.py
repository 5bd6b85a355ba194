"""Writes to outages: one function per way an outage comes, changes or goes, each writing history.

Outages come from four places (OutageCause): a major incident (incidents/services.py declares and
ends it; the outage follows), a scheduled change (changes/services.py; planned), monitoring
(`POST /api/outages/` down/up, idempotent) and managers recording one by hand. Managers may
correct the start and end of any of them. Nothing else writes an Outage.

Each function checks, locks, saves `update_fields` and writes one OutageEvent per changed field;
a refused call raises DomainError and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.errors import DomainError, IllegalTransition, NotAllowed
from servicedesk.models import Role, Service, User

from .models import Outage, OutageAction, OutageCause, OutageEvent

if TYPE_CHECKING:
    from changes.models import Change
    from incidents.models import Ticket

# Clocks of monitoring systems drift a little; more than this ahead of ours is a bad timestamp.
CLOCK_TOLERANCE = timedelta(seconds=5)
# What a manager may correct on an outage; service, cause and links stay as they were made.
EDITABLE_FIELDS = ("started_at", "ended_at", "note")
# Who edits outages and records them by hand.
OUTAGE_MANAGER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def can_manage_outages(user: User) -> bool:
    return user.is_superuser or user.role in OUTAGE_MANAGER_ROLES


def can_report_monitoring(user: User) -> bool:
    return user.is_superuser or user.role in (Role.INTEGRATION, Role.ADMIN)


def _ensure_manager(actor: User) -> None:
    if not can_manage_outages(actor):
        raise NotAllowed(_("Only service-desk managers may record or edit outages."))


def _check_times(
    started_at: datetime,
    ended_at: datetime | None,
    *,
    planned: bool,
    start_field: str = "started_at",
    end_field: str = "ended_at",
) -> None:
    if ended_at is not None and ended_at < started_at:
        raise DomainError(_("An outage cannot end before it starts."), field=end_field)
    if planned:
        return  # a planned outage is announced ahead
    latest = timezone.now() + CLOCK_TOLERANCE
    if started_at > latest:
        raise DomainError(_("An unplanned outage cannot start in the future."), field=start_field)
    if ended_at is not None and ended_at > latest:
        raise DomainError(_("An unplanned outage cannot end in the future."), field=end_field)


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _record(
    outage: Outage,
    actor: User | None,
    action: str,
    values: dict[str, Any],
    *,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> list[str]:
    """Set the values, save the changed fields, write one event per changed field."""
    changed = []
    events = []
    for name, new in values.items():
        old = getattr(outage, name)
        if old == new:
            continue
        changed.append(name)
        setattr(outage, name, new)
        events.append(
            OutageEvent(
                outage=outage,
                actor=actor,
                action=action,
                field=name,
                old_value=_value(old),
                new_value=_value(new),
                details=details or {},
                created_at=now,
            )
        )
    if changed:
        outage.updated_at = now
        outage.save(update_fields=[*changed, "updated_at"])
        OutageEvent.objects.bulk_create(events)
    return changed


def _create(actor: User | None, *, details: dict[str, Any] | None = None, **fields: Any) -> Outage:
    now = timezone.now()
    outage = Outage.objects.create(created_at=now, updated_at=now, **fields)
    OutageEvent.objects.create(
        outage=outage,
        actor=actor,
        action=OutageAction.CREATED,
        new_value=str(outage),
        details={
            "cause": outage.cause,
            "planned": outage.planned,
            "started_at": _value(outage.started_at),
            "ended_at": _value(outage.ended_at),
            **(details or {}),
        },
        created_at=now,
    )
    return outage


def _lock_service(service: Service) -> Service:
    # One writer per service at a time: two monitoring events for a service are applied in turn.
    return Service.objects.select_for_update().get(pk=service.pk)


# --- by hand -----------------------------------------------------------------------------------


def outage_record(
    *,
    actor: User,
    service: Service,
    started_at: datetime,
    ended_at: datetime | None = None,
    planned: bool = False,
    note: str = "",
) -> Outage:
    """A manager records an outage nobody else reported (cause: manual)."""
    _ensure_manager(actor)
    _check_times(started_at, ended_at, planned=planned)
    with transaction.atomic():
        return _create(
            actor,
            service=service,
            started_at=started_at,
            ended_at=ended_at,
            planned=planned,
            cause=OutageCause.MANUAL,
            note=note,
        )


def outage_update(*, outage: Outage, actor: User, **values: Any) -> Outage:
    """A manager corrects an outage's start, end (None: still ongoing) or note."""
    _ensure_manager(actor)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))
    try:
        with transaction.atomic():
            outage = Outage.objects.select_for_update().get(pk=outage.pk)
            started_at = values.get("started_at", outage.started_at)
            ended_at = values.get("ended_at", outage.ended_at)
            _check_times(started_at, ended_at, planned=outage.planned)
            _record(outage, actor, OutageAction.UPDATED, values, now=timezone.now())
    except IntegrityError as error:  # reopened while monitoring has another open outage
        raise IllegalTransition(
            _("The service already has an open outage reported by monitoring.")
        ) from error
    return outage


# --- monitoring ----------------------------------------------------------------------------------


def monitoring_down(*, actor: User, service: Service, at: datetime, note: str = "") -> tuple[Outage, bool]:
    """Monitoring reports the service down. Returns (outage, created).

    Idempotent: while monitoring's outage of the service is open, or when `at` falls inside one
    it already reported, the report is a repeat and changes nothing.
    """
    _check_times(at, None, planned=False, start_field="at")
    with transaction.atomic():
        _lock_service(service)
        known = (
            Outage.objects.filter(service=service, cause=OutageCause.MONITORING)
            .filter(Q(ended_at__isnull=True) | Q(started_at__lte=at, ended_at__gte=at))
            .order_by("ended_at", "-started_at")
            .first()
        )
        if known is not None:
            return known, False
        outage = _create(
            actor,
            service=service,
            started_at=at,
            planned=False,
            cause=OutageCause.MONITORING,
            note=note,
        )
    return outage, True


def monitoring_up(*, actor: User, service: Service, at: datetime) -> Outage:
    """Monitoring reports the service up again: its open outage ends at `at`.

    A repeat of an "up" already applied changes nothing; "up" for a service monitoring has not
    reported down is refused (409); an "up" before the "down" is bad input (400).
    """
    _check_times(at, None, planned=False, start_field="at")
    with transaction.atomic():
        _lock_service(service)
        outages = Outage.objects.filter(service=service, cause=OutageCause.MONITORING)
        repeat = outages.filter(ended_at=at).first()
        if repeat is not None:
            return repeat
        outage = outages.filter(ended_at__isnull=True).first()
        if outage is None:
            raise IllegalTransition(
                _("%(service)s is not down: monitoring has reported no open outage.")
                % {"service": service.name}
            )
        if at < outage.started_at:
            raise DomainError(_("An outage cannot end before it starts."), field="at")
        _record(outage, actor, OutageAction.ENDED, {"ended_at": at}, now=timezone.now())
    return outage


# --- changes -------------------------------------------------------------------------------------


def change_outages_plan(
    *, change: Change, actor: User | None, services: Iterable[Service], start: datetime, end: datetime
) -> list[Outage]:
    """The planned outage of each service of a scheduled change; a reschedule moves them (with
    history), services no longer on the change lose theirs. Call inside the change's transaction."""
    services = list(services)
    existing = {
        outage.service_id: outage for outage in Outage.objects.select_for_update().filter(change=change)
    }
    now = timezone.now()
    outages = []
    for service in services:
        outage = existing.pop(service.pk, None)
        if outage is None:
            outage = _create(
                actor,
                service=service,
                started_at=start,
                ended_at=end,
                planned=True,
                cause=OutageCause.CHANGE,
                change=change,
                details={"change": change.pk},
            )
        else:
            _record(outage, actor, OutageAction.UPDATED, {"started_at": start, "ended_at": end}, now=now)
        outages.append(outage)
    if existing:
        Outage.objects.filter(pk__in=[outage.pk for outage in existing.values()]).delete()
    return outages


def change_outages_remove(*, change: Change) -> None:
    """A cancelled change takes its planned outages (and their history) with it: they never
    happened. Call inside the change's transaction."""
    Outage.objects.filter(change=change, planned=True).delete()


# --- major incidents ---------------------------------------------------------------------------


def incident_outages_open(
    *, ticket: Ticket, actor: User, services: Iterable[Service], started_at: datetime
) -> list[Outage]:
    """An unplanned outage of each affected service of a major incident, open until it ends.
    Call inside the ticket's transaction."""
    _check_times(started_at, None, planned=False, start_field="impact_start")
    return [
        _create(
            actor,
            service=service,
            started_at=started_at,
            planned=False,
            cause=OutageCause.MAJOR_INCIDENT,
            ticket=ticket,
            details={"ticket": ticket.pk},
        )
        for service in services
    ]


def incident_outages_end(*, ticket: Ticket, actor: User | None, ended_at: datetime) -> list[Outage]:
    """The major incident's service is restored: its open outages end. Call inside the ticket's
    transaction."""
    outages = list(Outage.objects.select_for_update().filter(ticket=ticket, ended_at__isnull=True))
    now = timezone.now()
    for outage in outages:
        _check_times(outage.started_at, ended_at, planned=outage.planned, end_field="restored_at")
        _record(outage, actor, OutageAction.ENDED, {"ended_at": ended_at}, now=now)
    return outages
