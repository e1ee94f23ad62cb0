"""The model-based state machine: random operations on a target, every view checked after each.

Hypothesis drives sequences across projects, collaborators, volumes and workspaces in two
organizations. Each accepted operation is applied to the model (``state``); after every step the
invariant reads the lists (walked page by page with drawn filters, sorts and page sizes), the
touched projects' sub-lists, stats, activity and collaborators, and every touched object, and
judges them against the model (``views``). A failure carries the numbered curl lines of the
sequence that led to it, which Hypothesis has shrunk to the shortest it found.

The model predicts our own choices too (D-12's default orders, D-23's default values, D-29's events,
D-30's oldest-first sub-lists, D-34's derived project fields, 409 for a refusal). Each such
prediction is judged only where its requirement is a MUST at the run's level (``Context.judges``):
under ``--strict``. By default a target that chose otherwise is not failed for it (the fixed checks
note those recommendations), and a default value it chose is learned from the first read.
"""

from __future__ import annotations

import random
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, ClassVar

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from contracts.model import strategies as data
from contracts.model.state import LIVE, STOPPED, Collaborator, Organization, Project, Volume, Workspace
from contracts.model.views import Expected, Walk, judge, stamp, walk, within
from contracts.support import WHOLE_LISTS
from harness.client import LOG, ApiClient, Exchange, ExchangeLog
from harness.expect import ContractViolation, UnexpectedAnswer, expect, read_field
from harness.factory import new_id
from harness.registry import Registry
from harness.requirements import load_catalogue
from harness.steps import FINDINGS, PROMISES

API = "/api/v1"
# Fields that move by themselves or that the documents do not pin (D-07 url, D-13 volumeIds, D-37).
VOLATILE = {"project": {"updatedAt"}, "volume": {"updatedAt"}, "workspace": {"updatedAt", "status", "url", "volumeIds"}}
FIELD_REQUIREMENT = {"project": "PRJ-LIFE-002", "volume": "VOL-LIFE-002", "workspace": "WS-SEM-002"}
# A project's fields derived from its collaborators and volumes (D-28, D-34): PRJ-SEM-001, a SHOULD.
DERIVED = frozenset({"sharedWith", "attachedVolumeIds", "defaultDataVolumeId"})


@cache
def musts() -> frozenset[str]:
    """The requirements that are MUSTs at the default level."""
    return frozenset(requirement.id for requirement in load_catalogue() if requirement.is_must)


def member(value: Any, values: set[Any]) -> bool:
    """``value in values``, where an unhashable value (an answer of an unexpected shape) is simply not one."""
    try:
        return value in values
    except TypeError:
        return False


class StepLog(ExchangeLog):
    """Keeps this example's writes (and the last reads) for the report; counts go to the run's log."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[Exchange] = []
        self.reads: list[Exchange] = []

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            if exchange.operation_id:
                LOG.per_operation[exchange.operation_id] += 1
            if exchange.method != "GET":
                LOG.mutating += 1
                self.writes.append(exchange)
            else:
                self.reads = [*self.reads[-2:], exchange]

    def sequence(self) -> str:
        """The writes that led here and the read that disagreed, as a numbered list of curl lines."""
        lines = [f"{n:3}. {e.curl()}  -> {e.status}" for n, e in enumerate(self.writes, 1)]
        if self.reads:
            last = self.reads[-1]
            lines.append(f"{len(lines) + 1:3}. {last.curl()}  -> {last.status} (the last read)")
        return "\n".join(lines)


@dataclass
class Context:
    """What the phase shares across Hypothesis examples (set before the run)."""

    clients: dict[str, ApiClient]
    registries: dict[str, Registry]
    prefix: str
    log: StepLog
    started: float = field(default_factory=time.monotonic)
    first_catch: float | None = None
    found: list[tuple[BaseException, str]] = field(default_factory=list)  # each failure, with its sequence
    steps: int = 0
    steps_at_catch: int = 0
    shrink_seconds: float = 15.0
    shrink_until: float | None = None
    crossed_largest_page: bool = False  # the phase's first sequence always lists past offset 100
    strict: bool = False  # --strict: the model's predictions of our own choices are judged too

    def judges(self, requirement: str) -> bool:
        """Whether a prediction resting on ``requirement`` is judged: a MUST always, a SHOULD under --strict."""
        return self.strict or requirement in musts()


def op_call(
    client: ApiClient, method: str, path: str, operation_id: str, statuses: tuple[int, ...], body: Any = None
) -> Any:
    """Send one operation the model says must be answered with ``statuses``; else the requirement that promises it."""
    response = client.request(method, path, **({"json": body} if body is not None else {}))
    try:
        return expect(response, operation_id, *statuses)
    except ContractViolation:
        raise
    except UnexpectedAnswer as exc:
        raise ContractViolation(PROMISES.get(operation_id, "GEN-MODEL-001"), str(exc), response) from None


class ModelMachine(RuleBasedStateMachine):
    """Random sequences of accepted operations; after each, every view must agree with the model."""

    context: ClassVar[Context]

    def __init__(self) -> None:
        super().__init__()
        self.tag = "mb" + secrets.token_hex(4)  # scopes this example's data in every list (names, tags)
        self.orgs = {name: Organization(name) for name in self.context.clients}
        self.touched: set[tuple[str, str, str]] = set()  # (org, kind, id) to read back after the step
        self.gone: list[tuple[str, str, str]] = []
        self.emails = 0
        self.bulk_done = False
        self.bulk_volumes_done = False
        self.rng = random.Random(0)
        self.context.log.writes, self.context.log.reads = [], []

    def teardown(self) -> None:
        failure = sys.exc_info()[1]  # teardown runs in a finally: this is what ended the sequence, if anything
        if isinstance(failure, FINDINGS):
            context = self.context
            if context.first_catch is None:
                context.first_catch = time.monotonic() - context.started
                context.steps_at_catch = context.steps
                context.shrink_until = time.monotonic() + context.shrink_seconds
            # Hypothesis only keeps a failing sequence smaller than the best so far: the last is the shortest
            context.found.append((failure, context.log.sequence()))

    # ------------------------------------------------------------ preconditions (only enabled rules are drawn)
    def has_project(self) -> bool:
        return any(model.projects for model in self.orgs.values())

    def has_active_project(self) -> bool:
        return any(self.active_projects(org) for org in self.orgs)

    def has_empty_project(self) -> bool:
        return any(m.is_empty(p) for m in self.orgs.values() for p in m.projects)

    def has_member(self) -> bool:
        return any(self.members(org) for org in self.orgs)

    def has_volume(self) -> bool:
        return any(self.volumes(org) for org in self.orgs)

    def has_deletable_volume(self) -> bool:
        return any(self.deletable_volumes(org) for org in self.orgs)

    def has_archived_project(self) -> bool:
        return any(p.archived for m in self.orgs.values() for p in m.projects.values())

    def has_unshared_volume(self) -> bool:
        return any(self.volumes(org, lambda v: not v.shared) for org in self.orgs)

    def has_workspace_in(self, want: Any, active_only: bool = False) -> bool:
        active = {p.id for o in self.orgs for p in self.active_projects(o)}
        return any(
            want(w) and (not active_only or w.project_id in active)
            for m in self.orgs.values()
            for w in m.workspaces.values()
        )

    def has_workspace_in_active_project(self) -> bool:
        return self.has_workspace_in(lambda w: True, True)

    def has_stopped_workspace(self) -> bool:
        return self.has_workspace_in(lambda w: w.state == STOPPED)

    def has_live_workspace(self) -> bool:
        return self.has_workspace_in(lambda w: w.state == LIVE)

    def has_running_workspace(self) -> bool:
        return self.has_workspace_in(lambda w: w.seen_running)

    def has_stopped_workspace_in_active_project(self) -> bool:
        return self.has_workspace_in(lambda w: w.state == STOPPED, True)

    def has_live_workspace_in_active_project(self) -> bool:
        return self.has_workspace_in(lambda w: w.state == LIVE, True)

    # ------------------------------------------------------------ helpers
    def client(self, org: str) -> ApiClient:
        return self.context.clients[org]

    def name(self, part: str) -> str:
        return f"{self.context.prefix}{self.tag}-{part}"

    def created(self, org: str, kind: str, body: Any) -> str:
        """The new id ({projectId}, or the SDK's whole object with id, D-01); registered and read back next."""
        created_id = new_id(body, kind)
        self.context.registries[org].add(kind, created_id)
        self.touched.add((org, kind, created_id))
        return created_id

    def pick(self, draw: st.DataObject, items: list[Any]) -> Any:
        """One of ``items``, drawn by id (what the report prints), in creation order (what replays keep)."""
        ordered = sorted(items, key=lambda item: item.rank)
        chosen = draw.draw(st.sampled_from([item.id for item in ordered]))
        return next(item for item in ordered if item.id == chosen)

    def active_projects(self, org: str) -> list[Project]:
        return [p for p in self.orgs[org].projects.values() if not p.archived]

    def any_org(self, draw: st.DataObject, want: Any) -> str | None:
        candidates = [org for org in self.orgs if want(org)]
        return draw.draw(st.sampled_from(candidates)) if candidates else None

    # ------------------------------------------------------------ rules: projects
    @initialize(seed=st.integers(0, 2**16))
    def start(self, seed: int) -> None:
        self.rng = random.Random(seed)
        if self.context.shrink_until is not None and time.monotonic() > self.context.shrink_until:
            reject()  # shrinking has had its time: the shortest sequence so far is the report

    @rule(
        draw=st.data(),
        part=data.NAME_PART,
        description=data.DESCRIPTION,
        category=st.none() | data.CATEGORY,
        visibility=st.none() | data.VISIBILITY,
        tags=data.EXTRA_TAGS,
    )
    def create_project(
        self,
        draw: st.DataObject,
        part: str,
        description: str,
        category: str | None,
        visibility: str | None,
        tags: list[str],
    ) -> None:
        org = draw.draw(st.sampled_from(sorted(self.orgs)))
        body: dict[str, Any] = {"name": self.name(part), "description": description, "tags": [self.tag, *tags]}
        if category:
            body["category"] = category
        if visibility:
            body["visibility"] = visibility
        self.create_projects(org, [body])

    @initialize()
    def cross_the_largest_page(self) -> None:
        """Once a phase, more projects than the largest page holds: a coin flip would miss loss past offset 100."""
        if not self.context.crossed_largest_page:
            self.context.crossed_largest_page = True
            self.create_many_projects(data.LONGER_THAN_LARGEST_PAGE)

    @precondition(lambda self: not self.bulk_done)
    @rule(count=data.BULK)
    def create_many_projects(self, count: int) -> None:
        """Lists longer than the default and the largest page, with duplicate names to sort (once a sequence)."""
        self.bulk_done = True
        bodies = [
            {"name": self.name(["alpha", "beta", "ß"][n % 3]), "description": "", "tags": [self.tag]}
            for n in range(count)
        ]
        self.create_projects("a", bodies)

    def create_projects(self, org: str, bodies: list[dict[str, Any]]) -> None:
        model = self.orgs[org]
        for body in bodies:
            answer = op_call(self.client(org), "POST", f"{API}/projects", "createProject", (201,), body)
            project_id = self.created(org, "project", answer)
            shown = op_call(self.client(org), "GET", f"{API}/projects/{project_id}", "getProject", (200,))
            owner_id = read_field(shown, "ownerId", str, "GET project")
            owner = Collaborator(owner_id, "", "owner", True)
            model.create_project(project_id, body, owner, model.tick())
            self.compare(org, "project", project_id, shown, f"GET {API}/projects/{project_id}")
        if len(bodies) > 3:
            self.touched = {t for t in self.touched if t[1] != "project"} | {(org, "project", project_id)}

    @precondition(lambda self: self.has_active_project())
    @rule(
        draw=st.data(),
        part=st.none() | data.NAME_PART,
        description=data.DESCRIPTION,
        category=st.none() | data.CATEGORY,
        tags=st.none() | data.EXTRA_TAGS,
    )
    def update_project(
        self,
        draw: st.DataObject,
        part: str | None,
        description: str | None,
        category: str | None,
        tags: list[str] | None,
    ) -> None:
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        project = self.pick(draw, self.active_projects(org))
        body: dict[str, Any] = {"name": self.name(part)} if part is not None else {}
        body |= {"description": description} if description is not None else {}
        body |= {"category": category} if category else {}
        body |= {"tags": [self.tag, *tags]} if tags is not None else {}
        if not body:
            return
        op_call(self.client(org), "PUT", f"{API}/projects/{project.id}", "updateProject", (200,), body)
        self.orgs[org].update_project(project.id, body, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    @precondition(lambda self: self.has_active_project())
    @rule(draw=st.data())
    def archive_project(self, draw: st.DataObject) -> None:
        self.archive_or_restore(draw, True)

    @precondition(lambda self: self.has_archived_project())
    @rule(draw=st.data())
    def restore_project(self, draw: st.DataObject) -> None:
        self.archive_or_restore(draw, False)

    def archive_or_restore(self, draw: st.DataObject, archive: bool) -> None:
        org = self.any_org(draw, lambda o: [p for p in self.orgs[o].projects.values() if p.archived != archive])
        if org is None:
            return
        project = self.pick(draw, [p for p in self.orgs[org].projects.values() if p.archived != archive])
        verb = "archive" if archive else "restore"
        op_call(self.client(org), "POST", f"{API}/projects/{project.id}/{verb}", f"{verb}Project", (200,))
        self.orgs[org].set_archived(project.id, archive, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    @precondition(lambda self: self.has_empty_project())
    @rule(draw=st.data())
    def delete_project(self, draw: st.DataObject) -> None:
        org = self.any_org(draw, lambda o: [p for p in self.orgs[o].projects.values() if self.orgs[o].is_empty(p.id)])
        if org is None:
            return
        project = self.pick(draw, [p for p in self.orgs[org].projects.values() if self.orgs[org].is_empty(p.id)])
        op_call(self.client(org), "DELETE", f"{API}/projects/{project.id}", "deleteProject", (204,))
        self.orgs[org].delete_project(project.id)
        self.context.registries[org].forget("project", project.id)
        self.touched.discard((org, "project", project.id))
        self.gone.append((org, "project", project.id))

    # ------------------------------------------------------------ rules: collaborators
    @precondition(lambda self: self.has_active_project())
    @rule(draw=st.data(), role=data.ROLE)
    def add_collaborator(self, draw: st.DataObject, role: str) -> None:
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        project = self.pick(draw, self.active_projects(org))
        self.emails += 1
        email = f"{self.context.prefix}{self.tag}-{self.emails}@example.com"
        path = f"{API}/projects/{project.id}/collaborators"
        op_call(self.client(org), "POST", path, "addProjectCollaborator", (200, 201), {"email": email, "role": role})
        listed = op_call(self.client(org), "GET", path, "listProjectCollaborators", (200,))
        people = read_field(listed, "collaborators", list, f"GET {path}")
        match = [p for p in people if isinstance(p, dict) and str(p.get("email", "")).casefold() == email.casefold()]
        if not match:
            raise ContractViolation("PRJ-COLLAB-002", f"{email} was added to {project.id} but is not listed")
        user_id = read_field(match[0], "userId", str, f"GET {path}")
        self.orgs[org].add_collaborator(project.id, Collaborator(user_id, email, role, False), self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    def members(self, org: str) -> list[tuple[Project, Collaborator]]:
        return [(p, c) for p in self.active_projects(org) for c in p.collaborators.values() if not c.is_owner]

    @precondition(lambda self: self.has_member())
    @rule(draw=st.data(), role=data.ROLE)
    def change_role(self, draw: st.DataObject, role: str) -> None:
        org = self.any_org(draw, self.members)
        if org is None:
            return
        project, person = self.members(org)[draw.draw(st.integers(0, len(self.members(org)) - 1))]
        path = f"{API}/projects/{project.id}/collaborators/{person.user_id}"
        op_call(self.client(org), "PUT", path, "updateProjectCollaboratorRole", (200,), {"role": role})
        self.orgs[org].change_role(project.id, person.user_id, role, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    @precondition(lambda self: self.has_member())
    @rule(draw=st.data())
    def remove_collaborator(self, draw: st.DataObject) -> None:
        org = self.any_org(draw, self.members)
        if org is None:
            return
        project, person = self.members(org)[draw.draw(st.integers(0, len(self.members(org)) - 1))]
        path = f"{API}/projects/{project.id}/collaborators/{person.user_id}"
        op_call(self.client(org), "DELETE", path, "removeProjectCollaborator", (200, 204))
        self.orgs[org].remove_collaborator(project.id, person.user_id, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    # ------------------------------------------------------------ rules: volumes
    @precondition(lambda self: self.has_active_project())
    @rule(
        draw=st.data(),
        part=data.NAME_PART,
        size=data.SIZE_GB,
        kind=st.none() | data.VOLUME_TYPE,
        description=data.DESCRIPTION,
        share=st.booleans(),
    )
    def create_volume(
        self, draw: st.DataObject, part: str, size: float, kind: str | None, description: str, share: bool
    ) -> None:
        """A new volume, shared straight away half the time (sharing is what the shared list and feed show)."""
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        project = self.pick(draw, self.active_projects(org))
        body: dict[str, Any] = {
            "projectId": project.id,
            "label": self.name(part),
            "sizeGb": size,
            "description": description,
        }
        body |= {"type": kind} if kind else {}
        answer = op_call(self.client(org), "POST", f"{API}/volumes", "createVolume", (201,), body)
        volume_id = self.created(org, "volume", answer)
        self.orgs[org].create_volume(volume_id, body, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))
        if share:
            op_call(self.client(org), "POST", f"{API}/volumes/{volume_id}/share", "shareVolume", (200,))
            self.orgs[org].volume_action(volume_id, "shared", self.orgs[org].tick())

    @precondition(lambda self: self.has_active_project() and not self.bulk_volumes_done)
    @rule(draw=st.data(), count=st.sampled_from([6, 25]))
    def create_many_volumes(self, draw: st.DataObject, count: int) -> None:
        """Many volumes in one project with few distinct sizes and labels: ties in every sortable field."""
        self.bulk_volumes_done = True
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        project = self.pick(draw, self.active_projects(org))
        for n in range(count):
            body = {"projectId": project.id, "label": self.name(["x", "y"][n % 2]), "sizeGb": [1.0, 2.0][n % 3 % 2]}
            answer = op_call(self.client(org), "POST", f"{API}/volumes", "createVolume", (201,), body)
            self.orgs[org].create_volume(self.created(org, "volume", answer), body, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    def volumes(self, org: str, want: Any = lambda v: True) -> list[Volume]:
        model = self.orgs[org]
        return [v for v in model.volumes.values() if not model.projects[v.project_id].archived and want(v)]

    @precondition(lambda self: self.has_volume())
    @rule(draw=st.data(), size=data.SIZE_GB, part=st.none() | data.NAME_PART)
    def update_volume(self, draw: st.DataObject, size: float | None, part: str | None) -> None:
        org = self.any_org(draw, self.volumes)
        if org is None or (size is None and part is None):
            return
        volume = self.pick(draw, self.volumes(org))
        body = ({"sizeGb": size} if size is not None else {}) | ({"label": self.name(part)} if part is not None else {})
        op_call(self.client(org), "PUT", f"{API}/volumes/{volume.id}", "updateVolume", (200,), body)
        self.orgs[org].update_volume(volume.id, body, self.orgs[org].tick())
        self.touched |= {(org, "volume", volume.id), (org, "project", volume.project_id)}

    @precondition(lambda self: self.has_unshared_volume())
    @rule(draw=st.data())
    def share_volume(self, draw: st.DataObject) -> None:
        self.share_or_sync_volume(draw, True)

    @precondition(lambda self: self.has_volume())
    @rule(draw=st.data())
    def sync_volume(self, draw: st.DataObject) -> None:
        self.share_or_sync_volume(draw, False)

    def share_or_sync_volume(self, draw: st.DataObject, share: bool) -> None:
        org = self.any_org(draw, lambda o: self.volumes(o, lambda v: not (share and v.shared)))
        if org is None:
            return
        volume = self.pick(draw, self.volumes(org, lambda v: not (share and v.shared)))
        verb, operation = ("share", "shareVolume") if share else ("sync", "syncVolume")
        op_call(self.client(org), "POST", f"{API}/volumes/{volume.id}/{verb}", operation, (200,))
        self.orgs[org].volume_action(volume.id, "shared" if share else "synced", self.orgs[org].tick())
        self.touched |= {(org, "volume", volume.id), (org, "project", volume.project_id)}

    def deletable_volumes(self, org: str) -> list[Volume]:
        model = self.orgs[org]
        return self.volumes(org, lambda v: all(w.state == STOPPED for w in model.workspaces_of(v.project_id)))

    @precondition(lambda self: self.has_deletable_volume())
    @rule(draw=st.data())
    def delete_volume(self, draw: st.DataObject) -> None:
        org = self.any_org(draw, self.deletable_volumes)
        if org is None:
            return
        volume = self.pick(draw, self.deletable_volumes(org))
        op_call(self.client(org), "DELETE", f"{API}/volumes/{volume.id}", "deleteVolume", (204,))
        self.orgs[org].delete_volume(volume.id, self.orgs[org].tick())
        self.context.registries[org].forget("volume", volume.id)
        self.touched.discard((org, "volume", volume.id))
        self.touched.add((org, "project", volume.project_id))
        self.gone.append((org, "volume", volume.id))

    # ------------------------------------------------------------ rules: workspaces
    @precondition(lambda self: self.has_active_project())
    @rule(draw=st.data(), part=data.NAME_PART, description=data.DESCRIPTION, environment=data.ENVIRONMENT)
    def create_workspace(self, draw: st.DataObject, part: str, description: str, environment: str) -> None:
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        project = self.pick(draw, self.active_projects(org))
        body = {
            "name": self.name(part),
            "description": description,
            "environmentType": environment,
            "projectId": project.id,
        }
        answer = op_call(self.client(org), "POST", f"{API}/workspaces", "createWorkspace", (201,), body)
        workspace_id = self.created(org, "workspace", answer)
        self.orgs[org].create_workspace(workspace_id, body, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    def workspaces(self, org: str, want: Any) -> list[Workspace]:
        return [w for w in self.orgs[org].workspaces.values() if want(w)]

    @precondition(lambda self: self.has_workspace_in_active_project())
    @rule(draw=st.data(), part=st.none() | data.NAME_PART, description=data.DESCRIPTION)
    def update_workspace(self, draw: st.DataObject, part: str | None, description: str | None) -> None:
        active = {p.id for o in self.orgs for p in self.active_projects(o)}
        org = self.any_org(draw, lambda o: self.workspaces(o, lambda w: w.project_id in active))
        body = ({"name": self.name(part)} if part is not None else {}) | (
            {"description": description} if description is not None else {}
        )
        if org is None or not body:
            return
        workspace = self.pick(draw, self.workspaces(org, lambda w: w.project_id in active))
        op_call(self.client(org), "PUT", f"{API}/workspaces/{workspace.id}", "updateWorkspace", (200,), body)
        self.orgs[org].update_workspace(workspace.id, body, self.orgs[org].tick())
        self.touched |= {(org, "workspace", workspace.id), (org, "project", workspace.project_id)}

    @precondition(lambda self: self.has_stopped_workspace())
    @rule(draw=st.data())
    def start_workspace(self, draw: st.DataObject) -> None:
        self.workspace_action(draw, "start")

    @precondition(lambda self: self.has_live_workspace())
    @rule(draw=st.data())
    def stop_workspace(self, draw: st.DataObject) -> None:
        self.workspace_action(draw, "stop")

    @precondition(lambda self: self.has_running_workspace())
    @rule(draw=st.data())
    def restart_workspace(self, draw: st.DataObject) -> None:
        self.workspace_action(draw, "restart")

    def workspace_action(self, draw: st.DataObject, verb: str) -> None:
        """REST: start a stopped workspace, stop a running one, restart a running one."""
        can = {
            "start": lambda w: w.state == STOPPED,
            "stop": lambda w: w.state == LIVE,
            "restart": lambda w: w.seen_running,
        }[verb]
        org = self.any_org(draw, lambda o: self.workspaces(o, can))
        if org is None:
            return
        workspace = self.pick(draw, self.workspaces(org, can))
        path = f"{API}/workspaces/{workspace.id}/{verb}"
        op_call(self.client(org), "POST", path, f"{verb}Workspace", (200,))
        past = {"start": "started", "stop": "stopped", "restart": "restarted"}[verb]
        self.orgs[org].workspace_action(workspace.id, past, self.orgs[org].tick())
        self.touched |= {(org, "workspace", workspace.id), (org, "project", workspace.project_id)}

    @precondition(lambda self: self.has_stopped_workspace_in_active_project())
    @rule(draw=st.data())
    def delete_stopped_workspace(self, draw: st.DataObject) -> None:
        self.delete_workspace(draw, False)

    @precondition(lambda self: self.has_live_workspace_in_active_project())
    @rule(draw=st.data())
    def delete_live_workspace_refused(self, draw: st.DataObject) -> None:
        self.delete_workspace(draw, True)

    def delete_workspace(self, draw: st.DataObject, live: bool) -> None:
        """A stopped workspace is deleted; a live one is refused ("must be stopped before deletion") and stays."""
        active = {p.id for o in self.orgs for p in self.active_projects(o)}
        state = LIVE if live else STOPPED
        org = self.any_org(draw, lambda o: self.workspaces(o, lambda w: w.state == state and w.project_id in active))
        if org is None:
            return
        workspace = self.pick(draw, self.workspaces(org, lambda w: w.state == state and w.project_id in active))
        path = f"{API}/workspaces/{workspace.id}"
        if live:
            response = self.client(org).delete(path)
            if not 400 <= response.status_code < 500:
                raise ContractViolation(
                    "WS-LIFE-008",
                    f"DELETE {path} of a live workspace answered {response.status_code}, not a refusal",
                    response,
                )
            if response.status_code != 409 and self.context.judges("GEN-ERR-004"):
                raise ContractViolation(
                    "GEN-ERR-004",
                    f"DELETE {path} of a live workspace answered {response.status_code}; the contract's "
                    "status for this refusal is 409 (D-09)",
                    response,
                )
            self.touched |= {(org, "workspace", workspace.id), (org, "project", workspace.project_id)}
            return
        op_call(self.client(org), "DELETE", path, "deleteWorkspace", (204,))
        self.orgs[org].delete_workspace(workspace.id, self.orgs[org].tick())
        self.context.registries[org].forget("workspace", workspace.id)
        self.touched.add((org, "project", workspace.project_id))
        self.gone.append((org, "workspace", workspace.id))

    # ------------------------------------------------------------ rules: concurrent batches
    @precondition(lambda self: self.has_active_project())
    @rule(draw=st.data(), description=data.DESCRIPTION, tags=data.EXTRA_TAGS)
    def concurrent_project_updates(self, draw: st.DataObject, description: str, tags: list[str]) -> None:
        """Updates of different fields of one project, sent at once: any serial order keeps both."""
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        project = self.pick(draw, self.active_projects(org))
        bodies = [{"description": description}, {"tags": [self.tag, *tags]}]
        path = f"{API}/projects/{project.id}"
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda body: self.client(org).put(path, json=body), bodies))
        for response in answers:
            expect(response, "updateProject", 200)
        rank = self.orgs[org].tick()  # one rank: the batch happened in some serial order
        for body in bodies:
            self.orgs[org].update_project(project.id, body, rank)
        shown = op_call(self.client(org), "GET", path, "getProject", (200,))
        if shown.get("description") != description or shown.get("tags") != [self.tag, *tags]:
            raise ContractViolation(
                "DUR-002",
                f"after concurrent updates of description and tags, {path} reads "
                f"description {shown.get('description')!r}, tags {shown.get('tags')!r}: "
                "an update was lost",
            )
        self.touched.add((org, "project", project.id))

    @precondition(lambda self: self.has_active_project())
    @rule(draw=st.data(), count=st.integers(2, 4), size=data.SIZE_GB)
    def concurrent_volume_creates(self, draw: st.DataObject, count: int, size: float) -> None:
        """Creates in one project, sent at once: all land, each once, in some serial order."""
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        project = self.pick(draw, self.active_projects(org))
        bodies = [{"projectId": project.id, "label": self.name(f"c{n}"), "sizeGb": size} for n in range(count)]
        with ThreadPoolExecutor(count) as pool:
            answers = list(pool.map(lambda body: self.client(org).post(f"{API}/volumes", json=body), bodies))
        rank = self.orgs[org].tick()
        for body, response in zip(bodies, answers, strict=True):
            volume_id = self.created(org, "volume", expect(response, "createVolume", 201))
            self.orgs[org].create_volume(volume_id, body, rank)
        self.touched.add((org, "project", project.id))

    # ------------------------------------------------------------ the views, after every step
    @invariant()
    def every_view_agrees(self) -> None:
        self.context.steps += 1
        # objects first: what they show (a volume's system name, createdAt) is what lists are judged by
        for org, kind, resource_id in sorted(self.touched, key=self.rank_of):
            self.check_object(org, kind, resource_id)
        # lists of the organizations this step touched (the other's can drift only by isolation, checked by id)
        for org in sorted({org for org, _, _ in self.touched} | ({"a"} if self.context.steps % 5 == 0 else set())):
            self.check_lists(org)
        for org, kind, resource_id in sorted(self.touched, key=self.rank_of):
            if kind == "project" and resource_id in self.orgs[org].projects:
                self.check_project_views(org, resource_id)
        for org, kind, resource_id in self.gone:
            response = self.client(org).get(f"{API}/{kind}s/{resource_id}")
            if response.status_code != 404:
                raise ContractViolation(
                    "GEN-STATE-001",
                    f"GET {API}/{kind}s/{resource_id} answered {response.status_code} after its delete",
                    response,
                )
        self.touched, self.gone = set(), []

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
