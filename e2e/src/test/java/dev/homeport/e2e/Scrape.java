package dev.homeport.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One read of the relay's Prometheus page, parsed into samples (text format 0.0.4: {@code name{k="v",...} value}). */
record Scrape(List<Sample> samples) {
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Scrape of(int adminPort) throws Exception {
        return of("127.0.0.1", adminPort);
    }

    /** The admin port of a relay listening on another loopback address. */
    static Scrape of(String host, int adminPort) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + adminPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("/metrics answered " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new Scrape(samples);
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels} (k1, v1, k2, v2...); NaN if none. */
    double value(String name, String... labels) {
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name) && has(s, labels)).toList();
        if (found.size() > 1) {
            throw new IllegalStateException(found.size() + " samples of " + name + " match " + List.of(labels) + ": " + found);
        }
        return found.isEmpty() ? Double.NaN : found.get(0).value();
    }

    boolean has(String name, String... labels) {
        return samples.stream().anyMatch(s -> s.name().equals(name) && has(s, labels));
    }

    private static boolean has(Sample s, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                return false;
            }
        }
        return true;
    }
}
