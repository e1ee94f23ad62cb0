package strongly.api;

import strongly.auth.User;
import strongly.http.ApiException;
import strongly.http.ApiServer;
import strongly.http.Request;
import strongly.http.Response;
import strongly.model.Project;
import strongly.model.Workspace;
import strongly.sim.Simulator;
import strongly.store.Store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** /api/v1/workspaces routes (REST reference). */
public final class WorkspacesApi {
    static final Set<String> ENV_TYPES = Set.of("jupyter", "vscode", "rstudio", "custom");
    static final Set<String> STATUSES = Set.of("pending", "running", "stopped", "failed", "terminated");
    static final Set<String> LOG_TYPES = Set.of("build", "deploy", "pod");
    static final Set<String> RESOURCE_KEYS = Set.of("cpu", "memory", "gpu", "gpuType", "storage");

    static final double MAX_CPU = 96;
    static final double MAX_MEMORY_GIB = 1024;
    static final int MAX_GPU = 8;
    static final double MAX_STORAGE_GIB = 16384;

    private final Ctx ctx;

    public WorkspacesApi(Ctx ctx) { this.ctx = ctx; }

    public void register(ApiServer s) {
        s.route("GET", "/workspaces", "workspaces:read", this::list);
        s.route("POST", "/workspaces", "workspaces:write", this::create);
        s.route("GET", "/workspaces/{id}", "workspaces:read", this::get);
        s.route("PUT", "/workspaces/{id}", "workspaces:write", this::update);
        s.route("DELETE", "/workspaces/{id}", "workspaces:write", this::delete);
        s.route("POST", "/workspaces/{id}/start", "workspaces:write", this::start);
        s.route("POST", "/workspaces/{id}/stop", "workspaces:write", this::stop);
        s.route("POST", "/workspaces/{id}/restart", "workspaces:write", this::restart);
        s.route("POST", "/workspaces/{id}/sync", "workspaces:write", this::sync);
        s.route("GET", "/workspaces/{id}/status", "workspaces:read", this::status);
        s.route("GET", "/workspaces/{id}/metrics", "workspaces:read", this::metrics);
        s.route("GET", "/workspaces/{id}/logs", "workspaces:read", this::logs);
    }

    static String defaultImage(String env) {
        switch (env) {
            case "jupyter": return "strongly/jupyter:latest";
            case "vscode": return "strongly/vscode:latest";
            case "rstudio": return "strongly/rstudio:latest";
            default: return null;
        }
    }

    static Map<String, Object> defaultResources() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cpu", "2");
        r.put("memory", "8Gi");
        r.put("gpu", "0");
        r.put("gpuType", null);
        r.put("storage", "20Gi");
        return r;
    }

    // ------------------------------------------------------------------ validation

    /** Validates a resources object and merges it over base (keys not given keep their value). */
    static Map<String, Object> mergeResources(Map<String, Object> base, Map<String, Object> in) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        for (Map.Entry<String, Object> e : in.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            String f = "resources." + k;
            switch (k) {
                case "cpu": {
                    String s = quantityText(f, v, true);
                    if (!s.matches("[0-9]+(\\.[0-9]+)?|[0-9]+m")) {
                        throw ApiException.invalidField(f, "'" + f + "' must be a CPU quantity such as \"4\", \"0.5\" or \"500m\"");
                    }
                    double cores = Simulator.cpuCores(s);
                    if (cores <= 0 || cores > MAX_CPU) {
                        throw ApiException.invalidField(f, "'" + f + "' must be more than 0 and at most " + (int) MAX_CPU + " cores");
                    }
                    out.put(k, s);
                    break;
                }
                case "memory":
                case "storage": {
                    String s = quantityText(f, v, false);
                    if (!s.matches("[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|K|M|G|T)?")) {
                        throw ApiException.invalidField(f, "'" + f + "' must be a size such as \"16Gi\" or \"512Mi\"");
                    }
                    double g = Simulator.gib(s);
                    double max = k.equals("memory") ? MAX_MEMORY_GIB : MAX_STORAGE_GIB;
                    double min = k.equals("memory") ? 0.125 : 1;
                    if (g < min || g > max) {
                        throw ApiException.invalidField(f, "'" + f + "' must be between " + (k.equals("memory") ? "128Mi" : "1Gi")
                                + " and " + (int) max + "Gi");
                    }
                    out.put(k, s);
                    break;
                }
                case "gpu": {
                    String s = quantityText(f, v, true);
                    if (!s.matches("[0-9]{1,3}") || Integer.parseInt(s) > MAX_GPU) {
                        throw ApiException.invalidField(f, "'" + f + "' must be a whole number of GPUs from 0 to " + MAX_GPU);
                    }
                    out.put(k, Integer.toString(Integer.parseInt(s)));
                    break;
                }
                case "gpuType": {
                    if (v == null) { out.put(k, null); break; }
                    if (!(v instanceof String)) throw ApiException.invalidField(f, "'" + f + "' must be a string or null");
                    String s = ((String) v).strip();
                    if (s.isEmpty()) { out.put(k, null); break; }
                    if (!s.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                        throw ApiException.invalidField(f, "'" + f + "' must be a GPU type name such as \"nvidia-a10g\"");
                    }
                    out.put(k, s);
                    break;
                }
                default:
                    break; // unknown resource keys are ignored
            }
        }
        return out;
    }

    private static String quantityText(String f, Object v, boolean numbersAllowed) {
        if (v == null) throw ApiException.invalidField(f, "'" + f + "' must not be null");
        if (v instanceof String) return ((String) v).strip();
        if (numbersAllowed && v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e9) return Long.toString((long) d);
            return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        throw ApiException.invalidField(f, "'" + f + "' must be a string");
    }

    static String image(Fields f) {
        String s = f.string("image", 512);
        if (!s.matches("[A-Za-z0-9][A-Za-z0-9._/:@+-]*")) {
            throw ApiException.invalidField("image", "'image' must be a container image reference such as \"strongly/jupyter:latest\"");
        }
        return s;
    }

    // ------------------------------------------------------------------ handlers

    private Response list(Request r) {
        int limit = Ctx.limit(r);
        int offset = Ctx.offset(r);
        String search = Ctx.textParam(r, "search");
        String status = Ctx.enumParam(r, "status", STATUSES);
        String projectId = Ctx.textParam(r, "projectId");
        var order = Ctx.<Workspace>sort(r, sortFields());
        return ctx.store.read(() -> {
            List<Workspace> items = new ArrayList<>();
            for (Workspace w : ctx.store.workspaces.values()) {
                if (!ctx.canSee(w, r.user)) continue;
                if (status != null && !status.equals(w.status)) continue;
                if (projectId != null && !projectId.equals(w.projectId)) continue;
                if (search != null && !Ctx.containsIgnoreCase(w.name, search)
                        && !Ctx.containsIgnoreCase(w.description, search)) continue;
                items.add(w);
            }
            return Response.ok(Ctx.page("workspaces", items, order, limit, offset, ctx::view));
        });
    }

    static Map<String, Function<Workspace, Comparable<?>>> sortFields() {
        Map<String, Function<Workspace, Comparable<?>>> m = new LinkedHashMap<>();
        m.put("createdAt", w -> w.createdAt);
        m.put("updatedAt", w -> w.updatedAt);
        m.put("name", w -> w.name);
        m.put("status", w -> w.status);
        return m;
    }

    /** Also used by GET /projects/{id}/workspaces. */
    Map<String, Object> listForProject(Request r, String projectId) {
        int limit = Ctx.limit(r);
        int offset = Ctx.offset(r);
        String search = Ctx.textParam(r, "search");
        String status = Ctx.enumParam(r, "status", STATUSES);
        var order = Ctx.<Workspace>sort(r, sortFields());
        List<Workspace> items = new ArrayList<>();
        for (Workspace w : ctx.projectWorkspaces(projectId)) {
            if (status != null && !status.equals(w.status)) continue;
            if (search != null && !Ctx.containsIgnoreCase(w.name, search)
                    && !Ctx.containsIgnoreCase(w.description, search)) continue;
            items.add(w);
        }
        return Ctx.page("workspaces", items, order, limit, offset, ctx::view);
    }

    private Response create(Request r) {
        Fields f = new Fields(r.jsonObject(true));
        String name = f.requiredString("name", 200);
        if (!f.has("description") || f.isNull("description")) throw ApiException.invalidField("description", "'description' is required");
        String description = f.text("description", 5000);
        if (!f.has("environmentType") || f.isNull("environmentType")) {
            throw ApiException.invalidField("environmentType", "'environmentType' is required (one of custom, jupyter, rstudio, vscode)");
        }
        String env = f.oneOf("environmentType", ENV_TYPES);
        String image = (f.has("image") && !f.isNull("image")) ? image(f) : defaultImage(env);
        if (image == null) throw ApiException.invalidField("image", "'image' is required when environmentType is custom");
        Map<String, Object> resources = defaultResources();
        if (f.has("resources") && !f.isNull("resources")) resources = mergeResources(resources, f.object("resources"));
        String projectId = null;
        if (f.has("projectId") && !f.isNull("projectId")) projectId = f.string("projectId", 100);
        final String pid = projectId;
        final String img = image;
        final Map<String, Object> res = resources;
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = null;
            if (pid != null) {
                p = ctx.store.projects.get(pid);
                if (Ctx.projectRole(p, u) == null) throw ApiException.invalidField("projectId", "project " + pid + " not found");
                Ctx.requireRole(p, u, Ctx.Role.EDITOR, "create workspaces in it");
                if (p.isArchived()) throw ApiException.conflict("project " + pid + " is archived; restore it first");
            }
            long now = Ctx.now();
            Workspace w = new Workspace();
            w.id = ctx.newId("ws", ctx.store.workspaces);
            w.seq = ctx.store.nextSeq();
            w.organizationId = u.orgId;
            w.createdAt = now;
            w.updatedAt = now;
            w.name = name;
            w.description = description;
            w.environmentType = env;
            w.image = img;
            w.resources = res;
            w.ownerId = u.id;
            w.projectId = pid;
            w.addHistory("created", now);
            beginProvisioning(w, now);
            Store.Batch b = new Store.Batch().put(w);
            ctx.activity(b, pid, u, "workspace.created", "workspace", w.id, "created workspace " + w.name,
                    Map.of("workspaceName", w.name), now);
            ctx.store.commit(b);
            ctx.sim.schedule(w.id, w.provisionReadyAt);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("workspaceId", w.id);
            body.putAll(ctx.view(w));
            return Response.created(body, ApiServer.PREFIX + "/workspaces/" + w.id);
        });
    }

    private void beginProvisioning(Workspace w, long now) {
        w.status = Workspace.PENDING;
        w.startedAt = now;
        w.provisionReadyAt = now + ctx.sim.provisionDelayMs();
        w.updatedAt = now;
        w.addHistory("start", now);
    }

    private Response get(Request r) {
        return ctx.store.read(() -> Response.ok(ctx.view(ctx.workspace(r.param("id"), r.user))));
    }

    private Response update(Request r) {
        Fields f = new Fields(r.jsonObject(true));
        String name = f.has("name") ? f.string("name", 200) : null;
        String description = f.has("description") ? f.text("description", 5000) : null;
        String image = f.has("image") ? image(f) : null;
        Map<String, Object> resIn = f.has("resources") ? f.object("resources") : null;
        if (resIn != null) mergeResources(defaultResources(), resIn); // validate before looking anything up
        User u = r.user;
        return ctx.store.write(() -> {
            Workspace w = ctx.workspace(r.param("id"), u);
            ctx.requireWrite(w, u, "update");
            if (resIn != null && !resIn.isEmpty()
                    && !(Workspace.STOPPED.equals(w.status) || Workspace.FAILED.equals(w.status))) {
                throw new ApiException(409, "invalid_state",
                        "resources can only be changed while the workspace is stopped (it is " + w.status + ")")
                        .with("status", w.status);
            }
            if (name == null && description == null && image == null && resIn == null) {
                return Response.ok(ctx.view(w)); // nothing to change
            }
            long now = Ctx.now();
            Workspace c = w.copy();
            List<String> changed = new ArrayList<>();
            if (name != null) { c.name = name; changed.add("name"); }
            if (description != null) { c.description = description; changed.add("description"); }
            if (image != null) { c.image = image; changed.add("image"); }
            if (resIn != null) { c.resources = mergeResources(c.resources, resIn); changed.add("resources"); }
            c.updatedAt = now;
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.projectId, u, "workspace.updated", "workspace", c.id, "updated workspace " + c.name,
                    Map.of("fields", changed), now);
            ctx.store.commit(b);
            return Response.ok(ctx.view(c));
        });
    }

    private Response delete(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Workspace w = ctx.workspace(r.param("id"), u);
            ctx.requireWrite(w, u, "delete");
            if (!(Workspace.STOPPED.equals(w.status) || Workspace.FAILED.equals(w.status))) {
                throw new ApiException(409, "invalid_state",
                        "the workspace must be stopped before it is deleted (it is " + w.status + ")")
                        .with("status", w.status);
            }
            Store.Batch b = new Store.Batch().delete(w);
            ctx.activity(b, w.projectId, u, "workspace.deleted", "workspace", w.id, "deleted workspace " + w.name,
                    Map.of("workspaceName", w.name), Ctx.now());
            ctx.store.commit(b);
            return Response.noContent();
        });
    }

    private static Map<String, Object> action(String message, Workspace w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message", message);
        m.put("workspaceId", w.id);
        m.put("status", w.status);
        return m;
    }

    private Response start(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Workspace w = ctx.workspace(r.param("id"), u);
            ctx.requireWrite(w, u, "start");
            if (!(Workspace.STOPPED.equals(w.status) || Workspace.FAILED.equals(w.status))) {
                throw new ApiException(409, "invalid_state", "only a stopped workspace can be started (it is "
                        + w.status + ")").with("status", w.status);
            }
            requireProjectActive(w);
            long now = Ctx.now();
            Workspace c = w.copy();
            beginProvisioning(c, now);
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.projectId, u, "workspace.started", "workspace", c.id, "started workspace " + c.name, null, now);
            ctx.store.commit(b);
            ctx.sim.schedule(c.id, c.provisionReadyAt);
            return Response.ok(action("Workspace starting", c));
        });
    }

    private void requireProjectActive(Workspace w) {
        if (w.projectId == null) return;
        Project p = ctx.store.projects.get(w.projectId);
        if (p != null && p.isArchived()) {
            throw ApiException.conflict("project " + p.id + " is archived; restore it before starting its workspaces");
        }
    }

    private Response stop(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Workspace w = ctx.workspace(r.param("id"), u);
            ctx.requireWrite(w, u, "stop");
            if (!(Workspace.RUNNING.equals(w.status) || Workspace.PENDING.equals(w.status))) {
                throw new ApiException(409, "invalid_state", "only a running or starting workspace can be stopped (it is "
                        + w.status + ")").with("status", w.status);
            }
            long now = Ctx.now();
            Workspace c = w.copy();
            stopInPlace(c, now);
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.projectId, u, "workspace.stopped", "workspace", c.id, "stopped workspace " + c.name, null, now);
            ctx.store.commit(b);
            return Response.ok(action("Workspace stopping", c));
        });
    }

    /** Marks a workspace copy stopped (also used when a project is archived). */
    static void stopInPlace(Workspace c, long now) {
        c.status = Workspace.STOPPED;
        c.stoppedAt = now;
        c.provisionReadyAt = 0;
        c.updatedAt = now;
        c.addHistory("stop", now);
    }

    private Response restart(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Workspace w = ctx.workspace(r.param("id"), u);
            ctx.requireWrite(w, u, "restart");
            if (!Workspace.RUNNING.equals(w.status)) {
                throw new ApiException(409, "invalid_state", "only a running workspace can be restarted (it is "
                        + w.status + ")").with("status", w.status);
            }
            requireProjectActive(w);
            long now = Ctx.now();
            Workspace c = w.copy();
            c.addHistory("restart", now);
            beginProvisioning(c, now);
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.projectId, u, "workspace.restarted", "workspace", c.id, "restarted workspace " + c.name, null, now);
            ctx.store.commit(b);
            ctx.sim.schedule(c.id, c.provisionReadyAt);
            return Response.ok(action("Workspace restarting", c));
        });
    }

    private Response sync(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Workspace w = ctx.workspace(r.param("id"), u);
            ctx.requireWrite(w, u, "sync");
            if (!Workspace.RUNNING.equals(w.status)) {
                throw new ApiException(409, "invalid_state", "only a running workspace can be synced (it is "
                        + w.status + ")").with("status", w.status);
            }
            long now = Ctx.now();
            Workspace c = w.copy();
            c.addHistory("sync", now); // sync does not change the workspace, so updatedAt is kept
            List<String> vols = Ctx.ids(ctx.projectVolumes(c.projectId));
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.projectId, u, "workspace.synced", "workspace", c.id, "synced workspace " + c.name,
                    Map.of("volumeIds", vols), now);
            ctx.store.commit(b);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "Workspace sync initiated");
            m.put("workspaceId", c.id);
            m.put("volumeIds", vols);
            return Response.ok(m);
        });
    }

    private Response status(Request r) {
        return ctx.store.read(() -> Response.ok(Simulator.status(ctx.workspace(r.param("id"), r.user))));
    }

    private Response metrics(Request r) {
        return ctx.store.read(() -> {
            Workspace w = ctx.workspace(r.param("id"), r.user);
            if (!Workspace.RUNNING.equals(w.status)) {
                throw new ApiException(409, "invalid_state", "metrics are only available while the workspace is running (it is "
                        + w.status + ")").with("status", w.status);
            }
            return Response.ok(Simulator.metrics(w, Ctx.now()));
        });
    }

    private Response logs(Request r) {
        String type = Ctx.enumParam(r, "type", LOG_TYPES);
        String t = type == null ? "pod" : type;
        return ctx.store.read(() -> {
            Workspace w = ctx.workspace(r.param("id"), r.user);
            List<String> lines = Simulator.logs(w, t, ctx.projectVolumes(w.projectId).size());
            StringBuilder sb = new StringBuilder();
            for (String l : lines) sb.append(l).append('\n');
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workspaceId", w.id);
            m.put("logType", t);
            m.put("logs", sb.toString());
            m.put("content", sb.toString());
            m.put("lines", lines);
            return Response.ok(m);
        });
    }
}
