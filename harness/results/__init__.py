"""The typed results of the two suites, side by side: what a run ends in, and what reports consume.

    conformance.py   RunResult: the contract suite's checks, requirements, root causes and verdict (conformance.json)
    load.py          LoadSummary: the load suite's routes, SLOs, capacity and baseline comparison (load/summary.json)
    expectations.py  known failures (contract --expect): the file read strictly, a RunResult judged against it

The contract result's names are re-exported here, where they have always been imported from.
"""

from harness.results.conformance import (
    CheckResult,
    Failure,
    ModelCoverage,
    RootCause,
    RunResult,
    Status,
    UnreachedPair,
    Verdict,
    leads,
    root_cause_of,
)

__all__ = [
    "CheckResult",
    "Failure",
    "ModelCoverage",
    "RootCause",
    "RunResult",
    "Status",
    "UnreachedPair",
    "Verdict",
    "leads",
    "root_cause_of",
]
