"""Configuration read on every write is kept per process and reloaded when an admin edits it in
any process (issue 12: "cached per process with correct invalidation").

`another_process` stands for a second web or worker process: its own local copy, the same
shared cache (the real one of the test settings) and the same database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incidents import services
from incidents.models import PriorityRule
from servicedesk.config_cache import ConfigCache
from sla.clock import RULES, load_rules
from sla.models import Calendar, SlaTarget
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _matrix() -> dict[tuple[int, int], int]:
    return {(i, u): p for i, u, p in PriorityRule.objects.values_list("impact", "urgency", "priority")}


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_second_use_reads_nothing_from_the_database(agent):
    services.priority_for(2, 2)
    RULES.get()

    with CaptureQueriesContext(connection) as captured:
        services.priority_for(2, 2)
        RULES.get()

    assert not [q for q in captured if "priorityrule" in q["sql"] or '"sla_' in q["sql"]]


def test_an_admin_edit_in_one_process_reaches_another_process(admin_client):
    another_process = ConfigCache("priority-matrix", _matrix)
    before = another_process.get()[(3, 3)]
    cell = PriorityRule.objects.get(impact=3, urgency=3)
    changed = 1 if before != 1 else 2

    response = admin_client.post(
        "/admin/incidents/priorityrule/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(cell.pk),
            "form-0-priority": str(changed),
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert another_process.get()[(3, 3)] == changed
    assert services.priority_for(3, 3) == changed  # and this process's own copy


def test_a_calendar_edit_reaches_the_sla_rules_of_another_process():
    another_process = ConfigCache("sla-rules", load_rules)
    office = Calendar.objects.get(name="Kontortid")
    assert another_process.get().calendars[office.pk].timezone == "Europe/Oslo"

    office.timezone = "Europe/Stockholm"
    office.save()

    assert another_process.get().calendars[office.pk].timezone == "Europe/Stockholm"


def test_a_bulk_update_without_signals_is_picked_up_after_max_age():
    another_process = ConfigCache("sla-rules", load_rules, max_age=0)
    target = SlaTarget.objects.filter(priority=2).first()
    assert target is not None
    another_process.get()

    SlaTarget.objects.filter(pk=target.pk).update(target_seconds=1234)  # no signal

    policy = next(p for p in another_process.get().policies if p.id == target.policy_id)
    assert policy.targets[(2, target.metric)].seconds == 1234
