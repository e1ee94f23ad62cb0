package strongly.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class Workspace extends Entity {
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    public static final String FAILED = "failed";
    public static final String TERMINATED = "terminated";

    /** Lifecycle history entries kept for the simulated logs and status conditions. */
    public static final int MAX_HISTORY = 200;

    public String name;
    public String description;
    public String environmentType;
    public String image;
    /** cpu, memory, gpu, gpuType (nullable), storage - in that order. */
    public Map<String, Object> resources = new LinkedHashMap<>();
    public String ownerId;
    public String projectId;       // nullable
    public String status = PENDING;
    public long provisionReadyAt;  // when a pending workspace is due to become running
    public long startedAt;         // last time provisioning began
    public long readyAt;           // last time it became running
    public long stoppedAt;         // last time it was stopped
    /** Each entry: {"type": created|start|ready|stop|restart|sync|update, "at": millis}. */
    public List<Map<String, Object>> history = new ArrayList<>();

    @Override public String kind() { return "workspace"; }

    public void addHistory(String type, long at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("at", at);
        history.add(e);
        while (history.size() > MAX_HISTORY) history.remove(0);
    }

    public String resource(String key) {
        Object v = resources.get(key);
        return v == null ? null : v.toString();
    }

    @Override protected void storeFields(Map<String, Object> m) {
        m.put("name", name);
        m.put("description", description);
        m.put("environmentType", environmentType);
        m.put("image", image);
        m.put("resources", new LinkedHashMap<>(resources));
        m.put("ownerId", ownerId);
        m.put("projectId", projectId);
        m.put("status", status);
        m.put("provisionReadyAt", provisionReadyAt);
        m.put("startedAt", startedAt);
        m.put("readyAt", readyAt);
        m.put("stoppedAt", stoppedAt);
        List<Object> h = new ArrayList<>();
        for (Map<String, Object> e : history) h.add(new LinkedHashMap<>(e));
        m.put("history", h);
    }

    static Workspace load(Map<String, Object> m) {
        Workspace w = new Workspace();
        w.loadBase(m);
        w.name = Stored.str(m, "name");
        w.description = Stored.str(m, "description");
        w.environmentType = Stored.str(m, "environmentType");
        w.image = Stored.str(m, "image");
        w.resources = Stored.map(m, "resources");
        w.ownerId = Stored.str(m, "ownerId");
        w.projectId = Stored.str(m, "projectId");
        w.status = Stored.str(m, "status");
        w.provisionReadyAt = Stored.lng(m, "provisionReadyAt", 0);
        w.startedAt = Stored.lng(m, "startedAt", 0);
        w.readyAt = Stored.lng(m, "readyAt", 0);
        w.stoppedAt = Stored.lng(m, "stoppedAt", 0);
        for (Map<String, Object> e : Stored.mapList(m, "history")) w.history.add(new LinkedHashMap<>(e));
        return w;
    }

    public Workspace copy() { return load(toStore()); }
}
