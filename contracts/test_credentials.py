"""Credentials only where documented: the key counts in the X-API-Key header (any case) and nowhere else.

REST: "All endpoints require authentication via X-API-Key header". The documents name no other
place for the key, so a key in a query parameter, a cookie, an Authorization Bearer token or a form
field is a request without one (401, D-16). Header names are case-insensitive (RFC 9110 5.1).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.client import ApiClient
from harness.config import Settings
from harness.expect import expect

PATH = "/api/v1/projects"


def elsewhere(key: str) -> dict[str, dict[str, Any]]:
    """Every place a client might put the key instead of the header, as request arguments."""
    return {
        "query parameter api_key": {"params": {"api_key": key}},
        "query parameter apiKey": {"params": {"apiKey": key}},
        "query parameter X-API-Key": {"params": {"X-API-Key": key}},
        "cookie X-API-Key": {"headers": {"Cookie": f"X-API-Key={key}"}},
        "cookie api_key": {"headers": {"Cookie": f"api_key={key}"}},
        "Authorization: Bearer": {"headers": {"Authorization": f"Bearer {key}"}},
        "Authorization: ApiKey": {"headers": {"Authorization": f"ApiKey {key}"}},
    }


@pytest.mark.requirement("AUTH-KEY-003")
@pytest.mark.readonly
def test_the_key_counts_in_the_header_whatever_its_case(anonymous: ApiClient, settings: Settings) -> None:
    """X-API-Key, x-api-key and X-API-KEY all carry the key: a GET with each succeeds."""
    for name in ("X-API-Key", "x-api-key", "X-API-KEY"):
        expect(anonymous.request("GET", PATH, headers={name: settings.target.api_key}), "listProjects", 200)


@pytest.mark.requirement("AUTH-KEY-003")
@pytest.mark.readonly
def test_the_key_counts_nowhere_else(anonymous: ApiClient, settings: Settings) -> None:
    """A GET with the key only in a query parameter, a cookie or an Authorization header answers 401."""
    accepted = {}
    for place, arguments in elsewhere(settings.target.api_key).items():
        response = anonymous.request("GET", PATH, **arguments)
        if response.status_code != 401:
            accepted[place] = response.status_code
    assert accepted == {}, f"GET {PATH} without X-API-Key but with the key elsewhere answered: {accepted}"


@pytest.mark.requirement("AUTH-KEY-003")
def test_the_key_in_a_form_field_is_no_key(anonymous: ApiClient, settings: Settings) -> None:
    """A POST whose form body carries the key (and no header) answers 401 and creates nothing."""
    form = f"api_key={settings.target.api_key}&name={settings.prefix}form-field&description="
    response = anonymous.request(
        "POST", PATH, content=form.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 401, f"POST {PATH} with the key in a form field answered {response.status_code}"
