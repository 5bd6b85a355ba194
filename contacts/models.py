"""The customer centre's contacts: calls, chats and walk-ins waiting in queues (DESIGN.md).

The models lived in `incidents` until the customer centre became an app of its own; they keep
their tables (db_table), so existing databases moved without copying a row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.models import AssignmentGroup


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    WALK_IN = "walk_in", _("Walk-in")


class ContactState(models.TextChoices):
    OFFERED = "offered", _("Waiting")
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned")


class ContactQueue(models.Model):
    """A queue of the customer centre that calls and chats wait in (e.g. the main number)."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("As the telephony system names it.")
    )
    name = models.CharField(_("name"), max_length=100)
    group = models.ForeignKey(
        AssignmentGroup, on_delete=models.PROTECT, related_name="contact_queues", verbose_name=_("group")
    )

    class Meta:
        db_table = "incidents_contactqueue"  # the table it had inside incidents: no data moved
        ordering = ["name"]
        verbose_name = _("contact queue")
        verbose_name_plural = _("contact queues")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A call, chat or walk-in: offered to a queue, then answered by an agent or abandoned.

    Reported by the telephony or chat system (`/api/contacts/`), identified by its own id.
    `wait_seconds` is kept when the wait ends: offered → answered, or offered → abandoned.
    """

    external_id = models.CharField(_("contact id"), max_length=100, unique=True)
    queue = models.ForeignKey(ContactQueue, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(
        _("channel"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    caller_number = models.CharField(_("caller's number"), max_length=40, blank=True)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ContactState.choices, default=ContactState.OFFERED
    )
    offered_at = models.DateTimeField(_("offered"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("abandoned"), null=True, blank=True)
    wait_seconds = models.FloatField(_("wait (s)"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tickets = models.ManyToManyField(
        "incidents.Ticket", blank=True, related_name="contacts", verbose_name=_("tickets")
    )

    class Meta:
        db_table = "incidents_contact"  # the table it had inside incidents: no data moved
        ordering = ["-offered_at", "-id"]
        indexes = [
            models.Index(fields=["queue", "offered_at"], name="contact_queue_time_idx"),
            # Monthly report (reports/kpis.py): contacts offered in a month, whatever the queue.
            models.Index(fields=["offered_at"], name="contact_offered_idx"),
            # "Waiting now" on the live view: the few contacts still offered.
            models.Index(
                fields=["offered_at"], name="contact_waiting_idx", condition=models.Q(state="offered")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(answered_at__gte=models.F("offered_at")),
                name="contact_answered_after_offered",
            ),
            models.CheckConstraint(
                condition=models.Q(abandoned_at__isnull=True)
                | models.Q(abandoned_at__gte=models.F("offered_at")),
                name="contact_abandoned_after_offered",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | models.Q(abandoned_at__isnull=True),
                name="contact_answered_or_abandoned",
            ),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.external_id
