"""Signing in: passwords with throttling, JWT sessions for the API, TOTP and recovery codes.

Pages (through allauth) and the API share these rules, so a throttle or an audit event cannot
differ between the two.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import jwt
import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from core import exceptions
from core.models import AuthSession, Membership, RecoveryCode, RefreshToken, User
from core.services import audit
from core.tenancy import Ctx, load_membership, member_context, memberships_of

INVALID_CREDENTIALS = _("Invalid email or password.")
RECOVERY_CODE_COUNT = 10
JWT_ALGORITHM = "HS256"


# Throttling of failed sign-ins, per account and per client address.


def _throttle_keys(email: str, ip: str | None) -> tuple[str, str]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"login-failures:account:{account}", f"login-failures:address:{ip or 'unknown'}"


def login_throttled(*, email: str, ip: str | None) -> bool:
    account_key, address_key = _throttle_keys(email, ip)
    counts = cache.get_many([account_key, address_key])
    return (
        counts.get(account_key, 0) >= settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT
        or counts.get(address_key, 0) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    )


def _login_failure_count(*, email: str, ip: str | None) -> None:
    window = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    for key in _throttle_keys(email, ip):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)


def _login_failure_reset(*, email: str, ip: str | None) -> None:
    cache.delete(_throttle_keys(email, ip)[0])


# Passwords.


@dataclass
class PasswordCheck:
    user: User
    membership: Membership
    mfa_required: bool


def _home_membership(user: User, org_id=None) -> Membership | None:
    memberships = memberships_of(user)
    if org_id is not None:
        memberships = [m for m in memberships if str(m.org_id) == str(org_id)]
    return memberships[0] if memberships else None


def _audit_sign_in(ctx: Ctx, user: User | None, membership: Membership | None, outcome: str, email: str) -> None:
    """Sign-in events go to the chain of the firm the person signs in to (the platform's if none)."""
    with scopes_disabled():
        audit.record(
            Ctx(org=membership.org if membership else None, user=user, ip=ctx.ip, user_agent=ctx.user_agent),
            "auth.login",
            target=user,
            target_label=email[:300],
            outcome=outcome,
        )


def password_check(*, ctx: Ctx, email: str, password: str, org_id=None, request=None) -> PasswordCheck:
    """Check an email and password, throttled and audited. The caller decides what a session is."""
    email = (email or "").strip().lower()
    if login_throttled(email=email, ip=ctx.ip):
        user = User.objects.filter(email=email).first()
        _audit_sign_in(ctx, user, _home_membership(user) if user else None, "throttled", email)
        raise exceptions.Throttled(
            _("Too many failed sign-in attempts. Try again in a few minutes."),
            retry_after=int(settings.LOGIN_FAILURE_WINDOW.total_seconds()),  # the counts last this long at most
        )
    user = authenticate(request, email=email, password=password)
    if user is None:
        _login_failure_count(email=email, ip=ctx.ip)
        known = User.objects.filter(email=email).first()
        _audit_sign_in(ctx, known, _home_membership(known) if known else None, "failure", email)
        raise exceptions.NotAuthenticated(INVALID_CREDENTIALS)
    membership = _home_membership(user, org_id)
    if membership is None:
        _audit_sign_in(ctx, user, None, "no_firm", email)
        raise exceptions.NotAuthenticated(_("This account has no access to that firm."))
    _login_failure_reset(email=email, ip=ctx.ip)
    return PasswordCheck(user=user, membership=membership, mfa_required=mfa_enabled(user))


def page_sign_in_recorded(*, ctx: Ctx, user: User, outcome: str = "success") -> None:
    membership = _home_membership(user)
    _audit_sign_in(ctx, user, membership, outcome, user.email)


# JWT sessions for the API: a short access token, a rotated refresh token, a family per sign-in.


@dataclass
class IssuedTokens:
    access: str
    refresh: str
    session: AuthSession


def _encode(claims: dict) -> str:
    return jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm=JWT_ALGORITHM)


def token_decode(token: str, kind: str) -> dict:
    try:
        claims = jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "sub", "typ"]},
        )
    except jwt.PyJWTError:
        raise exceptions.NotAuthenticated() from None
    if claims.get("typ") != kind:
        raise exceptions.NotAuthenticated()
    return claims


def _access_token(session: AuthSession, now: datetime) -> str:
    return _encode(
        {
            "typ": "access",
            "sub": str(session.user_id),
            "org": str(session.org_id),
            "sid": str(session.id),
            "iat": now,
            "exp": now + settings.JWT_ACCESS_LIFETIME,
        }
    )


def _refresh_token(session: AuthSession, now: datetime) -> str:
    token = RefreshToken.objects.create(session=session, expires_at=now + settings.JWT_REFRESH_LIFETIME)
    return _encode(
        {
            "typ": "refresh",
            "sub": str(session.user_id),
            "org": str(session.org_id),
            "sid": str(session.id),
            "jti": str(token.jti),
            "iat": now,
            "exp": token.expires_at,
        }
    )


def session_open(*, ctx: Ctx, membership: Membership) -> IssuedTokens:
    """Start an API session for a member who passed every sign-in step."""
    now = timezone.now()
    with transaction.atomic():
        session = AuthSession.objects.create(
            user=membership.user, org=membership.org, ip=ctx.ip, user_agent=ctx.user_agent[:300]
        )
        tokens = IssuedTokens(_access_token(session, now), _refresh_token(session, now), session)
        _audit_sign_in(ctx, membership.user, membership, "success", membership.user.email)
    return tokens


def session_refresh(*, ctx: Ctx, refresh_token: str) -> IssuedTokens:
    """Rotate a refresh token. A token presented twice means it leaked: end its whole family."""
    claims = token_decode(refresh_token, "refresh")
    now = timezone.now()
    reused = None
    with transaction.atomic():
        token = (
            RefreshToken.objects.select_for_update()
            .select_related("session")
            .filter(jti=_uuid_or_none(claims.get("jti")), session_id=_uuid_or_none(claims.get("sid")))
            .first()
        )
        if token is None or token.session.revoked_at is not None or token.expires_at <= now:
            raise exceptions.NotAuthenticated()
        session = token.session
        if token.used_at is not None:
            session.revoked_at, session.revoked_reason = now, "refresh_reuse"
            session.save(update_fields=["revoked_at", "revoked_reason"])
            reused = session
        else:
            membership = load_membership(user_id=session.user_id, org_id=session.org_id)
            if membership is None:
                raise exceptions.NotAuthenticated()
            token.used_at = now
            token.save(update_fields=["used_at"])
            tokens = IssuedTokens(_access_token(session, now), _refresh_token(session, now), session)
    if reused is not None:
        with scopes_disabled(), transaction.atomic():
            audit.record(
                Ctx(org=reused.org, user=reused.user, ip=ctx.ip, user_agent=ctx.user_agent),
                "auth.refresh_reuse",
                target=reused.user,
                outcome="revoked",
                changes={"session": str(reused.id)},
            )
        raise exceptions.NotAuthenticated(_("This session has ended. Sign in again."))
    return tokens


def session_close(*, ctx: Ctx, session_id) -> None:
    """Sign out of an API session: its refresh tokens and access tokens stop working at once."""
    with transaction.atomic():
        session = AuthSession.objects.select_for_update().filter(id=_uuid_or_none(session_id)).first()
        if session is None or session.revoked_at is not None:
            return
        session.revoked_at, session.revoked_reason = timezone.now(), "logout"
        session.save(update_fields=["revoked_at", "revoked_reason"])
        with scopes_disabled():
            audit.record(
                Ctx(org=session.org, user=session.user, ip=ctx.ip, user_agent=ctx.user_agent),
                "auth.logout",
                target=session.user,
            )


def page_sign_out_recorded(*, ctx: Ctx, user: User) -> None:
    membership = _home_membership(user)
    with scopes_disabled():
        audit.record(
            Ctx(org=membership.org if membership else None, user=user, ip=ctx.ip, user_agent=ctx.user_agent),
            "auth.logout",
            target=user,
        )


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# The second step of a sign-in, between the password and the session.


def mfa_challenge_token(*, membership: Membership) -> str:
    now = timezone.now()
    return _encode(
        {
            "typ": "mfa",
            "sub": str(membership.user_id),
            "org": str(membership.org_id),
            "iat": now,
            "exp": now + settings.MFA_CHALLENGE_LIFETIME,
        }
    )


def mfa_challenge_membership(token: str) -> Membership:
    claims = token_decode(token, "mfa")
    membership = load_membership(user_id=_uuid_or_none(claims["sub"]), org_id=_uuid_or_none(claims.get("org")))
    if membership is None:
        raise exceptions.NotAuthenticated()
    return membership


# TOTP through django-otp, and recovery codes.


def mfa_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@dataclass
class MfaSetup:
    secret: str
    otpauth_uri: str
    qr_svg: str


def mfa_setup_begin(*, ctx: Ctx) -> MfaSetup:
    """A new secret for the signed-in user, not active until a code from it is confirmed."""
    user = ctx.user
    if user is None:
        raise exceptions.NotAuthenticated()
    with transaction.atomic():
        if mfa_enabled(user):
            raise exceptions.Conflict(_("Two-factor authentication is already on. Turn it off first."))
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False, tolerance=1)
        audit.record(ctx, "mfa.setup_started", target=user)
    uri = device.config_url
    qr = segno.make(uri, error="m").svg_inline(scale=4, dark="#111827", light="#ffffff", omitsize=True)
    return MfaSetup(secret=b32encode(device.bin_key).decode(), otpauth_uri=uri, qr_svg=qr)


def _recovery_hash(code: str) -> str:
    normalized = code.strip().replace("-", "").replace(" ", "").lower()
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def _recovery_codes_replace(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes])
    return codes


def _totp_verify(device: TOTPDevice, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    return code.isdigit() and len(code) == device.digits and device.verify_token(code)


def mfa_setup_confirm(*, ctx: Ctx, code: str) -> list[str]:
    """Turn MFA on with a code from the new secret; answer the recovery codes, shown this once."""
    user = ctx.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
        if device is None:
            raise exceptions.Conflict(_("Start the two-factor setup first."))
        if not _totp_verify(device, code):
            raise exceptions.ValidationError(
                _("That code is not valid."), errors={"code": [_("That code is not valid.")]}
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        audit.record(ctx, "mfa.enabled", target=user)
    return codes


def mfa_code_check(*, ctx: Ctx, user: User, code: str) -> bool:
    """Check a TOTP code or a recovery code of a user with MFA on. Each is accepted only once."""
    with transaction.atomic():
        # The row lock serializes two requests carrying the same code: only one can use it.
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return False
        if _totp_verify(device, code):
            return True
        recovery = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=_recovery_hash(code or ""), used_at__isnull=True)
            .first()
        )
        if recovery is not None:
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            audit.record(ctx, "mfa.recovery_code_used", target=user, actor=user)
            return True
    return False


def mfa_login_complete(*, ctx: Ctx, membership: Membership, code: str) -> None:
    """The second step of a sign-in. Raises unless the code is good."""
    mctx = member_context(membership).with_origin(ctx)
    if not mfa_code_check(ctx=mctx, user=membership.user, code=code):
        with scopes_disabled():
            audit.record(mctx, "auth.mfa_verify", target=membership.user, outcome="failure")
        raise exceptions.NotAuthenticated(_("That code is not valid."))


def mfa_disable(*, ctx: Ctx, code: str) -> None:
    user = ctx.user
    blocking = [m.org.name for m in memberships_of(user) if m.org.require_mfa]
    if blocking:
        raise exceptions.Conflict(_("%(firm)s requires two-factor authentication.") % {"firm": blocking[0]})
    if not mfa_code_check(ctx=ctx, user=user, code=code):
        raise exceptions.ValidationError(_("That code is not valid."), errors={"code": [_("That code is not valid.")]})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record(ctx, "mfa.disabled", target=user)


def recovery_codes_regenerate(*, ctx: Ctx, code: str) -> list[str]:
    user = ctx.user
    if not mfa_code_check(ctx=ctx, user=user, code=code):
        raise exceptions.ValidationError(_("That code is not valid."), errors={"code": [_("That code is not valid.")]})
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        audit.record(ctx, "mfa.recovery_codes_regenerated", target=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def mfa_setup_pending(*, ctx: Ctx) -> MfaSetup | None:
    """The setup begun but not yet confirmed, so a page can show its QR code again after a wrong code."""
    device = TOTPDevice.objects.filter(user=ctx.user, confirmed=False).order_by("-id").first()
    if device is None:
        return None
    uri = device.config_url
    qr = segno.make(uri, error="m").svg_inline(scale=4, dark="#111827", light="#ffffff", omitsize=True)
    return MfaSetup(secret=b32encode(device.bin_key).decode(), otpauth_uri=uri, qr_svg=qr)


def page_mfa_step(*, ctx: Ctx, user: User, code: str) -> None:
    """The TOTP step of a page sign-in, throttled like passwords and audited. Raises unless the code is good."""
    membership = _home_membership(user)
    mctx = Ctx(org=membership.org if membership else None, user=user, ip=ctx.ip, user_agent=ctx.user_agent)
    if login_throttled(email=user.email, ip=ctx.ip):
        with scopes_disabled():
            audit.record(mctx, "auth.mfa_verify", target=user, outcome="throttled")
        raise exceptions.Throttled(
            _("Too many failed attempts. Try again in a few minutes."),
            retry_after=int(settings.LOGIN_FAILURE_WINDOW.total_seconds()),
        )
    ok = mfa_code_check(ctx=mctx, user=user, code=code)
    with scopes_disabled():
        audit.record(mctx, "auth.mfa_verify", target=user, outcome="success" if ok else "failure")
    if not ok:
        _login_failure_count(email=user.email, ip=ctx.ip)
        raise exceptions.ValidationError(_("That code is not valid."), errors={"code": [_("That code is not valid.")]})
    _login_failure_reset(email=user.email, ip=ctx.ip)
