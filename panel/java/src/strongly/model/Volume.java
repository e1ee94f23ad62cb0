package strongly.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class Volume extends Entity {
    public String projectId;
    public String label;
    public String name;          // system name, fixed at creation
    public String description;   // nullable
    public String type;          // data | model | scratch
    public String volumeType;    // underlying volume type
    public double sizeGb;
    public String mountPath;
    public String ownerId;
    public boolean isShared;
    public List<String> sharedWith = new ArrayList<>();
    public String status = "available";
    public long lastSyncedAt;

    @Override public String kind() { return "volume"; }

    @Override protected void storeFields(Map<String, Object> m) {
        m.put("projectId", projectId);
        m.put("label", label);
        m.put("name", name);
        m.put("description", description);
        m.put("type", type);
        m.put("volumeType", volumeType);
        m.put("sizeGb", sizeGb);
        m.put("mountPath", mountPath);
        m.put("ownerId", ownerId);
        m.put("isShared", isShared);
        m.put("sharedWith", new ArrayList<>(sharedWith));
        m.put("status", status);
        m.put("lastSyncedAt", lastSyncedAt);
    }

    static Volume load(Map<String, Object> m) {
        Volume v = new Volume();
        v.loadBase(m);
        v.projectId = Stored.str(m, "projectId");
        v.label = Stored.str(m, "label");
        v.name = Stored.str(m, "name");
        v.description = Stored.str(m, "description");
        v.type = Stored.str(m, "type");
        v.volumeType = Stored.str(m, "volumeType");
        v.sizeGb = Stored.dbl(m, "sizeGb", 0);
        v.mountPath = Stored.str(m, "mountPath");
        v.ownerId = Stored.str(m, "ownerId");
        v.isShared = Stored.bool(m, "isShared");
        v.sharedWith = Stored.strList(m, "sharedWith");
        v.status = Stored.str(m, "status");
        v.lastSyncedAt = Stored.lng(m, "lastSyncedAt", 0);
        return v;
    }

    public Volume copy() { return load(toStore()); }
}
