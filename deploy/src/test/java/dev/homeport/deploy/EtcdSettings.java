package dev.homeport.deploy;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An etcd member's ETCD_* variables: its --initial-cluster, and which variables etcd knows (each names a flag). */
final class EtcdSettings {
    private static final Pattern FLAG = Pattern.compile("^\\s+--([a-z0-9-]+)", Pattern.MULTILINE);

    private EtcdSettings() {
    }

    /** {@code vps-1=https://10.0.0.1:2380,vps-2=...} as member name to peer URL, in order. */
    static Map<String, URI> initialCluster(String text) {
        Map<String, URI> members = new LinkedHashMap<>();
        for (String member : text.split(",")) {
            int eq = member.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("ETCD_INITIAL_CLUSTER: not NAME=URL: '" + member + "'");
            }
            if (members.put(member.substring(0, eq), URI.create(member.substring(eq + 1))) != null) {
                throw new IllegalArgumentException("ETCD_INITIAL_CLUSTER: " + member.substring(0, eq) + " twice");
            }
        }
        return members;
    }

    /** The ETCD_* names among {@code variables} that name no flag in {@code etcd --help} (ETCD_FOO_BAR is --foo-bar). */
    static Set<String> unknownTo(Set<String> variables) throws IOException, InterruptedException {
        Command help = Command.run(Map.of("PATH", System.getenv("PATH")), List.of("etcd", "--help"));
        Set<String> flags = new TreeSet<>();
        Matcher m = FLAG.matcher(help.output());
        while (m.find()) {
            flags.add(m.group(1));
        }
        if (flags.size() < 20) {
            throw new AssertionError("etcd --help lists no flags:\n" + help.output());
        }
        Set<String> unknown = new TreeSet<>();
        for (String v : variables) {
            if (!v.startsWith("ETCD_") || !flags.contains(v.substring(5).toLowerCase().replace('_', '-'))) {
                unknown.add(v);
            }
        }
        return unknown;
    }
}
