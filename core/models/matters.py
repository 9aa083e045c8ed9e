"""Clients, their matters, the parties to each matter, and conflict checks."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.models.firms import Organization, Province, User


class Client(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ORGANIZATION = "organization", _("Organization")

    class Language(models.TextChoices):
        EN = "en", _("English")
        FR = "fr", _("French")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="clients")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    organization_name = models.CharField(_("organization name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # The name folded for search: lower case, no accents, single spaces (see core.services.conflicts).
    search_name = models.CharField(max_length=400, editable=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(org="org")

    class Meta:
        ordering = ["search_name"]
        indexes = [models.Index(fields=["org", "search_name"], name="client_org_search")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.kind == self.Kind.ORGANIZATION:
            return self.organization_name
        return f"{self.first_name} {self.last_name}".strip()


class PracticeArea(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="practice_areas")
    name = models.CharField(_("name"), max_length=100)

    objects = ScopedManager(org="org")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="practice_area_unique_name")]

    def __str__(self) -> str:
        return self.name


class MatterNumberSequence(models.Model):
    """The last matter number given in a firm for a year; locked while the next one is taken."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    objects = ScopedManager(org="org")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="matter_sequence_unique_year")]


class Matter(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        CLOSED = "closed", _("Closed")

    class BillingMethod(models.TextChoices):
        HOURLY = "hourly", _("Hourly")
        FLAT_FEE = "flat_fee", _("Flat fee")
        CONTINGENCY = "contingency", _("Contingency")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="matters")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="matters")
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    search_title = models.CharField(max_length=400, editable=False, db_index=True)
    description = models.TextField(_("description"), blank=True)
    practice_area = models.ForeignKey(
        PracticeArea, on_delete=models.PROTECT, null=True, blank=True, related_name="matters"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    pending_on = models.DateField(_("pending since"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    responsible_lawyer = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("responsible lawyer")
    )
    originating_lawyer = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("originating lawyer")
    )
    billing_method = models.CharField(
        _("billing method"), max_length=20, choices=BillingMethod.choices, default=BillingMethod.HOURLY
    )
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=10, decimal_places=2, null=True, blank=True)
    flat_fee = models.DecimalField(_("flat fee"), max_digits=12, decimal_places=2, null=True, blank=True)
    contingency_percent = models.DecimalField(
        _("contingency percentage"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    budget = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, null=True, blank=True)
    is_restricted = models.BooleanField(
        _("restricted to its team"),
        default=False,
        help_text=_("Only the team and the firm's Owners see a restricted matter."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(org="org")

    class Meta:
        ordering = ["-opened_on", "-number"]
        constraints = [models.UniqueConstraint(fields=["org", "number"], name="matter_unique_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class MatterMember(models.Model):
    """A member of a matter's team: who may see it when it is restricted."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(org="org")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["matter", "user"], name="matter_member_unique")]


class MatterStatusChange(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    on = models.DateField()
    reason = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(org="org")

    class Meta:
        ordering = ["at"]


class Party(models.Model):
    class Role(models.TextChoices):
        ADVERSE = "adverse_party", _("Adverse party")
        OPPOSING_COUNSEL = "opposing_counsel", _("Opposing counsel")
        CO_PARTY = "co_party", _("Co-party")
        WITNESS = "witness", _("Witness")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    search_name = models.CharField(max_length=400, editable=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager(org="org")

    class Meta:
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return self.name


class ConflictCheck(models.Model):
    """A conflict search as it was run: its query, what it found, and who decided what."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, null=True, blank=True, related_name="conflict_checks")
    query = models.CharField(max_length=400)
    results = models.JSONField(default=list)
    hit_count = models.PositiveIntegerField(default=0)
    override_reason = models.CharField(max_length=1000, blank=True)
    run_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    run_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(org="org")

    class Meta:
        ordering = ["-run_at"]
