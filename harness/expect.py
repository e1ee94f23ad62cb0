"""How checks look at answers: the status first, then the body against the contract.

``expect`` is the one door through which a check reads a response. A body that breaks what the
documents show of it (the default level's schema, harness/leniency.py) is noted for GEN-SCHEMA-001,
once per rule it breaks, and the check goes on; a body outside only the contract as written is a
recommendation (GEN-SCHEMA-005, harness/recommend.py). What it returns reads tolerantly and typed
(harness/answers.py): the check stops only at a field it reads that is missing or unusable, so a
broken field it does not need blocks nothing, and a malformed answer is reported as the server's
fault and never as a crash of the harness. ``refused`` and ``settled`` judge refusals whose status the
documents leave open.
This module is the toolkit the suites import for reading answers and waiting; ``__all__`` lists it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx

from harness import spec
from harness.answers import (
    Answer,
    ContractViolation,
    MissingField,
    UnexpectedAnswer,
    entries_by,
    read_field,
    read_json,
    tolerant,
    typed,
)
from harness.findings import Rule, field_path, schema_rule, status_rule
from harness.leniency import DOCUMENTED_SUCCESS
from harness.recommend import note, recommend
from harness.requirements import assertion
from harness.shapes import Shape, at_path, expand
from harness.waiting import Patience, TimedOut, poll_until

__all__ = [
    "Answer", "ContractViolation", "MissingField", "Patience", "TimedOut", "UnexpectedAnswer", "carries_error_body",
    "conforming_body", "entries_by", "expect", "note_schema_findings", "poll_until", "read_field", "read_json",
    "refused", "require", "reveals_no_internals", "settled", "tolerant", "violation",
]  # fmt: skip


def expect(response: httpx.Response, operation_id: str, *statuses: int) -> Any:
    """Assert the status is one of ``statuses``; return the body, read against the contract.

    Where the documents name no status (every refusal; every success but the REST reference's workspace
    operations, harness/leniency.py), a status of the same class holds the MUST and the contract's own is a
    recommendation: GEN-ERR-004 for a refusal, GEN-STATUS-001 for a success."""
    status = response.status_code
    if status not in statuses:
        kind = same_class(operation_id, status, statuses)
        wanted = " or ".join(map(str, statuses))
        if kind is None:
            raise UnexpectedAnswer(f"{line(response)} answered {status}, expected {wanted}: {snippet(response)}",
                                   response, operation_id, status_rule(status, wanted))  # fmt: skip
        recommend(kind, False, f"{line(response)} answered {status}; the contract's status is {wanted}", response)
    if status == 204 or (not response.content and 200 <= status < 300 and 204 in statuses):
        return None
    return conforming_body(response, operation_id)


def same_class(operation_id: str, status: int, statuses: tuple[int, ...]) -> str | None:
    """The SHOULD that names the contract's status, when ``status`` is of the class the documents leave open."""
    if 400 <= status < 500 and all(400 <= wanted < 500 for wanted in statuses):
        return "GEN-ERR-004"
    documented = DOCUMENTED_SUCCESS.get(operation_id)
    if 200 <= status < 300 and all(200 <= wanted < 300 for wanted in statuses) and documented not in statuses:
        return "GEN-STATUS-001"
    return None


def require(holds: bool, assertion_id: str, message: str, response: httpx.Response | None = None) -> None:
    """A check's assertion: unless ``holds``, a finding against the requirement of ``REQ-ID/name``, an assertion
    declared in harness/requirements.yaml with the sentence it rests on (tests/test_requirements.py). ``message``
    says in words what was expected and what came back; ``response``, when given, is the request shown."""
    if not holds:
        raise violation(assertion_id, message, response)


def violation(assertion_id: str, message: str, response: httpx.Response | None = None) -> ContractViolation:
    """The finding ``require`` raises, for a check that must do something before raising it."""
    declared = assertion(assertion_id)
    return ContractViolation(declared.requirement, message, response, Rule(assertion_id, declared.says))


def refused(response: httpx.Response, operation_id: str, recommended: int) -> Any:
    """A refusal: the documents name no status for it, so any 4xx holds the MUST; the contract's own
    status (D-15) is a recommendation (GEN-ERR-004). The body, if any, must still parse. A write accepted
    with 200 here and 201 there is one root cause, so the rule names the class seen, not the code."""
    status = response.status_code
    if not 400 <= status < 500:
        raise UnexpectedAnswer(f"{line(response)} answered {status}, expected a refusal (4xx; recommended "
                               f"{recommended}): {snippet(response)}", response, operation_id,
                               status_rule(f"{status // 100}xx", "a refusal (4xx)"))  # fmt: skip
    recommend("GEN-ERR-004", status == recommended,
              f"{line(response)} answered {status}; the contract's status for this refusal is {recommended}",
              response)  # fmt: skip
    return conforming_body(response, operation_id) if response.content else None


def carries_error_body(answer: httpx.Response, operation_id: str, status: int) -> None:
    """A refusal with the status the contract decides, whose body is JSON with a lower-case ``code`` and a
    non-empty ``message`` (D-14: recommended; the documents show no error body)."""
    body = expect(answer, operation_id, status)  # the status and JSON
    said = f"{line(answer)} answered {answer.status_code} {body!r:.200}"
    require(isinstance(body, dict), "GEN-ERR-001/body", f"{said}: not an object", answer)
    code = re.fullmatch(r"[a-z][a-z_]*", str(body.get("code")))
    require(code is not None, "GEN-ERR-001/body", f"{said}: no lower-case code", answer)
    require(bool(str(body.get("message") or "").strip()), "GEN-ERR-001/body", f"{said}: no message", answer)


INTERNALS = re.compile(r"traceback|exception|sqlite|postgres|select\s.+\sfrom|\.py\b|\bat [\w.$]+\(|stack", re.I)


def reveals_no_internals(answer: httpx.Response) -> None:
    """An answer whose body holds no stack trace, file path, SQL or exception name (GEN-ERR-002)."""
    leaked = INTERNALS.search(answer.text)
    require(leaked is None, "GEN-ERR-002/internals", f"{line(answer)} revealed {leaked and leaked.group(0)!r}", answer)


def settled(response: httpx.Response, operation_id: str, *, success: int = 200, recommended: int = 409) -> Any:
    """An action whose result already holds: refusing it (recommended: 409, GEN-IDEM-001) and answering it
    as done (an idempotent 2xx) are both reasonable; the caller proves that nothing changed either way."""
    status = response.status_code
    if 200 <= status < 300:
        recommend("GEN-IDEM-001", False, f"{line(response)} answered {status} for an action whose result "
                  f"already held; the contract's status is {recommended}", response)  # fmt: skip
        return expect(response, operation_id, status) if status == success else None
    return refused(response, operation_id, recommended)


def conforming_body(response: httpx.Response, operation_id: str) -> Any:
    """The JSON body, read typed against the schema documented for its status; what breaks that schema is
    noted once per rule, and stops the check only where it reads it (harness/answers.py)."""
    answered = f"{line(response)} answered {response.status_code}"
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("application/json") and not content_type.endswith("+json"):
        note("GEN-SCHEMA-003", f"{answered} as {content_type!r}, not application/json", response,
             Rule(f"content-type|{content_type.split(';')[0]}",
                  f"JSON labelled {content_type.split(';')[0] or 'with no type'}"))  # fmt: skip
    try:
        body = response.json()
    except ValueError:
        raise ContractViolation("GEN-SCHEMA-001", f"{answered}, not JSON: {snippet(response)}", response,
                                Rule("not-json", "not JSON")) from None  # fmt: skip
    if not note_schema_findings(body, operation_id, response.status_code, answered, response):
        errors = schema_errors(spec.load().response_validator(operation_id, response.status_code), body)
        recommend("GEN-SCHEMA-005", not errors, f"{answered} with a body outside the contract as written:\n"
                  + "; ".join(errors[:5]), response)  # fmt: skip
    return typed_body(body, line(response), spec.load().lenient_schema(operation_id, response.status_code))


def note_schema_findings(body: Any, operation_id: str, status: int, answered: str, response: Any) -> bool:
    """Note once per rule what ``body`` breaks of what the documents show (GEN-SCHEMA-001); whether it broke any.
    Also for answers met outside ``expect`` (schemathesis' own, contracts/schema.py)."""
    contract = spec.load()
    schema = contract.lenient_schema(operation_id, status)
    found = schema_findings(contract.response_validator(operation_id, status, strict=False), schema, body)
    for rule, errors in found.items():
        note("GEN-SCHEMA-001", f"{answered} with a body that breaks its schema: " + "; ".join(errors[:5]), response,
             rule)  # fmt: skip
    return bool(found)


def typed_body(body: Any, origin: str, schema: dict[str, Any] | None) -> Any:
    """The body wrapped to read typed; a body of a type its schema does not allow has nothing to read."""
    if schema is None:
        return tolerant(body, origin)
    return typed(body, origin, "", Shape.of(schema, schema))


def schema_findings(validator: Any, schema: dict[str, Any] | None, body: Any) -> dict[Rule, list[str]]:
    """The body's schema errors grouped by the rule each breaks (harness/findings.py); the fields one object of
    the body lacks are one finding (a stub answered for the whole object is one bug, not ten)."""
    found: dict[str, tuple[Rule, list[str]]] = {}
    for keyword, instance_path, instance, message, wanted in deep_errors(validator, schema, body):
        rule = schema_rule(keyword, instance_path, instance, message, wanted)
        key = f"required|{field_path(instance_path)}" if keyword == "required" else rule.key
        merged, errors = found.get(key, (None, []))
        if merged is not None:
            fields = tuple(dict.fromkeys(merged.fields + rule.fields))
            joined = "|".join(sorted(fields)) if keyword == "required" else rule.key.split("|", 1)[1]
            rule = Rule(f"{keyword}|{joined}" if keyword == "required" else rule.key, rule.phrase, fields)
        text = f"{'/'.join(map(str, instance_path)) or '(body)'}: {message}"
        found[key] = (rule, errors if text in errors else [*errors, text])
    return dict(found.values())


def deep_errors(
    validator: Any, schema: dict[str, Any] | None, body: Any, prefix: tuple[Any, ...] = ()
) -> Iterator[tuple[str, list[Any], Any, str, list[str]]]:
    """(keyword, instance path, instance, message, allowed types) of each error; an ``anyOf``/``oneOf`` whose one
    alternative of the value's type failed is opened, so that its own errors are named (a count as text inside a
    list the SDK may answer plain)."""
    for error in validator.iter_errors(body) if validator is not None else ():
        path = list(error.schema_path)
        keyword = str(path[-1]) if path else ""
        instance_path = [*prefix, *error.instance_path]
        if schema is None or keyword not in ("anyOf", "oneOf"):
            yield keyword, instance_path, error.instance, error.message, []
            continue
        branches = at_path(schema, path) or []
        shape = Shape(schema, expand(schema, {keyword: branches}))
        matching = [branch for branch in branches if Shape.of(schema, branch).accepts(error.instance)]
        if len(matching) != 1:
            yield keyword, instance_path, error.instance, error.message, shape.allowed()
            continue
        branch = {**matching[0], "components": schema.get("components", {})}  # its own paths start at the branch
        yield from deep_errors(spec.load().branch_validator(branch), branch, error.instance, tuple(instance_path))


def schema_errors(validator: Any, body: Any) -> list[str]:
    if validator is None:
        return []
    return [f"{'/'.join(map(str, e.instance_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)]


def line(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path}"


def snippet(response: httpx.Response, limit: int = 300) -> str:
    text = response.text
    return text if len(text) <= limit else text[:limit] + "..."
