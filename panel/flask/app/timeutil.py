"""Timestamps: ISO 8601, UTC, second precision, 'Z' suffix (as in the REST reference)."""

import time
from datetime import datetime, timezone


def now():
    return time.time()


def iso(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
