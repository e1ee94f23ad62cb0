package strongly.api;

import strongly.auth.Directory;
import strongly.auth.User;
import strongly.http.ApiException;
import strongly.http.Request;
import strongly.model.Activity;
import strongly.model.Collaborator;
import strongly.model.Entity;
import strongly.model.Project;
import strongly.model.Volume;
import strongly.model.Workspace;
import strongly.sim.Simulator;
import strongly.store.Store;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Shared services of the route handlers: access rules, rendering, paging, ids, clock. */
public final class Ctx {
    public final Store store;
    public final Simulator sim;

    public Ctx(Store store, Simulator sim) {
        this.store = store;
        this.sim = sim;
    }

    // ------------------------------------------------------------------ ids and time

    private static final SecureRandom RNG = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    static String randomSuffix(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) c[i] = ALPHABET[RNG.nextInt(ALPHABET.length)];
        return new String(c);
    }

    /** A new id such as proj_k3x9q2m1ab; caller checks uniqueness under the write lock. */
    String newId(String prefix, Map<String, ? extends Entity> existing) {
        while (true) {
            String id = prefix + "_" + randomSuffix(10);
            if (!existing.containsKey(id)) return id;
        }
    }

    public static String iso(long millis) {
        if (millis <= 0) return null;
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(millis / 1000));
    }

    static long now() { return System.currentTimeMillis(); }

    // ------------------------------------------------------------------ access

    /** Effective project role; ordinal order is increasing power. */
    enum Role { VIEWER, EDITOR, ADMIN, OWNER }

    static final java.util.Set<String> ASSIGNABLE_ROLES = java.util.Set.of("viewer", "editor", "admin");

    /** The caller's role in a project, or null when the project is invisible to the caller. */
    static Role projectRole(Project p, User u) {
        if (p == null || !p.organizationId.equals(u.orgId)) return null;
        if (p.ownerId.equals(u.id)) return Role.OWNER;
        Collaborator c = p.collaborator(u.id);
        if (c != null) return Role.valueOf(c.role.toUpperCase(Locale.ROOT));
        if ("organization".equals(p.visibility)) return Role.VIEWER;
        return null;
    }

    Project project(String id, User u) {
        Project p = store.projects.get(id);
        if (projectRole(p, u) == null) throw ApiException.notFound("project", id);
        return p;
    }

    static void requireRole(Project p, User u, Role min, String action) {
        Role r = projectRole(p, u);
        if (r == null || r.ordinal() < min.ordinal()) {
            throw ApiException.forbidden("you need the " + min.name().toLowerCase() + " role (or higher) on project "
                    + p.id + " to " + action + "; your role is " + (r == null ? "none" : r.name().toLowerCase()));
        }
    }

    boolean canSee(Workspace w, User u) {
        if (!w.organizationId.equals(u.orgId)) return false;
        if (w.ownerId.equals(u.id) || w.projectId == null) return true;
        return projectRole(store.projects.get(w.projectId), u) != null;
    }

    Workspace workspace(String id, User u) {
        Workspace w = store.workspaces.get(id);
        if (w == null || !canSee(w, u)) throw ApiException.notFound("workspace", id);
        return w;
    }

    void requireWrite(Workspace w, User u, String action) {
        if (w.ownerId.equals(u.id)) return;
        Project p = w.projectId == null ? null : store.projects.get(w.projectId);
        Role r = projectRole(p, u);
        if (r == null || r.ordinal() < Role.EDITOR.ordinal()) {
            throw ApiException.forbidden("only the workspace owner or a project editor/admin/owner may " + action
                    + " workspace " + w.id);
        }
    }

    boolean canSee(Volume v, User u) {
        if (!v.organizationId.equals(u.orgId)) return false;
        if (v.ownerId.equals(u.id) || v.isShared || v.sharedWith.contains(u.id)) return true;
        return projectRole(store.projects.get(v.projectId), u) != null;
    }

    Volume volume(String id, User u) {
        Volume v = store.volumes.get(id);
        if (v == null || !canSee(v, u)) throw ApiException.notFound("volume", id);
        return v;
    }

    void requireWrite(Volume v, User u, String action) {
        if (v.ownerId.equals(u.id)) return;
        Role r = projectRole(store.projects.get(v.projectId), u);
        if (r == null || r.ordinal() < Role.EDITOR.ordinal()) {
            throw ApiException.forbidden("only the volume owner or a project editor/admin/owner may " + action
                    + " volume " + v.id);
        }
    }

    // ------------------------------------------------------------------ rendering

    static Map<String, Object> userRef(String id) {
        User u = Directory.byId(id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", u == null ? null : u.name);
        m.put("email", u == null ? null : u.email);
        return m;
    }

    /** Volumes of a project, oldest first. */
    List<Volume> projectVolumes(String projectId) {
        List<Volume> out = new ArrayList<>();
        if (projectId == null) return out;
        for (Volume v : store.volumes.values()) if (projectId.equals(v.projectId)) out.add(v);
        out.sort(Comparator.comparingLong(v -> v.seq));
        return out;
    }

    List<Workspace> projectWorkspaces(String projectId) {
        List<Workspace> out = new ArrayList<>();
        for (Workspace w : store.workspaces.values()) if (projectId.equals(w.projectId)) out.add(w);
        out.sort(Comparator.comparingLong(w -> w.seq));
        return out;
    }

    static List<String> ids(List<? extends Entity> l) {
        List<String> out = new ArrayList<>();
        for (Entity e : l) out.add(e.id);
        return out;
    }

    static Map<String, Object> ownerCollaborator(Project p) {
        Map<String, Object> m = new LinkedHashMap<>();
        User o = Directory.byId(p.ownerId);
        m.put("userId", p.ownerId);
        m.put("email", o == null ? null : o.email);
        m.put("role", "owner");
        m.put("isOwner", true);
        m.put("grantedAt", iso(p.createdAt));
        m.put("grantedBy", p.ownerId);
        return m;
    }

    static Map<String, Object> view(Collaborator c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userId", c.userId);
        m.put("email", c.email);
        m.put("role", c.role);
        m.put("isOwner", false);
        m.put("grantedAt", iso(c.grantedAt));
        m.put("grantedBy", c.grantedBy);
        return m;
    }

    static List<Object> collaboratorViews(Project p) {
        List<Object> l = new ArrayList<>();
        l.add(ownerCollaborator(p));
        for (Collaborator c : p.collaborators) l.add(view(c));
        return l;
    }

    Map<String, Object> view(Project p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id);
        m.put("name", p.name);
        m.put("description", p.description);
        m.put("status", p.status);
        m.put("category", p.category);
        m.put("visibility", p.visibility);
        m.put("organizationId", p.organizationId);
        m.put("owner", userRef(p.ownerId));
        m.put("ownerId", p.ownerId);
        m.put("collaborators", collaboratorViews(p));
        List<String> shared = new ArrayList<>();
        for (Collaborator c : p.collaborators) shared.add(c.userId);
        m.put("sharedWith", shared);
        m.put("tags", new ArrayList<>(p.tags));
        m.put("archived", p.isArchived());
        m.put("defaultDataVolumeId", p.defaultDataVolumeId);
        m.put("attachedVolumeIds", ids(projectVolumes(p.id)));
        m.put("createdAt", iso(p.createdAt));
        m.put("updatedAt", iso(p.updatedAt));
        return m;
    }

    Map<String, Object> view(Workspace w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id);
        m.put("name", w.name);
        m.put("description", w.description);
        m.put("status", w.status);
        m.put("environmentType", w.environmentType);
        m.put("image", w.image);
        m.put("resources", new LinkedHashMap<>(w.resources));
        m.put("organizationId", w.organizationId);
        m.put("owner", userRef(w.ownerId));
        m.put("ownerId", w.ownerId);
        m.put("url", Simulator.url(w));
        m.put("projectId", w.projectId);
        m.put("volumeIds", ids(projectVolumes(w.projectId)));
        m.put("createdAt", iso(w.createdAt));
        m.put("updatedAt", iso(w.updatedAt));
        return m;
    }

    Map<String, Object> view(Volume v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id);
        m.put("label", v.label);
        m.put("name", v.name);
        m.put("description", v.description);
        m.put("status", v.status);
        m.put("type", v.type);
        m.put("volumeType", v.volumeType);
        m.put("sizeGb", v.sizeGb);
        m.put("mountPath", v.mountPath);
        m.put("organizationId", v.organizationId);
        m.put("owner", userRef(v.ownerId));
        m.put("ownerId", v.ownerId);
        m.put("projectId", v.projectId);
        m.put("isShared", v.isShared);
        m.put("shared", v.isShared);
        m.put("sharedWith", new ArrayList<>(v.sharedWith));
        m.put("createdAt", iso(v.createdAt));
        m.put("updatedAt", iso(v.updatedAt));
        return m;
    }

    static Map<String, Object> view(Activity a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id);
        m.put("projectId", a.projectId);
        m.put("action", a.action);
        m.put("message", a.message);
        m.put("userId", a.userId);
        m.put("user", a.userId == null ? null : userRef(a.userId));
        m.put("resourceType", a.resourceType);
        m.put("resourceId", a.resourceId);
        m.put("details", new LinkedHashMap<>(a.details));
        m.put("createdAt", iso(a.createdAt));
        return m;
    }

    // ------------------------------------------------------------------ activity

    /** Adds an activity entry for a project to the batch. */
    void activity(Store.Batch b, String projectId, User u, String action, String resourceType, String resourceId,
                  String message, Map<String, Object> details, long at) {
        if (projectId == null) return;
        Activity a = new Activity();
        a.id = newId("act", store.activities);
        a.seq = store.nextSeq();
        a.organizationId = u.orgId;
        a.createdAt = at;
        a.updatedAt = at;
        a.projectId = projectId;
        a.action = action;
        a.userId = u.id;
        a.resourceType = resourceType;
        a.resourceId = resourceId;
        a.message = u.name + " " + message;
        if (details != null) a.details.putAll(details);
        b.put(a);
    }

    // ------------------------------------------------------------------ lists

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    static int limit(Request r) {
        String s = r.query.get("limit");
        if (s == null || s.isEmpty()) return DEFAULT_LIMIT;
        int v = intParam("limit", s);
        if (v < 1) throw ApiException.invalidField("limit", "'limit' must be a positive integer");
        return Math.min(v, MAX_LIMIT);
    }

    static int offset(Request r) {
        String s = r.query.get("offset");
        if (s == null || s.isEmpty()) return 0;
        int v = intParam("offset", s);
        if (v < 0) throw ApiException.invalidField("offset", "'offset' must be zero or a positive integer");
        return v;
    }

    private static int intParam(String name, String s) {
        String t = s.strip();
        if (!t.matches("-?[0-9]{1,9}")) {
            throw ApiException.invalidField(name, "'" + name + "' must be an integer (at most 9 digits)");
        }
        return Integer.parseInt(t);
    }

    /** An optional enumerated query parameter (case-insensitive); null when absent or empty. */
    static String enumParam(Request r, String name, java.util.Set<String> allowed) {
        String s = r.query.get(name);
        if (s == null || s.isBlank()) return null;
        String v = s.strip().toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw ApiException.invalidField(name, "'" + name + "' must be one of " + String.join(", ", Fields.sorted(allowed)));
        }
        return v;
    }

    static String textParam(Request r, String name) {
        String s = r.query.get(name);
        if (s == null || s.isBlank()) return null;
        return s.strip();
    }

    static boolean containsIgnoreCase(String hay, String needle) {
        return hay != null && hay.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
    }

    /**
     * Parses sort=field[:asc|desc]. Default is createdAt:desc; a field without a direction sorts ascending.
     * Ties are broken by creation order in the same direction.
     */
    static <T extends Entity> Comparator<T> sort(Request r, Map<String, Function<T, Comparable<?>>> fields) {
        String s = r.query.get("sort");
        String field = "createdAt";
        boolean desc = true;
        if (s != null && !s.isBlank()) {
            String[] parts = s.strip().split(":", -1);
            if (parts.length > 2 || !fields.containsKey(parts[0])) {
                throw ApiException.invalidField("sort", "'sort' must be field[:asc|desc] with field one of "
                        + String.join(", ", Fields.sorted(fields.keySet())));
            }
            field = parts[0];
            desc = false;
            if (parts.length == 2) {
                String d = parts[1].toLowerCase(Locale.ROOT);
                if (d.equals("desc")) desc = true;
                else if (!d.equals("asc")) throw ApiException.invalidField("sort", "sort direction must be asc or desc");
            }
        }
        Function<T, Comparable<?>> key = fields.get(field);
        Comparator<T> c = (a, b) -> compareKeys(key.apply(a), key.apply(b));
        c = c.thenComparingLong(e -> e.seq);
        return desc ? c.reversed() : c;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(Comparable a, Comparable b) {
        if (a == null && b == null) return 0;
        if (a == null) return -1;
        if (b == null) return 1;
        if (a instanceof String && b instanceof String) {
            int c = ((String) a).compareToIgnoreCase((String) b);
            return c != 0 ? c : ((String) a).compareTo((String) b);
        }
        return a.compareTo(b);
    }

    /** Sorts, pages and renders a list into {"count", "limit", "offset", key: [...]}. */
    static <T extends Entity> Map<String, Object> page(String key, List<T> items, Comparator<T> order, int limit,
                                                       int offset, Function<T, Map<String, Object>> render) {
        items.sort(order);
        List<Object> out = new ArrayList<>();
        for (int i = offset; i < items.size() && out.size() < limit; i++) out.add(render.apply(items.get(i)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", items.size());
        m.put("limit", limit);
        m.put("offset", offset);
        m.put(key, out);
        return m;
    }
}
