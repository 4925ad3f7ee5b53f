package dev.homeport.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.net.URL;
import java.util.Locale;

/**
 * {@code --log-format text|json}: the same events, as {@code key=value} lines or as one JSON object
 * per line. logback.xml picks its appender from the HOMEPORT_LOG_FORMAT variable (a system property
 * or the environment); the flag sets the property and reloads logback.xml.
 */
public enum LogFormat {
    TEXT, JSON;

    public static final String VARIABLE = "HOMEPORT_LOG_FORMAT";

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The option, mixed into each command line's root and inherited by its subcommands. */
    public static final class Flag {
        @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${env:" + VARIABLE + ":-text}",
                scope = CommandLine.ScopeType.INHERIT,
                description = "Log lines on stderr as key=value text or as JSON, one object per line: ${COMPLETION-CANDIDATES} "
                        + "(env " + VARIABLE + "). Default: ${DEFAULT-VALUE}.")
        LogFormat format;
    }

    /** The format in force: what --log-format set, else HOMEPORT_LOG_FORMAT, else text. */
    public static LogFormat current() {
        String v = System.getProperty(VARIABLE, System.getenv(VARIABLE));
        return JSON.toString().equalsIgnoreCase(v) ? JSON : TEXT;
    }

    /**
     * The format a command line asks for before it is parsed (a usage error means it never is):
     * {@code --log-format F} or {@code --log-format=F} before any {@code --}, else {@link #current()}.
     */
    public static LogFormat requested(String[] args) {
        for (int i = 0; args != null && i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            String value = a.equals("--log-format") && i + 1 < args.length ? args[i + 1]
                    : a.startsWith("--log-format=") ? a.substring("--log-format=".length()) : null;
            if (value != null) {
                return JSON.toString().equalsIgnoreCase(value) ? JSON : TEXT;
            }
        }
        return current();
    }

    /** Applies the format the parsed command line asks for, before the command runs. */
    public static void applyFrom(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        CommandLine.Model.OptionSpec option = last.commandSpec().findOption("--log-format");
        if (option != null && option.getValue() instanceof LogFormat f) {
            f.apply();
        }
    }

    /** Reloads logback.xml with this format, unless it is already the one in use. */
    public void apply() {
        String current = System.getProperty(VARIABLE, System.getenv(VARIABLE));
        if (toString().equals(current == null ? TEXT.toString() : current)) {
            return;
        }
        System.setProperty(VARIABLE, toString());
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        URL xml = LogFormat.class.getClassLoader().getResource("logback.xml");
        if (!(factory instanceof LoggerContext context) || xml == null) {
            return; // not our logging setup (e.g. a test's logback-test.xml): leave it alone
        }
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(xml);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot reload " + xml + ": " + e.getMessage(), e);
        }
    }
}
