"""Reading the harness's own YAML (the contract, the catalogue) with libyaml where PyYAML has it.

Every process of a run reads them at start, and a run starts several: PyYAML's pure-Python loader
takes about 0.75 s of CPU for the two, its C loader (the same YAML, the same result) a tenth of that.
"""

from __future__ import annotations

from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load``, with libyaml's loader where PyYAML was built with it."""
    return yaml.load(text, Loader=LOADER)  # noqa: S506 (a safe loader)
