"""/auth/: sign in and out with JWT cookies, refresh, CSRF, and TOTP two-factor authentication."""

import uuid
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import EmailStr

from core import exceptions
from core.api.base import (
    ACCESS_COOKIE,
    AUTH_COOKIE_PATH,
    ERRORS,
    MFA_COOKIE,
    REFRESH_COOKIE,
    authenticate_optional,
    require_csrf,
)
from core.api.users import UserOut
from core.services import auth as auth_service
from core.tenancy import anonymous_context

router = Router(tags=["auth"])


class LoginIn(Schema):
    email: EmailStr = Field(..., max_length=254)
    password: str = Field(..., min_length=1, max_length=256)
    org_id: uuid.UUID | None = Field(None, description="The firm to act for; the oldest membership if omitted.")


class LoginOut(UserOut):
    mfa_required: Literal[False] = False


class MfaChallengeOut(Schema):
    mfa_required: Literal[True] = True
    mfa_token: str = Field(..., description="Send with the code to /auth/mfa/verify/ (also set as a cookie).")
    detail: str


class CsrfOut(Schema):
    csrf_token: str


class DetailOut(Schema):
    detail: str


class MfaSetupOut(Schema):
    secret: str
    otpauth_uri: str
    qr_svg: str


class MfaVerifyIn(Schema):
    code: str = Field(..., min_length=6, max_length=20, description="A TOTP code, or a recovery code at sign-in.")
    mfa_token: str | None = Field(None, max_length=2000)


class MfaEnabledOut(Schema):
    mfa_enabled: bool
    recovery_codes: list[str]


class MfaCodeIn(Schema):
    code: str = Field(..., min_length=6, max_length=20)


def _set_cookie(response: HttpResponse, name: str, value: str, max_age, path: str = "/") -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(max_age.total_seconds()),
        path=path,
        secure=settings.AUTH_COOKIE_SECURE,
        httponly=True,
        samesite="Lax" if name == ACCESS_COOKIE else "Strict",
    )


def _session_cookies(response: HttpResponse, tokens: auth_service.IssuedTokens) -> None:
    _set_cookie(response, ACCESS_COOKIE, tokens.access, settings.JWT_ACCESS_LIFETIME)
    _set_cookie(response, REFRESH_COOKIE, tokens.refresh, settings.JWT_REFRESH_LIFETIME, AUTH_COOKIE_PATH)
    response.delete_cookie(MFA_COOKIE, path=AUTH_COOKIE_PATH)


def _signed_in(request: HttpRequest, response: HttpResponse, membership):
    ctx = anonymous_context(request)
    tokens = auth_service.session_open(ctx=ctx, membership=membership)
    _session_cookies(response, tokens)
    return membership


@router.get("/csrf/", auth=None, response=CsrfOut, summary="Set the CSRF cookie")
def csrf(request):
    return {"csrf_token": get_token(request)}


@router.post(
    "/login/",
    auth=None,
    response={200: LoginOut, 202: MfaChallengeOut, **ERRORS},
    summary="Sign in; 202 when the second step (a TOTP code) is needed",
)
def login(request, response: HttpResponse, payload: LoginIn):
    require_csrf(request)
    ctx = anonymous_context(request)
    check = auth_service.password_check(
        ctx=ctx, email=payload.email, password=payload.password, org_id=payload.org_id, request=request
    )
    if check.mfa_required:
        token = auth_service.mfa_challenge_token(membership=check.membership)
        _set_cookie(response, MFA_COOKIE, token, settings.MFA_CHALLENGE_LIFETIME, AUTH_COOKIE_PATH)
        return Status(202, {"mfa_token": token, "detail": _("Enter the code from your authenticator app.")})
    return _signed_in(request, response, check.membership)


@router.post("/logout/", auth=None, response={200: DetailOut, **ERRORS}, summary="Sign out")
def logout(request, response: HttpResponse):
    require_csrf(request)
    ctx = anonymous_context(request)
    session_id = None
    for cookie, kind in ((REFRESH_COOKIE, "refresh"), (ACCESS_COOKIE, "access")):
        try:
            session_id = auth_service.token_decode(request.COOKIES.get(cookie, ""), kind).get("sid")
            break
        except exceptions.NotAuthenticated:
            continue
    if session_id:
        auth_service.session_close(ctx=ctx, session_id=session_id)
    response.delete_cookie(ACCESS_COOKIE)
    response.delete_cookie(REFRESH_COOKIE, path=AUTH_COOKIE_PATH)
    response.delete_cookie(MFA_COOKIE, path=AUTH_COOKIE_PATH)
    return {"detail": _("Signed out.")}


@router.post("/refresh/", auth=None, response={200: DetailOut, **ERRORS}, summary="Rotate the session's tokens")
def refresh(request, response: HttpResponse):
    require_csrf(request)
    token = request.COOKIES.get(REFRESH_COOKIE)
    if not token:
        raise exceptions.NotAuthenticated()
    try:
        tokens = auth_service.session_refresh(ctx=anonymous_context(request), refresh_token=token)
    except exceptions.NotAuthenticated:
        response.delete_cookie(ACCESS_COOKIE)
        response.delete_cookie(REFRESH_COOKIE, path=AUTH_COOKIE_PATH)
        raise
    _session_cookies(response, tokens)
    return {"detail": _("Session refreshed.")}


@router.post("/mfa/setup/", response={200: MfaSetupOut, **ERRORS}, summary="Start turning on two-factor authentication")
def mfa_setup(request):
    setup = auth_service.mfa_setup_begin(ctx=request.auth)
    return MfaSetupOut(secret=setup.secret, otpauth_uri=setup.otpauth_uri, qr_svg=setup.qr_svg)


@router.post(
    "/mfa/verify/",
    auth=None,
    response={200: MfaEnabledOut | LoginOut, **ERRORS},
    summary="Check a TOTP code: the second step of a sign-in, or the confirmation of a new setup",
)
def mfa_verify(request, response: HttpResponse, payload: MfaVerifyIn):
    challenge = payload.mfa_token or request.COOKIES.get(MFA_COOKIE)
    if challenge:
        if not payload.mfa_token:
            require_csrf(request)
        membership = auth_service.mfa_challenge_membership(challenge)
        auth_service.mfa_login_complete(ctx=anonymous_context(request), membership=membership, code=payload.code)
        return _signed_in(request, response, membership)
    ctx = authenticate_optional(request)
    if ctx is None:
        raise exceptions.NotAuthenticated()
    codes = auth_service.mfa_setup_confirm(ctx=ctx, code=payload.code)
    return {"mfa_enabled": True, "recovery_codes": codes}


@router.post("/mfa/disable/", response={200: DetailOut, **ERRORS}, summary="Turn off two-factor authentication")
def mfa_disable(request, payload: MfaCodeIn):
    auth_service.mfa_disable(ctx=request.auth, code=payload.code)
    return {"detail": _("Two-factor authentication is off.")}
