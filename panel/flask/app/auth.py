"""API-key authentication and scope checks (X-API-Key header)."""

import functools
import hmac
from dataclasses import dataclass

from flask import g, request

from .errors import ApiError

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
READ_SCOPES = frozenset(s for s in ALL_SCOPES if s.endswith(":read"))


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    org: str
    scopes: frozenset


# Built-in keys (a real deployment would load these from its identity service).
KEYS = {
    "strongly-dev-admin": User("user_admin", "Dev Admin", "admin@org-a.example", "org_a", ALL_SCOPES),
    "strongly-dev-reader": User("user_reader", "Dev Reader", "reader@org-a.example", "org_a", READ_SCOPES),
    "strongly-dev-other": User("user_other", "Other Admin", "admin@org-b.example", "org_b", ALL_SCOPES),
}


def users_in_org(org):
    return [u for u in KEYS.values() if u.org == org]


def authenticate():
    key = request.headers.get("X-API-Key")
    if key is None or key.strip() == "":
        raise ApiError(401, "unauthorized", "Missing X-API-Key header")
    found = None
    for candidate, user in KEYS.items():
        if hmac.compare_digest(candidate.encode(), key.strip().encode("utf-8", "replace")):
            found = user
    if found is None:
        raise ApiError(401, "unauthorized", "Invalid API key")
    return found


def require(*scopes):
    """Authenticate the caller and require every scope listed."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            user = authenticate()
            missing = [s for s in scopes if s not in user.scopes]
            if missing:
                raise ApiError(
                    403,
                    "insufficient_scope",
                    "This API key lacks the required scope: %s" % ", ".join(missing),
                )
            g.user = user
            return fn(*args, **kwargs)

        return wrapper

    return decorator
