"""Recording and verifying the audit trail.

Each event's hash covers its content and the previous event's hash in the same firm's chain, so
an altered or removed event breaks every link after it. Appending locks the chain's head row, so
two writers never link to the same predecessor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from core.models import AuditChainHead, AuditEvent
from core.tenancy import Ctx

REDACTED = "[redacted]"
SECRET_WORDS = ("password", "secret", "token", "code", "key")
GENESIS = "0" * 64


def _redact(changes: dict[str, Any]) -> dict[str, Any]:
    clean = {}
    for key, value in changes.items():
        if any(word in key.lower() for word in SECRET_WORDS):
            clean[key] = REDACTED
        elif isinstance(value, dict):
            clean[key] = _redact(value)
        else:
            clean[key] = value
    return clean


def _plain(value: Any) -> Any:
    """JSON-safe, with Decimals, UUIDs and dates as strings: the form stored and hashed."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {key: [before.get(key), after[key]] for key in after if before.get(key) != after[key]}


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name if not _is_fk(instance, name) else f"{name}_id") for name in fields}


def _is_fk(instance: models.Model, name: str) -> bool:
    return isinstance(instance._meta.get_field(name), models.ForeignKey)


def event_hash(event: AuditEvent) -> str:
    payload = {
        "id": str(event.id),
        "org": str(event.org_id) if event.org_id else None,
        "seq": event.seq,
        "actor": str(event.actor_id) if event.actor_id else None,
        "actor_label": event.actor_label,
        "api_token": str(event.api_token_id) if event.api_token_id else None,
        "action": event.action,
        "outcome": event.outcome,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "changes": event.changes,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "created_at": event.created_at.astimezone(dt.UTC).isoformat(),
        "prev_hash": event.prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def record(
    ctx: Ctx,
    action: str,
    *,
    target: models.Model | None = None,
    target_label: str | None = None,
    changes: dict[str, Any] | None = None,
    outcome: str = "success",
    actor=None,
) -> AuditEvent:
    """Append one event to the firm's chain, inside the caller's transaction."""
    org_id = ctx.org.pk if ctx.org else None
    chain = str(org_id) if org_id else "platform"
    actor = actor or ctx.user
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(chain=chain)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
        event = AuditEvent(
            org_id=org_id,
            seq=head.seq + 1,
            actor=actor,
            actor_label=(actor.email if actor and actor != ctx.user else ctx.actor_label)[:300],
            api_token=ctx.api_token,
            action=action,
            outcome=outcome,
            target_type=target._meta.model_name if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=(target_label if target_label is not None else str(target) if target is not None else "")[
                :300
            ],
            changes=_plain(_redact(changes or {})),
            ip=ctx.ip,
            user_agent=ctx.user_agent[:300],
            created_at=timezone.now(),
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        head.seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["seq", "last_hash"])
    return event


@dataclass
class ChainReport:
    chain: str
    checked: int
    broken_event: AuditEvent | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_event is None and not self.reason


def chain_verify(chain: str) -> ChainReport:
    """Walk one chain in order; name the first event whose link or content does not hold."""
    org_id = None if chain == "platform" else chain
    events = AuditEvent.objects.filter(org_id=org_id).order_by("seq").iterator(chunk_size=2000)
    previous, expected_seq, checked = GENESIS, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(chain, checked, event, f"sequence jumps from {expected_seq - 1} to {event.seq}")
        if event.prev_hash != previous:
            return ChainReport(chain, checked, event, "link to the previous event does not match")
        if event_hash(event) != event.hash:
            return ChainReport(chain, checked, event, "content does not match its hash")
        previous, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head and head.seq != checked:
        return ChainReport(chain, checked, None, f"the chain records {head.seq} events but {checked} remain")
    return ChainReport(chain, checked)
