package dev.homeport.bench;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Measures a TCP path given only the HOST:PORT of its entry, so the same numbers can be taken
 * directly, through {@code ssh -R} and through a Homeport tunnel. Each measurement prints one
 * human-readable line and one JSON line (starting with '{') for scripts.
 */
@Command(
        name = "homeport-bench",
        mixinStandardHelpOptions = true,
        version = "homeport-bench 0.1.0",
        description = "Load tool for TCP paths: run 'serve' at the far end, point the others at the path's entry.",
        subcommands = {
            ServeCommand.class,
            ThroughputCommand.class,
            LatencyCommand.class,
            FairnessCommand.class,
            ConcurrencyCommand.class,
        })
public final class LoadTool {

    private LoadTool() {
    }

    public static void main(String[] args) {
        // Netty would pick up any SLF4J binding on the class path and log at DEBUG; JUL stays at INFO.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LoadTool());
        cli.registerConverter(Target.class, Target::parse);
        cli.registerConverter(ByteSize.class, ByteSize::parse);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof BenchFailure failure) {
                commandLine.getErr().println("error: " + failure.getMessage());
                return failure.exitCode();
            }
            throw ex;
        });
        return cli;
    }
}
