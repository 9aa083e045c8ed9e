"""/api-tokens/: the secret shown once and stored hashed, Bearer on every endpoint, revocation, expiry."""

import hashlib
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.models import ApiToken, AuditEvent
from tests.api.helpers import API, last_event, post, signed_in


def _bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_create_shows_the_secret_once(owner, api):
    response = post(api, "/api-tokens/", {"name": "Accounting sync"})

    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["token"]
    assert secret.startswith("lfp_") and len(secret) > 30
    assert body["name"] == "Accounting sync"
    assert body["prefix"] == secret[: len(body["prefix"])]
    assert body["user"] == "olivia@test-law.ca"
    assert body["last_used_at"] is None

    listed = api.get(API + "/api-tokens/").json()["results"]
    mine = next(t for t in listed if t["id"] == body["id"])
    assert "token" not in mine
    assert secret not in api.get(API + "/api-tokens/").content.decode()


def test_only_the_hash_of_the_secret_is_stored(owner, api):
    secret = post(api, "/api-tokens/", {"name": "Sync"}).json()["token"]

    with scopes_disabled():
        token = ApiToken.objects.get(name="Sync")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        rows = " ".join(str(row) for row in cursor.fetchall())
        cursor.execute("SELECT changes, target_label, actor_label FROM core_auditevent")
        audit_text = " ".join(str(row) for row in cursor.fetchall())
    assert secret not in rows
    assert secret not in audit_text


def test_the_new_token_works_as_bearer_and_records_its_last_use(owner, api):
    body = post(api, "/api-tokens/", {"name": "Sync"}).json()

    response = _bearer(body["token"]).get(API + "/users/me/")

    assert response.status_code == 200
    assert response.json()["email"] == "olivia@test-law.ca"
    with scopes_disabled():
        assert ApiToken.objects.get(pk=body["id"]).last_used_at is not None
    listed = api.get(API + "/api-tokens/?ordering=name").json()["results"]
    assert next(t for t in listed if t["id"] == body["id"])["last_used_at"] is not None


def test_bearer_works_on_every_kind_of_endpoint(owner, api):
    secret = post(api, "/api-tokens/", {"name": "Sync"}).json()["token"]
    client = _bearer(secret)
    assert client.get(f"{API}/org/{owner.org_id}/").status_code == 200
    assert client.get(API + "/audit-events/").status_code == 200
    assert client.get(API + "/settings/").status_code == 200
    assert post(client, "/roles/", {"name": "Via token", "permissions": []}).status_code == 201


def test_a_deleted_token_stops_working_at_once(owner, api):
    body = post(api, "/api-tokens/", {"name": "Sync"}).json()
    client = _bearer(body["token"])
    assert client.get(API + "/users/me/").status_code == 200

    response = api.delete(f"{API}/api-tokens/{body['id']}/")

    assert response.status_code == 204
    refused = client.get(API + "/users/me/")
    assert refused.status_code == 401
    assert refused.json()["detail"]
    event = last_event(owner.org, "api_token.deleted")
    assert event.target_id == body["id"]
    assert event.changes == {"name": "Sync"}


def test_an_expired_token_is_rejected(owner, api):
    body = post(api, "/api-tokens/", {"name": "Short", "expires_at": (timezone.now() + timedelta(hours=1)).isoformat()})
    assert body.status_code == 201
    client = _bearer(body.json()["token"])
    assert client.get(API + "/users/me/").status_code == 200

    with scope(org=owner.org_id):
        ApiToken.objects.filter(pk=body.json()["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client.get(API + "/users/me/").status_code == 401


def test_an_expiry_in_the_past_is_400(owner, api):
    response = post(api, "/api-tokens/", {"name": "Old", "expires_at": "2000-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert "expires_at" in response.json()["errors"]


def test_a_wrong_or_malformed_bearer_is_401(owner, api):
    assert _bearer("lfp_" + "x" * 43).get(API + "/users/me/").status_code == 401
    assert _bearer("garbage").get(API + "/users/me/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer").get(API + "/users/me/").status_code == 401


def test_token_creation_and_deletion_are_audited_without_the_secret(owner, api):
    body = post(api, "/api-tokens/", {"name": "Sync"}).json()
    event = last_event(owner.org, "api_token.created")
    assert event.actor_id == owner.user_id
    assert event.target_type == "apitoken"
    assert event.target_id == body["id"]
    assert event.changes == {"name": "Sync"}
    assert body["token"] not in str(event.changes)


def test_actions_through_a_token_name_the_token_in_the_audit(owner, api):
    body = post(api, "/api-tokens/", {"name": "Sync"}).json()
    post(_bearer(body["token"]), "/roles/", {"name": "Via token", "permissions": []})

    event = last_event(owner.org, "role.created")
    assert str(event.api_token_id) == body["id"]
    assert "Sync" in event.actor_label


def test_a_token_created_with_cookies_needs_csrf(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    assert post(client, "/api-tokens/", {"name": "No CSRF"}).status_code == 403
    assert post(client, "/api-tokens/", {"name": "With CSRF"}, csrf).status_code == 201


def test_tokens_need_api_tokens_manage(owner, lawyer):
    client, csrf = signed_in("liam@test-law.ca")
    assert client.get(API + "/api-tokens/").status_code == 403
    assert post(client, "/api-tokens/", {"name": "Mine"}, csrf).status_code == 403


def test_another_firms_token_is_404_and_keeps_working(owner, other_owner, api, api_for):
    theirs = post(api_for(other_owner), "/api-tokens/", {"name": "Theirs"}).json()
    assert api.delete(f"{API}/api-tokens/{theirs['id']}/").status_code == 404
    assert _bearer(theirs["token"]).get(API + "/users/me/").status_code == 200
    with scopes_disabled():
        assert not AuditEvent.objects.filter(org=owner.org, action="api_token.deleted").exists()


def test_a_token_acts_only_in_its_own_firm(owner, other_owner, api):
    me = api.get(API + "/users/me/").json()
    assert me["org"]["id"] == str(owner.org_id)
    assert api.get(f"{API}/org/{other_owner.org_id}/").status_code == 404
