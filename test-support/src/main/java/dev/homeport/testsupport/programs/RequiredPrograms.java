package dev.homeport.testsupport.programs;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the programs tests start (tinyproxy, pebble, Jupyter, Chromium, systemd-analyze ...). A missing one
 * skips the test with a JUnit assumption that names the program and its Debian package, and is written to the
 * build's skip list ({@link SkipList}), which the last module prints once ({@link SkippedTestsSummary}). On CI
 * nothing may be skipped: with {@value #STRICT_ENV}=1 in the environment (or -D{@value #STRICT_PROPERTY}=true)
 * a missing program fails the test instead.
 */
public final class RequiredPrograms {
    /** Set by .ci/run: a missing program is a failure, never a skip. */
    public static final String STRICT_ENV = "HOMEPORT_REQUIRE_ALL_PROGRAMS";
    public static final String STRICT_PROPERTY = "homeport.requireAllPrograms";
    /** Where root-only programs live; a user's PATH usually lacks them. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    private RequiredPrograms() {
    }

    /** Whether a missing program fails the test (CI) rather than skipping it; the property, when set, wins. */
    public static boolean strict() {
        String property = System.getProperty(STRICT_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Boolean.parseBoolean(property);
        }
        String env = System.getenv(STRICT_ENV);
        return "1".equals(env) || "true".equalsIgnoreCase(env);
    }

    /** The program's absolute path, searched on PATH and then in the sbin directories; empty when it is missing. */
    public static Optional<Path> find(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(EXTRA_DIRS);
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The program's path; when it is missing, skips the calling test (or fails it when {@link #strict()}).
     * {@code test} names the test for the summary.
     */
    public static Path require(String program, String debianPackage, String test) {
        Optional<Path> found = find(program);
        if (found.isEmpty()) {
            Assumptions.abort(skip(List.of(new SkipList.Entry(program, debianPackage, test))));
        }
        return found.get();
    }

    /** {@link #require(String, String, String)} naming the test by its caller's class. */
    public static Path require(String program, String debianPackage) {
        return require(program, debianPackage, callerClass());
    }

    /** Skips the calling test unless this JVM runs as root (or fails it when {@link #strict()}). */
    public static void requireRoot(String why) {
        if (!isRoot()) {
            Assumptions.abort(skip(List.of(new SkipList.Entry(SkipList.ROOT, why, callerClass()))));
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * What is missing, as a skip: fails when {@link #strict()}, else writes the entries to the build's skip list
     * and returns the reason to skip with.
     */
    static String skip(List<SkipList.Entry> missing) {
        List<String> what = new ArrayList<>();
        for (SkipList.Entry e : missing) {
            what.add(SkipList.ROOT.equals(e.program()) ? "needs root (" + e.debianPackage() + ")"
                    : e.program() + " is not installed (Debian package " + e.debianPackage() + ")");
        }
        if (strict()) {
            Assertions.fail(String.join("; ", what) + "; " + STRICT_ENV + " is set (as .ci/run sets it), so nothing may be skipped");
        }
        SkipList.fromSystemProperty().ifPresent(list -> missing.forEach(list::add));
        return String.join("; ", what) + ": skipped; " + howToRun(missing);
    }

    /** One line: how to get the missing things and run these tests. */
    static String howToRun(List<SkipList.Entry> entries) {
        List<String> packages = new ArrayList<>();
        boolean root = false;
        for (SkipList.Entry e : entries) {
            if (SkipList.ROOT.equals(e.program())) {
                root = true;
            } else {
                for (String p : e.debianPackage().split("\\s+")) {
                    if (!packages.contains(p)) {
                        packages.add(p);
                    }
                }
            }
        }
        StringBuilder s = new StringBuilder("to run every test: sudo .ci/run (installs the packages, then ./mvnw -B verify)");
        if (!packages.isEmpty()) {
            s.append(", or: sudo apt-get install ").append(String.join(" ", packages));
            s.append(root ? " and ./mvnw verify as root" : " and ./mvnw verify");
        } else if (root) {
            s.append(", or ./mvnw verify as root");
        }
        return s.toString();
    }

    private static String callerClass() {
        // A helper (TinyProxy, Pebble) calls this for a test: the test class is the nearest *Test or *IT on the stack.
        List<String> callers = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .map(f -> f.getDeclaringClass().getSimpleName())
                .filter(n -> !n.equals(RequiredPrograms.class.getSimpleName()))
                .toList());
        return callers.stream().filter(n -> n.endsWith("Test") || n.endsWith("IT")).findFirst()
                .orElse(callers.isEmpty() ? "?" : callers.get(0));
    }
}
