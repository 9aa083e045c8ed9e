"""GET /settings/: environment, version, active backends and feature flags; never a secret."""

from django.conf import settings as django_settings
from django.db import connection

from tests.api.helpers import API, put, signed_in


def test_settings_answer_environment_version_backends_and_flags(owner, api):
    response = api.get(API + "/settings/")

    assert response.status_code == 200
    body = response.json()
    assert body["environment"] == django_settings.ENVIRONMENT
    assert body["version"] == django_settings.VERSION
    assert body["backends"]["database"] == connection.vendor
    assert body["backends"]["storage"] == "FileSystemStorage"
    assert body["backends"]["queue"].startswith(("SqliteHuey", "RedisHuey"))
    assert "immediate" in body["backends"]["queue"], "huey runs in immediate mode in tests"
    assert body["backends"]["email"]
    assert body["feature_flags"] == django_settings.FEATURE_FLAG_DEFAULTS
    assert body["require_mfa"] is False


def test_settings_follow_the_firms_feature_flags(owner, api):
    put(api, f"/org/{owner.org_id}/", {"feature_flags": {"online_payments": True}})
    assert api.get(API + "/settings/").json()["feature_flags"]["online_payments"] is True


def test_settings_never_answer_a_secret(owner, api, settings):
    settings.EMAIL_HOST_PASSWORD = "smtp-password-value"
    body = api.get(API + "/settings/").content.decode()

    assert django_settings.SECRET_KEY not in body
    assert settings.JWT_SIGNING_KEY not in body
    assert "smtp-password-value" not in body
    for word in ("secret_key", "password", "signing"):
        assert word not in body.lower()


def test_settings_need_settings_view(owner, lawyer, api_for):
    response = api_for(lawyer).get(API + "/settings/")
    assert response.status_code == 403


def test_settings_work_with_cookies(owner):
    client, _csrf = signed_in("olivia@test-law.ca")
    assert client.get(API + "/settings/").status_code == 200


def test_settings_without_credentials_are_401(db, client):
    assert client.get(API + "/settings/").status_code == 401
