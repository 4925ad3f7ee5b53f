package dev.homeport.registry.etcd;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text form of the registry's values: one {@code field=value} per line, values URL-encoded, so
 * {@code etcdctl get} shows them readably and a field added later does not break an older relay.
 */
final class FieldText {
    private FieldText() {
    }

    static String write(Map<String, String> fields) {
        StringBuilder s = new StringBuilder();
        fields.forEach((k, v) -> s.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('\n'));
        return s.toString();
    }

    static Map<String, String> read(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), URLDecoder.decode(line.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    static String need(Map<String, String> fields, String name, String what) {
        String v = fields.get(name);
        if (v == null) {
            throw new IllegalArgumentException(what + " has no field " + name + ": " + fields);
        }
        return v;
    }
}
