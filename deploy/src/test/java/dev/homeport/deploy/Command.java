package dev.homeport.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program run to its end, with exactly the environment given (nothing inherited from the test JVM, so
 * neither JAVA_HOME nor the build's PATH leaks into what a packaged command sees).
 */
record Command(int status, String output) {
    private static final long TIMEOUT_SECONDS = 120;

    static Command run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        return run(env, List.of(command));
    }

    static Command run(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        return runIn(Path.of("."), env, command);
    }

    /** As {@link #run(Map, List)}, in the working directory {@code dir}. */
    static Command runIn(Path dir, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        b.environment().clear();
        b.environment().putAll(env);
        Process p = b.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("did not finish in " + TIMEOUT_SECONDS + " s: " + command);
            }
            return new Command(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Runs it and fails, with its output, unless it exits 0; returns the output. */
    static String ok(Map<String, String> env, String... command) throws IOException, InterruptedException {
        Command c = run(env, command);
        if (c.status() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + c.status() + ":\n" + c.output());
        }
        return c.output();
    }

    static List<String> words(String... words) {
        return new ArrayList<>(List.of(words));
    }
}
