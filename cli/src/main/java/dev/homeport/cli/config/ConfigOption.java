package dev.homeport.cli.config;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --config FILE}. The option is declared so that help shows it and picocli accepts it; the
 * file itself is read by {@link ConfigLauncher} before parsing, because its values are the defaults
 * of every other option.
 */
public final class ConfigOption {
    public static final String NAME = "--config";
    public static final String ENV = "HOMEPORT_CONFIG";

    @Option(names = NAME, paramLabel = "FILE", defaultValue = "${env:" + ENV + "}", scope = CommandLine.ScopeType.INHERIT,
            description = "YAML config file (env " + ENV + "): every option is also a key, --remote-port as remote_port. "
                    + "Command-line flags override environment variables, which override the file.")
    Path file;
}
