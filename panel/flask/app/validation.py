"""Request parsing and validation helpers (bodies and query strings)."""

import json
import math
import re

from flask import current_app, request

from .errors import ApiError

MISSING = object()


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# ----------------------------------------------------------------------- bodies
def _reject_constant(name):
    raise ValueError("invalid JSON constant %s" % name)


def json_body():
    """Parse the request body as a JSON object (``{}`` if the body is empty)."""
    raw = request.get_data(cache=True)  # raises 413 above MAX_CONTENT_LENGTH
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and request.content_length is None and len(raw) >= limit:
        # A chunked body is cut off at the limit rather than rejected: reject it here.
        raise ApiError(413, "payload_too_large", "Request body too large")
    if not raw or not raw.strip():
        return None
    mimetype = (request.mimetype or "").lower()
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(
            415,
            "unsupported_media_type",
            "Request body must be JSON, sent with Content-Type: application/json",
        )
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "invalid_json", "Request body is not valid JSON")
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Request body must be a JSON object")
    return body


def require_body():
    body = json_body()
    if body is None:
        raise ApiError(400, "validation_error", "A JSON request body is required")
    return body


class Validator:
    """Collects field errors for one request body and raises them together."""

    def __init__(self, body, allowed, read_only=()):
        self.body = body
        self.errors = []
        for key in body:
            if key in allowed:
                continue
            if key in read_only:
                self.err(key, "is read-only and cannot be set")
            elif "_" in key and _camel(key) in allowed:
                self.err(key, "unknown field (fields are camelCase: did you mean '%s'?)" % _camel(key))
            else:
                self.err(key, "unknown field")

    def err(self, field, message):
        self.errors.append({"field": field, "message": message})

    def has(self, key):
        return key in self.body

    def done(self):
        if self.errors:
            first = self.errors[0]
            summary = "%s: %s" % (first["field"], first["message"])
            if len(self.errors) > 1:
                summary += " (and %d more error(s))" % (len(self.errors) - 1)
            raise ApiError(400, "validation_error", summary, details=self.errors)

    # -- typed getters: return MISSING when the field is absent or invalid
    def string(self, key, required=False, max_len=200, allow_empty=False, nullable=False,
               strip=True, choices=None, pattern=None, pattern_msg=None):
        if key not in self.body:
            if required:
                self.err(key, "is required")
            return MISSING
        value = self.body[key]
        if value is None:
            if nullable:
                return None
            self.err(key, "must be a string, not null")
            return MISSING
        if not isinstance(value, str):
            self.err(key, "must be a string")
            return MISSING
        if strip:
            value = value.strip()
        if "\x00" in value:
            self.err(key, "must not contain NUL characters")
            return MISSING
        if not value and not allow_empty:
            self.err(key, "must not be empty")
            return MISSING
        if len(value) > max_len:
            self.err(key, "must be at most %d characters" % max_len)
            return MISSING
        if choices is not None and value not in choices:
            self.err(key, "must be one of: %s" % ", ".join(choices))
            return MISSING
        if pattern is not None and not re.fullmatch(pattern, value):
            self.err(key, pattern_msg or "has an invalid format")
            return MISSING
        return value

    def number(self, key, required=False, minimum=None, maximum=None, exclusive_min=False):
        if key not in self.body:
            if required:
                self.err(key, "is required")
            return MISSING
        value = self.body[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.err(key, "must be a number")
            return MISSING
        value = float(value)
        if not math.isfinite(value):
            self.err(key, "must be a finite number")
            return MISSING
        if minimum is not None:
            if exclusive_min and value <= minimum:
                self.err(key, "must be greater than %g" % minimum)
                return MISSING
            if not exclusive_min and value < minimum:
                self.err(key, "must be at least %g" % minimum)
                return MISSING
        if maximum is not None and value > maximum:
            self.err(key, "must be at most %g" % maximum)
            return MISSING
        return value

    def string_list(self, key, max_items=50, max_len=64):
        if key not in self.body:
            return MISSING
        value = self.body[key]
        if not isinstance(value, list):
            self.err(key, "must be an array of strings")
            return MISSING
        if len(value) > max_items:
            self.err(key, "must have at most %d items" % max_items)
            return MISSING
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.err("%s[%d]" % (key, i), "must be a non-empty string")
                return MISSING
            item = item.strip()
            if len(item) > max_len or "\x00" in item:
                self.err("%s[%d]" % (key, i), "must be at most %d characters" % max_len)
                return MISSING
            if item not in out:
                out.append(item)
        return out


# ----------------------------------------------------------------- query string
def query_params(allowed):
    """Return the query parameters as a dict; reject unknown or repeated ones."""
    args = request.args
    errors = []
    for key in args.keys():
        if key not in allowed:
            hint = ""
            if "_" in key and _camel(key) in allowed:
                hint = " (did you mean '%s'?)" % _camel(key)
            errors.append({"field": key, "message": "unknown query parameter" + hint})
        elif len(args.getlist(key)) > 1:
            errors.append({"field": key, "message": "must be given at most once"})
    if errors:
        raise ApiError(
            400,
            "invalid_query",
            "%s: %s" % (errors[0]["field"], errors[0]["message"]),
            details=errors,
        )
    return {key: args.get(key) for key in allowed if key in args}


def bad_query(field, message):
    return ApiError(
        400, "invalid_query", "%s: %s" % (field, message),
        details=[{"field": field, "message": message}],
    )


DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _int_param(q, name, default, minimum):
    raw = q.get(name)
    if raw is None:
        return default
    raw = raw.strip()
    if not re.fullmatch(r"[+-]?\d{1,9}", raw):
        raise bad_query(name, "must be an integer")
    value = int(raw)
    if value < minimum:
        raise bad_query(name, "must be at least %d" % minimum)
    return value


def pagination(q):
    """``limit`` (default 20, 1..100; larger values are capped at 100) and ``offset``."""
    limit = min(_int_param(q, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int_param(q, "offset", 0, 0)
    return limit, offset


def enum_param(q, name, choices):
    value = q.get(name)
    if value is None:
        return None
    value = value.strip()
    if value not in choices:
        raise bad_query(name, "must be one of: %s" % ", ".join(choices))
    return value


def sort_param(q, fields, default="createdAt:desc"):
    """``field[:asc|desc]``; returns (field, descending)."""
    raw = q.get("sort")
    if raw is None or not raw.strip():
        raw = default
    raw = raw.strip()
    field, _, direction = raw.partition(":")
    direction = (direction or "asc").lower()
    if field not in fields:
        raise bad_query("sort", "field must be one of: %s" % ", ".join(fields))
    if direction not in ("asc", "desc"):
        raise bad_query("sort", "direction must be asc or desc")
    return field, direction == "desc"


def sort_docs(docs, field, descending):
    def key(doc):
        value = doc.get(field)
        if isinstance(value, str):
            value = value.casefold()
        # None sorts last in ascending order; _seq breaks ties deterministically.
        return (value is None, value if value is not None else 0, doc.get("_seq", 0))

    present = [d for d in docs if d.get(field) is not None]
    absent = [d for d in docs if d.get(field) is None]
    present.sort(key=key, reverse=descending)
    absent.sort(key=lambda d: d.get("_seq", 0), reverse=descending)
    return present + absent


def text_match(needle, *haystacks):
    needle = needle.casefold()
    return any(h is not None and needle in h.casefold() for h in haystacks)


def page(docs, limit, offset):
    return docs[offset: offset + limit]
