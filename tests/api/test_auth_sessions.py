"""API sessions: refresh rotation, reuse of a rotated refresh token, logout, and changes that act at once."""

from django_scopes import scope

from core.models import AuthSession
from tests.api.helpers import API, audit_events, patch, post, signed_in
from tests.factories import role_of

ME = API + "/users/me/"


def test_refresh_rotates_both_cookies(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    old_refresh = client.cookies["lf_refresh"].value

    response = post(client, "/auth/refresh/", csrf=csrf)

    assert response.status_code == 200
    assert response.json()["detail"]
    assert response.cookies["lf_refresh"].value != old_refresh
    # A fresh access token is issued with the rotation (identical bytes only within the same second).
    assert response.cookies["lf_access"].value
    assert int(response.cookies["lf_access"]["max-age"]) > 0
    assert response.cookies["lf_refresh"]["httponly"] and response.cookies["lf_access"]["httponly"]
    assert client.get(ME).status_code == 200


def test_refresh_without_a_refresh_cookie_is_401(owner, browser_client):
    csrf = browser_client.get(API + "/auth/csrf/").json()["csrf_token"]
    response = post(browser_client, "/auth/refresh/", csrf=csrf)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_rotated_refresh_token_cannot_be_used_again(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    old_refresh = client.cookies["lf_refresh"].value
    assert post(client, "/auth/refresh/", csrf=csrf).status_code == 200

    client.cookies["lf_refresh"] = old_refresh
    response = post(client, "/auth/refresh/", csrf=csrf)

    assert response.status_code == 401
    assert response.json()["detail"]


def test_refresh_token_reuse_revokes_the_family(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    old_refresh = client.cookies["lf_refresh"].value
    assert post(client, "/auth/refresh/", csrf=csrf).status_code == 200
    new_refresh, new_access = client.cookies["lf_refresh"].value, client.cookies["lf_access"].value

    client.cookies["lf_refresh"] = old_refresh
    assert post(client, "/auth/refresh/", csrf=csrf).status_code == 401

    # The newer refresh token, which the thief or the owner may hold, is dead too.
    client.cookies["lf_refresh"] = new_refresh
    assert post(client, "/auth/refresh/", csrf=csrf).status_code == 401
    # And so is the access token of the family.
    client.cookies["lf_access"] = new_access
    assert client.get(ME).status_code == 401

    session = AuthSession.objects.get(user=owner.user)
    assert session.revoked_reason == "refresh_reuse"
    assert [e.outcome for e in audit_events(owner.org, action="auth.refresh_reuse")] == ["revoked"]


def test_reuse_ends_only_that_family(owner):
    stolen, csrf = signed_in("olivia@test-law.ca")
    other_device, _other_csrf = signed_in("olivia@test-law.ca")
    old_refresh = stolen.cookies["lf_refresh"].value
    post(stolen, "/auth/refresh/", csrf=csrf)
    stolen.cookies["lf_refresh"] = old_refresh
    assert post(stolen, "/auth/refresh/", csrf=csrf).status_code == 401

    assert other_device.get(ME).status_code == 200


def test_a_tampered_refresh_token_is_401(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    client.cookies["lf_refresh"] = client.cookies["lf_refresh"].value[:-4] + "AAAA"
    assert post(client, "/auth/refresh/", csrf=csrf).status_code == 401


def test_an_access_token_is_not_a_refresh_token(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    client.cookies["lf_refresh"] = client.cookies["lf_access"].value
    assert post(client, "/auth/refresh/", csrf=csrf).status_code == 401


def test_logout_clears_the_cookies(owner):
    client, csrf = signed_in("olivia@test-law.ca")

    response = post(client, "/auth/logout/", csrf=csrf)

    assert response.status_code == 200
    for name in ("lf_access", "lf_refresh"):
        assert response.cookies[name].value == ""
        assert response.cookies[name]["max-age"] == 0
    assert client.get(ME).status_code == 401


def test_logout_revokes_the_session_so_the_old_access_cookie_stops_at_once(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    access, refresh = client.cookies["lf_access"].value, client.cookies["lf_refresh"].value

    post(client, "/auth/logout/", csrf=csrf)
    client.cookies["lf_access"], client.cookies["lf_refresh"] = access, refresh

    assert client.get(ME).status_code == 401
    assert post(client, "/auth/refresh/", csrf=csrf).status_code == 401
    assert AuthSession.objects.get(user=owner.user).revoked_reason == "logout"


def test_logout_is_audited(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    post(client, "/auth/logout/", csrf=csrf)

    event = audit_events(owner.org, action="auth.logout")[-1]
    assert event.actor_id == owner.user.pk
    assert event.ip == "127.0.0.1"


def test_logout_without_a_session_still_answers_200(db, browser_client):
    csrf = browser_client.get(API + "/auth/csrf/").json()["csrf_token"]
    assert post(browser_client, "/auth/logout/", csrf=csrf).status_code == 200


def test_deactivating_a_member_ends_their_cookie_session_at_once(owner, lawyer, api):
    client, csrf = signed_in("liam@test-law.ca")
    assert client.get(ME).status_code == 200

    assert patch(api, f"/users/{lawyer.user_id}/", {"is_active": False}).status_code == 200

    assert client.get(ME).status_code == 401
    assert post(client, "/auth/refresh/", csrf=csrf).status_code == 401


def test_deactivating_a_member_stops_their_api_token_at_once(owner, lawyer, api, api_for):
    lawyer_api = api_for(lawyer)
    assert lawyer_api.get(ME).status_code == 200

    patch(api, f"/users/{lawyer.user_id}/", {"is_active": False})

    assert lawyer_api.get(ME).status_code == 401


def test_a_role_change_acts_at_once_on_an_existing_session(owner, bookkeeper, api):
    client, _csrf = signed_in("ben@test-law.ca")
    assert client.get(API + "/audit-events/").status_code == 403

    admin = role_of(owner.org, "Admin")
    assert patch(api, f"/users/{bookkeeper.user_id}/", {"role": str(admin.pk)}).status_code == 200

    assert client.get(API + "/audit-events/").status_code == 200
    assert client.get(ME).json()["roles"] == ["Admin"]


def test_a_demotion_acts_at_once_on_an_api_token(owner, api, api_for):
    from tests.factories import member_create

    admin = member_create(owner.org, "Admin", email="ada@test-law.ca")
    admin_api = api_for(admin)
    assert admin_api.get(API + "/audit-events/").status_code == 200

    lawyer_role = role_of(owner.org, "Lawyer")
    assert patch(api, f"/users/{admin.user_id}/", {"role": str(lawyer_role.pk)}).status_code == 200

    assert admin_api.get(API + "/audit-events/").status_code == 403


def test_an_inactive_user_account_ends_every_session(owner, lawyer):
    client, _csrf = signed_in("liam@test-law.ca")
    with scope(org=lawyer.org_id):
        user = lawyer.user
        user.is_active = False
        user.save(update_fields=["is_active"])
    assert client.get(ME).status_code == 401
