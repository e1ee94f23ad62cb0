"""API keys of the reference server: each maps to an organization, a user and scopes (D-16)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.tomlfile import read_toml

ALL_SCOPES = frozenset(
    {
        "workspaces:read",
        "workspaces:write",
        "projects:read",
        "projects:write",
        "volumes:read",
        "volumes:write",
    }
)
READ_SCOPES = frozenset(scope for scope in ALL_SCOPES if scope.endswith(":read"))


@dataclass(frozen=True)
class Principal:
    """Who a key acts as."""

    organization_id: str
    user_id: str
    name: str
    email: str
    scopes: frozenset[str]

    def owner(self) -> dict[str, str]:
        return {"id": self.user_id, "name": self.name, "email": self.email}


DEV_KEYS: dict[str, Principal] = {
    "strongly-dev-admin": Principal("org_a", "user_admin", "Dev Admin", "admin@org-a.example", ALL_SCOPES),
    "strongly-dev-reader": Principal("org_a", "user_reader", "Dev Reader", "reader@org-a.example", READ_SCOPES),
    "strongly-dev-other": Principal("org_b", "user_other", "Other Admin", "admin@org-b.example", ALL_SCOPES),
}


class KeysFileError(ValueError):
    """The --keys file cannot be used; the message says why, in one line."""


def load_keys(path: Path) -> dict[str, Principal]:
    """Read a TOML keys file: ``[[keys]]`` tables with key, organizationId, userId, name, email, scopes."""
    document = read_toml(path, "keys file", KeysFileError)
    entries = document.get("keys")
    if not isinstance(entries, list) or not entries:
        raise KeysFileError(f"keys file {path} has no [[keys]] tables")
    keys: dict[str, Principal] = {}
    for number, entry in enumerate(entries, start=1):
        keys.update([_parse_entry(path, number, entry)])
    return keys


def _parse_entry(path: Path, number: int, entry: object) -> tuple[str, Principal]:
    where = f"keys file {path}, entry {number}"
    if not isinstance(entry, dict):
        raise KeysFileError(f"{where}: not a table")
    fields = {}
    for field in ("key", "organizationId", "userId", "name", "email"):
        value = entry.get(field)
        if not isinstance(value, str) or not value:
            raise KeysFileError(f"{where}: '{field}' must be a non-empty string")
        fields[field] = value
    scopes = entry.get("scopes")
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        raise KeysFileError(f"{where}: 'scopes' must be a list of strings")
    unknown = set(scopes) - ALL_SCOPES
    if unknown:
        raise KeysFileError(f"{where}: unknown scopes {sorted(unknown)}; known: {sorted(ALL_SCOPES)}")
    principal = Principal(
        fields["organizationId"], fields["userId"], fields["name"], fields["email"], frozenset(scopes)
    )
    return fields["key"], principal
