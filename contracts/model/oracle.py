"""The oracle: every view a step may have changed, read back and judged against the model.

Objects by id, the lists walked page by page with drawn filters, sorts and page sizes, a
project's sub-lists, stats, activity and collaborators. Each prediction of one of our own choices
is judged only where ``Context.judges`` says so (a MUST, or a SHOULD under ``--strict``).
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any, ClassVar

from contracts.model.context import API, Context, member, op_call
from contracts.model.state import Organization, Project, Volume, known_status, statuses
from contracts.model.views import Expected, Walk, judge, stamp, walk, whole_second, within
from contracts.support import COLLATIONS, WHOLE_LISTS, documents, entries, envelope
from harness.client import ApiClient
from harness.expect import ContractViolation, expect

PAGE_SIZES = (1, 2, 3, 7, None, 50, 100)  # tiny ones cross many page boundaries, 100 is the largest page
# Fields that move by themselves or that the documents do not pin (D-07 url, D-13 volumeIds, D-37; a volume's
# "status str Current status" names no values, and may say it is syncing).
VOLATILE = {"project": {"updatedAt"}, "volume": {"updatedAt", "status"},
            "workspace": {"updatedAt", "status", "url", "volumeIds"}}  # fmt: skip
FIELD_REQUIREMENT = {"project": "PRJ-LIFE-002", "volume": "VOL-LIFE-002", "workspace": "WS-SEM-002"}
# A project's fields derived from its collaborators and volumes (D-28, D-34): PRJ-SEM-001, a SHOULD.
DERIVED = frozenset({"sharedWith", "attachedVolumeIds", "defaultDataVolumeId"})


class ViewOracle:
    """Reads views back and judges them; mixed into ModelMachine, whose rules keep ``orgs`` current."""

    context: ClassVar[Context]
    orgs: dict[str, Organization]
    tag: str
    rng: random.Random

    def client(self, org: str) -> ApiClient:
        return self.context.clients[org]

    def by_rank(self, objects: dict[str, Any]) -> list[str]:
        """Ids in creation order: server ids are random, and a replay must draw the same choices."""
        return sorted(objects, key=lambda i: objects[i].rank)

    def rank_of(self, touched: tuple[str, str, str]) -> tuple[str, str, int]:
        org, kind, resource_id = touched
        thing = getattr(self.orgs[org], kind + "s").get(resource_id)
        return org, kind, thing.rank if thing is not None else -1

    def strangers(self, org: str) -> dict[str, str]:
        """Every id the model knows in the other organizations: listing one breaks isolation."""
        ids: dict[str, str] = {}
        for name, model in self.orgs.items():
            if name != org:
                for resource_id in [*model.projects, *model.volumes, *model.workspaces]:
                    ids[resource_id] = "AUTH-ISO-002"
        return ids

    def created_at(self, org: str, kind: str) -> Any:
        objects = getattr(self.orgs[org], kind + "s")
        return lambda i: stamp(objects[i].seen.get("createdAt")) if i in objects else None

    def sorting(self, org: str, kind: str, sort: str | None, fields: dict[str, Any]) -> Expected:
        """How a list sorted by ``sort`` (D-12: ``field[:asc|desc]``) is judged: key, direction, requirement; ties
        come in any order. The workspaces list documents ``sort`` ("e.g. createdAt:desc"): an accepted sort is
        honoured (GEN-LIST-004), in any reasonable collation of strings by default, by code point under
        --strict, and a field other than ``createdAt`` may be refused. Sorting another list, every D-12 field,
        and the default orders (newest first) are our own choices (GEN-LIST-007)."""
        if sort is None:
            key = self.created_at(org, kind) if self.context.judges("GEN-LIST-007") else None
            return Expected(set(), set(), key, True, "", order="GEN-LIST-007")
        field, _, direction = sort.partition(":")
        key = fields[field] if field in fields else self.created_at(org, kind)
        order = "GEN-LIST-004" if kind == "workspace" else "GEN-LIST-007"
        collations = ("code point",) if self.context.judges("GEN-LIST-007") else tuple(COLLATIONS)
        return Expected(set(), set(), key, direction == "desc", "", order=order, collations=collations)

    def drawn_sort(self, fields: dict[str, Any]) -> dict[str, str]:
        """A sort parameter drawn from the list's D-12 fields and ``createdAt``, or none (the default order)."""
        choice = self.rng.choice([None, *fields, "createdAt"])
        return {"sort": f"{choice}:{'desc' if self.rng.random() < 0.5 else 'asc'}"} if choice else {}

    def term(self, texts: list[str]) -> str | None:
        """A search term drawn from what exists (sometimes in another case), or None."""
        texts = [t.removeprefix(f"{self.context.prefix}{self.tag}-") for t in texts if t]
        texts = [t for t in texts if t]
        if not texts or self.rng.random() < 0.4:
            return None
        text = self.rng.choice(texts)
        start = self.rng.randrange(len(text))
        term = text[start : start + self.rng.randint(1, 3)]
        return term.upper() if self.rng.random() < 0.3 else term

    def list_once(
        self,
        org: str,
        label: str,
        path: str,
        operation_id: str,
        params: dict[str, Any],
        expected: Expected,
        limit: int | None,
    ) -> list[Any]:
        """One list read and judged. A parameter the documents do not give this list (a sort of the projects,
        say) is ours: a server may ignore or refuse it, so by default it is not sent (GEN-LIST-007)."""
        if "sort" in params and not documents(operation_id, "sort") and not self.context.judges("GEN-LIST-007"):
            params, expected = (
                {name: value for name, value in params.items() if name != "sort"},
                replace(expected, key=None),
            )
        sort = str(params.get("sort", "createdAt"))
        seen = self.walked(org, path, operation_id, params, limit, expected, refusable=not sort.startswith("createdAt"))
        if seen.refused is not None:  # a sort field the documents do not name, refused: allowed by default
            if self.context.judges("GEN-LIST-007"):
                raise ContractViolation(
                    "GEN-LIST-007",
                    f"GET {path} refused sort={sort} ({seen.refused.status_code}); D-12 names that field",
                    seen.refused,
                )
            params = {name: value for name, value in params.items() if name != "sort"}
            expected = replace(expected, key=None)
            seen = self.walked(org, path, operation_id, params, limit, expected)
        judge(f"{label} GET {path}?{params}", seen, expected, self.context.judges)
        return seen.items

    def walked(
        self,
        org: str,
        path: str,
        operation_id: str,
        params: dict[str, Any],
        limit: int | None,
        expected: Expected,
        *,
        refusable: bool = False,
    ) -> Walk:
        """The list walked: page by page where the documents give it an offset (or under --strict), else one page.
        One the SDK returns whole may come unpaged, which GEN-LIST-006 only recommends."""
        paged = documents(operation_id, "offset") or self.context.judges("GEN-LIST-006")
        seen = walk(self.client(org), path, operation_id, params, limit, len(expected.allowed), paged=paged,
                    whole=operation_id in WHOLE_LISTS, refusable=refusable)  # fmt: skip
        if seen.whole and self.context.judges("GEN-LIST-006"):
            raise ContractViolation("GEN-LIST-006", f"GET {path} answered a whole list, not a page (D-30)")
        return seen

    # ------------------------------------------------------------ the top-level lists
    def read_list(self, org: str, kind: str, params: dict[str, Any], limit: int | None = None) -> None:
        """One top-level list (``kind``: project, volume, workspace, or shared for the shared volumes) with these
        filters and sort, walked ``limit`` at a time and judged against the model: members, order, count, and
        every item's fields."""
        expectation = {"project": self.projects_listed, "volume": self.volumes_listed,
                       "workspace": self.workspaces_listed, "shared": self.shared_listed}[kind]  # fmt: skip
        path = f"{API}/volumes/shared" if kind == "shared" else f"{API}/{kind}s"
        operation = {"project": "listProjects", "volume": "listVolumes", "workspace": "listWorkspaces",
                     "shared": "listSharedVolumes"}[kind]  # fmt: skip
        expected = expectation(org, params)
        # read in one page where statuses decide membership or order: workspaces move from pending to running by
        # themselves, and a walk across that move would see one on two pages, or on none
        moving = params.get("status") in ("pending", "running") or str(params.get("sort", "")).startswith("status")
        limit = 100 if kind == "workspace" and moving else limit
        label = "shared volumes" if kind == "shared" else f"{kind}s"
        items = self.list_once(org, label, path, operation, params, expected, limit)
        self.check_items(org, "volume" if kind == "shared" else kind, items)

    def projects_listed(self, org: str, params: dict[str, Any]) -> Expected:
        """What GET /projects may answer for ``params`` (always within this example's tag)."""
        model = self.orgs[org]
        chosen = {i: p for i, p in model.projects.items() if params.get("tag", self.tag) in p.tags}
        requirement = "PRJ-LIST-004"
        if "category" in params:
            chosen, requirement = {i: p for i, p in chosen.items() if p.category == params["category"]}, "PRJ-LIST-003"
        loose = dict(chosen)
        if params.get("status") == "active" or self.context.judges("GEN-LIST-009"):
            # status=active lists exactly the projects that read active (PRJ-LIST-002); what an archived one reads
            # is GEN-LIST-009's, so by default one whose status was not read yet may be there or not
            archived = params.get("status") == "archived"
            reads = {i: p.archived_status if p.archived and not self.context.judges("GEN-LIST-009") else
                     ("archived" if p.archived else "active") for i, p in chosen.items()}  # fmt: skip
            chosen = {i: p for i, p in chosen.items() if "status" not in params or reads[i] == params["status"]}
            loose = {i: p for i, p in loose.items() if "status" not in params or reads[i] in (params["status"], None)}
            requirement = "GEN-LIST-009" if archived else "PRJ-LIST-002" if "status" in params else requirement
        elif "status" in params:  # status=archived, by default: which projects it lists is GEN-LIST-009's
            chosen = {}
        if "search" in params:
            # the documents: every project whose name holds the term, only those holding it in name or description
            # (any case); matching descriptions and ignoring case are ours (GEN-LIST-008)
            term, requirement, folded = params["search"], "PRJ-LIST-001", self.context.judges("GEN-LIST-008")
            loose = {i: p for i, p in loose.items() if term.casefold() in (p.name + "\0" + p.description).casefold()}
            chosen = {i: p for i, p in chosen.items()
                      if (i in loose if folded else term in p.name)}  # fmt: skip
        sorting = self.sorting(org, "project", params.get("sort"), {"name": lambda i: model.projects[i].name})
        return replace(sorting, required=set(chosen), allowed=set(loose), membership=requirement,
                       strangers=self.strangers(org))  # fmt: skip

    def volumes_listed(self, org: str, params: dict[str, Any]) -> Expected:
        """What GET /volumes may answer for ``params``; a search also matches the system name once learned."""
        model = self.orgs[org]
        chosen = dict(model.volumes)
        if "projectId" in params:
            chosen = {i: v for i, v in chosen.items() if v.project_id == params["projectId"]}
        if "type" in params:
            chosen = {i: v for i, v in chosen.items() if v.type == params["type"]}
        loose = dict(chosen)
        if "search" in params:
            term = params["search"]

            def text(v: Volume) -> str:
                return "\0".join([v.label, v.description or "", str(v.seen.get("name", ""))])

            def named(v: Volume) -> bool:  # the documents: every volume whose label and system name hold the term
                return term in v.label and term in str(v.seen.get("name", term))

            loose = {i: v for i, v in chosen.items() if term.casefold() in text(v).casefold() or "name" not in v.seen}
            folded = self.context.judges("GEN-LIST-008")  # ignoring case, and descriptions, are ours
            chosen = {i: v for i, v in chosen.items() if (i in loose and "name" in v.seen if folded else named(v))}
        requirement = (
            "VOL-LIST-003" if "projectId" in params else "VOL-LIST-002" if "type" in params else "VOL-LIST-001"
        )
        fields = {"label": lambda i: model.volumes[i].label, "sizeGb": lambda i: model.volumes[i].size_gb}
        sorting = self.sorting(org, "volume", params.get("sort"), fields)
        return replace(sorting, required=set(chosen), allowed=set(loose), membership=requirement,
                       strangers=self.strangers(org))  # fmt: skip

    def shared_listed(self, org: str, params: dict[str, Any]) -> Expected:
        """GET /volumes/shared: exactly the organization's shared volumes (D-31), newest first under --strict."""
        shared = {v.id for v in self.orgs[org].volumes.values() if v.shared}
        newest_first = self.created_at(org, "volume") if self.context.judges("GEN-LIST-007") else None
        return Expected(shared, shared, newest_first, True, "VOL-SHARE-002", "GEN-LIST-007", self.strangers(org))

    def workspaces_listed(self, org: str, params: dict[str, Any]) -> Expected:
        """What GET /workspaces may answer for ``params``. A workspace's status is one value once awaited (or
        seen running), else pending or running: a status filter then allows it without requiring it."""
        model = self.orgs[org]
        chosen = dict(model.workspaces)
        if "projectId" in params:
            chosen = {i: w for i, w in chosen.items() if w.project_id == params["projectId"]}
        loose = dict(chosen)
        if "search" in params:
            term = params["search"]
            loose = {i: w for i, w in chosen.items() if term.casefold() in (w.name + "\0" + w.description).casefold()}
            folded = self.context.judges("GEN-LIST-008")  # ignoring case is ours
            chosen = {
                i: w for i, w in chosen.items() if (i in loose if folded else term in w.name + "\0" + w.description)
            }
        if "status" in params:
            chosen = {i: w for i, w in chosen.items() if statuses(w) == {params["status"]}}
            loose = {i: w for i, w in loose.items() if params["status"] in statuses(w)}
        requirement = "WS-LIST-003" if "projectId" in params else "WS-LIST-002" if "status" in params else "WS-LIST-001"
        fields = {"name": lambda i: model.workspaces[i].name, "status": lambda i: known_status(model.workspaces[i])}
        sorting = self.sorting(org, "workspace", params.get("sort"), fields)
        return replace(sorting, required=set(chosen), allowed=set(loose), membership=requirement,
                       strangers=self.strangers(org))  # fmt: skip

    def check_lists(self, org: str) -> None:
        """The organization's lists with drawn filters, search terms, sorts and page sizes."""
        model = self.orgs[org]
        params: dict[str, Any] = {"tag": self.tag}
        term = self.term([p.name for p in model.projects.values()] + [p.description for p in model.projects.values()])
        status = self.rng.choice([None, "active", "archived"])
        category = self.rng.choice([None, None, "machine-learning", "analytics"])
        params |= {"category": category} if category else {}
        params |= {"status": status} if status else {}
        params |= {"search": term} if term is not None else {}
        params |= self.drawn_sort({"name": None})
        self.read_list(org, "project", params, self.rng.choice(PAGE_SIZES))
        self.read_list(org, "volume", self.drawn_volume_filters(org), self.rng.choice(PAGE_SIZES))
        self.read_list(org, "workspace", self.drawn_workspace_filters(org), self.rng.choice(PAGE_SIZES))
        self.read_list(org, "shared", {"search": self.tag}, self.rng.choice(PAGE_SIZES))

    def drawn_volume_filters(self, org: str) -> dict[str, Any]:
        model = self.orgs[org]
        params: dict[str, Any] = {}
        by_project = self.rng.random() < 0.5 and model.projects
        if by_project:
            params["projectId"] = project_id = self.rng.choice(self.by_rank(model.projects))
            mine = [v for v in model.volumes.values() if v.project_id == project_id]
            term = self.term([v.label for v in mine] + [v.description or "" for v in mine])
        else:
            term = self.tag
        params |= {"search": term} if term is not None else {}
        if self.rng.random() < 0.4:
            params["type"] = self.rng.choice(["data", "model", "scratch"])
        if not by_project and self.rng.random() < 0.3 and model.projects:
            params["projectId"] = self.rng.choice(self.by_rank(model.projects))
        return params | self.drawn_sort({"label": None, "sizeGb": None})

    def drawn_workspace_filters(self, org: str) -> dict[str, Any]:
        model = self.orgs[org]
        params: dict[str, Any] = {}
        if self.rng.random() < 0.5 and model.projects:
            params["projectId"] = project_id = self.rng.choice(self.by_rank(model.projects))
            mine = [w for w in model.workspaces.values() if w.project_id == project_id]
            term = self.term([w.name for w in mine] + [w.description for w in mine])
        else:
            term = self.tag
        params |= {"search": term} if term is not None else {}
        status = self.rng.choice([None, None, "stopped", "running", "pending"])
        params |= {"status": status} if status else {}
        return params | self.drawn_sort({"name": None})

    def check_project_views(self, org: str, project_id: str) -> None:
        project = self.orgs[org].projects[project_id]
        for sub in ("volumes", "workspaces"):
            self.check_sub_list(org, project_id, sub, self.rng.choice(PAGE_SIZES))
        self.check_stats(org, project_id)
        self.check_activity(org, project)
        self.check_collaborators(org, project)

    def check_sub_list(self, org: str, project_id: str, sub: str, limit: int | None = None) -> None:
        """A project's volumes or workspaces: exactly its own (PRJ-SUB-*), oldest first under --strict (D-30),
        every item's fields as the object shows them."""
        model = self.orgs[org]
        operation_id, requirement = {"volumes": ("listProjectVolumes", "PRJ-SUB-001"),
                                     "workspaces": ("listProjectWorkspaces", "PRJ-SUB-002")}[sub]  # fmt: skip
        mine = {v.id for v in (model.volumes_of if sub == "volumes" else model.workspaces_of)(project_id)}
        oldest_first = self.created_at(org, sub[:-1]) if self.context.judges("GEN-LIST-007") else None  # D-30
        expected = Expected(mine, mine, oldest_first, False, requirement, "GEN-LIST-007")
        path = f"{API}/projects/{project_id}/{sub}"
        items = self.list_once(org, f"project {sub}", path, operation_id, {}, expected, limit)
        self.check_items(org, sub[:-1], items)

    def check_stats(self, org: str, project_id: str) -> None:
        """Every counter of the project's stats, within what the model allows (exact once states are known)."""
        path = f"{API}/projects/{project_id}/stats"
        stats = op_call(self.client(org), "GET", path, "getProjectStats", (200,))
        for name, bounds in self.orgs[org].stats(project_id).items():
            if not within(stats.get(name), bounds):
                raise ContractViolation(
                    "PRJ-STATS-001",
                    f"GET {path} answered {name} {stats.get(name)!r}; the model expects {bounds[0]:g}..{bounds[1]:g}",
                )

    def check_activity(self, org: str, project: Project) -> None:
        path = f"{API}/projects/{project.id}/activity"
        limit = self.rng.choice([3, 7, None, 100])
        seen = walk(self.client(org), path, "listProjectActivity", {}, limit, len(project.events), paged=True)
        judge(f"activity GET {path}", seen, Expected(set(), set(seen.ids), None, True, "PRJ-ACT-001"),
              self.context.judges)  # fmt: skip
        if not self.context.judges("PRJ-ACT-001"):
            return  # which events, named how, in which order: D-29, our own choice (paging holds regardless)
        answered = [(str(e.get("action")), str(e.get("targetId"))) for e in seen.items]
        events = sorted(project.events, key=lambda e: -e.rank)  # D-29: newest first; one rank: any order
        wanted = [(e.action, e.target_id) for e in events]
        ranks = [e.rank for e in events]
        ok = len(answered) == len(wanted)
        start = 0
        while ok and start < len(wanted):
            end = start
            while end < len(wanted) and ranks[end] == ranks[start]:
                end += 1
            ok = sorted(answered[start:end]) == sorted(wanted[start:end])
            start = end
        if not ok:
            raise ContractViolation(
                "PRJ-ACT-001",
                f"GET {path} holds {answered[:8]}... ({len(answered)} events); the "
                f"model expects {wanted[:8]}... ({len(wanted)})",
            )

    def check_collaborators(self, org: str, project: Project) -> None:
        path = f"{API}/projects/{project.id}/collaborators"
        body = op_call(self.client(org), "GET", path, "listProjectCollaborators", (200,))
        people = {str(p.get("userId")): p for p in entries(body, "listProjectCollaborators")}
        missing = sorted(set(project.collaborators) - set(people))
        extra = sorted(set(people) - set(project.collaborators))
        if missing or extra:
            owner = any(project.collaborators[m].is_owner for m in missing)
            emails = {c.email.casefold() for c in project.collaborators.values() if c.email}
            again = any(str(people[e].get("email", "")).casefold() in emails for e in extra)  # one added twice
            requirement = "PRJ-COLLAB-001" if owner else "PRJ-COLLAB-002" if missing or again else "PRJ-COLLAB-004"
            raise ContractViolation(requirement, f"GET {path} leaves out {missing} and lists {extra}")
        count = envelope(body, "count")  # the SDK's List[ProjectCollaborator] has none: ours (GEN-LIST-006)
        if count not in (None, len(people)) and self.context.judges("GEN-LIST-006"):
            raise ContractViolation(
                "GEN-LIST-006", f"GET {path} answered count {count} for {len(people)} collaborators"
            )
        for user_id, person in project.collaborators.items():
            shown = people[user_id]
            if shown.get("isOwner") is not person.is_owner or (
                not person.is_owner and shown.get("role") != person.role
            ):
                raise ContractViolation(
                    "PRJ-COLLAB-003",
                    f"GET {path} shows {user_id} as role {shown.get('role')!r}, "
                    f"owner {shown.get('isOwner')!r}; the model has {person.role!r}",
                )

    # ------------------------------------------------------------ objects, field by field
    def predicted(self, org: str, kind: str, resource_id: str) -> dict[str, Any]:
        """The fields the documents let the model predict; each value is the set it may take."""
        model = self.orgs[org]
        if kind == "project":
            p = model.projects[resource_id]
            volumes = sorted(model.volumes_of(p.id), key=lambda v: v.rank)
            oldest = [v for v in volumes if v.type == "data"]
            first = {v.id for v in oldest if v.rank == oldest[0].rank} if oldest else {None}
            fields = {
                "name": {p.name},
                "description": {p.description},
                "visibility": {p.visibility},
                "status": {"archived" if p.archived else "active"},  # an archived one's: GEN-LIST-009's, below
                "archived": {p.archived},
                "tags": {tuple(p.tags)},
            }
            if p.archived and not self.context.judges("GEN-LIST-009"):
                del fields["status"]  # what an archived project's status reads is ours (D-26): learned, held alike
            if self.context.judges("PRJ-SEM-001"):  # D-28, D-34: our own derivations
                fields |= {
                    "defaultDataVolumeId": first,
                    "sharedWith": {frozenset(c for c in p.collaborators if not p.collaborators[c].is_owner)},
                    "attachedVolumeIds": {frozenset(v.id for v in volumes)},
                }
            return fields | ({"category": {p.category}} if p.category else {})
        if kind == "volume":
            v = model.volumes[resource_id]
            fields = {
                "label": {v.label},
                "description": {v.description} if v.description is not None else {"", None},  # not given: either
                "type": {v.type},
                "sizeGb": {v.size_gb},
                "projectId": {v.project_id},
                "isShared": {v.shared},
                "shared": {v.shared},
            }
            return fields | ({"mountPath": {v.mount_path}} if v.mount_path else {})
        w = model.workspaces[resource_id]
        fields = {
            "name": {w.name},
            "description": {w.description},
            "environmentType": {w.environment_type},
            "projectId": {w.project_id},
            "status": statuses(w),
        }
        if self.context.judges("WS-SEM-005"):  # D-13: a workspace mounts its project's volumes
            fields["volumeIds"] = {frozenset(v.id for v in model.volumes_of(w.project_id))}
        return fields

    def compare(self, org: str, kind: str, resource_id: str, shown: Any, where: str) -> None:
        objects = getattr(self.orgs[org], kind + "s")
        if resource_id not in objects:
            return
        thing = objects[resource_id]
        self.learn_default_values(thing, shown)
        expected = self.predicted(org, kind, resource_id)
        for name, values in expected.items():
            if name not in shown and name in (
                "category",
                "defaultDataVolumeId",
                "sharedWith",
                "attachedVolumeIds",
                "shared",
                "mountPath",
                "volumeIds",
            ):
                continue  # a list item may be a summary; the full object is read too
            if name in getattr(thing, "defaulted", ()) and not self.context.judges("GEN-DEFAULT-001"):
                continue  # the target's own default, not shown yet: learned when it is
            value = shown.get(name) if isinstance(shown, dict) else None
            value = tuple(value) if name == "tags" and isinstance(value, list) else value
            if name in ("sharedWith", "attachedVolumeIds", "volumeIds") and isinstance(value, list):
                value = frozenset(value)
            if not member(value, values):
                requirement = {
                    "sharedWith": "PRJ-SEM-001",
                    "attachedVolumeIds": "PRJ-SEM-001",
                    "defaultDataVolumeId": "PRJ-SEM-001",
                    "shared": "VOL-SHARE-001",
                    "isShared": "VOL-SHARE-001",
                    "archived": "PRJ-LIFE-003",
                    "volumeIds": "WS-SEM-005",
                    "status": {"project": "PRJ-LIFE-003", "volume": "VOL-LIFE-002",
                               "workspace": "WS-LIFE-004" if values == {"stopped"} else "WS-LIFE-002"}[kind],
                }.get(name, FIELD_REQUIREMENT[kind])  # fmt: skip
                if name in getattr(thing, "defaulted", ()):
                    requirement = "GEN-DEFAULT-001"  # predicted from D-23, not from what was sent
                shown_values = sorted(map(repr, values))[:3]
                raise ContractViolation(
                    requirement,
                    f"{where} shows {kind} {resource_id} with {name} {value!r:.120}; "
                    f"the model expects {' or '.join(shown_values)}",
                )
        if kind == "workspace" and isinstance(shown, dict) and shown.get("status") == "running":
            thing.seen_running = True
        if kind == "project" and thing.archived and "status" not in expected and isinstance(shown, dict):
            read, thing.archived_status = shown.get("status"), thing.archived_status or shown.get("status")
            if read != thing.archived_status:
                raise ContractViolation("PRJ-LIFE-003", f"{where} shows archived project {resource_id} with status "
                                        f"{read!r}, earlier {thing.archived_status!r}")  # fmt: skip
        for name, value in shown.items() if isinstance(shown, dict) else ():
            if name in expected or name in VOLATILE[kind] or name == "collaborators" or name in DERIVED:
                continue
            if name not in thing.seen:
                thing.seen[name] = value  # learned once; the documents give no reason for it to move
            elif thing.seen[name] != value:
                raise ContractViolation(
                    "GEN-TIME-001" if name == "createdAt" else FIELD_REQUIREMENT[kind],
                    f"{where} shows {kind} {resource_id} with {name} "
                    f"{value!r:.80}, earlier {thing.seen[name]!r:.80}; "
                    "nothing done since changes it",
                )
        self.check_updated_at(thing, shown, f"{where} shows {kind} {resource_id} with")

    def check_updated_at(self, thing: Any, shown: Any, where: str) -> None:
        """D-37: updatedAt is at least createdAt and never goes back (at the documents' precision, whole seconds)."""
        created, updated = (whole_second(shown.get(name)) if isinstance(shown, dict) else None
                            for name in ("createdAt", "updatedAt"))  # fmt: skip
        if updated is None:
            return
        if created is not None and updated < created:
            raise ContractViolation("GEN-TIME-001", f"{where} updatedAt {updated} before its createdAt {created}")
        if thing.updated is not None and updated < thing.updated:
            raise ContractViolation(
                "GEN-TIME-001", f"{where} updatedAt {updated}, earlier {thing.updated}: it went back"
            )
        thing.updated = updated

    def learn_default_values(self, thing: Any, shown: Any) -> None:
        """A field not given is predicted from D-23 under --strict; by default (GEN-DEFAULT-001 is a SHOULD)
        the target's own default is learned from the first read, and must then stay as it was."""
        if self.context.judges("GEN-DEFAULT-001") or not isinstance(shown, dict):
            return
        for name in list(getattr(thing, "defaulted", ())):
            if isinstance(shown.get(name), str):  # its shape is the schema checks' business
                setattr(thing, name, shown[name])
                thing.defaulted.discard(name)

    def check_items(self, org: str, kind: str, items: list[Any]) -> None:
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self.compare(org, kind, item["id"], item, f"a list item of {kind}s")

    def check_object(self, org: str, kind: str, resource_id: str, *, isolation: bool = True) -> None:
        """The object by id, every field; ``isolation``: and 404 to every other organization."""
        if resource_id not in getattr(self.orgs[org], kind + "s"):
            return
        operation = {"project": "getProject", "volume": "getVolume", "workspace": "getWorkspace"}[kind]
        path = f"{API}/{kind}s/{resource_id}"
        shown = op_call(self.client(org), "GET", path, operation, (200,))
        self.compare(org, kind, resource_id, shown, f"GET {path}")
        if isolation:
            self.hidden_from_others(org, [path])

    def hidden_from_others(self, org: str, paths: list[str]) -> None:
        """Each of this organization's paths is refused to every other organization (D-20; 404 recommended)."""
        for other in self.orgs:
            for path in paths if other != org else ():
                self.refused_read(other, path, "AUTH-ISO-001", f"with organization {other}'s key")

    def check_gone(self, org: str, path: str, requirement: str = "GEN-STATE-001") -> None:
        """A deleted resource (or a view of it) is refused (404 recommended)."""
        self.refused_read(org, path, requirement, "after its delete")

    def refused_read(self, org: str, path: str, requirement: str, why: str) -> None:
        """A read that must be refused: any 4xx holds ``requirement`` (the documents name no status); the
        contract's 404 is judged under --strict (GEN-ERR-004)."""
        response = self.client(org).get(path)
        if not 400 <= response.status_code < 500:
            raise ContractViolation(requirement, f"GET {path} {why} answered {response.status_code}", response)
        if response.status_code != 404 and self.context.judges("GEN-ERR-004"):
            raise ContractViolation("GEN-ERR-004", f"GET {path} {why} answered {response.status_code}, not 404",
                                    response)  # fmt: skip

    # ------------------------------------------------------------ a workspace's runtime views
    def check_status(self, org: str, workspace_id: str) -> None:
        """D-07: the status endpoint's phase is the workspace's status capitalised, ready exactly when running."""
        path = f"{API}/workspaces/{workspace_id}/status"
        workspace = self.orgs[org].workspaces[workspace_id]
        shown = op_call(self.client(org), "GET", path, "getWorkspaceStatus", (200,))
        allowed = statuses(workspace)
        phase, ready = shown.get("phase"), shown.get("ready")
        if phase not in {status.capitalize() for status in allowed} or ready is not (phase == "Running"):
            raise ContractViolation(
                "WS-LIFE-003",
                f"GET {path} answered phase {phase!r}, ready {ready!r}; the workspace is "
                f"{' or '.join(sorted(allowed))}",
            )
        workspace.seen_running = workspace.seen_running or phase == "Running"

    def check_metrics(self, org: str, workspace_id: str) -> None:
        """Metrics are answered for a running workspace and refused (4xx, 409 recommended) for one that is not."""
        path = f"{API}/workspaces/{workspace_id}/metrics"
        allowed = statuses(self.orgs[org].workspaces[workspace_id])
        response = self.client(org).get(path)
        if response.status_code == 200 and "running" in allowed:
            expect(response, "getWorkspaceMetrics", 200)
            return
        if 400 <= response.status_code < 500 and allowed != {"running"}:
            if response.status_code != 409 and "running" not in allowed and self.context.judges("GEN-ERR-004"):
                message = f"GET {path} of a stopped workspace answered {response.status_code}; D-11 names 409"
                raise ContractViolation("GEN-ERR-004", message, response)
            return
        raise ContractViolation(
            "WS-LIFE-011", f"GET {path} answered {response.status_code} for a {' or '.join(sorted(allowed))} workspace",
            response,
        )  # fmt: skip

    def check_siblings(self, org: str, project_id: str, subject: str) -> None:
        """Every other workspace and volume of the project, by id: each field as the model has it."""
        model = self.orgs[org]
        for kind, things in (("workspace", model.workspaces_of(project_id)), ("volume", model.volumes_of(project_id))):
            for thing in sorted(things, key=lambda thing: thing.rank):
                if thing.id != subject:
                    self.check_object(org, kind, thing.id, isolation=False)

    def check_other_organizations(self, org: str, paths: list[str]) -> None:
        """Every other organization's own lists hold exactly its own (never ours), its objects as before, and each
        of ours answers it 404."""
        lists = (("project", "tag"), ("volume", "search"), ("workspace", "search"), ("shared", "search"))
        for other in sorted(self.orgs):
            for kind, parameter in lists if other != org else ():
                self.read_list(other, kind, {parameter: self.tag})
        self.hidden_from_others(org, paths)
