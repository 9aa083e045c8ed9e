"""Small helpers shared by the API tests: JSON requests, cookie sign-in, TOTP codes, audit lookups."""

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from core.models import AuditEvent
from tests.conftest import cookie_login

API = "/api/v1"
USER_AGENT = "pytest-agent/1.0"


def post(client: Client, path: str, data=None, csrf: str | None = None, **extra):
    headers = {"HTTP_X_CSRFTOKEN": csrf} if csrf else {}
    return client.post(
        API + path, data if data is not None else {}, content_type="application/json", **headers, **extra
    )


def put(client: Client, path: str, data, csrf: str | None = None, **extra):
    headers = {"HTTP_X_CSRFTOKEN": csrf} if csrf else {}
    return client.put(API + path, data, content_type="application/json", **headers, **extra)


def patch(client: Client, path: str, data, csrf: str | None = None, **extra):
    headers = {"HTTP_X_CSRFTOKEN": csrf} if csrf else {}
    return client.patch(API + path, data, content_type="application/json", **headers, **extra)


def raw_post(client: Client, path: str, body: str, **extra):
    return client.post(API + path, body, content_type="application/json", **extra)


def signed_in(email: str, password: str | None = None) -> tuple[Client, str]:
    """A browser-like client (CSRF enforced) signed in through /auth/login/, and its CSRF token."""
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=USER_AGENT)
    response, csrf = cookie_login(client, email, password) if password else cookie_login(client, email)
    assert response.status_code == 200, response.content
    return client, csrf


def csrf_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=USER_AGENT)
    csrf = client.get(API + "/auth/csrf/").json()["csrf_token"]
    return client, csrf


# TOTP.


def away_from_step_boundary(step: int = 30, margin: float = 3.0) -> None:
    """Wait out the last seconds of a TOTP step, so a code computed now is checked in the same step."""
    remaining = step - (time.time() % step)
    if remaining < margin:
        time.sleep(remaining + 0.1)


def totp_code(device: TOTPDevice, drift: int = 0) -> str:
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{totp.token():0{device.digits}d}"


def mfa_device(user, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed, tolerance=1)


# Audit.


def audit_events(org=None, **filters) -> list[AuditEvent]:
    """Events of one firm (or of the platform chain when org is None), oldest first."""
    if org is None:
        with scopes_disabled():
            return list(AuditEvent.objects.filter(org__isnull=True, **filters).order_by("seq"))
    with scope(org=org.pk):
        return list(AuditEvent.objects.filter(**filters).order_by("seq"))


def last_event(org, action: str) -> AuditEvent:
    events = audit_events(org, action=action)
    assert events, f"no {action} event"
    return events[-1]
