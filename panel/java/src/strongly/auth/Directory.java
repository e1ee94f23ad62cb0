package strongly.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The built-in identities. A real deployment would load keys and users from its identity service;
 * this one knows three keys in two organizations (tenants).
 */
public final class Directory {
    public static final Set<String> ALL_SCOPES = Set.of(
            "workspaces:read", "workspaces:write", "projects:read", "projects:write", "volumes:read", "volumes:write");
    private static final Set<String> READ_SCOPES = Set.of("workspaces:read", "projects:read", "volumes:read");

    private static final Map<String, User> BY_KEY = new LinkedHashMap<>();
    private static final Map<String, User> BY_ID = new LinkedHashMap<>();

    static {
        add("strongly-dev-admin", new User("org_a", "user_admin", "Dev Admin", "admin@org-a.example", ALL_SCOPES));
        add("strongly-dev-reader", new User("org_a", "user_reader", "Dev Reader", "reader@org-a.example", READ_SCOPES));
        add("strongly-dev-other", new User("org_b", "user_other", "Other Admin", "admin@org-b.example", ALL_SCOPES));
    }

    private Directory() {}

    private static void add(String key, User u) {
        BY_KEY.put(key, u);
        BY_ID.put(u.id, u);
    }

    /** The user for an API key, or null. Compares in constant time per key. */
    public static User byKey(String key) {
        if (key == null) return null;
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        User found = null;
        for (Map.Entry<String, User> e : BY_KEY.entrySet()) {
            if (MessageDigest.isEqual(k, e.getKey().getBytes(StandardCharsets.UTF_8))) found = e.getValue();
        }
        return found;
    }

    /** A known user by id, or null. */
    public static User byId(String id) {
        return id == null ? null : BY_ID.get(id);
    }

    /** A known user of the given organization by e-mail (case-insensitive), or null. */
    public static User byEmail(String orgId, String email) {
        for (User u : BY_ID.values()) {
            if (u.orgId.equals(orgId) && u.email.equalsIgnoreCase(email)) return u;
        }
        return null;
    }
}
