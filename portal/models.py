"""Self-service portal: deflections (calls nobody had to make) and the satisfaction survey."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Deflection(models.Model):
    """An end user found the answer in an article while reporting a fault, and logged nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    article = models.ForeignKey(
        "knowledge.Article", on_delete=models.SET_NULL, null=True, related_name="deflections"
    )
    # What they had typed as the title: what people look for and find.
    query = models.CharField(_("search text"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.query}"


class SurveyChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail link")


class SurveyAnswer(models.Model):
    """The caller's 1–6 rating of a resolved ticket: one per ticket (the constraint decides)."""

    ticket = models.OneToOneField(
        "incidents.Ticket", on_delete=models.CASCADE, related_name="survey_answer", verbose_name=_("ticket")
    )
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("caller"),
    )
    # The group that resolved the ticket, kept at answer time for results per group.
    group = models.ForeignKey(
        "servicedesk.AssignmentGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=SurveyChannel.choices)
    created_at = models.DateTimeField(_("answered"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=6), name="survey_score_1_to_6"
            ),
        ]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class SurveyInvitation(models.Model):
    """The one-time link of the resolution e-mail: only its SHA-256 is stored; a newer e-mail
    (after a reopen and a new resolution) replaces it, so an older link stops working."""

    ticket = models.OneToOneField("incidents.Ticket", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"{self.ticket_id}"
