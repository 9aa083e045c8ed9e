"""A firm Owner's first visit, in Chromium: sign in, turn on two-factor, sign in again with it, create a token."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_scopes import scopes_disabled

from core.models import ApiToken
from tests.factories import PASSWORD, firm_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


STEP = 30


def fresh_step() -> int:
    """The current 30-second step, waiting out its last seconds: a code typed just before a step ends
    reaches the server in the next one, and django-otp then records a drift that shifts its window."""
    if time.time() % STEP > STEP - 3:
        time.sleep(STEP - time.time() % STEP + 0.2)
    return int(time.time() // STEP)


def code_for(secret: str, step: int) -> str:
    """What an authenticator app shows for this secret during `step`."""
    totp = TOTP(b32decode(secret))
    totp.time = step * STEP + 1
    return f"{totp.token():06d}"


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_owner_turns_on_two_factor_signs_in_with_it_and_creates_a_token(page):
    owner = firm_create("Journey Law LLP", owner_email="journey@law.ca")

    sign_in(page, "journey@law.ca")
    page.wait_for_url(re.compile(rf"/app/{owner.org_id}/$"))
    settings_menu = page.get_by_role("list", name="Settings")
    settings_menu.get_by_role("link", name="My security").click()

    page.get_by_role("button", name="Set up two-factor authentication").click()
    qr = page.locator(".qr svg")
    assert qr.is_visible()
    secret = page.locator("code.secret-inline").inner_text().strip()
    setup_step = fresh_step()
    page.get_by_label(re.compile("code", re.I)).fill(code_for(secret, setup_step))
    page.get_by_role("button", name="Turn on").click()

    codes = page.locator("ul.codes li")
    assert codes.count() == 10
    page.get_by_role("link", name="I have saved them").click()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/"))

    sign_in(page, "journey@law.ca")
    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    # The setup used its step's code and a code is never accepted twice: within the same step, the
    # app's next code is inside the one step of drift allowed.
    page.get_by_label(re.compile("code", re.I)).fill(code_for(secret, max(setup_step + 1, fresh_step())))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(rf"/app/{owner.org_id}/"))

    settings_menu.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("Accounting sync")
    page.get_by_role("button", name="Create token").click()
    shown = page.locator("#new-secret").input_value()
    assert shown.startswith("lfp_")

    with scopes_disabled():
        token = ApiToken.objects.get(name="Accounting sync")
    assert token.user_id == owner.user_id
    assert shown not in (token.token_hash, token.prefix)

    # The secret works against the API, and only once is it shown: a reload does not show it again.
    response = page.request.get("/api/v1/users/me/", headers={"Authorization": f"Bearer {shown}"})
    assert response.status == 200
    assert response.json()["email"] == "journey@law.ca"
    page.reload()
    assert page.locator("#new-secret").count() == 0
