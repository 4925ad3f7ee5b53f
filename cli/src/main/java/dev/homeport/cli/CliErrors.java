package dev.homeport.cli;

import dev.homeport.cli.config.ConfigError;
import picocli.CommandLine;

/**
 * How both commands (homeport, homeport-server) report bad input: one line naming the problem, a pointer to --help, and an exit
 * code (2 for usage and configuration errors, 1 for failures at run time); never a stack trace.
 */
public final class CliErrors {
    public static final int USAGE = 2;
    public static final int FAILURE = 1;

    private CliErrors() {
    }

    public static void install(CommandLine cl) {
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println(cmd.getCommandName() + ": " + ex.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof ConfigError) {
                cmd.getErr().println(ex.getMessage()); // already FILE:LINE:COL: ...
                return USAGE;
            }
            boolean usage = ex instanceof IllegalArgumentException;
            cmd.getErr().println(cmd.getCommandName() + ": " + (usage ? "invalid setting: " : "error: ") + ex.getMessage());
            return usage ? USAGE : FAILURE;
        });
    }
}
