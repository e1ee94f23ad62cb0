package strongly.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class Project extends Entity {
    public static final String ACTIVE = "active";
    public static final String ARCHIVED = "archived";

    public String name;
    public String description;
    public String category;            // nullable
    public String visibility;          // private | organization
    public List<String> tags = new ArrayList<>();
    public String status = ACTIVE;     // active | archived
    public String ownerId;
    public List<Collaborator> collaborators = new ArrayList<>();
    public String defaultDataVolumeId; // nullable
    public long archivedAt;            // 0 when not archived

    @Override public String kind() { return "project"; }

    public boolean isArchived() { return ARCHIVED.equals(status); }

    public Collaborator collaborator(String userId) {
        for (Collaborator c : collaborators) if (c.userId.equals(userId)) return c;
        return null;
    }

    public Collaborator collaboratorByEmail(String email) {
        for (Collaborator c : collaborators) if (c.email.equalsIgnoreCase(email)) return c;
        return null;
    }

    @Override protected void storeFields(Map<String, Object> m) {
        m.put("name", name);
        m.put("description", description);
        m.put("category", category);
        m.put("visibility", visibility);
        m.put("tags", new ArrayList<>(tags));
        m.put("status", status);
        m.put("ownerId", ownerId);
        List<Object> cs = new ArrayList<>();
        for (Collaborator c : collaborators) cs.add(c.toStore());
        m.put("collaborators", cs);
        m.put("defaultDataVolumeId", defaultDataVolumeId);
        m.put("archivedAt", archivedAt);
    }

    static Project load(Map<String, Object> m) {
        Project p = new Project();
        p.loadBase(m);
        p.name = Stored.str(m, "name");
        p.description = Stored.str(m, "description");
        p.category = Stored.str(m, "category");
        p.visibility = Stored.str(m, "visibility");
        p.tags = Stored.strList(m, "tags");
        p.status = Stored.str(m, "status");
        p.ownerId = Stored.str(m, "ownerId");
        for (Map<String, Object> c : Stored.mapList(m, "collaborators")) p.collaborators.add(Collaborator.load(c));
        p.defaultDataVolumeId = Stored.str(m, "defaultDataVolumeId");
        p.archivedAt = Stored.lng(m, "archivedAt", 0);
        return p;
    }

    public Project copy() { return load(toStore()); }
}
