"""Orders placed before items had a service were logged with none (the ticket page showed "—").

1. An item without a service takes the one its service-owner approval step names (the service
   whose owner approves access to it is the service it is about); other items stay without one
   until an administrator sets it.
2. Each order's ticket, and its fulfilment tasks, that has no service gets its item's service,
   with one history row each (no actor: the migration did it), so the history still explains the
   ticket. Stored SLA clocks pick the service up at the ticket's next change, or at once with
   `manage.py rebuild_clocks`.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

NOTE = "Service filled in from the catalogue item (migration catalogue 0003)."


def fill(apps, schema_editor):
    CatalogueItem = apps.get_model("catalogue", "CatalogueItem")
    ApprovalStep = apps.get_model("catalogue", "ApprovalStep")
    CatalogueRequest = apps.get_model("catalogue", "CatalogueRequest")
    Ticket = apps.get_model("incidents", "Ticket")
    TicketEvent = apps.get_model("incidents", "TicketEvent")

    for item in CatalogueItem.objects.filter(service__isnull=True):
        step = (
            ApprovalStep.objects.filter(item=item, approver="service_owner", service__isnull=False)
            .order_by("order", "id")
            .first()
        )
        if step is not None:
            item.service_id = step.service_id
            item.save(update_fields=["service"])

    now = timezone.now()
    orders = CatalogueRequest.objects.filter(item__service__isnull=False).values_list(
        "ticket_id", "item__service_id", "item__service__name"
    )
    for ticket_id, service_id, service_name in orders.iterator():
        # The order's ticket and its fulfilment tasks (children), where still without a service.
        targets = list(
            Ticket.objects.filter(Q(pk=ticket_id) | Q(parent_id=ticket_id), service__isnull=True).values_list(
                "pk", flat=True
            )
        )
        if not targets:
            continue
        Ticket.objects.filter(pk__in=targets).update(service_id=service_id, updated_at=now)
        TicketEvent.objects.bulk_create(
            TicketEvent(
                ticket_id=pk,
                actor=None,
                action="updated",
                field="service",
                old_value="",
                new_value=service_name,
                details={"old_id": None, "new_id": service_id, "note": NOTE},
                created_at=now,
            )
            for pk in targets
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_catalogueitem_service"),
        ("incidents", "0009_report_indexes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
