package dev.homeport.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build is: the version and the git commit it was built from, from build.properties (filled in by
 * Maven at build time), for {@code --version} of both commands and the relay's /health. A tree built without
 * .git (a source tarball) says commit "unknown".
 */
public record BuildInfo(String version, String commit) {
    private static final String RESOURCE = "build.properties";
    /** Written by the build from git's HEAD (cli/pom.xml). */
    private static final String COMMIT_RESOURCE = "commit.properties";
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    /** "homeport 0.1.0 (commit 1a2b3c4)", as --version prints it. */
    public String describe(String command) {
        return command + " " + version + " (commit " + commit + ")";
    }

    static BuildInfo load() {
        Properties p = new Properties();
        read(RESOURCE, p);
        read(COMMIT_RESOURCE, p);
        return of(p.getProperty("version"), p.getProperty("commit"));
    }

    private static void read(String resource, Properties into) {
        try (InputStream in = BuildInfo.class.getResourceAsStream(resource)) {
            if (in != null) {
                into.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " of the homeport-cli jar", e);
        }
    }

    /** From the filtered values; a placeholder Maven left unfilled (no git) or a missing value is "unknown". */
    static BuildInfo of(String version, String commit) {
        return new BuildInfo(known(version), known(commit));
    }

    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value.strip();
    }
}
