"""Legitimate alternatives: where the documents leave room, a server may choose otherwise and must still
pass. Each is planted like a fault (``VARIANTS``); the suite must stay green against it."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from harness.reference.faults.machinery import (
    ANY,
    Wrapper,
    rewrite_responses,
    variant,
)

if TYPE_CHECKING:
    from harness.reference.app import Reference


@variant("whole-second-timestamps")
def whole_second_timestamps(ref: Reference) -> Wrapper:
    """Every timestamp is answered in whole seconds, as the documents' examples are."""
    stamp = re.compile(rb'("(?:createdAt|updatedAt|lastTransitionTime|timestamp)": "[^".]+)\.\d+(Z|[+-][\d:]+)?"')

    def truncate(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        return status, headers, stamp.sub(lambda m: m.group(1) + (m.group(2) or b"") + b'"', body)

    return rewrite_responses(None, ANY, truncate)


@variant("extra-fields")
def extra_fields(ref: Reference) -> Wrapper:
    """Every JSON object answered carries a field the contract does not name (answers may grow, D-17)."""

    def grow(status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if not body or not headers.get("content-type", "").startswith("application/json"):
            return status, headers, body
        document = json.loads(body)
        if isinstance(document, dict):
            document["vendorExtension"] = {"region": "eu-1"}
        return status, headers, json.dumps(document).encode()

    return rewrite_responses(None, ANY, grow)
