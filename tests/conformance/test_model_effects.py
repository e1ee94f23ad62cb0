"""The model's map of what changes what, kept complete, and its systematic pass, proven on planted drifts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.model import effects
from contracts.model.context import Context, StepLog
from contracts.model.effects import Coverage
from contracts.model.systematic import DRIVERS, READERS, SystematicPass
from harness import recommend, spec
from harness.client import ApiClient
from harness.expect import ContractViolation
from harness.redact import Redactor
from harness.reference.faults import CATALOGUE
from harness.reference.faults.drift import MODEL
from harness.registry import Registry
from harness.requirements import by_id
from harness.run.embedded import EmbeddedServer
from tests.conftest import ADMIN, OTHER

MAP = effects.load()


def test_every_state_changing_operation_of_the_contract_is_in_the_map() -> None:
    """Each write operation of the contract has at least one case; the map names no operation the contract lacks."""
    writes = {operation.operation_id for operation in spec.load().operations if operation.is_write}
    mapped = {case.operation for case in MAP.cases}

    assert sorted(writes - mapped) == []
    assert sorted(mapped - writes) == []


def test_every_pair_rests_on_a_requirement_of_the_catalogue() -> None:
    """Each view of each case names a catalogue requirement, and so does each case's refusal."""
    known = by_id()
    unknown = [str(pair) for pair in MAP.pairs() if pair.requirement not in known]
    unknown += [case.name for case in MAP.cases if case.refusal and case.refusal not in known]

    assert unknown == []


def test_refusals_follow_the_levels() -> None:
    """A case the documents say is refused rests on a MUST; where they leave it open, a refusal is our choice (a
    SHOULD, judged under --strict) or no one's; every case has a basis."""
    catalogue = by_id()
    for case in MAP.cases:
        assert case.outcome in effects.OUTCOMES, case.name
        assert case.basis, case.name
        if case.outcome == "refused":
            assert catalogue[case.refusal].is_must, case.name
        if case.outcome == "either" and case.refusal:
            assert not catalogue[case.refusal].is_must, case.name


def test_every_view_is_declared_and_has_a_reader() -> None:
    """The views the cases name are the map's declared views, and the systematic pass has a reader for each."""
    used = {view for case in MAP.cases for view in case.views}

    assert used == set(MAP.views)
    assert set(READERS) == set(MAP.views)


def test_every_case_has_a_driver() -> None:
    """The systematic pass drives each case of the map, and no case the map lacks."""
    names = [case.name for case in MAP.cases]

    assert len(names) == len(set(names))
    assert set(DRIVERS) == set(names)


def test_a_pair_not_reached_says_why() -> None:
    """Coverage names, for each pair not read, why its view was left out of the run, else why the pass stopped."""
    coverage = Coverage(MAP, skipped_views={"other-organization": "no other key"}, stopped="stopped early")
    case = MAP.cases[0]
    coverage.exercised = {(case.name, view) for view in case.views if view != "other-organization"}

    reasons = {pair.view: why for pair, why in coverage.unreached() if pair.case == case.name}

    assert reasons == {"other-organization": "no other key"}
    assert {why for pair, why in coverage.unreached() if pair.case != case.name} == {"no other key", "stopped early"}


# ---------------------------------------------------------------- the pass against the reference server
def systematic_pass(*faults: str, strict: bool = False, other: bool = True) -> Coverage:
    """Run the systematic pass against a fresh reference server (with ``faults``); its coverage, or its finding."""
    keys = {"a": ADMIN, **({"b": OTHER} if other else {})}
    with EmbeddedServer(provision_delay=0.1, faults=faults) as server:
        clients = {org: ApiClient(server.base_url, key, redactor=Redactor(keys.values()), log=StepLog())
                   for org, key in keys.items()}  # fmt: skip
        registries = {org: Registry() for org in clients}
        SystematicPass.context = Context(clients, registries, "sh-test-", StepLog(), strict=strict, provision_wait=10)
        coverage = Coverage(MAP)
        try:
            SystematicPass(MAP, coverage).run()
        finally:
            for org, registry in registries.items():
                registry.cleanup(clients[org])
                clients[org].close()
    return coverage


@pytest.fixture(autouse=True)
def _no_notes_left_over() -> Iterator[None]:
    """Notes the pass makes through expect() (schema breaks, recommendations) belong to no check here."""
    yield
    recommend.take()


@pytest.mark.slow
@pytest.mark.parametrize(("faults", "strict"), [((), False), ((), True), (("alternative-choices",), False)])
def test_the_pass_reaches_every_pair_and_holds_on_documents_faithful_servers(
    faults: tuple[str, ...], strict: bool
) -> None:
    """Against the reference server (at both levels) and a server that chose otherwise wherever the documents leave
    room, the pass finds nothing and reads every pair of the map."""
    coverage = systematic_pass(*faults, strict=strict)

    assert coverage.unreached() == []
    assert len(coverage.exercised) == len(MAP.pairs())


@pytest.mark.slow
def test_without_another_organization_its_view_is_not_reached_and_says_why() -> None:
    """With one key only, every other pair is read and each 'other-organization' pair is named, with why."""
    coverage = systematic_pass(other=False)
    unreached = coverage.unreached()

    assert {pair.view for pair, _ in unreached} == {"other-organization"}
    assert len(unreached) == len(MAP.cases)
    assert {why for _, why in unreached} == {"no other organization's key (STRONGLY_OTHER_API_KEY) was given"}


# Every fault the model phase declares, with the pair where the pass catches it and the requirement it names.
DRIFTS = {
    "stats-forget-deletes": ("deleteVolume@unshared -> project/stats", "PRJ-STATS-001"),
    "stats-stale-after-resize": ("updateVolume@unshared -> project/stats", "PRJ-STATS-001"),
    "projects-drop-past-100": ("createProject@beyond the largest page -> projects", "GEN-LIST-006"),
    "volumes-two-filters-drop-one": ("createVolume@active project -> volumes?projectId", "VOL-LIST-003"),
    "volume-sort-unstable-on-ties": ("updateVolume@unshared -> volumes?sort", "GEN-LIST-006"),
    "activity-misses-shares": ("shareVolume@unshared -> project/activity", "PRJ-ACT-001"),
    "project-update-lost-when-concurrent": ("updateProject@concurrent", "DUR-002"),
    "stats-count-deleted-workspaces": ("deleteWorkspace@stopped -> project/stats", "PRJ-STATS-001"),
    "shared-list-keeps-deleted": ("deleteVolume@shared -> volumes/shared", "VOL-SHARE-002"),
    "project-list-keeps-deleted": ("createProject@new -> projects?status", "PRJ-LIST-002"),
    "stats-active-ignores-stops": ("stopWorkspace@running -> project/stats", "PRJ-STATS-001"),
    "workspace-count-ignores-deletes": ("deleteWorkspace@stopped -> workspaces", "GEN-LIST-003"),
    "collaborator-count-ignores-removals": ("removeProjectCollaborator@member -> project/collaborators",
                                            "GEN-LIST-006"),
    "restart-moves-created-at": ("restartWorkspace@running -> workspace", "GEN-TIME-001"),
    "share-resets-mount-path": ("shareVolume@unshared -> volume", "VOL-LIFE-002"),
    "archive-clears-category": ("archiveProject@active -> project", "PRJ-LIFE-002"),
    "workspace-list-stale-status": ("stopWorkspace@running -> workspaces", "WS-LIFE-004"),
    "volume-list-stale-size": ("updateVolume@unshared -> volumes", "VOL-LIFE-002"),
    "project-list-stale-status": ("archiveProject@active -> projects", "PRJ-LIFE-003"),
    "delete-workspace-drops-volumes": ("deleteWorkspace@stopped -> project/stats", "PRJ-STATS-001"),
}  # fmt: skip
# Faults of other areas that the pass's new readers catch: the status endpoint, metrics, mounts, the other
# organization, a refusal the documents state, a search that must split the list, an id given twice.
READ_BY_NEW_VIEWS = {
    "ready-after-stop": ("stopWorkspace@running -> workspace/status", "WS-LIFE-003"),
    "metrics-when-stopped": ("stopWorkspace@running -> workspace/metrics", "WS-LIFE-011"),
    "no-volume-mounts": ("createVolume@active project -> siblings", "WS-SEM-005"),
    "other-org-lists": ("-> other-organization", "AUTH-ISO-002"),
    "start-while-running": ("startWorkspace@running", "WS-LIFE-009"),
    "workspace-search-ignored": ("createWorkspace@active project -> workspaces", "WS-LIST-001"),
    "ids-reused": ("createProject@new", "GEN-ID-002"),
}


def test_the_map_knows_every_fault_the_model_phase_declares() -> None:
    """Each planted fault declaring GEN-MODEL-001 is listed above with where the pass must catch it, and declares
    the requirement the pass names there (a finding is charged to that one; the kill matrix looks for it)."""
    declared = {name for name, fault in CATALOGUE.items() if MODEL in fault.catches}

    assert declared == set(DRIFTS)
    assert [name for name, (_, requirement) in DRIFTS.items() if requirement not in CATALOGUE[name].catches] == []


@pytest.mark.slow
@pytest.mark.parametrize("fault", [*DRIFTS, *READ_BY_NEW_VIEWS])
def test_each_planted_drift_is_caught_by_the_pass_at_its_pair(fault: str) -> None:
    """The pass fails on the fault, at the pair it names and for the requirement the fault breaks (the same
    every run: nothing in the pass is drawn)."""
    where, requirement = {**DRIFTS, **READ_BY_NEW_VIEWS}[fault]

    with pytest.raises(ContractViolation) as caught:
        systematic_pass(fault, strict=CATALOGUE[fault].strict)

    assert caught.value.requirement == requirement
    assert where in "\n".join(getattr(caught.value, "__notes__", []))
