"""What the model phase does to a target: each operation sent, applied to the model, and marked for reading back.

``ModelActions`` holds one example's world (``orgs``: the model of each organization) and one method
per operation: it sends the request with the statuses the documents allow, applies an accepted one to
the model (``state``) and adds what it changed to ``touched``. Both ways of choosing operations use
them: the random state machine (``machine``) and the systematic pass (``systematic``). Waiting for a
workspace to get where the documents say it goes (running after a create, start or restart; stopped
after a stop) is here too, bounded by the run's provisioning wait.
"""

from __future__ import annotations

import random
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from contracts.model.context import API, answer, op_call
from contracts.model.effects import Case
from contracts.model.oracle import ViewOracle
from contracts.model.state import LIVE, STOPPED, Collaborator, Organization, Project, Volume, Workspace
from harness.expect import ContractViolation, TimedOut, poll_until, read_field
from harness.factory import new_id

PAST = {"start": "started", "stop": "stopped", "restart": "restarted"}
LANDS = 10.0  # the longest a stop may take to land before a delete must succeed (as contracts/test_workspaces.py)
# The requirement that promises a workspace gets to a state after each action (REST, D-06, D-08).
REACHES = {"create": "WS-LIFE-002", "start": "WS-LIFE-005", "restart": "WS-LIFE-006", "stop": "WS-LIFE-004"}


class Refused(Exception):
    """The target refused (4xx) an operation whose case allows a refusal; nothing is applied to the model."""


class ModelActions(ViewOracle):
    """One example's world and the operations that change it."""

    refusable: Case | None = None  # the case being driven, where its outcome may be a refusal (systematic.py)

    def __init__(self) -> None:
        super().__init__()
        self.tag = "mb" + secrets.token_hex(4)  # scopes this example's data in every list (names, tags)
        self.orgs = {name: Organization(name) for name in self.context.clients}
        self.touched: set[tuple[str, str, str]] = set()  # (org, kind, id) to read back after the step
        self.gone: list[tuple[str, str, str]] = []
        self.emails = 0
        self.deleted: dict[str, str] = {}  # every id this example deleted, and its kind
        self.rng = random.Random(0)  # the oracle's draws (filters, sorts, page sizes); reseeded per example

    # ------------------------------------------------------------ what the model holds
    def name(self, part: str) -> str:
        return f"{self.context.prefix}{self.tag}-{part}"

    def created(self, org: str, kind: str, body: Any) -> str:
        """The new id ({projectId}, or the SDK's whole object with id, D-01); registered and read back next. An id
        once deleted is never given again (D-38: "This action is irreversible.")."""
        created_id = new_id(body, kind)
        if created_id in self.deleted:
            raise ContractViolation(
                "GEN-ID-002", f"a new {kind} got the id {created_id} of a deleted {self.deleted[created_id]}"
            )
        self.context.registries[org].add(kind, created_id)
        self.touched.add((org, kind, created_id))
        return created_id

    def removed(self, org: str, kind: str, resource_id: str) -> None:
        """Deleted: out of the registry, read back as gone."""
        self.deleted[resource_id] = kind
        self.context.registries[org].forget(kind, resource_id)
        self.touched.discard((org, kind, resource_id))
        self.gone.append((org, kind, resource_id))

    def active_projects(self, org: str) -> list[Project]:
        return [p for p in self.orgs[org].projects.values() if not p.archived]

    def members(self, org: str) -> list[tuple[Project, Collaborator]]:
        return [(p, c) for p in self.active_projects(org) for c in p.collaborators.values() if not c.is_owner]

    def volumes(self, org: str, want: Any = lambda v: True) -> list[Volume]:
        model = self.orgs[org]
        return [v for v in model.volumes.values() if not model.projects[v.project_id].archived and want(v)]

    def deletable_volumes(self, org: str) -> list[Volume]:
        model = self.orgs[org]
        return self.volumes(org, lambda v: all(w.state == STOPPED for w in model.workspaces_of(v.project_id)))

    def workspaces(self, org: str, want: Any) -> list[Workspace]:
        return [w for w in self.orgs[org].workspaces.values() if want(w)]

    # ------------------------------------------------------------ sending
    def send(
        self, org: str, method: str, path: str, operation_id: str, statuses: tuple[int, ...], body: Any = None
    ) -> Any:
        """Send a change. Outside a case that allows a refusal it must be answered with ``statuses``; inside one
        (``refusable``), a 4xx raises ``Refused`` (nothing happened: the caller applies nothing), a success is
        judged by the case: a failure of its ``refusal`` where the documents (or --strict) want it refused."""
        case = self.refusable
        if case is None or case.outcome == "accepted":
            return op_call(self.client(org), method, path, operation_id, statuses, body)
        response = self.client(org).request(method, path, **({"json": body} if body is not None else {}))
        if 400 <= response.status_code < 500:
            if response.status_code != 409 and self.context.judges("GEN-ERR-004"):
                message = f"{method} {path} ({case.name}) was refused with {response.status_code}, not 409"
                raise ContractViolation("GEN-ERR-004", message, response)
            raise Refused(case.name)
        must_refuse = case.outcome == "refused" or bool(case.refusal and self.context.judges(case.refusal))
        if 200 <= response.status_code < 300 and must_refuse:
            raise ContractViolation(
                case.refusal,
                f"{method} {path} ({case.name}) answered {response.status_code}; {case.basis}: it is refused",
                response,
            )
        return answer(response, operation_id, statuses)

    # ------------------------------------------------------------ projects
    def do_create_projects(self, org: str, bodies: list[dict[str, Any]]) -> list[str]:
        model = self.orgs[org]
        created = []
        for body in bodies:
            answer = self.send(org, "POST", f"{API}/projects", "createProject", (201,), body)
            project_id = self.created(org, "project", answer)
            shown = op_call(self.client(org), "GET", f"{API}/projects/{project_id}", "getProject", (200,))
            owner_id = read_field(shown, "ownerId", str, "GET project")
            owner = Collaborator(owner_id, "", "owner", True)
            model.create_project(project_id, body, owner, model.tick())
            self.compare(org, "project", project_id, shown, f"GET {API}/projects/{project_id}")
            created.append(project_id)
        if len(bodies) > 3:
            self.touched = {t for t in self.touched if t[1] != "project"} | {(org, "project", created[-1])}
        return created

    def do_update_project(self, org: str, project: Project, body: dict[str, Any]) -> None:
        self.send(org, "PUT", f"{API}/projects/{project.id}", "updateProject", (200,), body)
        self.orgs[org].update_project(project.id, body, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    def do_concurrent_updates(self, org: str, project: Project, bodies: list[dict[str, Any]]) -> None:
        """Updates of different fields of one project, sent at once: in any serial order both land (D-39)."""
        path = f"{API}/projects/{project.id}"
        with ThreadPoolExecutor(len(bodies)) as pool:
            answers = list(pool.map(lambda body: self.client(org).put(path, json=body), bodies))
        for response in answers:
            answer(response, "updateProject", (200,))
        rank = self.orgs[org].tick()  # one rank: the batch happened in some serial order
        for body in bodies:
            self.orgs[org].update_project(project.id, body, rank)
        shown = op_call(self.client(org), "GET", path, "getProject", (200,))
        lost = {name: shown.get(name) for body in bodies for name in body if shown.get(name) != body[name]}
        if lost:
            raise ContractViolation(
                "DUR-002", f"after concurrent updates of {sorted(lost)}, {path} reads {lost}: an update was lost"
            )
        self.touched.add((org, "project", project.id))

    def do_archive_or_restore(self, org: str, project: Project, archive: bool) -> None:
        verb = "archive" if archive else "restore"
        self.send(org, "POST", f"{API}/projects/{project.id}/{verb}", f"{verb}Project", (200,))
        self.orgs[org].set_archived(project.id, archive, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    def do_delete_project(self, org: str, project: Project) -> None:
        """An empty project is deleted; one with workspaces or volumes too where the target deletes them with it
        (D-24 accepts that), and then they are gone with it."""
        self.send(org, "DELETE", f"{API}/projects/{project.id}", "deleteProject", (204,))
        model = self.orgs[org]
        for kind, things in (("workspace", model.workspaces_of(project.id)), ("volume", model.volumes_of(project.id))):
            for thing in things:
                getattr(model, f"{kind}s").pop(thing.id)
                self.removed(org, kind, thing.id)
        model.delete_project(project.id)
        self.removed(org, "project", project.id)

    # ------------------------------------------------------------ collaborators
    def new_email(self) -> str:
        self.emails += 1
        return f"{self.context.prefix}{self.tag}-{self.emails}@example.com"

    def do_add_collaborator(self, org: str, project: Project, role: str, email: str | None = None) -> None:
        """Add a collaborator (``email``: one already added, to add again; then nothing may change)."""
        again = email is not None
        email = email or self.new_email()
        path = f"{API}/projects/{project.id}/collaborators"
        self.send(org, "POST", path, "addProjectCollaborator", (200, 201), {"email": email, "role": role})
        if not again:
            self.listed_collaborators(org, project, {email: role}, self.orgs[org].tick())

    def do_concurrent_adds(self, org: str, project: Project, count: int) -> None:
        """Collaborators added at once: each lands once, in some serial order (D-39)."""
        added = {self.new_email(): "viewer" for _ in range(count)}
        path = f"{API}/projects/{project.id}/collaborators"
        with ThreadPoolExecutor(count) as pool:
            answers = list(pool.map(lambda email: self.client(org).post(path, json={"email": email, "role": "viewer"}),
                                    added))  # fmt: skip
        for response in answers:
            answer(response, "addProjectCollaborator", (200, 201))
        self.listed_collaborators(org, project, added, self.orgs[org].tick(), requirement="DUR-002")

    def listed_collaborators(
        self, org: str, project: Project, added: dict[str, str], rank: int, requirement: str = "PRJ-COLLAB-002"
    ) -> None:
        """The collaborators just added (email: role), as listed (their user ids are the server's), now in the model
        (one rank: added together, they may come in any order)."""
        path = f"{API}/projects/{project.id}/collaborators"
        listed = op_call(self.client(org), "GET", path, "listProjectCollaborators", (200,))
        people = read_field(listed, "collaborators", list, f"GET {path}")
        for email, role in added.items():
            match = [
                p for p in people if isinstance(p, dict) and str(p.get("email", "")).casefold() == email.casefold()
            ]
            if not match:
                raise ContractViolation(requirement, f"{email} was added to {project.id} but is not listed")
            person = Collaborator(read_field(match[0], "userId", str, f"GET {path}"), email, role, False)
            self.orgs[org].add_collaborator(project.id, person, rank)
        self.touched.add((org, "project", project.id))

    def do_change_role(self, org: str, project: Project, person: Collaborator, role: str) -> None:
        path = f"{API}/projects/{project.id}/collaborators/{person.user_id}"
        self.send(org, "PUT", path, "updateProjectCollaboratorRole", (200,), {"role": role})
        self.orgs[org].change_role(project.id, person.user_id, role, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    def do_remove_collaborator(self, org: str, project: Project, person: Collaborator) -> None:
        path = f"{API}/projects/{project.id}/collaborators/{person.user_id}"
        self.send(org, "DELETE", path, "removeProjectCollaborator", (200, 204))
        self.orgs[org].remove_collaborator(project.id, person.user_id, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))

    # ------------------------------------------------------------ volumes
    def do_create_volume(self, org: str, project: Project, body: dict[str, Any]) -> str:
        answer = self.send(org, "POST", f"{API}/volumes", "createVolume", (201,), body)
        volume_id = self.created(org, "volume", answer)
        self.orgs[org].create_volume(volume_id, body, self.orgs[org].tick())
        self.touched.add((org, "project", project.id))
        return volume_id

    def do_update_volume(self, org: str, volume: Volume, body: dict[str, Any]) -> None:
        self.send(org, "PUT", f"{API}/volumes/{volume.id}", "updateVolume", (200,), body)
        self.orgs[org].update_volume(volume.id, body, self.orgs[org].tick())
        self.touched |= {(org, "volume", volume.id), (org, "project", volume.project_id)}

    def do_share_or_sync_volume(self, org: str, volume: Volume, share: bool) -> None:
        verb, operation = ("share", "shareVolume") if share else ("sync", "syncVolume")
        self.send(org, "POST", f"{API}/volumes/{volume.id}/{verb}", operation, (200,))
        self.orgs[org].volume_action(volume.id, "shared" if share else "synced", self.orgs[org].tick())
        self.touched |= {(org, "volume", volume.id), (org, "project", volume.project_id)}

    def do_delete_volume(self, org: str, volume: Volume) -> None:
        self.send(org, "DELETE", f"{API}/volumes/{volume.id}", "deleteVolume", (204,))
        self.orgs[org].delete_volume(volume.id, self.orgs[org].tick())
        self.removed(org, "volume", volume.id)
        self.touched.add((org, "project", volume.project_id))

    # ------------------------------------------------------------ workspaces
    def do_create_workspace(self, org: str, project: Project | None, body: dict[str, Any]) -> str:
        answer = self.send(org, "POST", f"{API}/workspaces", "createWorkspace", (201,), body)
        workspace_id = self.created(org, "workspace", answer)
        self.orgs[org].create_workspace(workspace_id, body, self.orgs[org].tick())
        self.touched |= {(org, "project", project.id)} if project else set()
        return workspace_id

    def do_update_workspace(self, org: str, workspace: Workspace, body: dict[str, Any]) -> None:
        self.send(org, "PUT", f"{API}/workspaces/{workspace.id}", "updateWorkspace", (200,), body)
        self.orgs[org].update_workspace(workspace.id, body, self.orgs[org].tick())
        self.touched |= {(org, "workspace", workspace.id), (org, "project", workspace.project_id)}

    def do_workspace_action(self, org: str, workspace: Workspace, verb: str) -> None:
        """start a stopped workspace, stop a live one, restart a running one (REST); a stop is awaited, since it
        may land a moment after it is answered."""
        path = f"{API}/workspaces/{workspace.id}/{verb}"
        self.send(org, "POST", path, f"{verb}Workspace", (200,))
        self.orgs[org].workspace_action(workspace.id, PAST[verb], self.orgs[org].tick())
        self.touched |= {(org, "workspace", workspace.id), (org, "project", workspace.project_id)}
        if verb == "stop":
            self.settle(org, [workspace], "stop")

    def do_sync_workspace(self, org: str, workspace: Workspace) -> None:
        self.send(org, "POST", f"{API}/workspaces/{workspace.id}/sync", "syncWorkspace", (200,))
        self.orgs[org].workspace_synced(workspace.id, self.orgs[org].tick())
        self.touched |= {(org, "workspace", workspace.id), (org, "project", workspace.project_id)}

    def do_delete_workspace(self, org: str, workspace: Workspace) -> None:
        """Delete a stopped workspace (a live one in the refusal cases). Right after its stop, a delete refused a
        moment longer is accepted by default, bounded (that it is deleted at once is recommended, WS-LIFE-017)."""
        path = f"{API}/workspaces/{workspace.id}"
        accepted = self.refusable is None or self.refusable.outcome == "accepted"
        if workspace.state == STOPPED and accepted and not self.context.judges("WS-LIFE-017"):
            deadline = time.monotonic() + LANDS
            response = self.client(org).delete(path)
            while 400 <= response.status_code < 500 and time.monotonic() < deadline:
                time.sleep(0.5)
                response = self.client(org).delete(path)
            answer(response, "deleteWorkspace", (204,))
        else:
            self.send(org, "DELETE", path, "deleteWorkspace", (204,))
        self.orgs[org].delete_workspace(workspace.id, self.orgs[org].tick())
        self.removed(org, "workspace", workspace.id)
        self.touched.add((org, "project", workspace.project_id))

    def do_refused_delete(self, org: str, workspace: Workspace) -> None:
        """A live workspace's delete is refused ("must be stopped before deletion") and it stays."""
        path = f"{API}/workspaces/{workspace.id}"
        response = self.client(org).delete(path)
        if not 400 <= response.status_code < 500:
            raise ContractViolation(
                "WS-LIFE-008", f"DELETE {path} of a live workspace answered {response.status_code}, not a refusal",
                response,
            )  # fmt: skip
        if response.status_code != 409 and self.context.judges("GEN-ERR-004"):
            raise ContractViolation(
                "GEN-ERR-004",
                f"DELETE {path} of a live workspace answered {response.status_code}; the contract's "
                "status for this refusal is 409 (D-09)",
                response,
            )
        self.touched |= {(org, "workspace", workspace.id), (org, "project", workspace.project_id)}

    def settle(self, org: str, workspaces: list[Workspace], action: str) -> None:
        """Wait (bounded by the run's provisioning wait) until each workspace reads as the state ``action``
        leads to: stopped after a stop, running otherwise. From then on the model predicts it exactly."""
        target = "stopped" if action == "stop" else "running"
        for workspace in workspaces:
            if workspace.state == LIVE and workspace.seen_running and target == "running":
                continue
            path = f"{API}/workspaces/{workspace.id}"
            try:
                poll_until(
                    lambda path=path: op_call(self.client(org), "GET", path, "getWorkspace", (200,)),
                    lambda shown: isinstance(shown, dict) and shown.get("status") == target,
                    timeout=self.context.provision_wait,
                    what=f"workspace {workspace.id} becoming {target} after {action}",
                )
            except TimedOut as exc:
                raise ContractViolation(REACHES[action], str(exc)) from None
            workspace.seen_running = target == "running"
