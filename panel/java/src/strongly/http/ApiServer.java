package strongly.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import strongly.auth.Directory;
import strongly.auth.User;
import strongly.json.Json;
import strongly.store.StorageException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP front end on com.sun.net.httpserver: routing, authentication, scope checks, body limits,
 * and turning every outcome (including unexpected exceptions) into a JSON response.
 *
 * Order of checks: path under /api/v1 (else 404) -> API key (401) -> route (404) -> method (405)
 * -> scope (403) -> handler (400/404/409 ...).
 */
public final class ApiServer {
    public static final String PREFIX = "/api/v1";
    public static final int MAX_BODY = 1 << 20; // 1 MiB

    private static final class Route {
        final String[] segs;
        final Map<String, Object[]> methods = new LinkedHashMap<>(); // method -> {scope, handler}

        Route(String pattern) { this.segs = split(pattern); }

        Map<String, String> match(String[] path) {
            if (path.length != segs.length) return null;
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < segs.length; i++) {
                String s = segs[i];
                if (s.startsWith("{") && s.endsWith("}")) {
                    if (path[i].isEmpty()) return null;
                    params.put(s.substring(1, s.length() - 1), path[i]);
                } else if (!s.equals(path[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    private final List<Route> routes = new ArrayList<>();
    private HttpServer server;
    private ExecutorService pool;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    /** Registers a route; the pattern is relative to /api/v1 and may contain {params}. */
    public void route(String method, String pattern, String scope, Handler h) {
        Route r = null;
        for (Route x : routes) if (String.join("/", x.segs).equals(String.join("/", split(pattern)))) r = x;
        if (r == null) {
            r = new Route(pattern);
            routes.add(r);
        }
        r.methods.put(method, new Object[]{scope, h});
    }

    private static String[] split(String path) {
        String p = path;
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    public void start(String host, int port, int threads) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 1024);
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::dispatch);
        server.start();
    }

    /**
     * Graceful stop: new requests are answered 503, requests already being handled are given up to
     * graceMillis to finish and send their answer, then the listener and pool are shut down.
     */
    public void stop(long graceMillis) {
        draining = true;
        long deadline = System.currentTimeMillis() + graceMillis;
        while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (server != null) server.stop(0);
        if (pool != null) pool.shutdownNow();
    }

    private void dispatch(HttpExchange ex) {
        inFlight.incrementAndGet();
        try {
            dispatchCounted(ex);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void dispatchCounted(HttpExchange ex) {
        Response resp;
        try {
            if (draining) {
                throw new ApiException(503, "shutting_down", "the server is shutting down; retry shortly");
            }
            resp = handle(ex);
        } catch (ApiException e) {
            resp = error(e);
        } catch (IOException e) {
            resp = error(new ApiException(400, "invalid_body", "the request body could not be read"));
        } catch (StorageException e) {
            System.err.println("storage error: " + e.getMessage());
            resp = error(new ApiException(503, "storage_unavailable",
                    "the change could not be saved and was not applied; retry later"));
        } catch (Throwable t) {
            System.err.println("unexpected error on " + ex.getRequestMethod() + " " + ex.getRequestURI());
            t.printStackTrace();
            resp = error(new ApiException(500, "internal_error", "an unexpected error occurred"));
        }
        send(ex, resp);
    }

    private Response handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod().toUpperCase();
        String rawPath = ex.getRequestURI().getRawPath();
        if (rawPath == null) rawPath = "/";
        if (!(rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/"))) {
            throw new ApiException(404, "not_found", "no such endpoint; the API is served under " + PREFIX);
        }

        // Authenticate.
        String key = ex.getRequestHeaders().getFirst("X-API-Key");
        if (key == null || key.isBlank()) {
            throw new ApiException(401, "unauthorized", "missing X-API-Key header");
        }
        User user = Directory.byKey(key.trim());
        if (user == null) throw new ApiException(401, "unauthorized", "invalid API key");

        // Route.
        String[] segs = split(rawPath.substring(PREFIX.length()));
        String[] decoded = new String[segs.length];
        for (int i = 0; i < segs.length; i++) decoded[i] = decode(segs[i], "path");
        Route route = null;
        Map<String, String> params = null;
        for (Route r : routes) {
            params = r.match(decoded);
            if (params != null) { route = r; break; }
        }
        if (route == null) throw new ApiException(404, "not_found", "no such endpoint: " + method + " " + rawPath);
        Object[] target = route.methods.get(method);
        if (target == null) {
            ApiException e = new ApiException(405, "method_not_allowed",
                    "method " + method + " is not allowed here; allowed: " + String.join(", ", route.methods.keySet()));
            e.with("allowed", new ArrayList<>(route.methods.keySet()));
            throw e;
        }
        String scope = (String) target[0];
        if (scope != null && !user.has(scope)) {
            throw new ApiException(403, "insufficient_scope", "this API key lacks the required scope " + scope)
                    .with("requiredScope", scope);
        }

        Map<String, String> query = parseQuery(ex.getRequestURI().getRawQuery());
        byte[] body = readBody(ex);
        Request req = new Request(method, rawPath, user, query, Collections.unmodifiableMap(params), body);
        return ((Handler) target[1]).handle(req);
    }

    /**
     * Reads the body (at most MAX_BODY bytes). An oversized body is read and discarded up to DRAIN_LIMIT
     * before the 413 is sent, so that the client has finished sending and reliably sees the answer;
     * the connection is then closed.
     */
    private static byte[] readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                byte[] sink = new byte[64 * 1024];
                long drained = b.length;
                int n;
                while (drained < DRAIN_LIMIT && (n = in.read(sink)) > 0) drained += n;
                throw tooLarge();
            }
            return b;
        }
    }

    private static final long DRAIN_LIMIT = 32L << 20; // 32 MiB

    private static ApiException tooLarge() {
        return new ApiException(413, "payload_too_large", "request body exceeds " + MAX_BODY + " bytes");
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return q;
        for (String part : raw.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String k = decode(eq < 0 ? part : part.substring(0, eq), "query");
            String v = eq < 0 ? "" : decode(part.substring(eq + 1), "query");
            q.putIfAbsent(k, v); // the first occurrence of a repeated parameter wins
        }
        return q;
    }

    private static String decode(String s, String where) {
        try {
            return URLDecoder.decode(s.replace("+", "path".equals(where) ? "%2B" : "+"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "validation_error", "malformed percent-encoding in the " + where);
        }
    }

    private static Response error(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.code);
        body.put("message", e.getMessage());
        body.putAll(e.extra);
        Response r = new Response(e.status, body);
        if (e.status == 405 && e.extra.get("allowed") instanceof List) {
            r.headers.put("Allow", String.join(", ", castList(e.extra.get("allowed"))));
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) { return (List<String>) o; }

    private static void send(HttpExchange ex, Response resp) {
        try {
            // Unread request body is drained (or the connection closed) by HttpExchange.close().
            Headers h = ex.getResponseHeaders();
            if (resp.status == 413) h.set("Connection", "close");
            h.set("Cache-Control", "no-store");
            for (Map.Entry<String, String> e : resp.headers.entrySet()) h.set(e.getKey(), e.getValue());
            if (resp.body == null || resp.status == 204) {
                ex.sendResponseHeaders(resp.status, -1);
            } else {
                byte[] bytes = Json.write(resp.body).getBytes(StandardCharsets.UTF_8);
                h.set("Content-Type", "application/json; charset=utf-8");
                if ("HEAD".equalsIgnoreCase(ex.getRequestMethod())) {
                    ex.sendResponseHeaders(resp.status, -1);
                } else {
                    ex.sendResponseHeaders(resp.status, bytes.length);
                    try (OutputStream os = ex.getResponseBody()) {
                        os.write(bytes);
                    }
                }
            }
        } catch (IOException e) {
            // client went away; nothing more to do
        } finally {
            ex.close();
        }
    }
}
