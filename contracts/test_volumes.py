"""Volumes: create with defaults, update, delete and its precondition, sharing."""

from __future__ import annotations

import pytest

from contracts.support import changes_exactly, differences, items
from harness.client import ApiClient
from harness.expect import expect, refused, settled
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
    created = expect(api.post(V, json=body), "createVolume", 201)
    volume_id = new_id(created, "volume")
    make.registry.add("volume", volume_id)

    volume = make.get("volume", volume_id)
    assert {key: volume[key] for key in body} == body
    assert (volume["isShared"], volume["shared"]) == (False, False)
    answered = {key: created[key] for key in created if key in volume and key not in ("updatedAt", "status")}
    assert answered == {key: volume[key] for key in answered}, "the create answer and the next GET disagree"
    recommend("GEN-DEFAULT-001", volume.get("type") == "data" and str(volume.get("mountPath", "")).startswith("/"),
              f"an omitted type reads as data and mountPath as a path (D-23), got {volume.get('type')!r}, "
              f"{volume.get('mountPath')!r}")  # fmt: skip


@pytest.mark.requirement("VOL-LIFE-002")
def test_update_changes_exactly_the_fields_given(api: ApiClient, make: Factory) -> None:
    """A PUT answers and reads back with the given fields changed and nothing else (D-18)."""
    volume = make.volume(make.project()["id"])
    for change in ({"label": make.name("relabelled")}, {"sizeGb": 9}, {"mountPath": "/data/elsewhere"},
                   {"description": "new"}):  # fmt: skip
        changes_exactly(api, make, "volume", volume["id"], change)


@pytest.mark.requirement("VOL-LIFE-003")
@pytest.mark.recommends("GEN-ERR-004")
@pytest.mark.slow(1)
def test_delete_waits_for_live_workspaces(api: ApiClient, make: Factory) -> None:
    """While a running workspace mounts it, delete is refused (409 recommended, D-32); once stopped, 204 and
    the volume is gone."""
    project = make.project()
    volume = make.volume(project["id"])
    workspace = make.running_workspace(project["id"])

    refused(api.delete(f"{V}/{volume['id']}"), "deleteVolume", 409)
    assert make.get("volume", volume["id"])["id"] == volume["id"]
    expect(api.post(f"/api/v1/workspaces/{workspace['id']}/stop"), "stopWorkspace", 200)
    expect(api.delete(f"{V}/{volume['id']}"), "deleteVolume", 204)
    make.forget("volume", volume["id"])

    expect(api.get(f"{V}/{volume['id']}"), "getVolume", 404)
    expect(api.delete(f"{V}/{volume['id']}"), "deleteVolume", 404)


@pytest.mark.requirement("VOL-LIFE-004")
@pytest.mark.recommends("GEN-ERR-004")
def test_create_in_an_unknown_project(api: ApiClient, make: Factory) -> None:
    """Creating in an unknown project is refused (404 recommended, D-21) and creates nothing."""
    label = make.name("volume")

    refused(api.post(V, json={"projectId": "proj_does_not_exist", "label": label, "sizeGb": 1}), "createVolume", 404)

    assert items(api, "listVolumes", search=label) == []


@pytest.mark.requirement("PRJ-LIFE-005")
def test_create_in_an_archived_project(api: ApiClient, make: Factory) -> None:
    """Creating in an archived project answers 409 and creates nothing (D-27)."""
    label = make.name("volume")
    project = make.project()
    expect(api.post(f"/api/v1/projects/{project['id']}/archive"), "archiveProject", 200)

    expect(api.post(V, json={"projectId": project["id"], "label": label, "sizeGb": 1}), "createVolume", 409)

    assert items(api, "listVolumes", search=label) == []


@pytest.mark.requirement("VOL-SHARE-001")
@pytest.mark.recommends("GEN-IDEM-001", "GEN-ERR-004")
def test_sharing_a_volume_once(api: ApiClient, make: Factory) -> None:
    """Share answers 200; isShared and shared turn true; it is listed as shared; sharing again changes
    nothing (409 recommended, D-25; an idempotent 200 is accepted)."""
    volume = make.volume(make.project()["id"])

    answer = expect(api.post(f"{V}/{volume['id']}/share"), "shareVolume", 200)

    assert answer.get("volumeId", volume["id"]) == volume["id"], answer  # the SDK's make_shared 'Returns dict'
    shared = make.get("volume", volume["id"])
    assert (shared["isShared"], shared["shared"]) == (True, True)
    assert volume["id"] in {item["id"] for item in items(api, "listSharedVolumes", search=volume["label"])}
    settled(api.post(f"{V}/{volume['id']}/share"), "shareVolume")
    assert differences(shared, make.get("volume", volume["id"])) == {}
