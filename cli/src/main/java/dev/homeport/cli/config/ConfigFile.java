package dev.homeport.cli.config;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML config file read into nodes that remember where they were written, so that every error
 * can name its line and column. The top level is a mapping of keys; what the keys mean is the
 * business of {@link ConfigSchema} and of the sections a command reads itself (the client's tunnels).
 */
public final class ConfigFile {
    private final String name;
    private final Path path;
    private final Map<String, Entry> entries;

    /** One {@code key: value} pair, with both nodes for their marks. */
    public record Entry(String key, Node keyNode, Node value) {
    }

    private ConfigFile(String name, Path path, Map<String, Entry> entries) {
        this.name = name;
        this.path = path;
        this.entries = entries;
    }

    /** Reads {@code path}; {@link ConfigError} if it is missing, unreadable, not YAML or not a mapping. */
    public static ConfigFile load(Path path) {
        String name = path.toString();
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigError(name + ": no such config file; expected a YAML file (--config FILE or HOMEPORT_CONFIG)");
        } catch (IOException | RuntimeException e) {
            throw new ConfigError(name + ": cannot read the config file (" + e.getMessage() + "); expected a readable YAML file");
        }
        return parse(name, path, text);
    }

    /** Parses {@code text} as if read from a file called {@code name}. */
    public static ConfigFile parse(String name, Path path, String text) {
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(name).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().orElse(e.getContextMark().orElse(null));
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new ConfigError(place(name, mark) + "not valid YAML: " + problem);
        } catch (YamlEngineException e) {
            throw new ConfigError(name + ": not valid YAML: " + e.getMessage());
        }
        if (root.isEmpty() || isNull(root.get())) {
            return new ConfigFile(name, path, Map.of());
        }
        Node top = root.get();
        if (!(top instanceof MappingNode mapping)) {
            throw new ConfigError(place(name, top) + "the file must be a mapping of keys to values (key: value), got "
                    + kind(top));
        }
        ConfigFile file = new ConfigFile(name, path, Map.of());
        return new ConfigFile(name, path, Collections.unmodifiableMap(file.mapping(mapping)));
    }

    /** The entries of a mapping node, in file order; keys must be plain, unrepeated strings. */
    public Map<String, Entry> mapping(MappingNode node) {
        Map<String, Entry> result = new LinkedHashMap<>();
        for (NodeTuple t : node.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
                throw error(t.getKeyNode(), "a key must be a plain name, got " + kind(t.getKeyNode()));
            }
            String key = keyNode.getValue();
            Entry previous = result.get(key);
            if (previous != null) {
                throw error(keyNode, "'" + key + "' appears twice (first at line " + line(previous.keyNode()) + "); keep one");
            }
            result.put(key, new Entry(key, keyNode, t.getValueNode()));
        }
        return result;
    }

    /** The file as the user named it, for messages. */
    public String name() {
        return name;
    }

    /** Where relative paths in the file are resolved: the file's own directory. */
    public Path directory() {
        Path parent = path.toAbsolutePath().getParent();
        return parent != null ? parent : Path.of(".");
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    /** An error at {@code node}'s place: {@code FILE:LINE:COL: message}. */
    public ConfigError error(Node node, String message) {
        return new ConfigError(place(name, node) + message);
    }

    static String place(String name, Node node) {
        return place(name, node == null ? null : node.getStartMark().orElse(null));
    }

    private static String place(String name, Mark mark) {
        return mark == null ? name + ": " : name + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1) + ": ";
    }

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(org.snakeyaml.engine.v2.nodes.Tag.NULL);
    }

    /** A few words for what a node is, for "got ..." in messages. */
    public static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof org.snakeyaml.engine.v2.nodes.SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
}
