"""The access log: one row per read of a ticket's content (Normen: who, when, what, how, where)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessChannel(models.TextChoices):
    """How the ticket was read."""

    CONSOLE = "console", _("Console")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    EXPORT = "export", _("Export")


class AccessResource(models.TextChoices):
    """What of the ticket was read."""

    # The console's ticket page shows the ticket, its history, comments and file list at once.
    DETAIL = "detail", _("Ticket")
    COMMENTS = "comments", _("Comments")
    HISTORY = "history", _("History")
    ATTACHMENTS = "attachments", _("File list")
    FILE = "file", _("File")
    # A row of an exported ticket list (number, title, caller, …).
    EXPORT_ROW = "export_row", _("Exported row")


class AccessLog(models.Model):
    """One read of one ticket by one person. Append-only: written by audit.services, removed only
    by the retention task when it is older than RETENTION_ACCESS_LOG_DAYS.

    The foreign keys have no database constraint: the log must outlive what it describes (a
    removed user or ticket leaves its rows), and an insert then checks no other table.
    """

    at = models.DateTimeField(_("when"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("person"),
    )
    ticket = models.ForeignKey(
        "incidents.Ticket",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    channel = models.CharField(_("how"), max_length=10, choices=AccessChannel.choices)
    resource = models.CharField(_("what"), max_length=12, choices=AccessResource.choices)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # "Who has seen this ticket", newest first (auditors, and the caller on their ticket).
            models.Index(fields=["ticket", "-at"], name="accesslog_ticket_idx"),
            # "What has this person opened", newest first.
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
            # The retention task deletes the oldest rows by time.
            models.Index(fields=["at"], name="accesslog_at_idx"),
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel}/{self.resource} {self.ticket_id} {self.at:%Y-%m-%d %H:%M}"
