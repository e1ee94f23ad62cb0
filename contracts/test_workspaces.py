"""Workspaces: the provisioning lifecycle and every state rule of DECISIONS.md, both ways."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from contracts.support import (
    TICK,
    changes_exactly,
    cores,
    differences,
    entries,
    gibibytes,
    percent,
    register_if_created,
    told,
    whole_seconds,
)
from harness.client import ApiClient
from harness.expect import entries_by, expect, refused, require, settled
from harness.factory import Factory
from harness.recommend import recommend

W = "/api/v1/workspaces"
OPERATIONS = {"start": "startWorkspace", "stop": "stopWorkspace", "restart": "restartWorkspace"}
LANDS = 10.0  # the longest a stop may take to land before it is a finding (a real deployment's pod stops in seconds)


def status_of(api: ApiClient, workspace_id: str) -> Any:
    return expect(api.get(f"{W}/{workspace_id}/status"), "getWorkspaceStatus", 200)


def ready_condition(api: ApiClient, workspace_id: str) -> dict[str, Any]:
    """The status' Ready condition (a status without one fails the check that needs it)."""
    return entries_by(status_of(api, workspace_id)["conditions"], "type", "the status' conditions")["Ready"]


def unchanged(before: Any, after: Any, assertion: str, what: str, response: httpx.Response | None = None) -> None:
    moved = differences(before, after)
    require(not moved, assertion, f"{what} changed the workspace: {moved} (before, after)", response)


def refused_unchanged(
    api: ApiClient, make: Factory, workspace_id: str, method: str, path: str, assertion: str, body: Any = None
) -> None:
    """The request is refused (any 4xx; 409 recommended, GEN-ERR-004) and the workspace reads back as before."""
    before = make.get("workspace", workspace_id)
    operation = OPERATIONS.get(path.rsplit("/", 1)[-1], "updateWorkspace" if method == "PUT" else "deleteWorkspace")
    response = api.request(method, path, **({} if body is None else {"json": body}))
    refused(response, operation, 409)
    unchanged(before, make.get("workspace", workspace_id), assertion, f"a refused {method} {path}", response)


def stopped(api: ApiClient, make: Factory, workspace_id: str) -> Any:
    """Stop a running workspace and wait for it to read stopped: the REST answer says "stopped" at once; that it
    lands at once is recommended (WS-LIFE-017), within LANDS seconds it must."""
    response = api.post(f"{W}/{workspace_id}/stop")
    answer = expect(response, "stopWorkspace", 200)
    now = make.get("workspace", workspace_id)
    recommend("WS-LIFE-017", now["status"] == "stopped", f"right after its stop the workspace reads {now['status']!r}")
    return answer, make.wait_until(workspace_id, "stopped", promised_by="WS-LIFE-004")


@pytest.mark.requirement("WS-LIFE-001")
@pytest.mark.smoke
def test_create_answers_201_with_the_id(api: ApiClient, make: Factory) -> None:
    """Create answers 201 with {workspaceId} (more fields may come with it), and the workspace reads back
    with the fields given."""
    project = make.project()
    body = {
        "name": make.name("workspace"),
        "description": "reads back as given",
        "environmentType": "vscode",
        "image": "strongly/vscode:1.2",
        "resources": {"cpu": "1", "memory": "2Gi", "gpu": "0", "storage": "5Gi"},
        "projectId": project["id"],
    }
    response = api.post(W, json=body)
    answer = expect(response, "createWorkspace", 201)
    created = told(answer, "workspaceId", None)
    register_if_created(make, response, "workspace")
    require(isinstance(created, str), "WS-LIFE-001/answer", f"the create answered {answer}, without workspaceId",
            response)  # fmt: skip

    workspace = make.get("workspace", created)
    require(workspace["id"] == created, "WS-LIFE-001/reads-back", f"GET of {created} answered id {workspace['id']}")
    read = {
        field: dict.get(workspace, field) for field in ("name", "description", "environmentType", "image", "projectId")
    }
    given = {field: body[field] for field in read}
    require(read == given, "WS-LIFE-001/reads-back", f"created with {given}, it reads back {read}", response)
    resources = workspace["resources"]
    shown = {key: dict.get(resources, key) for key in body["resources"]}
    require(
        shown == body["resources"],
        "WS-LIFE-001/reads-back",
        f"created with resources {body['resources']}, it reads back {shown}",
        response,
    )
    owner = workspace.get("owner")
    require(
        not isinstance(owner, dict) or owner.get("id") == workspace["ownerId"],
        "WS-LIFE-001/owner",
        f"owner {owner} names another user than ownerId {workspace['ownerId']}",
    )


@pytest.mark.requirement("WS-LIFE-002")
@pytest.mark.smoke
@pytest.mark.slow(1)
def test_a_new_workspace_provisions_itself(api: ApiClient, make: Factory) -> None:
    """A new workspace is pending or running, never stopped, and runs without a start call (D-06)."""
    workspace = make.workspace()

    require(
        workspace["status"] in ("pending", "running"),
        "WS-LIFE-002/provisions",
        f"a new workspace reads {workspace['status']!r}, not pending or running",
    )
    make.wait_until(workspace["id"], "running")


@pytest.mark.requirement("WS-LIFE-003")
@pytest.mark.smoke
@pytest.mark.slow(1)
def test_status_agrees_with_the_workspace(api: ApiClient, make: Factory) -> None:
    """Phase, ready and the Ready condition match the workspace's status when pending, running and stopped."""
    workspace = make.workspace()
    seen = set()

    def agrees(workspace_id: str) -> None:
        before = make.get("workspace", workspace_id)["status"]
        status = status_of(api, workspace_id)
        current = make.get("workspace", workspace_id)["status"]
        if current != before:
            return  # it moved while its status was read: the two views may each be right
        conditions = {condition.get("type"): condition.get("status") for condition in status["conditions"]}
        said = f"a {current} workspace's status reads phase {status['phase']!r}, ready {status['ready']!r}"
        require(status["phase"] == current.capitalize(), "WS-LIFE-003/phase", said)
        require(status["ready"] is (current == "running"), "WS-LIFE-003/ready", said)
        ready = conditions.get("Ready")
        require(
            ready == "True" if current == "running" else ready != "True",
            "WS-LIFE-003/ready",
            f"{said}, conditions {conditions}",
        )
        seen.add(current)

    agrees(workspace["id"])
    make.wait_until(workspace["id"], "running")
    agrees(workspace["id"])
    stopped(api, make, workspace["id"])
    agrees(workspace["id"])
    require({"running", "stopped"} <= seen, "WS-LIFE-003/phase", f"the check saw only {sorted(seen)} workspaces")


@pytest.mark.requirement("WS-LIFE-004")
@pytest.mark.recommends("WS-LIFE-017")
@pytest.mark.running_workspaces(1)
def test_stop_a_running_workspace(api: ApiClient, make: Factory) -> None:
    """Stop answers 200 with status stopped; afterwards the workspace and its status read as stopped."""
    workspace = make.running_workspace(pooled=True)

    answer, _ = stopped(api, make, workspace["id"])

    said = (told(answer, "workspaceId", None), told(answer, "status", None))
    require(said == (workspace["id"], "stopped"), "WS-LIFE-004/answer", f"the stop answered {answer}")
    status = status_of(api, workspace["id"])
    require(
        (status["phase"], status["ready"]) == ("Stopped", False),
        "WS-LIFE-004/not-ready",
        f"a stopped workspace's status reads phase {status['phase']!r}, ready {status['ready']!r}",
    )


@pytest.mark.requirement("WS-LIFE-005")
@pytest.mark.running_workspaces(1)
@pytest.mark.slow(1)
def test_start_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """Start answers 200 with status pending, and the workspace becomes running again."""
    workspace = make.stopped_workspace(pooled=True)

    response = api.post(f"{W}/{workspace['id']}/start")
    answer = expect(response, "startWorkspace", 200)

    said = (told(answer, "workspaceId", None), told(answer, "status", None))
    require(said == (workspace["id"], "pending"), "WS-LIFE-005/answer", f"the start answered {answer}", response)
    now = make.get("workspace", workspace["id"])["status"]
    require(now in ("pending", "running"), "WS-LIFE-005/starts", f"right after its start it reads {now!r}")
    make.wait_until(workspace["id"], "running", promised_by="WS-LIFE-005")


@pytest.mark.requirement("WS-LIFE-006")
@pytest.mark.running_workspaces(1)
@pytest.mark.slow(1)
def test_restart_a_running_workspace(api: ApiClient, make: Factory) -> None:
    """Restart answers 200 with status pending, goes through a new Ready transition and runs again."""
    workspace = make.running_workspace(pooled=True)
    ready_before = whole_seconds(ready_condition(api, workspace["id"])["lastTransitionTime"])
    time.sleep(TICK)  # a new transition in whole seconds needs a second to pass

    response = api.post(f"{W}/{workspace['id']}/restart")
    answer = expect(response, "restartWorkspace", 200)

    said = (told(answer, "workspaceId", None), told(answer, "status", None))
    require(said == (workspace["id"], "pending"), "WS-LIFE-006/answer", f"the restart answered {answer}", response)
    make.wait_until(workspace["id"], "running", promised_by="WS-LIFE-006")
    ready_after = whole_seconds(ready_condition(api, workspace["id"])["lastTransitionTime"])
    require(
        None not in (ready_before, ready_after) and ready_after > ready_before,
        "WS-LIFE-006/transition",
        f"the workspace did not go through a new Ready transition: {ready_before} then {ready_after}",
    )


@pytest.mark.requirement("WS-LIFE-007")
@pytest.mark.recommends("WS-LIFE-017")
@pytest.mark.smoke
@pytest.mark.running_workspaces(1)
def test_delete_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """Delete answers 204; then the workspace, its sub-resources and a second delete answer 404. A stop whose
    delete is refused a moment longer is accepted, bounded (that it lands at once is recommended)."""
    workspace = make.stopped_workspace(pooled=True)
    path = f"{W}/{workspace['id']}"

    deadline = time.monotonic() + LANDS
    response = api.delete(path)
    while 400 <= response.status_code < 500 and time.monotonic() < deadline:
        recommend(
            "WS-LIFE-017",
            False,
            f"DELETE {path} of a workspace reading stopped answered {response.status_code}; it was deleted later",
            response,
        )
        time.sleep(0.5)
        response = api.delete(path)
    expect(response, "deleteWorkspace", 204)
    make.forget("workspace", workspace["id"])

    expect(api.get(path), "getWorkspace", 404)
    for suffix, operation in (
        ("/status", "getWorkspaceStatus"),
        ("/metrics", "getWorkspaceMetrics"),
        ("/logs", "getWorkspaceLogs"),
    ):
        expect(api.get(path + suffix), operation, 404)
    expect(api.post(path + "/start"), "startWorkspace", 404)
    expect(api.delete(path), "deleteWorkspace", 404)


@pytest.mark.requirement("WS-LIFE-008")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.running_workspaces(1)
def test_delete_is_refused_while_live(api: ApiClient, make: Factory) -> None:
    """Deleting a pending or running workspace is refused (409 recommended) and leaves it as it was (D-09)."""
    running = make.running_workspace(pooled=True)
    refused_unchanged(api, make, running["id"], "DELETE", f"{W}/{running['id']}", "WS-LIFE-008/unchanged")
    fresh = make.workspace()
    refused(api.delete(f"{W}/{fresh['id']}"), "deleteWorkspace", 409)
    make.get("workspace", fresh["id"])


@pytest.mark.requirement("WS-LIFE-009")
@pytest.mark.recommends("GEN-ERR-004", "GEN-IDEM-001")
@pytest.mark.parametrize(("state", "action"), [("running", "start"), ("stopped", "stop")])
@pytest.mark.running_workspaces(1)
def test_an_action_already_done_changes_nothing(api: ApiClient, make: Factory, state: str, action: str) -> None:
    """Start on running, stop on stopped: refused (409 recommended, D-08) or answered as done; nothing changes."""
    workspace = make.running_workspace(pooled=True) if state == "running" else make.stopped_workspace(pooled=True)
    before = make.get("workspace", workspace["id"])

    response = api.post(f"{W}/{workspace['id']}/{action}")
    settled(response, OPERATIONS[action])

    unchanged(
        before,
        make.get("workspace", workspace["id"]),
        "WS-LIFE-009/unchanged",
        f"{action} on a {state} workspace (answered {response.status_code})",
        response,
    )


@pytest.mark.requirement("WS-LIFE-009")
@pytest.mark.recommends("GEN-ERR-004", "WS-LIFE-018")
@pytest.mark.running_workspaces(1)
def test_a_restart_of_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """Restart on stopped is refused (409 recommended, D-08) and changes nothing, or, read as "stop followed by
    start", starts it: it then runs."""
    workspace = make.stopped_workspace(pooled=True)
    before = make.get("workspace", workspace["id"])

    response = api.post(f"{W}/{workspace['id']}/restart")

    if 200 <= response.status_code < 300:
        recommend(
            "WS-LIFE-018",
            False,
            f"restart of a stopped workspace answered {response.status_code} and starts it",
            response,
        )
        expect(response, "restartWorkspace", 200)
        make.wait_until(workspace["id"], "running", promised_by="WS-LIFE-006")
        return
    refused(response, "restartWorkspace", 409)
    unchanged(
        before,
        make.get("workspace", workspace["id"]),
        "WS-LIFE-009/unchanged",
        f"a refused restart (answered {response.status_code})",
        response,
    )


@pytest.mark.requirement("WS-LIFE-010")
@pytest.mark.recommends("GEN-ERR-004", "WS-LIFE-017")
@pytest.mark.running_workspaces(1)
def test_runtime_changes_need_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """Resources change while running: refused (409 recommended), nothing changed; while stopped resources
    and image change ("Certain fields (e.g., resources) can only be updated while the workspace is stopped")."""
    workspace = make.running_workspace(pooled=True)
    path = f"{W}/{workspace['id']}"
    for body in ({"resources": {"cpu": "3"}}, {"name": "x", "resources": {"gpu": "1"}}):
        refused_unchanged(api, make, workspace["id"], "PUT", path, "WS-LIFE-010/refused", body)
    response = api.put(path, json={"name": make.name("renamed")})
    renamed = expect(response, "updateWorkspace", 200)
    require(
        renamed["status"] in ("running", "pending"),
        "WS-LIFE-010/rename",
        f"renaming a running workspace left it {renamed['status']!r}",
        response,
    )

    stopped(api, make, workspace["id"])
    response = api.put(path, json={"resources": {"cpu": "3"}, "image": "strongly/jupyter:other"})
    changed = expect(response, "updateWorkspace", 200)
    read = (dict.get(changed["resources"], "cpu"), changed["image"])
    require(
        read == ("3", "strongly/jupyter:other"),
        "WS-LIFE-010/while-stopped",
        f"resources and image changed while stopped read {read}",
        response,
    )


@pytest.mark.requirement("WS-LIFE-015")
@pytest.mark.running_workspaces(1)
def test_image_changes_need_a_stopped_workspace(api: ApiClient, make: Factory) -> None:
    """An image change while running answers 409 and changes nothing (D-10: "e.g." leaves the list open)."""
    workspace = make.running_workspace(pooled=True)
    before = make.get("workspace", workspace["id"])

    response = api.put(f"{W}/{workspace['id']}", json={"image": "strongly/jupyter:other"})
    expect(response, "updateWorkspace", 409)

    unchanged(before, make.get("workspace", workspace["id"]), "WS-LIFE-015/refused", "a refused image change")


@pytest.mark.requirement("WS-LIFE-011")
@pytest.mark.recommends("GEN-ERR-004", "WS-LIFE-017")
@pytest.mark.running_workspaces(1)
def test_metrics_only_while_running(api: ApiClient, make: Factory) -> None:
    """Metrics answer 200 while running and are refused once stopped (409 recommended, D-11)."""
    workspace = make.running_workspace(pooled=True)
    path = f"{W}/{workspace['id']}"

    expect(api.get(f"{path}/metrics"), "getWorkspaceMetrics", 200)
    stopped(api, make, workspace["id"])
    refused(api.get(f"{path}/metrics"), "getWorkspaceMetrics", 409)


def sync_with_nothing_to_do(api: ApiClient, workspace_id: str, why: str) -> httpx.Response:
    """A sync with nothing to sync: refused (409 recommended, D-13) or a 200 that did nothing; both parse."""
    response = api.post(f"{W}/{workspace_id}/sync")
    if 200 <= response.status_code < 300:
        recommend("WS-LIFE-016", False, f"sync {why} answered {response.status_code}, not 409", response)
        expect(response, "syncWorkspace", 200)
    else:
        refused(response, "syncWorkspace", 409)
    return response


@pytest.mark.requirement("WS-LIFE-012")
@pytest.mark.recommends("WS-LIFE-016", "GEN-ERR-004", "WS-LIFE-017")
@pytest.mark.running_workspaces(1)
@pytest.mark.slow(1)
def test_sync_a_running_workspace_with_a_volume(api: ApiClient, make: Factory) -> None:
    """Sync answers 200 for a running workspace with a volume; without a volume, or stopped, it is refused
    (409 recommended) or answered as done, and the workspace stays as it was."""
    project = make.project()
    make.volume(project["id"])
    mounted = make.running_workspace(project["id"])
    loose = make.running_workspace(pooled=True)

    response = api.post(f"{W}/{mounted['id']}/sync")
    answer = expect(response, "syncWorkspace", 200)
    require(
        told(answer, "workspaceId", mounted["id"]) == mounted["id"],
        "WS-LIFE-012/answer",
        f"the sync of {mounted['id']} answered {answer}",
        response,
    )
    response = sync_with_nothing_to_do(api, loose["id"], "without a volume")
    now = make.get("workspace", loose["id"])["status"]
    require(now == "running", "WS-LIFE-012/unchanged", f"after a sync without a volume it reads {now!r}", response)
    stopped(api, make, mounted["id"])
    response = sync_with_nothing_to_do(api, mounted["id"], "when stopped")
    now = make.get("workspace", mounted["id"])["status"]
    require(now == "stopped", "WS-LIFE-012/unchanged", f"after a sync of a stopped one it reads {now!r}", response)


@pytest.mark.requirement("WS-LIFE-013")
@pytest.mark.running_workspaces(1)
@pytest.mark.slow(1)
def test_logs_grow_with_the_lifecycle(api: ApiClient, make: Factory) -> None:
    """Build, deploy and pod logs have lines once running; stop and start add to them (D-33)."""
    workspace = make.running_workspace(pooled=True)
    path = f"{W}/{workspace['id']}"

    def lines(kind: str) -> int:
        body = expect(api.get(f"{path}/logs", type=kind), "getWorkspaceLogs", 200)
        require(body["logType"] == kind, "WS-LIFE-013/type", f"logs of type {kind} say logType {body['logType']!r}")
        return len(body["logs"].splitlines())

    first = {kind: lines(kind) for kind in ("build", "deploy", "pod")}
    require(all(first.values()), "WS-LIFE-013/grow", f"a running workspace has empty logs: {first}")
    default = expect(api.get(f"{path}/logs"), "getWorkspaceLogs", 200)["logType"]
    require(default == "pod", "WS-LIFE-013/type", f"logs without a type say logType {default!r}")
    make.stop(workspace["id"])
    require(lines("deploy") > first["deploy"], "WS-LIFE-013/grow", "a stop added no deploy log line")
    expect(api.post(f"{path}/start"), "startWorkspace", 200)
    make.wait_until(workspace["id"], "running", promised_by="WS-LIFE-005")
    require(lines("pod") > first["pod"], "WS-LIFE-013/grow", "a start added no pod log line")


@pytest.mark.requirement("WS-LIFE-014")
@pytest.mark.running_workspaces(1)
def test_url_only_while_running(api: ApiClient, make: Factory) -> None:
    """A running workspace has a URL; a stopped one has none (D-07)."""
    workspace = make.running_workspace(pooled=True)
    require(
        isinstance(workspace["url"], str) and bool(workspace["url"]),
        "WS-LIFE-014/url",
        f"a running workspace's url is {workspace['url']!r}",
    )

    make.stop(workspace["id"])
    url = make.get("workspace", workspace["id"]).get("url")
    require(url is None, "WS-LIFE-014/url", f"a stopped workspace's url is {url!r}")


@pytest.mark.requirement("WS-SEM-001")
@pytest.mark.parametrize("gpu", ["0", "1"])
@pytest.mark.slow(1)
def test_metrics_stay_within_the_allocation(api: ApiClient, make: Factory, gpu: str) -> None:
    """CPU, memory and disk in use stay within the request; without a GPU its usage is 0% (D-02)."""
    resources = {"cpu": "2", "memory": "4Gi", "gpu": gpu, "storage": "10Gi"}
    workspace = make.running_workspace(resources=resources)

    metrics = expect(api.get(f"{W}/{workspace['id']}/metrics"), "getWorkspaceMetrics", 200)

    read = {
        "cpu": cores(metrics.get("cpuUsage")),
        "memory": gibibytes(metrics.get("memoryUsage")),
        "disk": gibibytes(metrics.get("diskUsage")),
        "gpu": percent(metrics.get("gpuUsage")),
    }
    limits = {"cpu": 2.0, "memory": 4.0, "disk": 10.0, "gpu": 0.0 if gpu == "0" else 100.0}
    beyond = {key: value for key, value in read.items() if value is None or not 0 <= value <= limits[key]}
    require(not beyond, "WS-SEM-001/within", f"metrics {dict(metrics)} read {beyond} beyond {limits} (D-02)")


@pytest.mark.requirement("WS-SEM-002")
@pytest.mark.slow(1)
def test_update_changes_exactly_the_fields_given(api: ApiClient, make: Factory) -> None:
    """A PUT answers and reads back with the given fields changed and nothing else (D-18)."""
    workspace = make.stopped_workspace(resources={"cpu": "3", "memory": "6Gi", "storage": "20Gi"})  # none default
    for change in ({"name": make.name("renamed")}, {"description": "new words"}, {"resources": {"cpu": "4"}}):
        changes_exactly(api, make, "workspace", workspace["id"], change, ("WS-SEM-002/exactly", "WS-SEM-002/agrees"))


@pytest.mark.requirement("WS-SEM-003")
@pytest.mark.recommends("GEN-DEFAULT-001")
def test_defaults_fill_what_create_leaves_out(api: ApiClient, make: Factory) -> None:
    """Without image the workspace shows its type's image ("defaults to environment type default"); the
    resource defaults (cpu 2, memory 4Gi, gpu 0, storage 10Gi) are recommended (D-23)."""
    workspace = make.workspace(environmentType="rstudio")

    require(bool(workspace["image"]), "WS-SEM-003/default-image", f"no default image: {workspace['image']!r}")
    other = make.workspace(environmentType="rstudio")["image"]
    require(
        other == workspace["image"],
        "WS-SEM-003/default-image",
        f"two rstudio workspaces got {workspace['image']!r} and {other!r}",
    )
    resources = workspace.get("resources") or {}
    shown = {key: dict.get(resources, key) for key in ("cpu", "memory", "gpu", "storage", "gpuType")}
    recommend(
        "GEN-DEFAULT-001",
        shown == {"cpu": "2", "memory": "4Gi", "gpu": "0", "storage": "10Gi", "gpuType": None},
        f"omitted resources read as cpu 2, memory 4Gi, gpu 0, storage 10Gi (D-23), got {shown}",
    )


def created_nothing(api: ApiClient, response: httpx.Response, name: str, assertion: str) -> None:
    """A refused create left no workspace behind."""
    listed = [w["id"] for w in entries(expect(api.get(W, search=name), "listWorkspaces", 200), "listWorkspaces")]
    require(not listed, assertion, f"a refused create left {listed} behind", response)


@pytest.mark.requirement("WS-SEM-004")
@pytest.mark.recommends("GEN-ERR-004")
def test_create_in_an_unknown_project(api: ApiClient, make: Factory) -> None:
    """Creating in an unknown project is refused (404 recommended, D-21) and creates nothing."""
    body = {"name": make.name("workspace"), "description": "refused", "environmentType": "jupyter"}

    response = api.post(W, json={**body, "projectId": "proj_does_not_exist"})
    register_if_created(make, response, "workspace")
    refused(response, "createWorkspace", 404)

    created_nothing(api, response, body["name"], "WS-SEM-004/nothing")


@pytest.mark.requirement("PRJ-LIFE-005")
def test_create_in_an_archived_project(api: ApiClient, make: Factory) -> None:
    """Creating a workspace in an archived project answers 409 and creates nothing (D-27)."""
    body = {"name": make.name("workspace"), "description": "refused", "environmentType": "jupyter"}
    project = make.project()
    expect(api.post(f"/api/v1/projects/{project['id']}/archive"), "archiveProject", 200)

    response = api.post(W, json={**body, "projectId": project["id"]})
    register_if_created(make, response, "workspace")
    expect(response, "createWorkspace", 409)

    created_nothing(api, response, body["name"], "PRJ-LIFE-005/unchanged")


@pytest.mark.requirement("WS-SEM-005")
def test_a_workspace_mounts_its_projects_volumes(api: ApiClient, make: Factory) -> None:
    """volumeIds lists the project's volumes, oldest first, and follows new ones; none without a project."""
    project = make.project()
    first, second = make.volume(project["id"]), make.volume(project["id"])
    workspace = make.workspace(project["id"])
    require(
        workspace["volumeIds"] == [first["id"], second["id"]],
        "WS-SEM-005/volumes",
        f"volumeIds reads {workspace['volumeIds']}, the project's volumes {[first['id'], second['id']]}",
    )

    third = make.volume(project["id"])

    now = make.get("workspace", workspace["id"])["volumeIds"]
    require(
        now == [first["id"], second["id"], third["id"]],
        "WS-SEM-005/volumes",
        f"after a third volume volumeIds reads {now}",
    )
    loose = make.workspace()["volumeIds"]
    require(loose == [], "WS-SEM-005/volumes", f"a workspace without a project reads volumeIds {loose}")
