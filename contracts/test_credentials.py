"""Credentials only where documented: the key counts in the X-API-Key header (any case) and nowhere else.

REST: "All endpoints require authentication via X-API-Key header". The documents name no other
place for the key, so a key in a query parameter, a cookie, an Authorization Bearer token or a form
field is a request without one (refused; 401 recommended, D-16). Header names are case-insensitive
(RFC 9110 5.1).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.client import ApiClient
from harness.expect import expect, require
from harness.run import RunConfig

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
def test_the_key_counts_in_the_header_whatever_its_case(anonymous: ApiClient, run_config: RunConfig) -> None:
    """X-API-Key, x-api-key and X-API-KEY all carry the key: a GET with each succeeds."""
    for name in ("X-API-Key", "x-api-key", "X-API-KEY"):
        expect(anonymous.request("GET", PATH, headers={name: run_config.target.api_key}), "listProjects", 200)


@pytest.mark.requirement("AUTH-KEY-003")
@pytest.mark.readonly
def test_the_key_counts_nowhere_else(anonymous: ApiClient, run_config: RunConfig) -> None:
    """A GET with the key only in a query parameter, a cookie or an Authorization header is refused."""
    accepted = {}
    for place, arguments in elsewhere(run_config.target.api_key).items():
        response = anonymous.request("GET", PATH, **arguments)
        if 200 <= response.status_code < 300:
            accepted[place] = response.status_code
    require(
        not accepted,
        "AUTH-KEY-003/nowhere-else",
        f"GET {PATH} without X-API-Key but with the key elsewhere was served: {accepted}",
    )


@pytest.mark.requirement("AUTH-KEY-003")
def test_the_key_in_a_form_field_is_no_key(anonymous: ApiClient, run_config: RunConfig) -> None:
    """A POST whose form body carries the key (and no header) is refused."""
    form = f"api_key={run_config.target.api_key}&name={run_config.prefix}form-field&description="
    response = anonymous.request(
        "POST", PATH, content=form.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    require(
        not 200 <= response.status_code < 300,
        "AUTH-KEY-003/nowhere-else",
        f"POST {PATH} with the key in a form field answered {response.status_code}",
        response,
    )
