"""The systematic pass: every (operation, view) pair of the map (effects.yaml), exercised on purpose.

Before any random exploration, ``SystematicPass.run`` drives each case of the map once, in a fixed
order: it brings a subject into the state the case names, sends the operation (through the same
actions as the random machine) and reads back every view the case lists, judged against the model
(the oracle). Workspaces are created first, so that their provisioning overlaps the project and
volume cases; a transition the documents say happens by itself is awaited, bounded, and the views
are read both right away (the state in between predicted as a set) and once it got there (exactly).
Nothing here is drawn, so the pass is the same for every seed. Each driver is registered for its
case with ``@drives``; a view is read by its entry in ``READERS``, and ``Coverage`` records each pair
read. A finding ends the pass, like any check's first failure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, cast

from contracts.model.actions import ModelActions, Refused
from contracts.model.context import API, Context
from contracts.model.effects import Case, Coverage, EffectsMap
from contracts.model.state import LIVE, Collaborator, Project, Volume, Workspace
from contracts.model.strategies import LONGER_THAN_LARGEST_PAGE
from harness.expect import ContractViolation, MissingField
from harness.steps import FINDINGS

MAIN, OTHER = "a", "b"  # the organization the cases act in; the other one whose views must not change
Thing = Project | Volume | Workspace
T = TypeVar("T", bound=Thing | None)
DRIVERS: dict[str, Callable[..., Any]] = {}


@dataclass(frozen=True)
class Subject:
    """What a case acted on: the views are read for it (and its project)."""

    org: str
    kind: str  # project, volume, workspace
    id: str
    project_id: str | None  # a workspace outside a project has none
    terms: tuple[str, ...] = ()  # search terms for the project searches: its name, before and after

    @property
    def path(self) -> str:
        return f"{API}/{self.kind}s/{self.id}"


def subject_of(thing: Thing, org: str = MAIN, terms: tuple[str, ...] = ()) -> Subject:
    kind = type(thing).__name__.lower()
    return Subject(org, kind, thing.id, thing.id if isinstance(thing, Project) else thing.project_id, terms)


def drives(operation: str, state: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Register the driver of one case: it performs the operation on its first argument (the subject, or the
    project a create makes it in) and returns what it made, if anything (None where the target refused, as the
    case allowed); the case's views are then read."""

    def register(driver: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(driver)
        def driven(self: SystematicPass, thing: Thing | None, *args: Any, later: bool = False) -> T:
            case = self.effects.case(operation, state)
            self.refusable = case
            try:
                made, accepted = driver(self, thing, *args), True
            except Refused:
                made, accepted = None, False
            except FINDINGS as finding:
                finding.add_note(f"in the systematic pass: {case.name} ({case.basis})")
                raise
            finally:
                self.refusable = None
            subject = subject_of(made or thing, terms=self.terms(made or thing))
            self.read_views(case, subject)
            if accepted and case.awaits == "running":
                workspace = self.orgs[MAIN].workspaces[subject.id]
                self.unsettled.append((case, subject, workspace))
                if not later:
                    self.settle_all()
            return cast(T, made)

        DRIVERS[f"{operation}@{state}"] = driven
        return driven

    return register


class SystematicPass(ModelActions):
    """The map's cases, one after another, in one organization (with the other watched)."""

    context: ClassVar[Context]

    def __init__(self, effects: EffectsMap, coverage: Coverage) -> None:
        super().__init__()
        self.effects = effects
        self.coverage = coverage
        self.unsettled: list[tuple[Case, Subject, Workspace]] = []  # created, started, restarted: not yet awaited
        self.first_names: dict[str, str] = {}  # a project's name as first given (its search term after a rename)
        self.bulk: list[str] = []  # the projects made to cross the largest page
        if OTHER not in self.orgs:
            self.coverage.skipped_views["other-organization"] = (
                "no other organization's key (STRONGLY_OTHER_API_KEY) was given"
            )

    # ------------------------------------------------------------ reading a case's views
    def read_views(self, case: Case, subject: Subject) -> None:
        """Every view of the case, the subject's own object first (lists are judged by what it shows)."""
        for view in sorted(case.views, key=lambda view: view not in ("workspace", "volume", "project")):
            if view in self.coverage.skipped_views:
                continue
            try:
                READERS[view](self, subject)
            except ContractViolation as finding:
                finding = charged(finding, case, view)
                finding.add_note(f"in the systematic pass: {case.name} -> {view} ({case.views[view]})")
                raise finding from None
            self.coverage.read(case, view)

    def settle_all(self) -> None:
        """Await every workspace created, started or restarted since the last time, then read their cases' views
        again, now with each state known exactly."""
        pending, self.unsettled = self.unsettled, []
        for case, _, workspace in pending:
            self.settle(MAIN, [workspace], case.operation.removesuffix("Workspace"))
        for case, subject, _ in pending:
            self.read_views(case, subject)

    def terms(self, thing: Thing | None) -> tuple[str, ...]:
        """A project's search terms: the part of its name after the run's prefix and tag, now and as first named."""
        if not isinstance(thing, Project):
            return ()
        return tuple(
            term for term in dict.fromkeys([thing.name.rsplit("-", 1)[-1], self.first_names.get(thing.id)]) if term
        )

    # ------------------------------------------------------------ the script
    def run(self) -> None:
        """Every case of the map, in an order that needs each transition awaited at most twice."""
        if OTHER in self.orgs:
            self.other_world()
        main = self.orgs[MAIN]
        last = self.beyond_the_largest_page(None)
        for project_id in [*self.bulk, last.id]:
            self.do_delete_project(MAIN, main.projects[project_id])
        p1 = self.create_project(None, "alpha")
        p2, p3 = (main.projects[self.make_project(part)] for part in ("beta", "gamma"))
        # workspaces first: they provision while the volume and project cases run
        w1 = self.create_workspace(p1, later=True)
        w0 = self.create_loose_workspace(None, later=True)
        w2, w3, w5 = (main.workspaces[self.make_workspace(project)] for project in (p1, p1, p3))
        self.volume_cases(p1, p2, p3)
        self.project_cases(p1, p2)
        self.settle_all()
        self.settle(MAIN, [w2, w3, w5], "create")
        self.workspace_cases(p1, w0, w1, w2)
        self.do_workspace_action(MAIN, w5, "stop")
        self.delete_project_not_empty(p3)
        self.archive_cases(p1)

    def other_world(self) -> None:
        """A project, a shared volume and a workspace in the other organization: 'other-organization' reads them."""
        project = self.orgs[OTHER].projects[self.make_project("other", org=OTHER)]
        body = {"projectId": project.id, "label": self.name("v"), "sizeGb": 1}
        volume_id = self.do_create_volume(OTHER, project, body)
        self.do_share_or_sync_volume(OTHER, self.orgs[OTHER].volumes[volume_id], True)
        self.do_create_workspace(OTHER, project, self.workspace_body(project, "w"))

    def volume_cases(self, p1: Project, p2: Project, p3: Project) -> None:
        main = self.orgs[MAIN]
        v1 = self.create_volume(p1)
        v2 = main.volumes[self.make_volume(p1, "model")]
        for _ in range(4):  # equal sizes and labels: ties for every sorted read of the volume cases
            self.make_volume(p3, "data")
        self.update_unshared(v1)
        self.share_unshared(v2)
        self.update_shared(v2)
        self.share_shared(v2)
        self.sync_unshared(v1)
        self.sync_shared(v2)
        v3, v4 = (main.volumes[self.make_volume(p2, kind)] for kind in ("data", "model"))
        self.do_share_or_sync_volume(MAIN, v4, True)
        self.delete_unshared(v3)
        self.delete_shared(v4)

    def project_cases(self, p1: Project, p2: Project) -> None:
        self.update_active(p1)
        self.update_concurrently(p1)
        self.add_member(p1)
        person = next(c for c in p1.collaborators.values() if not c.is_owner)
        self.change_role_of_member(p1, person)
        self.add_member_again(p1, person)
        owner = next(c for c in p1.collaborators.values() if c.is_owner)
        self.change_role_of_owner(p1, owner)
        self.remove_owner(p1, owner)
        self.remove_member(p1, person)
        self.add_members_concurrently(p1)
        self.delete_project_empty(p2)

    def workspace_cases(self, p1: Project, w0: Workspace, w1: Workspace, w2: Workspace) -> None:
        main = self.orgs[MAIN]
        self.rename_running(w1)
        self.resize_running(w1)
        self.reimage_running(w1)
        self.delete_running(w2)
        self.start_running(w2)
        self.sync_running(w1)
        self.sync_without_volume(w0)
        self.delete_mounted(main.volumes[sorted(main.volumes_of(p1.id), key=lambda v: v.rank)[0].id])
        self.stop_running(w2)
        self.stop_stopped(w2)
        self.restart_stopped(w2)
        if w2.state == LIVE:  # the target started it (WS-LIFE-009 allows that): stopped again for what follows
            self.settle(MAIN, [w2], "restart")
            self.do_workspace_action(MAIN, w2, "stop")
        self.rename_stopped(w2)
        self.resize_stopped(w2)
        self.sync_stopped(w2)
        self.restart_running(w1, later=True)
        self.start_stopped(w2, later=True)
        w4 = main.workspaces[self.make_workspace(p1)]
        self.delete_pending(w4)
        self.stop_pending(w4)
        self.settle_all()
        self.stop_restarted(w1)
        self.delete_stopped(w1)

    def archive_cases(self, p1: Project) -> None:
        """The documents do not say what archiving does to live workspaces (a target may refuse it, or stop them):
        the project is archived with its workspaces stopped, its volumes, a shared one and collaborators."""
        for workspace in self.orgs[MAIN].workspaces_of(p1.id):
            if workspace.state == LIVE:
                self.settle(MAIN, [workspace], "create")
                self.do_workspace_action(MAIN, workspace, "stop")
        self.archive_active(p1)
        self.archive_archived(p1)
        self.update_archived(p1)
        self.add_member_archived(p1)
        self.create_volume_archived(p1)
        self.create_workspace_archived(p1)
        self.restore_archived(p1)
        self.restore_active(p1)

    # ------------------------------------------------------------ setup: made, read back once, no case's views
    def make_project(self, part: str, org: str = MAIN) -> str:
        body = {"name": self.name(part), "description": f"{part} project", "tags": [self.tag]}
        project_id = self.do_create_projects(org, [body])[0]
        self.first_names[project_id] = part
        return project_id

    def make_volume(self, project: Project, kind: str) -> str:
        body = {"projectId": project.id, "label": self.name(f"{kind}-volume"), "sizeGb": 2.0, "type": kind}
        return self.do_create_volume(MAIN, project, body)

    def workspace_body(self, project: Project | None, part: str) -> dict[str, Any]:
        body = {"name": self.name(part), "description": f"{part} workspace", "environmentType": "jupyter"}
        return body | ({"projectId": project.id} if project else {})

    def make_workspace(self, project: Project) -> str:
        """A workspace with more storage than the default: a resize that resets the rest shows."""
        body = self.workspace_body(project, "workspace") | {"resources": {"storage": "20Gi"}}
        return self.do_create_workspace(MAIN, project, body)

    # ------------------------------------------------------------ drivers: projects
    @drives("createProject", "new")
    def create_project(self, _: None, part: str) -> Project:
        body = {"name": self.name(part), "description": "made by the systematic pass", "category": "machine-learning",
                "tags": [self.tag]}  # fmt: skip
        project_id = self.do_create_projects(MAIN, [body])[0]
        self.first_names[project_id] = part
        return self.orgs[MAIN].projects[project_id]

    @drives("createProject", "beyond the largest page")
    def beyond_the_largest_page(self, _: None) -> Project:
        """More projects than the largest page holds (D-05: 100), three names among them; their views are read
        while they exist (crossing offset 100 at every page size), then they are removed again."""
        bodies = [{"name": self.name(["alpha", "beta", "ß"][n % 3]), "description": "one of many", "tags": [self.tag]}
                  for n in range(LONGER_THAN_LARGEST_PAGE)]  # fmt: skip
        created = self.do_create_projects(MAIN, bodies)
        self.bulk = created[:-1]
        return self.orgs[MAIN].projects[created[-1]]

    @drives("updateProject", "concurrent")
    def update_concurrently(self, project: Project) -> None:
        self.do_concurrent_updates(MAIN, project, [{"description": "at once"}, {"tags": [self.tag, "v2"]}])

    @drives("updateProject", "active")
    def update_active(self, project: Project) -> None:
        body = {"name": self.name("delta"), "description": "renamed", "category": "analytics", "tags": [self.tag, "ml"]}
        self.do_update_project(MAIN, project, body)

    @drives("updateProject", "archived")
    def update_archived(self, project: Project) -> None:
        self.do_update_project(MAIN, project, {"description": "changed while archived"})

    @drives("archiveProject", "active")
    def archive_active(self, project: Project) -> None:
        self.do_archive_or_restore(MAIN, project, True)

    @drives("archiveProject", "archived")
    def archive_archived(self, project: Project) -> None:
        self.send(MAIN, "POST", f"{API}/projects/{project.id}/archive", "archiveProject", (200,))  # nothing changes

    @drives("restoreProject", "archived")
    def restore_archived(self, project: Project) -> None:
        self.do_archive_or_restore(MAIN, project, False)

    @drives("restoreProject", "active")
    def restore_active(self, project: Project) -> None:
        self.send(MAIN, "POST", f"{API}/projects/{project.id}/restore", "restoreProject", (200,))  # nothing changes

    @drives("deleteProject", "empty")
    def delete_project_empty(self, project: Project) -> None:
        self.do_delete_project(MAIN, project)

    @drives("deleteProject", "not empty")
    def delete_project_not_empty(self, project: Project) -> None:
        self.do_delete_project(MAIN, project)

    @drives("addProjectCollaborator", "active")
    def add_member(self, project: Project) -> Project:
        self.do_add_collaborator(MAIN, project, "viewer")
        return project

    @drives("addProjectCollaborator", "member")
    def add_member_again(self, project: Project, person: Collaborator) -> None:
        self.do_add_collaborator(MAIN, project, "viewer", email=person.email)  # nothing changes, its role neither

    @drives("addProjectCollaborator", "concurrent")
    def add_members_concurrently(self, project: Project) -> None:
        self.do_concurrent_adds(MAIN, project, 3)

    @drives("addProjectCollaborator", "archived")
    def add_member_archived(self, project: Project) -> None:
        self.do_add_collaborator(MAIN, project, "editor")

    @drives("updateProjectCollaboratorRole", "member")
    def change_role_of_member(self, project: Project, person: Collaborator) -> None:
        self.do_change_role(MAIN, project, person, "editor")

    @drives("updateProjectCollaboratorRole", "owner")
    def change_role_of_owner(self, project: Project, owner: Collaborator) -> None:
        self.do_change_role(MAIN, project, owner, "viewer")

    @drives("removeProjectCollaborator", "member")
    def remove_member(self, project: Project, person: Collaborator) -> None:
        self.do_remove_collaborator(MAIN, project, person)

    @drives("removeProjectCollaborator", "owner")
    def remove_owner(self, project: Project, owner: Collaborator) -> None:
        self.do_remove_collaborator(MAIN, project, owner)

    # ------------------------------------------------------------ drivers: volumes
    @drives("createVolume", "active project")
    def create_volume(self, project: Project) -> Volume:
        body = {"projectId": project.id, "label": self.name("data-volume"), "sizeGb": 2.0, "type": "data",
                "description": "made by the systematic pass"}  # fmt: skip
        return self.orgs[MAIN].volumes[self.do_create_volume(MAIN, project, body)]

    @drives("createVolume", "archived project")
    def create_volume_archived(self, project: Project) -> Volume:
        body = {"projectId": project.id, "label": self.name("late-volume"), "sizeGb": 1.0}
        return self.orgs[MAIN].volumes[self.do_create_volume(MAIN, project, body)]

    @drives("updateVolume", "unshared")
    def update_unshared(self, volume: Volume) -> None:
        self.do_update_volume(MAIN, volume, {"sizeGb": 5.0, "label": self.name("resized")})

    @drives("updateVolume", "shared")
    def update_shared(self, volume: Volume) -> None:
        self.do_update_volume(MAIN, volume, {"sizeGb": 3.0})  # up: shrinking may be refused (VOL-LIFE-005)

    @drives("shareVolume", "unshared")
    def share_unshared(self, volume: Volume) -> None:
        self.do_share_or_sync_volume(MAIN, volume, True)

    @drives("shareVolume", "shared")
    def share_shared(self, volume: Volume) -> None:
        self.send(MAIN, "POST", f"{API}/volumes/{volume.id}/share", "shareVolume", (200,))  # nothing changes

    @drives("syncVolume", "unshared")
    def sync_unshared(self, volume: Volume) -> None:
        self.do_share_or_sync_volume(MAIN, volume, False)

    @drives("syncVolume", "shared")
    def sync_shared(self, volume: Volume) -> None:
        self.do_share_or_sync_volume(MAIN, volume, False)

    @drives("deleteVolume", "unshared")
    def delete_unshared(self, volume: Volume) -> None:
        self.do_delete_volume(MAIN, volume)

    @drives("deleteVolume", "shared")
    def delete_shared(self, volume: Volume) -> None:
        self.do_delete_volume(MAIN, volume)

    @drives("deleteVolume", "mounted")
    def delete_mounted(self, volume: Volume) -> None:
        self.do_delete_volume(MAIN, volume)

    # ------------------------------------------------------------ drivers: workspaces
    @drives("createWorkspace", "active project")
    def create_workspace(self, project: Project) -> Workspace:
        workspace_id = self.do_create_workspace(MAIN, project, self.workspace_body(project, "first"))
        return self.orgs[MAIN].workspaces[workspace_id]

    @drives("createWorkspace", "no project")
    def create_loose_workspace(self, _: None) -> Workspace:
        workspace_id = self.do_create_workspace(MAIN, None, self.workspace_body(None, "loose"))
        return self.orgs[MAIN].workspaces[workspace_id]

    @drives("createWorkspace", "archived project")
    def create_workspace_archived(self, project: Project) -> Workspace:
        workspace_id = self.do_create_workspace(MAIN, project, self.workspace_body(project, "late"))
        return self.orgs[MAIN].workspaces[workspace_id]

    @drives("updateWorkspace", "running")
    def rename_running(self, workspace: Workspace) -> None:
        self.do_update_workspace(MAIN, workspace, {"name": self.name("renamed"), "description": "renamed running"})

    @drives("updateWorkspace", "stopped")
    def rename_stopped(self, workspace: Workspace) -> None:
        self.do_update_workspace(MAIN, workspace, {"name": self.name("zeta"), "description": "renamed stopped"})

    @drives("updateWorkspace", "running, resources")
    def resize_running(self, workspace: Workspace) -> None:
        self.do_update_workspace(MAIN, workspace, {"resources": {"cpu": "3"}})

    @drives("updateWorkspace", "running, image")
    def reimage_running(self, workspace: Workspace) -> None:
        self.do_update_workspace(MAIN, workspace, {"image": "strongly/jupyter:custom"})

    @drives("updateWorkspace", "stopped, resources")
    def resize_stopped(self, workspace: Workspace) -> None:
        body = {"resources": {"cpu": "3", "memory": "8Gi"}, "image": "strongly/jupyter:other"}
        self.do_update_workspace(MAIN, workspace, body)

    @drives("startWorkspace", "stopped")
    def start_stopped(self, workspace: Workspace) -> None:
        self.do_workspace_action(MAIN, workspace, "start")

    @drives("startWorkspace", "running")
    def start_running(self, workspace: Workspace) -> None:
        self.send(MAIN, "POST", f"{API}/workspaces/{workspace.id}/start", "startWorkspace", (200,))  # as done

    @drives("stopWorkspace", "stopped")
    def stop_stopped(self, workspace: Workspace) -> None:
        self.send(MAIN, "POST", f"{API}/workspaces/{workspace.id}/stop", "stopWorkspace", (200,))  # as done

    @drives("restartWorkspace", "stopped")
    def restart_stopped(self, workspace: Workspace) -> None:
        self.do_workspace_action(MAIN, workspace, "restart")

    @drives("stopWorkspace", "running")
    def stop_running(self, workspace: Workspace) -> None:
        self.do_workspace_action(MAIN, workspace, "stop")

    @drives("stopWorkspace", "restarted")
    def stop_restarted(self, workspace: Workspace) -> None:
        self.do_workspace_action(MAIN, workspace, "stop")

    @drives("stopWorkspace", "pending")
    def stop_pending(self, workspace: Workspace) -> None:
        self.do_workspace_action(MAIN, workspace, "stop")

    @drives("restartWorkspace", "running")
    def restart_running(self, workspace: Workspace) -> None:
        self.do_workspace_action(MAIN, workspace, "restart")

    @drives("deleteWorkspace", "stopped")
    def delete_stopped(self, workspace: Workspace) -> None:
        self.do_delete_workspace(MAIN, workspace)

    @drives("deleteWorkspace", "running")
    def delete_running(self, workspace: Workspace) -> None:
        self.do_delete_workspace(MAIN, workspace)

    @drives("deleteWorkspace", "pending")
    def delete_pending(self, workspace: Workspace) -> None:
        self.do_delete_workspace(MAIN, workspace)

    @drives("syncWorkspace", "running")
    def sync_running(self, workspace: Workspace) -> None:
        self.do_sync_workspace(MAIN, workspace)

    @drives("syncWorkspace", "running, no volume")
    def sync_without_volume(self, workspace: Workspace) -> None:
        self.do_sync_workspace(MAIN, workspace)

    @drives("syncWorkspace", "stopped")
    def sync_stopped(self, workspace: Workspace) -> None:
        self.do_sync_workspace(MAIN, workspace)


def charged(finding: ContractViolation, case: Case, view: str) -> ContractViolation:
    """A view that a refused (or already done) operation had to leave alone shows a change: that breaks the rule
    the map judges the view by there ("a refused request changes nothing"), so the finding is charged to it. A
    change anywhere else keeps the reader's own, more precise requirement."""
    requirement = case.keeps.get(view)
    if case.outcome == "accepted" or requirement in (None, finding.requirement) or view == "other-organization":
        return finding
    if isinstance(finding, MissingField):  # an unusable answer is its schema's business, whatever the case
        return finding
    moved = ContractViolation(requirement, str(finding).removeprefix(f"[{finding.requirement}] "), rule=finding.rule)
    moved.request, moved.status = finding.request, finding.status
    return moved


# ---------------------------------------------------------------- how each view is read
def object_view(kind: str, gone: str) -> Callable[[SystematicPass, Subject], None]:
    """The subject's object (or its project's), every field; 404 once deleted (``gone``: the requirement)."""

    def read(self: SystematicPass, subject: Subject) -> None:
        resource_id = subject.project_id if kind == "project" else subject.id
        if resource_id in getattr(self.orgs[subject.org], f"{kind}s"):
            self.check_object(subject.org, kind, resource_id, isolation=False)
        else:
            self.check_gone(subject.org, f"{API}/{kind}s/{resource_id}", gone)

    return read


def workspace_view(check: str, suffix: str) -> Callable[[SystematicPass, Subject], None]:
    """A runtime view of the subject workspace; 404 once it is deleted (WS-LIFE-007)."""

    def read(self: SystematicPass, subject: Subject) -> None:
        if subject.id in self.orgs[subject.org].workspaces:
            getattr(self, check)(subject.org, subject.id)
        else:
            self.check_gone(subject.org, f"{subject.path}/{suffix}", "WS-LIFE-007")

    return read


def project_view(suffix: str) -> Callable[[SystematicPass, Subject], None]:
    """A view of the subject's project (its stats, activity, collaborators, volumes or workspaces); 404 once the
    project is deleted (PRJ-LIFE-006)."""

    def read(self: SystematicPass, subject: Subject) -> None:
        project = self.orgs[subject.org].projects.get(subject.project_id)
        if project is None:
            self.check_gone(subject.org, f"{API}/projects/{subject.project_id}/{suffix}", "PRJ-LIFE-006")
        elif suffix == "stats":
            self.check_stats(subject.org, project.id)
        elif suffix == "activity":
            self.check_activity(subject.org, project)
        elif suffix == "collaborators":
            self.check_collaborators(subject.org, project)
        else:
            self.check_sub_list(subject.org, project.id, suffix)

    return read


def lists(kind: str, *variants: dict[str, Any], limits: tuple[int | None, ...] = (None,)) -> Callable[..., None]:
    """A top-level list, once per variant of its parameters and per page size (None: the target's default);
    ``TAG`` and ``PROJECT`` stand for the run's tag and the subject's project."""

    def read(self: SystematicPass, subject: Subject) -> None:
        for variant in variants:
            params = {name: subject.project_id if value == "PROJECT" else value.replace("TAG", self.tag)
                      for name, value in variant.items()}  # fmt: skip
            for limit in limits:
                self.read_list(subject.org, kind, params, limit)

    return read


def project_searches(self: SystematicPass, subject: Subject) -> None:
    for term in subject.terms or ("alpha",):
        self.read_list(subject.org, "project", {"tag": self.tag, "search": term})


STATUSES = ("pending", "running", "stopped")
# Sorted lists are walked a few items at a time, so that an order unstable among equal keys shows as an item
# on two pages or on none (there are always several volumes of one size and label, projects of one name).
READERS: dict[str, Callable[[SystematicPass, Subject], None]] = {
    "workspace": object_view("workspace", "WS-LIFE-007"),
    "workspace/status": workspace_view("check_status", "status"),
    "workspace/metrics": workspace_view("check_metrics", "metrics"),
    "workspaces": lists("workspace", {"search": "TAG"}, {"search": "TAG-work"}),
    "workspaces?status": lists("workspace", *({"search": "TAG", "status": status} for status in STATUSES)),
    "workspaces?projectId": lists("workspace", {"projectId": "PROJECT"}, {"projectId": "PROJECT", "status": "running"}),
    "workspaces?sort": lists(
        "workspace", {"search": "TAG", "sort": "status:asc"}, {"search": "TAG", "sort": "name:desc"}, limits=(2,)
    ),
    "project": object_view("project", "PRJ-LIFE-006"),
    "projects": lambda self, subject: (
        lists("project", {"tag": "TAG"}, limits=(None, 7))(self, subject),
        lists("project", {"tag": "v2", "search": "TAG"})(self, subject),
    ),
    "projects?status": lists("project", {"tag": "TAG", "status": "active"}, {"tag": "TAG", "status": "archived"}),
    "projects?category": lists("project", *({"tag": "TAG", "category": c} for c in ("machine-learning", "analytics"))),
    "projects?search": project_searches,
    "projects?sort": lists("project", {"tag": "TAG", "sort": "name:asc"}, limits=(2,)),
    "project/stats": project_view("stats"),
    "project/activity": project_view("activity"),
    "project/collaborators": project_view("collaborators"),
    "project/volumes": project_view("volumes"),
    "project/workspaces": project_view("workspaces"),
    "volume": object_view("volume", "VOL-LIFE-003"),
    "volumes": lists("volume", {"search": "TAG"}, {"search": "TAG-data"}),
    "volumes?type": lists("volume", *({"search": "TAG", "type": kind} for kind in ("data", "model"))),
    "volumes?projectId": lists(
        "volume", *({"projectId": "PROJECT"} | extra for extra in ({}, {"type": "data"}, {"search": "TAG"}))
    ),
    "volumes?sort": lists(
        "volume", {"search": "TAG", "sort": "sizeGb:desc"}, {"search": "TAG", "sort": "label:asc"}, limits=(1,)
    ),
    "volumes/shared": lists("shared", {"search": "TAG"}),
    "siblings": lambda self, subject: self.check_siblings(subject.org, subject.project_id, subject.id),
    "other-organization": lambda self, subject: self.check_other_organizations(subject.org, [subject.path]),
}
