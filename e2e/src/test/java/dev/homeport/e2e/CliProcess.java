package dev.homeport.e2e;

import dev.homeport.testsupport.LoggedLeakReports;
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
 * <p>
 * As in the tests' own JVM, Netty tracks every buffer (PARANOID), and a leak fails the test: once the
 * process has ended, {@link #close()} (and {@link #stop()}, {@link #exitCode()}) fail if its output holds
 * a leak report. {@link LeakReportingMain} runs the main class, so that the process reports its leaks
 * before it exits.
 */
final class CliProcess implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private volatile boolean leaksChecked;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<Thread> readers = new ArrayList<>();

    private CliProcess(String name, Process process) {
        this.name = name + " (pid " + process.pid() + ")";
        this.process = process;
        readers.add(reader(process.getInputStream(), stdout, "stdout"));
        readers.add(reader(process.getErrorStream(), stderr, "stderr"));
    }

    private static final String HOMEPORT = "dev.homeport.app.HomeportMain";
    private static final String HOMEPORT_SERVER = "dev.homeport.server.cli.HomeportServerCommand";

    static CliProcess homeport(Path stateHome, String... args) throws IOException {
        return start(label("homeport", args), javaCommand(HOMEPORT, args), stateHome);
    }

    static CliProcess server(Path stateHome, String... args) throws IOException {
        return start(label("homeport-server", args), javaCommand(HOMEPORT_SERVER, args), stateHome);
    }

    /** {@code homeport-server} with JVM flags of the test's besides the usual ones (e.g. a small direct memory). */
    static CliProcess server(Path stateHome, List<String> jvmFlags, String... args) throws IOException {
        return start(label("homeport-server", args), javaCommand(jvmFlags, HOMEPORT_SERVER, args), stateHome);
    }

    /** A main class of the e2e tests' own (such as {@link LeakingMain}), started as the CLIs are. */
    static CliProcess testMain(Path stateHome, Class<?> mainClass, String... args) throws IOException {
        return start(label(mainClass.getSimpleName(), args), javaCommand(mainClass.getName(), args), stateHome);
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
        for (String word : javaCommand(HOMEPORT, args)) {
            shell.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        String script = RequiredPrograms.require("script", "bsdutils").toString();
        return start(label("homeport (on a terminal)", args), List.of(script, "-qfec", shell.toString(), "/dev/null"), stateHome);
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        return javaCommand(List.of(), mainClass, args);
    }

    private static List<String> javaCommand(List<String> jvmFlags, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(LeakReportingMain.JVM_FLAGS);
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", productionClasspath() + File.pathSeparator + e2eTestClasses(),
                LeakReportingMain.class.getName(), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** The program and the start of its arguments, enough to tell which of a test's processes it was. */
    private static String label(String program, String... args) {
        String line = String.join(" ", List.of(args));
        return program + " " + (line.length() <= 100 ? line : line.substring(0, 100) + "...");
    }

    private static CliProcess start(String name, List<String> command, Path stateHome) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command);
        Map<String, String> env = b.environment();
        env.keySet().removeIf(k -> k.startsWith("HOMEPORT_")); // only what the test passes counts
        env.put("XDG_STATE_HOME", stateHome.toString());
        env.put("XDG_CONFIG_HOME", stateHome.toString());
        env.put("XDG_DATA_HOME", stateHome.toString());
        return new CliProcess(name, b.start());
    }

    private static String productionClasspath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("test-support") && !e.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Where {@link LeakReportingMain} was loaded from: e2e's test classes, which hold no resources that would change the app. */
    private static String e2eTestClasses() {
        try {
            return Path.of(LeakReportingMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
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
        awaitLastOutput();
        assertNoLeakReported();
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
        awaitLastOutput();
        assertNoLeakReported();
        return process.exitValue();
    }

    /** SIGTERM (SIGKILL if it does not stop in time), then fails if the process reported a leak. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> family = process.toHandle().descendants().toList(); // before they are re-parented
        if (process.isAlive()) {
            // Through handles, as in stop(): our ends of its pipes stay open for its last lines, leak reports among them.
            family.forEach(ProcessHandle::destroy);
            process.toHandle().destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        awaitLastOutput();
        assertNoLeakReported();
    }

    private void awaitLastOutput() throws InterruptedException {
        for (Thread t : readers) {
            t.join(5_000);
        }
    }

    /** Once per process, so that stop() then close() report a leak once. */
    private void assertNoLeakReported() {
        if (!leaksChecked) {
            leaksChecked = true;
            List<String> output = new ArrayList<>(stdout);
            output.addAll(stderr);
            LoggedLeakReports.assertNone(name, output);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
