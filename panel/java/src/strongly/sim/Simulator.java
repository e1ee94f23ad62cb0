package strongly.sim;

import strongly.model.Workspace;
import strongly.store.StorageException;
import strongly.store.Store;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Simulated compute: no container runs. A pending workspace becomes running when its provisioning
 * time has passed (a scheduled task journals the transition); status conditions, metrics and logs
 * are derived from the workspace's stored lifecycle history and resources.
 */
public final class Simulator {
    private final Store store;
    private final long provisionDelayMs;
    private final ScheduledExecutorService timer;
    private volatile boolean stopping;

    public Simulator(Store store, double provisionDelaySeconds) {
        this.store = store;
        this.provisionDelayMs = Math.round(provisionDelaySeconds * 1000);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "provisioner");
            t.setDaemon(true);
            return t;
        });
    }

    public long provisionDelayMs() { return provisionDelayMs; }

    /** After a restart: resume provisioning of every workspace that was pending. */
    public void resumeAfterStart() {
        List<String[]> pending = store.read(() -> {
            List<String[]> l = new ArrayList<>();
            for (Workspace w : store.workspaces.values()) {
                if (Workspace.PENDING.equals(w.status)) l.add(new String[]{w.id, Long.toString(w.provisionReadyAt)});
            }
            return l;
        });
        for (String[] p : pending) schedule(p[0], Long.parseLong(p[1]));
        if (!pending.isEmpty()) System.err.println("simulator: resumed provisioning of " + pending.size() + " workspace(s)");
    }

    /** Arranges for workspace id to become running at readyAt if it is still pending for that start. */
    public void schedule(String id, long readyAt) {
        if (stopping) return;
        long delay = Math.max(0, readyAt - System.currentTimeMillis());
        try {
            timer.schedule(() -> promote(id, readyAt), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // shutting down
        }
    }

    private void promote(String id, long readyAt) {
        if (stopping) return;
        try {
            store.write(() -> {
                Workspace w = store.workspaces.get(id);
                if (w == null || !Workspace.PENDING.equals(w.status) || w.provisionReadyAt != readyAt) return null;
                long now = System.currentTimeMillis();
                Workspace c = w.copy();
                c.status = Workspace.RUNNING;
                c.readyAt = now;
                c.provisionReadyAt = 0;
                c.updatedAt = now;
                c.addHistory("ready", now);
                store.commit(new Store.Batch().put(c));
                return null;
            });
        } catch (StorageException e) {
            if (stopping) return;
            System.err.println("simulator: could not record workspace " + id + " as running (" + e.getMessage()
                    + "); retrying");
            try {
                timer.schedule(() -> promote(id, readyAt), 1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // shutting down
            }
        } catch (RuntimeException e) {
            System.err.println("simulator: unexpected error promoting " + id + ": " + e);
        }
    }

    public void stop() {
        stopping = true;
        timer.shutdownNow();
    }

    // ------------------------------------------------------------------ views

    public static String url(Workspace w) {
        if (!Workspace.RUNNING.equals(w.status)) return null;
        return "https://" + w.id.replace('_', '-') + ".workspaces.strongly.ai";
    }

    private static String iso(long millis) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(Math.max(0, millis) / 1000));
    }

    private static Map<String, Object> condition(String type, boolean status, long at, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("status", status ? "True" : "False");
        m.put("lastTransitionTime", iso(at));
        if (reason != null) m.put("reason", reason);
        return m;
    }

    /** GET /workspaces/{id}/status */
    public static Map<String, Object> status(Workspace w) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> conds = new ArrayList<>();
        String phase;
        boolean ready = false;
        String message;
        switch (w.status) {
            case Workspace.RUNNING:
                phase = "Running";
                ready = true;
                message = "Workspace is running and ready";
                conds.add(condition("PodScheduled", true, w.startedAt, null));
                conds.add(condition("Ready", true, w.readyAt, null));
                break;
            case Workspace.PENDING:
                phase = "Pending";
                message = "Workspace is being provisioned";
                conds.add(condition("PodScheduled", true, w.startedAt, null));
                conds.add(condition("Ready", false, w.startedAt, "ContainersNotReady"));
                break;
            case Workspace.STOPPED:
                phase = "Stopped";
                message = "Workspace is stopped; start it to use it";
                conds.add(condition("PodScheduled", false, w.stoppedAt, "WorkspaceStopped"));
                conds.add(condition("Ready", false, w.stoppedAt, "WorkspaceStopped"));
                break;
            case Workspace.FAILED:
                phase = "Failed";
                message = "Workspace failed to start";
                conds.add(condition("PodScheduled", true, w.startedAt, null));
                conds.add(condition("Ready", false, w.updatedAt, "ContainersFailed"));
                break;
            default:
                phase = "Terminated";
                message = "Workspace has been terminated";
                conds.add(condition("Ready", false, w.updatedAt, "Terminated"));
        }
        m.put("workspaceId", w.id);
        m.put("status", w.status);
        m.put("phase", phase);
        m.put("ready", ready);
        m.put("message", message);
        m.put("conditions", conds);
        return m;
    }

    /** Parses a CPU quantity ("4", "0.5", "500m") into cores. */
    public static double cpuCores(String q) {
        if (q == null) return 0;
        if (q.endsWith("m")) return Double.parseDouble(q.substring(0, q.length() - 1)) / 1000.0;
        return Double.parseDouble(q);
    }

    /** Parses a memory/storage quantity ("16Gi", "512Mi", "1T", "1073741824") into GiB. */
    public static double gib(String q) {
        if (q == null) return 0;
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
                {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"}};
        for (String[] u : units) {
            if (q.endsWith(u[0])) {
                return Double.parseDouble(q.substring(0, q.length() - u[0].length())) * Double.parseDouble(u[1])
                        / 1073741824.0;
            }
        }
        return Double.parseDouble(q) / 1073741824.0;
    }

    private static String one(double d) { return String.format(Locale.ROOT, "%.1f", d); }

    /** GET /workspaces/{id}/metrics for a running workspace: plausible, slowly varying values. */
    public static Map<String, Object> metrics(Workspace w, long now) {
        long bucket = now / 5000; // values change every 5 seconds
        Random r = new Random(w.id.hashCode() * 31L + bucket);
        Random stable = new Random(w.id.hashCode());
        double cores = cpuCores(w.resource("cpu"));
        double mem = gib(w.resource("memory"));
        double disk = gib(w.resource("storage"));
        int gpus = Integer.parseInt(w.resource("gpu") == null ? "0" : w.resource("gpu"));
        double minutesUp = Math.max(0, (now - w.readyAt) / 60000.0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workspaceId", w.id);
        m.put("cpuUsage", one(cores * (0.10 + 0.65 * r.nextDouble())));
        m.put("memoryUsage", one(mem * (0.25 + 0.6 * r.nextDouble())) + "Gi");
        m.put("gpuUsage", gpus > 0 ? Math.round(40 + 55 * r.nextDouble()) + "%" : "0%");
        double diskFrac = Math.min(0.95, 0.05 + 0.4 * stable.nextDouble() + 0.0005 * minutesUp);
        m.put("diskUsage", one(disk * diskFrac) + "Gi");
        m.put("timestamp", iso(now));
        return m;
    }

    /** GET /workspaces/{id}/logs: simulated build, deploy or pod logs from the lifecycle history. */
    public static List<String> logs(Workspace w, String type, int volumeCount) {
        List<String> lines = new ArrayList<>();
        String pod = "ws-" + w.id.substring(w.id.indexOf('_') + 1);
        String node = "node-pool-" + (Integer.parseInt(w.resource("gpu") == null ? "0" : w.resource("gpu")) > 0 ? "gpu" : "cpu")
                + "-" + Math.floorMod(w.id.hashCode(), 7);
        for (Map<String, Object> e : w.history) {
            String t = String.valueOf(e.get("type"));
            long at = e.get("at") instanceof Number ? ((Number) e.get("at")).longValue() : 0;
            String ts = iso(at) + " ";
            switch (type) {
                case "build":
                    if (t.equals("start")) {
                        lines.add(ts + "Resolving image " + w.image);
                        lines.add(ts + "Pulling image " + w.image);
                        lines.add(ts + "Image " + w.image + " is available on " + node);
                    }
                    break;
                case "deploy":
                    if (t.equals("start")) {
                        lines.add(ts + "Scheduling pod " + pod + " (cpu=" + w.resource("cpu") + ", memory="
                                + w.resource("memory") + ", gpu=" + w.resource("gpu") + ")");
                        lines.add(ts + "Pod " + pod + " assigned to " + node);
                        if (volumeCount > 0) lines.add(ts + "Attaching " + volumeCount + " volume(s)");
                        lines.add(ts + "Creating container workspace");
                    } else if (t.equals("ready")) {
                        lines.add(ts + "Started container workspace");
                        lines.add(ts + "Readiness probe succeeded; workspace is ready");
                    } else if (t.equals("stop")) {
                        lines.add(ts + "Deleting pod " + pod + " (workspace stopped)");
                    } else if (t.equals("restart")) {
                        lines.add(ts + "Restart requested; deleting pod " + pod);
                    }
                    break;
                default: // pod
                    if (t.equals("ready")) {
                        lines.addAll(serverStart(w, ts));
                    } else if (t.equals("stop") || t.equals("restart")) {
                        lines.add(ts + "Received SIGTERM, shutting down");
                        lines.add(ts + "Server stopped");
                    } else if (t.equals("sync")) {
                        lines.add(ts + "Syncing workspace files to " + volumeCount + " attached volume(s)...");
                        lines.add(ts + "Sync completed");
                    }
            }
        }
        return lines;
    }

    private static List<String> serverStart(Workspace w, String ts) {
        List<String> l = new ArrayList<>();
        switch (w.environmentType) {
            case "jupyter":
                l.add(ts + "Starting Jupyter server...");
                l.add(ts + "Jupyter server is running at https://0.0.0.0:8888");
                break;
            case "vscode":
                l.add(ts + "Starting code-server...");
                l.add(ts + "HTTP server listening on https://0.0.0.0:8080");
                break;
            case "rstudio":
                l.add(ts + "Starting RStudio Server...");
                l.add(ts + "RStudio Server listening on https://0.0.0.0:8787");
                break;
            default:
                l.add(ts + "Starting container " + w.image + "...");
                l.add(ts + "Container process started");
        }
        return l;
    }
}
