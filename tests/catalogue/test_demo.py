"""The demo catalogue: the four items the issue names, made once, orderable as defined."""

from __future__ import annotations

import pytest

from catalogue.demo import seed_catalogue
from catalogue.models import ApproverKind, CatalogueItem, FieldType

pytestmark = pytest.mark.django_db


def test_seed_makes_the_four_demo_items_once(catalogue):
    assert seed_catalogue() == 0  # the fixture seeded already; a second run adds nothing

    items = {item.name: item for item in CatalogueItem.objects.select_related("category")}
    assert set(items) == {"Tilgang til et program", "Ny PC", "Mobiltelefon", "Installere programvare"}
    assert {name: item.category.name for name, item in items.items()} == {
        "Tilgang til et program": "Tilgang",
        "Ny PC": "Maskinvare",
        "Mobiltelefon": "Telefoni",
        "Installere programvare": "Programvare",
    }


def test_the_access_item_asks_for_the_application_and_two_approvals(access_item, access_group):
    fields = {f.key: f for f in access_item.fields.all()}
    assert fields["application"].type == FieldType.CHOICE
    assert fields["start_date"].type == FieldType.DATE and fields["start_date"].required
    assert fields["end_date"].type == FieldType.DATE and not fields["end_date"].required
    steps = list(access_item.approval_steps.order_by("order"))
    assert [s.approver for s in steps] == [ApproverKind.LINE_MANAGER, ApproverKind.SERVICE_OWNER]
    assert [t.group for t in access_item.task_templates.all()] == [access_group]


def test_the_mobile_phone_asks_about_international_calling(catalogue):
    field = CatalogueItem.objects.get(name="Mobiltelefon").fields.get()
    assert field.type == FieldType.YES_NO
    assert field.label == "Trenger å ringe til utlandet"


def test_without_an_access_management_group_tasks_go_to_the_first_second_line_group(
    first_line_group, second_line_group
):
    seed_catalogue()

    item = CatalogueItem.objects.get(name="Tilgang til et program")
    assert [t.group for t in item.task_templates.all()] == [second_line_group]
    # no "Brukerkontoer og tilganger" service: no owner step
    assert [s.approver for s in item.approval_steps.all()] == [ApproverKind.LINE_MANAGER]
