package strongly.api;

import strongly.auth.User;
import strongly.http.ApiException;
import strongly.http.ApiServer;
import strongly.http.Request;
import strongly.http.Response;
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

/** /api/v1/volumes routes (SDK guide; routes from the deployment brief). */
public final class VolumesApi {
    static final Set<String> TYPES = Set.of("data", "model", "scratch");
    static final double MAX_SIZE_GB = 16384;
    static final String VOLUME_TYPE = "pvc";
    static final List<String> RESERVED_MOUNTS = List.of("/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc",
            "/run", "/sbin", "/sys", "/usr", "/var");

    private final Ctx ctx;

    public VolumesApi(Ctx ctx) { this.ctx = ctx; }

    public void register(ApiServer s) {
        s.route("GET", "/volumes", "volumes:read", this::list);
        s.route("POST", "/volumes", "volumes:write", this::create);
        s.route("GET", "/volumes/shared", "volumes:read", this::listShared);
        s.route("GET", "/volumes/{volumeId}", "volumes:read", this::get);
        s.route("PUT", "/volumes/{volumeId}", "volumes:write", this::update);
        s.route("DELETE", "/volumes/{volumeId}", "volumes:write", this::delete);
        s.route("POST", "/volumes/{volumeId}/sync", "volumes:write", this::sync);
        s.route("POST", "/volumes/{volumeId}/share", "volumes:write", this::share);
    }

    // ------------------------------------------------------------------ validation

    static double size(Fields f) {
        double d = f.number("sizeGb");
        if (d <= 0 || d > MAX_SIZE_GB) {
            throw ApiException.invalidField("sizeGb", "'sizeGb' must be more than 0 and at most " + (int) MAX_SIZE_GB);
        }
        return d;
    }

    static String mountPath(Fields f) {
        String s = f.string("mountPath", 255);
        if (!s.startsWith("/") || s.length() < 2) {
            throw ApiException.invalidField("mountPath", "'mountPath' must be an absolute path such as /data/training");
        }
        if (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        for (String seg : s.substring(1).split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || !seg.matches("[A-Za-z0-9._-]+")) {
                throw ApiException.invalidField("mountPath",
                        "'mountPath' segments may contain only letters, digits, '.', '_' and '-' (no empty, '.' or '..' segments)");
            }
        }
        for (String r : RESERVED_MOUNTS) {
            if (s.equals(r) || s.startsWith(r + "/")) {
                throw ApiException.invalidField("mountPath", "'mountPath' must not be under the system directory " + r);
            }
        }
        return s;
    }

    static String slug(String label) {
        String s = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 40) s = s.substring(0, 40).replaceAll("-+$", "");
        return s.isEmpty() ? "volume" : s;
    }

    /** True when the volume is mounted by a running or starting workspace of its project. */
    private Workspace inUseBy(Volume v) {
        for (Workspace w : ctx.projectWorkspaces(v.projectId)) {
            if (Workspace.RUNNING.equals(w.status) || Workspace.PENDING.equals(w.status)) return w;
        }
        return null;
    }

    private Volume mountConflict(String projectId, String mountPath, String exceptId) {
        for (Volume o : ctx.projectVolumes(projectId)) {
            if (!o.id.equals(exceptId) && o.mountPath.equals(mountPath)) return o;
        }
        return null;
    }

    // ------------------------------------------------------------------ handlers

    static Map<String, Function<Volume, Comparable<?>>> sortFields() {
        Map<String, Function<Volume, Comparable<?>>> m = new LinkedHashMap<>();
        m.put("createdAt", v -> v.createdAt);
        m.put("updatedAt", v -> v.updatedAt);
        m.put("label", v -> v.label);
        m.put("name", v -> v.name);
        m.put("sizeGb", v -> v.sizeGb);
        return m;
    }

    private static boolean matches(Volume v, String search) {
        return search == null || Ctx.containsIgnoreCase(v.label, search) || Ctx.containsIgnoreCase(v.name, search)
                || Ctx.containsIgnoreCase(v.description, search);
    }

    private Response list(Request r) {
        int limit = Ctx.limit(r);
        int offset = Ctx.offset(r);
        String search = Ctx.textParam(r, "search");
        String type = Ctx.enumParam(r, "type", TYPES);
        String projectId = Ctx.textParam(r, "projectId");
        var order = Ctx.<Volume>sort(r, sortFields());
        return ctx.store.read(() -> {
            List<Volume> items = new ArrayList<>();
            for (Volume v : ctx.store.volumes.values()) {
                if (!ctx.canSee(v, r.user)) continue;
                if (type != null && !type.equals(v.type)) continue;
                if (projectId != null && !projectId.equals(v.projectId)) continue;
                if (!matches(v, search)) continue;
                items.add(v);
            }
            return Response.ok(Ctx.page("volumes", items, order, limit, offset, ctx::view));
        });
    }

    private Response listShared(Request r) {
        int limit = Ctx.limit(r);
        int offset = Ctx.offset(r);
        String search = Ctx.textParam(r, "search");
        String type = Ctx.enumParam(r, "type", TYPES);
        var order = Ctx.<Volume>sort(r, sortFields());
        return ctx.store.read(() -> {
            List<Volume> items = new ArrayList<>();
            for (Volume v : ctx.store.volumes.values()) {
                if (!v.isShared || !v.organizationId.equals(r.user.orgId)) continue;
                if (type != null && !type.equals(v.type)) continue;
                if (!matches(v, search)) continue;
                items.add(v);
            }
            return Response.ok(Ctx.page("volumes", items, order, limit, offset, ctx::view));
        });
    }

    private Response create(Request r) {
        Fields f = new Fields(r.jsonObject(true));
        if (!f.has("projectId") || f.isNull("projectId")) throw ApiException.invalidField("projectId", "'projectId' is required");
        String projectId = f.string("projectId", 100);
        String label = f.requiredString("label", 200);
        if (!f.has("sizeGb") || f.isNull("sizeGb")) throw ApiException.invalidField("sizeGb", "'sizeGb' is required");
        double sizeGb = size(f);
        String description = f.nullableString("description", 5000, true);
        String type = (f.has("type") && !f.isNull("type")) ? f.oneOf("type", TYPES) : "data";
        String mount = (f.has("mountPath") && !f.isNull("mountPath")) ? mountPath(f) : null;
        User u = r.user;
        return ctx.store.write(() -> {
            Project p = ctx.store.projects.get(projectId);
            if (Ctx.projectRole(p, u) == null) throw ApiException.invalidField("projectId", "project " + projectId + " not found");
            Ctx.requireRole(p, u, Ctx.Role.EDITOR, "create volumes in it");
            if (p.isArchived()) throw ApiException.conflict("project " + projectId + " is archived; restore it first");
            long now = Ctx.now();
            Volume v = new Volume();
            v.id = ctx.newId("vol", ctx.store.volumes);
            v.seq = ctx.store.nextSeq();
            v.organizationId = u.orgId;
            v.createdAt = now;
            v.updatedAt = now;
            v.projectId = projectId;
            v.label = label;
            v.name = slug(label) + "-" + v.id.substring(4, 10);
            v.description = description;
            v.type = type;
            v.volumeType = VOLUME_TYPE;
            v.sizeGb = sizeGb;
            v.mountPath = mount != null ? mount : "/mnt/" + v.name;
            v.ownerId = u.id;
            v.isShared = false;
            v.status = "available";
            Volume clash = mountConflict(projectId, v.mountPath, null);
            if (clash != null) {
                throw ApiException.conflict("mountPath " + v.mountPath + " is already used by volume " + clash.id
                        + " in project " + projectId).with("field", "mountPath");
            }
            Store.Batch b = new Store.Batch().put(v);
            if (p.defaultDataVolumeId == null && "data".equals(type)) {
                Project pc = p.copy();
                pc.defaultDataVolumeId = v.id;
                pc.updatedAt = now;
                b.put(pc);
            }
            ctx.activity(b, projectId, u, "volume.created", "volume", v.id, "created volume " + v.label,
                    Map.of("label", v.label, "sizeGb", v.sizeGb), now);
            ctx.store.commit(b);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("volumeId", v.id);
            body.putAll(ctx.view(v));
            return Response.created(body, ApiServer.PREFIX + "/volumes/" + v.id);
        });
    }

    private Response get(Request r) {
        return ctx.store.read(() -> Response.ok(ctx.view(ctx.volume(r.param("volumeId"), r.user))));
    }

    private Response update(Request r) {
        Fields f = new Fields(r.jsonObject(true));
        String label = f.has("label") ? f.string("label", 200) : null;
        boolean hasDescription = f.has("description");
        String description = f.nullableString("description", 5000, true);
        String type = f.has("type") ? f.oneOf("type", TYPES) : null;
        String mount = f.has("mountPath") ? mountPath(f) : null;
        Double sizeGb = f.has("sizeGb") ? size(f) : null;
        User u = r.user;
        return ctx.store.write(() -> {
            Volume v = ctx.volume(r.param("volumeId"), u);
            ctx.requireWrite(v, u, "update");
            if (label == null && !hasDescription && type == null && mount == null && sizeGb == null) {
                return Response.ok(ctx.view(v));
            }
            if (sizeGb != null && sizeGb < v.sizeGb) {
                throw ApiException.invalidField("sizeGb", "volumes can only grow: 'sizeGb' must be at least the current "
                        + v.sizeGb);
            }
            if (mount != null && !mount.equals(v.mountPath)) {
                Workspace w = inUseBy(v);
                if (w != null) {
                    throw new ApiException(409, "volume_in_use", "the mount path cannot change while workspace " + w.id
                            + " (" + w.status + ") uses the volume; stop it first");
                }
                Volume clash = mountConflict(v.projectId, mount, v.id);
                if (clash != null) {
                    throw ApiException.conflict("mountPath " + mount + " is already used by volume " + clash.id)
                            .with("field", "mountPath");
                }
            }
            long now = Ctx.now();
            Volume c = v.copy();
            List<String> changed = new ArrayList<>();
            if (label != null) { c.label = label; changed.add("label"); }
            if (hasDescription) { c.description = description; changed.add("description"); }
            if (type != null) { c.type = type; changed.add("type"); }
            if (mount != null) { c.mountPath = mount; changed.add("mountPath"); }
            if (sizeGb != null) { c.sizeGb = sizeGb; changed.add("sizeGb"); }
            c.updatedAt = now;
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.projectId, u, "volume.updated", "volume", c.id, "updated volume " + c.label,
                    Map.of("fields", changed), now);
            ctx.store.commit(b);
            return Response.ok(ctx.view(c));
        });
    }

    private Response delete(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Volume v = ctx.volume(r.param("volumeId"), u);
            ctx.requireWrite(v, u, "delete");
            Workspace w = inUseBy(v);
            if (w != null) {
                throw new ApiException(409, "volume_in_use", "volume " + v.id + " is mounted by workspace " + w.id + " ("
                        + w.status + "); stop the project's workspaces first");
            }
            long now = Ctx.now();
            Store.Batch b = new Store.Batch().delete(v);
            Project p = ctx.store.projects.get(v.projectId);
            if (p != null && v.id.equals(p.defaultDataVolumeId)) {
                Project pc = p.copy();
                pc.defaultDataVolumeId = null;
                pc.updatedAt = now;
                b.put(pc);
            }
            ctx.activity(b, v.projectId, u, "volume.deleted", "volume", v.id, "deleted volume " + v.label,
                    Map.of("label", v.label), now);
            ctx.store.commit(b);
            return Response.noContent();
        });
    }

    private Response sync(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Volume v = ctx.volume(r.param("volumeId"), u);
            ctx.requireWrite(v, u, "sync");
            long now = Ctx.now();
            Volume c = v.copy();
            c.lastSyncedAt = now; // not a change of the volume's fields, so updatedAt is kept
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.projectId, u, "volume.synced", "volume", c.id, "synced volume " + c.label, null, now);
            ctx.store.commit(b);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "Volume sync initiated");
            m.put("volumeId", c.id);
            m.put("status", c.status);
            m.put("syncedAt", Ctx.iso(now));
            return Response.ok(m);
        });
    }

    private Response share(Request r) {
        User u = r.user;
        return ctx.store.write(() -> {
            Volume v = ctx.volume(r.param("volumeId"), u);
            ctx.requireWrite(v, u, "share");
            if (v.isShared) {
                throw new ApiException(409, "invalid_state", "volume " + v.id + " is already shared with the organization")
                        .with("isShared", true);
            }
            long now = Ctx.now();
            Volume c = v.copy();
            c.isShared = true;
            c.updatedAt = now;
            Store.Batch b = new Store.Batch().put(c);
            ctx.activity(b, c.projectId, u, "volume.shared", "volume", c.id,
                    "shared volume " + c.label + " with the organization", null, now);
            ctx.store.commit(b);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("message", "Volume shared with organization");
            m.put("volumeId", c.id);
            m.put("isShared", true);
            m.put("shared", true);
            return Response.ok(m);
        });
    }
}
