package dev.homeport.client.cli;

import dev.homeport.cli.config.ConfigFile;
import dev.homeport.cli.config.ConfigSchema;
import dev.homeport.client.TunnelAccess;
import dev.homeport.client.TunnelSpec;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The client file's {@code tunnels:} list, each item {@code {type: tcp|http|tls, local_port, ...}}. An item's
 * keys are those of the {@code homeport tcp}, {@code homeport http} or {@code homeport tls} command (its LOCAL_PORT and its own
 * options, plus {@code local_host}), derived from them so the file and the flags cannot drift.
 */
final class TunnelsSection {
    static final String KEY = "tunnels";
    private static final String TYPE = "type";
    private static final String LOCAL_HOST = "local_host";

    private final Map<String, ConfigSchema> byType = new LinkedHashMap<>();

    private TunnelsSection(CommandLine root) {
        Set<String> shared = ConfigSchema.of(root.getSubcommands().get("start").getCommandSpec().options()).keys();
        for (String type : List.of("tcp", "http", "tls")) {
            CommandSpec command = root.getSubcommands().get(type).getCommandSpec();
            List<ArgSpec> own = new ArrayList<>();
            for (ArgSpec a : command.args()) {
                String key = ConfigSchema.key(a);
                if (!shared.contains(key) || key.equals(LOCAL_HOST)) {
                    own.add(a);
                }
            }
            byType.put(type, ConfigSchema.of(own));
        }
    }

    static TunnelsSection of(CommandLine root) {
        return new TunnelsSection(root);
    }

    /** Checks the section and returns its tunnels; {@code localHost} is the default of items without local_host. */
    List<TunnelSpec> read(ConfigFile file, ConfigFile.Entry entry, String localHost) {
        if (!(entry.value() instanceof SequenceNode list) || list.getValue().isEmpty()) {
            throw file.error(entry.value(), "'" + KEY + "' must be a list of tunnels, each '- type: tcp', 'http' or 'tls' "
                    + "with local_port and the tunnel's options, got " + ConfigFile.kind(entry.value()));
        }
        List<TunnelSpec> tunnels = new ArrayList<>();
        Map<String, Node> names = new HashMap<>();
        for (Node item : list.getValue()) {
            TunnelSpec t = tunnel(file, item, localHost);
            Node previous = names.putIfAbsent(t.name(), item);
            if (previous != null) {
                throw file.error(item, "a second tunnel named '" + t.name() + "' (first at line "
                        + previous.getStartMark().map(m -> m.getLine() + 1).orElse(0) + "); give each tunnel its own name");
            }
            tunnels.add(t);
        }
        return tunnels;
    }

    private TunnelSpec tunnel(ConfigFile file, Node item, String defaultLocalHost) {
        if (!(item instanceof MappingNode mapping)) {
            throw file.error(item, "a tunnel must be a mapping such as '{type: tcp, local_port: 8888}', got " + ConfigFile.kind(item));
        }
        Map<String, ConfigFile.Entry> entries = file.mapping(mapping);
        ConfigFile.Entry typeEntry = entries.get(TYPE);
        if (typeEntry == null) {
            throw file.error(item, "a tunnel needs 'type': one of " + String.join(", ", byType.keySet()));
        }
        String type = typeEntry.value() instanceof ScalarNode s ? s.getValue() : "";
        ConfigSchema schema = byType.get(type);
        if (schema == null) {
            throw file.error(typeEntry.value(), "'type' must be one of " + String.join(", ", byType.keySet())
                    + ", got " + ConfigFile.kind(typeEntry.value()));
        }
        for (ConfigFile.Entry e : entries.values()) {
            if (!e.key().equals(TYPE) && !schema.keys().contains(e.key()) && otherTypeHas(type, e.key())) {
                Set<String> keys = new TreeSet<>(schema.keys());
                keys.add(TYPE);
                throw file.error(e.keyNode(), "'" + e.key() + "' is not a setting of a " + type + " tunnel; expected one of: "
                        + String.join(", ", keys));
            }
        }
        Map<String, String> values = schema.read(file, entries, Set.of(TYPE));
        String port = values.get("local_port");
        if (port == null) {
            throw file.error(item, "a " + type + " tunnel needs 'local_port', the port of the local service");
        }
        int localPort = Integer.parseInt(port);
        String localHost = values.getOrDefault(LOCAL_HOST, defaultLocalHost);
        String name = values.getOrDefault("name", type + "-" + localPort);
        // Every access key the command has is applied here: a key read but dropped would open a tunnel
        // the user meant to protect.
        List<String> allow = values.containsKey("allow_cidr")
                ? Arrays.stream(values.get("allow_cidr").split(",")).map(String::trim).filter(c -> !c.isEmpty()).toList()
                : List.of();
        try {
            return switch (type) {
                case "http" -> TunnelSpec.http(name, localHost, localPort, values.get("hostname"))
                        .withAccess(new TunnelAccess(Boolean.parseBoolean(values.getOrDefault("https_only", "true")),
                                values.getOrDefault("basic_auth", ""), allow));
                case "tls" -> TunnelSpec.tls(name, localHost, localPort, values.get("hostname"))
                        .withAccess(new TunnelAccess(false, "", allow)).withProxyProtocol(proxyProtocol(values));
                default -> new TunnelSpec(name, localHost, localPort, Integer.parseInt(values.getOrDefault("remote_port", "0")))
                        .withAccess(new TunnelAccess(false, "", allow)).withProxyProtocol(proxyProtocol(values));
            };
        } catch (IllegalArgumentException e) {
            throw file.error(item, "this " + type + " tunnel is not valid: " + e.getMessage());
        }
    }

    private static boolean proxyProtocol(Map<String, String> values) {
        return Boolean.parseBoolean(values.getOrDefault("proxy_protocol", "false"));
    }

    private boolean otherTypeHas(String type, String key) {
        Set<String> others = new HashSet<>();
        byType.forEach((t, s) -> {
            if (!t.equals(type)) {
                others.addAll(s.keys());
            }
        });
        return others.contains(key);
    }
}
