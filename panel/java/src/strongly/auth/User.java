package strongly.auth;

import java.util.Set;

/** An authenticated caller: the identity behind an API key. */
public final class User {
    public final String orgId;
    public final String id;
    public final String name;
    public final String email;
    public final Set<String> scopes;

    User(String orgId, String id, String name, String email, Set<String> scopes) {
        this.orgId = orgId;
        this.id = id;
        this.name = name;
        this.email = email;
        this.scopes = scopes;
    }

    public boolean has(String scope) { return scopes.contains(scope); }
}
