"""GET /audit-events/: what every write leaves behind, the filters, pagination and permissions."""

from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone
from django_scopes import scope

from core.models import AuditEvent
from core.services import audit
from tests.api.helpers import API, USER_AGENT, patch, post
from tests.factories import ctx_of, role_of

FIELDS = {
    "id",
    "seq",
    "created_at",
    "actor",
    "actor_label",
    "action",
    "outcome",
    "target_type",
    "target_id",
    "target_label",
    "changes",
    "ip",
    "user_agent",
    "hash",
}


def _events(api, query=""):
    response = api.get(f"{API}/audit-events/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_write_answers_its_event_with_every_field(owner, lawyer, api):
    patch(api, f"/users/{lawyer.user_id}/", {"last_name": "Lawson"}, HTTP_USER_AGENT=USER_AGENT)

    body = _events(api, "?action=member.updated")

    assert body["count"] == 1
    event = body["results"][0]
    assert set(event) == FIELDS
    assert event["actor"] == str(owner.user_id)
    assert event["actor_label"].startswith("olivia@test-law.ca")
    assert event["target_type"] == "user"
    assert event["target_id"] == str(lawyer.user_id)
    assert event["changes"] == {"last_name": ["Lawyer", "Lawson"]}
    assert event["ip"] == "127.0.0.1"
    assert event["user_agent"] == USER_AGENT
    assert event["outcome"] == "success"
    assert len(event["hash"]) == 64


def test_every_write_of_the_firm_api_is_audited(owner, lawyer, api, django_capture_on_commit_callbacks):
    lawyer_role = str(role_of(owner.org, "Lawyer").pk)
    with django_capture_on_commit_callbacks(execute=True):
        api.put(f"{API}/org/{owner.org_id}/", {"name": "Renamed LLP"}, content_type="application/json")
        post(api, "/users/", {"email": "nora@test-law.ca", "role": lawyer_role})
        patch(api, f"/users/{lawyer.user_id}/", {"is_active": False})
        role = post(api, "/roles/", {"name": "Intake", "permissions": ["users.view"]}).json()
        patch(api, f"/roles/{role['id']}/", {"description": "Front desk"})
        api.delete(f"{API}/roles/{role['id']}/")
        invitation = post(api, "/invitations/", {"email": "iris@example.ca", "role": lawyer_role}).json()
        api.delete(f"{API}/invitations/{invitation['id']}/")
        token = post(api, "/api-tokens/", {"name": "Sync"}).json()
        api.delete(f"{API}/api-tokens/{token['id']}/")

    actions = {event["action"] for event in _events(api, "?limit=200")["results"]}
    assert {
        "org.updated",
        "member.created",
        "member.deactivated",
        "role.created",
        "role.updated",
        "role.deleted",
        "invitation.created",
        "invitation.revoked",
        "api_token.created",
        "api_token.deleted",
    } <= actions
    with scope(org=owner.org_id):
        for event in AuditEvent.objects.exclude(action="org.created").exclude(action__startswith="api_token"):
            assert event.actor_id == owner.user_id, event.action
            assert event.ip == "127.0.0.1", event.action


def test_secrets_are_redacted_in_changes(owner, api):
    ctx = ctx_of(owner)
    with scope(org=owner.org_id):
        audit.record(
            ctx,
            "test.secrets",
            target=owner.user,
            changes={"password": "hunter2", "nested": {"api_token": "lfp_x", "name": "kept"}, "mfa_code": "123456"},
        )

    event = _events(api, "?action=test.secrets")["results"][0]
    assert event["changes"] == {
        "password": "[redacted]",
        "nested": {"api_token": "[redacted]", "name": "kept"},
        "mfa_code": "[redacted]",
    }
    assert "hunter2" not in str(event)


def test_filters_by_actor_action_and_target(owner, lawyer, bookkeeper, api, api_for):
    patch(api, f"/users/{lawyer.user_id}/", {"last_name": "Lawson"})
    patch(api, f"/users/{bookkeeper.user_id}/", {"last_name": "Booker"})
    api_for(lawyer)  # the lawyer creates a token of their own (audited with the lawyer as actor)

    by_target = _events(api, f"?target_type=user&target_id={lawyer.user_id}&action=member.updated")
    assert by_target["count"] == 1
    assert by_target["results"][0]["changes"] == {"last_name": ["Lawyer", "Lawson"]}

    by_actor = _events(api, f"?actor={lawyer.user_id}")
    assert by_actor["count"] >= 1
    assert {e["actor"] for e in by_actor["results"]} == {str(lawyer.user_id)}

    by_action = _events(api, "?action=member.updated")
    assert by_action["count"] == 2
    family = _events(api, "?action=member.")
    assert {e["action"] for e in family["results"]} == {"member.updated"}
    assert _events(api, "?action=member")["count"] == 0, "without the dot an action is matched exactly"

    by_type = _events(api, "?target_type=apitoken")
    assert {e["action"] for e in by_type["results"]} == {"api_token.created"}


def test_filters_by_date_range(owner, api):
    before = timezone.now()
    patch(api, f"/users/{owner.user_id}/", {"first_name": "Liv"})
    after = timezone.now()

    since = quote(before.isoformat())
    until = quote((after + timedelta(seconds=1)).isoformat())
    inside = _events(api, f"?since={since}&until={until}")
    assert [e["action"] for e in inside["results"]] == ["member.updated"]
    assert _events(api, f"?until={since}")["count"] >= 1, "the sign-up and token events came before"
    assert _events(api, f"?since={until}")["count"] == 0


def test_a_malformed_date_is_400(owner, api):
    response = api.get(API + "/audit-events/?since=yesterday")
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


def test_paginates_with_count_next_previous(owner, api):
    ctx = ctx_of(owner)
    with scope(org=owner.org_id):
        for index in range(7):
            audit.record(ctx, "test.page", changes={"n": index})

    first = _events(api, "?action=test.page&limit=3")
    assert first["count"] == 7
    assert [e["changes"]["n"] for e in first["results"]] == [6, 5, 4], "newest first"
    assert first["previous"] is None
    assert "action=test.page" in first["next"], "the filters travel with the page links"

    second = api.get(first["next"]).json()
    assert [e["changes"]["n"] for e in second["results"]] == [3, 2, 1]
    third = api.get(second["next"]).json()
    assert [e["changes"]["n"] for e in third["results"]] == [0]
    assert third["next"] is None
    assert api.get(third["previous"]).json()["results"] == second["results"]

    oldest_first = _events(api, "?action=test.page&ordering=created_at&limit=2")
    assert [e["changes"]["n"] for e in oldest_first["results"]] == [0, 1]


def test_limit_above_200_is_400(owner, api):
    response = api.get(API + "/audit-events/?limit=201")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert "limit" in response.json()["errors"]
    assert api.get(API + "/audit-events/?limit=0").status_code == 400
    assert api.get(API + "/audit-events/?offset=-1").status_code == 400


def test_an_unknown_ordering_is_400(owner, api):
    response = api.get(API + "/audit-events/?ordering=hash")
    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]


def test_a_firm_sees_only_its_own_events(owner, other_owner, api, api_for):
    patch(api_for(other_owner), f"/users/{other_owner.user_id}/", {"first_name": "Noah"})
    body = _events(api, "?limit=200")
    assert all(e["target_id"] != str(other_owner.user_id) for e in body["results"])
    assert _events(api, f"?actor={other_owner.user_id}")["count"] == 0


def test_audit_events_need_audit_view(owner, lawyer, api_for):
    response = api_for(lawyer).get(API + "/audit-events/")
    assert response.status_code == 403
    assert response.json()["detail"]


def test_audit_events_are_read_only_through_the_api(owner, api):
    event = _events(api)["results"][0]
    assert api.delete(f"{API}/audit-events/{event['id']}/").status_code in (404, 405)
    assert post(api, "/audit-events/", {"action": "forged"}).status_code == 405
