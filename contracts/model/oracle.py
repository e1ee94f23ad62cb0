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
from contracts.model.state import LIVE, STOPPED, Organization, Project, Volume
from contracts.model.views import Expected, Walk, judge, stamp, walk, within
from contracts.support import WHOLE_LISTS
from harness.client import ApiClient
from harness.expect import ContractViolation, read_field

# Fields that move by themselves or that the documents do not pin (D-07 url, D-13 volumeIds, D-37).
VOLATILE = {"project": {"updatedAt"}, "volume": {"updatedAt"}, "workspace": {"updatedAt", "status", "url", "volumeIds"}}
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

    def sort(self, org: str, kind: str, fields: dict[str, Any]) -> tuple[dict[str, str], Expected]:
        """A drawn sort (D-12): its parameter, and how the list is judged (key, direction, requirement; ties
        come in any order). ``createdAt`` is the documented example (GEN-LIST-004); another field may be
        refused (GEN-LIST-007 recommends it) but, once accepted, is honoured (GEN-LIST-004); the default
        order, newest first, is our own choice (GEN-LIST-007)."""
        choice = self.rng.choice([None, *fields, "createdAt"])
        descending = self.rng.random() < 0.5 if choice else True
        if choice is None:
            key = self.created_at(org, kind) if self.context.judges("GEN-LIST-007") else None
            return {}, Expected(set(), set(), key, True, "", order="GEN-LIST-007")
        key = fields[choice] if choice in fields else self.created_at(org, kind)
        return {"sort": f"{choice}:{'desc' if descending else 'asc'}"}, Expected(set(), set(), key, descending, "")

    def ordered(self, sorting: Expected, required: Any, allowed: Any, membership: str, strangers: Any) -> Expected:
        """The drawn sort's judgement with the list's membership."""
        return replace(sorting, required=set(required), allowed=set(allowed), membership=membership,
                       strangers=strangers)  # fmt: skip

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
        envelope: str,
        params: dict[str, Any],
        expected: Expected,
        *,
        one_page: bool = False,
    ) -> list[Any]:
        limit = 100 if one_page else self.rng.choice([1, 2, 3, 7, None, 50, 100])
        sort = str(params.get("sort", "createdAt"))
        seen = self.walked(org, path, operation_id, envelope, params, limit, expected,
                           refusable=not sort.startswith("createdAt"))  # fmt: skip
        if seen.refused is not None:  # a sort field the documents do not name, refused: allowed by default
            if self.context.judges("GEN-LIST-007"):
                raise ContractViolation(
                    "GEN-LIST-007",
                    f"GET {path} refused sort={sort} ({seen.refused.status_code}); D-12 names that field",
                    seen.refused,
                )
            params = {name: value for name, value in params.items() if name != "sort"}
            expected = replace(expected, key=None)
            seen = self.walked(org, path, operation_id, envelope, params, limit, expected)
        judge(f"{label} GET {path}?{params}", seen, expected)
        return seen.items

    def walked(
        self,
        org: str,
        path: str,
        operation_id: str,
        envelope: str,
        params: dict[str, Any],
        limit: int | None,
        expected: Expected,
        *,
        refusable: bool = False,
    ) -> Walk:
        """The list walked; one the SDK returns whole may come unpaged, which GEN-LIST-006 only recommends."""
        whole = operation_id in WHOLE_LISTS
        seen = walk(self.client(org), path, operation_id, envelope, params, limit, len(expected.allowed),
                    whole=whole, refusable=refusable)  # fmt: skip
        if seen.whole and self.context.judges("GEN-LIST-006"):
            raise ContractViolation("GEN-LIST-006", f"GET {path} answered a whole list, not a page (D-30)")
        return seen

    def check_lists(self, org: str) -> None:
        model = self.orgs[org]
        strangers = self.strangers(org)
        # projects: scoped by this example's tag
        params: dict[str, Any] = {"tag": self.tag}
        chosen = dict(model.projects)
        requirement = "PRJ-LIST-004"
        term = self.term([p.name for p in chosen.values()] + [p.description for p in chosen.values()])
        status = self.rng.choice([None, "active", "archived"])
        category = self.rng.choice([None, None, "machine-learning", "analytics"])
        loose = dict(chosen)
        if category:
            params["category"], requirement = category, "PRJ-LIST-003"
            chosen = loose = {i: p for i, p in chosen.items() if p.category == category}
        if status:
            params["status"], requirement = status, "PRJ-LIST-002"
            chosen = loose = {i: p for i, p in chosen.items() if p.archived == (status == "archived")}
        if term is not None:
            params["search"], requirement = term, "PRJ-LIST-001"
            loose = {i: p for i, p in chosen.items() if term.casefold() in (p.name + "\0" + p.description).casefold()}
            chosen = {i: p for i, p in chosen.items() if term in p.name or term in p.description}
        sort, sorting = self.sort(org, "project", {"name": lambda i: model.projects[i].name})
        items = self.list_once(
            org,
            "projects",
            f"{API}/projects",
            "listProjects",
            "projects",
            params | sort,
            self.ordered(sorting, chosen, loose, requirement, strangers),
        )
        self.check_items(org, "project", items)
        self.check_volume_list(org, strangers)
        self.check_workspace_list(org, strangers)
        shared = {v.id for v in model.volumes.values() if v.shared}
        newest_first = self.created_at(org, "volume") if self.context.judges("GEN-LIST-007") else None  # D-31
        items = self.list_once(
            org,
            "shared volumes",
            f"{API}/volumes/shared",
            "listSharedVolumes",
            "volumes",
            {"search": self.tag},
            Expected(shared, shared, newest_first, True, "VOL-SHARE-002", "GEN-LIST-007", strangers),
        )
        self.check_items(org, "volume", items)

    def check_volume_list(self, org: str, strangers: dict[str, str]) -> None:
        model = self.orgs[org]
        chosen = dict(model.volumes)
        params: dict[str, Any] = {}
        by_project = self.rng.random() < 0.5 and model.projects
        if by_project:
            project_id = self.rng.choice(self.by_rank(model.projects))
            params["projectId"] = project_id
            chosen = {i: v for i, v in chosen.items() if v.project_id == project_id}
            term = self.term([v.label for v in chosen.values()] + [v.description for v in chosen.values()])
        else:
            term = self.tag
        loose = dict(chosen)
        if term is not None:
            params["search"] = term

            def text(v: Volume) -> str:
                return "\0".join([v.label, v.description, str(v.seen.get("name", ""))])

            loose = {i: v for i, v in chosen.items() if term.casefold() in text(v).casefold() or "name" not in v.seen}
            chosen = {i: v for i, v in chosen.items() if term in text(v)}
        if self.rng.random() < 0.4:
            params["type"] = kind = self.rng.choice(["data", "model", "scratch"])
            chosen = {i: v for i, v in chosen.items() if v.type == kind}
            loose = {i: v for i, v in loose.items() if v.type == kind}
        if not by_project and self.rng.random() < 0.3 and model.projects:
            params["projectId"] = project_id = self.rng.choice(self.by_rank(model.projects))
            chosen = {i: v for i, v in chosen.items() if v.project_id == project_id}
            loose = {i: v for i, v in loose.items() if v.project_id == project_id}
        requirement = (
            "VOL-LIST-003" if "projectId" in params else "VOL-LIST-002" if "type" in params else "VOL-LIST-001"
        )
        sort, sorting = self.sort(
            org, "volume", {"label": lambda i: model.volumes[i].label, "sizeGb": lambda i: model.volumes[i].size_gb}
        )
        items = self.list_once(
            org,
            "volumes",
            f"{API}/volumes",
            "listVolumes",
            "volumes",
            params | sort,
            self.ordered(sorting, chosen, loose, requirement, strangers),
        )
        self.check_items(org, "volume", items)

    def check_workspace_list(self, org: str, strangers: dict[str, str]) -> None:
        model = self.orgs[org]
        chosen = dict(model.workspaces)
        params: dict[str, Any] = {}
        if self.rng.random() < 0.5 and model.projects:
            params["projectId"] = project_id = self.rng.choice(self.by_rank(model.projects))
            chosen = {i: w for i, w in chosen.items() if w.project_id == project_id}
            term = self.term([w.name for w in chosen.values()] + [w.description for w in chosen.values()])
        else:
            term = self.tag
        loose = dict(chosen)
        if term is not None:
            params["search"] = term
            loose = {i: w for i, w in chosen.items() if term.casefold() in (w.name + "\0" + w.description).casefold()}
            chosen = {i: w for i, w in chosen.items() if term in w.name or term in w.description}
        status = self.rng.choice([None, None, "stopped", "running", "pending"])
        if status == "stopped":
            chosen = {i: w for i, w in chosen.items() if w.state == STOPPED}
            loose = {i: w for i, w in loose.items() if w.state == STOPPED}
        elif status:  # live workspaces move from pending to running by themselves: a set, read in one page
            loose = {i: w for i, w in loose.items() if w.state == LIVE}
            chosen = {i: w for i, w in chosen.items() if w.state == LIVE and w.seen_running and status == "running"}
        if status:
            params["status"] = status
        requirement = "WS-LIST-003" if "projectId" in params else "WS-LIST-002" if status else "WS-LIST-001"
        sort, sorting = self.sort(org, "workspace", {"name": lambda i: model.workspaces[i].name})
        items = self.list_once(
            org,
            "workspaces",
            f"{API}/workspaces",
            "listWorkspaces",
            "workspaces",
            params | sort,
            self.ordered(sorting, chosen, loose, requirement, strangers),
            one_page=status in ("running", "pending"),
        )
        self.check_items(org, "workspace", items)

    def check_project_views(self, org: str, project_id: str) -> None:
        model = self.orgs[org]
        project = model.projects[project_id]
        base = f"{API}/projects/{project_id}"
        for sub, operation_id, requirement in (
            ("volumes", "listProjectVolumes", "PRJ-SUB-001"),
            ("workspaces", "listProjectWorkspaces", "PRJ-SUB-002"),
        ):
            mine = {v.id for v in (model.volumes_of if sub == "volumes" else model.workspaces_of)(project_id)}
            oldest_first = self.created_at(org, sub[:-1]) if self.context.judges("GEN-LIST-007") else None  # D-30
            self.list_once(
                org,
                f"project {sub}",
                f"{base}/{sub}",
                operation_id,
                sub,
                {},
                Expected(mine, mine, oldest_first, False, requirement, "GEN-LIST-007"),
            )
        stats = op_call(self.client(org), "GET", f"{base}/stats", "getProjectStats", (200,))
        for name, bounds in model.stats(project_id).items():
            if not within(stats.get(name), bounds):
                raise ContractViolation(
                    "PRJ-STATS-001",
                    f"GET {base}/stats answered {name} {stats.get(name)!r}; "
                    f"the model expects {bounds[0]:g}..{bounds[1]:g}",
                )
        self.check_activity(org, project)
        self.check_collaborators(org, project)

    def check_activity(self, org: str, project: Project) -> None:
        path = f"{API}/projects/{project.id}/activity"
        seen = walk(
            self.client(org),
            path,
            "listProjectActivity",
            "activities",
            {},
            self.rng.choice([3, 7, None, 100]),
            len(project.events),
        )
        judge(f"activity GET {path}", seen, Expected(set(), set(seen.ids), None, True, "PRJ-ACT-001"))
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
        people = {str(p.get("userId")): p for p in read_field(body, "collaborators", list, f"GET {path}")}
        missing = sorted(set(project.collaborators) - set(people))
        extra = sorted(set(people) - set(project.collaborators))
        if missing or extra:
            owner = any(project.collaborators[m].is_owner for m in missing)
            requirement = "PRJ-COLLAB-001" if owner else "PRJ-COLLAB-002" if missing else "PRJ-COLLAB-004"
            raise ContractViolation(requirement, f"GET {path} leaves out {missing} and lists {extra}")
        if body.get("count", len(people)) != len(people):
            raise ContractViolation(
                "PRJ-COLLAB-002", f"GET {path} answered count {body.get('count')} for {len(people)} collaborators"
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
                "status": {"archived" if p.archived else "active"},
                "archived": {p.archived},
                "tags": {tuple(p.tags)},
            }
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
                "description": {v.description},
                "type": {v.type},
                "sizeGb": {v.size_gb},
                "projectId": {v.project_id},
                "isShared": {v.shared},
                "shared": {v.shared},
            }
            return fields | ({"mountPath": {v.mount_path}} if v.mount_path else {})
        w = model.workspaces[resource_id]
        return {
            "name": {w.name},
            "description": {w.description},
            "environmentType": {w.environment_type},
            "projectId": {w.project_id},
            "status": {"stopped"} if w.state == STOPPED else {"pending", "running"},
        }

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
            ):
                continue  # a list item may be a summary; the full object is read too
            if name in getattr(thing, "defaulted", ()) and not self.context.judges("GEN-DEFAULT-001"):
                continue  # the target's own default, not shown yet: learned when it is
            value = shown.get(name) if isinstance(shown, dict) else None
            value = tuple(value) if name == "tags" and isinstance(value, list) else value
            if name in ("sharedWith", "attachedVolumeIds") and isinstance(value, list):
                value = frozenset(value)
            if not member(value, values):
                requirement = {
                    "sharedWith": "PRJ-SEM-001",
                    "attachedVolumeIds": "PRJ-SEM-001",
                    "defaultDataVolumeId": "PRJ-SEM-001",
                    "shared": "VOL-SHARE-001",
                    "isShared": "VOL-SHARE-001",
                    "status": "PRJ-LIFE-003" if kind == "project" else FIELD_REQUIREMENT[kind],
                }.get(name, FIELD_REQUIREMENT[kind])
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
        for name, value in shown.items() if isinstance(shown, dict) else ():
            if name in expected or name in VOLATILE[kind] or name == "collaborators" or name in DERIVED:
                continue
            if name not in thing.seen:
                thing.seen[name] = value  # learned once; the documents give no reason for it to move
            elif thing.seen[name] != value:
                raise ContractViolation(
                    FIELD_REQUIREMENT[kind],
                    f"{where} shows {kind} {resource_id} with {name} "
                    f"{value!r:.80}, earlier {thing.seen[name]!r:.80}; "
                    "nothing done since changes it",
                )

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

    def check_object(self, org: str, kind: str, resource_id: str) -> None:
        if resource_id not in getattr(self.orgs[org], kind + "s"):
            return
        operation = {"project": "getProject", "volume": "getVolume", "workspace": "getWorkspace"}[kind]
        path = f"{API}/{kind}s/{resource_id}"
        shown = op_call(self.client(org), "GET", path, operation, (200,))
        self.compare(org, kind, resource_id, shown, f"GET {path}")
        for other in self.orgs:
            if other != org:
                response = self.client(other).get(path)
                if response.status_code != 404:
                    raise ContractViolation(
                        "AUTH-ISO-001",
                        f"GET {path} with organization {other}'s key answered {response.status_code}, not 404",
                        response,
                    )
