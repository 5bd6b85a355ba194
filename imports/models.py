"""Records imported from other service-desk tools, with the source's own figures kept beside ours.

Each imported ticket, contact and change has one row here naming its source and its id there.
The unique (source, external id) pair makes an import idempotent: a second run finds every
record already imported and creates nothing. The source's own figures (its reassignment count,
its SLA-made flag, its first-call-resolution flag, …) stay here so that the reconciliation can
hold ours against them; ours are always derived from the ticket's history, as for native tickets.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from changes.models import Change
from contacts.models import Contact
from incidents.models import Ticket


class Source(models.TextChoices):
    BPIC2014 = "bpic2014", _("BPI Challenge 2014 (Rabobank, HP Service Manager)")
    UCI_SERVICENOW = "uci_servicenow", _("UCI ServiceNow incident event log")


class ImportedTicket(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="imported")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    external_id = models.CharField(_("id in the source"), max_length=40)
    source_status = models.CharField(_("status in the source"), max_length=40, blank=True)
    # The source's own priority scale (BPIC 2014: 1–5; ours: 1–4).
    source_priority = models.PositiveSmallIntegerField(_("priority in the source"), null=True)
    category = models.CharField(_("category in the source"), max_length=60, blank=True)
    closure_code = models.CharField(_("closure code in the source"), max_length=60, blank=True)
    knowledge_article = models.CharField(_("knowledge article"), max_length=40, blank=True)
    knowledge_used = models.BooleanField(_("knowledge used"), null=True)
    configuration_item = models.CharField(_("configuration item"), max_length=60, blank=True)
    caused_by_ci = models.CharField(_("caused by configuration item"), max_length=60, blank=True)
    source_reassignments = models.PositiveIntegerField(_("reassignments in the source"), null=True)
    source_reopen_count = models.PositiveIntegerField(_("reopens in the source"), null=True)
    source_made_sla = models.BooleanField(_("SLA made in the source"), null=True)
    source_opened_at = models.DateTimeField(_("opened in the source"), null=True)
    source_reopened_at = models.DateTimeField(_("reopened in the source"), null=True)
    source_resolved_at = models.DateTimeField(_("resolved in the source"), null=True)
    source_closed_at = models.DateTimeField(_("closed in the source"), null=True)
    handle_hours = models.FloatField(_("handle time in the source (h)"), null=True)
    extra = models.JSONField(_("other source fields"), default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="imported_ticket_unique_per_source"
            )
        ]
        verbose_name = _("imported ticket")
        verbose_name_plural = _("imported tickets")

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class ImportedContact(models.Model):
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="imported")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    external_id = models.CharField(_("id in the source"), max_length=40)
    # Ground truth of the source: the agent solved the call, no incident was raised.
    first_call_resolution = models.BooleanField(_("first-call resolution in the source"))
    handle_seconds = models.PositiveIntegerField(_("handle time (s)"), null=True)
    closed_at = models.DateTimeField(_("closed in the source"), null=True)
    source_priority = models.PositiveSmallIntegerField(_("priority in the source"), null=True)
    category = models.CharField(_("category in the source"), max_length=60, blank=True)
    closure_code = models.CharField(_("closure code in the source"), max_length=60, blank=True)
    knowledge_article = models.CharField(_("knowledge article"), max_length=40, blank=True)
    configuration_item = models.CharField(_("configuration item"), max_length=60, blank=True)
    related_incident = models.CharField(_("related incident in the source"), max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="imported_contact_unique_per_source"
            )
        ]
        verbose_name = _("imported contact")
        verbose_name_plural = _("imported contacts")

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class ImportedChange(models.Model):
    change = models.OneToOneField(Change, on_delete=models.CASCADE, related_name="imported")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    external_id = models.CharField(_("id in the source"), max_length=40)
    source_type = models.CharField(_("type in the source"), max_length=60, blank=True)
    source_risk = models.CharField(_("risk in the source"), max_length=60, blank=True)
    emergency = models.BooleanField(_("emergency change"), default=False)
    cab_approval_needed = models.BooleanField(_("CAB approval needed"), default=False)
    originated_from = models.CharField(_("originated from"), max_length=40, blank=True)
    related_interactions = models.PositiveIntegerField(_("related interactions in the source"), null=True)
    related_incidents = models.PositiveIntegerField(_("related incidents in the source"), null=True)
    extra = models.JSONField(_("other source fields"), default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="imported_change_unique_per_source"
            )
        ]
        verbose_name = _("imported change")
        verbose_name_plural = _("imported changes")

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class StagedRow(models.Model):
    """A source row, parsed and checked, waiting to be built into tickets (one import at a time).

    Staging lets the importer read files of any size in one pass with bounded memory and still
    build each ticket from all its rows, wherever they stand in the file: the rows of one ticket
    are fetched together by (kind, key, seq).
    """

    source = models.CharField(max_length=20, choices=Source.choices)
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=40)
    seq = models.BigIntegerField()
    line = models.PositiveIntegerField()
    data = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["source", "kind", "key", "seq"], name="staged_row_key_idx")]
        verbose_name = _("staged row")
        verbose_name_plural = _("staged rows")

    def __str__(self) -> str:
        return f"{self.kind} {self.key}#{self.seq}"


class ImportRun(models.Model):
    """One run of an importer: what it read, imported and skipped (the summary, kept)."""

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    path = models.CharField(_("path"), max_length=500)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Staging is complete when set; a restarted run then goes on with building.
    staged_at = models.DateTimeField(_("staged"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"
