"""POST /auth/login/: the seed's payload, cookies, CSRF, the same answer for every bad credential, throttling."""

import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django_scopes import scope

from core import permissions
from core.models import Membership
from tests.api.helpers import API, USER_AGENT, audit_events, csrf_client, post, signed_in
from tests.conftest import cookie_login
from tests.factories import role_of

LOGIN = "/auth/login/"


def test_login_answers_the_seed_user_payload(owner, browser_client):
    response, _csrf = cookie_login(browser_client, "olivia@test-law.ca")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(owner.user.pk),
        "email": "olivia@test-law.ca",
        "first_name": "Olivia",
        "last_name": "Owner",
        "mfa_enabled": False,
        "roles": [permissions.OWNER],
        "mfa_required": False,
    }


def test_login_is_case_insensitive_on_the_email(owner):
    client, csrf = csrf_client()
    response = post(client, LOGIN, {"email": "Olivia@Test-Law.CA", "password": "Passw0rd!123"}, csrf)
    assert response.status_code == 200


def test_login_sets_httponly_samesite_access_and_refresh_cookies(owner, browser_client, settings):
    response, _csrf = cookie_login(browser_client, "olivia@test-law.ca")

    access, refresh = response.cookies["lf_access"], response.cookies["lf_refresh"]
    assert access.value and refresh.value and access.value != refresh.value
    for cookie in (access, refresh):
        assert cookie["httponly"]
        assert cookie["samesite"] in ("Lax", "Strict")
        assert not cookie["secure"], "Secure is off in tests (no HTTPS), on outside DEBUG"
    assert int(access["max-age"]) == int(settings.JWT_ACCESS_LIFETIME.total_seconds())
    assert int(refresh["max-age"]) == int(settings.JWT_REFRESH_LIFETIME.total_seconds())
    assert int(access["max-age"]) < int(refresh["max-age"])
    assert refresh["path"] == "/api/v1/auth/", "the refresh token only travels to /auth/"


def test_cookies_are_secure_when_the_setting_is_on(owner, browser_client, settings):
    settings.AUTH_COOKIE_SECURE = True  # what production (DEBUG off, not testing) sets
    response, _csrf = cookie_login(browser_client, "olivia@test-law.ca")
    assert response.cookies["lf_access"]["secure"]
    assert response.cookies["lf_refresh"]["secure"]


def test_the_access_cookie_signs_in_the_following_requests(owner, browser_client):
    cookie_login(browser_client, "olivia@test-law.ca")
    me = browser_client.get(API + "/users/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "olivia@test-law.ca"
    assert me.json()["org"]["id"] == str(owner.org_id)


@pytest.mark.parametrize(
    "email,password",
    [("olivia@test-law.ca", "wrong-password"), ("nobody@test-law.ca", "Passw0rd!123")],
    ids=["wrong_password", "unknown_email"],
)
def test_wrong_password_and_unknown_email_get_the_same_401(owner, email, password):
    client, csrf = csrf_client()
    response = post(client, LOGIN, {"email": email, "password": password}, csrf)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid email or password."}
    assert "lf_access" not in response.cookies


def test_a_deactivated_member_cannot_sign_in(owner, lawyer):
    with scope(org=lawyer.org_id):
        lawyer.is_active = False
        lawyer.save(update_fields=["is_active"])
    client, csrf = csrf_client()
    response = post(client, LOGIN, {"email": "liam@test-law.ca", "password": "Passw0rd!123"}, csrf)
    assert response.status_code == 401
    assert "lf_access" not in response.cookies


# CSRF.


def test_login_without_the_csrf_token_is_403_with_detail(owner, browser_client):
    response = post(browser_client, LOGIN, {"email": "olivia@test-law.ca", "password": "Passw0rd!123"})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert "lf_access" not in response.cookies


def test_login_with_a_csrf_cookie_but_no_header_is_403(owner):
    client, _csrf = csrf_client()
    response = post(client, LOGIN, {"email": "olivia@test-law.ca", "password": "Passw0rd!123"})
    assert response.status_code == 403
    assert response.json()["detail"]


def test_csrf_endpoint_sets_the_cookie_for_a_client_that_has_none(db):
    client = Client(enforce_csrf_checks=True)
    response = client.get(API + "/auth/csrf/")
    assert response.status_code == 200
    assert response.json()["csrf_token"]
    assert "csrftoken" in response.cookies


@pytest.mark.parametrize("path", ["/auth/refresh/", "/auth/logout/"])
def test_refresh_and_logout_need_the_csrf_token(owner, path):
    client, _csrf = signed_in("olivia@test-law.ca")
    response = post(client, path)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert client.get(API + "/users/me/").status_code == 200, "a refused logout leaves the session as it was"


def test_unsafe_cookie_requests_need_the_csrf_token(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    role = {"name": "Reader", "permissions": ["users.view"]}

    refused = post(client, "/roles/", role)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    accepted = post(client, "/roles/", role, csrf)
    assert accepted.status_code == 201


def test_bearer_requests_need_no_csrf_token(owner, api):
    from tests.conftest import bearer_client

    client = bearer_client(owner)
    client.handler.enforce_csrf_checks = True
    response = post(client, "/roles/", {"name": "Reader", "permissions": ["users.view"]})
    assert response.status_code == 201


# Throttling of failed sign-ins.


def _fail(client, csrf, email, **extra):
    return post(client, LOGIN, {"email": email, "password": "not-the-password"}, csrf, **extra)


def test_failed_sign_ins_are_throttled_per_account(owner, settings):
    client, csrf = csrf_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT):
        assert _fail(client, csrf, "olivia@test-law.ca").status_code == 401

    throttled = _fail(client, csrf, "olivia@test-law.ca")
    assert throttled.status_code == 429
    assert throttled.json()["detail"]
    assert int(throttled["Retry-After"]) > 0

    # Even the right password waits: the account is locked for the window, whatever is tried.
    right = post(client, LOGIN, {"email": "olivia@test-law.ca", "password": "Passw0rd!123"}, csrf)
    assert right.status_code == 429
    assert "lf_access" not in right.cookies


def test_retry_after_tells_when_the_account_may_try_again(owner, settings, monkeypatch):
    if "locmem" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("moves the clock of the in-process cache only")
    client, csrf = csrf_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT):
        _fail(client, csrf, "olivia@test-law.ca")
    retry_after = int(_fail(client, csrf, "olivia@test-law.ca")["Retry-After"])

    from django.core.cache.backends import locmem

    real_time = time.time
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: real_time() + retry_after + 1))
    right = post(client, LOGIN, {"email": "olivia@test-law.ca", "password": "Passw0rd!123"}, csrf)
    assert right.status_code == 200, "once Retry-After has passed, the right password signs in"


def test_the_account_throttle_holds_from_another_address(owner, settings):
    client, csrf = csrf_client()
    for index in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT):
        assert _fail(client, csrf, "olivia@test-law.ca", REMOTE_ADDR=f"198.51.100.{index + 1}").status_code == 401
    assert _fail(client, csrf, "olivia@test-law.ca", REMOTE_ADDR="203.0.113.99").status_code == 429


def test_failed_sign_ins_are_throttled_per_address(owner, settings):
    client, csrf = csrf_client()
    for index in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS):
        assert _fail(client, csrf, f"guess{index}@test-law.ca").status_code == 401

    throttled = post(client, LOGIN, {"email": "olivia@test-law.ca", "password": "Passw0rd!123"}, csrf)
    assert throttled.status_code == 429
    assert throttled.json()["detail"]
    assert throttled.has_header("Retry-After")

    other_address = post(
        client, LOGIN, {"email": "olivia@test-law.ca", "password": "Passw0rd!123"}, csrf, REMOTE_ADDR="203.0.113.5"
    )
    assert other_address.status_code == 200, "another address keeps its own allowance"


def test_a_successful_sign_in_resets_the_account_count(owner, settings):
    client, csrf = csrf_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT - 1):
        _fail(client, csrf, "olivia@test-law.ca")
    assert post(client, LOGIN, {"email": "olivia@test-law.ca", "password": "Passw0rd!123"}, csrf).status_code == 200
    assert _fail(client, csrf, "olivia@test-law.ca").status_code == 401


def test_a_forged_x_forwarded_for_does_not_reset_the_count_without_proxies(owner, settings):
    settings.NINJA_NUM_PROXIES = 0
    client, csrf = csrf_client()
    for index in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS):
        response = _fail(client, csrf, f"guess{index}@test-law.ca", HTTP_X_FORWARDED_FOR=f"10.0.0.{index + 1}")
        assert response.status_code == 401

    forged = _fail(client, csrf, "fresh@test-law.ca", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert forged.status_code == 429


def test_behind_one_proxy_the_right_most_hop_is_the_client(owner, settings):
    settings.NINJA_NUM_PROXIES = 1
    client, csrf = csrf_client()
    real = "203.0.113.7"
    for index in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS):
        # The client forges the left part; the proxy appends the address it saw.
        response = _fail(client, csrf, f"guess{index}@test-law.ca", HTTP_X_FORWARDED_FOR=f"10.0.0.{index + 1}, {real}")
        assert response.status_code == 401

    forged = _fail(client, csrf, "fresh@test-law.ca", HTTP_X_FORWARDED_FOR=f"10.9.9.9, {real}")
    assert forged.status_code == 429

    another_client = post(
        client,
        LOGIN,
        {"email": "olivia@test-law.ca", "password": "Passw0rd!123"},
        csrf,
        HTTP_X_FORWARDED_FOR=f"10.9.9.9, {'198.51.100.20'}",
    )
    assert another_client.status_code == 200


def test_behind_one_proxy_the_audit_records_the_right_most_hop(owner, settings):
    settings.NINJA_NUM_PROXIES = 1
    client, csrf = csrf_client()
    response = post(
        client,
        LOGIN,
        {"email": "olivia@test-law.ca", "password": "Passw0rd!123"},
        csrf,
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    assert response.status_code == 200
    assert audit_events(owner.org, action="auth.login")[-1].ip == "203.0.113.7"


# Audit of sign-ins.


def test_a_successful_sign_in_is_audited(owner):
    client, csrf = csrf_client()
    post(client, LOGIN, {"email": "olivia@test-law.ca", "password": "Passw0rd!123"}, csrf)

    event = audit_events(owner.org, action="auth.login")[-1]
    assert event.outcome == "success"
    assert event.actor_id == owner.user.pk
    assert event.target_type == "user"
    assert event.target_id == str(owner.user.pk)
    assert event.ip == "127.0.0.1"
    assert event.user_agent == USER_AGENT


def test_a_failed_sign_in_of_a_known_account_is_audited_in_its_firm(owner):
    client, csrf = csrf_client()
    _fail(client, csrf, "olivia@test-law.ca")

    event = audit_events(owner.org, action="auth.login")[-1]
    assert event.outcome == "failure"
    assert event.target_id == str(owner.user.pk)
    assert event.ip == "127.0.0.1"
    assert event.user_agent == USER_AGENT
    assert "not-the-password" not in str(event.changes)


def test_a_failed_sign_in_of_an_unknown_email_is_audited_on_the_platform_chain(owner):
    client, csrf = csrf_client()
    _fail(client, csrf, "stranger@example.ca")

    events = [e for e in audit_events(None, action="auth.login") if e.target_label == "stranger@example.ca"]
    assert len(events) == 1
    assert events[0].outcome == "failure"
    assert events[0].actor_id is None


def test_a_throttled_sign_in_is_audited(owner, settings):
    client, csrf = csrf_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT + 1):
        _fail(client, csrf, "olivia@test-law.ca")

    outcomes = [e.outcome for e in audit_events(owner.org, action="auth.login")]
    assert outcomes.count("failure") == settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT
    assert outcomes[-1] == "throttled"


def test_failed_sign_ins_are_visible_in_the_audit_api(owner, api):
    client, csrf = csrf_client()
    _fail(client, csrf, "olivia@test-law.ca")

    response = api.get(API + "/audit-events/?action=auth.login&outcome=failure")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["target_id"] == str(owner.user.pk)


# A person in several firms.


def test_a_person_in_two_firms_chooses_the_firm_at_sign_in(owner, other_owner):
    from tests.factories import member_create

    liam_user = member_create(owner.org, permissions.LAWYER, email="liam@test-law.ca").user
    with scope(org=other_owner.org_id):
        Membership.objects.create(org=other_owner.org, user=liam_user, role=role_of(other_owner.org, "Bookkeeper"))

    default, csrf = csrf_client()
    post(default, LOGIN, {"email": "liam@test-law.ca", "password": "Passw0rd!123"}, csrf)
    assert default.get(API + "/users/me/").json()["org"]["id"] == str(owner.org_id), "the oldest membership"

    chosen, csrf = csrf_client()
    response = post(
        chosen,
        LOGIN,
        {"email": "liam@test-law.ca", "password": "Passw0rd!123", "org_id": str(other_owner.org_id)},
        csrf,
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["Bookkeeper"]
    me = chosen.get(API + "/users/me/").json()
    assert me["org"]["id"] == str(other_owner.org_id)
    emails = {u["email"] for u in chosen.get(API + "/users/").json()["results"]}
    assert emails == {"noah@other-firm.ca", "liam@test-law.ca"}


def test_sign_in_to_a_firm_one_does_not_belong_to_is_401(owner, other_owner):
    client, csrf = csrf_client()
    response = post(
        client,
        LOGIN,
        {"email": "olivia@test-law.ca", "password": "Passw0rd!123", "org_id": str(other_owner.org_id)},
        csrf,
    )
    assert response.status_code == 401
    assert "lf_access" not in response.cookies
