package strongly.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** One entry of a project's activity feed. Immutable once written. */
public final class Activity extends Entity {
    public String projectId;
    public String action;        // e.g. project.created, workspace.started
    public String userId;        // actor
    public String resourceType;  // project | workspace | volume | collaborator
    public String resourceId;
    public String message;
    public Map<String, Object> details = new LinkedHashMap<>();

    @Override public String kind() { return "activity"; }

    @Override protected void storeFields(Map<String, Object> m) {
        m.put("projectId", projectId);
        m.put("action", action);
        m.put("userId", userId);
        m.put("resourceType", resourceType);
        m.put("resourceId", resourceId);
        m.put("message", message);
        m.put("details", new LinkedHashMap<>(details));
    }

    static Activity load(Map<String, Object> m) {
        Activity a = new Activity();
        a.loadBase(m);
        a.projectId = Stored.str(m, "projectId");
        a.action = Stored.str(m, "action");
        a.userId = Stored.str(m, "userId");
        a.resourceType = Stored.str(m, "resourceType");
        a.resourceId = Stored.str(m, "resourceId");
        a.message = Stored.str(m, "message");
        a.details = Stored.map(m, "details");
        return a;
    }
}
