package dev.homeport.cli.config;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config file's values as picocli defaults, so the order of precedence is picocli's own:
 * a flag on the command line wins; then an environment variable named in the option's default
 * ({@code ${env:HOMEPORT_...}}) if it is set; then the file; then the built-in default.
 */
public final class YamlDefaults implements IDefaultValueProvider {
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)");

    private final ConfigFile file;
    private final Map<String, String> values;
    private final Predicate<CommandSpec> commands;

    YamlDefaults(ConfigFile file, Map<String, String> values, Predicate<CommandSpec> commands) {
        this.file = file;
        this.values = Map.copyOf(values);
        this.commands = commands;
    }

    /** The file the defaults came from, for commands that read a section of it themselves. */
    public ConfigFile file() {
        return file;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        OptionSpec origin = option.inherited() && option.root() instanceof OptionSpec r ? r : option;
        if (origin.command() == null || !commands.test(origin.command())) {
            return null;
        }
        String value = values.get(ConfigSchema.key(option));
        if (value == null || environmentSets(origin)) {
            return null;
        }
        // picocli expands ${...} in defaults; the file's values are already final.
        return value.replace("${", "$${");
    }

    private static boolean environmentSets(OptionSpec option) {
        // The default as written in the annotation, before picocli expands it.
        Option annotation = option.userObject() instanceof AnnotatedElement e ? e.getAnnotation(Option.class) : null;
        String declared = annotation == null ? null : annotation.defaultValue();
        if (declared == null) {
            return false;
        }
        Matcher m = ENV_DEFAULT.matcher(declared);
        while (m.find()) {
            String v = System.getenv(m.group(1));
            if (v != null && !v.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
