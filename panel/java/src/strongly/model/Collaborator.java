package strongly.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** A non-owner member of a project (the owner is implicit, see Project.ownerId). */
public final class Collaborator {
    public String userId;
    public String email;
    public String role;      // viewer | editor | admin
    public long grantedAt;
    public String grantedBy; // user id

    Map<String, Object> toStore() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("userId", userId);
        m.put("email", email);
        m.put("role", role);
        m.put("grantedAt", grantedAt);
        m.put("grantedBy", grantedBy);
        return m;
    }

    static Collaborator load(Map<String, Object> m) {
        Collaborator c = new Collaborator();
        c.userId = Stored.str(m, "userId");
        c.email = Stored.str(m, "email");
        c.role = Stored.str(m, "role");
        c.grantedAt = Stored.lng(m, "grantedAt", 0);
        c.grantedBy = Stored.str(m, "grantedBy");
        return c;
    }
}
