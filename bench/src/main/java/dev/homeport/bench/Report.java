package dev.homeport.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One measurement's result: a sentence for people and a JSON object on one line for scripts
 * ({@code grep '^{'}). Field names are snake_case; times in the JSON are microseconds or seconds
 * as their suffix says; MB is 10^6 bytes.
 */
final class Report {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    Report(String test) {
        fields.put("test", test);
    }

    Report put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    /** Adds p50/p90/p99/p999/max/mean in microseconds under {@code prefix}, from a histogram of nanoseconds. */
    Report putLatency(String prefix, Histogram nanos) {
        put(prefix + "count", nanos.getTotalCount());
        put(prefix + "p50_us", micros(nanos.getValueAtPercentile(50)));
        put(prefix + "p90_us", micros(nanos.getValueAtPercentile(90)));
        put(prefix + "p99_us", micros(nanos.getValueAtPercentile(99)));
        put(prefix + "p999_us", micros(nanos.getValueAtPercentile(99.9)));
        put(prefix + "max_us", micros(nanos.getMaxValue()));
        put(prefix + "mean_us", round(nanos.getMean() / 1000.0, 1));
        return this;
    }

    void print(String sentence, PrintStream out) {
        out.println(sentence);
        out.println(json());
        out.flush();
    }

    String json() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(sb, e.getKey());
            sb.append(':');
            Object v = e.getValue();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Double d) {
                sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "null");
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                quote(sb, v.toString());
            }
        }
        return sb.append('}').toString();
    }

    static double micros(long nanos) {
        return round(nanos / 1000.0, 1);
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    static String latencySentence(Histogram nanos) {
        return String.format(Locale.ROOT, "p50=%.1fus p90=%.1fus p99=%.1fus max=%.1fus",
                micros(nanos.getValueAtPercentile(50)), micros(nanos.getValueAtPercentile(90)),
                micros(nanos.getValueAtPercentile(99)), micros(nanos.getMaxValue()));
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
