package strongly.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error answered to the client as {"error": code, "message": text, ...extra}. */
public final class ApiException extends RuntimeException {
    public final int status;
    public final String code;
    public final Map<String, Object> extra = new LinkedHashMap<>();

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public ApiException with(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "validation_error", message);
    }

    public static ApiException invalidField(String field, String message) {
        return new ApiException(400, "validation_error", message).with("field", field);
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(404, "not_found", what + " " + id + " not found");
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message);
    }
}
