package dev.homeport.cli.config;

import dev.homeport.cli.CliErrors;
import dev.homeport.cli.LogFormat;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Map;

/**
 * Runs a command line with its config file: finds {@code --config FILE} (or HOMEPORT_CONFIG) before
 * parsing, checks the whole file, installs its values as defaults, and applies {@code --log-format}
 * before the command runs. A config mistake is one line on stderr and exit code 2.
 */
public final class ConfigLauncher {
    public static final int USAGE = 2;

    private ConfigLauncher() {
    }

    public static int execute(CommandLine root, ConfigShape shape, String... args) {
        try {
            Path path = configPath(args);
            if (path != null) {
                root.setDefaultValueProvider(load(root, shape, path));
            }
        } catch (ConfigError e) {
            CliErrors.configError(root.getErr(), e.getMessage(), LogFormat.requested(args));
            return USAGE;
        }
        CommandLine.IExecutionStrategy run = root.getExecutionStrategy();
        root.setExecutionStrategy(parsed -> {
            LogFormat.applyFrom(parsed);
            return run.execute(parsed);
        });
        return root.execute(args);
    }

    /** Reads and checks {@code path} against {@code shape}. */
    public static YamlDefaults load(CommandLine root, ConfigShape shape, Path path) {
        ConfigFile file = ConfigFile.load(path);
        Map<String, String> values = shape.schema().apply(root).read(file, file.entries(), shape.sections().keySet());
        shape.sections().forEach((key, check) -> {
            ConfigFile.Entry e = file.entries().get(key);
            if (e != null) {
                check.check(root, file, e);
            }
        });
        return new YamlDefaults(file, values, shape.commands());
    }

    /** {@code --config FILE} or {@code --config=FILE} before any {@code --}, else HOMEPORT_CONFIG, else null. */
    static Path configPath(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if (a.equals(ConfigOption.NAME) && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (a.startsWith(ConfigOption.NAME + "=")) {
                return Path.of(a.substring(ConfigOption.NAME.length() + 1));
            }
        }
        String env = System.getenv(ConfigOption.ENV);
        return env == null || env.isBlank() ? null : Path.of(env);
    }
}
