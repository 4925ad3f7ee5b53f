package dev.homeport.e2e;

import dev.homeport.testsupport.LoggedLeakReports;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The {@code homeport} client CLI as its own process (this JVM's java and classpath, the CLI's main
 * class), so that it reads the environment (HOME, JUPYTER_RUNTIME_DIR) and prints to its stdout
 * as it does for a user. Netty tracks every buffer in it, and {@link #close()} fails if it reported a
 * leak (see {@link LeakReportingMain}).
 */
final class ClientCliProcess implements AutoCloseable {
    private final ExternalProcess process;

    private ClientCliProcess(ExternalProcess process) {
        this.process = process;
    }

    static ClientCliProcess start(List<String> args, Map<String, String> env, Path log) throws Exception {
        return start(List.of(), args, env, log);
    }

    /** With {@code jvmOptions} (such as {@code -Djavax.net.ssl.trustStore=...}) before the main class. */
    static ClientCliProcess start(List<String> jvmOptions, List<String> args, Map<String, String> env, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(LeakReportingMain.JVM_FLAGS);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LeakReportingMain.class.getName(),
                "dev.homeport.client.cli.HomeportCommand"));
        cmd.addAll(args);
        return new ClientCliProcess(ExternalProcess.start("homeport", cmd, env, log));
    }

    /** Waits until the output holds a line that {@code done} accepts, and returns the whole output. */
    String awaitOutput(Predicate<String> done, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            String out = process.output();
            if (out.lines().anyMatch(done)) {
                return out;
            }
            if (!process.alive()) {
                throw new AssertionError("homeport exited early:\n" + out);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("homeport did not print the expected line within " + limit + ":\n" + process.output());
    }

    boolean alive() {
        return process.alive();
    }

    String output() {
        return process.output();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
        LoggedLeakReports.assertNone(process.toString(), process.output().lines().toList());
    }
}
