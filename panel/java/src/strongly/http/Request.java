package strongly.http;

import strongly.auth.User;
import strongly.json.Json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A parsed, authenticated request as seen by a route handler. */
public final class Request {
    public final String method;
    public final String path;
    public final User user;
    public final Map<String, String> query;
    public final Map<String, String> params;
    private final byte[] body;

    Request(String method, String path, User user, Map<String, String> query, Map<String, String> params, byte[] body) {
        this.method = method;
        this.path = path;
        this.user = user;
        this.query = query;
        this.params = params;
        this.body = body;
    }

    public String param(String name) { return params.get(name); }

    public boolean hasBody() {
        for (byte b : body) if (b != ' ' && b != '\t' && b != '\r' && b != '\n') return true;
        return false;
    }

    /** The body as a JSON object. Missing body is an error when required, else an empty object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> jsonObject(boolean required) {
        if (!hasBody()) {
            if (required) throw new ApiException(400, "invalid_body", "a JSON object request body is required");
            return new java.util.LinkedHashMap<>();
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "invalid_body", "request body is not valid UTF-8");
        }
        Object v;
        try {
            v = Json.parse(text);
        } catch (Json.JsonException e) {
            throw new ApiException(400, "invalid_json", e.getMessage());
        }
        if (!(v instanceof Map)) throw new ApiException(400, "invalid_body", "request body must be a JSON object");
        return (Map<String, Object>) v;
    }
}
