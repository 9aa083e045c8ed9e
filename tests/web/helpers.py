import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from core.services import auth as auth_service
from tests.factories import ctx_of


def page(name: str, membership, **kwargs) -> str:
    return reverse(name, kwargs={"org_id": membership.org_id, **kwargs})


def totp_code(user, steps_ahead: int = 0) -> str:
    """A real code from the user's newest device; a step ahead when the current one was already used."""
    device = TOTPDevice.objects.filter(user=user).order_by("-id").first()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def mfa_turn_on(membership) -> list[str]:
    """Turn MFA on through the services, as the security page does; answers the recovery codes."""
    ctx = ctx_of(membership)
    with scopes_disabled():
        auth_service.mfa_setup_begin(ctx=ctx)
        return auth_service.mfa_setup_confirm(ctx=ctx, code=totp_code(membership.user))
