package dev.homeport.deploy;

import dev.homeport.testsupport.LoggedLeakReports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A packaged command running in the background (a relay, a client), its output in a log file, with exactly
 * the environment given. {@link #close()} sends SIGTERM to it and the processes it started, by PID, and kills
 * whatever is left after {@link #STOP_GRACE}.
 * <p>
 * As in the tests' own JVM, Netty tracks every buffer (PARANOID, through the launchers' JAVA_OPTS), and
 * {@link #close()} fails if the output holds a leak report. Unlike e2e's processes, nothing makes a packaged
 * program look for leaks as it exits (its class path is the package's), so only leaks Netty found while it
 * ran are seen: a buffer dropped just before the exit is not.
 */
final class Program implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String PARANOID = "-Dio.netty.leakDetection.level=paranoid";
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final String name;
    private final Process process;
    private final Path log;
    private boolean leaksChecked;

    private Program(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static Program start(String name, Map<String, String> env, Path log, List<String> command) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        b.environment().clear();
        b.environment().putAll(env);
        b.environment().merge("JAVA_OPTS", PARANOID, (given, paranoid) -> given + " " + paranoid);
        return new Program(name, b.start(), log);
    }

    /** The started process: after setpriv's and the launcher's exec, the JVM itself. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Waits for {@code regex} in the output and returns its first group; fails with the output if the program ends first. */
    String await(String regex) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Matcher m = p.matcher(output());
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited " + process.exitValue() + " before printing /" + regex + "/:\n" + output());
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " printed no /" + regex + "/ within " + START_TIMEOUT + ":\n" + output());
    }

    /** SIGTERM, then the exit status (KILL after the grace period: then a failure). */
    int stop() throws InterruptedException {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        family.forEach(ProcessHandle::destroy);
        if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
            close();
            throw new AssertionError(name + " did not stop within " + STOP_GRACE + " of SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        family.forEach(ProcessHandle::destroy);
        if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
        }
        family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (!leaksChecked) {
            leaksChecked = true;
            LoggedLeakReports.assertNone(name + " (pid " + process.pid() + ")", output().lines().toList());
        }
    }
}
