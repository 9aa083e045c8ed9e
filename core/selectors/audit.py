from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from core.models import AuditEvent
from core.tenancy import Ctx


def audit_event_list(
    *,
    ctx: Ctx,
    actor=None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    outcome: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The firm's audit trail. `action` ending in a dot matches a family, e.g. `auth.`."""
    ctx.require("audit.view")
    events = AuditEvent.objects.select_related("actor")
    if actor:
        events = events.filter(actor_id=actor)
    if action:
        events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if outcome:
        events = events.filter(outcome=outcome)
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    return events
