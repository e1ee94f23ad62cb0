"""The first look: the cheapest requests of the early checks, sent by the runner itself in the run's first second.

A check can start only once its pytest process has imported and collected the suite: seconds of CPU
for each process, more on a loaded machine. The runner is idle meanwhile, so it sends the requests that
need no setup of the checks that find the most faults per second: every list without a key, with an
unknown key and as documented, the key in the query, unknown ids, error bodies,
malformed and invalid bodies, a bad page size, a project created and read back, the read-only key writing
and reading a volume. Each look mirrors one check of the suite: the same request, judged by the same function
of the toolkit (harness/expect.py) and charged to the same requirement, so a fault it finds is the very
root cause the check finds later (one line on screen, not two), shown before any check has started.
Each look is a check of the run's report (``first_look::`` and the id of the check it mirrors), so
``--check`` and ``--requirement`` choose looks as they choose checks, and the mutation matrix aims at them.

It touches only what it creates: projects and a volume with the run's prefix, and whatever a request that
should have been refused created anyway, all in the run's registry for its cleanup.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx

from harness import recommend, spec, tracing
from harness.client import ApiClient, ExchangeLog, RateLimiter
from harness.conformance.charges import Charge, charges_for, classify_finding, culprit_of, describe, failures_of
from harness.expect import (
    Patience,
    UnexpectedAnswer,
    carries_error_body,
    expect,
    read_json,
    refused,
    require,
    reveals_no_internals,
)
from harness.factory import Factory, new_id
from harness.redact import Redactor
from harness.registry import Registry
from harness.requirements import by_id
from harness.results import CheckResult, Status
from harness.run import RunConfig
from harness.steps import Blocked

PREFIX = "first_look::"  # a look's check id: this, then the id of the check it mirrors
UNKNOWN_KEY = "strongly-harness-not-a-key"  # as test_auth.py sends it
# Ids no target holds, shaped as the documents show ids (prefixed ws_, proj_, vol_), as the checks' own are: a
# server that checks an id's shape before looking it up answers these as it answers theirs.
MISSING = {"projectId": "proj_does_not_exist", "workspaceId": "ws_does_not_exist", "volumeId": "vol_does_not_exist"}
JSON = {"Content-Type": "application/json"}


@dataclass
class Tools:
    """What a look sends with: a client per key, a factory for the one project, and that project once made."""

    api: ApiClient
    anonymous: ApiClient
    stranger: ApiClient
    reader: ApiClient | None  # the read-only key, when the run has one
    make: Factory
    made: dict[str, str] = field(default_factory=dict)

    def project_id(self) -> str:
        """The first look's project, made once (a setup step of the look that needs it first, unless its own)."""
        if "projectId" not in self.made:
            self.made["projectId"] = self.make.project()["id"]
        return self.made["projectId"]

    def volume_id(self) -> str:
        """A volume in the first look's project, made once."""
        if "volumeId" not in self.made:
            self.made["volumeId"] = self.make.volume(self.project_id())["id"]
        return self.made["volumeId"]

    def reader_client(self) -> ApiClient:
        if self.reader is None:  # a look that needs it is chosen only when the run has the key
            raise RuntimeError("no read-only key")
        return self.reader

    def register_if_created(self, response: httpx.Response, kind: str) -> None:
        """A request that should have been refused and created something anyway: it is the run's to remove."""
        if response.is_success:
            with suppress(UnexpectedAnswer):  # no usable id: the sweep finds it by the run's prefix
                self.make.registry.add(kind, new_id(read_json(response, f"create {kind}"), kind))


@dataclass(frozen=True)
class Look:
    """One look: the check it mirrors, that check's own requirement, and the requests it sends and judges."""

    mirrors: str  # the id of the check whose first request this is
    requirement: str  # what a finding its judge does not charge elsewhere is charged to
    send_and_judge: Callable[[Tools], Any]
    writes: bool = False  # it writes, or reads what it made: not in a read-only run
    setup: Callable[[Tools], Any] | None = None  # what it needs made first (blocked, not failed, if that fails)
    reader: bool = False  # it needs the read-only key (its check skips without one)

    @property
    def check(self) -> str:
        return PREFIX + self.mirrors


def looks() -> list[Look]:
    """Every look, in the order sent: keys first (cheapest, most faults), then documented answers and refusals,
    the looks that write last."""
    contract = spec.load()
    lists = [op for op in contract.operations if op.method == "GET" and not op.path_parameters]
    reads = [op for op in contract.operations if op.method == "GET" and op.path_parameters
             and set(op.path_parameters) <= MISSING.keys()]  # fmt: skip
    found = [Look(f"test_auth.py::test_no_key_answers_401[{op.operation_id}]", "AUTH-KEY-001", without_key(op))
             for op in lists]  # fmt: skip
    found += [Look(f"test_auth.py::test_an_unknown_key_answers_401[{op.operation_id}]", "AUTH-KEY-002",
                   with_unknown_key(op)) for op in lists]  # fmt: skip
    found += [
        Look("test_credentials.py::test_the_key_counts_nowhere_else", "AUTH-KEY-003", key_in_the_query),
        Look("test_auth.py::test_read_scopes_cannot_write[createProject]", "AUTH-SCOPE-001", reader_creates,
             writes=True, reader=True),
        Look("test_auth.py::test_read_scopes_can_read[getVolume]", "AUTH-SCOPE-002", reader_reads_the_volume,
             writes=True, setup=Tools.volume_id, reader=True),
    ]  # fmt: skip
    found += [Look(f"test_schema.py::test_operation_conforms[{op.label}]", "GEN-SCHEMA-002", answers(op, 200))
              for op in lists]  # fmt: skip
    found += [Look(f"test_errors.py::test_unknown_ids_answer_404[{op.operation_id}]", "GEN-ERR-003",
                   answers(op, 404, **MISSING)) for op in reads]  # fmt: skip
    found += [
        Look("test_lists.py::test_bad_list_parameters_answer_400[listWorkspaces]", "GEN-LIST-005",
             lambda t: expect(t.api.get("/api/v1/workspaces", limit=0), "listWorkspaces", 400)),
        Look("test_errors.py::test_refusals_carry_the_error_body", "GEN-ERR-001", error_bodies, writes=True),
        Look("test_errors.py::test_malformed_bodies_answer_400[createProject-broken]", "GEN-VALID-004",
             malformed_create, writes=True),
        Look("test_errors.py::test_errors_reveal_no_internals", "GEN-ERR-002", internals, writes=True),
        Look("test_projects.py::test_create_answers_201_and_applies_defaults", "PRJ-LIFE-001", creates_a_project,
             writes=True),
        Look("test_schema.py::test_operation_conforms[GET /api/v1/projects/{projectId}]", "GEN-SCHEMA-002",
             lambda t: expect(t.api.get(f"/api/v1/projects/{t.project_id()}"), "getProject", 200),
             writes=True, setup=Tools.project_id),  # it reads what it made
        Look("test_errors.py::test_malformed_bodies_answer_400[updateProject-array]", "GEN-VALID-004",
             malformed_update, writes=True, setup=Tools.project_id),
        Look("test_errors.py::test_unknown_fields_answer_422[createWorkspace]", "GEN-VALID-005",
             unknown_field, writes=True, setup=Tools.project_id),
    ]  # fmt: skip
    return found


# ------------------------------------------------------------------ what the looks send, and how each is judged
def without_key(operation: spec.Operation) -> Callable[[Tools], Any]:
    return lambda tools: refused(tools.anonymous.get(operation.url()), operation.operation_id, 401)


def with_unknown_key(operation: spec.Operation) -> Callable[[Tools], Any]:
    return lambda tools: refused(tools.stranger.get(operation.url()), operation.operation_id, 401)


def answers(operation: spec.Operation, status: int, **ids: str) -> Callable[[Tools], Any]:
    """A GET of the operation, answered with ``status`` and a body that fits the contract."""
    return lambda tools: expect(tools.api.get(operation.url(**ids)), operation.operation_id, status)


def error_bodies(tools: Tools) -> None:
    """The refusals of test_refusals_carry_the_error_body that need nothing made first."""
    carries_error_body(tools.anonymous.get("/api/v1/projects"), "listProjects", 401)
    carries_error_body(tools.api.get(f"/api/v1/volumes/{MISSING['volumeId']}"), "getVolume", 404)
    carries_error_body(tools.api.get("/api/v1/workspaces", limit=0), "listWorkspaces", 400)
    answer = tools.api.request("POST", "/api/v1/projects", content=b"{oops", headers=JSON)
    tools.register_if_created(answer, "project")
    carries_error_body(answer, "createProject", 400)


def key_in_the_query(tools: Tools) -> None:
    """The query-parameter place of test_the_key_counts_nowhere_else: the key there is no key."""
    answer = tools.anonymous.get("/api/v1/projects", api_key=tools.api.key)
    require(not answer.is_success, "AUTH-KEY-003/nowhere-else",
            f"GET /api/v1/projects without X-API-Key but with the key as the query parameter api_key was served: "
            f"{answer.status_code}", answer)  # fmt: skip


def reader_creates(tools: Tools) -> None:
    body = {"name": tools.make.name("project"), "description": "made by strongly-harness"}
    answer = tools.reader_client().post("/api/v1/projects", json=body)
    tools.register_if_created(answer, "project")
    refused(answer, "createProject", 403)


def reader_reads_the_volume(tools: Tools) -> None:
    expect(tools.reader_client().get(f"/api/v1/volumes/{tools.volume_id()}"), "getVolume", 200)


def creates_a_project(tools: Tools) -> None:
    """A create of its own, whatever the looks before it made; the project then serves the looks after it."""
    tools.made.setdefault("projectId", tools.make.project()["id"])


def malformed_create(tools: Tools) -> None:
    answer = tools.api.request("POST", "/api/v1/projects", content=b"{not json", headers=JSON)
    tools.register_if_created(answer, "project")
    expect(answer, "createProject", 400)


def malformed_update(tools: Tools) -> None:
    answer = tools.api.request("PUT", f"/api/v1/projects/{tools.project_id()}", content=b"[1, 2]", headers=JSON)
    expect(answer, "updateProject", 400)


def internals(tools: Tools) -> None:
    """The invalid create of test_errors_reveal_no_internals."""
    answer = tools.api.post("/api/v1/projects", json={"name": "\u0000" * 3, "description": 5})
    tools.register_if_created(answer, "project")
    reveals_no_internals(answer)


def unknown_field(tools: Tools) -> None:
    body = {"name": tools.make.name("workspace"), "description": "made by strongly-harness",
            "environmentType": "jupyter", "projectId": tools.project_id(), "environment_type": "jupyter"}  # fmt: skip
    answer = tools.api.post("/api/v1/workspaces", json=body)
    tools.register_if_created(answer, "workspace")  # an ignored field lets the create through
    expect(answer, "createWorkspace", 422)


# ------------------------------------------------------------------ running them
def chosen(look: Look, config: RunConfig) -> bool:
    """Whether the run's selection takes this look, as it would take the check it mirrors."""
    contract = config.contract
    if contract.profile == "smoke" or (config.readonly and look.writes):
        return False
    if look.reader and not config.target.readonly_key:
        return False
    if contract.profile == "core" and not by_id()[look.requirement].is_must:
        return False
    if contract.requirements and look.requirement not in contract.requirements:
        return False
    return not contract.checks or any(pattern in look.check for pattern in contract.checks)


@contextmanager
def clients(config: RunConfig, registry: Registry, log: ExchangeLog) -> Iterator[Tools]:
    """The run's key, no key, an unknown key and the read-only key, on one connection pool (as the suite's
    fixtures share one)."""
    target, limits = config.target, config.limits
    limiter = RateLimiter(limits.rate_limit) if limits.rate_limit else None
    api = ApiClient(target.base_url, target.api_key, redactor=Redactor(config.secrets()),
                    timeout=limits.request_timeout, readonly=config.readonly, limiter=limiter, log=log)  # fmt: skip
    with (
        api,
        api.with_key(None) as anonymous,
        api.with_key(UNKNOWN_KEY) as stranger,
        api.with_key(target.readonly_key) as reader,
    ):
        make = Factory(api, registry, config.prefix, patience=Patience(limits.provision_wait))
        yield Tools(api, anonymous, stranger, reader if target.readonly_key else None, make)


def run(config: RunConfig, registry: Registry, since: float, seen: Callable[[CheckResult], bool]) -> list[CheckResult]:
    """Send the chosen looks in order and return their results; ``seen`` gets each as it ends and says whether
    the run stops there (its --max-failures reached). ``since``: the run's start on time.monotonic()."""
    log = ExchangeLog()
    redactor = Redactor(config.secrets())
    tracing.enable(config.target.embedded and bool(config.target.faults))  # as the plugin does, for the matrix
    results: list[CheckResult] = []
    with clients(config, registry, log) as tools:
        for look in (look for look in looks() if chosen(look, config)):
            results.append(one(look, tools, log, redactor, since))
            if seen(results[-1]):
                break
    return results


def one(look: Look, tools: Tools, log: ExchangeLog, redactor: Redactor, since: float) -> CheckResult:
    """Send one look and judge it as the check it mirrors would be judged."""
    started = time.monotonic()
    status, charges, blocked_by = Status.PASS, [], None
    recommend.take()  # nothing noted before belongs to this look
    try:
        with tracing.in_check(look.check, setup=True):
            if look.setup is not None:
                look.setup(tools)
        with tracing.in_check(look.check, setup=False):
            look.send_and_judge(tools)
    except Blocked as blocked:  # what it needed made could not be: the look stays unverified unless that was its own
        status, charges, _ = classify_finding(blocked.finding, [blocked.requirement], describe(blocked.finding),
                                              culprit_of(blocked.finding))  # fmt: skip
        if not any(charge.requirement == look.requirement for charge in charges):
            status, blocked_by = Status.BLOCKED, charges[0].root_cause if charges else None
    except Exception as error:  # a finding, or the harness broke: classify_finding tells which
        status, charges, _ = classify_finding(error, [look.requirement], describe(error), culprit_of(error))
    for noted in recommend.take():  # schema breaks and our choices not taken, which do not stop a check
        status = max(status, Status.FAIL)
        charges += charges_for([noted.requirement], noted.message, noted.rule, noted.culprit)
    exchanges, called = log.take_calls()
    sent = [exchange.to_dict() for exchange in exchanges]
    return CheckResult(
        check=look.check,
        requirements=[look.requirement],
        status=status.label,
        duration=round(time.monotonic() - started, 3),
        started=round(started - since, 3),
        failures=failures_of(unique(charges), sent, redactor),
        blocked_by=blocked_by,
        reason="blocked while making what it needs" if blocked_by else None,
        operations=list(called),
        own_operations=[operation for operation, own in called.items() if own],
    )


def unique(charges: list[Charge]) -> list[Charge]:
    """One rule met twice by one look (a body read twice) is one finding."""
    return list({(charge.requirement, charge.root_cause, charge.culprit): charge for charge in charges}.values())
