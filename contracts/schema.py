"""The contract loaded for schemathesis, pointed at the run's target before collection.

Everything comes from the run's configuration: the base URL, the key (through the contract's
security scheme, so schemathesis knows which header is the credential: its ignored_auth check then
removes or spoils it on purpose, and nothing else does), and the run's limits, the request timeout
and, when given, the request rate. It judges by the contract as written; ``judged_at_the_documents``
turns a failure that breaks only our own choices into a recommendation (harness/leniency.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

import hypothesis
import schemathesis
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

from contracts.conftest import CURRENT_IDS, named_by_checks
from harness import spec
from harness.conformance.lazy_cases import install as derive_cases_lazily
from harness.conformance.plugin import FAILURE_CODES, current_run
from harness.expect import note_schema_findings
from harness.leniency import DOCUMENTED_FIELDS, DOCUMENTED_QUERY, DOCUMENTED_SUCCESS, RESOURCE_FIELDS
from harness.paths import CONTRACTS, SPEC
from harness.recommend import recommend
from harness.requirements import by_id

derive_cases_lazily()  # each operation's example and coverage cases, in the one process that runs its test
config = current_run().config
options = tomllib.loads((CONTRACTS / "schemathesis.toml").read_text(encoding="utf-8"))
options["auth"] = {"openapi": {"ApiKeyAuth": {"api_key": config.target.api_key}}}
schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config.from_dict(options, base_dir=str(CONTRACTS)))
schema.config.update(base_url=config.target.base_url, request_timeout=config.limits.request_timeout)
if config.limits.rate_limit:
    per_minute = round(config.limits.rate_limit * 60)
    schema.config.update(rate_limit=f"{round(config.limits.rate_limit)}/s" if per_minute >= 60 else f"{per_minute}/m")
if config.readonly:
    schema.config.phases.coverage.unexpected_methods = set()  # probing undeclared methods could write


def reported_at_the_first_failing_case(test: Callable[..., Any]) -> Callable[..., Any]:
    """In a run that stops at its first root cause (``-x``), a schema check ends at its first failing case: by
    default Hypothesis runs every explicit case (an operation's hundreds of coverage cases) before it reports any,
    and the run would wait for all of them to show the one root cause it stops at. Otherwise unchanged, so a check
    still reports each bug it meets. Only this setting differs from the loaded profile (schemathesis applies a
    test's own settings over its configuration where they differ)."""
    if config.contract.max_failures != 1:
        return test
    return hypothesis.settings(hypothesis.settings.default, report_multiple_bugs=False)(test)


# Building an operation's tests derives its coverage cases, seconds of CPU for the contract's 35: a run of chosen
# checks (``--check``, as each run of the mutation matrix is) builds only the operations it names
operations = schema.include(name=named_by_checks(config.contract.checks)) if config.contract.checks else schema


def negative_locations(case: Any) -> set[ParameterLocation]:
    """Where a generated case breaks the schema (from its components, or the coverage phase's note)."""
    meta = case.meta
    if meta is None:
        return set()
    found = {location for location, part in (meta.components or {}).items() if part.mode == GenerationMode.NEGATIVE}
    location = getattr(getattr(meta.phase, "data", None), "parameter_location", None)
    return found | ({location} if isinstance(location, ParameterLocation) else set())


def only_our_choice(failure: BaseException, case: Any, response: Any) -> str | None:
    """The SHOULD a failure breaks when it breaks nothing the documents say, else None."""
    code = getattr(failure, "code", None)
    route = case.operation.definition.raw.get("operationId", "")
    status = getattr(response, "status_code", 0)
    if code == "ST201":  # negative data accepted: refusing it may be only our limit, type or closed set
        negative = negative_locations(case) or {ParameterLocation.BODY, ParameterLocation.QUERY}
        body = case.body if ParameterLocation.BODY in negative and isinstance(case.body, dict | list) else None
        query = dict(case.query or {}) if ParameterLocation.QUERY in negative else {}
        # a parameter of ours may be refused or ignored, and an empty one may be read as not given
        query = {
            name: value for name, value in query.items() if name in DOCUMENTED_QUERY.get(route, ()) and value != ""
        }
        if not spec.load().documented_request_errors(route, body, query):
            return "GEN-VALID-006"
    if code == "ST202" and not documents_valid(case):  # valid by the contract, beyond what the documents show
        return "GEN-VALID-007"
    if code == "ST103" and 400 <= status < 500:  # a refusal with another 4xx than the contract names
        return "GEN-ERR-004"
    if code == "ST103" and 200 <= status < 300 and route not in DOCUMENTED_SUCCESS:  # 200 for 201, say
        return "GEN-STATUS-001"
    own = FAILURE_CODES.get(code or "")
    if own is not None and not by_id()[own].is_must:  # a recommendation of schemathesis' own (405 and Allow)
        return own
    return None


def documents_valid(case: Any) -> bool:
    """Whether a request is one the documents themselves show valid: one of the contract's examples (taken from
    the documents), with only the query parameters and body fields the documents give the operation, no empty
    string, a body that changes something, and path ids of resources this run made. Refusing anything else a
    schema allows (a generated name, an email with a control character, a parameter of ours) may be a choice."""
    if case.meta is None or case.meta.phase.name != TestPhase.EXAMPLES:
        return False
    route = case.operation.definition.raw.get("operationId", "")
    query = dict(case.query or {})
    if not set(query) <= DOCUMENTED_QUERY.get(route, frozenset()) or not plain(query):
        return False
    if any(value not in CURRENT_IDS.values() for value in (case.path_parameters or {}).values()):
        return False
    if case.body is None or route not in DOCUMENTED_FIELDS:
        return case.body is None
    body = case.body
    return (
        isinstance(body, dict)
        and bool(body)
        and set(body) <= DOCUMENTED_FIELDS[route]
        and plain(body)
        and (not isinstance(body.get("resources"), dict) or set(body["resources"]) <= RESOURCE_FIELDS)
    )


def plain(value: Any) -> bool:
    """No empty string anywhere in it (the documents never show one; refusing it is reasonable)."""
    if isinstance(value, dict):
        return all(plain(item) for item in value.values())
    if isinstance(value, list):
        return all(plain(item) for item in value)
    return value != ""


def judged_at_the_documents(error: BaseException, case: Any, response: Any) -> BaseException | None:
    """The failures that break what the documents say; the rest are noted as recommendations. A body that
    breaks its schema is noted too (GEN-SCHEMA-001, once per rule), never raised: what schemathesis checks next
    on this operation does not need that body, so it must not stop (harness/expect.py reads the same way)."""
    given = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else [error]
    failures = server_error_alone(given)
    kept = []
    body_noted = False
    for failure in failures:
        if is_body_schema(failure) and response is not None:
            body_noted = body_noted or note_body(case, response, failure)
            continue
        should = only_our_choice(failure, case, response)
        if should is None:
            kept.append(failure)
        else:
            recommend(should, False, f"{case.operation.label}: {title_and_detail(failure)}", response)
    if not kept:
        return None
    if len(kept) == len(given):
        return error
    return kept[0] if len(kept) == 1 else FailureGroup(kept)


SERVER_ERROR = ("ST101", "ST102")  # schemathesis' 5xx answers
SAME_ANSWER = ("ST103", "ST202")  # an undocumented status, a valid request refused: a 5xx is both


def server_error_alone(failures: list[BaseException]) -> list[BaseException]:
    """A 5xx answer is one bug, its server error (GEN-SCHEMA-004): that the status is undocumented and that a valid
    request was refused is the same answer read by schemathesis' other checks, and would be two more root causes."""
    if not any(getattr(failure, "code", None) in SERVER_ERROR for failure in failures):
        return failures
    return [failure for failure in failures if getattr(failure, "code", None) not in SAME_ANSWER]


def is_body_schema(failure: BaseException) -> bool:
    return getattr(failure, "code", None) == "ST108" and getattr(failure, "title", "") == "Response violates schema"


def note_body(case: Any, response: Any, failure: BaseException) -> bool:
    """What the body breaks of what the documents show, noted; or, if only the contract as written, advice."""
    route = case.operation.definition.raw.get("operationId", "")
    try:
        body = response.json()
    except ValueError:
        return False  # schemathesis says so itself (a deserialization failure)
    answered = f"{case.operation.label} answered {response.status_code}"
    if not note_schema_findings(body, route, response.status_code, answered, response):
        recommend("GEN-SCHEMA-005", False, f"{case.operation.label}: {title_and_detail(failure)}", response)
    return True


def title_and_detail(failure: BaseException) -> str:
    detail = " ".join(str(getattr(failure, "message", "")).split())[:300]
    return f"{getattr(failure, 'title', failure)}\n{detail}"
