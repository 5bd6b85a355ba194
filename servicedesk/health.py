"""Is the service desk working? The database, the broker, and the periodic jobs' heartbeats.

Read by the health endpoint (`/healthz`, for load balancers and monitoring: no login, no personal
data), the console's health page, and `manage.py health` (exit code for cron or systemd). Every
check is bounded by a short timeout so that a hung service makes the answer "down", never slow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from kombu import Connection

from . import heartbeat

BROKER_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: dict[str, float | int | None] = field(default_factory=dict)


def database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Check("database", False)
    return Check("database", True)


def broker() -> Check:
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://")):
            client = redis.Redis.from_url(
                url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
            )
            try:
                ok = bool(client.ping())
            finally:
                client.close()
        else:  # the demo's filesystem broker, or another kombu transport
            with Connection(
                url,
                connect_timeout=BROKER_TIMEOUT_SECONDS,
                transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            ) as conn:
                conn.ensure_connection(max_retries=1)
                ok = True
    except Exception:  # any failure to reach the broker means it is down, whatever raised
        ok = False
    return Check("broker", ok)


def checks() -> list[Check]:
    """All checks; the heartbeats count as failed while the database cannot be read."""
    db = database()
    results = [db, broker()]
    if db.ok:
        try:
            pulses = heartbeat.pulses()
        except DatabaseError:
            pulses = []
            results[0] = Check("database", False)
        results += [
            Check(p.name, p.ok, {"age_seconds": p.age_seconds, "max_age_seconds": p.max_age_seconds})
            for p in pulses
        ]
    if not results[0].ok:
        limit = settings.HEARTBEAT_MAX_AGE_SECONDS
        results += [
            Check(name, False, {"age_seconds": None, "max_age_seconds": limit}) for name in heartbeat.JOBS
        ]
    return results


def healthy(results: list[Check]) -> bool:
    return all(check.ok for check in results)
