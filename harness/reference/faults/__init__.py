"""Planted faults: small named overrides of the reference server, for proving the harness.

Each fault declares the requirement ids whose checks must catch it; a fault that breaks only one of our
own choices (a SHOULD, see harness/requirements.yaml) says ``strict=True`` and is run with --strict,
while every other fault must fail a MUST at the default level. GEN-MODEL-001 (the model phase) judges
each prediction at its own requirement's level, so it counts at the level of the others a fault
declares. A load fault declares the SLOs that must break (``"<route suffix> <limit>"``) under the
load profile it names. A fault either
replaces a declared seam of one part of a ``Reference`` (a rule, a service method, the
authenticator; harness/reference/seams.py) or wraps the ASGI app to rewrite requests or responses;
the clean code path never asks which faults are on. ``strongly-harness selftest`` runs the suite
against each of them.

    machinery.py    the catalogue, planting (``apply``), and the request and response rewriting
    shape.py, validation.py, errors.py, auth.py, lifecycle.py, semantics.py, lists.py,
    durability.py, load.py      the catalogue, one module per area
    choices.py      the other reasonable readings of the documents (strict), and the sentences kept at MUST
    drift.py        faults of derived views, which the model-based phase catches
    variants.py     legitimate alternatives: the suite must pass against each
"""

from harness.reference.faults import (  # noqa: F401 - each area registers its faults in the catalogue on import
    auth,
    choices,
    drift,
    durability,
    errors,
    lifecycle,
    lists,
    load,
    semantics,
    shape,
    validation,
    variants,
)
from harness.reference.faults.machinery import (
    CATALOGUE,
    VARIANTS,
    Fault,
    Plant,
    UnknownFaultError,
    Wrapper,
    apply,
    fault,
    known,
    variant,
)

__all__ = [
    "CATALOGUE",
    "VARIANTS",
    "Fault",
    "Plant",
    "UnknownFaultError",
    "Wrapper",
    "apply",
    "fault",
    "known",
    "variant",
]
