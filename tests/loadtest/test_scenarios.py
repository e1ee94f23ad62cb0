"""What the scenarios declare is read from the locustfile's source, and a profile may name only that."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import UsageError
from harness.loadtest.profiles import load_profile
from harness.loadtest.scenarios import LOCUSTFILE, declared

NEW_SCENARIO = '''

VOLUMES = Endpoint("GET", "/api/v1/volumes", "listVolumes")
ROUTES = {**ROUTES, "volumes": VOLUMES}


class VolumeBrowser(ApiUser):
    """Lists volumes, page after page."""

    mix = "volume_browsers"

    def wait_time(self) -> float:
        return 0.2

    @task
    def browse(self) -> None:
        self.call(VOLUMES, query="limit=20")
'''


def test_the_shipped_scenarios_declare_their_mix_keys_and_routes() -> None:
    """Pollers, dashboards and churn weight the closed model; status, metrics and list the open one."""
    names = declared()

    assert names.mix == {"pollers", "dashboards", "churn"}
    assert names.routes == {"status", "metrics", "list"}


def test_a_class_added_to_the_locustfile_is_a_mix_key(tmp_path: Path) -> None:
    """A new scenario class with its `mix` (and a route added to ROUTES) is all a profile needs to name it."""
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text(LOCUSTFILE.read_text() + NEW_SCENARIO)
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('[browse]\nmix = { volume_browsers = 3 }\n[open]\nmodel = "open"\nroutes = { volumes = 1 }\n')

    assert declared(locustfile).mix == {"pollers", "dashboards", "churn", "volume_browsers"}
    assert load_profile(profiles, "browse", locustfile).mix == {"volume_browsers": 3}
    assert load_profile(profiles, "open", locustfile).routes == {"volumes": 1}
    with pytest.raises(UsageError, match="must map churn, dashboards, pollers to"):
        load_profile(profiles, "browse")  # the shipped scenarios have no volume_browsers
