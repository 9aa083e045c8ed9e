"""Bad input is a 400 with `detail` (and `errors` per field), never a 500; numbers never pass through a float."""

from decimal import Decimal

import pytest
from django.test import RequestFactory

from core.api.base import StrictJSONParser
from tests.api.helpers import API, post, raw_post

ROLE = "/roles/"


@pytest.mark.parametrize(
    "body",
    ['{"name": "Intake", "permissions": [}', "{", "not json", '{"name": "Intake"', "\xff\xfe", "[1, 2,]"],
    ids=["bad_array", "open_brace", "text", "unterminated", "binary", "trailing_comma"],
)
def test_malformed_json_is_400(owner, api, body):
    response = raw_post(api, ROLE, body)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(owner, api, constant):
    response = raw_post(api, ROLE, '{"name": "Intake", "permissions": [], "description": ' + constant + "}")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_nan_is_refused_at_sign_in_too(owner, client):
    response = raw_post(client, "/auth/login/", '{"email": "olivia@test-law.ca", "password": NaN}')
    assert response.status_code == 400


def test_wrong_types_are_400_with_errors_per_field(owner, api):
    response = post(api, ROLE, {"name": 123, "permissions": "users.view", "description": ["x"]})

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert {"name", "permissions", "description"} <= set(body["errors"])
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())


def test_missing_fields_are_400_with_errors_per_field(owner, api):
    response = post(api, ROLE, {})
    assert response.status_code == 400
    assert {"name", "permissions"} <= set(response.json()["errors"])


def test_an_empty_body_is_400(owner, api):
    response = raw_post(api, ROLE, "")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_json_array_instead_of_an_object_is_400(owner, api):
    response = raw_post(api, ROLE, '["name", "Intake"]')
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path,payload,field",
    [
        (ROLE, {"name": "x" * 81, "permissions": []}, "name"),
        (ROLE, {"name": "Ok", "description": "x" * 301, "permissions": []}, "description"),
        ("/api-tokens/", {"name": "x" * 101}, "name"),
        ("/users/", {"email": "a" * 250 + "@example.ca", "role": "00000000-0000-0000-0000-000000000000"}, "email"),
        ("/invitations/", {"email": "x@example.ca", "role": "r" * 5000}, "role"),
    ],
)
def test_oversized_strings_are_400(owner, api, path, payload, field):
    response = post(api, path, payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_an_oversized_password_at_sign_in_is_400(owner, client):
    response = post(client, "/auth/login/", {"email": "olivia@test-law.ca", "password": "x" * 10_000})
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_an_oversized_query_filter_is_400(owner, api):
    response = api.get(API + "/users/?q=" + "x" * 201)
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


@pytest.mark.parametrize("query", ["?limit=abc", "?offset=x", "?is_active=maybe", "?role=not-a-uuid", "?limit=1e3"])
def test_wrong_query_types_are_400(owner, api, query):
    response = api.get(API + "/users/" + query)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_huge_body_is_refused_without_a_500(owner, api):
    body = '{"name": "Intake", "permissions": [], "description": "' + "x" * 2_000_000 + '"}'
    response = raw_post(api, ROLE, body)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_deeply_nested_json_is_refused_without_a_500(owner, api):
    response = raw_post(api, ROLE, "[" * 100_000 + "]" * 100_000)
    assert 400 <= response.status_code < 500


def test_an_unknown_api_path_is_a_json_404(owner, api):
    response = api.get(API + "/no-such-thing/")
    assert response.status_code == 404


def test_errors_for_unauthenticated_requests_have_detail(db, client):
    response = client.get(API + "/users/me/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


# The parser: amounts are Decimal, never float.


def _parse(body: str):
    request = RequestFactory().post("/", body, content_type="application/json")
    return StrictJSONParser().parse_body(request)


def test_the_parser_reads_numbers_with_a_fraction_as_decimal():
    data = _parse('{"amount": 1250.10, "rate": 0.1, "hours": 3, "big": 1e2}')
    assert data["amount"] == Decimal("1250.10") and isinstance(data["amount"], Decimal)
    assert data["rate"] == Decimal("0.1")
    assert isinstance(data["hours"], int)
    assert isinstance(data["big"], Decimal)
    assert not any(isinstance(value, float) for value in data.values())


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_the_parser_refuses_non_numbers(constant):
    with pytest.raises(ValueError):
        _parse('{"amount": ' + constant + "}")


@pytest.mark.parametrize(
    "path,payload",
    [
        (ROLE, {"name": "In\u0000take", "permissions": []}),
        ("/api-tokens/", {"name": "Sync\u0000"}),
        ("/users/", {"email": "nul\u0000@example.ca", "role": "00000000-0000-0000-0000-000000000000"}),
    ],
    ids=["role_name", "token_name", "email"],
)
def test_a_nul_character_is_refused_not_a_500(owner, api, path, payload):
    response = post(api, path, payload)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]


def test_a_nul_character_in_a_query_filter_is_not_a_500(owner, api):
    response = api.get(API + "/users/?q=a%00b")
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


def test_a_nul_character_at_sign_in_is_not_a_500(owner, client):
    response = post(client, "/auth/login/", {"email": "olivia@test-law.ca", "password": "Pass\u0000word"})
    assert response.status_code in (400, 401)


def test_the_parser_refuses_nul_characters_anywhere():
    for body in ('{"name": "a\\u0000b"}', '{"a\\u0000": 1}', '{"list": [{"deep": ["\\u0000"]}]}'):
        with pytest.raises(ValueError):
            _parse(body)
