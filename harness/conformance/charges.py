"""What a finding is charged to: the requirement whose rule it breaks, and the request that showed it.

Shared by the pytest plugin (harness/conformance/plugin.py, which adds schemathesis' own failures) and
the runner's first look (harness/conformance/first_look.py), so that one server bug met by both is filed
the same way, and so is one root cause.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from harness import spec
from harness.answers import ContractViolation, UnexpectedAnswer
from harness.findings import Rule
from harness.redact import Redactor
from harness.results import Failure, Status, root_cause_of

EXCHANGES_PER_FAILURE = 3


@dataclass(frozen=True)
class Charge:
    """One finding filed against one requirement: its message, the rule it breaks, the request that showed it."""

    requirement: str
    message: str
    rule: Rule | None = None  # its key starts with the requirement the finding is charged to first
    culprit: str | None = None  # "METHOD url"

    @property
    def root_cause(self) -> str:
        return root_cause_of(self.message, self.rule.key if self.rule else "")


def route(culprit: str | None) -> str | None:
    """The operation a "METHOD url" request belongs to (one sighting per rule and route in a check)."""
    if not culprit or " " not in culprit:
        return culprit
    method, url = culprit.split(" ", 1)
    operation = spec.load().match(method, httpx.URL(url).path)
    return operation.operation_id if operation else culprit


def charges_for(requirements: list[str], message: str, rule: Rule | None, culprit: str | None) -> list[Charge]:
    """One finding filed under each requirement; its rule keyed by the first, so all filings are one root cause."""
    if rule is not None and requirements:
        rule = Rule(f"{requirements[0]}|{rule.key}", rule.phrase, rule.fields)
    return [Charge(requirement, message, rule, culprit) for requirement in dict.fromkeys(requirements)]


def classify_finding(
    error: BaseException, own: list[str], message: str, culprit: str | None
) -> tuple[Status, list[Charge], bool]:
    """The status, the findings and whether it stopped the check, for an exception of our own toolkit (not
    schemathesis'): a requirement of its own (``ContractViolation``), no 5xx (GEN-SCHEMA-004), a body that parses
    (GEN-SCHEMA-001), a complete answer (GEN-HTTP-001); a plain assertion to the check's own requirements."""
    rule = getattr(error, "rule", None)
    if isinstance(error, ContractViolation):
        return Status.FAIL, charges_for([error.requirement], message, rule, culprit), True
    if isinstance(error, UnexpectedAnswer) and (error.status or 0) >= 500 and "GEN-SCHEMA-004" not in own:
        return Status.FAIL, charges_for(["GEN-SCHEMA-004"], message, rule, culprit), True
    if isinstance(error, AssertionError):
        return Status.FAIL, charges_for(own, message, rule, culprit), False
    if isinstance(error, json.JSONDecodeError):  # checks parse only the target's answers
        message = f"an answer was not valid JSON: {message}"
        return Status.FAIL, charges_for(["GEN-SCHEMA-001"], message, Rule("not-json", "not JSON"), culprit), True
    if isinstance(error, httpx.TransportError) or is_requests_error(error):
        message = f"the server gave no complete answer: {message}"
        kind = type(error).__name__
        rule = Rule(f"transport|{kind}", f"no complete answer ({kind})")
        return Status.FAIL, charges_for(["GEN-HTTP-001"], message, rule, culprit), True
    trace = "".join(traceback.format_exception(error, limit=-8))
    return Status.ERROR, charges_for(own, f"the harness broke: {trace}", None, None), False


def is_requests_error(error: BaseException) -> bool:
    """An error of requests (schemathesis' transport); a process that never imported it has none (and the runner's
    first look need not pay for importing it)."""
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(error, requests.RequestException)


def describe(error: BaseException) -> str:
    """An exception's message with its notes."""
    text = str(error) or type(error).__name__
    notes = "\n".join(getattr(error, "__notes__", []))
    return f"{text}\n{notes}".strip()


def culprit_of(error: BaseException) -> str | None:
    """The "METHOD url" an exception names, if any."""
    try:
        culprit = getattr(error, "request", None)
    except RuntimeError:  # httpx raises it for an error that carries no request
        return None
    return culprit if isinstance(culprit, str) else None


def evidence(exchanges: Sequence[dict[str, Any]], culprit: str | None) -> list[dict[str, Any]]:
    """The request that showed a finding (else the last one sent), with the two before it."""
    end = len(exchanges)
    for index in range(end - 1, -1, -1):
        exchange = exchanges[index]
        if culprit == f"{exchange['method']} {exchange['url']}":
            end = index + 1
            break
    return list(exchanges[max(0, end - EXCHANGES_PER_FAILURE) : end])


def failures_of(charges: list[Charge], exchanges: Sequence[dict[str, Any]], redactor: Redactor) -> list[Failure]:
    """A check's findings as the results file holds them, each with the requests that showed it."""
    failures = []
    for charge in charges:
        shown = evidence(exchanges, charge.culprit)
        rule = charge.rule or Rule("", "")
        failures.append(Failure(charge.requirement, redactor(charge.message),
                                shown[-1]["operation_id"] if shown else None, shown,
                                charge.root_cause, rule.key, rule.phrase, list(rule.fields)))  # fmt: skip
    return failures
