"""Volumes: create with defaults, update, delete and its precondition, sharing."""

from __future__ import annotations

import pytest

from contracts.support import changes_exactly, differences, items
from harness.client import ApiClient
from harness.expect import expect
from harness.factory import Factory

V = "/api/v1/volumes"


@pytest.mark.requirement("VOL-LIFE-001")
@pytest.mark.smoke
def test_create_answers_201_and_applies_defaults(api: ApiClient, make: Factory) -> None:
    """Create answers {volumeId} alone; the volume reads back as given, type data and unshared by default."""
    project = make.project()
    body = {"projectId": project["id"], "label": make.name("volume"), "sizeGb": 2.5, "description": "as given"}
    created = expect(api.post(V, json=body), "createVolume", 201)
    make.registry.add("volume", created["volumeId"])

    assert isinstance(created["volumeId"], str)  # more fields may come with it (D-17)
    volume = make.get("volume", created["volumeId"])
    assert {key: volume[key] for key in body} == body
    assert (volume["type"], volume["isShared"], volume["shared"]) == ("data", False, False)
    assert volume["mountPath"].startswith("/")


@pytest.mark.requirement("VOL-LIFE-002")
def test_update_changes_exactly_the_fields_given(api: ApiClient, make: Factory) -> None:
    """A PUT answers and reads back with the given fields changed and nothing else (D-18)."""
    volume = make.volume(make.project()["id"])
    for change in ({"label": make.name("relabelled")}, {"sizeGb": 9}, {"mountPath": "/data/elsewhere"},
                   {"description": "new"}):  # fmt: skip
        changes_exactly(api, make, "volume", volume["id"], change)


@pytest.mark.requirement("VOL-LIFE-003")
def test_delete_waits_for_live_workspaces(api: ApiClient, make: Factory) -> None:
    """While a running workspace mounts it, delete answers 409; once stopped, 204 and the volume is gone."""
    project = make.project()
    volume = make.volume(project["id"])
    workspace = make.running_workspace(project["id"])

    expect(api.delete(f"{V}/{volume['id']}"), "deleteVolume", 409)
    assert make.get("volume", volume["id"])["id"] == volume["id"]
    expect(api.post(f"/api/v1/workspaces/{workspace['id']}/stop"), "stopWorkspace", 200)
    expect(api.delete(f"{V}/{volume['id']}"), "deleteVolume", 204)
    make.forget("volume", volume["id"])

    expect(api.get(f"{V}/{volume['id']}"), "getVolume", 404)
    expect(api.delete(f"{V}/{volume['id']}"), "deleteVolume", 404)


@pytest.mark.requirement("VOL-LIFE-004")
def test_create_in_an_unknown_or_archived_project(api: ApiClient, make: Factory) -> None:
    """Creating in an unknown project answers 404, in an archived one 409; nothing is created."""
    label = make.name("volume")
    expect(api.post(V, json={"projectId": "proj_does_not_exist", "label": label, "sizeGb": 1}), "createVolume", 404)
    project = make.project()
    expect(api.post(f"/api/v1/projects/{project['id']}/archive"), "archiveProject", 200)

    expect(api.post(V, json={"projectId": project["id"], "label": label, "sizeGb": 1}), "createVolume", 409)

    assert items(api, "listVolumes", search=label) == []


@pytest.mark.requirement("VOL-SHARE-001")
def test_sharing_a_volume_once(api: ApiClient, make: Factory) -> None:
    """Share answers 200; isShared and shared turn true; it is listed as shared; sharing again answers 409."""
    volume = make.volume(make.project()["id"])

    answer = expect(api.post(f"{V}/{volume['id']}/share"), "shareVolume", 200)

    assert answer["volumeId"] == volume["id"]
    shared = make.get("volume", volume["id"])
    assert (shared["isShared"], shared["shared"]) == (True, True)
    assert volume["id"] in {item["id"] for item in items(api, "listSharedVolumes", search=volume["label"])}
    expect(api.post(f"{V}/{volume['id']}/share"), "shareVolume", 409)
    assert differences(shared, make.get("volume", volume["id"])) == {}
