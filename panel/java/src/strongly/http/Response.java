package strongly.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** A handler's answer: status, JSON body (null for none) and extra headers. */
public final class Response {
    public final int status;
    public final Object body;
    public final Map<String, String> headers = new LinkedHashMap<>();

    public Response(int status, Object body) {
        this.status = status;
        this.body = body;
    }

    public static Response ok(Object body) { return new Response(200, body); }

    public static Response created(Object body, String location) {
        Response r = new Response(201, body);
        r.headers.put("Location", location);
        return r;
    }

    public static Response noContent() { return new Response(204, null); }
}
