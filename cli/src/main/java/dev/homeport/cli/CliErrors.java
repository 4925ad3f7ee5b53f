package dev.homeport.cli;

import dev.homeport.cli.config.ConfigError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * How both commands (homeport, homeport-server) report bad input: one line naming the problem, a pointer to --help, and an exit
 * code (2 for usage and configuration errors, 1 for failures at run time); never a stack trace. With {@code --log-format json}
 * (or HOMEPORT_LOG_FORMAT=json) that line is a JSON log event like every other, so that stderr stays all JSON.
 */
public final class CliErrors {
    public static final int USAGE = 2;
    public static final int FAILURE = 1;
    private static final Logger log = LoggerFactory.getLogger(CliErrors.class);

    private CliErrors() {
    }

    public static void install(CommandLine cl) {
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            String help = cmd.getCommandSpec().qualifiedName() + " --help";
            if (LogFormat.requested(args) == LogFormat.JSON) {
                usageEvent(cmd.getCommandName(), ex.getMessage(), help);
            } else {
                cmd.getErr().println(cmd.getCommandName() + ": " + ex.getMessage());
                cmd.getErr().println("Try '" + help + "' for more information.");
            }
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof ConfigError) {
                configError(cmd.getErr(), ex.getMessage(), LogFormat.current()); // already FILE:LINE:COL: ...
                return USAGE;
            }
            boolean usage = ex instanceof IllegalArgumentException;
            if (LogFormat.current() == LogFormat.JSON) {
                if (usage) {
                    usageEvent(cmd.getCommandName(), "invalid setting: " + ex.getMessage(), cmd.getCommandSpec().qualifiedName() + " --help");
                } else {
                    log.error("event=failed command={} message=\"{}\"", cmd.getCommandName(), quotable(ex.getMessage()));
                }
            } else {
                cmd.getErr().println(cmd.getCommandName() + ": " + (usage ? "invalid setting: " : "error: ") + ex.getMessage());
            }
            return usage ? USAGE : FAILURE;
        });
    }

    /** A config file mistake ({@code FILE:LINE:COL: ...}): the bare line, or a JSON event in JSON mode. */
    public static void configError(PrintWriter err, String message, LogFormat format) {
        if (format == LogFormat.JSON) {
            LogFormat.JSON.apply();
            log.error("event=config_error message=\"{}\"", quotable(message));
        } else {
            err.println(message);
            err.flush();
        }
    }

    private static void usageEvent(String command, String message, String help) {
        LogFormat.JSON.apply(); // the command line did not parse, so --log-format was not applied yet
        log.error("event=usage_error command={} message=\"{}\" help=\"{}\"", command, quotable(message), help);
    }

    /** A value inside key="value": double quotes become single ones, line breaks spaces. */
    private static String quotable(String s) {
        return s == null ? "" : s.replace('"', '\'').replace('\n', ' ').replace('\r', ' ');
    }
}
