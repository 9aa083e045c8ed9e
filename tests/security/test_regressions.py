"""Inputs the schemathesis search once turned into 500s, pinned so they stay 4xx on both databases."""

import pytest

from tests.security.objects import bearer

ODD_TIMES = [
    "2030-01-01T00:00:00",  # naive: read as UTC (was a TypeError comparing naive and aware)
    "2030-01-01T00:00:00-21:09",  # an offset PostgreSQL refuses (was a DataError)
    "9999-12-31T23:59:59-05:00",  # past year 9999 once in UTC (stored, then unreadable)
    "0001-01-01T00:00:00+05:00",  # before year 1 once in UTC
]


@pytest.mark.parametrize("value", ODD_TIMES)
def test_audit_filters_take_any_valid_time(owner, value):
    client = bearer(owner)
    for name in ("since", "until"):
        response = client.get("/api/v1/audit-events/", {name: value})
        assert response.status_code in (200, 400), (name, value, response.content)
        assert "detail" in response.json() or "results" in response.json()


@pytest.mark.parametrize("value", ODD_TIMES)
def test_token_expiry_takes_any_valid_time(owner, value):
    client = bearer(owner)
    response = client.post("/api/v1/api-tokens/", {"name": "Odd", "expires_at": value}, content_type="application/json")
    assert response.status_code in (201, 400), (value, response.content)
    if response.status_code == 201:
        assert response.json()["expires_at"].endswith(("Z", "+00:00"))
    # Whatever was stored, the list still reads.
    assert client.get("/api/v1/api-tokens/").status_code == 200


def test_a_naive_expiry_is_read_as_utc(owner):
    response = bearer(owner).post(
        "/api/v1/api-tokens/", {"name": "Naive", "expires_at": "2030-01-01T00:00:00"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["expires_at"].startswith("2030-01-01T00:00:00")


@pytest.mark.parametrize("offset", [2**31, 10**24])
def test_a_huge_offset_is_a_400(owner, offset):
    response = bearer(owner).get("/api/v1/audit-events/", {"offset": offset})
    assert response.status_code == 400
    assert "offset" in response.json()["errors"]


def test_a_large_valid_offset_is_an_empty_page(owner):
    response = bearer(owner).get("/api/v1/users/", {"offset": 2**31 - 1})
    assert response.status_code == 200
    assert response.json()["results"] == []
