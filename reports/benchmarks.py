"""Benchmark data for the monthly report, written fast with INSERT … SELECT generate_series on
PostgreSQL (no Python loop over rows): tickets with their resolution clocks, contacts, changes and
outages spread over twelve Oslo months ending with the current one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from contacts.models import ContactQueue
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


AGENTS_PER_GROUP = 5


def reference_for_generated(prefix: str = "gen") -> tuple[dict[str, list[int]], bool]:
    """The generator's groups, services, callers' trusts and agents: created on the first run,
    found again on later ones (so appended tickets share them). Returns (ids, created)."""
    first = AssignmentGroup.objects.filter(name=f"{prefix} customer centre").first()
    if first is None:
        ref = setup_reference(prefix)
        agents: list[int] = []
        for index, group_id in enumerate(ref["first"] + ref["groups"]):
            role = Role.FIRST_LINE if index == 0 else Role.RESOLVER
            for k in range(AGENTS_PER_GROUP):
                agent = User.objects.create(
                    username=f"{prefix}-agent-{index}-{k}",
                    role=role,
                    email=f"{prefix}-agent-{index}-{k}@example.org",
                )
                agent.assignment_groups.add(group_id)
                agents.append(agent.pk)
        ref["agents"] = agents
        return ref, True
    groups = AssignmentGroup.objects.filter(name__startswith=f"{prefix} group ")
    by_number = {int(g.name.rsplit(" ", 1)[1]): g.pk for g in groups}
    agents_by_name = dict(
        User.objects.filter(username__startswith=f"{prefix}-agent-").values_list("username", "pk")
    )
    ref = {
        "trusts": list(
            HealthTrust.objects.filter(code__startswith=f"{prefix}-t")
            .order_by("code")
            .values_list("pk", flat=True)
        ),
        "first": [first.pk],
        "groups": [by_number[i] for i in sorted(by_number)],
        "services": list(
            Service.objects.filter(name__startswith=f"{prefix} service ")
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "queue": list(ContactQueue.objects.filter(code=f"{prefix}-main").values_list("pk", flat=True)),
        "agents": [
            agents_by_name[f"{prefix}-agent-{index}-{k}"]
            for index in range(1 + len(by_number))
            for k in range(AGENTS_PER_GROUP)
        ],
    }
    return ref, False


FIRST_NAMES = [
    "Kari",
    "Ola",
    "Ingrid",
    "Lars",
    "Nora",
    "Jonas",
    "Emma",
    "Ahmed",
    "Sofie",
    "Per",
    "Anne",
    "Mohammed",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Berg",
    "Haugen",
    "Hagen",
    "Eriksen",
    "Bakken",
    "Solberg",
    "Strand",
    "Dahl",
    "Lie",
    "Moen",
]


def insert_callers(count: int, trusts: list[int], prefix: str = "bench") -> None:
    """`count` end users with Norwegian names, a work e-mail and an eight-digit phone number
    (user name `<prefix>-caller-<n>`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO servicedesk_user (password, is_superuser, username, first_name, last_name, email,
                is_staff, is_active, date_joined, role, phone, preferred_language, trust_id)
            SELECT '!', false, %(prefix)s || '-caller-' || g, first, last || CASE WHEN g %% 7 = 0 THEN '-' || last2 ELSE '' END,
                lower(first || '.' || last || g) || '@example.org',
                false, true, now(), 'end_user', (40000000 + g)::text, 'nb', (%(trusts)s::bigint[])[1 + g %% 4]
            FROM generate_series(1, %(count)s) AS g,
                LATERAL (SELECT (%(firsts)s::text[])[1 + (g * 7) %% cardinality(%(firsts)s::text[])] AS first,
                    (%(lasts)s::text[])[1 + (g * 13) %% cardinality(%(lasts)s::text[])] AS last,
                    (%(lasts)s::text[])[1 + (g * 3) %% cardinality(%(lasts)s::text[])] AS last2) AS n
            """,
            {"prefix": prefix, "trusts": trusts, "count": count, "firsts": FIRST_NAMES, "lasts": LAST_NAMES},
        )


# What the tickets are about, English and Norwegian, as callers phrase it (searched by the
# console benchmark: "printer", "skriver").
TITLES = [
    "Printer prints blank pages",
    "Skriver på avdelingen skriver ikke ut",
    "Cannot log in to DIPS",
    "Glemt passord",
    "VPN disconnects every few minutes",
    "Outlook will not open",
    "Ny PC til nyansatt",
    "Access to shared folder",
    "Tilgang til felles mappe",
    "Telephone has no dial tone",
    "Skjerm blinker",
    "Label printer in the lab is offline",
    "Treg PC",
    "Citrix session freezes",
    "Kan ikke logge på Helseplattformen",
    "E-mail not syncing on mobile",
    "Badge reader at the door fails",
    "Bestilling av mobiltelefon",
    "Scanner saves to wrong folder",
    "Nettverk nede i 3. etasje",
    "Teams calls drop",
    "Skriverkø henger",
    "Password expired",
    "Programvare må installeres",
]
DESCRIPTIONS = [
    "The user called the service desk; see the title.",
    "Brukeren ringte servicedesken.",
    "Happens several times a day since Monday.",
    "Gjelder hele avdelingen.",
    "Restarted, no change.",
    "Feilmelding på skjermen, bilde vedlagt.",
]
# Median open-to-resolved 22 h with p90 ≈ 380 h (shared/data/uci-servicenow-incident-event-log):
# a log-normal duration with mu = ln(22 h) and sigma = 2.2.
RESOLUTION_MEDIAN_SECONDS = 22 * 3600
RESOLUTION_SIGMA = 2.2
# Resolution targets (24/7 seconds) by priority 1..4.
TARGETS = [4 * 3600, 8 * 3600, 3 * 86400, 5 * 86400]


def _span(first: Month, months: int, now: datetime) -> tuple[datetime, float]:
    start, _ = first.bounds()
    _, end = first.shift(months - 1).bounds()
    return start, (min(end, now) - start).total_seconds()


def _max_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 (our table names)
    return int(cursor.fetchone()[0])


def insert_tickets(
    count: int, first: Month, months: int, ref: dict[str, list[int]], now: datetime, prefix: str = "bench"
) -> tuple[int, int]:
    """`count` tickets spread evenly over `months` months from `first`, shaped like the real data:
    priority 3 for nine in ten; resolved after a log-normal time (median 22 h), so the recent
    ones are still open; 54 % resolved by the first-line group that logged them, the rest by one
    of the second-line groups (an assignee from `ref["agents"]` when given, five per group);
    resolved tickets closed five days later. Each ticket gets its resolution clock (stopped,
    met or not; or running), and breached clocks their alert. Returns the new tickets' id range."""
    start, span = _span(first, months, now)
    agents = ref.get("agents") or []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(id), max(id) FROM servicedesk_user WHERE role = 'end_user' AND username LIKE %s",
            [f"{prefix}-caller-%"],
        )
        low, high = cursor.fetchone()
        before = _max_id(cursor, "incidents_ticket")
        cursor.execute(
            """
            INSERT INTO incidents_ticket (kind, caller_id, created_by_id, channel, impact, urgency, priority,
                service_id, title, description, state, pending_reason, assignment_group_id, assignee_id, queue_entered_at,
                reassignment_count, resolution_code, resolution_note, resolved_by_group_id, major_incident,
                created_at, updated_at, resolved_at, closed_at, reopen_count)
            SELECT kind, caller, NULL, channel, 3, 3, priority, service, title, description, state,
                CASE WHEN state = 'pending' THEN 'customer' ELSE '' END,
                grp, CASE WHEN state IN ('new', 'assigned') THEN NULL ELSE assignee END,
                CASE WHEN state IN ('new', 'assigned') THEN created END,
                CASE WHEN fl THEN 0 ELSE 1 + floor(random() * 2)::int END,
                CASE WHEN resolved THEN 'solved' ELSE '' END, '',
                CASE WHEN resolved THEN grp END, false,
                created,
                CASE state WHEN 'closed' THEN resolves_at + interval '5 days' WHEN 'resolved' THEN resolves_at
                    ELSE created END,
                CASE WHEN resolved THEN resolves_at END,
                CASE WHEN state = 'closed' THEN resolves_at + interval '5 days' END, 0
            FROM (
                SELECT *, CASE WHEN fl THEN %(first_group)s ELSE (%(groups)s::bigint[])[1 + gi] END AS grp,
                    CASE WHEN cardinality(%(agents)s::bigint[]) = 0 THEN NULL
                        ELSE (%(agents)s::bigint[])[1 + (CASE WHEN fl THEN 0 ELSE 1 + gi END) * 5
                            + floor(random() * 5)::int] END AS assignee,
                    CASE
                        WHEN resolved AND resolves_at + interval '5 days' < %(now)s THEN 'closed'
                        WHEN resolved THEN 'resolved'
                        ELSE (ARRAY['new','assigned','in_progress','in_progress','in_progress','pending'])
                            [1 + floor(random() * 6)::int]
                    END AS state
                FROM (
                    SELECT *, created + duration * interval '1 second' AS resolves_at,
                        created + duration * interval '1 second' <= %(now)s AS resolved
                    FROM (
                        SELECT g,
                            CASE WHEN random() < 0.8 THEN 'incident' ELSE 'request' END AS kind,
                            %(low)s + floor(random() * (%(high)s - %(low)s + 1))::bigint AS caller,
                            (ARRAY['phone','phone','phone','phone','email','email','portal','portal','walk_in'])
                                [1 + floor(random() * 9)::int] AS channel,
                            CASE WHEN p < 0.01 THEN 1 WHEN p < 0.03 THEN 2 WHEN p < 0.93 THEN 3 ELSE 4 END AS priority,
                            (%(titles)s::text[])[1 + floor(random() * cardinality(%(titles)s::text[]))::int] AS title,
                            (%(descriptions)s::text[])[1 + floor(random() * cardinality(%(descriptions)s::text[]))::int]
                                AS description,
                            %(start)s::timestamptz + (g::float8 / %(count)s) * %(span)s * interval '1 second' AS created,
                            %(median)s * exp(%(sigma)s * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
                                AS duration,
                            (%(services)s::bigint[])[1 + floor(random() * cardinality(%(services)s::bigint[]))::int]
                                AS service,
                            random() < 0.54 AS fl,
                            floor(random() * cardinality(%(groups)s::bigint[]))::int AS gi
                        FROM generate_series(1, %(count)s) AS g, LATERAL (SELECT random() + g * 0 AS p) AS r
                    ) AS a
                ) AS b
            ) AS c
            """,
            {
                "low": low,
                "high": high,
                "start": start,
                "count": count,
                "span": span,
                "now": now,
                "median": RESOLUTION_MEDIAN_SECONDS,
                "sigma": RESOLUTION_SIGMA,
                "groups": ref["groups"],
                "services": ref["services"],
                "first_group": ref["first"][0],
                "agents": agents,
                "titles": TITLES,
                "descriptions": DESCRIPTIONS,
            },
        )
        after = _max_id(cursor, "incidents_ticket")
        insert_clocks(cursor, before, after, now)
    return before, after


def insert_clocks(cursor: Any, before: int, after: int, now: datetime) -> None:
    """The resolution clock (24/7 calendar, target by priority) of tickets `before` < id ≤ `after`,
    and an alert for each one that breached (recorded when it breached)."""
    calendar = Calendar.objects.get(name="24/7").pk
    cursor.execute(
        """
        INSERT INTO sla_clock (ticket_id, metric, calendar_id, target_seconds, warning_fractions, state,
            started_at, elapsed_seconds, running_since, due_at, next_check_at, warned_level, breach_recorded,
            stopped_at, met, breached_at)
        SELECT id, 'resolution', %(calendar)s, target, '[]'::jsonb,
            CASE WHEN open AND state = 'pending' THEN 'paused' WHEN open THEN 'running' ELSE 'stopped' END,
            created_at,
            CASE WHEN open THEN 0 ELSE extract(epoch FROM resolved_at - created_at) END,
            CASE WHEN open AND state <> 'pending' THEN created_at END,
            CASE WHEN open AND state <> 'pending' THEN due END,
            CASE WHEN open AND state <> 'pending' THEN greatest(due, %(now)s) END,
            0, due < coalesce(resolved_at, %(now)s),
            resolved_at, CASE WHEN NOT open THEN resolved_at <= due END,
            CASE WHEN due < coalesce(resolved_at, %(now)s) THEN due END
        FROM (
            SELECT id, state, created_at, resolved_at, resolved_at IS NULL AS open,
                (%(targets)s::int[])[priority] AS target,
                created_at + (%(targets)s::int[])[priority] * interval '1 second' AS due
            FROM incidents_ticket WHERE id > %(before)s AND id <= %(after)s
        ) AS t
        """,
        {"calendar": calendar, "now": now, "targets": TARGETS, "before": before, "after": after},
    )
    cursor.execute(
        """
        INSERT INTO sla_clockalert (clock_id, ticket_id, kind, level, fraction, threshold_at, recorded_at)
        SELECT id, ticket_id, 'breach', 0, 1.0, breached_at, breached_at
        FROM sla_clock WHERE ticket_id > %s AND ticket_id <= %s AND breached_at IS NOT NULL
        """,
        [before, after],
    )


def insert_history(before: int, after: int, ref: dict[str, list[int]]) -> None:
    """History rows and comments of tickets `before` < id ≤ `after`: created; assigned to the
    second-line group (for those that left first line); resolved; closed; and 0–2 comments each
    (a third of them internal), each comment with its event."""
    first_group = ref["first"][0]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incidents_ticketevent (ticket_id, actor_id, action, field, old_value, new_value, details,
                internal, created_at)
            SELECT id, NULL::bigint, 'created', '', '', '', '{}'::jsonb, false, created_at
            FROM incidents_ticket WHERE id > %(before)s AND id <= %(after)s
            UNION ALL
            SELECT id, NULL, 'assigned', 'assignment_group', %(first)s::text, assignment_group_id::text, '{}'::jsonb,
                false, created_at + interval '10 minutes'
            FROM incidents_ticket WHERE id > %(before)s AND id <= %(after)s AND reassignment_count > 0
            UNION ALL
            SELECT id, assignee_id, 'resolved', 'state', 'in_progress', 'resolved', '{}'::jsonb, false, resolved_at
            FROM incidents_ticket WHERE id > %(before)s AND id <= %(after)s AND resolved_at IS NOT NULL
            UNION ALL
            SELECT id, NULL, 'closed', 'state', 'resolved', 'closed', '{}'::jsonb, false, closed_at
            FROM incidents_ticket WHERE id > %(before)s AND id <= %(after)s AND closed_at IS NOT NULL
            """,
            {"before": before, "after": after, "first": first_group},
        )
        comments_before = _max_id(cursor, "incidents_comment")
        cursor.execute(
            """
            INSERT INTO incidents_comment (ticket_id, author_id, body, internal, created_at)
            SELECT t.id, t.assignee_id, (%(bodies)s::text[])[1 + floor(random() * cardinality(%(bodies)s::text[]))::int],
                random() < 0.33, t.created_at + n * interval '1 hour'
            FROM incidents_ticket AS t, LATERAL generate_series(1, floor(random() * 3 + t.id * 0)::int) AS n
            WHERE t.id > %(before)s AND t.id <= %(after)s
            """,
            {"before": before, "after": after, "bodies": DESCRIPTIONS},
        )
        cursor.execute(
            """
            INSERT INTO incidents_ticketevent (ticket_id, actor_id, action, field, old_value, new_value, details,
                internal, created_at)
            SELECT ticket_id, author_id, 'commented', '', '', '', '{}'::jsonb, internal, created_at
            FROM incidents_comment WHERE id > %s
            """,
            [comments_before],
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


def generated_ticket_count(prefix: str = "gen") -> int:
    """Tickets in the generated groups (an estimate is not needed: asked once per run)."""
    return int(
        AssignmentGroup.objects.filter(name__startswith=f"{prefix} ")
        .values_list("tickets", flat=True)
        .exclude(tickets=None)
        .count()
    )


def analyze(vacuum: bool = False) -> None:
    """Fresh planner statistics; with `vacuum` also the visibility map, as autovacuum would leave
    a settled database: counts then read indexes only. (VACUUM cannot run in a transaction,
    e.g. a test's: there it is left out.)"""
    vacuum = vacuum and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for table in (
            "incidents_ticket",
            "sla_clock",
            "incidents_contact",
            "incidents_ticketevent",
            "incidents_comment",
            "sla_clockalert",
            "servicedesk_user",
        ):
            cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE {table}")
