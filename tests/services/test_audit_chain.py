"""The audit trail: append-only, chained by hash per firm, verified by `manage.py audit_verify`."""

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from core.models import AuditChainHead, AuditEvent
from core.services import audit
from core.tenancy import Ctx
from tests.factories import ctx_of

TRIGGER = "core_auditevent_append_only"
ON_POSTGRES = connection.vendor == "postgresql"


def _record(membership, count=3, action="test.event"):
    ctx = ctx_of(membership)
    with scope(org=membership.org_id):
        return [audit.record(ctx, action, target=membership.user, changes={"n": n}) for n in range(count)]


def _verify(*args) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def _verify_fails(*args) -> str:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


@contextmanager
def trigger_lifted():
    """On PostgreSQL, lift the append-only trigger for this transaction (the test's), as an attacker with DDL could."""
    if not ON_POSTGRES:
        yield
        return
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks of this transaction are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE core_auditevent ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def tamper():
    """Rewrite a stored event behind the application's back."""

    def tamper(event, **fields):
        with scopes_disabled(), trigger_lifted():
            AuditEvent.objects.filter(pk=event.pk).update(**fields)

    return tamper


def _remove(event):
    with scopes_disabled(), trigger_lifted():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_events_are_chained_per_firm(owner, other_owner):
    ours = _record(owner, 3)
    theirs = _record(other_owner, 2)

    assert [e.seq for e in ours] == [2, 3, 4], "the firm's sign-up is event 1"
    assert ours[1].prev_hash == ours[0].hash and ours[2].prev_hash == ours[1].hash
    assert [e.seq for e in theirs] == [2, 3]
    with scopes_disabled():
        first = AuditEvent.objects.get(org=owner.org, seq=1)
        assert first.prev_hash == audit.GENESIS
        assert AuditChainHead.objects.get(chain=str(owner.org_id)).last_hash == ours[-1].hash
    assert audit.event_hash(ours[1]) == ours[1].hash


def test_the_chain_verifies(owner, other_owner):
    _record(owner, 3)
    _record(other_owner, 2)

    output = _verify()

    assert f"{owner.org_id}: ok, 4 events" in output
    assert f"{other_owner.org_id}: ok, 3 events" in output
    assert "BROKEN" not in output


def test_the_platform_chain_verifies(db):
    with scopes_disabled():
        audit.record(Ctx(org=None, ip="203.0.113.1"), "auth.login", target_label="ghost@example.ca", outcome="failure")
    assert "platform: ok, 1 events" in _verify()


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger exists on PostgreSQL only")
def test_postgres_refuses_update_of_an_event(owner):
    event = _record(owner, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), scopes_disabled():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with scopes_disabled():
        assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger exists on PostgreSQL only")
def test_postgres_refuses_delete_of_an_event(owner):
    event = _record(owner, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), scopes_disabled():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with scopes_disabled():
        assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_altered_content_breaks_the_chain_at_that_event(owner, tamper):
    events = _record(owner, 4)
    target = events[1]
    if ON_POSTGRES:
        # Through the database's front door the table refuses; the tampering below lifts the trigger first.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), scopes_disabled():
            AuditEvent.objects.filter(pk=target.pk).update(changes={"n": 999})

    tamper(target, changes={"n": 999})

    output = _verify_fails()
    assert f"BROKEN at event {target.id}" in output
    assert f"seq {target.seq}" in output
    assert "content does not match its hash" in output


def test_the_first_broken_event_is_named_when_several_are_altered(owner, tamper):
    events = _record(owner, 4)
    tamper(events[2], outcome="failure")
    tamper(events[1], ip="10.0.0.1")

    output = _verify_fails()
    assert f"BROKEN at event {events[1].id}" in output
    assert str(events[2].id) not in output


def test_a_rehashed_event_breaks_the_link_of_the_next(owner, tamper):
    events = _record(owner, 3)
    forged = events[0]
    forged.changes = {"n": 42}
    new_hash = audit.event_hash(forged)

    tamper(events[0], changes={"n": 42}, hash=new_hash)

    output = _verify_fails()
    assert f"BROKEN at event {events[1].id}" in output
    assert "link to the previous event does not match" in output


def test_a_removed_event_breaks_the_chain(owner):
    events = _record(owner, 3)
    _remove(events[1])

    output = _verify_fails()
    assert f"BROKEN at event {events[2].id}" in output
    assert "sequence jumps" in output


def test_a_removed_last_event_is_noticed(owner):
    events = _record(owner, 2)
    _remove(events[-1])

    output = _verify_fails()
    assert "end of chain" in output


def test_verify_one_firm_only(owner, other_owner, tamper):
    ours = _record(owner, 2)
    _record(other_owner, 2)
    tamper(ours[0], action="forged")

    assert "ok" in _verify("--org", str(other_owner.org_id))
    assert "BROKEN" in _verify_fails("--org", str(owner.org_id))


def test_record_redacts_secrets_and_keeps_the_rest(owner):
    ctx = ctx_of(owner)
    with scope(org=owner.org_id):
        event = audit.record(
            ctx,
            "test.redaction",
            changes={
                "new_password": "hunter2",
                "client_secret": "s",
                "token": "t",
                "otp_code": "123456",
                "private_key": "k",
                "profile": {"password_hash": "x", "email": "kept@example.ca"},
                "name": "kept",
            },
        )
    assert event.changes == {
        "new_password": "[redacted]",
        "client_secret": "[redacted]",
        "token": "[redacted]",
        "otp_code": "[redacted]",
        "private_key": "[redacted]",
        "profile": {"password_hash": "[redacted]", "email": "kept@example.ca"},
        "name": "kept",
    }


def test_record_stores_decimals_and_dates_as_strings(owner):
    import datetime as dt
    from decimal import Decimal

    with scope(org=owner.org_id):
        event = audit.record(
            ctx_of(owner), "test.values", changes={"amount": Decimal("12.50"), "on": dt.date(2025, 1, 31)}
        )
    with scopes_disabled():
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {"amount": "12.50", "on": "2025-01-31"}
    assert audit.event_hash(stored) == stored.hash


def test_record_takes_actor_ip_and_user_agent_from_the_context(owner):
    ctx = ctx_of(owner)
    from dataclasses import replace

    ctx = replace(ctx, ip="198.51.100.7", user_agent="agent/2")
    with scope(org=owner.org_id):
        event = audit.record(ctx, "test.origin", target=owner.user)
    assert event.actor_id == owner.user_id
    assert event.actor_label == "olivia@test-law.ca"
    assert event.ip == "198.51.100.7"
    assert event.user_agent == "agent/2"
    assert event.target_type == "user"
    assert event.target_id == str(owner.user_id)
    assert event.org_id == owner.org_id


def test_audit_events_are_scoped_to_a_firm(owner):
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        list(AuditEvent.objects.all())
