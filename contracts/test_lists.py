"""Lists: pagination, limits, counts, sort order, and every filter sound and complete.

A corpus of resources named under a marker unique to this run scopes each list to what the run
knows (``search=<marker>``), so completeness can be checked on a target full of other data;
soundness (every returned item matches) is also checked without the marker where it is cheap.

What each list is held to follows what the documents give it (harness/leniency.py): the REST
reference documents the workspaces list whole (limit, offset, count, sort, its filters); the SDK
gives the others their filters and ``limit``, and the activity feed ``offset``. Paging with a
parameter the documents do not give a list, its envelope's keys and the order of a sort they do not
name are our recommendations (GEN-LIST-006, GEN-LIST-007): a server may refuse or ignore them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from contracts.support import (
    ALL,
    LISTS,
    accents_folded,
    documents,
    entries,
    envelope,
    every,
    ids,
    is_whole,
    page,
    sorted_by,
    walk,
)
from harness.client import ApiClient
from harness.expect import expect, require
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
        shared_make.stop(workspace["id"])
    return Corpus(
        marker,
        [shared_make.get("project", p["id"]) for p in projects],
        [shared_make.get("volume", v["id"]) for v in volumes],
        [shared_make.get("workspace", w["id"]) for w in workspaces],
    )


def contains(term: str, texts: tuple[Any, ...], fold: Any = str) -> bool:
    """Whether one of the texts holds the term (compared after ``fold``)."""
    return any(isinstance(text, str) and fold(term) in fold(text) for text in texts)


def filtered(
    returned: list[dict[str, Any]],
    expected: list[dict[str, Any]],
    holds: Any,
    assertion: str,
    what: str,
) -> None:
    """Every returned item satisfies the filter (sound), and every expected item is returned (complete)."""
    wrong = [item["id"] for item in returned if not holds(item)]
    require(not wrong, assertion, f"{what} returned items that do not match it: {wrong}")
    missing = sorted(set(ids(expected)) - set(ids(returned)))
    require(not missing, assertion, f"{what} left out matching items {missing}")


def searched(
    returned: list[dict[str, Any]],
    items: list[dict[str, Any]],
    term: str,
    fields: Any,
    assertion: str,
    what: str,
    *,
    complete_on: Any = None,
) -> None:
    """A search is sound under the widest reasonable matching (case and accents ignored, any searched field),
    and complete for items holding the term exactly in the fields the documents name (``complete_on``); that
    it also ignores case, and searches every field the contract names, is recommended (D-22)."""
    filtered(
        returned,
        [i for i in items if contains(term, (complete_on or fields)(i))],
        lambda i: contains(term, fields(i), accents_folded),
        assertion,
        what,
    )
    folded = sorted({i["id"] for i in items if contains(term, fields(i), str.casefold)} - set(ids(returned)))
    recommend(
        "GEN-LIST-008",
        not folded,
        f"{what} left out {folded}, which hold the term in another case or field "
        "(D-22: search ignores case, on every named field)",
    )


# ------------------------------------------------------------------ every list operation
LIST_OPERATIONS = list(LISTS)
SORTS = {
    "listWorkspaces": ("name", "status", "createdAt", "updatedAt"),
    "listProjects": ("name", "createdAt", "updatedAt"),
    "listVolumes": ("label", "sizeGb", "createdAt", "updatedAt"),
}
DEFAULT_LIMITS = {"listWorkspaces": 20, "listProjects": 20, "listVolumes": 20}
FILTERS = {"listWorkspaces": {"status": "asleep"}, "listProjects": {"status": "gone"}, "listVolumes": {"type": "huge"}}


def judge(
    operation_id: str, parameter: str, holds: bool, assertion: str, message: str, response: httpx.Response | None = None
) -> None:
    """A MUST where the documents give the list this parameter; else our recommendation (GEN-LIST-006)."""
    if documents(operation_id, parameter):
        require(holds, assertion, message, response)
    else:
        recommend("GEN-LIST-006", holds, f"{message} (`{parameter}` on {operation_id} is ours, D-05)", response)


def pages(api: ApiClient, corpus: Corpus, operation_id: str) -> bool:
    """Whether the list pages with limit and offset. Where the documents give it neither, a refusal of either, or
    a whole list the SDK returns whole, is reasonable: noted as our recommendation (GEN-LIST-006), not checked."""
    path = LISTS[operation_id][0].format(projectId=corpus.home)
    response = api.get(path, limit=1, offset=0, **corpus.scoped(operation_id))
    if not documents(operation_id, "offset") and 400 <= response.status_code < 500:
        recommend("GEN-LIST-006", False, f"GET {path} refused limit and offset ({response.status_code})", response)
        return False
    body = expect(response, operation_id, 200)
    whole = is_whole(body, operation_id)
    recommend("GEN-LIST-006", not whole, f"{operation_id} answered a whole list, not a page (D-30)", response)
    return not whole


@pytest.mark.requirement("GEN-LIST-001")
@pytest.mark.recommends("GEN-LIST-006")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_pages_concatenate_to_the_whole_list(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """Walking pages of 2 gives exactly the one-page list: same items, same order, none twice (a MUST where the
    documents give the list offset: workspaces, activity)."""
    if not pages(api, corpus, operation_id):
        return
    scope = corpus.scoped(operation_id)

    paged = ids(walk(api, operation_id, corpus.home, limit=2, **scope))
    whole = ids(every(api, operation_id, corpus.home, **scope))

    judge(
        operation_id,
        "offset",
        len(paged) == len(set(paged)),
        "GEN-LIST-001/no-repeats",
        f"walking {operation_id} by pages of 2 met items twice: {sorted({i for i in paged if paged.count(i) > 1})}",
    )
    judge(
        operation_id,
        "offset",
        paged == whole,
        "GEN-LIST-001/concatenate",
        f"{operation_id} by pages of 2 gave {len(paged)} items, one page {len(whole)}: "
        f"left out {sorted(set(whole) - set(paged))}, extra {sorted(set(paged) - set(whole))}"
        + ("" if set(paged) != set(whole) else ", in another order"),
    )


@pytest.mark.requirement("GEN-LIST-002")
@pytest.mark.recommends("GEN-LIST-006")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_limit_is_respected_and_defaulted(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """A page holds exactly min(limit, what remains) and the envelope echoes limit and offset; workspaces
    default to the documented 20; 20 and the SDK's 50 elsewhere are recommended (D-05)."""
    if not pages(api, corpus, operation_id):
        return
    scope = corpus.scoped(operation_id)
    total = len(every(api, operation_id, corpus.home, **scope))
    require(total >= 2, "GEN-LIST-002/corpus", f"{operation_id} lists {total} of the items this check made (2 or more)")

    pairs = [(1, 0), (total, 0)] + ([(2, total - 1), (3, 1)] if documents(operation_id, "offset") else [])
    for limit, offset in pairs:
        path = LISTS[operation_id][0].format(projectId=corpus.home)
        response = api.get(path, limit=limit, offset=offset, **scope)
        answered = expect(response, operation_id, 200)
        held = len(entries(answered, operation_id))
        judge(
            operation_id,
            "limit",
            held == min(limit, total - offset),
            "GEN-LIST-002/page-size",
            f"a page of limit {limit} at offset {offset} held {held} of {total} items",
            response,
        )
        needed = documents(operation_id, "offset")
        echoed = (envelope(answered, "limit", needed=needed), envelope(answered, "offset", needed=needed))
        judge(
            operation_id,
            "offset",
            echoed == (limit, offset),
            "GEN-LIST-002/echoes",
            f"asked limit {limit}, offset {offset}; the envelope says limit {echoed[0]}, offset {echoed[1]}",
            response,
        )
    default = page(api, operation_id, corpus.home, **scope)
    limit = envelope(default, "limit")
    held = len(entries(default, operation_id))
    wanted = DEFAULT_LIMITS.get(operation_id, 50)
    if operation_id == "listWorkspaces":
        require(
            limit == 20,
            "GEN-LIST-002/default",
            f"{operation_id} without limit says limit {limit}; the documents' default is 20",
        )
    judge(
        operation_id,
        "limit",
        held == min(limit or held, total),
        "GEN-LIST-002/page-size",
        f"{operation_id} without limit held {held} of {total} items under limit {limit}",
    )
    recommend("GEN-LIST-006", limit == wanted, f"{operation_id} defaults to limit {limit}, recommended {wanted} (D-05)")


@pytest.mark.requirement("GEN-LIST-003")
@pytest.mark.recommends("GEN-LIST-006")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_count_is_the_total(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """count is the number of matching items, the same at every limit and offset (D-04): a MUST for the
    workspaces list, whose envelope the REST reference shows; elsewhere count is ours."""
    scope = corpus.scoped(operation_id)
    total = len(every(api, operation_id, corpus.home, **scope))
    paged = pages(api, corpus, operation_id)

    asked = [(1, 0), (ALL, 0), (2, 1), (5, total)] if paged else [(None, None)]
    counts = {}
    for limit, offset in asked:
        paging = {} if limit is None else {"limit": limit, "offset": offset}
        body = page(api, operation_id, corpus.home, **scope, **paging)
        counts[(limit, offset)] = envelope(body, "count", needed=operation_id == "listWorkspaces")

    wrong = {asked: count for asked, count in counts.items() if count != total}
    if operation_id in ("listWorkspaces",):
        require(not wrong, "GEN-LIST-003/total", f"{operation_id} counts {wrong} (limit, offset) for {total} items")
    else:
        recommend(
            "GEN-LIST-006",
            not wrong,
            f"{operation_id} counts {wrong} (limit, offset; None: none, or not an integer) for {total} items, "
            "recommended a count of every match (D-04)",
        )


@pytest.mark.requirement("GEN-LIST-004")
@pytest.mark.recommends("GEN-LIST-007")
@pytest.mark.parametrize(("operation_id", "field"), [(op, field) for op, fields in SORTS.items() for field in fields])
def test_sort_order_holds(api: ApiClient, corpus: Corpus, operation_id: str, field: str) -> None:
    """sort=field:asc and field:desc order the list by that field, in some collation of strings (code point is
    recommended, D-12). On workspaces the documents give sort ("e.g. createdAt:desc"): createdAt is honoured,
    another field is honoured or refused, never ignored. Sorting other lists is ours (GEN-LIST-007)."""
    path = LISTS[operation_id][0]
    documented = documents(operation_id, "sort")
    for direction in ("asc", "desc"):
        response = api.get(path, limit=ALL, sort=f"{field}:{direction}", search=corpus.marker)
        if 400 <= response.status_code < 500 and not (documented and field == "createdAt"):
            recommend("GEN-LIST-007", False, f"sort={field}:{direction} was refused ({response.status_code})", response)
            continue
        keys = [item[field] for item in entries(expect(response, operation_id, 200), operation_id)]
        collation = sorted_by(keys, direction == "desc")
        said = f"GET {path}?sort={field}:{direction} gave {field} {keys}"
        if documented:
            require(len(keys) >= 2, "GEN-LIST-004/corpus", f"{said}: the check made 2 or more", response)
            require(collation is not None, "GEN-LIST-004/ordered", f"{said}, in no order of the field", response)
        else:
            recommend("GEN-LIST-007", collation is not None, f"{said}, in no order of the field", response)
        recommend(
            "GEN-LIST-007",
            collation in (None, "code point"),
            f"{said}: ordered {collation}, recommended by code point (D-12)",
            response,
        )


@pytest.mark.requirement("GEN-LIST-007")
@pytest.mark.parametrize("operation_id", LIST_OPERATIONS)
def test_default_order(api: ApiClient, corpus: Corpus, operation_id: str) -> None:
    """Top-level lists and the activity feed are newest first; a project's sub-lists oldest first."""
    listed = every(api, operation_id, corpus.home, **corpus.scoped(operation_id))
    times = [item["createdAt"] for item in listed]
    oldest_first = operation_id in ("listProjectWorkspaces", "listProjectVolumes")
    order = "oldest first (D-30)" if oldest_first else "newest first (D-12)"

    require(
        times == sorted(times, reverse=not oldest_first),
        "GEN-LIST-007/default-order",
        f"{operation_id} is not {order}: createdAt {times}",
    )


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
def workspace_texts(workspace: dict[str, Any]) -> tuple[Any, ...]:
    return (workspace["name"], workspace.get("description"))


@pytest.mark.requirement("WS-LIST-001")
@pytest.mark.recommends("GEN-LIST-008")
@pytest.mark.parametrize("term", ["-zeta", "-W3-DELTA", "-w4-Émile"])
def test_workspace_search(api: ApiClient, corpus: Corpus, term: str) -> None:
    """search finds every workspace whose name or description holds the term ("Search by name or description")
    and nothing else; that it ignores case (Unicode too) is recommended (D-22)."""
    term = corpus.marker + term
    returned = every(api, "listWorkspaces", search=term)

    searched(returned, corpus.workspaces, term, workspace_texts, "WS-LIST-001/search", f"search={term}")


@pytest.mark.requirement("WS-LIST-002")
@pytest.mark.parametrize("status", ["running", "stopped"])
def test_workspace_status_filter(api: ApiClient, corpus: Corpus, status: str) -> None:
    """status=X returns exactly the workspaces in state X."""
    returned = every(api, "listWorkspaces", status=status, search=corpus.marker)
    expected = [w for w in corpus.workspaces if w["status"] == status]

    require(bool(expected), "WS-LIST-002/corpus", f"none of the corpus' workspaces reads {status}")
    filtered(returned, expected, lambda w: w["status"] == status, "WS-LIST-002/status", f"status={status}")
    anywhere = [
        w["id"] for w in page(api, "listWorkspaces", limit=50, status=status)["workspaces"] if w["status"] != status
    ]
    require(not anywhere, "WS-LIST-002/status", f"status={status} (no search) returned others: {anywhere}")


@pytest.mark.requirement("WS-LIST-003")
def test_workspace_project_filter(api: ApiClient, corpus: Corpus) -> None:
    """projectId=P returns exactly P's workspaces."""
    returned = every(api, "listWorkspaces", projectId=corpus.home)
    expected = [w for w in corpus.workspaces if w["projectId"] == corpus.home]

    filtered(
        returned, expected, lambda w: w["projectId"] == corpus.home, "WS-LIST-003/project", f"projectId={corpus.home}"
    )


def project_texts(project: dict[str, Any]) -> tuple[Any, ...]:
    return (project["name"], project.get("description"))


@pytest.mark.requirement("PRJ-LIST-001")
@pytest.mark.recommends("GEN-LIST-008")
@pytest.mark.parametrize("term", ["-zeta", "-P03-DELTA", "-p03-delta"])
def test_project_search(api: ApiClient, corpus: Corpus, term: str) -> None:
    """search finds every project whose name holds the term (the SDK's "Search by name") and nothing that holds
    it nowhere; matching descriptions and ignoring case are recommended (D-22)."""
    term = corpus.marker + term
    returned = every(api, "listProjects", search=term)

    searched(
        returned,
        corpus.projects,
        term,
        project_texts,
        "PRJ-LIST-001/search",
        f"search={term}",
        complete_on=lambda p: (p["name"],),
    )


@pytest.mark.requirement("PRJ-LIST-002")
@pytest.mark.recommends("GEN-LIST-009")
@pytest.mark.parametrize("status", ["active", "archived"])
def test_project_status_filter(api: ApiClient, corpus: Corpus, status: str) -> None:
    """status=active (the SDK's example) returns exactly the projects that read active; that archiving makes a
    project read archived, and status=archived finds exactly those, is recommended (D-26)."""
    response = None
    if status == "archived":
        response = api.get(LISTS["listProjects"][0], limit=ALL, status=status, search=corpus.marker)
        if 400 <= response.status_code < 500:
            recommend("GEN-LIST-009", False, f"status=archived was refused ({response.status_code}) (D-26)", response)
            return
    returned = every(api, "listProjects", status=status, search=corpus.marker)
    expected = [p for p in corpus.projects if p["status"] == status]
    archived = [p["id"] for p in corpus.projects[19:] if (p["status"], p.get("archived")) != ("archived", True)]

    recommend(
        "GEN-LIST-009",
        not archived,
        f"archived projects read otherwise: {archived} (status archived, archived true, D-26)",
    )
    if status == "active":
        require(bool(expected), "PRJ-LIST-002/corpus", "none of the corpus' projects reads active")
        filtered(returned, expected, lambda p: p["status"] == status, "PRJ-LIST-002/status", f"status={status}")
    else:
        wrong = sorted(set(ids(expected)) ^ set(ids(returned)))
        recommend(
            "GEN-LIST-009",
            not wrong,
            f"status=archived differs from the projects that read archived in {wrong} (D-26)",
            response,
        )


@pytest.mark.requirement("PRJ-LIST-003")
def test_project_category_filter(api: ApiClient, corpus: Corpus) -> None:
    """category=X returns exactly the projects of category X."""
    returned = every(api, "listProjects", category="cat-b", search=corpus.marker)
    expected = [p for p in corpus.projects if p.get("category") == "cat-b"]

    filtered(returned, expected, lambda p: p.get("category") == "cat-b", "PRJ-LIST-003/category", "category=cat-b")


@pytest.mark.requirement("PRJ-LIST-004")
@pytest.mark.parametrize("tag", ["odd", "three"])
def test_project_tag_filter(api: ApiClient, corpus: Corpus, tag: str) -> None:
    """tag=X returns exactly the projects carrying tag X."""
    returned = every(api, "listProjects", tag=tag, search=corpus.marker)
    expected = [p for p in corpus.projects if tag in (p.get("tags") or [])]

    filtered(returned, expected, lambda p: tag in (p.get("tags") or []), "PRJ-LIST-004/tag", f"tag={tag}")


def volume_texts(volume: dict[str, Any]) -> tuple[Any, ...]:
    return (volume["label"], volume.get("name"), volume.get("description"))


@pytest.mark.requirement("VOL-LIST-001")
@pytest.mark.recommends("GEN-LIST-008")
@pytest.mark.parametrize("term", ["-zeta", "-V0-ALPHA", "-v0-Alpha"])
def test_volume_search(api: ApiClient, corpus: Corpus, term: str) -> None:
    """search finds every volume whose label and system name hold the term (the SDK's "Search by name", whichever
    name it means) and nothing that holds it nowhere; matching every field, ignoring case, is recommended."""
    term = corpus.marker + term
    returned = every(api, "listVolumes", search=term)

    searched(
        returned,
        corpus.volumes,
        term,
        volume_texts,
        "VOL-LIST-001/search",
        f"search={term}",
        complete_on=lambda v: (v["label"],) if contains(term, (v.get("name"),)) else (),
    )


@pytest.mark.requirement("VOL-LIST-002")
@pytest.mark.parametrize("kind", ["data", "model", "scratch"])
def test_volume_type_filter(api: ApiClient, corpus: Corpus, kind: str) -> None:
    """type=X returns exactly the volumes of type X."""
    returned = every(api, "listVolumes", type=kind, search=corpus.marker)
    expected = [v for v in corpus.volumes if v.get("type") == kind]

    filtered(returned, expected, lambda v: v.get("type") == kind, "VOL-LIST-002/type", f"type={kind}")


@pytest.mark.requirement("VOL-LIST-003")
def test_volume_project_filter(api: ApiClient, corpus: Corpus) -> None:
    """projectId=P returns exactly P's volumes."""
    returned = every(api, "listVolumes", projectId=corpus.home)
    expected = [v for v in corpus.volumes if v["projectId"] == corpus.home]

    filtered(
        returned, expected, lambda v: v["projectId"] == corpus.home, "VOL-LIST-003/project", f"projectId={corpus.home}"
    )


@pytest.mark.requirement("VOL-SHARE-002")
@pytest.mark.recommends("GEN-LIST-008")
def test_the_shared_list_holds_exactly_the_shared(api: ApiClient, corpus: Corpus) -> None:
    """Shared volumes are listed, unshared ones never; its search is sound and complete (D-31)."""
    returned = every(api, "listSharedVolumes", search=corpus.marker)
    expected = [v for v in corpus.volumes if v["isShared"]]

    require(len(expected) == 2, "VOL-SHARE-002/corpus", f"{len(expected)} of the corpus' volumes read shared, not 2")
    filtered(returned, expected, lambda v: v["isShared"] and v["shared"], "VOL-SHARE-002/shared", "the shared list")
    term = corpus.marker + "-zeta"
    searched(
        every(api, "listSharedVolumes", search=term),
        expected,
        term,
        volume_texts,
        "VOL-SHARE-002/search",
        f"the shared list's search={term}",
        complete_on=lambda v: (v["label"],),
    )
    unshared = [v["id"] for v in entries(page(api, "listSharedVolumes"), "listSharedVolumes") if not v["isShared"]]
    require(not unshared, "VOL-SHARE-002/shared", f"the shared list (no search) holds unshared volumes {unshared}")


@pytest.mark.requirement("PRJ-SUB-001")
def test_a_projects_volume_list_holds_its_own(api: ApiClient, corpus: Corpus) -> None:
    """GET /projects/{id}/volumes lists exactly the project's volumes."""
    returned = every(api, "listProjectVolumes", corpus.home)
    expected = [v for v in corpus.volumes if v["projectId"] == corpus.home]

    require(
        sorted(ids(returned)) == sorted(ids(expected)),
        "PRJ-SUB-001/own",
        f"the volumes of {corpus.home} list {sorted(ids(returned))}, not {sorted(ids(expected))}",
    )


@pytest.mark.requirement("PRJ-SUB-002")
def test_a_projects_workspace_list_holds_its_own(api: ApiClient, corpus: Corpus) -> None:
    """GET /projects/{id}/workspaces lists exactly the project's workspaces."""
    returned = every(api, "listProjectWorkspaces", corpus.home)
    expected = [w for w in corpus.workspaces if w["projectId"] == corpus.home]

    require(
        sorted(ids(returned)) == sorted(ids(expected)),
        "PRJ-SUB-002/own",
        f"the workspaces of {corpus.home} list {sorted(ids(returned))}, not {sorted(ids(expected))}",
    )
