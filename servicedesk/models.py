"""Shared core: people and their organisation, assignment groups, services, categories."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class HealthTrust(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("health trust")
        verbose_name_plural = _("health trusts")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    trust = models.ForeignKey(HealthTrust, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["trust__name", "name"]
        constraints = [models.UniqueConstraint(fields=["trust", "name"], name="department_unique_per_trust")]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    END_USER = "end_user", _("End user")
    FIRST_LINE = "first_line", _("First-line agent")
    RESOLVER = "resolver", _("Resolver")
    CHANGE_MANAGER = "change_manager", _("Change manager")
    MANAGER = "manager", _("Service-desk manager")
    ADMIN = "admin", _("Administrator")
    # A system account of a telephony, chat or monitoring system, not a person.
    INTEGRATION = "integration", _("Integration")
    # Reads the access log (who opened which ticket); works no tickets. For their own calls an
    # auditor is an end user like any other member of staff.
    AUDITOR = "auditor", _("Auditor")


# Roles that see and work on every ticket.
DESK_WIDE_ROLES = frozenset({Role.FIRST_LINE, Role.MANAGER, Role.ADMIN})
# Roles that work tickets at all (everyone but end users, integrations and auditors).
AGENT_ROLES = frozenset(set(Role) - {Role.END_USER, Role.INTEGRATION, Role.AUDITOR})
# Roles that read the access log of every ticket (audit/).
AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})


class User(AbstractUser):
    """A person: hospital staff (end users) and IT staff alike, with their profile fields."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.END_USER)
    trust = models.ForeignKey(
        HealthTrust, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("health trust")
    )
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("department")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True, db_index=True)
    line_manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("line manager"),
        help_text=_("Approves this person's orders where a catalogue item asks for it."),
    )
    # Set while the agent is signed on to answer contacts in the customer centre.
    on_duty_since = models.DateTimeField(_("on duty since"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("nb", "Norsk bokmål"), ("en", "English")],
        default="nb",
    )

    class Meta(AbstractUser.Meta):
        indexes = [models.Index(fields=["last_name", "first_name"], name="user_name_idx")]

    @property
    def is_agent(self) -> bool:
        return self.is_superuser or self.role in AGENT_ROLES

    @property
    def sees_all_tickets(self) -> bool:
        return self.is_superuser or self.role in DESK_WIDE_ROLES

    @property
    def reads_access_log(self) -> bool:
        """Whether the person may read the access log of every ticket (auditors and admins)."""
        return self.is_active and (self.is_superuser or self.role in AUDIT_ROLES)

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return full_name or self.username


class GroupLevel(models.IntegerChoices):
    FIRST_LINE = 1, _("First line")
    SECOND_LINE = 2, _("Second line")
    THIRD_LINE = 3, _("Third line")
    VENDOR = 4, _("Vendor")


class AssignmentGroup(models.Model):
    """A team that works tickets; each group has one queue (its unclaimed tickets)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=GroupLevel.choices, default=GroupLevel.SECOND_LINE
    )
    email = models.EmailField(_("e-mail"), blank=True)
    members = models.ManyToManyField(
        User, related_name="assignment_groups", blank=True, verbose_name=_("members")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("assignment group")
        verbose_name_plural = _("assignment groups")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    tier = models.PositiveSmallIntegerField(
        _("tier"), choices=[(1, _("Tier 1")), (2, _("Tier 2")), (3, _("Tier 3"))], default=3
    )
    owner_group = models.ForeignKey(
        AssignmentGroup,
        on_delete=models.PROTECT,
        related_name="owned_services",
        verbose_name=_("owner group"),
    )
    owner = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_services",
        verbose_name=_("service owner"),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["tier", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(tier__gte=1, tier__lte=3), name="service_tier_1_to_3")
        ]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    active = models.BooleanField(_("active"), default=True)
    # The services a category is offered for when a call is logged; none: offered for every service.
    services = models.ManyToManyField(
        Service,
        blank=True,
        related_name="categories",
        verbose_name=_("services"),
        help_text=_("Offered only for these services when a call is logged; empty: for every service."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_per_parent")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent} / {self.name}" if self.parent_id else self.name


class OutboxMessage(models.Model):
    """A notification owed, written in the same transaction as the change that owes it.

    A beat task sends pending messages (servicedesk/outbox.py), so a change never waits for, or
    is lost with, the broker or the mail server.
    """

    kind = models.CharField(_("kind"), max_length=40)
    ticket = models.ForeignKey(
        "incidents.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The dispatcher reads only pending messages, oldest first.
            models.Index(fields=["id"], name="outbox_pending_idx", condition=models.Q(sent_at__isnull=True)),
        ]
        verbose_name = _("outgoing notification")
        verbose_name_plural = _("outgoing notifications")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Heartbeat(models.Model):
    """When a periodic job last completed (servicedesk/heartbeat.py), by the database's clock.

    One row per job, overwritten on every run: the health endpoint and page compare its age with
    a limit, so a dead beat (or no worker) shows instead of silently sending and sweeping nothing.
    """

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("last run"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """An API token (`Authorization: Token …`). Only its SHA-256 digest is stored: the token is
    shown once, when issued (servicedesk/tokens.py).

    People's tokens come from signing in and expire; integration accounts get named tokens from an
    admin, long-lived (no expiry) or for a set time. Revoking deletes the row. A token also stops
    working when its user's password changes (auth_hash no longer matches) or the user is
    deactivated.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("What the token is for (integration tokens).")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    # The user's session auth hash (an HMAC of the password hash) when the token was issued.
    auth_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("created"), editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name or f"{self.prefix}…"
