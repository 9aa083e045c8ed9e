"""core.services.auth: throttled password checks, JWT sessions, TOTP and recovery codes."""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from core import exceptions
from core.models import AuthSession, RecoveryCode
from core.services import auth
from core.services.auth import _recovery_codes_replace
from core.tenancy import Ctx, anonymous_context, client_ip, member_context
from tests.api.helpers import away_from_step_boundary, mfa_device, totp_code
from tests.factories import PASSWORD, ctx_of


def _anon(ip="198.51.100.1"):
    return Ctx(org=None, ip=ip, user_agent="svc-test")


# Passwords and throttling.


def test_password_check_answers_the_home_membership(owner):
    check = auth.password_check(ctx=_anon(), email=" OLIVIA@test-law.ca ", password=PASSWORD)
    assert check.membership.pk == owner.pk
    assert check.mfa_required is False


def test_password_check_refuses_with_the_same_message_for_every_bad_credential(owner):
    with pytest.raises(exceptions.NotAuthenticated) as wrong:
        auth.password_check(ctx=_anon(), email="olivia@test-law.ca", password="nope")
    with pytest.raises(exceptions.NotAuthenticated) as unknown:
        auth.password_check(ctx=_anon(), email="ghost@test-law.ca", password=PASSWORD)
    assert wrong.value.detail == unknown.value.detail


def test_password_check_for_another_firm_is_refused(owner, other_owner):
    with pytest.raises(exceptions.NotAuthenticated):
        auth.password_check(ctx=_anon(), email="olivia@test-law.ca", password=PASSWORD, org_id=other_owner.org_id)


def test_throttle_counts_per_account_whatever_the_address(owner):
    for index in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT):
        with pytest.raises(exceptions.NotAuthenticated):
            auth.password_check(ctx=_anon(f"198.51.100.{index + 1}"), email="olivia@test-law.ca", password="x")
    assert auth.login_throttled(email="olivia@test-law.ca", ip="203.0.113.1")
    with pytest.raises(exceptions.Throttled) as throttled:
        auth.password_check(ctx=_anon("203.0.113.1"), email="olivia@test-law.ca", password=PASSWORD)
    assert throttled.value.status_code == 429
    assert throttled.value.retry_after > 0


def test_throttle_counts_per_address_whatever_the_account(db):
    for index in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS):
        with pytest.raises(exceptions.NotAuthenticated):
            auth.password_check(ctx=_anon(), email=f"guess{index}@example.ca", password="x")
    assert auth.login_throttled(email="fresh@example.ca", ip="198.51.100.1")
    assert not auth.login_throttled(email="fresh@example.ca", ip="198.51.100.2")


def test_client_ip_trusts_exactly_the_configured_number_of_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2, 3.3.3.3")
    settings.NINJA_NUM_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"
    settings.NINJA_NUM_PROXIES = 1
    assert client_ip(request) == "3.3.3.3"
    settings.NINJA_NUM_PROXIES = 2
    assert client_ip(request) == "2.2.2.2"


def test_client_ip_ignores_a_malformed_forwarded_address(settings):
    settings.NINJA_NUM_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="<script>")
    assert client_ip(request) is None


# Sessions.


def test_session_open_issues_an_access_and_a_refresh_token(owner):
    tokens = auth.session_open(ctx=_anon(), membership=owner)
    access = auth.token_decode(tokens.access, "access")
    refresh = auth.token_decode(tokens.refresh, "refresh")
    assert access["sub"] == refresh["sub"] == str(owner.user_id)
    assert access["org"] == str(owner.org_id)
    assert access["sid"] == refresh["sid"] == str(tokens.session.pk)
    assert access["exp"] < refresh["exp"]
    with pytest.raises(exceptions.NotAuthenticated):
        auth.token_decode(tokens.access, "refresh")


def test_an_expired_access_token_is_refused(owner):
    now = timezone.now()
    expired = jwt.encode(
        {
            "typ": "access",
            "sub": str(owner.user_id),
            "iat": now - timedelta(hours=1),
            "exp": now - timedelta(minutes=1),
        },
        settings.JWT_SIGNING_KEY,
        algorithm="HS256",
    )
    with pytest.raises(exceptions.NotAuthenticated):
        auth.token_decode(expired, "access")


def test_a_token_signed_with_another_key_or_algorithm_is_refused(owner):
    claims = {"typ": "access", "sub": str(owner.user_id), "exp": timezone.now() + timedelta(minutes=5)}
    with pytest.raises(exceptions.NotAuthenticated):
        auth.token_decode(jwt.encode(claims, "another-key-of-sufficient-length-0123456789", "HS256"), "access")
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(exceptions.NotAuthenticated):
        auth.token_decode(unsigned, "access")


def test_session_refresh_rotates_and_reuse_revokes_the_family(owner):
    first = auth.session_open(ctx=_anon(), membership=owner)
    second = auth.session_refresh(ctx=_anon(), refresh_token=first.refresh)
    assert second.refresh != first.refresh

    with pytest.raises(exceptions.NotAuthenticated):
        auth.session_refresh(ctx=_anon(), refresh_token=first.refresh)
    assert AuthSession.objects.get(pk=first.session.pk).revoked_at is not None
    with pytest.raises(exceptions.NotAuthenticated):
        auth.session_refresh(ctx=_anon(), refresh_token=second.refresh)


def test_session_close_is_idempotent_and_audited_once(owner):
    from tests.api.helpers import audit_events

    tokens = auth.session_open(ctx=_anon(), membership=owner)
    auth.session_close(ctx=_anon(), session_id=tokens.session.pk)
    auth.session_close(ctx=_anon(), session_id=tokens.session.pk)
    auth.session_close(ctx=_anon(), session_id="not-a-uuid")
    assert len(audit_events(owner.org, action="auth.logout")) == 1


# TOTP and recovery codes.


def test_setup_confirm_turns_mfa_on_and_answers_hashed_recovery_codes(owner):
    ctx = ctx_of(owner)
    away_from_step_boundary()
    auth.mfa_setup_begin(ctx=ctx)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=owner.user)
    codes = auth.mfa_setup_confirm(ctx=ctx, code=totp_code(device))

    assert auth.mfa_enabled(owner.user)
    assert len(codes) == auth.RECOVERY_CODE_COUNT
    assert auth.recovery_codes_left(owner.user) == 10
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not stored & set(codes)


def test_a_totp_code_is_not_accepted_twice(owner):
    device = mfa_device(owner.user)
    away_from_step_boundary()
    code = totp_code(device)
    ctx = ctx_of(owner)
    assert auth.mfa_code_check(ctx=ctx, user=owner.user, code=code)
    assert not auth.mfa_code_check(ctx=ctx, user=owner.user, code=code)


def test_codes_outside_one_step_of_drift_are_refused(owner):
    ctx = ctx_of(owner)
    for drift in (-3, -2, 2, 3):
        device = mfa_device(owner.user)
        away_from_step_boundary()
        assert not auth.mfa_code_check(ctx=ctx, user=owner.user, code=totp_code(device, drift=drift)), drift
        device.delete()


@pytest.mark.parametrize("drift", [-1, 0, 1])
def test_codes_within_one_step_of_drift_are_accepted(owner, drift):
    device = mfa_device(owner.user)
    away_from_step_boundary()
    assert auth.mfa_code_check(ctx=ctx_of(owner), user=owner.user, code=totp_code(device, drift=drift))


def test_a_recovery_code_is_accepted_once_in_any_spelling(owner):
    ctx = ctx_of(owner)
    mfa_device(owner.user)
    codes = _recovery_codes_replace(owner.user)
    assert auth.mfa_code_check(ctx=ctx, user=owner.user, code=codes[0].upper().replace("-", " "))
    assert not auth.mfa_code_check(ctx=ctx, user=owner.user, code=codes[0])
    assert auth.recovery_codes_left(owner.user) == 9


def test_recovery_codes_do_nothing_without_a_confirmed_device(owner):
    codes = _recovery_codes_replace(owner.user)
    assert not auth.mfa_code_check(ctx=ctx_of(owner), user=owner.user, code=codes[0])


def test_mfa_login_complete_refuses_a_wrong_code_and_audits_it(owner):
    from tests.api.helpers import audit_events

    mfa_device(owner.user)
    with pytest.raises(exceptions.NotAuthenticated):
        auth.mfa_login_complete(ctx=anonymous_context(), membership=owner, code="000000x")
    assert audit_events(owner.org, action="auth.mfa_verify")[-1].outcome == "failure"


def test_a_challenge_token_is_not_a_session(owner):
    challenge = auth.mfa_challenge_token(membership=owner)
    assert auth.mfa_challenge_membership(challenge).pk == owner.pk
    with pytest.raises(exceptions.NotAuthenticated):
        auth.token_decode(challenge, "access")


def test_member_context_carries_the_role_permissions(owner, lawyer):
    ctx = member_context(lawyer)
    assert ctx.has("users.view")
    assert not ctx.has("users.manage")
    assert not ctx.is_owner
    assert ctx_of(owner).is_owner
