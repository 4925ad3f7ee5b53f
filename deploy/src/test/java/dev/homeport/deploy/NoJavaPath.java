package dev.homeport.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A PATH like /usr/bin:/bin with every Java program taken out: a directory of links to the programs of
 * /usr/bin and /bin, less those of a JDK (java, jar, jlink ...: anything that resolves under /usr/lib/jvm or
 * is named like one). The environment built on it has no JAVA_HOME: what runs there cannot find a JDK. The
 * directory is its own, not a JUnit @TempDir (which warns about each link to outside it); close deletes it.
 */
final class NoJavaPath implements AutoCloseable {
    private static final Set<String> JDK_NAMES = Set.of("java", "javac", "jar", "jarsigner", "jlink", "jshell",
            "jdeps", "jpackage", "jcmd", "jps", "jstack", "jmap", "jinfo", "jstat", "jdb", "keytool", "jfr", "jrunscript",
            "javadoc", "javap", "jimage", "jmod", "jconsole", "jhsdb", "rmiregistry", "serialver", "jstatd", "jdeprscan");

    private final Path dir;
    private final Map<String, String> environment;

    /** Links the programs; {@link #environment()} is then PATH=that directory, HOME={@code home} and LANG. */
    NoJavaPath(Path home) throws IOException {
        // World-readable: DebPackageIT runs the relay as the package's user on this PATH.
        dir = Files.createTempDirectory("no-java-path", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        environment = Map.of("PATH", dir.toString(), "HOME", home.toString(), "LANG", "C.UTF-8");
        for (String from : new String[] {"/usr/bin", "/bin"}) {
            try (Stream<Path> programs = Files.list(Path.of(from))) {
                for (Path p : (Iterable<Path>) programs::iterator) {
                    Path link = dir.resolve(p.getFileName().toString());
                    if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) || isJava(p)) {
                        continue;
                    }
                    Files.createSymbolicLink(link, p);
                }
            }
        }
    }

    Map<String, String> environment() {
        return environment;
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> links = Files.list(dir)) {
            for (Path link : (Iterable<Path>) links::iterator) {
                Files.delete(link);
            }
        }
        Files.delete(dir);
    }

    private static boolean isJava(Path program) {
        if (JDK_NAMES.contains(program.getFileName().toString())) {
            return true;
        }
        try {
            return program.toRealPath().startsWith("/usr/lib/jvm");
        } catch (IOException dangling) {
            return true;
        }
    }
}
