"""The model-based state machine: random operations on a target, every view checked after each.

Hypothesis drives sequences across projects, collaborators, volumes and workspaces in two
organizations. Each accepted operation is applied to the model (``state``); after every step
the invariant has the oracle (``oracle.ViewOracle``) read the lists (walked page by page with
drawn filters, sorts and page sizes), the touched projects' sub-lists, stats, activity and
collaborators, and every touched object, and judge them against the model (``views``). A failure
carries the numbered curl lines of the sequence that led to it, which Hypothesis has shrunk to the
shortest it found.

The model predicts our own choices too (D-12's default orders, D-23's default values, D-29's events,
D-30's oldest-first sub-lists, D-34's derived project fields, 409 for a refusal). Each such
prediction is judged only where its requirement is a MUST at the run's level (``Context.judges``):
under ``--strict``. By default a target that chose otherwise is not failed for it (the fixed checks
note those recommendations), and a default value it chose is learned from the first read.
"""

from __future__ import annotations

import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from contracts.model import strategies as data
from contracts.model.actions import ModelActions
from contracts.model.context import API, Context
from contracts.model.state import LIVE, STOPPED, Project
from harness.expect import expect
from harness.steps import FINDINGS


class ModelMachine(ModelActions, RuleBasedStateMachine):
    """Random sequences of accepted operations; after each, every view must agree with the model."""

    context: ClassVar[Context]

    def __init__(self) -> None:
        super().__init__()
        self.bulk_done = False
        self.bulk_volumes_done = False
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
    def pick(self, draw: st.DataObject, items: list[Any]) -> Any:
        """One of ``items``, drawn by id (what the report prints), in creation order (what replays keep)."""
        ordered = sorted(items, key=lambda item: item.rank)
        chosen = draw.draw(st.sampled_from([item.id for item in ordered]))
        return next(item for item in ordered if item.id == chosen)

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
        self.do_create_projects(org, [body])

    @precondition(lambda self: not self.bulk_done)
    @rule(count=data.BULK)
    def create_many_projects(self, count: int) -> None:
        """Lists longer than the default and the largest page, with duplicate names to sort (once a sequence)."""
        self.bulk_done = True
        bodies = [
            {"name": self.name(["alpha", "beta", "ß"][n % 3]), "description": "-", "tags": [self.tag]}
            for n in range(count)
        ]
        self.do_create_projects("a", bodies)

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
        if body:
            self.do_update_project(org, project, body)

    @precondition(lambda self: self.has_active_project())
    @rule(draw=st.data())
    def archive_project(self, draw: st.DataObject) -> None:
        self.archive_or_restore(draw, True)

    def quiet(self, org: str, project: Project) -> bool:
        """Archived only without live workspaces: the documents do not say what archiving does to them (a
        target may refuse it, or stop them); D-27 leaves them running, our choice."""
        return all(w.state == STOPPED for w in self.orgs[org].workspaces_of(project.id))

    @precondition(lambda self: self.has_archived_project())
    @rule(draw=st.data())
    def restore_project(self, draw: st.DataObject) -> None:
        self.archive_or_restore(draw, False)

    def archive_or_restore(self, draw: st.DataObject, archive: bool) -> None:
        def can(org: str) -> list[Project]:
            return [p for p in self.orgs[org].projects.values() if p.archived != archive and self.quiet(org, p)]

        org = self.any_org(draw, can)
        if org is None:
            return
        project = self.pick(draw, can(org))
        self.do_archive_or_restore(org, project, archive)

    @precondition(lambda self: self.has_empty_project())
    @rule(draw=st.data())
    def delete_project(self, draw: st.DataObject) -> None:
        org = self.any_org(draw, lambda o: [p for p in self.orgs[o].projects.values() if self.orgs[o].is_empty(p.id)])
        if org is None:
            return
        project = self.pick(draw, [p for p in self.orgs[org].projects.values() if self.orgs[org].is_empty(p.id)])
        self.do_delete_project(org, project)

    # ------------------------------------------------------------ rules: collaborators
    @precondition(lambda self: self.has_active_project())
    @rule(draw=st.data(), role=data.ROLE)
    def add_collaborator(self, draw: st.DataObject, role: str) -> None:
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        self.do_add_collaborator(org, self.pick(draw, self.active_projects(org)), role)

    @precondition(lambda self: self.has_member())
    @rule(draw=st.data(), role=data.ROLE)
    def change_role(self, draw: st.DataObject, role: str) -> None:
        org = self.any_org(draw, self.members)
        if org is None:
            return
        project, person = self.members(org)[draw.draw(st.integers(0, len(self.members(org)) - 1))]
        self.do_change_role(org, project, person, role)

    @precondition(lambda self: self.has_member())
    @rule(draw=st.data())
    def remove_collaborator(self, draw: st.DataObject) -> None:
        org = self.any_org(draw, self.members)
        if org is None:
            return
        project, person = self.members(org)[draw.draw(st.integers(0, len(self.members(org)) - 1))]
        self.do_remove_collaborator(org, project, person)

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
        volume_id = self.do_create_volume(org, project, body)
        if share:
            self.do_share_or_sync_volume(org, self.orgs[org].volumes[volume_id], True)

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
            self.do_create_volume(org, project, body)

    @precondition(lambda self: self.has_volume())
    @rule(draw=st.data(), size=data.SIZE_GB, part=st.none() | data.NAME_PART)
    def update_volume(self, draw: st.DataObject, size: float | None, part: str | None) -> None:
        org = self.any_org(draw, self.volumes)
        if org is None or (size is None and part is None):
            return
        volume = self.pick(draw, self.volumes(org))
        size = size if size is not None and size >= volume.size_gb else None  # shrinking may be refused (VOL-LIFE-005)
        if size is None and part is None:
            return
        body = ({"sizeGb": size} if size is not None else {}) | ({"label": self.name(part)} if part is not None else {})
        self.do_update_volume(org, volume, body)

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
        self.do_share_or_sync_volume(org, self.pick(draw, self.volumes(org, lambda v: not (share and v.shared))), share)

    @precondition(lambda self: self.has_deletable_volume())
    @rule(draw=st.data())
    def delete_volume(self, draw: st.DataObject) -> None:
        org = self.any_org(draw, self.deletable_volumes)
        if org is None:
            return
        self.do_delete_volume(org, self.pick(draw, self.deletable_volumes(org)))

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
        self.do_create_workspace(org, project, body)

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
        self.do_update_workspace(org, self.pick(draw, self.workspaces(org, lambda w: w.project_id in active)), body)

    @precondition(lambda self: self.has_stopped_workspace())
    @rule(draw=st.data())
    def start_workspace(self, draw: st.DataObject) -> None:
        self.workspace_action(draw, "start")

    @precondition(lambda self: self.has_running_workspace())
    @rule(draw=st.data())
    def stop_workspace(self, draw: st.DataObject) -> None:
        self.workspace_action(draw, "stop")

    @precondition(lambda self: self.has_running_workspace())
    @rule(draw=st.data())
    def restart_workspace(self, draw: st.DataObject) -> None:
        self.workspace_action(draw, "restart")

    def workspace_action(self, draw: st.DataObject, verb: str) -> None:
        """REST: start a stopped workspace, stop a running one, restart a running one (one seen running: stopping
        a pending one is our choice, D-08, the systematic pass's case)."""
        can = {
            "start": lambda w: w.state == STOPPED,
            "stop": lambda w: w.seen_running,
            "restart": lambda w: w.seen_running,
        }[verb]
        org = self.any_org(draw, lambda o: self.workspaces(o, can))
        if org is None:
            return
        self.do_workspace_action(org, self.pick(draw, self.workspaces(org, can)), verb)

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
        (self.do_refused_delete if live else self.do_delete_workspace)(org, workspace)

    # ------------------------------------------------------------ rules: concurrent batches
    @precondition(lambda self: self.has_active_project())
    @rule(draw=st.data(), description=data.DESCRIPTION, tags=data.EXTRA_TAGS)
    def concurrent_project_updates(self, draw: st.DataObject, description: str, tags: list[str]) -> None:
        """Updates of different fields of one project, sent at once: any serial order keeps both."""
        org = self.any_org(draw, lambda o: self.active_projects(o))
        if org is None:
            return
        project = self.pick(draw, self.active_projects(org))
        self.do_concurrent_updates(org, project, [{"description": description}, {"tags": [self.tag, *tags]}])

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
            self.check_gone(org, f"{API}/{kind}s/{resource_id}")
        self.touched, self.gone = set(), []
