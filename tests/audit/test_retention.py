"""Retention: closed tickets past RETENTION_TICKET_DAYS lose the caller's personal data, their
free text and files, and keep the figures; old access-log rows go; a dry run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from audit import retention
from audit import services as audit_services
from audit.models import AccessLog
from audit.tasks import anonymise_closed_tickets, purge_access_log
from catalogue.models import Approval
from contacts.models import Contact, ContactQueue
from contacts.services import contact_link_ticket
from incidents import services
from incidents.models import Attachment, Comment, EventAction, Ticket, TicketEvent
from servicedesk.models import User
from sla.models import Clock

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def closed_ticket(agent: User, caller: User, closed_at: datetime, title: str) -> Ticket:
    """A ticket with everything personal a ticket holds: logged, commented on by the caller, a
    file, resolved, reopened by the caller with a reason, resolved again and closed."""
    start = closed_at - timedelta(days=10)
    with time_machine.travel(start, tick=False):
        ticket = services.ticket_create(
            actor=agent, caller=caller, title=title, description=f"{caller.get_full_name()} cannot log in"
        )
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        services.comment_add(ticket=ticket, actor=caller, body="My phone is 91234567")
        upload = SimpleUploadedFile("screenshot.png", b"\x89PNG personal", content_type="image/png")
        services.attachment_add(ticket=ticket, actor=caller, upload=upload)
        services.ticket_claim(ticket=ticket, actor=agent)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        services.ticket_resolve(ticket=ticket, actor=agent, code="solved", note="Reset the password of Ola")
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        services.ticket_reopen(ticket=ticket, actor=caller, reason="Still broken for Ola")
    with time_machine.travel(start + timedelta(hours=4), tick=False):
        services.ticket_resolve(ticket=ticket, actor=agent, code="solved", note="Unlocked the account")
    with time_machine.travel(closed_at, tick=False):
        services.ticket_close(ticket=ticket, actor=agent)
    return Ticket.objects.get(pk=ticket.pk)


# What the reports read: must be the same before and after anonymisation.
FIGURE_FIELDS = (
    "kind", "channel", "priority", "impact", "urgency", "state", "assignment_group_id", "assignee_id",
    "resolved_by_group_id", "service_id", "category_id", "created_at", "updated_at", "resolved_at",
    "closed_at", "reassignment_count", "reopen_count", "resolution_code", "queue_entered_at",
)  # fmt: skip
CLOCK_FIELDS = (
    "metric", "group_id", "state", "target_seconds", "elapsed_seconds", "started_at", "stopped_at",
    "met", "breached_at",
)  # fmt: skip


def figures(ticket: Ticket) -> dict[str, object]:
    ticket = Ticket.objects.get(pk=ticket.pk)
    events = TicketEvent.objects.filter(ticket=ticket).order_by("id")
    return {
        "fields": [getattr(ticket, name) for name in FIGURE_FIELDS],
        "comments": Comment.objects.filter(ticket=ticket).count(),
        "events": list(events.values_list("action", "field", "created_at", "internal")),
        "reopen_seconds": [
            e.details.get("seconds_since_resolved") for e in events.filter(action=EventAction.REOPENED)
        ],
        "clocks": list(Clock.objects.filter(ticket=ticket).order_by("id").values_list(*CLOCK_FIELDS)),
    }


@pytest.fixture
def old_and_new(settings, agent, end_user):
    settings.RETENTION_TICKET_DAYS = 365
    old = closed_ticket(agent, end_user, NOW - timedelta(days=400), "Ola Nordmann cannot log in")
    new = closed_ticket(agent, end_user, NOW - timedelta(days=300), "Kari cannot print")
    return old, new


def test_old_closed_tickets_are_anonymised_and_recent_ones_kept(
    old_and_new, end_user, django_capture_on_commit_callbacks
):
    old, new = old_and_new
    file_names = list(Attachment.objects.filter(ticket=old).values_list("file", flat=True))
    before_old, before_new = figures(old), figures(new)
    assert all(default_storage.exists(name) for name in file_names)

    with django_capture_on_commit_callbacks(execute=True):
        done = retention.anonymise_due_tickets(now=NOW)

    assert done == 1
    old.refresh_from_db()
    assert old.caller.username == retention.PLACEHOLDER_USERNAME
    assert not old.caller.is_active
    assert (old.title, old.description, old.resolution_note) == ("[anonymised]", "", "")
    assert old.anonymised_at == NOW
    assert set(Comment.objects.filter(ticket=old).values_list("body", "author")) == {("", None)}
    assert not Attachment.objects.filter(ticket=old).exists()
    assert not any(default_storage.exists(name) for name in file_names)
    events = TicketEvent.objects.filter(ticket=old)
    assert not events.filter(actor=end_user).exists()
    texts = " ".join(f"{e.old_value} {e.new_value} {e.details}" for e in events)
    assert "Ola" not in texts and "screenshot" not in texts
    assert figures(old) == before_old

    new.refresh_from_db()
    assert new.caller == end_user
    assert new.title == "Kari cannot print"
    assert new.anonymised_at is None
    assert Attachment.objects.filter(ticket=new).count() == 1
    assert figures(new) == before_new


def test_the_end_user_no_longer_sees_an_anonymised_ticket(old_and_new, api_for, end_user):
    _old, new = old_and_new

    retention.anonymise_due_tickets(now=NOW)

    ids = {row["id"] for row in api_for(end_user).get("/api/tickets/").json()["results"]}
    assert ids == {new.pk}


def test_open_and_resolved_tickets_are_never_anonymised_however_old(settings, agent, end_user):
    settings.RETENTION_TICKET_DAYS = 30
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        still_open = services.ticket_create(actor=agent, caller=end_user, title="Old but open")
        resolved = services.ticket_create(actor=agent, caller=end_user, title="Old, resolved")
        services.ticket_resolve(ticket=resolved, actor=agent, code="solved", note="Done")

    assert retention.anonymise_due_tickets(now=NOW) == 0
    assert set(Ticket.objects.values_list("title", flat=True)) == {"Old but open", "Old, resolved"}
    assert still_open.pk


def test_a_linked_contact_loses_the_callers_number(old_and_new, first_line_group):
    old, _new = old_and_new
    queue = ContactQueue.objects.create(code="main", name="Main number", group=first_line_group)
    offered = NOW - timedelta(days=411)
    contact = Contact.objects.create(
        external_id="c-1", queue=queue, offered_at=offered, caller_number="+4791234567", caller=old.caller
    )
    contact_link_ticket(contact=contact, ticket=old)

    retention.anonymise_due_tickets(now=NOW)

    contact.refresh_from_db()
    assert (contact.caller_number, contact.caller_id) == ("", None)
    assert contact.offered_at == offered  # the contact's figures stay


def test_a_catalogue_orders_answers_and_approval_comments_go(settings, agent, end_user):
    from catalogue import services as catalogue_services
    from tests.catalogue.factories import CatalogueItemFactory, FormFieldFactory

    settings.RETENTION_TICKET_DAYS = 365
    item = CatalogueItemFactory()
    FormFieldFactory(item=item, key="reason", label="Reason")
    with time_machine.travel(NOW - timedelta(days=500), tick=False):
        order = catalogue_services.request_submit(
            item=item, requester=end_user, answers={"reason": "Ola needs the lab system"}
        )
        ticket = order.ticket
        services.ticket_resolve(ticket=ticket, actor=agent, code="fulfilled", note="Given")
        services.ticket_close(ticket=ticket, actor=agent)

    retention.anonymise_due_tickets(now=NOW)

    order.refresh_from_db()
    assert order.answers == {}
    assert not Approval.objects.filter(request=order).exclude(comment="").exists()


def test_dry_run_lists_what_would_go_first_and_changes_nothing(old_and_new, capsys):
    old, new = old_and_new

    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention", "--dry-run")

    out = capsys.readouterr().out
    assert "1 would be anonymised" in out
    assert old.number in out
    assert new.number not in out
    assert "1 comment(s), 1 file(s)" in out
    assert "Dry run: nothing was changed." in out
    old.refresh_from_db()
    assert old.title == "Ola Nordmann cannot log in"
    assert old.anonymised_at is None
    assert Attachment.objects.filter(ticket=old).exists()


def test_running_the_task_twice_is_harmless(old_and_new, end_user):
    old, _new = old_and_new

    with time_machine.travel(NOW, tick=False):
        first = anonymise_closed_tickets.apply().get()
        after_first = figures(old), Ticket.objects.get(pk=old.pk).anonymised_at
        second = anonymise_closed_tickets.apply().get()

    assert (first, second) == (1, 0)
    assert (figures(old), Ticket.objects.get(pk=old.pk).anonymised_at) == after_first


def test_the_command_without_dry_run_applies_both_rules(old_and_new, settings, agent, capsys):
    old, _new = old_and_new
    settings.RETENTION_ACCESS_LOG_DAYS = 30
    AccessLog.objects.create(
        at=NOW - timedelta(days=31), user=agent, ticket=old, channel="api", resource="detail"
    )

    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention")

    assert "Anonymised 1 ticket(s); deleted 1 access-log row(s)." in capsys.readouterr().out


# --- the access log's own retention ----------------------------------------------------------


def test_access_log_rows_older_than_their_retention_are_deleted(settings, agent, old_and_new):
    old, _new = old_and_new
    settings.RETENTION_ACCESS_LOG_DAYS = 30
    for days in (45, 31, 29, 1):
        AccessLog.objects.create(
            at=NOW - timedelta(days=days), user=agent, ticket=old, channel="console", resource="detail"
        )

    deleted = audit_services.access_log_purge(now=NOW, batch=1)  # batches of one: the loop is exercised

    assert deleted == 2
    assert sorted((NOW - at).days for at in AccessLog.objects.values_list("at", flat=True)) == [1, 29]


def test_purging_the_access_log_twice_is_harmless(settings, agent, old_and_new):
    old, _new = old_and_new
    settings.RETENTION_ACCESS_LOG_DAYS = 30
    AccessLog.objects.create(
        at=NOW - timedelta(days=40), user=agent, ticket=old, channel="api", resource="detail"
    )

    with time_machine.travel(NOW, tick=False):
        assert purge_access_log.apply().get() == 1
        assert purge_access_log.apply().get() == 0


def test_a_retention_age_below_one_day_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from servicedesk.settings import env_days

    monkeypatch.setenv("RETENTION_TICKET_DAYS", "0")

    with pytest.raises(ImproperlyConfigured):
        env_days("RETENTION_TICKET_DAYS", 1095)


def test_beat_runs_both_retention_tasks_daily(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["audit.tasks.anonymise_closed_tickets"] == 86400.0
    assert schedule["audit.tasks.purge_access_log"] == 86400.0
