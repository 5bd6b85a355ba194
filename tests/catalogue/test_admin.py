"""The admin edits an item with its form fields, approval steps and fulfilment tasks inline."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.models import CatalogueItem, FieldType
from servicedesk.models import User
from tests.factories import AssignmentGroupFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    # English: the tests read the admin's messages.
    client.force_login(
        User.objects.create_superuser("root", "root@example.org", "pw", preferred_language="en")
    )
    return client


def _inline(prefix: str, rows: list[dict[str, object]]) -> dict[str, object]:
    data: dict[str, object] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def test_admin_creates_an_item_with_choices_one_per_line(admin_client):
    category = CategoryFactory(name="Access")
    group = AssignmentGroupFactory()
    data = {
        "name": "Access to the lab system",
        "description": "",
        "category": category.pk,
        "active": "on",
        **_inline(
            "fields",
            [{"order": 1, "key": "system", "label": "System", "type": "choice", "required": "on",
              "choices": "LIMS Microbiology\nLIMS Pathology\n"}],
        ),
        **_inline("approval_steps", [{"order": 1, "approver": "line_manager"}]),
        **_inline("task_templates", [{"order": 1, "title": "Grant access", "group": group.pk}]),
    }  # fmt: skip

    response = admin_client.post(reverse("admin:catalogue_catalogueitem_add"), data)

    assert response.status_code == 302, response.context["errors"]
    item = CatalogueItem.objects.get()
    field = item.fields.get()
    assert field.type == FieldType.CHOICE
    assert field.choices == ["LIMS Microbiology", "LIMS Pathology"]
    assert item.approval_steps.get().approver == "line_manager"
    assert item.task_templates.get().group == group
    assert (
        admin_client.get(reverse("admin:catalogue_catalogueitem_change", args=[item.pk])).status_code == 200
    )


def test_admin_refuses_a_choice_field_without_choices_and_an_owner_step_without_service(admin_client):
    data = {
        "name": "Broken",
        "category": CategoryFactory().pk,
        "active": "on",
        **_inline("fields", [{"order": 1, "key": "x", "label": "X", "type": "choice", "choices": ""}]),
        **_inline("approval_steps", [{"order": 1, "approver": "service_owner"}]),
        **_inline("task_templates", []),
    }

    response = admin_client.post(reverse("admin:catalogue_catalogueitem_add"), data)

    assert response.status_code == 200
    assert not CatalogueItem.objects.exists()
    page = response.content.decode()
    assert "A choice field needs at least one choice." in page
    assert "Choose the service whose owner approves." in page
