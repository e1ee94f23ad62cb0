import strongly.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Black-box test of a running server, using only the JDK.
 *
 *   java -cp build:tmp/testclasses ApiTest BASE_URL functional STATE_FILE   full functional + concurrency test, writes expectations
 *   java -cp build:tmp/testclasses ApiTest BASE_URL verify STATE_FILE       after a restart: everything written is still there
 *   java -cp build:tmp/testclasses ApiTest BASE_URL burst STATE_FILE        writes until the server goes away, records acknowledged ids
 *   java -cp build:tmp/testclasses ApiTest BASE_URL verify-burst STATE_FILE after a restart: every acknowledged write is there
 *   java -cp build:tmp/testclasses ApiTest BASE_URL pending STATE_FILE      creates a workspace (server runs with a long provision delay)
 *   java -cp build:tmp/testclasses ApiTest BASE_URL verify-pending STATE_FILE after restart: it is pending, then becomes running
 */
public class ApiTest {
    static final String ADMIN = "strongly-dev-admin";
    static final String READER = "strongly-dev-reader";
    static final String OTHER = "strongly-dev-other";

    static String base;
    static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final AtomicInteger passed = new AtomicInteger();
    static final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    record Res(int status, Object body, Map<String, List<String>> headers, String raw) {
        @SuppressWarnings("unchecked")
        Map<String, Object> obj() { return body instanceof Map ? (Map<String, Object>) body : Map.of(); }
        Object get(String path) { return ApiTest.path(body, path); }
        String str(String path) { Object o = get(path); return o == null ? null : o.toString(); }
        List<?> list(String path) { Object o = get(path); return o instanceof List ? (List<?>) o : List.of(); }
    }

    @SuppressWarnings("unchecked")
    static Object path(Object body, String path) {
        Object cur = body;
        for (String p : path.split("\\.")) {
            if (cur instanceof Map) cur = ((Map<String, Object>) cur).get(p);
            else if (cur instanceof List && p.matches("\\d+")) {
                List<Object> l = (List<Object>) cur;
                int i = Integer.parseInt(p);
                cur = i < l.size() ? l.get(i) : null;
            } else return null;
        }
        return cur;
    }

    static Res call(String key, String method, String path, Object body) {
        return raw(key, method, path, body == null ? null : (body instanceof String ? ((String) body).getBytes(StandardCharsets.UTF_8)
                : Json.write(body).getBytes(StandardCharsets.UTF_8)));
    }

    static Res raw(String key, String method, String path, byte[] body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
            if (key != null) b.header("X-API-Key", key);
            if (body != null) b.header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Object parsed = null;
            if (!r.body().isEmpty()) {
                try {
                    parsed = Json.parse(r.body());
                } catch (Json.JsonException e) {
                    parsed = "<<not json: " + r.body() + ">>";
                }
            }
            return new Res(r.statusCode(), parsed, r.headers().map(), r.body());
        } catch (Exception e) {
            return new Res(-1, null, Map.of(), e.toString());
        }
    }

    static Res get(String key, String path) { return call(key, "GET", path, null); }
    static Res post(String key, String path, Object body) { return call(key, "POST", path, body); }
    static Res put(String key, String path, Object body) { return call(key, "PUT", path, body); }
    static Res del(String key, String path) { return call(key, "DELETE", path, null); }

    static void check(boolean ok, String what) {
        if (ok) passed.incrementAndGet();
        else {
            failures.add(what);
            System.out.println("FAIL: " + what);
        }
    }

    static void expect(Res r, int status, String what) {
        boolean ok = r.status == status;
        // every error must be a JSON object with "error" and "message"
        if (ok && status >= 400) ok = r.body instanceof Map && r.obj().get("error") instanceof String && r.obj().get("message") instanceof String;
        if (ok && status != 204 && !(r.body instanceof Map)) ok = false;
        check(ok, what + " -> expected " + status + ", got " + r.status + " " + r.raw);
    }

    static void eq(Object actual, Object expected, String what) {
        boolean ok = expected == null ? actual == null : expected.equals(actual)
                || (expected instanceof Number && actual instanceof Number
                && ((Number) expected).doubleValue() == ((Number) actual).doubleValue());
        check(ok, what + ": expected " + expected + ", got " + actual);
    }

    static Map<String, Object> m(Object... kv) { return Json.obj(kv); }

    static void sleep(long ms) {
        try { Thread.sleep(ms); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }

    static String waitStatus(String key, String wsId, String status, long timeoutMs) {
        long end = System.currentTimeMillis() + timeoutMs;
        String s = null;
        while (System.currentTimeMillis() < end) {
            s = get(key, "/workspaces/" + wsId).str("status");
            if (status.equals(s)) return s;
            sleep(100);
        }
        return s;
    }

    public static void main(String[] args) throws Exception {
        base = args[0].replaceAll("/+$", "") + "/api/v1";
        String mode = args[1];
        Path state = Path.of(args[2]);
        switch (mode) {
            case "functional": functional(state); break;
            case "verify": verify(state); break;
            case "burst": burst(state); break;
            case "verify-burst": verifyBurst(state); break;
            case "pending": pending(state); break;
            case "verify-pending": verifyPending(state); break;
            default: throw new IllegalArgumentException(mode);
        }
        System.out.println(mode + ": " + passed.get() + " checks passed, " + failures.size() + " failed");
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    // =================================================================== functional

    static void functional(Path state) throws Exception {
        general();
        Map<String, Object> keep = new LinkedHashMap<>();
        String p = projects(keep);
        String ws = workspaces(p, keep);
        volumes(p, ws, keep);
        collaboratorsAndPrivacy(keep);
        deletion();
        concurrency(keep);
        // snapshot of everything, for verification after the restart
        List<Object> snaps = new ArrayList<>();
        for (String path : List.of("/projects?limit=100", "/workspaces?limit=100", "/volumes?limit=100")) {
            snaps.add(m("path", path, "body", get(ADMIN, path).body));
        }
        keep.put("snapshots", snaps);
        keep.put("activity", get(ADMIN, "/projects/" + p + "/activity?limit=100").body);
        keep.put("projectId", p);
        Files.writeString(state, Json.write(keep));
    }

    static void general() {
        Res r = get(null, "/projects");
        expect(r, 401, "no key");
        r = get("nope", "/projects");
        expect(r, 401, "bad key");
        expect(get(ADMIN, "/nothing-here"), 404, "unknown route");
        expect(call(ADMIN, "PATCH", "/projects", m()), 405, "PATCH not allowed");
        check(r.status == 401, "401 status");
        Res r405 = call(ADMIN, "DELETE", "/projects", null);
        expect(r405, 405, "DELETE /projects");
        check(r405.headers.containsKey("allow"), "405 carries Allow header");
        expect(get(ADMIN, "/"), 404, "api root");
        expect(get(null, "/no-such-route"), 401, "authentication is checked before routing");
        expect(post(READER, "/projects", m("name", "x", "description", "y")), 403, "reader cannot create");
        check("insufficient_scope".equals(post(READER, "/projects", m("name", "x", "description", "y")).str("error")), "403 code");
        expect(post(ADMIN, "/projects", "{\"name\": \"x\", "), 400, "malformed JSON");
        expect(post(ADMIN, "/projects", "[1,2]"), 400, "array body");
        expect(post(ADMIN, "/projects", "{\"name\":\"a\",\"name\":\"b\",\"description\":\"d\"}"), 400, "duplicate key");
        expect(post(ADMIN, "/projects", ""), 400, "empty body");
        expect(raw(ADMIN, "POST", "/projects", new byte[]{'{', '"', 'n', '"', ':', '"', (byte) 0xff, '"', '}'}), 400, "invalid UTF-8");
        byte[] big = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        expect(raw(ADMIN, "POST", "/projects", big), 413, "2 MiB body");
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 5000; i++) deep.append('[');
        expect(post(ADMIN, "/projects", deep.toString()), 400, "deeply nested JSON");
        expect(get(ADMIN, "/projects?limit=abc"), 400, "limit not a number");
        expect(get(ADMIN, "/projects?limit=0"), 400, "limit 0");
        expect(get(ADMIN, "/projects?offset=-1"), 400, "negative offset");
        expect(get(ADMIN, "/projects?sort=color:desc"), 400, "bad sort field");
        expect(get(ADMIN, "/projects?sort=name:sideways"), 400, "bad sort direction");
        eq(get(ADMIN, "/projects?limit=1000").get("limit"), 100L, "limit clamped to 100");
    }

    // =================================================================== projects

    static String projects(Map<String, Object> keep) {
        expect(post(ADMIN, "/projects", m("description", "no name")), 400, "project without name");
        expect(post(ADMIN, "/projects", m("name", "x")), 400, "project without description");
        expect(post(ADMIN, "/projects", m("name", "  ", "description", "d")), 400, "blank name");
        expect(post(ADMIN, "/projects", m("name", 5, "description", "d")), 400, "numeric name");
        expect(post(ADMIN, "/projects", m("name", "x", "description", "d", "visibility", "public")), 400, "bad visibility");
        expect(post(ADMIN, "/projects", m("name", "x", "description", "d", "tags", "ml")), 400, "tags not a list");
        expect(post(ADMIN, "/projects", m("name", "x", "description", "d", "tags", List.of(1))), 400, "tags with number");
        expect(post(ADMIN, "/projects", m("name", "a\u0001b", "description", "d")), 400, "control char in name");

        Res r = post(ADMIN, "/projects", m("name", "customer-churn-analysis", "description", "Predict and analyze customer churn patterns",
                "category", "machine-learning", "visibility", "organization", "tags", List.of("ml", "churn", "production")));
        expect(r, 201, "create project");
        String p = r.str("id");
        eq(r.str("projectId"), p, "create answer carries projectId");
        check(p != null && p.startsWith("proj_"), "project id prefix");
        check(r.headers.getOrDefault("location", List.of("")).get(0).endsWith("/api/v1/projects/" + p), "Location header");
        eq(r.str("status"), "active", "new project active");
        eq(r.get("archived"), false, "not archived");
        eq(r.str("organizationId"), "org_a", "org");
        eq(r.str("ownerId"), "user_admin", "ownerId");
        eq(r.str("owner.name"), "Dev Admin", "owner name");
        eq(r.list("tags").size(), 3, "tags");
        eq(r.str("collaborators.0.role"), "owner", "owner listed as collaborator");
        eq(r.get("collaborators.0.isOwner"), true, "isOwner");
        check(r.obj().containsKey("defaultDataVolumeId") && r.obj().containsKey("attachedVolumeIds")
                && r.obj().containsKey("sharedWith") && r.obj().containsKey("createdAt") && r.obj().containsKey("updatedAt"), "all project fields present");
        check(String.valueOf(r.get("createdAt")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), "timestamp format");

        Res r2 = post(ADMIN, "/projects", m("name", "fraud-detection", "description", "ML pipeline for detecting fraud", "tags", List.of("fraud")));
        expect(r2, 201, "second project");
        eq(r2.str("visibility"), "organization", "default visibility");
        eq(r2.get("category"), null, "default category null");
        String p2 = r2.str("id");

        expect(get(ADMIN, "/projects/" + p), 200, "get project");
        expect(get(READER, "/projects/" + p), 200, "reader sees org project");
        expect(get(OTHER, "/projects/" + p), 404, "other org cannot see project");
        expect(get(ADMIN, "/projects/proj_doesnotexist"), 404, "missing project");
        check(get(OTHER, "/projects?limit=100").list("projects").stream().noneMatch(x -> p.equals(path(x, "id"))), "other org list excludes");

        Res l = get(ADMIN, "/projects?search=CHURN");
        check(l.list("projects").stream().anyMatch(x -> p.equals(path(x, "id"))), "search finds churn (case-insensitive)");
        check(l.list("projects").stream().noneMatch(x -> p2.equals(path(x, "id"))), "search excludes fraud");
        check(get(ADMIN, "/projects?tag=production").list("projects").stream().anyMatch(x -> p.equals(path(x, "id"))), "tag filter");
        check(get(ADMIN, "/projects?tag=production").list("projects").stream().noneMatch(x -> p2.equals(path(x, "id"))), "tag filter excludes");
        check(get(ADMIN, "/projects?category=machine-learning").list("projects").stream().allMatch(x -> "machine-learning".equals(path(x, "category"))), "category filter");
        expect(get(ADMIN, "/projects?status=deleted"), 400, "bad status filter");
        Res pg = get(ADMIN, "/projects?limit=1&offset=0&sort=createdAt:asc");
        eq(pg.list("projects").size(), 1, "limit 1");
        check(((Number) pg.get("count")).intValue() >= 2, "count is the total");
        Res pgd = get(ADMIN, "/projects?limit=1");
        eq(pgd.str("projects.0.id"), p2, "default sort newest first");

        Res u = put(ADMIN, "/projects/" + p, m("description", "Updated churn analysis with new features", "tags", List.of("ml", "churn", "production", "v2")));
        expect(u, 200, "update project");
        eq(u.str("description"), "Updated churn analysis with new features", "description updated");
        eq(u.list("tags").size(), 4, "tags replaced");
        eq(u.str("name"), "customer-churn-analysis", "name untouched");
        expect(put(ADMIN, "/projects/" + p, m("name", "")), 400, "empty name update");
        expect(put(ADMIN, "/projects/" + p, m("visibility", "everyone")), 400, "bad visibility update");
        expect(put(READER, "/projects/" + p, m("name", "x")), 403, "reader cannot update");
        expect(put(OTHER, "/projects/" + p, m("name", "x")), 404, "other org cannot update");
        expect(put(ADMIN, "/projects/" + p, m("defaultDataVolumeId", "vol_nope")), 400, "default volume must belong");

        // archive / restore
        Res a = post(ADMIN, "/projects/" + p2 + "/archive", null);
        expect(a, 200, "archive");
        eq(a.str("status"), "archived", "archive answer status");
        eq(get(ADMIN, "/projects/" + p2).get("archived"), true, "archived flag");
        expect(post(ADMIN, "/projects/" + p2 + "/archive", null), 409, "archive twice");
        check(get(ADMIN, "/projects?status=archived").list("projects").stream().anyMatch(x -> p2.equals(path(x, "id"))), "status=archived filter");
        check(get(ADMIN, "/projects?status=active").list("projects").stream().noneMatch(x -> p2.equals(path(x, "id"))), "status=active filter");
        expect(post(ADMIN, "/workspaces", m("name", "w", "description", "d", "environmentType", "jupyter", "projectId", p2)), 409, "no workspace in archived project");
        expect(post(ADMIN, "/volumes", m("projectId", p2, "label", "v", "sizeGb", 1)), 409, "no volume in archived project");
        expect(put(ADMIN, "/projects/" + p2, m("name", "renamed")), 409, "no update of archived project");
        expect(post(READER, "/projects/" + p2 + "/restore", null), 403, "reader cannot restore");
        Res rs = post(ADMIN, "/projects/" + p2 + "/restore", null);
        expect(rs, 200, "restore");
        eq(rs.str("status"), "active", "restored status");
        expect(post(ADMIN, "/projects/" + p2 + "/restore", null), 409, "restore twice");
        keep.put("p2", p2);
        return p;
    }

    // =================================================================== workspaces

    static String workspaces(String p, Map<String, Object> keep) {
        Map<String, Object> good = m("name", "Training Environment", "description", "GPU-enabled workspace for model training",
                "environmentType", "jupyter", "image", "strongly/jupyter-gpu:latest",
                "resources", m("cpu", "4", "memory", "16Gi", "gpu", "1", "gpuType", "nvidia-a10g", "storage", "50Gi"), "projectId", p);
        expect(post(ADMIN, "/workspaces", m("description", "d", "environmentType", "jupyter")), 400, "ws without name");
        expect(post(ADMIN, "/workspaces", m("name", "n", "environmentType", "jupyter")), 400, "ws without description");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d")), 400, "ws without environmentType");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d", "environmentType", "emacs")), 400, "bad environmentType");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d", "environmentType", "custom")), 400, "custom without image");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d", "environmentType", "jupyter", "resources", m("cpu", "lots"))), 400, "bad cpu");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d", "environmentType", "jupyter", "resources", m("memory", "16GB"))), 400, "bad memory");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d", "environmentType", "jupyter", "resources", m("gpu", "100"))), 400, "too many gpus");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d", "environmentType", "jupyter", "resources", "big")), 400, "resources not object");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d", "environmentType", "jupyter", "image", "has space")), 400, "bad image");
        expect(post(ADMIN, "/workspaces", m("name", "n", "description", "d", "environmentType", "jupyter", "projectId", "proj_nope")), 400, "unknown project");
        expect(post(OTHER, "/workspaces", m("name", "n", "description", "d", "environmentType", "jupyter", "projectId", p)), 400, "other org's project");
        expect(post(READER, "/workspaces", good), 403, "reader cannot create ws");

        Res r = post(ADMIN, "/workspaces", good);
        expect(r, 201, "create workspace");
        String ws = r.str("workspaceId");
        check(ws != null && ws.startsWith("ws_"), "workspaceId");
        eq(r.str("id"), ws, "id = workspaceId");
        eq(r.str("status"), "pending", "new workspace pending");
        eq(r.get("url"), null, "no url while pending");
        eq(r.str("resources.gpuType"), "nvidia-a10g", "gpuType kept");
        eq(r.str("image"), "strongly/jupyter-gpu:latest", "image kept");
        eq(r.str("owner.email"), "admin@org-a.example", "owner object");
        Res st = get(ADMIN, "/workspaces/" + ws + "/status");
        expect(st, 200, "status while pending");
        eq(st.get("ready"), false, "not ready while pending");
        eq(st.str("phase"), "Pending", "phase Pending");
        expect(get(ADMIN, "/workspaces/" + ws + "/metrics"), 409, "metrics while pending");
        expect(post(ADMIN, "/workspaces/" + ws + "/start", null), 409, "start while pending");
        expect(post(ADMIN, "/workspaces/" + ws + "/restart", null), 409, "restart while pending");

        Res d = post(ADMIN, "/workspaces", m("name", "analysis-env", "description", "Data analysis workspace", "environmentType", "vscode"));
        expect(d, 201, "workspace without project");
        String ws2 = d.str("id");
        eq(d.str("image"), "strongly/vscode:latest", "default image");
        eq(d.str("resources.cpu"), "2", "default cpu");
        eq(d.get("projectId"), null, "no project");
        eq(d.list("volumeIds").size(), 0, "no volumes");
        Res num = post(ADMIN, "/workspaces", m("name", "numeric", "description", "numbers for cpu/gpu", "environmentType", "rstudio",
                "resources", m("cpu", 2, "gpu", 0, "memory", "4Gi")));
        expect(num, 201, "numeric cpu/gpu accepted");
        eq(num.str("resources.cpu"), "2", "cpu normalised to string");

        eq(waitStatus(ADMIN, ws, "running", 10000), "running", "workspace becomes running");
        Res g = get(READER, "/workspaces/" + ws);
        expect(g, 200, "reader reads workspace");
        eq(g.str("url"), "https://" + ws.replace('_', '-') + ".workspaces.strongly.ai", "url when running");
        expect(get(OTHER, "/workspaces/" + ws), 404, "other org cannot see ws");
        st = get(ADMIN, "/workspaces/" + ws + "/status");
        eq(st.get("ready"), true, "ready when running");
        eq(st.str("phase"), "Running", "phase Running");
        eq(st.list("conditions").size(), 2, "two conditions");
        Res mt = get(READER, "/workspaces/" + ws + "/metrics");
        expect(mt, 200, "metrics");
        check(mt.get("cpuUsage") instanceof String && mt.get("memoryUsage") instanceof String
                && mt.str("gpuUsage").endsWith("%") && mt.str("diskUsage").endsWith("Gi"), "metrics shape " + mt.raw);
        Res lg = get(READER, "/workspaces/" + ws + "/logs");
        expect(lg, 200, "logs");
        eq(lg.str("logType"), "pod", "default log type");
        check(lg.str("logs").contains("Jupyter server"), "pod logs mention jupyter");
        eq(lg.str("content"), lg.str("logs"), "content = logs");
        eq(get(READER, "/workspaces/" + ws + "/logs?type=build").str("logType"), "build", "build logs");
        eq(get(READER, "/workspaces/" + ws + "/logs?type=deploy").str("logType"), "deploy", "deploy logs");
        expect(get(READER, "/workspaces/" + ws + "/logs?type=nope"), 400, "bad log type");

        // list and filters
        Res l = get(ADMIN, "/workspaces?projectId=" + p);
        check(l.list("workspaces").stream().allMatch(x -> p.equals(path(x, "projectId"))), "projectId filter");
        eq(l.get("limit"), 20L, "default limit 20");
        eq(l.get("offset"), 0L, "default offset 0");
        check(get(ADMIN, "/workspaces?status=running").list("workspaces").stream().allMatch(x -> "running".equals(path(x, "status"))), "status filter");
        expect(get(ADMIN, "/workspaces?status=sleeping"), 400, "bad status filter");
        check(get(ADMIN, "/workspaces?search=training").list("workspaces").stream().anyMatch(x -> ws.equals(path(x, "id"))), "search");
        Res byName = get(ADMIN, "/workspaces?sort=name:asc&limit=100");
        List<String> names = new ArrayList<>();
        for (Object x : byName.list("workspaces")) names.add(String.valueOf(path(x, "name")).toLowerCase());
        List<String> sorted = new ArrayList<>(names);
        Collections.sort(sorted);
        eq(names, sorted, "sort by name");
        Res pw = get(READER, "/projects/" + p + "/workspaces");
        expect(pw, 200, "project workspaces");
        check(pw.list("workspaces").stream().anyMatch(x -> ws.equals(path(x, "id"))), "project workspaces lists ws");

        // update
        Res u = put(ADMIN, "/workspaces/" + ws, m("name", "Updated Training Environment", "description", "Updated description"));
        expect(u, 200, "rename running ws");
        eq(u.str("name"), "Updated Training Environment", "renamed");
        expect(put(ADMIN, "/workspaces/" + ws, m("resources", m("cpu", "8"))), 409, "resources while running");
        expect(put(ADMIN, "/workspaces/" + ws, m("name", 7)), 400, "bad name type");
        expect(put(READER, "/workspaces/" + ws, m("name", "x")), 403, "reader cannot update ws");
        expect(post(ADMIN, "/workspaces/" + ws + "/sync", null), 200, "sync running ws");
        eq(post(ADMIN, "/workspaces/" + ws + "/sync", null).str("message"), "Workspace sync initiated", "sync message");
        expect(del(ADMIN, "/workspaces/" + ws), 409, "delete running ws");

        Res rs = post(ADMIN, "/workspaces/" + ws + "/restart", null);
        expect(rs, 200, "restart");
        eq(rs.str("status"), "pending", "restart -> pending");
        eq(rs.str("message"), "Workspace restarting", "restart message");
        eq(waitStatus(ADMIN, ws, "running", 10000), "running", "running after restart");

        Res sp = post(ADMIN, "/workspaces/" + ws + "/stop", null);
        expect(sp, 200, "stop");
        eq(sp.str("status"), "stopped", "stop -> stopped");
        eq(sp.str("message"), "Workspace stopping", "stop message");
        eq(get(ADMIN, "/workspaces/" + ws).get("url"), null, "no url when stopped");
        expect(post(ADMIN, "/workspaces/" + ws + "/stop", null), 409, "stop twice");
        expect(post(ADMIN, "/workspaces/" + ws + "/sync", null), 409, "sync when stopped");
        expect(get(ADMIN, "/workspaces/" + ws + "/metrics"), 409, "metrics when stopped");
        eq(get(ADMIN, "/workspaces/" + ws + "/status").str("phase"), "Stopped", "phase Stopped");
        Res ru = put(ADMIN, "/workspaces/" + ws, m("resources", m("cpu", "8", "memory", "32Gi", "gpu", "2")));
        expect(ru, 200, "resources while stopped");
        eq(ru.str("resources.cpu"), "8", "cpu updated");
        eq(ru.str("resources.gpuType"), "nvidia-a10g", "gpuType kept on partial resources update");
        eq(ru.str("resources.storage"), "50Gi", "storage kept");
        Res sa = post(ADMIN, "/workspaces/" + ws + "/start", null);
        expect(sa, 200, "start");
        eq(sa.str("status"), "pending", "start -> pending");
        eq(sa.str("message"), "Workspace starting", "start message");
        eq(waitStatus(ADMIN, ws, "running", 10000), "running", "running after start");

        // delete flow on ws2
        expect(post(ADMIN, "/workspaces/" + ws2 + "/stop", null), 200, "stop ws2 (pending or running)");
        expect(del(READER, "/workspaces/" + ws2), 403, "reader cannot delete");
        Res dd = del(ADMIN, "/workspaces/" + ws2);
        expect(dd, 204, "delete stopped ws");
        check(dd.raw.isEmpty(), "204 has no body");
        expect(get(ADMIN, "/workspaces/" + ws2), 404, "deleted ws gone");
        expect(del(ADMIN, "/workspaces/" + ws2), 404, "delete twice");

        keep.put("runningWs", ws);
        return ws;
    }

    // =================================================================== volumes

    static void volumes(String p, String ws, Map<String, Object> keep) {
        expect(post(ADMIN, "/volumes", m("label", "x", "sizeGb", 1)), 400, "volume without project");
        expect(post(ADMIN, "/volumes", m("projectId", p, "sizeGb", 1)), 400, "volume without label");
        expect(post(ADMIN, "/volumes", m("projectId", p, "label", "x")), 400, "volume without size");
        expect(post(ADMIN, "/volumes", m("projectId", p, "label", "x", "sizeGb", -5)), 400, "negative size");
        expect(post(ADMIN, "/volumes", m("projectId", p, "label", "x", "sizeGb", "50")), 400, "size as string");
        expect(post(ADMIN, "/volumes", m("projectId", p, "label", "x", "sizeGb", 1, "type", "video")), 400, "bad type");
        expect(post(ADMIN, "/volumes", m("projectId", p, "label", "x", "sizeGb", 1, "mountPath", "data")), 400, "relative mount");
        expect(post(ADMIN, "/volumes", m("projectId", p, "label", "x", "sizeGb", 1, "mountPath", "/data/../etc")), 400, "dotdot mount");
        expect(post(ADMIN, "/volumes", m("projectId", p, "label", "x", "sizeGb", 1, "mountPath", "/etc/x")), 400, "system mount");
        expect(post(ADMIN, "/volumes", m("projectId", "proj_nope", "label", "x", "sizeGb", 1)), 400, "unknown project");
        expect(post(READER, "/volumes", m("projectId", p, "label", "x", "sizeGb", 1)), 403, "reader cannot create volume");

        Res r = post(ADMIN, "/volumes", m("projectId", p, "label", "training-data", "sizeGb", 50.0, "description", "Training datasets for churn models",
                "type", "data", "mountPath", "/data/training"));
        expect(r, 201, "create volume");
        String v = r.str("id");
        eq(r.str("volumeId"), v, "volumeId");
        check(v != null && v.startsWith("vol_"), "volume id prefix");
        eq(r.get("sizeGb"), 50.0, "sizeGb");
        check(r.get("sizeGb") instanceof Double, "sizeGb is a float on the wire");
        eq(r.str("mountPath"), "/data/training", "mountPath");
        eq(r.get("isShared"), false, "not shared");
        eq(r.get("shared"), false, "shared flag");
        eq(r.str("status"), "available", "status");
        check(r.str("name") != null && r.str("volumeType") != null, "system name and volumeType");
        expect(post(ADMIN, "/volumes", m("projectId", p, "label", "dup", "sizeGb", 1, "mountPath", "/data/training")), 409, "duplicate mount path");
        Res r2 = post(ADMIN, "/volumes", m("projectId", p, "label", "Model Store", "sizeGb", 10, "type", "model"));
        expect(r2, 201, "second volume, defaults");
        String v2 = r2.str("id");
        check(r2.str("mountPath").startsWith("/mnt/"), "default mount path");

        Res pj = get(ADMIN, "/projects/" + p);
        eq(pj.str("defaultDataVolumeId"), v, "first data volume becomes default");
        check(pj.list("attachedVolumeIds").containsAll(List.of(v, v2)), "attachedVolumeIds");
        check(get(ADMIN, "/workspaces/" + ws).list("volumeIds").contains(v), "workspace volumeIds include project volumes");
        Res stats = get(READER, "/projects/" + p + "/stats");
        expect(stats, 200, "stats");
        eq(stats.get("volumeCount"), 2L, "volumeCount");
        eq(stats.get("totalStorageGb"), 60.0, "totalStorageGb");
        check(((Number) stats.get("workspaceCount")).intValue() >= 1, "workspaceCount");
        eq(stats.get("activeWorkspaces"), 1L, "activeWorkspaces");
        Res pv = get(READER, "/projects/" + p + "/volumes");
        expect(pv, 200, "project volumes");
        eq(pv.list("volumes").size(), 2, "two project volumes");

        check(get(ADMIN, "/volumes?type=model").list("volumes").stream().allMatch(x -> "model".equals(path(x, "type"))), "type filter");
        check(get(ADMIN, "/volumes?search=training").list("volumes").stream().anyMatch(x -> v.equals(path(x, "id"))), "volume search");
        check(get(ADMIN, "/volumes?projectId=" + p).list("volumes").size() == 2, "projectId filter");
        expect(get(ADMIN, "/volumes?type=bad"), 400, "bad type filter");
        expect(get(OTHER, "/volumes/" + v), 404, "other org cannot see volume");
        expect(get(READER, "/volumes/" + v), 200, "reader sees volume");

        Res u = put(ADMIN, "/volumes/" + v, m("label", "training-data-v2", "sizeGb", 75));
        expect(u, 200, "update volume");
        eq(u.get("sizeGb"), 75.0, "grown");
        expect(put(ADMIN, "/volumes/" + v, m("sizeGb", 10)), 400, "shrink refused");
        expect(put(ADMIN, "/volumes/" + v, m("mountPath", "/data/new")), 409, "mount change while in use");
        expect(put(READER, "/volumes/" + v, m("label", "x")), 403, "reader cannot update volume");
        Res sy = post(ADMIN, "/volumes/" + v + "/sync", null);
        expect(sy, 200, "volume sync");
        eq(sy.str("volumeId"), v, "sync answer");

        check(get(READER, "/volumes/shared").list("volumes").stream().noneMatch(x -> v.equals(path(x, "id"))), "not shared yet");
        Res sh = post(ADMIN, "/volumes/" + v + "/share", null);
        expect(sh, 200, "share");
        eq(get(ADMIN, "/volumes/" + v).get("isShared"), true, "isShared");
        expect(post(ADMIN, "/volumes/" + v + "/share", null), 409, "share twice");
        check(get(READER, "/volumes/shared").list("volumes").stream().anyMatch(x -> v.equals(path(x, "id"))), "shared list (reader)");
        check(get(READER, "/volumes/shared?search=v2").list("volumes").stream().anyMatch(x -> v.equals(path(x, "id"))), "shared list search");
        check(get(OTHER, "/volumes/shared").list("volumes").isEmpty(), "other org has no shared volumes");

        expect(del(ADMIN, "/volumes/" + v2), 409, "delete volume in use");
        keep.put("volume", v);
        keep.put("volume2", v2);
    }

    // =================================================================== collaborators & privacy

    static void collaboratorsAndPrivacy(Map<String, Object> keep) {
        Res r = post(ADMIN, "/projects", m("name", "secret", "description", "private project", "visibility", "private"));
        expect(r, 201, "private project");
        String p = r.str("id");
        expect(get(READER, "/projects/" + p), 404, "reader cannot see private project");
        check(get(READER, "/projects?limit=100").list("projects").stream().noneMatch(x -> p.equals(path(x, "id"))), "private not listed");
        Res w = post(ADMIN, "/workspaces", m("name", "hidden", "description", "in private project", "environmentType", "jupyter", "projectId", p));
        String ws = w.str("id");
        expect(get(READER, "/workspaces/" + ws), 404, "reader cannot see ws in private project");

        expect(post(ADMIN, "/projects/" + p + "/collaborators", m("email", "not-an-email", "role", "editor")), 400, "bad email");
        expect(post(ADMIN, "/projects/" + p + "/collaborators", m("email", "a@b.example", "role", "boss")), 400, "bad role");
        expect(post(ADMIN, "/projects/" + p + "/collaborators", m("email", "a@b.example", "role", "owner")), 400, "owner role");
        expect(post(ADMIN, "/projects/" + p + "/collaborators", m("email", "admin@org-a.example", "role", "editor")), 409, "owner as collaborator");
        Res a = post(ADMIN, "/projects/" + p + "/collaborators", m("email", "Reader@Org-A.example", "role", "viewer"));
        expect(a, 201, "add reader");
        eq(a.str("collaborator.userId"), "user_reader", "known user resolved by email");
        eq(a.str("collaborator.grantedBy"), "user_admin", "grantedBy");
        expect(post(ADMIN, "/projects/" + p + "/collaborators", m("email", "reader@org-a.example", "role", "editor")), 409, "duplicate collaborator");
        expect(get(READER, "/projects/" + p), 200, "reader sees project after being added");
        expect(get(READER, "/workspaces/" + ws), 200, "reader sees ws after being added");
        Res t = post(ADMIN, "/projects/" + p + "/collaborators", m("email", "teammate@company.com", "role", "editor"));
        expect(t, 201, "add external teammate");
        String tid = t.str("collaborator.userId");
        check(tid != null && tid.startsWith("user_"), "generated user id");
        Res given = post(ADMIN, "/projects/" + p + "/collaborators", m("email", "xyz@company.com", "role", "viewer", "userId", "user-xyz789"));
        expect(given, 201, "add with user_id");
        eq(given.str("collaborator.userId"), "user-xyz789", "userId kept");
        expect(post(ADMIN, "/projects/" + p + "/collaborators", m("email", "other@company.com", "role", "viewer", "userId", "user_reader")), 400, "userId of another user");

        Res cl = get(READER, "/projects/" + p + "/collaborators");
        expect(cl, 200, "list collaborators");
        eq(cl.list("collaborators").size(), 4, "owner + 3 collaborators");
        eq(cl.get("collaborators.0.isOwner"), true, "owner first");
        Res pj = get(ADMIN, "/projects/" + p);
        check(pj.list("sharedWith").containsAll(List.of("user_reader", tid, "user-xyz789")), "sharedWith lists collaborator ids");

        Res up = put(ADMIN, "/projects/" + p + "/collaborators/user-xyz789", m("role", "editor"));
        expect(up, 200, "update role");
        eq(up.str("collaborator.role"), "editor", "role changed");
        expect(put(ADMIN, "/projects/" + p + "/collaborators/user_admin", m("role", "viewer")), 409, "owner role fixed");
        expect(put(ADMIN, "/projects/" + p + "/collaborators/user_nobody", m("role", "viewer")), 404, "unknown collaborator");
        expect(put(ADMIN, "/projects/" + p + "/collaborators/user-xyz789", m()), 400, "role required");
        expect(put(READER, "/projects/" + p + "/collaborators/user-xyz789", m("role", "viewer")), 403, "reader cannot change roles");
        expect(del(ADMIN, "/projects/" + p + "/collaborators/user-xyz789"), 204, "remove collaborator");
        expect(del(ADMIN, "/projects/" + p + "/collaborators/user-xyz789"), 404, "remove twice");
        expect(del(ADMIN, "/projects/" + p + "/collaborators/user_admin"), 409, "cannot remove owner");

        Res act = get(READER, "/projects/" + p + "/activity?limit=3");
        expect(act, 200, "activity");
        eq(act.list("activity").size(), 3, "activity limit");
        eq(act.str("activity.0.action"), "collaborator.removed", "newest first");
        check(act.get("activity.0.createdAt") != null && act.get("activity.0.userId") != null, "activity fields");
        check(((Number) act.get("count")).intValue() >= 6, "activity count total");
        Res act2 = get(READER, "/projects/" + p + "/activity?limit=2&offset=1");
        eq(act2.str("activity.0.id"), act.str("activity.1.id"), "activity offset");

        // archive stops workspaces
        Res arc = post(ADMIN, "/projects/" + p + "/archive", null);
        expect(arc, 200, "archive with workspace");
        eq(get(ADMIN, "/workspaces/" + ws).str("status"), "stopped", "archive stops workspaces");
        expect(post(ADMIN, "/workspaces/" + ws + "/start", null), 409, "cannot start in archived project");
        expect(post(ADMIN, "/projects/" + p + "/restore", null), 200, "restore");
        keep.put("privateProject", p);
        keep.put("privateWs", ws);
    }

    // =================================================================== deletion

    static void deletion() {
        String p = post(ADMIN, "/projects", m("name", "temp", "description", "to delete")).str("id");
        String v = post(ADMIN, "/volumes", m("projectId", p, "label", "tmp", "sizeGb", 1)).str("id");
        String w = post(ADMIN, "/workspaces", m("name", "tmp", "description", "tmp", "environmentType", "jupyter", "projectId", p)).str("id");
        expect(del(READER, "/projects/" + p), 403, "reader cannot delete project");
        expect(del(OTHER, "/projects/" + p), 404, "other org cannot delete project");
        expect(del(ADMIN, "/projects/" + p), 409, "delete non-empty project");
        expect(del(ADMIN, "/volumes/" + v), 409, "delete volume of running project");
        expect(post(ADMIN, "/workspaces/" + w + "/stop", null), 200, "stop tmp ws");
        expect(del(ADMIN, "/workspaces/" + w), 204, "delete tmp ws");
        expect(del(ADMIN, "/volumes/" + v), 204, "delete tmp volume");
        eq(get(ADMIN, "/projects/" + p).get("defaultDataVolumeId"), null, "default volume cleared");
        expect(del(ADMIN, "/projects/" + p), 204, "delete empty project");
        expect(get(ADMIN, "/projects/" + p), 404, "deleted project gone");
        expect(get(ADMIN, "/projects/" + p + "/activity"), 404, "deleted project activity gone");
    }

    // =================================================================== concurrency

    static void concurrency(Map<String, Object> keep) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(48);
        int before = ((Number) get(ADMIN, "/projects?limit=1").get("count")).intValue();
        int n = 300;
        List<Future<Res>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final int k = i;
            fs.add(pool.submit(() -> post(ADMIN, "/projects", m("name", "burst-" + k, "description", "concurrent create " + k, "tags", List.of("burst")))));
        }
        Set<String> ids = new HashSet<>();
        int ok = 0;
        for (Future<Res> f : fs) {
            Res r = f.get();
            if (r.status == 201) { ok++; ids.add(r.str("id")); }
            else System.out.println("concurrent create: " + r.status + " " + r.raw);
        }
        eq(ok, n, "all concurrent creates succeed");
        eq(ids.size(), n, "all ids distinct");
        int after = ((Number) get(ADMIN, "/projects?limit=1").get("count")).intValue();
        eq(after - before, n, "count grew by n");
        keep.put("burstProjects", new ArrayList<>(ids));

        // the same collaborator added concurrently: exactly one wins
        String p = ids.iterator().next();
        List<Future<Res>> adds = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            adds.add(pool.submit(() -> post(ADMIN, "/projects/" + p + "/collaborators", m("email", "race@company.com", "role", "editor"))));
        }
        int created = 0, conflicts = 0;
        for (Future<Res> f : adds) {
            Res r = f.get();
            if (r.status == 201) created++;
            else if (r.status == 409) conflicts++;
        }
        eq(created, 1, "one concurrent add wins");
        eq(conflicts, 39, "the others conflict");
        eq(get(ADMIN, "/projects/" + p + "/collaborators").list("collaborators").size(), 2, "collaborator stored once");

        // concurrent start/stop on one workspace: only 200/409, state stays valid
        String w = post(ADMIN, "/workspaces", m("name", "race", "description", "start/stop race", "environmentType", "jupyter", "projectId", p)).str("id");
        List<Future<Res>> ops = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String op = i % 3 == 0 ? "start" : i % 3 == 1 ? "stop" : "restart";
            ops.add(pool.submit(() -> post(ADMIN, "/workspaces/" + w + "/" + op, null)));
            ops.add(pool.submit(() -> get(READER, "/workspaces/" + w + "/status")));
        }
        boolean allOk = true;
        for (Future<Res> f : ops) {
            Res r = f.get();
            if (r.status != 200 && r.status != 409) { allOk = false; System.out.println("race: " + r.status + " " + r.raw); }
        }
        check(allOk, "concurrent lifecycle answers are 200 or 409");
        String s = get(ADMIN, "/workspaces/" + w).str("status");
        check(Set.of("pending", "running", "stopped").contains(s), "valid final state " + s);

        // concurrent updates of one project: every answer 200, final tags one of the written values
        List<Future<Res>> ups = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            final int k = i;
            ups.add(pool.submit(() -> put(ADMIN, "/projects/" + p, m("tags", List.of("t" + k)))));
        }
        int u200 = 0;
        for (Future<Res> f : ups) if (f.get().status == 200) u200++;
        eq(u200, 50, "concurrent updates succeed");
        check(String.valueOf(get(ADMIN, "/projects/" + p).list("tags")).matches("\\[t\\d+\\]"), "final tags consistent");

        // mixed readers and writers, from three keys
        AtomicInteger bad = new AtomicInteger();
        List<Future<?>> mixed = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            final int k = i;
            mixed.add(pool.submit(() -> {
                Res r;
                switch (k % 5) {
                    case 0: r = get(READER, "/projects?limit=50"); if (r.status != 200) bad.incrementAndGet(); break;
                    case 1: r = get(OTHER, "/projects?limit=50");
                        if (r.status != 200 || r.list("projects").stream().anyMatch(x -> !"org_b".equals(path(x, "organizationId")))) bad.incrementAndGet();
                        break;
                    case 2: r = post(OTHER, "/projects", m("name", "b-" + k, "description", "org b")); if (r.status != 201) bad.incrementAndGet(); break;
                    case 3: r = get(ADMIN, "/workspaces?limit=100"); if (r.status != 200) bad.incrementAndGet(); break;
                    default: r = post(READER, "/projects", m("name", "x", "description", "y")); if (r.status != 403) bad.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : mixed) f.get();
        eq(bad.get(), 0, "mixed concurrent traffic");
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    // =================================================================== after restart

    @SuppressWarnings("unchecked")
    static void verify(Path state) throws Exception {
        Map<String, Object> keep = (Map<String, Object>) Json.parse(Files.readString(state));
        for (Object o : (List<Object>) keep.get("snapshots")) {
            Map<String, Object> snap = (Map<String, Object>) o;
            String path = (String) snap.get("path");
            Object before = snap.get("body");
            Object now = get(ADMIN, path).body;
            String key = path.substring(1, path.indexOf('?'));
            List<Object> a = (List<Object>) path(before, key);
            List<Object> b = (List<Object>) path(now, key);
            eq(path(now, "count"), path(before, "count"), "count of " + key + " after restart");
            Map<String, Object> byId = new LinkedHashMap<>();
            for (Object x : b) byId.put((String) path(x, "id"), x);
            for (Object x : a) {
                Object y = byId.get((String) path(x, "id"));
                if (key.equals("workspaces")) {
                    // status may have moved on from pending; everything else must be identical
                    Map<String, Object> xx = new LinkedHashMap<>((Map<String, Object>) x);
                    Map<String, Object> yy = y == null ? null : new LinkedHashMap<>((Map<String, Object>) y);
                    if ("pending".equals(xx.get("status")) && yy != null) {
                        for (String k : List.of("status", "url", "updatedAt")) { xx.remove(k); yy.remove(k); }
                    }
                    eq(yy, xx, "workspace " + path(x, "id") + " after restart");
                } else {
                    eq(y, x, key + " " + path(x, "id") + " after restart");
                }
            }
        }
        String p = (String) keep.get("projectId");
        eq(get(ADMIN, "/projects/" + p + "/activity?limit=100").body, keep.get("activity"), "activity after restart");
        String ws = (String) keep.get("runningWs");
        eq(get(ADMIN, "/workspaces/" + ws).str("status"), "running", "running workspace still running after restart");
        eq(get(ADMIN, "/workspaces/" + ws + "/status").get("ready"), true, "and ready");
        // the server still works after the restart
        Res r = post(ADMIN, "/projects", m("name", "after-restart", "description", "written after restart"));
        expect(r, 201, "write after restart");
        expect(get(ADMIN, "/projects/" + r.str("id")), 200, "read it back");
        expect(get(READER, "/projects/" + keep.get("privateProject")), 200, "collaborator access survives restart");
    }

    // =================================================================== SIGTERM during a burst

    static void burst(Path state) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean down = new AtomicBoolean();
        AtomicInteger n = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            fs.add(pool.submit(() -> {
                while (!down.get()) {
                    int k = n.incrementAndGet();
                    Res r = post(ADMIN, "/projects", m("name", "sigterm-" + k, "description", "burst " + k));
                    if (r.status == 201) {
                        acked.add(r.str("id"));
                        if (acked.size() == 1) Files.writeString(Path.of(state + ".started"), "started");
                    }
                    else if (r.status == -1) down.set(true);
                    if (n.get() > 200000) down.set(true);
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        Files.writeString(state, Json.write(new ArrayList<>(acked)));
        System.out.println("burst: " + acked.size() + " writes acknowledged before the server went away");
        check(acked.size() > 0, "some writes acknowledged");
    }

    @SuppressWarnings("unchecked")
    static void verifyBurst(Path state) throws Exception {
        List<Object> acked = (List<Object>) Json.parse(Files.readString(state));
        Set<String> present = new HashSet<>();
        int offset = 0;
        while (true) {
            Res r = get(ADMIN, "/projects?limit=100&offset=" + offset + "&search=sigterm-");
            for (Object x : r.list("projects")) present.add((String) path(x, "id"));
            offset += 100;
            if (offset >= ((Number) r.get("count")).intValue()) break;
        }
        int missing = 0;
        for (Object id : acked) if (!present.contains(id)) missing++;
        eq(missing, 0, "every acknowledged write survived (" + acked.size() + " acknowledged, " + present.size() + " present)");
    }

    // =================================================================== pending across a restart

    static void pending(Path state) throws Exception {
        Res r = post(ADMIN, "/workspaces", m("name", "slow", "description", "provisioning across restart", "environmentType", "rstudio"));
        expect(r, 201, "create slow workspace");
        eq(r.str("status"), "pending", "pending");
        Files.writeString(state, r.str("id"));
    }

    static void verifyPending(Path state) throws Exception {
        String id = Files.readString(state).trim();
        Res r = get(ADMIN, "/workspaces/" + id);
        expect(r, 200, "pending workspace exists after restart");
        eq(r.str("status"), "pending", "still pending right after restart");
        eq(waitStatus(ADMIN, id, "running", 30000), "running", "provisioning resumes after restart");
    }
}
