package strongly.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** Common fields of every stored record. Records are mutated only on private copies (see copy()). */
public abstract class Entity {
    public String id;
    /** Global creation sequence number; breaks ties when sorting by time. */
    public long seq;
    public String organizationId;
    public long createdAt;
    public long updatedAt;

    /** Kind name used in the journal: project, workspace, volume, activity. */
    public abstract String kind();

    protected abstract void storeFields(Map<String, Object> m);

    public final Map<String, Object> toStore() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("seq", seq);
        m.put("organizationId", organizationId);
        m.put("createdAt", createdAt);
        m.put("updatedAt", updatedAt);
        storeFields(m);
        return m;
    }

    protected void loadBase(Map<String, Object> m) {
        id = Stored.str(m, "id");
        seq = Stored.lng(m, "seq", 0);
        organizationId = Stored.str(m, "organizationId");
        createdAt = Stored.lng(m, "createdAt", 0);
        updatedAt = Stored.lng(m, "updatedAt", createdAt);
    }

    public static Entity fromStore(String kind, Map<String, Object> m) {
        switch (kind) {
            case "project": return Project.load(m);
            case "workspace": return Workspace.load(m);
            case "volume": return Volume.load(m);
            case "activity": return Activity.load(m);
            default: throw new IllegalArgumentException("unknown record kind " + kind);
        }
    }
}
