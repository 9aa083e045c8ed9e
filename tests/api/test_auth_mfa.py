"""TOTP two-factor authentication through django-otp: setup, confirmation, the sign-in step, recovery codes."""

from base64 import b32decode
from urllib.parse import parse_qs, urlparse

from django.db import connection
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from core.models import RecoveryCode
from tests.api.helpers import (
    API,
    audit_events,
    away_from_step_boundary,
    csrf_client,
    mfa_device,
    post,
    signed_in,
    totp_code,
)

SETUP, VERIFY, LOGIN = "/auth/mfa/setup/", "/auth/mfa/verify/", "/auth/login/"
CREDENTIALS = {"email": "olivia@test-law.ca", "password": "Passw0rd!123"}


def _code_from_secret(secret: str, drift: int = 0) -> str:
    """What an authenticator app shows for the secret the setup answered."""
    return f"{TOTP(b32decode(secret), drift=drift).token():06d}"


def _enable_mfa(client, csrf) -> list[str]:
    away_from_step_boundary()
    secret = post(client, SETUP, csrf=csrf).json()["secret"]
    response = post(client, VERIFY, {"code": _code_from_secret(secret)}, csrf)
    assert response.status_code == 200, response.content
    return response.json()["recovery_codes"]


def _mfa_login(email="olivia@test-law.ca"):
    client, csrf = csrf_client()
    response = post(client, LOGIN, {"email": email, "password": "Passw0rd!123"}, csrf)
    assert response.status_code == 202, response.content
    return client, csrf, response


# Setup.


def test_setup_returns_a_secret_an_otpauth_uri_and_an_svg_qr_code(owner):
    client, csrf = signed_in("olivia@test-law.ca")

    response = post(client, SETUP, csrf=csrf)

    assert response.status_code == 200
    body = response.json()
    uri = urlparse(body["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert "olivia%40test-law.ca" in uri.path or "olivia@test-law.ca" in uri.path
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    assert body["qr_svg"].lstrip().startswith("<svg")
    device = TOTPDevice.objects.get(user=owner.user)
    assert b32decode(body["secret"]) == device.bin_key
    assert device.confirmed is False, "the secret is not active until a code from it is confirmed"


def test_setup_needs_authentication(db, browser_client):
    csrf = browser_client.get(API + "/auth/csrf/").json()["csrf_token"]
    assert post(browser_client, SETUP, csrf=csrf).status_code == 401


def test_setup_does_not_put_the_secret_in_the_audit_trail(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    secret = post(client, SETUP, csrf=csrf).json()["secret"]

    events = audit_events(owner.org)
    assert any(e.action == "mfa.setup_started" for e in events)
    assert all(secret not in str(e.changes) and secret not in e.target_label for e in events)


def test_verify_with_a_real_code_enables_mfa_and_returns_ten_recovery_codes(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    away_from_step_boundary()
    post(client, SETUP, csrf=csrf)
    device = TOTPDevice.objects.get(user=owner.user)

    response = post(client, VERIFY, {"code": totp_code(device)}, csrf)

    assert response.status_code == 200
    body = response.json()
    assert body["mfa_enabled"] is True
    assert len(body["recovery_codes"]) == 10
    assert len(set(body["recovery_codes"])) == 10
    assert TOTPDevice.objects.get(user=owner.user).confirmed
    assert client.get(API + "/users/me/").json()["mfa_enabled"] is True
    assert audit_events(owner.org, action="mfa.enabled")[-1].actor_id == owner.user.pk


def test_a_wrong_code_is_400_and_leaves_mfa_off(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    away_from_step_boundary()
    post(client, SETUP, csrf=csrf)
    device = TOTPDevice.objects.get(user=owner.user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = post(client, VERIFY, {"code": wrong}, csrf)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert "code" in response.json()["errors"]
    assert not TOTPDevice.objects.get(user=owner.user).confirmed


def test_a_code_from_one_step_ago_is_accepted(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    away_from_step_boundary()
    secret = post(client, SETUP, csrf=csrf).json()["secret"]

    response = post(client, VERIFY, {"code": _code_from_secret(secret, drift=-1)}, csrf)
    assert response.status_code == 200


def test_a_code_from_three_steps_ago_is_refused(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    away_from_step_boundary()
    secret = post(client, SETUP, csrf=csrf).json()["secret"]

    response = post(client, VERIFY, {"code": _code_from_secret(secret, drift=-3)}, csrf)
    assert response.status_code == 400


def test_verify_without_setup_is_409(owner, api):
    response = post(api, VERIFY, {"code": "123456"})
    assert response.status_code == 409
    assert response.json()["detail"]


def test_setup_when_mfa_is_already_on_is_409(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    _enable_mfa(client, csrf)
    assert post(client, SETUP, csrf=csrf).status_code == 409


def test_setup_and_verify_work_with_a_bearer_token_without_csrf(owner, api):
    away_from_step_boundary()
    secret = post(api, SETUP).json()["secret"]
    response = post(api, VERIFY, {"code": _code_from_secret(secret)})
    assert response.status_code == 200
    assert response.json()["mfa_enabled"] is True


# The sign-in step.


def test_login_with_mfa_answers_202_and_sets_no_session_cookie(owner):
    mfa_device(owner.user)
    _client, _csrf, response = _mfa_login()

    body = response.json()
    assert body["mfa_required"] is True
    assert body["mfa_token"]
    assert body["detail"]
    assert "lf_access" not in response.cookies
    assert "lf_refresh" not in response.cookies
    assert response.cookies["lf_mfa"]["httponly"]


def test_the_password_alone_does_not_open_the_api(owner):
    mfa_device(owner.user)
    client, _csrf, _response = _mfa_login()
    assert client.get(API + "/users/me/").status_code == 401


def test_mfa_verify_with_the_code_completes_the_sign_in(owner):
    device = mfa_device(owner.user)
    client, csrf, _response = _mfa_login()
    away_from_step_boundary()

    response = post(client, VERIFY, {"code": totp_code(device)}, csrf)

    assert response.status_code == 200
    assert response.json()["email"] == "olivia@test-law.ca"
    assert response.json()["mfa_enabled"] is True
    assert response.cookies["lf_access"].value and response.cookies["lf_access"]["httponly"]
    assert response.cookies["lf_refresh"].value
    assert client.get(API + "/users/me/").status_code == 200


def test_mfa_verify_accepts_the_challenge_token_in_the_body(owner):
    device = mfa_device(owner.user)
    _client, _csrf, challenge = _mfa_login()
    away_from_step_boundary()
    fresh, _fresh_csrf = csrf_client()

    response = post(fresh, VERIFY, {"code": totp_code(device), "mfa_token": challenge.json()["mfa_token"]})

    assert response.status_code == 200
    assert fresh.get(API + "/users/me/").status_code == 200


def test_mfa_verify_with_the_challenge_cookie_needs_csrf(owner):
    device = mfa_device(owner.user)
    client, _csrf, _response = _mfa_login()
    response = post(client, VERIFY, {"code": totp_code(device)})
    assert response.status_code == 403


def test_a_wrong_code_at_sign_in_is_401_and_audited(owner):
    device = mfa_device(owner.user)
    client, csrf, _response = _mfa_login()
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    response = post(client, VERIFY, {"code": wrong}, csrf)

    assert response.status_code == 401
    assert "lf_access" not in response.cookies
    event = audit_events(owner.org, action="auth.mfa_verify")[-1]
    assert event.outcome == "failure"
    assert event.ip == "127.0.0.1"


def test_a_forged_challenge_token_is_401(owner):
    device = mfa_device(owner.user)
    client, csrf = csrf_client()
    client.cookies["lf_mfa"] = "not-a-token"
    response = post(client, VERIFY, {"code": totp_code(device)}, csrf)
    assert response.status_code == 401


def test_the_same_code_is_not_accepted_twice(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    away_from_step_boundary()
    secret = post(client, SETUP, csrf=csrf).json()["secret"]
    code = _code_from_secret(secret)
    assert post(client, VERIFY, {"code": code}, csrf).status_code == 200

    second, second_csrf, _response = _mfa_login()
    replay = post(second, VERIFY, {"code": code}, second_csrf)

    assert replay.status_code == 401
    assert "lf_access" not in replay.cookies


def test_the_same_sign_in_code_is_not_accepted_twice(owner):
    device = mfa_device(owner.user)
    away_from_step_boundary()
    code = totp_code(device)
    first, first_csrf, _r = _mfa_login()
    assert post(first, VERIFY, {"code": code}, first_csrf).status_code == 200

    second, second_csrf, _r = _mfa_login()
    assert post(second, VERIFY, {"code": code}, second_csrf).status_code == 401


def test_after_setup_the_next_code_signs_in(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    away_from_step_boundary()
    secret = post(client, SETUP, csrf=csrf).json()["secret"]
    assert post(client, VERIFY, {"code": _code_from_secret(secret)}, csrf).status_code == 200

    second, second_csrf, _response = _mfa_login()
    # The next step's code (one step of drift ahead) is a new code: accepted.
    response = post(second, VERIFY, {"code": _code_from_secret(secret, drift=1)}, second_csrf)
    assert response.status_code == 200


# Recovery codes.


def test_a_recovery_code_signs_in_once(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    codes = _enable_mfa(client, csrf)

    first, first_csrf, _r = _mfa_login()
    used = post(first, VERIFY, {"code": codes[0]}, first_csrf)
    assert used.status_code == 200
    assert used.cookies["lf_access"].value

    second, second_csrf, _r = _mfa_login()
    assert post(second, VERIFY, {"code": codes[0]}, second_csrf).status_code == 401

    third, third_csrf, _r = _mfa_login()
    assert post(third, VERIFY, {"code": codes[1]}, third_csrf).status_code == 200
    assert any(e.action == "mfa.recovery_code_used" for e in audit_events(owner.org))


def test_recovery_codes_are_stored_hashed(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    codes = _enable_mfa(client, csrf)

    stored = list(RecoveryCode.objects.filter(user=owner.user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert all(code not in value and plain not in value for value in stored)

    # Nowhere in the tables a recovery code could land.
    with connection.cursor() as cursor, scopes_disabled():
        cursor.execute("SELECT code_hash FROM core_recoverycode")
        hashes = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT changes, target_label FROM core_auditevent")
        audit_text = " ".join(str(row) for row in cursor.fetchall())
    for code in codes:
        assert code not in hashes and code not in audit_text


# A firm that requires MFA.


def _require_mfa(org):
    org.require_mfa = True
    org.save(update_fields=["require_mfa"])


def test_a_firm_requiring_mfa_refuses_members_without_it(owner, lawyer, api_for):
    lawyer_api = api_for(lawyer)
    _require_mfa(owner.org)

    response = lawyer_api.get(API + "/users/")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_a_firm_requiring_mfa_still_opens_the_setup_endpoints(owner, lawyer, api_for):
    lawyer_api = api_for(lawyer)
    _require_mfa(owner.org)

    assert lawyer_api.get(API + "/users/me/").status_code == 200
    away_from_step_boundary()
    setup = post(lawyer_api, SETUP)
    assert setup.status_code == 200
    verify = post(lawyer_api, VERIFY, {"code": _code_from_secret(setup.json()["secret"])})
    assert verify.status_code == 200

    assert lawyer_api.get(API + "/users/").status_code == 200


def test_a_firm_requiring_mfa_refuses_cookie_sessions_without_it(owner, lawyer):
    client, csrf = signed_in("liam@test-law.ca")
    _require_mfa(owner.org)

    assert client.get(API + "/users/").status_code == 403
    assert post(client, SETUP, csrf=csrf).status_code == 200


def test_mfa_cannot_be_disabled_while_the_firm_requires_it(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    codes = _enable_mfa(client, csrf)
    _require_mfa(owner.org)

    response = post(client, "/auth/mfa/disable/", {"code": codes[0]}, csrf)
    assert response.status_code == 409
    assert TOTPDevice.objects.filter(user=owner.user, confirmed=True).exists()


def test_mfa_disable_with_a_recovery_code_turns_it_off_and_is_audited(owner):
    client, csrf = signed_in("olivia@test-law.ca")
    codes = _enable_mfa(client, csrf)

    response = post(client, "/auth/mfa/disable/", {"code": codes[0]}, csrf)

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=owner.user).exists()
    assert not RecoveryCode.objects.filter(user=owner.user).exists()
    assert audit_events(owner.org, action="mfa.disabled")
