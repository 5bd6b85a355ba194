"""Benchmark data for the monthly report, written fast with INSERT … SELECT generate_series on
PostgreSQL (no Python loop over rows): tickets with their resolution clocks, contacts, changes and
outages spread over twelve Oslo months ending with the current one."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from incidents.models import ContactQueue
from servicedesk.models import AssignmentGroup, GroupLevel, HealthTrust, Role, Service, User
from sla.models import Calendar

from .months import Month


def setup_reference(prefix: str = "bench") -> dict[str, list[int]]:
    trusts = [
        HealthTrust.objects.create(name=f"{prefix} trust {i}", code=f"{prefix}-t{i}").pk for i in range(4)
    ]
    first = AssignmentGroup.objects.create(name=f"{prefix} customer centre", level=GroupLevel.FIRST_LINE)
    groups = [
        AssignmentGroup.objects.create(name=f"{prefix} group {i}", level=GroupLevel.SECOND_LINE).pk
        for i in range(19)
    ]
    services = [
        Service.objects.create(
            name=f"{prefix} service {i}", tier=1 if i < 12 else 2, owner_group_id=groups[i % 19]
        ).pk
        for i in range(20)
    ]
    queue = ContactQueue.objects.create(code=f"{prefix}-main", name=f"{prefix} main", group=first)
    manager = User.objects.create(username=f"{prefix}-manager", role=Role.MANAGER, email="m@example.org")
    return {
        "trusts": trusts,
        "first": [first.pk],
        "groups": groups,
        "services": services,
        "queue": [queue.pk],
        "manager": [manager.pk],
    }


def insert_callers(count: int, trusts: list[int], prefix: str = "bench") -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO servicedesk_user (password, is_superuser, username, first_name, last_name, email,
                is_staff, is_active, date_joined, role, phone, preferred_language, trust_id)
            SELECT '!', false, %s || '-caller-' || g, '', '', '', false, true, now(), 'end_user', '', 'en',
                (%s::bigint[])[1 + g %% 4]
            FROM generate_series(1, %s) AS g
            """,
            [prefix, trusts, count],
        )


def insert_tickets(count: int, first: Month, months: int, ref: dict[str, list[int]], now: datetime) -> None:
    """`count` tickets spread evenly over `months` months from `first`; 93 % resolved (69 % of
    those at first line), the rest open; resolution clocks (90 % met) on the resolved ones,
    running ones on the open ones; a few reopen events."""
    start, _ = first.bounds()
    _, end = first.shift(months - 1).bounds()
    span = (min(end, now) - start).total_seconds()
    calendar = Calendar.objects.get(name="24/7").pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM servicedesk_user WHERE role = 'end_user' AND username LIKE 'bench-caller-%%'"
        )
        low, high = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO incidents_ticket (kind, caller_id, channel, impact, urgency, priority, title, description,
                state, pending_reason, reassignment_count, resolution_code, resolution_note, major_incident,
                created_at, updated_at, reopen_count, service_id, assignment_group_id, resolved_by_group_id,
                resolved_at, closed_at, queue_entered_at)
            SELECT kind, caller, channel, 3, 3, priority, 'Bench ' || g, '', state,
                CASE WHEN state = 'pending' THEN 'customer' ELSE '' END, CASE WHEN fl THEN 0 ELSE 1 END,
                '', '', false, created, created, 0, service, grp,
                CASE WHEN resolved THEN CASE WHEN fl THEN first_group ELSE grp END END,
                CASE WHEN resolved THEN created + (random() * interval '3 days') END,
                NULL, CASE WHEN state IN ('new', 'assigned') THEN created END
            FROM (
                SELECT g,
                    CASE WHEN random() < 0.8 THEN 'incident' ELSE 'request' END AS kind,
                    %(low)s + floor(random() * (%(high)s - %(low)s + 1))::bigint AS caller,
                    (ARRAY['phone','phone','phone','email','portal','walk_in'])[1 + floor(random() * 6)::int] AS channel,
                    (ARRAY[2,3,3,4,4,4])[1 + floor(random() * 6)::int] AS priority,
                    %(start)s::timestamptz + (g::float8 / %(count)s) * %(span)s * interval '1 second' AS created,
                    random() < 0.93 AS resolved,
                    random() < 0.69 AS fl,
                    (%(services)s::bigint[])[1 + floor(random() * 20)::int] AS service,
                    (%(groups)s::bigint[])[1 + floor(random() * 19)::int] AS grp,
                    %(first_group)s::bigint AS first_group
                FROM generate_series(1, %(count)s) AS g
            ) AS t, LATERAL (SELECT CASE WHEN t.resolved THEN 'closed'
                ELSE (ARRAY['new','assigned','in_progress','pending'])[1 + floor(random() * 4)::int] END AS state) AS s
            """,
            {
                "low": low,
                "high": high,
                "start": start,
                "count": count,
                "span": span,
                "services": ref["services"],
                "groups": ref["groups"],
                "first_group": ref["first"][0],
            },
        )
        cursor.execute(
            """
            INSERT INTO sla_clock (ticket_id, metric, calendar_id, target_seconds, warning_fractions, state,
                started_at, elapsed_seconds, running_since, due_at, next_check_at, warned_level, breach_recorded,
                stopped_at, met, breached_at)
            SELECT id, 'resolution', %s, 86400, '[]'::jsonb,
                CASE WHEN resolved_at IS NULL THEN 'running' ELSE 'stopped' END, created_at, 0,
                CASE WHEN resolved_at IS NULL THEN created_at END,
                due, due, 0, false, resolved_at,
                CASE WHEN resolved_at IS NULL THEN NULL ELSE random() < 0.9 END, NULL
            FROM (
                SELECT *, CASE WHEN resolved_at IS NULL THEN %s::timestamptz + random() * interval '3 days' END AS due
                FROM incidents_ticket WHERE title LIKE 'Bench %%'
            ) AS t
            """,
            [calendar, now],
        )
        cursor.execute(
            """
            INSERT INTO incidents_ticketevent (ticket_id, action, field, old_value, new_value, details, internal, created_at)
            SELECT id, 'reopened', 'state', 'resolved', 'in_progress', '{"seconds_since_resolved": 3600}'::jsonb, false,
                resolved_at
            FROM incidents_ticket WHERE resolved_at IS NOT NULL AND title LIKE 'Bench %%' AND random() < 0.02
            """
        )


def insert_contacts(
    count: int, first: Month, months: int, queue: int, now: datetime, prefix: str = "bench"
) -> None:
    start, _ = first.bounds()
    _, end = first.shift(months - 1).bounds()
    span = (min(end, now) - start).total_seconds()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incidents_contact (external_id, queue_id, channel, caller_number, state, offered_at,
                answered_at, abandoned_at, wait_seconds)
            SELECT %(prefix)s || '-' || %(start)s::text || '-' || g, %(queue)s, 'phone', '',
                CASE WHEN ab THEN 'abandoned' ELSE 'answered' END, offered,
                CASE WHEN ab THEN NULL ELSE offered + wait * interval '1 second' END,
                CASE WHEN ab THEN offered + wait * interval '1 second' END, wait
            FROM (
                SELECT g, random() < 0.06 AS ab, -58 * ln(1 - random()) AS wait,
                    %(start)s::timestamptz + (g::float8 / %(count)s) * %(span)s * interval '1 second' AS offered
                FROM generate_series(1, %(count)s) AS g
            ) AS t
            """,
            {"prefix": prefix, "start": start, "queue": queue, "count": count, "span": span},
        )


def analyze() -> None:
    with connection.cursor() as cursor:
        for table in (
            "incidents_ticket",
            "sla_clock",
            "incidents_contact",
            "incidents_ticketevent",
            "servicedesk_user",
        ):
            cursor.execute(f"ANALYZE {table}")
