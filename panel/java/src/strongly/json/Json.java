package strongly.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) reader and writer.
 *
 * Reading: objects become {@code LinkedHashMap<String,Object>} (key order kept), arrays
 * {@code ArrayList<Object>}, strings {@code String}, integers {@code Long} (or {@code Double}
 * when they do not fit), other numbers {@code Double}, booleans {@code Boolean}, null {@code null}.
 * Duplicate keys, trailing commas, comments, leading zeros, NaN/Infinity, unescaped control
 * characters and trailing garbage are rejected. Nesting is limited to {@link #MAX_DEPTH}.
 *
 * Writing accepts the same types (plus Integer/other Numbers) and never emits NaN/Infinity.
 */
public final class Json {
    public static final int MAX_DEPTH = 64;

    private Json() {}

    /** Thrown for any malformed input; the message says where and why. */
    public static final class JsonException extends Exception {
        public JsonException(String message) { super(message); }
    }

    // ------------------------------------------------------------------ reading

    public static Object parse(String text) throws JsonException {
        Parser p = new Parser(text);
        p.skipWs();
        Object v = p.readValue(0);
        p.skipWs();
        if (p.pos != text.length()) throw p.error("unexpected trailing characters");
        return v;
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) { this.s = s; }

        JsonException error(String why) {
            return new JsonException("invalid JSON at character " + pos + ": " + why);
        }

        void skipWs() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++; else break;
            }
        }

        Object readValue(int depth) throws JsonException {
            if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
            if (pos >= s.length()) throw error("unexpected end of input");
            char c = s.charAt(pos);
            switch (c) {
                case '{': return readObject(depth);
                case '[': return readArray(depth);
                case '"': return readString();
                case 't': expectWord("true"); return Boolean.TRUE;
                case 'f': expectWord("false"); return Boolean.FALSE;
                case 'n': expectWord("null"); return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return readNumber();
                    throw error("unexpected character '" + printable(c) + "'");
            }
        }

        void expectWord(String w) throws JsonException {
            if (!s.startsWith(w, pos)) throw error("unexpected token");
            pos += w.length();
        }

        Map<String, Object> readObject(int depth) throws JsonException {
            pos++; // {
            Map<String, Object> m = new LinkedHashMap<>();
            skipWs();
            if (pos < s.length() && s.charAt(pos) == '}') { pos++; return m; }
            while (true) {
                skipWs();
                if (pos >= s.length() || s.charAt(pos) != '"') throw error("expected a string key");
                String key = readString();
                if (m.containsKey(key)) throw error("duplicate key \"" + key + "\"");
                skipWs();
                if (pos >= s.length() || s.charAt(pos) != ':') throw error("expected ':'");
                pos++;
                skipWs();
                m.put(key, readValue(depth + 1));
                skipWs();
                if (pos >= s.length()) throw error("unexpected end of input in object");
                char c = s.charAt(pos);
                if (c == ',') { pos++; continue; }
                if (c == '}') { pos++; return m; }
                throw error("expected ',' or '}'");
            }
        }

        List<Object> readArray(int depth) throws JsonException {
            pos++; // [
            List<Object> l = new ArrayList<>();
            skipWs();
            if (pos < s.length() && s.charAt(pos) == ']') { pos++; return l; }
            while (true) {
                skipWs();
                l.add(readValue(depth + 1));
                skipWs();
                if (pos >= s.length()) throw error("unexpected end of input in array");
                char c = s.charAt(pos);
                if (c == ',') { pos++; continue; }
                if (c == ']') { pos++; return l; }
                throw error("expected ',' or ']'");
            }
        }

        String readString() throws JsonException {
            pos++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos++);
                if (c == '"') return checkSurrogates(sb);
                if (c < 0x20) throw error("unescaped control character in string");
                if (c != '\\') { sb.append(c); continue; }
                if (pos >= s.length()) throw error("unterminated escape");
                char e = s.charAt(pos++);
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.length()) throw error("truncated \\u escape");
                        int cp = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(pos + i), 16);
                            if (d < 0) throw error("bad hex digit in \\u escape");
                            cp = cp * 16 + d;
                        }
                        pos += 4;
                        sb.append((char) cp);
                        break;
                    default:
                        throw error("invalid escape '\\" + printable(e) + "'");
                }
            }
        }

        /** Rejects unpaired UTF-16 surrogates (from \\u escapes), which cannot be encoded as UTF-8. */
        String checkSurrogates(StringBuilder sb) throws JsonException {
            for (int i = 0; i < sb.length(); i++) {
                char c = sb.charAt(i);
                if (Character.isHighSurrogate(c)) {
                    if (i + 1 < sb.length() && Character.isLowSurrogate(sb.charAt(i + 1))) { i++; continue; }
                    throw error("unpaired UTF-16 surrogate in string");
                }
                if (Character.isLowSurrogate(c)) throw error("unpaired UTF-16 surrogate in string");
            }
            return sb.toString();
        }

        Object readNumber() throws JsonException {
            int start = pos;
            if (s.charAt(pos) == '-') pos++;
            if (pos >= s.length()) throw error("truncated number");
            char c = s.charAt(pos);
            if (c == '0') {
                pos++;
                if (pos < s.length() && Character.isDigit(s.charAt(pos))) throw error("leading zero in number");
            } else if (c >= '1' && c <= '9') {
                while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
            } else {
                throw error("invalid number");
            }
            boolean integral = true;
            if (pos < s.length() && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                int ds = pos;
                while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
                if (pos == ds) throw error("digit expected after '.'");
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
                int ds = pos;
                while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
                if (pos == ds) throw error("digit expected in exponent");
            }
            String num = s.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(num);
                } catch (NumberFormatException ignored) {
                    // too large for a long: fall through to double
                }
            }
            double d;
            try {
                d = new BigDecimal(num).doubleValue();
            } catch (NumberFormatException | ArithmeticException ex) {
                throw error("invalid number");
            }
            if (Double.isInfinite(d) || Double.isNaN(d)) throw error("number out of range");
            return d;
        }

        static boolean isDigit(char c) { return c >= '0' && c <= '9'; }
    }

    private static String printable(char c) {
        return (c < 0x20 || c > 0x7e) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    // ------------------------------------------------------------------ writing

    public static String write(Object v) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, v);
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    public static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            writeString(sb, (String) v);
        } else if (v instanceof Boolean) {
            sb.append(((Boolean) v) ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) sb.append("null");
            else sb.append(Double.toString(d));
        } else if (v instanceof Number) {
            sb.append(v.toString());
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                if (!first) sb.append(',');
                first = false;
                writeString(sb, e.getKey());
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Iterable) {
            sb.append('[');
            boolean first = true;
            for (Object o : (Iterable<Object>) v) {
                if (!first) sb.append(',');
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else {
            writeString(sb, v.toString());
        }
    }

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    // ------------------------------------------------------------------ helpers

    /** Builds an ordered map from alternating key/value arguments. */
    public static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
