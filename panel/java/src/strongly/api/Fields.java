package strongly.api;

import strongly.http.ApiException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to a JSON request body with uniform 400 errors naming the field.
 * Unknown fields are ignored (see CHOICES.md).
 */
final class Fields {
    final Map<String, Object> m;

    Fields(Map<String, Object> m) { this.m = m; }

    boolean has(String k) { return m.containsKey(k); }

    boolean isNull(String k) { return m.containsKey(k) && m.get(k) == null; }

    /** A present, non-null, non-blank string (trimmed), at most max characters, no control characters. */
    String requiredString(String k, int max) {
        if (!m.containsKey(k) || m.get(k) == null) throw ApiException.invalidField(k, "'" + k + "' is required");
        return string(k, max);
    }

    /** Like requiredString, for a field known to be present. */
    String string(String k, int max) {
        Object v = m.get(k);
        if (v == null) throw ApiException.invalidField(k, "'" + k + "' must not be null");
        if (!(v instanceof String)) throw ApiException.invalidField(k, "'" + k + "' must be a string");
        String s = ((String) v).strip();
        if (s.isEmpty()) throw ApiException.invalidField(k, "'" + k + "' must not be empty");
        if (s.length() > max) throw ApiException.invalidField(k, "'" + k + "' must be at most " + max + " characters");
        checkText(k, s, false);
        return s;
    }

    /** Multi-line text allowed (descriptions). */
    String text(String k, int max) {
        Object v = m.get(k);
        if (v == null) throw ApiException.invalidField(k, "'" + k + "' must not be null");
        if (!(v instanceof String)) throw ApiException.invalidField(k, "'" + k + "' must be a string");
        String s = ((String) v).strip();
        if (s.isEmpty()) throw ApiException.invalidField(k, "'" + k + "' must not be empty");
        if (s.length() > max) throw ApiException.invalidField(k, "'" + k + "' must be at most " + max + " characters");
        checkText(k, s, true);
        return s;
    }

    /** An optional string that may be null or blank to clear it: returns null in that case. */
    String nullableString(String k, int max, boolean multiline) {
        Object v = m.get(k);
        if (v == null) return null;
        if (!(v instanceof String)) throw ApiException.invalidField(k, "'" + k + "' must be a string or null");
        String s = ((String) v).strip();
        if (s.isEmpty()) return null;
        if (s.length() > max) throw ApiException.invalidField(k, "'" + k + "' must be at most " + max + " characters");
        checkText(k, s, multiline);
        return s;
    }

    String oneOf(String k, Set<String> allowed) {
        Object v = m.get(k);
        if (!(v instanceof String) || !allowed.contains(((String) v).strip().toLowerCase())) {
            throw ApiException.invalidField(k, "'" + k + "' must be one of " + String.join(", ", sorted(allowed)));
        }
        return ((String) v).strip().toLowerCase();
    }

    /** A list of distinct, non-blank strings. */
    List<String> stringList(String k, int maxItems, int maxLen) {
        Object v = m.get(k);
        if (v == null) return new ArrayList<>();
        if (!(v instanceof List)) throw ApiException.invalidField(k, "'" + k + "' must be an array of strings");
        Set<String> out = new LinkedHashSet<>();
        for (Object o : (List<?>) v) {
            if (!(o instanceof String)) throw ApiException.invalidField(k, "'" + k + "' must contain only strings");
            String s = ((String) o).strip();
            if (s.isEmpty()) throw ApiException.invalidField(k, "'" + k + "' must not contain empty strings");
            if (s.length() > maxLen) {
                throw ApiException.invalidField(k, "each entry of '" + k + "' must be at most " + maxLen + " characters");
            }
            checkText(k, s, false);
            out.add(s);
        }
        if (out.size() > maxItems) throw ApiException.invalidField(k, "'" + k + "' may hold at most " + maxItems + " entries");
        return new ArrayList<>(out);
    }

    double number(String k) {
        Object v = m.get(k);
        if (!(v instanceof Number)) throw ApiException.invalidField(k, "'" + k + "' must be a number");
        double d = ((Number) v).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) throw ApiException.invalidField(k, "'" + k + "' must be finite");
        return d;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(String k) {
        Object v = m.get(k);
        if (!(v instanceof Map)) throw ApiException.invalidField(k, "'" + k + "' must be an object");
        return (Map<String, Object>) v;
    }

    static void checkText(String k, String s, boolean multiline) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (multiline && (c == '\n' || c == '\r' || c == '\t')) continue;
                throw ApiException.invalidField(k, "'" + k + "' must not contain control characters");
            }
        }
    }

    static List<String> sorted(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        java.util.Collections.sort(l);
        return l;
    }
}
