package dev.homeport.cli.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a config file for one command line looks like.
 *
 * @param schema   the top-level keys, from the options of the command the file is for
 * @param sections other top-level keys a command reads itself (the client's {@code tunnels}), each with
 *                 a check run when the file is loaded, so every mistake is reported before anything starts
 * @param commands the commands whose options take their defaults from the file
 */
public record ConfigShape(Function<CommandLine, ConfigSchema> schema,
                          Map<String, Section> sections,
                          Predicate<CommandSpec> commands) {

    /** Checks one section of a loaded file; throws {@link ConfigError} on a mistake. */
    @FunctionalInterface
    public interface Section {
        void check(CommandLine root, ConfigFile file, ConfigFile.Entry entry);
    }
}
