package strongly.store;

import strongly.model.Activity;
import strongly.model.Entity;
import strongly.model.Project;
import strongly.model.Volume;
import strongly.model.Workspace;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * All state, in memory, guarded by one read/write lock, backed by the journal.
 *
 * A write runs entirely under the write lock: the handler validates against the current state,
 * builds a {@link Batch} of new record versions (private copies), and {@link #commit} appends the
 * batch as one journal line (fsynced) and only then installs it in memory. If the journal write
 * fails nothing changes in memory and a StorageException reaches the HTTP layer (503).
 */
public final class Store {
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock(true);
    private final Journal journal;
    private boolean closed;
    private long lastSeq;      // last entity sequence number handed out
    private long journalSeq;   // last journal record number

    public final Map<String, Project> projects = new HashMap<>();
    public final Map<String, Workspace> workspaces = new HashMap<>();
    public final Map<String, Volume> volumes = new HashMap<>();
    public final Map<String, Activity> activities = new HashMap<>();
    /** Activity per project, oldest first. */
    public final Map<String, List<Activity>> activityByProject = new HashMap<>();

    public Store(Path dataDir) throws IOException {
        this.journal = new Journal(dataDir);
        try {
            long records = 0;
            for (Map<String, Object> rec : journal.replay()) {
                applyRecord(rec);
                records++;
            }
            long entities = projects.size() + workspaces.size() + volumes.size() + activities.size();
            System.err.println("store: replayed " + records + " journal records; " + projects.size() + " projects, "
                    + workspaces.size() + " workspaces, " + volumes.size() + " volumes, " + activities.size()
                    + " activity entries");
            if (records > 1000 && records > 2 * entities) compact();
        } catch (IOException | RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ locking

    public <T> T read(Supplier<T> body) {
        rw.readLock().lock();
        try {
            return body.get();
        } finally {
            rw.readLock().unlock();
        }
    }

    public <T> T write(Supplier<T> body) {
        rw.writeLock().lock();
        try {
            return body.get();
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** Next creation sequence number. Call only under the write lock. */
    public long nextSeq() { return ++lastSeq; }

    // ------------------------------------------------------------------ batches

    public static final class Batch {
        final List<Map<String, Object>> ops = new ArrayList<>();
        final List<Entity> puts = new ArrayList<>();
        final List<String[]> dels = new ArrayList<>();

        public Batch put(Entity e) {
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("op", "put");
            op.put("kind", e.kind());
            op.put("data", e.toStore());
            ops.add(op);
            puts.add(e);
            return this;
        }

        public Batch delete(Entity e) {
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("op", "del");
            op.put("kind", e.kind());
            op.put("id", e.id);
            ops.add(op);
            dels.add(new String[]{e.kind(), e.id});
            return this;
        }

        public boolean isEmpty() { return ops.isEmpty(); }
    }

    /** Journals (fsync) then applies the batch. Must be called under the write lock. */
    public void commit(Batch b) {
        if (!rw.isWriteLockedByCurrentThread()) throw new IllegalStateException("commit without write lock");
        if (b.isEmpty()) return;
        if (closed) throw new StorageException("server is shutting down", null);
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("n", journalSeq + 1);
        rec.put("at", System.currentTimeMillis());
        rec.put("ops", b.ops);
        try {
            journal.append(rec);
        } catch (IOException e) {
            throw new StorageException("could not write the journal: " + e.getMessage(), e);
        }
        journalSeq++;
        for (Entity e : b.puts) install(e);
        for (String[] d : b.dels) remove(d[0], d[1]);
    }

    // ------------------------------------------------------------------ replay / apply

    @SuppressWarnings("unchecked")
    private void applyRecord(Map<String, Object> rec) {
        Object n = rec.get("n");
        if (n instanceof Number) journalSeq = Math.max(journalSeq, ((Number) n).longValue());
        Object ops = rec.get("ops");
        if (!(ops instanceof List)) return;
        for (Object o : (List<Object>) ops) {
            if (!(o instanceof Map)) continue;
            Map<String, Object> op = (Map<String, Object>) o;
            String kind = String.valueOf(op.get("kind"));
            if ("put".equals(op.get("op")) && op.get("data") instanceof Map) {
                install(Entity.fromStore(kind, (Map<String, Object>) op.get("data")));
            } else if ("del".equals(op.get("op"))) {
                remove(kind, String.valueOf(op.get("id")));
            }
        }
    }

    private void install(Entity e) {
        lastSeq = Math.max(lastSeq, e.seq);
        if (e instanceof Project) {
            projects.put(e.id, (Project) e);
        } else if (e instanceof Workspace) {
            workspaces.put(e.id, (Workspace) e);
        } else if (e instanceof Volume) {
            volumes.put(e.id, (Volume) e);
        } else if (e instanceof Activity) {
            Activity a = (Activity) e;
            Activity prev = activities.put(a.id, a);
            List<Activity> l = activityByProject.computeIfAbsent(a.projectId, k -> new ArrayList<>());
            if (prev != null) l.remove(prev);
            l.add(a);
            if (prev != null) l.sort(Comparator.comparingLong(x -> x.seq));
        }
    }

    private void remove(String kind, String id) {
        switch (kind) {
            case "project": projects.remove(id); break;
            case "workspace": workspaces.remove(id); break;
            case "volume": volumes.remove(id); break;
            case "activity": {
                Activity a = activities.remove(id);
                if (a != null) {
                    List<Activity> l = activityByProject.get(a.projectId);
                    if (l != null) {
                        l.remove(a);
                        if (l.isEmpty()) activityByProject.remove(a.projectId);
                    }
                }
                break;
            }
            default: break;
        }
    }

    /** Rewrites the journal as a snapshot of the current state (start-up only). */
    private void compact() throws IOException {
        List<Map<String, Object>> recs = new ArrayList<>();
        List<Entity> all = new ArrayList<>();
        all.addAll(projects.values());
        all.addAll(volumes.values());
        all.addAll(workspaces.values());
        all.addAll(activities.values());
        all.sort(Comparator.comparingLong(e -> e.seq));
        Batch b = new Batch();
        for (Entity e : all) {
            b.put(e);
            if (b.ops.size() >= 200) {
                recs.add(record(b));
                b = new Batch();
            }
        }
        if (!b.isEmpty()) recs.add(record(b));
        journal.rewrite(recs);
        System.err.println("store: compacted journal to " + recs.size() + " records");
    }

    private Map<String, Object> record(Batch b) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("n", ++journalSeq);
        rec.put("at", System.currentTimeMillis());
        rec.put("ops", b.ops);
        return rec;
    }

    /** Waits for the write in progress, then closes the journal; later writes get a StorageException. */
    public void close() {
        rw.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
            journal.close();
        } catch (IOException e) {
            System.err.println("store: error closing journal: " + e.getMessage());
        } finally {
            rw.writeLock().unlock();
        }
    }
}
