package dev.homeport.cli.config;

import dev.homeport.protocol.SettingValues;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys a config file may hold, derived from command-line options so the two cannot drift:
 * {@code --remote-port} is {@code remote_port}, the positional {@code LOCAL_PORT} is {@code local_port}.
 * Reading a file checks each value against its option's type and form (whole number, true/false,
 * DURATION, SIZE, one of a set) and returns the values as option strings, ready for picocli.
 *
 * <p>Any text option {@code X} may instead be given as {@code X_file: PATH} (the file's contents, trimmed),
 * and a text value may use {@code ${env:NAME}}: secrets stay out of the file.
 */
public final class ConfigSchema {
    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
    static final String FILE_SUFFIX = "_file";

    private final Map<String, ArgSpec> args;

    private ConfigSchema(Map<String, ArgSpec> args) {
        this.args = args;
    }

    /** A schema of the given options and positional parameters, minus help, version and --config itself. */
    public static ConfigSchema of(Collection<? extends ArgSpec> specs) {
        Map<String, ArgSpec> args = new LinkedHashMap<>();
        for (ArgSpec a : specs) {
            if (a instanceof OptionSpec o && (o.usageHelp() || o.versionHelp() || o.longestName().equals(ConfigOption.NAME))) {
                continue;
            }
            args.putIfAbsent(key(a), a);
        }
        return new ConfigSchema(args);
    }

    /** The key of an option or positional parameter. */
    public static String key(ArgSpec a) {
        String name = a instanceof OptionSpec o ? o.longestName().replaceFirst("^-+", "") : ((PositionalParamSpec) a).paramLabel();
        return name.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    public Set<String> keys() {
        return args.keySet();
    }

    public ArgSpec arg(String key) {
        return args.get(key);
    }

    /**
     * Checks every entry of {@code entries}: a known key with a value of the right form, or one of
     * {@code sections} (which the caller reads itself). Returns key to option string.
     */
    public Map<String, String> read(ConfigFile file, Map<String, ConfigFile.Entry> entries, Collection<String> sections) {
        Map<String, String> values = new LinkedHashMap<>();
        for (ConfigFile.Entry e : entries.values()) {
            String key = e.key();
            if (sections.contains(key)) {
                continue;
            }
            ArgSpec arg = args.get(key);
            if (arg != null) {
                if (values.containsKey(key)) {
                    throw file.error(e.keyNode(), "'" + key + "' is also given as " + key + FILE_SUFFIX + "; keep one");
                }
                values.put(key, value(file, e, arg));
                continue;
            }
            if (key.endsWith(FILE_SUFFIX)) {
                String base = key.substring(0, key.length() - FILE_SUFFIX.length());
                ArgSpec target = args.get(base);
                if (target != null && isText(target)) {
                    if (values.containsKey(base)) {
                        throw file.error(e.keyNode(), "'" + key + "' and '" + base + "' both set " + base + "; keep one");
                    }
                    values.put(base, fromFile(file, e, base));
                    continue;
                }
            }
            throw unknownKey(file, e, sections);
        }
        return values;
    }

    private ConfigError unknownKey(ConfigFile file, ConfigFile.Entry e, Collection<String> sections) {
        List<String> known = new ArrayList<>(args.keySet());
        known.addAll(sections);
        for (Map.Entry<String, ArgSpec> a : args.entrySet()) {
            if (isText(a.getValue())) {
                known.add(a.getKey() + FILE_SUFFIX);
            }
        }
        String suggestion = Suggestions.closest(e.key(), known);
        return file.error(e.keyNode(), "unknown key '" + e.key() + "'"
                + (suggestion != null ? "; did you mean '" + suggestion + "'?" : "; expected one of: " + String.join(", ", new TreeSet<>(known))));
    }

    /** The option string for one entry, checked against the option's type and form. */
    public String value(ConfigFile file, ConfigFile.Entry e, ArgSpec arg) {
        Node node = e.value();
        String key = e.key();
        if (ConfigFile.isNull(node)) {
            throw file.error(e.keyNode(), "'" + key + "' has no value; expected " + expected(arg) + " (or leave the key out)");
        }
        Class<?> type = arg.type();
        if (arg.isMultiValue()) {
            List<String> items = new ArrayList<>();
            if (node instanceof SequenceNode seq) {
                for (Node item : seq.getValue()) {
                    items.add(text(file, key, item, arg));
                }
            } else {
                items.add(text(file, key, node, arg));
            }
            return String.join(",", items);
        }
        if (type == boolean.class || type == Boolean.class) {
            if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
                return s.getValue().toLowerCase(Locale.ROOT);
            }
            throw file.error(node, "'" + key + "' must be true or false, got " + ConfigFile.kind(node));
        }
        String text = text(file, key, node, arg);
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            try {
                long n = Long.parseLong(text.trim());
                if ((type == int.class || type == Integer.class) && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException ex) {
                throw file.error(node, "'" + key + "' must be a whole number, got " + ConfigFile.kind(node));
            }
        } else if (type.isEnum()) {
            List<String> allowed = new ArrayList<>();
            for (Object c : type.getEnumConstants()) {
                allowed.add(c.toString().toLowerCase(Locale.ROOT));
            }
            if (!allowed.contains(text.toLowerCase(Locale.ROOT))) {
                throw file.error(node, "'" + key + "' must be one of " + String.join(", ", allowed) + ", got " + ConfigFile.kind(node));
            }
        } else if ("DURATION".equals(arg.paramLabel())) {
            try {
                SettingValues.duration(text);
            } catch (IllegalArgumentException ex) {
                throw file.error(node, "bad duration for '" + key + "': " + ex.getMessage());
            }
        } else if ("SIZE".equals(arg.paramLabel())) {
            try {
                SettingValues.bytes(text);
            } catch (IllegalArgumentException ex) {
                throw file.error(node, "bad size for '" + key + "': " + ex.getMessage());
            }
        }
        if (type == Path.class) {
            // Relative paths in the file are relative to the file, not to wherever the command runs.
            return file.directory().resolve(text).toString();
        }
        return text;
    }

    /** A single scalar's text, with {@code ${env:NAME}} replaced. */
    private String text(ConfigFile file, String key, Node node, ArgSpec arg) {
        if (!(node instanceof ScalarNode s) || ConfigFile.isNull(node)) {
            throw file.error(node, "'" + key + "' must be " + expected(arg) + ", got " + ConfigFile.kind(node));
        }
        Matcher m = ENV.matcher(s.getValue());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = System.getenv(m.group(1));
            if (value == null) {
                throw file.error(node, "environment variable " + m.group(1) + " (for '" + key + "') is not set; "
                        + "expected it to hold the value");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String fromFile(ConfigFile file, ConfigFile.Entry e, String base) {
        String where = text(file, e.key(), e.value(), args.get(base));
        Path path = file.directory().resolve(where);
        try {
            String content = Files.readString(path, StandardCharsets.UTF_8).strip();
            if (content.isEmpty()) {
                throw file.error(e.value(), "'" + e.key() + "': " + path + " is empty; expected it to hold the " + base);
            }
            return content;
        } catch (NoSuchFileException ex) {
            throw file.error(e.value(), "'" + e.key() + "': no such file " + path + "; expected a file holding the " + base);
        } catch (IOException ex) {
            throw file.error(e.value(), "'" + e.key() + "': cannot read " + path + " (" + ex.getMessage()
                    + "); expected a readable file holding the " + base);
        }
    }

    private static boolean isText(ArgSpec a) {
        return a.type() == String.class && !a.isMultiValue();
    }

    private static String expected(ArgSpec arg) {
        Class<?> t = arg.type();
        if (arg.isMultiValue()) {
            return "a list of " + arg.paramLabel();
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "a whole number";
        }
        return "a single value (" + arg.paramLabel() + ")";
    }
}
