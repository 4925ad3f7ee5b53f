package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code homeport} or {@code homeport-server} in a process of its own, started as the launchers start
 * it: {@code java -cp} over the production classpath (this JVM's, less the test-only entries, so the
 * app's logback.xml is the one in force). Output lines are collected as they come; closing sends
 * SIGTERM, as Ctrl-C or systemd would, and kills the process only if it does not exit in time.
 */
final class CliProcess implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<Thread> readers = new ArrayList<>();

    private CliProcess(Process process) {
        this.process = process;
        readers.add(reader(process.getInputStream(), stdout, "stdout"));
        readers.add(reader(process.getErrorStream(), stderr, "stderr"));
    }

    static CliProcess homeport(Path stateHome, String... args) throws IOException {
        return start("dev.homeport.app.HomeportMain", stateHome, args);
    }

    static CliProcess server(Path stateHome, String... args) throws IOException {
        return start("dev.homeport.server.cli.HomeportServerCommand", stateHome, args);
    }

    /** {@code homeport-server} with JVM flags of the test's besides the usual ones (e.g. a small direct memory). */
    static CliProcess server(Path stateHome, List<String> jvmFlags, String... args) throws IOException {
        return start(javaCommand(jvmFlags, "dev.homeport.server.cli.HomeportServerCommand", args), stateHome);
    }

    /**
     * {@code homeport} on a pseudo-terminal, as in an interactive shell: util-linux {@code script} gives it
     * one for stdin, stdout and stderr, and copies everything it writes to our stdout.
     */
    static CliProcess homeportOnATerminal(Path stateHome, String... args) throws IOException {
        return homeportOnATerminal(stateHome, 0, args);
    }

    /** As above, on a terminal {@code columns} wide (0: as {@code script} makes it). */
    static CliProcess homeportOnATerminal(Path stateHome, int columns, String... args) throws IOException {
        StringBuilder shell = new StringBuilder(columns > 0 ? "stty cols " + columns + " rows 24; exec" : "exec");
        for (String word : javaCommand("dev.homeport.app.HomeportMain", args)) {
            shell.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        String script = RequiredPrograms.require("script", "bsdutils").toString();
        return start(List.of(script, "-qfec", shell.toString(), "/dev/null"), stateHome);
    }

    private static CliProcess start(String mainClass, Path stateHome, String... args) throws IOException {
        return start(javaCommand(mainClass, args), stateHome);
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        return javaCommand(List.of(), mainClass, args);
    }

    private static List<String> javaCommand(List<String> jvmFlags, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", productionClasspath(), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private static CliProcess start(List<String> command, Path stateHome) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command);
        Map<String, String> env = b.environment();
        env.keySet().removeIf(k -> k.startsWith("HOMEPORT_")); // only what the test passes counts
        env.put("XDG_STATE_HOME", stateHome.toString());
        env.put("XDG_CONFIG_HOME", stateHome.toString());
        env.put("XDG_DATA_HOME", stateHome.toString());
        return new CliProcess(b.start());
    }

    private static String productionClasspath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("test-support") && !e.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Thread reader(InputStream in, List<String> lines, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        }, "cli-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    long pid() {
        return process.pid();
    }

    List<String> stdout() {
        return List.copyOf(stdout);
    }

    List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** Waits until {@code count} stdout lines match, failing with everything the process said if it ends or times out. */
    List<String> awaitStdout(int count, Predicate<String> matching, Duration timeout) {
        try {
            Await.until(timeout, count + " matching stdout lines", () -> {
                if (!process.isAlive() && stdout.stream().filter(matching).count() < count) {
                    throw new AssertionError("the process exited with " + process.exitValue());
                }
                return stdout.stream().filter(matching).count() >= count;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + describe(), e);
        }
        return stdout.stream().filter(matching).limit(count).toList();
    }

    /** Waits until a stderr line matches. */
    void awaitStderr(Predicate<String> matching, Duration timeout, String what) {
        try {
            Await.until(timeout, what + " in stderr", () -> stderr.stream().anyMatch(matching));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + describe(), e);
        }
    }

    String describe() {
        return "stdout:\n  " + String.join("\n  ", stdout) + "\nstderr:\n  " + String.join("\n  ", stderr);
    }

    /** Waits for a command that ends by itself (e.g. {@code token add}); returns its exit code. */
    int exitCode() throws InterruptedException {
        if (!process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the command did not end within " + START_TIMEOUT + "; " + describe());
        }
        for (Thread t : readers) {
            t.join(5_000); // the rest of its output
        }
        return process.exitValue();
    }

    /** SIGKILL, as when the machine or the JVM dies: no shutdown hook runs. Waits until it is gone. */
    void kill() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then waits; returns the exit code. */
    int stop() throws InterruptedException {
        // The JVM under 'script' first; through handles: Process.destroy() would also close our ends of
        // its pipes, losing its last lines.
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.toHandle().destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the process did not stop within " + STOP_TIMEOUT + " of SIGTERM; " + describe());
        }
        for (Thread t : readers) {
            t.join(5_000); // the rest of its output
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
