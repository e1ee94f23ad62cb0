"""Errors the harness raises for its own users, and the exit codes they map to.

    HarnessError            something the user must hear about in one line
    ├── TargetFailure       the target broke before it could be measured → exit 1
    ├── UsageError          bad arguments, config or profile file       → exit 2
    │   └── TargetError     the target is unreachable or rejects a key  → exit 2
    └── InternalError       the harness itself broke                    → exit 3

Non-conformance is not an error: it is a result (exit 1).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_HARNESS_ERROR = 3
EXIT_INCOMPLETE = 4  # nothing failed, but a MUST could not be checked: not a conformance claim


class HarnessError(Exception):
    """An error with a one-line message for the user and an exit code."""

    exit_code = EXIT_HARNESS_ERROR


class TargetFailure(HarnessError):
    """The target misbehaved while the run prepared (seeding data): a failed run, not a broken harness."""

    exit_code = EXIT_FAILED


class UsageError(HarnessError):
    """Bad command-line arguments, configuration, profile or SLO file."""

    exit_code = EXIT_USAGE


class TargetError(UsageError):
    """The target cannot be used: unreachable, not this API, or the key is rejected."""


class InternalError(HarnessError):
    """The harness itself broke; never the server's fault."""

    exit_code = EXIT_HARNESS_ERROR
