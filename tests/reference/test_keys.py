"""Keys files for the reference server: read when well formed, refused in one line when not."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reference.keys import KeysFileError, load_keys

GOOD = """
[[keys]]
key = "ci-admin"
organizationId = "org_ci"
userId = "user_ci"
name = "CI"
email = "ci@example.com"
scopes = ["workspaces:read", "workspaces:write"]
"""


def test_a_keys_file_replaces_the_dev_keys(tmp_path: Path) -> None:
    """Each [[keys]] table becomes a key with its organization, user and scopes."""
    path = tmp_path / "keys.toml"
    path.write_text(GOOD)

    keys = load_keys(path)

    assert list(keys) == ["ci-admin"]
    assert keys["ci-admin"].organization_id == "org_ci"
    assert keys["ci-admin"].scopes == frozenset({"workspaces:read", "workspaces:write"})


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[[keys]\n", "not valid TOML"),
        ("title = 'no keys'\n", "no [[keys]] tables"),
        (GOOD.replace('name = "CI"\n', ""), "'name' must be a non-empty string"),
        (GOOD.replace('"workspaces:write"', '"workspaces:admin"'), "unknown scopes"),
        (GOOD.replace('scopes = ["workspaces:read", "workspaces:write"]', 'scopes = "all"'), "must be a list"),
    ],
)
def test_a_bad_keys_file_is_refused_in_one_line(tmp_path: Path, text: str, complaint: str) -> None:
    """Malformed TOML, missing tables or fields and unknown scopes raise one readable line."""
    path = tmp_path / "keys.toml"
    path.write_text(text)

    with pytest.raises(KeysFileError) as raised:
        load_keys(path)

    assert complaint in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_missing_keys_file_is_refused(tmp_path: Path) -> None:
    """A keys file that cannot be read names the path."""
    with pytest.raises(KeysFileError, match="cannot read keys file"):
        load_keys(tmp_path / "absent.toml")
