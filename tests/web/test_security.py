"""My security page, and the TOTP step of a page sign-in."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from core.models import AuditEvent
from core.services import auth as auth_service
from tests.factories import PASSWORD
from tests.web.helpers import mfa_turn_on, page, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_of_step_boundary")]


def confirmed(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_mfa_setup_shows_the_qr_code_and_turns_on_with_a_real_code(client, lawyer):
    client.force_login(lawyer.user)
    url = page("security", lawyer)
    assert client.post(url, {"action": "mfa_begin"}).status_code == 302
    html = client.get(url).content.decode()
    assert "<svg" in html and "secret-inline" in html
    wrong = client.post(url, {"action": "mfa_confirm", "confirm-code": "000000"})
    assert wrong.status_code == 200
    assert 'id="id_confirm-code_error"' in wrong.content.decode()
    assert "<svg" in wrong.content.decode()  # the QR code stays for another try
    response = client.post(url, {"action": "mfa_confirm", "confirm-code": totp_code(lawyer.user)})
    assert response.status_code == 200
    assert response.content.decode().count("<li><code>") == auth_service.RECOVERY_CODE_COUNT
    assert confirmed(lawyer.user)


def test_mfa_disable_needs_a_good_code(client, lawyer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    mfa_turn_on(lawyer)
    client.force_login(lawyer.user)
    url = page("security", lawyer)
    wrong = client.post(url, {"action": "mfa_disable", "disable-code": "123"})
    assert wrong.status_code == 200 and 'id="id_disable-code_error"' in wrong.content.decode()
    assert confirmed(lawyer.user)
    response = client.post(url, {"action": "mfa_disable", "disable-code": totp_code(lawyer.user, 1)})
    assert response.status_code == 302
    assert not confirmed(lawyer.user)


def test_mfa_disable_is_refused_when_the_firm_requires_it(client, owner):
    mfa_turn_on(owner)
    with scopes_disabled():
        owner.org.require_mfa = True
        owner.org.save(update_fields=["require_mfa"])
    client.force_login(owner.user)
    response = client.post(
        page("security", owner), {"action": "mfa_disable", "disable-code": totp_code(owner.user, 1)}, follow=True
    )
    assert "requires two-factor authentication" in response.content.decode()
    assert confirmed(owner.user)


def test_recovery_codes_regenerate(client, lawyer):
    old = mfa_turn_on(lawyer)
    client.force_login(lawyer.user)
    response = client.post(
        page("security", lawyer), {"action": "recovery_regenerate", "regenerate-code": totp_code(lawyer.user, 1)}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<li><code>") == auth_service.RECOVERY_CODE_COUNT
    assert old[0] not in html


def test_profile_name_change(client, lawyer):
    client.force_login(lawyer.user)
    url = page("security", lawyer)
    response = client.post(url, {"action": "profile", "first_name": "", "last_name": "Kept"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_first_name_error"' in html and 'value="Kept"' in html
    assert client.post(url, {"action": "profile", "first_name": "Lia", "last_name": "Law"}).status_code == 302
    lawyer.user.refresh_from_db()
    assert lawyer.user.get_full_name() == "Lia Law"


# The TOTP step of a sign-in.


def sign_in(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_sign_in_without_mfa_goes_to_the_firm(client, owner):
    response = sign_in(client, owner.user.email)
    assert response.status_code == 302
    assert client.get(response.url).url == page("firm_home", owner)


def test_sign_in_with_mfa_asks_for_a_code_before_any_page(client, owner, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp delays the next try after a wrong code
    mfa_turn_on(owner)
    sign_in(client, owner.user.email)
    target = page("people", owner)
    response = client.get(target)
    assert response.status_code == 302
    assert response.url == reverse("mfa_step") + "?next=" + target.replace("/", "%2F")
    step = client.get(response.url)
    assert step.status_code == 200 and 'name="code"' in step.content.decode()

    wrong = client.post(reverse("mfa_step"), {"code": "000000", "next": target})
    assert wrong.status_code == 200 and 'id="id_code_error"' in wrong.content.decode()
    assert client.get(target).status_code == 302

    right = client.post(reverse("mfa_step"), {"code": totp_code(owner.user, 1), "next": target})
    assert right.status_code == 302 and right.url == target
    assert client.get(target).status_code == 200
    with scope(org=owner.org_id):
        outcomes = set(AuditEvent.objects.filter(action="auth.mfa_verify").values_list("outcome", flat=True))
    assert outcomes == {"success", "failure"}


def test_mfa_step_accepts_a_recovery_code_once(client, owner):
    codes = mfa_turn_on(owner)
    sign_in(client, owner.user.email)
    assert client.post(reverse("mfa_step"), {"code": codes[0]}).url == "/app/"
    client.logout()
    sign_in(client, owner.user.email)
    assert client.post(reverse("mfa_step"), {"code": codes[0]}).status_code == 200


def test_mfa_step_never_redirects_off_site(client, owner):
    mfa_turn_on(owner)
    sign_in(client, owner.user.email)
    response = client.post(reverse("mfa_step"), {"code": totp_code(owner.user, 1), "next": "https://evil.example/"})
    assert response.url == "/app/"


def test_mfa_step_is_throttled(client, owner):
    mfa_turn_on(owner)
    sign_in(client, owner.user.email)
    for _ in range(6):
        client.post(reverse("mfa_step"), {"code": "000000"})
    response = client.post(reverse("mfa_step"), {"code": totp_code(owner.user, 1)})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()


def test_mfa_step_without_a_pending_sign_in_just_moves_on(client, owner):
    client.force_login(owner.user)
    assert client.get(reverse("mfa_step")).url == "/app/"
