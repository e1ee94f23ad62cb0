package strongly.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers for reading entity records back from their stored (journal) JSON form. */
final class Stored {
    private Stored() {}

    static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? null : v.toString();
    }

    static long lng(Map<String, Object> m, String k, long dflt) {
        Object v = m.get(k);
        return v instanceof Number ? ((Number) v).longValue() : dflt;
    }

    static double dbl(Map<String, Object> m, String k, double dflt) {
        Object v = m.get(k);
        return v instanceof Number ? ((Number) v).doubleValue() : dflt;
    }

    static boolean bool(Map<String, Object> m, String k) {
        return Boolean.TRUE.equals(m.get(k));
    }

    static List<String> strList(Map<String, Object> m, String k) {
        List<String> out = new ArrayList<>();
        Object v = m.get(k);
        if (v instanceof List) for (Object o : (List<?>) v) if (o != null) out.add(o.toString());
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> mapList(Map<String, Object> m, String k) {
        List<Map<String, Object>> out = new ArrayList<>();
        Object v = m.get(k);
        if (v instanceof List) for (Object o : (List<?>) v) if (o instanceof Map) out.add((Map<String, Object>) o);
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Map ? new LinkedHashMap<>((Map<String, Object>) v) : new LinkedHashMap<>();
    }
}
