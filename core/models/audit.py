"""The audit trail: append-only events, chained by hash per firm."""

import uuid

from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager


class AuditEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Null only for events no firm can own, such as a failed sign-in for an unknown email.
    org = models.ForeignKey("core.Organization", on_delete=models.PROTECT, null=True, related_name="+")
    seq = models.PositiveBigIntegerField()
    # Events outlive what they name: no cascade may rewrite an event, so these keep the bare id.
    actor = models.ForeignKey(
        "core.User", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=300, blank=True)
    api_token = models.ForeignKey(
        "core.ApiToken", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    outcome = models.CharField(max_length=20, default="success")
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = ScopedManager(org="org")

    class Meta:
        ordering = ["-created_at", "-seq"]
        constraints = [models.UniqueConstraint(fields=["org", "seq"], name="audit_unique_seq_per_org")]
        indexes = [
            models.Index(fields=["org", "-created_at"], name="audit_org_created"),
            models.Index(fields=["org", "target_type", "target_id"], name="audit_org_target"),
        ]


class AuditChainHead(models.Model):
    """The last link of one firm's chain; locked while an event is appended, so links never fork."""

    chain = models.CharField(max_length=40, primary_key=True)  # a firm's id, or "platform"
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
