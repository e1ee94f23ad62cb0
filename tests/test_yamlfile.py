"""The harness's own YAML read with libyaml: the same documents PyYAML's pure-Python loader gives."""

from __future__ import annotations

import yaml

from harness import yamlfile
from harness.paths import REQUIREMENTS, SPEC


def test_the_contract_and_the_catalogue_read_the_same_with_either_loader() -> None:
    """libyaml where PyYAML has it (as its wheels do); the result is the pure-Python loader's."""
    assert yamlfile.LOADER is yaml.CSafeLoader
    for path in (SPEC, REQUIREMENTS):
        text = path.read_text(encoding="utf-8")
        assert yamlfile.safe_load(text) == yaml.safe_load(text)
