"""Monitoring delivers the same "down" several times at once (retries, two pollers): each on its
own database connection. Exactly one outage opens; every delivery is told about that one."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.models import Role
from sla.models import Outage, OutageEvent
from tests.factories import ServiceFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DELIVERIES = 8


def test_the_same_down_delivered_eight_times_at_once_opens_one_outage():
    service = ServiceFactory(name="PAS", tier=1)
    monitoring = UserFactory(username="monitoring", role=Role.INTEGRATION)
    down_at = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0).isoformat()
    barrier = threading.Barrier(DELIVERIES)
    results: list[tuple[int, int] | None] = [None] * DELIVERIES
    errors: list[BaseException] = []

    def deliver(index: int) -> None:
        client = APIClient()
        client.force_authenticate(monitoring)
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/outages/", {"service": service.pk, "event": "down", "at": down_at})
            results[index] = (response.status_code, response.json()["id"])
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    outage = Outage.objects.get()
    assert sorted(code for code, _ in results) == [200] * (DELIVERIES - 1) + [201]  # type: ignore[misc]
    assert {pk for _, pk in results} == {outage.pk}  # type: ignore[misc]
    assert OutageEvent.objects.count() == 1
