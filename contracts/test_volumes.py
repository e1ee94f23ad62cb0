"""Volumes: create with defaults, update, delete and its precondition, sharing."""

from __future__ import annotations

import pytest

from contracts.support import VOLATILE, changes_exactly, differences, every, register_if_created, told
from harness.client import ApiClient
from harness.expect import expect, refused, require, settled
from harness.factory import Factory, new_id
from harness.recommend import recommend

V = "/api/v1/volumes"


@pytest.mark.requirement("VOL-LIFE-001")
@pytest.mark.recommends("GEN-DEFAULT-001")
@pytest.mark.smoke
def test_create_answers_201_and_applies_defaults(api: ApiClient, make: Factory) -> None:
    """Create answers 201 with the new id ({volumeId} recommended, or the SDK's Volume); the volume reads
    back as given and unshared; type data and a mount path are the recommended defaults (D-23)."""
    project = make.project()
    body = {"projectId": project["id"], "label": make.name("volume"), "sizeGb": 2.5, "description": "as given"}
    response = api.post(V, json=body)
    created = expect(response, "createVolume", 201)
    volume_id = new_id(created, "volume")
    make.registry.add("volume", volume_id)

    volume = make.get("volume", volume_id)
    read = {key: dict.get(volume, key) for key in body}
    require(read == body, "VOL-LIFE-001/reads-back", f"created with {body}, it reads back {read}", response)
    flags = (volume["isShared"], volume["shared"])
    require(flags == (False, False), "VOL-LIFE-001/unshared", f"a new volume reads isShared, shared {flags}")
    answered = {key: dict.get(created, key) for key in created if key in volume and key not in (*VOLATILE, "status")}
    disagree = {key: (value, dict.get(volume, key)) for key, value in answered.items() if value != volume[key]}
    require(not disagree, "VOL-LIFE-001/agrees", f"the create answer and the next GET disagree on {disagree}", response)
    recommend(
        "GEN-DEFAULT-001",
        volume.get("type") == "data" and str(volume.get("mountPath", "")).startswith("/"),
        f"an omitted type reads as data and mountPath as a path (D-23), got {volume.get('type')!r}, "
        f"{volume.get('mountPath')!r}",
    )


@pytest.mark.requirement("VOL-LIFE-002")
@pytest.mark.recommends("VOL-LIFE-005")
def test_update_changes_exactly_the_fields_given(api: ApiClient, make: Factory) -> None:
    """A PUT answers and reads back with the given fields changed and nothing else (D-18); a volume grows (that
    it may also shrink is recommended: the documents do not say)."""
    volume = make.volume(make.project()["id"], sizeGb=2)
    for change in (
        {"label": make.name("relabelled")},
        {"sizeGb": 9},
        {"mountPath": "/data/elsewhere"},
        {"description": "new"},
    ):
        changes_exactly(api, make, "volume", volume["id"], change, ("VOL-LIFE-002/exactly", "VOL-LIFE-002/agrees"))
    before = make.get("volume", volume["id"])
    response = api.put(f"{V}/{volume['id']}", json={"sizeGb": 4})
    if recommend(
        "VOL-LIFE-005",
        200 <= response.status_code < 300,
        f"shrinking a volume from 9 to 4 GB answered {response.status_code} (D-18)",
        response,
    ):
        return
    refused(response, "updateVolume", 409)
    moved = differences(before, make.get("volume", volume["id"]))
    require(not moved, "VOL-LIFE-002/refused", f"a refused shrink changed the volume: {moved}", response)


@pytest.mark.requirement("VOL-LIFE-003")
@pytest.mark.recommends("GEN-ERR-004", "VOL-LIFE-006")
@pytest.mark.slow(1)
def test_delete_waits_for_live_workspaces(api: ApiClient, make: Factory) -> None:
    """A volume deletes and is gone; while a running workspace mounts it, delete is recommended refused (409,
    D-32: the documents say nothing of it)."""
    project = make.project()
    volume = make.volume(project["id"])
    workspace = make.running_workspace(project["id"])

    response = api.delete(f"{V}/{volume['id']}")
    if 200 <= response.status_code < 300:
        recommend(
            "VOL-LIFE-006",
            False,
            f"deleting a volume a running workspace mounts answered {response.status_code} (D-32: refused)",
            response,
        )
    else:
        refused(response, "deleteVolume", 409)
        require(
            make.get("volume", volume["id"])["id"] == volume["id"],
            "VOL-LIFE-003/refused",
            "a refused delete removed the volume",
        )
        make.stop(workspace["id"])
        expect(api.delete(f"/api/v1/workspaces/{workspace['id']}"), "deleteWorkspace", 204)
        make.forget("workspace", workspace["id"])
        response = api.delete(f"{V}/{volume['id']}")
        expect(response, "deleteVolume", 204)
    make.forget("volume", volume["id"])

    expect(api.get(f"{V}/{volume['id']}"), "getVolume", 404)
    expect(api.delete(f"{V}/{volume['id']}"), "deleteVolume", 404)


@pytest.mark.requirement("VOL-LIFE-004")
@pytest.mark.recommends("GEN-ERR-004")
def test_create_in_an_unknown_project(api: ApiClient, make: Factory) -> None:
    """Creating in an unknown project is refused (404 recommended, D-21) and creates nothing."""
    label = make.name("volume")

    response = api.post(V, json={"projectId": "proj_does_not_exist", "label": label, "sizeGb": 1})
    register_if_created(make, response, "volume")
    refused(response, "createVolume", 404)

    left = [v["id"] for v in every(api, "listVolumes", search=label)]
    require(not left, "VOL-LIFE-004/nothing", f"a refused create left {left} behind", response)


@pytest.mark.requirement("PRJ-LIFE-005")
def test_create_in_an_archived_project(api: ApiClient, make: Factory) -> None:
    """Creating in an archived project answers 409 and creates nothing (D-27)."""
    label = make.name("volume")
    project = make.project()
    expect(api.post(f"/api/v1/projects/{project['id']}/archive"), "archiveProject", 200)

    response = api.post(V, json={"projectId": project["id"], "label": label, "sizeGb": 1})
    register_if_created(make, response, "volume")
    expect(response, "createVolume", 409)

    left = [v["id"] for v in every(api, "listVolumes", search=label)]
    require(not left, "PRJ-LIFE-005/unchanged", f"a refused create left {left} behind", response)


@pytest.mark.requirement("VOL-SHARE-001")
@pytest.mark.recommends("GEN-IDEM-001", "GEN-ERR-004")
def test_sharing_a_volume_once(api: ApiClient, make: Factory) -> None:
    """Share answers 200; isShared and shared turn true; it is listed as shared; sharing again changes
    nothing (409 recommended, D-25; an idempotent 200 is accepted)."""
    volume = make.volume(make.project()["id"])

    response = api.post(f"{V}/{volume['id']}/share")
    answer = expect(response, "shareVolume", 200)

    said = told(answer, "volumeId", volume["id"])  # the SDK's make_shared 'Returns dict'
    require(said == volume["id"], "VOL-SHARE-001/agrees", f"sharing {volume['id']} answered {answer}", response)
    shared = make.get("volume", volume["id"])
    flags = (shared["isShared"], shared["shared"])
    require(flags == (True, True), "VOL-SHARE-001/shared", f"a shared volume reads isShared, shared {flags}")
    listed = {item["id"] for item in every(api, "listSharedVolumes", search=volume["label"])}
    listed = listed or {item["id"] for item in every(api, "listSharedVolumes")}  # its search may miss labels
    require(volume["id"] in listed, "VOL-SHARE-001/listed", "a shared volume is not in the shared list")
    again = api.post(f"{V}/{volume['id']}/share")
    settled(again, "shareVolume")
    allowed = set(VOLATILE) if 200 <= again.status_code < 300 else set()
    moved = differences(shared, make.get("volume", volume["id"]), allowed=allowed)
    require(
        not moved,
        "VOL-SHARE-001/again",
        f"sharing a shared volume (answered {again.status_code}) changed {moved}",
        again,
    )
