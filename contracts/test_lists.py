"""Lists: pagination, limits, counts, sort order, and every filter sound and complete.

A corpus of resources named under a marker unique to this run scopes each list to what the run
knows (``search=<marker>``), so completeness can be checked on a target full of other data;
soundness (every returned item matches) is also checked without the marker where it is cheap.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pytest

from contracts.support import LISTS, entries, ids, is_whole, items, page, walk
from harness.client import ApiClient
from harness.expect import expect
from harness.factory import Factory
from harness.recommend import recommend
from harness.run import RunConfig

# the project lists cannot be narrowed to this run's corpus: their pages, counts and order need a quiet server
pytestmark = pytest.mark.quiet("the project lists hold everything the other checks create")
WORDS = ["Alpha", "beta", "gamma", "delta", "Émile", "zeta"]


@dataclass
class Corpus:
    marker: str
    projects: list[dict[str, Any]]
    volumes: list[dict[str, Any]]
    workspaces: list[dict[str, Any]]

    @property
    def home(self) -> str:
        """The project that holds volumes and workspaces."""
        return self.projects[0]["id"]

    def scoped(self, operation_id: str) -> dict[str, Any]:
        """Query parameters that narrow a list to this corpus."""
        return {} if operation_id.startswith("listProject") else {"search": self.marker}


@pytest.fixture(scope="session")
def corpus(shared_make: Factory, api: ApiClient, run_config: RunConfig) -> Corpus:
    """22 projects, 6 volumes, 6 workspaces in known states, all named under one marker."""
    marker = f"{run_config.prefix}q{secrets.token_hex(2)}"
    projects = [
        shared_make.project(
            name=f"{marker}-p{i:02d}-{WORDS[i % 6]}",
            description=f"corpus project {i}" + (f" about {marker}-Zeta" if i % 4 == 1 else ""),
            category="cat-a" if i % 2 == 0 else "cat-b",
            tags=["even" if i % 2 == 0 else "odd"] + (["three"] if i % 3 == 0 else []),
        )
        for i in range(22)
    ]
    for project in projects[19:]:
        expect(api.post(f"/api/v1/projects/{project['id']}/archive"), "archiveProject", 200)
    home, other = projects[0]["id"], projects[1]["id"]
    volumes = [
        shared_make.volume(
            home if i < 3 else other,
            label=f"{marker}-v{i}-{WORDS[i]}" if i != 5 else f"{marker}-ZETA-v5",
            description=f"holds {marker}-zeta data" if i == 1 else "plain",
            type=("data", "model", "scratch", "data", "data", "model")[i],
            sizeGb=(1, 30, 2.5, 8, 64, 0.5)[i],
        )
        for i in range(6)
    ]
    for volume in (volumes[1], volumes[4]):
        expect(api.post(f"/api/v1/volumes/{volume['id']}/share"), "shareVolume", 200)
    workspaces = [
        shared_make.workspace(
            (home, home, home, other, other, None)[i],
            name=f"{marker}-w{i}-{WORDS[i]}" if i != 2 else f"{marker}-ZETA-w2",
            description=f"mentions {marker}-zeta inside" if i in (1, 3) else "plain",
        )
        for i in range(6)
    ]
    for workspace in workspaces:
        shared_make.wait_until(workspace["id"], "running")
    for workspace in (workspaces[1], workspaces[4]):
        expect(api.post(f"/api/v1/workspaces/{workspace['id']}/stop"), "stopWorkspace", 200)
    return Corpus(
        marker,
        [shared_make.get("project", p["id"]) for p in projects],
        [shared_make.get("volume", v["id"]) for v in volumes],
        [shared_make.get("workspace", w["id"]) for w in workspaces],
    )


def matches(term: str, *texts: str | None) -> bool:
    return any(text is not None and term.casefold() in text.casefold() for text in texts)


def sound_and_complete(returned: list[dict[str, Any]], expected: list[dict[str, Any]], holds: Any, what: str) -> None:
    """Every returned item satisfies the filter, and every expected item is returned."""
    wrong = [item["id"] for item in returned if not holds(item)]
    assert wrong == [], f"{what}: returned items that do not match: {wrong}"
    missing = set(ids(expected)) - set(ids(returned))
    assert missing == set(), f"{what}: left out matching items {sorted(missing)}"


# ------------------------------------------------------------------ every list operation
LIST_OPERATIONS = list(LISTS)
SORTS = {
    "listWorkspaces": ("name", "status", "createdAt", "updatedAt"),
    "listProjects": ("name", "createdAt", "updatedAt"),
    "listVolumes": ("label", "sizeGb", "createdAt", "updatedAt"),
}
# The documented default ("limit ... (default: 20)", REST, workspaces); the others are our choice (D-05).
DOCUMENTED_DEFAULT_LIMITS = {"listWorkspaces": 20}
DEFAULT_LIMITS = {"listWorkspaces": 20, "listProjects": 20, "listVolumes": 20}
FILTERS = {"listWorkspaces": {"status": "asleep"}, "listProjects": {"status": "gone"}, "listVolumes": {"type": "huge"}}


def answered_whole(api: ApiClient, corpus: Corpus, operation_id: str) -> bool:
    """Whether a list the SDK returns whole comes unpaged (allowed; paging is recommended, GEN-LIST-006)."""
    body = page(api, operation_id, corpus.home, limit=1, **corpus.scoped(operation_id))
    whole = is_whole(body, operation_id)
    recommend("GEN-LIST-006", not whole, f"{operation_id} answered a whole list, not a page (D-30)")
    if whole and not isinstance(body, list) and "count" in body:
        assert body["count"] == len(entries(body, operation_id)), f"count {body['count']} for a whole list"
    return whole


@pytest.mark.requirement("GEN-LIST-001")
@pytest.mark.recommends("GEN-LIST-006")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_pages_concatenate_to_the_whole_list(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """Walking pages of 2 gives exactly the one-page list: same items, same order, none twice."""
    scope = corpus.scoped(operation_id)

    paged = walk(api, operation_id, corpus.home, limit=2, **scope)
    whole = items(api, operation_id, corpus.home, limit=100, **scope)

    assert len(ids(paged)) == len(set(ids(paged))), "an item appeared on two pages"
    assert ids(paged) == ids(whole)


@pytest.mark.requirement("GEN-LIST-002")
@pytest.mark.recommends("GEN-LIST-006")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_limit_is_respected_and_defaulted(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """A page holds exactly min(limit, what remains) and the envelope echoes limit and offset; workspaces
    default to the documented 20; 20 and the SDK's 50 elsewhere are recommended (D-05)."""
    scope = corpus.scoped(operation_id)
    if answered_whole(api, corpus, operation_id):
        return  # "volumes(project_id) ... List[Volume]": a whole list has no page to hold
    total = page(api, operation_id, corpus.home, limit=100, **scope)["count"]
    assert total >= 2

    for limit, offset in ((1, 0), (2, total - 1), (total, 0), (3, 1)):
        answered = page(api, operation_id, corpus.home, limit=limit, offset=offset, **scope)
        assert (answered["limit"], answered["offset"]) == (limit, offset)
        assert len(answered[LISTS[operation_id][1]]) == min(limit, total - offset)
    default = page(api, operation_id, corpus.home, **scope)
    assert default["offset"] == 0
    assert len(default[LISTS[operation_id][1]]) == min(default["limit"], total)
    if operation_id in DOCUMENTED_DEFAULT_LIMITS:
        assert default["limit"] == DOCUMENTED_DEFAULT_LIMITS[operation_id], f"default limit {default['limit']}"
    wanted = DEFAULT_LIMITS.get(operation_id, 50)
    recommend("GEN-LIST-006", default["limit"] == wanted,
              f"{operation_id} defaults to limit {default['limit']}, recommended {wanted} (D-05)")  # fmt: skip


@pytest.mark.requirement("GEN-LIST-003")
@pytest.mark.recommends("GEN-LIST-006")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_count_is_the_total(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """count is the number of matching items, the same at every limit and offset (D-04)."""
    scope = corpus.scoped(operation_id)
    if answered_whole(api, corpus, operation_id):
        return  # its count, if any, was held to the whole list's length
    total = len(walk(api, operation_id, corpus.home, limit=100, **scope))

    counts = {page(api, operation_id, corpus.home, limit=limit, offset=offset, **scope)["count"]
              for limit, offset in ((1, 0), (100, 0), (2, 1), (5, total))}  # fmt: skip

    assert counts == {total}


@pytest.mark.requirement("GEN-LIST-004")
@pytest.mark.recommends("GEN-LIST-007")
@pytest.mark.parametrize(("operation_id", "field"), [(op, field) for op, fields in SORTS.items() for field in fields])
def test_sort_order_holds(api: ApiClient, corpus: Corpus, operation_id: str, field: str) -> None:
    """sort=field:asc and field:desc order the list by that field (strings by code point, D-12). createdAt is
    the documented example; another field may be refused (its support is recommended), never ignored."""
    path = LISTS[operation_id][0]
    for direction in ("asc", "desc"):
        response = api.get(path, limit=100, sort=f"{field}:{direction}", search=corpus.marker)
        if field != "createdAt" and 400 <= response.status_code < 500:
            recommend("GEN-LIST-007", False, f"sort={field}:{direction} was refused ({response.status_code})",
                      response)  # fmt: skip
            continue
        listed = entries(expect(response, operation_id, 200), operation_id)
        keys = [item[field] for item in listed]
        assert len(keys) >= 2
        assert keys == sorted(keys, reverse=direction == "desc"), f"{field}:{direction} gave {keys}"


@pytest.mark.requirement("GEN-LIST-007")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_default_order(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """Top-level lists and the activity feed are newest first; a project's sub-lists oldest first."""
    listed = items(api, operation_id, corpus.home, limit=100, **corpus.scoped(operation_id))
    times = [item["createdAt"] for item in listed]
    oldest_first = operation_id in ("listProjectWorkspaces", "listProjectVolumes")
    order = "oldest first (D-30)" if oldest_first else "newest first (D-12)"

    assert times == sorted(times, reverse=not oldest_first), f"{operation_id} is not {order}: createdAt {times}"


@pytest.mark.requirement("GEN-LIST-005")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_bad_list_parameters_answer_400(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """limit 0, 101, -1 or text, offset -1 or text, an unknown sort or filter value: 400, not a page (D-05)."""
    path = LISTS[operation_id][0].format(projectId=corpus.home)
    bad = [{"limit": 0}, {"limit": 101}, {"limit": -1}, {"limit": "ten"}, {"offset": -1}, {"offset": "x"}]
    if operation_id in SORTS:
        bad += [{"sort": "favourite"}, {"sort": f"{SORTS[operation_id][0]}:sideways"}]
    bad += [FILTERS[operation_id]] if operation_id in FILTERS else []

    for params in bad:
        expect(api.get(path, **params), operation_id, 400)


# ------------------------------------------------------------------ filters, sound and complete
@pytest.mark.requirement("WS-LIST-001")
@pytest.mark.parametrize("term", ["-zeta", "-W3-DELTA", "-w4-ÉMILE"])
def test_workspace_search(api: ApiClient, corpus: Corpus, term: str) -> None:
    """search matches name or description, ignoring case (Unicode too) (D-22)."""
    term = corpus.marker + term
    returned = walk(api, "listWorkspaces", limit=100, search=term)
    expected = [w for w in corpus.workspaces if matches(term, w["name"], w["description"])]

    assert expected
    sound_and_complete(returned, expected, lambda w: matches(term, w["name"], w["description"]), f"search={term}")


@pytest.mark.requirement("WS-LIST-002")
@pytest.mark.parametrize("status", ["running", "stopped"])
def test_workspace_status_filter(api: ApiClient, corpus: Corpus, status: str) -> None:
    """status=X returns exactly the workspaces in state X."""
    returned = walk(api, "listWorkspaces", limit=100, status=status, search=corpus.marker)
    expected = [w for w in corpus.workspaces if w["status"] == status]

    assert expected
    sound_and_complete(returned, expected, lambda w: w["status"] == status, f"status={status}")
    anywhere = items(api, "listWorkspaces", limit=50, status=status)
    assert all(w["status"] == status for w in anywhere), "status filter unsound beyond the corpus"


@pytest.mark.requirement("WS-LIST-003")
def test_workspace_project_filter(api: ApiClient, corpus: Corpus) -> None:
    """projectId=P returns exactly P's workspaces."""
    returned = walk(api, "listWorkspaces", limit=100, projectId=corpus.home)
    expected = [w for w in corpus.workspaces if w["projectId"] == corpus.home]

    sound_and_complete(returned, expected, lambda w: w["projectId"] == corpus.home, "projectId")
    assert len(returned) == len(expected)


@pytest.mark.requirement("PRJ-LIST-001")
@pytest.mark.parametrize("term", ["-ZETA", "-P03-DELTA"])
def test_project_search(api: ApiClient, corpus: Corpus, term: str) -> None:
    """Project search matches name or description, ignoring case."""
    term = corpus.marker + term
    returned = walk(api, "listProjects", limit=100, search=term)
    expected = [p for p in corpus.projects if matches(term, p["name"], p["description"])]

    assert expected
    sound_and_complete(returned, expected, lambda p: matches(term, p["name"], p["description"]), f"search={term}")


@pytest.mark.requirement("PRJ-LIST-002")
@pytest.mark.parametrize("status", ["active", "archived"])
def test_project_status_filter(api: ApiClient, corpus: Corpus, status: str) -> None:
    """status=active leaves archived projects out; status=archived holds exactly them (D-26)."""
    returned = walk(api, "listProjects", limit=100, status=status, search=corpus.marker)
    expected = [p for p in corpus.projects if p["status"] == status]

    assert expected
    sound_and_complete(returned, expected, lambda p: p["status"] == status and p["archived"] == (status == "archived"),
                       f"status={status}")  # fmt: skip


@pytest.mark.requirement("PRJ-LIST-003")
def test_project_category_filter(api: ApiClient, corpus: Corpus) -> None:
    """category=X returns exactly the projects of category X."""
    returned = walk(api, "listProjects", limit=100, category="cat-b", search=corpus.marker)
    expected = [p for p in corpus.projects if p["category"] == "cat-b"]

    sound_and_complete(returned, expected, lambda p: p["category"] == "cat-b", "category=cat-b")


@pytest.mark.requirement("PRJ-LIST-004")
@pytest.mark.parametrize("tag", ["odd", "three"])
def test_project_tag_filter(api: ApiClient, corpus: Corpus, tag: str) -> None:
    """tag=X returns exactly the projects carrying tag X."""
    returned = walk(api, "listProjects", limit=100, tag=tag, search=corpus.marker)
    expected = [p for p in corpus.projects if tag in p["tags"]]

    sound_and_complete(returned, expected, lambda p: tag in p["tags"], f"tag={tag}")


@pytest.mark.requirement("VOL-LIST-001")
@pytest.mark.parametrize("term", ["-zeta", "-V0-ALPHA"])
def test_volume_search(api: ApiClient, corpus: Corpus, term: str) -> None:
    """Volume search matches label, name or description, ignoring case."""
    term = corpus.marker + term
    returned = walk(api, "listVolumes", limit=100, search=term)
    expected = [v for v in corpus.volumes if matches(term, v["label"], v["name"], v["description"])]

    assert expected
    sound_and_complete(returned, expected, lambda v: matches(term, v["label"], v["name"], v["description"]),
                       f"search={term}")  # fmt: skip


@pytest.mark.requirement("VOL-LIST-002")
@pytest.mark.parametrize("kind", ["data", "model", "scratch"])
def test_volume_type_filter(api: ApiClient, corpus: Corpus, kind: str) -> None:
    """type=X returns exactly the volumes of type X."""
    returned = walk(api, "listVolumes", limit=100, type=kind, search=corpus.marker)
    expected = [v for v in corpus.volumes if v["type"] == kind]

    sound_and_complete(returned, expected, lambda v: v["type"] == kind, f"type={kind}")


@pytest.mark.requirement("VOL-LIST-003")
def test_volume_project_filter(api: ApiClient, corpus: Corpus) -> None:
    """projectId=P returns exactly P's volumes."""
    returned = walk(api, "listVolumes", limit=100, projectId=corpus.home)
    expected = [v for v in corpus.volumes if v["projectId"] == corpus.home]

    sound_and_complete(returned, expected, lambda v: v["projectId"] == corpus.home, "projectId")
    assert len(returned) == len(expected)


@pytest.mark.requirement("VOL-SHARE-002")
def test_the_shared_list_holds_exactly_the_shared(api: ApiClient, corpus: Corpus) -> None:
    """Shared volumes are listed, unshared ones never; its search is sound and complete (D-31)."""
    returned = walk(api, "listSharedVolumes", limit=100, search=corpus.marker)
    expected = [v for v in corpus.volumes if v["isShared"]]

    assert len(expected) == 2
    sound_and_complete(returned, expected, lambda v: v["isShared"] and v["shared"], "shared")
    term = corpus.marker + "-zeta"
    searched = walk(api, "listSharedVolumes", limit=100, search=term)
    assert ids(searched) == [v["id"] for v in expected if matches(term, v["label"], v["name"], v["description"])]
    assert all(v["isShared"] for v in items(api, "listSharedVolumes", limit=50))


@pytest.mark.requirement("PRJ-SUB-001")
def test_a_projects_volume_list_holds_its_own(api: ApiClient, corpus: Corpus) -> None:
    """GET /projects/{id}/volumes lists exactly the project's volumes."""
    returned = walk(api, "listProjectVolumes", corpus.home, limit=100)
    expected = [v for v in corpus.volumes if v["projectId"] == corpus.home]

    assert sorted(ids(returned)) == sorted(ids(expected))


@pytest.mark.requirement("PRJ-SUB-002")
def test_a_projects_workspace_list_holds_its_own(api: ApiClient, corpus: Corpus) -> None:
    """GET /projects/{id}/workspaces lists exactly the project's workspaces."""
    returned = walk(api, "listProjectWorkspaces", corpus.home, limit=100)
    expected = [w for w in corpus.workspaces if w["projectId"] == corpus.home]

    assert sorted(ids(returned)) == sorted(ids(expected))
