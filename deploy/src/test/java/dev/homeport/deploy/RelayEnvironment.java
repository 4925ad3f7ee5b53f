package dev.homeport.deploy;

import dev.homeport.protocol.SettingValues;
import dev.homeport.server.PortRange;
import dev.homeport.server.cli.HomeportServerCommand;
import dev.homeport.server.cluster.RegistryOptions;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HOMEPORT_* variables read as homeport-server reads them: picocli takes each option's default from its
 * {@code ${env:HOMEPORT_...}}, here from the given map instead of the process's environment, and converts it
 * to the option's type (a boolean, a number), so a misspelt name or value fails here as the relay would
 * fail at start. The values the relay keeps as text and parses later (durations, sizes, HOST:PORT, port
 * ranges, etcd URLs, relay ids) are parsed by the relay's own parsers, chosen by the option's label.
 */
final class RelayEnvironment {
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(HOMEPORT_[A-Z_]+)");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})");
    /** PeerOptions' rule for --relay-id. */
    private static final Pattern RELAY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private RelayEnvironment() {
    }

    /**
     * Parses {@code env} into homeport-server's options and returns each variable's option name, e.g.
     * HOMEPORT_ETCD to --etcd; throws IllegalArgumentException (or picocli's ParameterException) naming the
     * variable whose name or value the relay would refuse.
     */
    static Map<String, String> check(Map<String, String> env) {
        // Read uninterpolated, an option's default names its variable: ${env:HOMEPORT_ETCD:-}.
        CommandLine raw = HomeportServerCommand.commandLine();
        raw.setInterpolateVariables(false);
        Map<String, OptionSpec> byVariable = new TreeMap<>();
        for (OptionSpec o : raw.getCommandSpec().options()) {
            String variable = variableOf(o);
            if (variable != null) {
                byVariable.put(variable, o);
            }
        }
        Map<String, String> options = new TreeMap<>();
        for (String name : env.keySet()) {
            OptionSpec o = byVariable.get(name);
            if (o == null) {
                throw new IllegalArgumentException(name + " is not a variable homeport-server reads (homeport-server --help)");
            }
            options.put(name, o.longestName());
        }
        Map<String, String> byOption = new TreeMap<>();
        env.forEach((name, value) -> byOption.put(options.get(name), value));
        CommandLine cl = HomeportServerCommand.commandLine();
        cl.setDefaultValueProvider(arg -> arg instanceof OptionSpec o ? byOption.get(o.longestName()) : null);
        cl.parseArgs();
        for (Map.Entry<String, String> e : env.entrySet()) {
            OptionSpec o = byVariable.get(e.getKey());
            checkText(e.getKey() + " (" + o.longestName() + ")", o.paramLabel(), e.getValue());
        }
        return options;
    }

    private static String variableOf(OptionSpec o) {
        Matcher m = ENV_DEFAULT.matcher(String.valueOf(o.defaultValue()));
        return m.find() ? m.group(1) : null;
    }

    private static void checkText(String what, String label, String value) {
        try {
            switch (label) {
                case "DURATION" -> SettingValues.duration(value, what);
                case "SIZE" -> SettingValues.bytes(value, what);
                case "LO-HI" -> PortRange.parse(value);
                case "URL[,URL...]" -> RegistryOptions.parseEndpoints(value);
                case "ID" -> require(RELAY_ID.matcher(value).matches(), "1 to 64 letters, digits, '.', '_' or '-'");
                case "HOST:PORT" -> {
                    Matcher m = HOST_PORT.matcher(value);
                    // Empty turns --admin off; no other option of this form takes it.
                    require(value.isEmpty() || (m.matches() && Integer.parseInt(m.group(2)) <= 65535), "HOST:PORT");
                }
                default -> {
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " = '" + value + "': " + e.getMessage(), e);
        }
    }

    private static void require(boolean ok, String form) {
        if (!ok) {
            throw new IllegalArgumentException("expected " + form);
        }
    }
}
