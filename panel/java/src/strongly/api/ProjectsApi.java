package strongly.api;

import strongly.auth.Directory;
import strongly.auth.User;
import strongly.http.ApiException;
import strongly.http.ApiServer;
import strongly.http.Request;
import strongly.http.Response;
import strongly.model.Activity;
import strongly.model.Collaborator;
import strongly.model.Project;
import strongly.model.Volume;
import strongly.model.Workspace;
import strongly.store.Store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** /api/v1/projects routes (SDK guide; routes from the deployment brief). */
public final class ProjectsApi {
    static final Set<String> VISIBILITIES = Set.of("private", "organization");
    static final Set<String> STATUSES = Set.of("active", "archived");
    static final int MAX_COLLABORATORS = 200;

    private final Ctx ctx;
    private final WorkspacesApi workspaces;

    public ProjectsApi(Ctx ctx, WorkspacesApi workspaces) {
        this.ctx = ctx;
        this.workspaces = workspaces;
    }

    public void register(ApiServer s) {
        s.route("GET", "/projects", "projects:read", this::list);
        s.route("POST", "/projects", "projects:write", this::create);
        s.route("GET", "/projects/{projectId}", "projects:read", this::get);
        s.route("PUT", "/projects/{projectId}", "projects:write", this::update);
        s.route("DELETE", "/projects/{projectId}", "projects:write", this::delete);
        s.route("POST", "/projects/{projectId}/archive", "projects:write", this::archive);
        s.route("POST", "/projects/{projectId}/restore", "projects:write", this::restore);
        s.route("GET", "/projects/{projectId}/stats", "projects:read", this::stats);
        s.route("GET", "/projects/{projectId}/activity", "projects:read", this::activity);
        s.route("GET", "/projects/{projectId}/collaborators", "projects:read", this::collaborators);
        s.route("POST", "/projects/{projectId}/collaborators", "projects:write", this::addCollaborator);
        s.route("PUT", "/projects/{projectId}/collaborators/{userId}", "projects:write", this::updateCollaborator);
        s.route("DELETE", "/projects/{projectId}/collaborators/{userId}", "projects:write", this::removeCollaborator);
        s.route("GET", "/projects/{projectId}/volumes", "projects:read", this::volumes);
        s.route("GET", "/projects/{projectId}/workspaces", "projects:read", this::workspaces);
    }

    // ------------------------------------------------------------------ list / CRUD

    private Response list(Request r) {
        int limit = Ctx.limit(r);
        int offset = Ctx.offset(r);
        String search = Ctx.textParam(r, "search");
        String status = Ctx.enumParam(r, "status", STATUSES);
        String category = Ctx.textParam(r, "category");
        String tag = Ctx.textParam(r, "tag");
        Map<String, Function<Project, Comparable<?>>> fields = new LinkedHashMap<>();
        fields.put("createdAt", p -> p.createdAt);
        fields.put("updatedAt", p -> p.updatedAt);
        fields.put("name", p -> p.name);
        fields.put("status", p -> p.status);
        var order = Ctx.sort(r, fields);
        return ctx.store.read(() -> {
            List<Project> items = new ArrayList<>();
            for (Project p : ctx.store.projects.values()) {
                if (Ctx.projectRole(p, r.user) == null) continue;
                if (status != null && !status.equals(p.status)) continue;
                if (category != null && (p.category == null || !p.category.equalsIgnoreCase(category))) continue;
                if (tag != null && p.tags.stream().noneMatch(t -> t.equalsIgnoreCase(tag))) continue;
                if (search != null && !Ctx.containsIgnoreCase(p.name, search)
                        && !Ctx.containsIgnoreCase(p.description, search)) continue;
                items.add(p);
            }
            return Response.ok(Ctx.page("projects", items, order, limit, offset, ctx::view));
        });
    }

    private Response create(Request r) {
        Fields f = new Fields(r.jsonObject(true));
        String name = f.requiredString("name", 200);
        if (!f.has("description") || f.isNull("description")) throw ApiException.invalidField("description", "'description' is required");
        String description = f.text("description", 5000);
        String category = f.nullableString("category", 100, false);
        String visibility = (f.has("visibility") && !f.isNull("visibility")) ? f.oneOf("visibility", VISIBILITIES) : "organization";
        List<String> tags = f.stringList("tags", 50, 50);
        User u = r.user;
        return ctx.store.write(() -> {
            long now = Ctx.now();
            Project p = new Project();
            p.id = ctx.newId("proj", ctx.store.projects);
            p.seq = ctx.store.nextSeq();
            p.organizationId = u.orgId;
            p.createdAt = now;
            p.updatedAt = now;
            p.name = name;
            p.description = description;
            p.category = category;
            p.visibility = visibility;
            p.tags = tags;
            p.status = Project.ACTIVE;
            p.ownerId = u.id;
            Store.Batch b = new Store.Batch().put(p);
            ctx.activity(b, p.id, u, "project.created", "project", p.id, "created project " + p.name, null, now);
            ctx.store.commit(b);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("projectId", p.id);
            body.putAll(ctx.view(p));
            return Response.created(body, ApiServer.PREFIX + "/projects/" + p.id);
        });
    }

    private Response get(Request r) {
        return ctx.store.read(() -> Response.ok(ctx.view(ctx.project(r.param("projectId"), r.user))));
    }

    private Response update(Request r) {
        Fields f = new Fields(r.jsonObject(true));
        String name = f.has("name") ? f.string("name", 200) : null;
        String description = f.has("description") ? f.text("description", 5000) : null;
        boolean hasCategory = f.has("category");
        String category = f.nullableString("category", 100, false);
        String visibility = f.has("visibility") ? f.oneOf("visibility", VISIBILITIES) : null;
        List<String> tags = f.has("tags") ? f.stringList("tags", 50, 50) : null;
        boolean hasDefault = f.has("defaultDataVolumeId");
        String defaultVol = hasDefault ? f.nullableString("defaultDataVolumeId", 100, false) : null;
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = ctx.project(r.param("projectId"), u);
            Ctx.requireRole(p, u, Ctx.Role.EDITOR, "update it");
            if (visibility != null && !visibility.equals(p.visibility)) {
                Ctx.requireRole(p, u, Ctx.Role.ADMIN, "change its visibility");
            }
            boolean any = name != null || description != null || hasCategory || visibility != null || tags != null || hasDefault;
            if (!any) return Response.ok(ctx.view(p));
            if (p.isArchived()) throw ApiException.conflict("project " + p.id + " is archived; restore it before updating it");
            if (defaultVol != null) {
                Volume v = ctx.store.volumes.get(defaultVol);
                if (v == null || !p.id.equals(v.projectId)) {
                    throw ApiException.invalidField("defaultDataVolumeId", "volume " + defaultVol + " is not a volume of project " + p.id);
                }
            }
            long now = Ctx.now();
            Project c = p.copy();
            List<String> changed = new ArrayList<>();
            if (name != null) { c.name = name; changed.add("name"); }
            if (description != null) { c.description = description; changed.add("description"); }
            if (hasCategory) { c.category = category; changed.add("category"); }
            if (visibility != null) { c.visibility = visibility; changed.add("visibility"); }
            if (tags != null) { c.tags = tags; changed.add("tags"); }
            if (hasDefault) { c.defaultDataVolumeId = defaultVol; changed.add("defaultDataVolumeId"); }
            c.updatedAt = now;
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.id, u, "project.updated", "project", c.id, "updated project " + c.name,
                    Map.of("fields", changed), now);
            ctx.store.commit(b);
            return Response.ok(ctx.view(c));
        });
    }

    private Response delete(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = ctx.project(r.param("projectId"), u);
            Ctx.requireRole(p, u, Ctx.Role.OWNER, "delete it");
            int ws = ctx.projectWorkspaces(p.id).size();
            int vols = ctx.projectVolumes(p.id).size();
            if (ws > 0 || vols > 0) {
                throw ApiException.conflict("project " + p.id + " still has " + ws + " workspace(s) and " + vols
                        + " volume(s); delete them first").with("workspaceCount", ws).with("volumeCount", vols);
            }
            Store.Batch b = new Store.Batch().delete(p);
            List<Activity> acts = ctx.store.activityByProject.get(p.id);
            if (acts != null) for (Activity a : acts) b.delete(a);
            ctx.store.commit(b);
            return Response.noContent();
        });
    }

    private Response archive(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = ctx.project(r.param("projectId"), u);
            Ctx.requireRole(p, u, Ctx.Role.ADMIN, "archive it");
            if (p.isArchived()) throw new ApiException(409, "invalid_state", "project " + p.id + " is already archived")
                    .with("status", p.status);
            long now = Ctx.now();
            Project c = p.copy();
            c.status = Project.ARCHIVED;
            c.archivedAt = now;
            c.updatedAt = now;
            Store.Batch b = new Store.Batch().put(c);
            List<String> stopped = new ArrayList<>();
            for (Workspace w : ctx.projectWorkspaces(p.id)) {
                if (Workspace.RUNNING.equals(w.status) || Workspace.PENDING.equals(w.status)) {
                    Workspace wc = w.copy();
                    WorkspacesApi.stopInPlace(wc, now);
                    b.put(wc);
                    stopped.add(wc.id);
                }
            }
            ctx.activity(b, c.id, u, "project.archived", "project", c.id, "archived project " + c.name,
                    Map.of("stoppedWorkspaceIds", stopped), now);
            ctx.store.commit(b);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "Project archived");
            m.put("projectId", c.id);
            m.put("status", c.status);
            m.put("archived", true);
            m.put("stoppedWorkspaceIds", stopped);
            return Response.ok(m);
        });
    }

    private Response restore(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = ctx.project(r.param("projectId"), u);
            Ctx.requireRole(p, u, Ctx.Role.ADMIN, "restore it");
            if (!p.isArchived()) throw new ApiException(409, "invalid_state", "project " + p.id + " is not archived")
                    .with("status", p.status);
            long now = Ctx.now();
            Project c = p.copy();
            c.status = Project.ACTIVE;
            c.archivedAt = 0;
            c.updatedAt = now;
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.id, u, "project.restored", "project", c.id, "restored project " + c.name, null, now);
            ctx.store.commit(b);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "Project restored");
            m.put("projectId", c.id);
            m.put("status", c.status);
            m.put("archived", false);
            return Response.ok(m);
        });
    }

    // ------------------------------------------------------------------ stats / activity

    private Response stats(Request r) {
        return ctx.store.read(() -> {
            Project p = ctx.project(r.param("projectId"), r.user);
            List<Workspace> ws = ctx.projectWorkspaces(p.id);
            List<Volume> vols = ctx.projectVolumes(p.id);
            int active = 0;
            for (Workspace w : ws) if (Workspace.RUNNING.equals(w.status)) active++;
            double storage = 0;
            for (Volume v : vols) storage += v.sizeGb;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("projectId", p.id);
            m.put("workspaceCount", ws.size());
            m.put("volumeCount", vols.size());
            m.put("totalStorageGb", Math.round(storage * 1000) / 1000.0);
            m.put("activeWorkspaces", active);
            return Response.ok(m);
        });
    }

    private Response activity(Request r) {
        int limit = Ctx.limit(r);
        int offset = Ctx.offset(r);
        return ctx.store.read(() -> {
            Project p = ctx.project(r.param("projectId"), r.user);
            List<Activity> all = ctx.store.activityByProject.getOrDefault(p.id, List.of());
            List<Object> out = new ArrayList<>();
            for (int i = all.size() - 1 - offset; i >= 0 && out.size() < limit; i--) out.add(Ctx.view(all.get(i)));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", all.size());
            m.put("limit", limit);
            m.put("offset", offset);
            m.put("activity", out);
            return Response.ok(m);
        });
    }

    // ------------------------------------------------------------------ collaborators

    private Response collaborators(Request r) {
        return ctx.store.read(() -> {
            Project p = ctx.project(r.param("projectId"), r.user);
            List<Object> l = Ctx.collaboratorViews(p);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("projectId", p.id);
            m.put("count", l.size());
            m.put("collaborators", l);
            return Response.ok(m);
        });
    }

    static String email(Fields f) {
        if (!f.has("email") || f.isNull("email")) throw ApiException.invalidField("email", "'email' is required");
        String e = f.string("email", 254).toLowerCase(Locale.ROOT);
        if (!e.matches("[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")) {
            throw ApiException.invalidField("email", "'email' must be a valid e-mail address");
        }
        return e;
    }

    static String role(Fields f) {
        if (!f.has("role") || f.isNull("role")) throw ApiException.invalidField("role", "'role' is required (admin, editor or viewer)");
        if (f.m.get("role") instanceof String && ((String) f.m.get("role")).strip().equalsIgnoreCase("owner")) {
            throw ApiException.invalidField("role", "the owner role cannot be granted; roles are admin, editor or viewer");
        }
        return f.oneOf("role", Ctx.ASSIGNABLE_ROLES);
    }

    private Response addCollaborator(Request r) {
        Fields f = new Fields(r.jsonObject(true));
        String email = email(f);
        String role = role(f);
        String givenUserId = null;
        if (f.has("userId") && !f.isNull("userId")) {
            givenUserId = f.string("userId", 64);
            if (!givenUserId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
                throw ApiException.invalidField("userId", "'userId' may contain only letters, digits, '_', '-' and '.'");
            }
        }
        final String gid = givenUserId;
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = ctx.project(r.param("projectId"), u);
            Ctx.requireRole(p, u, Ctx.Role.ADMIN, "add collaborators");
            User known = Directory.byEmail(p.organizationId, email);
            String userId;
            if (known != null) {
                if (gid != null && !gid.equals(known.id)) {
                    throw ApiException.invalidField("userId", "userId " + gid + " does not match the user with e-mail " + email);
                }
                userId = known.id;
            } else if (gid != null) {
                User other = Directory.byId(gid);
                if (other != null) {
                    throw ApiException.invalidField("userId", "userId " + gid + " does not match the user with e-mail " + email);
                }
                userId = gid;
            } else {
                userId = "user_" + Ctx.randomSuffix(10);
            }
            if (userId.equals(p.ownerId)) throw ApiException.conflict(email + " is the owner of project " + p.id);
            if (p.collaborator(userId) != null || p.collaboratorByEmail(email) != null) {
                throw ApiException.conflict(email + " is already a collaborator on project " + p.id
                        + "; use PUT .../collaborators/{userId} to change the role");
            }
            if (p.collaborators.size() >= MAX_COLLABORATORS) {
                throw ApiException.conflict("project " + p.id + " already has the maximum of " + MAX_COLLABORATORS + " collaborators");
            }
            long now = Ctx.now();
            Collaborator c = new Collaborator();
            c.userId = userId;
            c.email = email;
            c.role = role;
            c.grantedAt = now;
            c.grantedBy = u.id;
            Project pc = p.copy();
            pc.collaborators.add(c);
            pc.updatedAt = now;
            Store.Batch b = new Store.Batch().put(pc);
            ctx.activity(b, p.id, u, "collaborator.added", "collaborator", userId,
                    "added " + email + " as " + role, Map.of("email", email, "role", role), now);
            ctx.store.commit(b);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "Collaborator added");
            m.put("projectId", p.id);
            m.put("collaborator", Ctx.view(c));
            return Response.created(m, ApiServer.PREFIX + "/projects/" + p.id + "/collaborators/" + userId);
        });
    }

    private Response updateCollaborator(Request r) {
        Fields f = new Fields(r.jsonObject(true));
        String role = role(f);
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = ctx.project(r.param("projectId"), u);
            String userId = r.param("userId");
            Ctx.requireRole(p, u, Ctx.Role.ADMIN, "change collaborator roles");
            if (userId.equals(p.ownerId)) throw ApiException.conflict("the project owner's role cannot be changed");
            Collaborator existing = p.collaborator(userId);
            if (existing == null) throw ApiException.notFound("collaborator", userId);
            long now = Ctx.now();
            Project pc = p.copy();
            Collaborator c = pc.collaborator(userId);
            String old = c.role;
            c.role = role;
            pc.updatedAt = now;
            Store.Batch b = new Store.Batch().put(pc);
            ctx.activity(b, p.id, u, "collaborator.role_updated", "collaborator", userId,
                    "changed the role of " + c.email + " from " + old + " to " + role,
                    Map.of("email", c.email, "role", role, "previousRole", old), now);
            ctx.store.commit(b);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "Collaborator role updated");
            m.put("projectId", p.id);
            m.put("collaborator", Ctx.view(c));
            return Response.ok(m);
        });
    }

    private Response removeCollaborator(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = ctx.project(r.param("projectId"), u);
            String userId = r.param("userId");
            if (!userId.equals(u.id)) Ctx.requireRole(p, u, Ctx.Role.ADMIN, "remove collaborators");
            if (userId.equals(p.ownerId)) throw ApiException.conflict("the project owner cannot be removed");
            Collaborator existing = p.collaborator(userId);
            if (existing == null) throw ApiException.notFound("collaborator", userId);
            long now = Ctx.now();
            Project pc = p.copy();
            pc.collaborators.removeIf(c -> c.userId.equals(userId));
            pc.updatedAt = now;
            Store.Batch b = new Store.Batch().put(pc);
            ctx.activity(b, p.id, u, "collaborator.removed", "collaborator", userId,
                    "removed " + existing.email + " from the project", Map.of("email", existing.email), now);
            ctx.store.commit(b);
            return Response.noContent();
        });
    }

    // ------------------------------------------------------------------ contents

    private Response volumes(Request r) {
        return ctx.store.read(() -> {
            Project p = ctx.project(r.param("projectId"), r.user);
            List<Object> l = new ArrayList<>();
            for (Volume v : ctx.projectVolumes(p.id)) l.add(ctx.view(v));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("projectId", p.id);
            m.put("count", l.size());
            m.put("volumes", l);
            return Response.ok(m);
        });
    }

    private Response workspaces(Request r) {
        return ctx.store.read(() -> {
            Project p = ctx.project(r.param("projectId"), r.user);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("projectId", p.id);
            m.putAll(workspaces.listForProject(r, p.id));
            return Response.ok(m);
        });
    }
}
