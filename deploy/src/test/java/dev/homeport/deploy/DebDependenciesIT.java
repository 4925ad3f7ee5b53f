package dev.homeport.deploy;

import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The .deb's Depends covers what its native code links against, as Debian's own tool computes it:
 * {@code dpkg-shlibdeps} over every ELF file of the runtime and Netty's native libraries (which Netty unpacks
 * from its jars at start), each needed package named in Depends at that version or newer; and Depends names no
 * JDK. The package is unpacked as dpkg-shlibdeps expects a package build tree (debian/homeport).
 */
@RequiresProgram(value = "dpkg-shlibdeps", debianPackage = "dpkg-dev")
@RequiresProgram(value = "dpkg-deb", debianPackage = "dpkg")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DebDependenciesIT {
    private static final Path PACKAGES = Path.of(System.getProperty("homeport.packages"));
    private static final String DEPENDS = System.getProperty("homeport.deb.depends");
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8");
    /** "libc6 (>= 2.34)": a package and the lowest version it must have. */
    private static final Pattern RELATION = Pattern.compile("([a-z0-9.+-]+)(?: \\(>= ([^)]+)\\))?");

    @TempDir
    Path work;

    @Test
    void dependsCoversEveryLibraryTheRuntimeAndNettysNativesLinkAgainst() throws Exception {
        Path deb;
        try (Stream<Path> debs = Files.list(PACKAGES)) {
            deb = debs.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElseThrow();
        }
        Path tree = work.resolve("debian/homeport");
        Files.createDirectories(tree.getParent());
        Command.ok(ENV, "dpkg-deb", "-x", deb.toString(), tree.toString());
        Files.writeString(work.resolve("debian/control"), "Source: homeport\n\nPackage: homeport\nArchitecture: any\n");
        Path home = tree.resolve("usr/lib/homeport");
        List<String> elves = new ArrayList<>(elfFiles(home.resolve("runtime")));
        elves.addAll(nettyNatives(home.resolve("lib"), tree.resolve("netty-natives")));
        assertThat(elves).as("the runtime's and Netty's native files").hasSizeGreaterThan(10);

        List<String> command = new ArrayList<>(List.of("dpkg-shlibdeps", "-O",
                "-l" + home.resolve("runtime/lib"), "-l" + home.resolve("runtime/lib/server")));
        elves.forEach(f -> command.add("-e" + f));
        Command shlibdeps = Command.runIn(work, ENV, command);
        assertThat(shlibdeps.status()).as(shlibdeps.output()).isZero();
        Matcher m = Pattern.compile("(?m)^shlibs:Depends=(.*)$").matcher(shlibdeps.output());
        assertThat(m.find()).as(shlibdeps.output()).isTrue();
        Map<String, String> needed = relations(m.group(1));
        Map<String, String> declared = relations(DEPENDS);
        assertThat(needed).as("dpkg-shlibdeps found the C library").containsKey("libc6");

        for (Map.Entry<String, String> need : needed.entrySet()) {
            assertThat(declared).as("Depends: %s names %s (dpkg-shlibdeps: %s)", DEPENDS, need.getKey(), m.group(1))
                    .containsKey(need.getKey());
            if (need.getValue() != null) {
                String ours = declared.get(need.getKey());
                assertThat(ours).as("a version for " + need.getKey()).isNotNull();
                assertThat(Command.run(ENV, "dpkg", "--compare-versions", ours, "ge", need.getValue()).status())
                        .as("%s (>= %s) in Depends, dpkg-shlibdeps wants >= %s", need.getKey(), ours, need.getValue()).isZero();
            }
        }
        assertThat(declared.keySet()).noneMatch(p -> p.contains("jdk") || p.contains("jre") || p.contains("java"));
    }

    private static Map<String, String> relations(String field) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : field.split(",")) {
            Matcher m = RELATION.matcher(part.strip());
            assertThat(m.matches()).as("a relation: " + part).isTrue();
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    private static List<String> elfFiles(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                if (isElf(p)) {
                    out.add(p.toString());
                }
            }
        }
        return out;
    }

    /** The .so files Netty's native jars carry for this machine, unpacked as Netty unpacks them at start. */
    private static List<String> nettyNatives(Path lib, Path into) throws IOException {
        List<String> out = new ArrayList<>();
        Files.createDirectories(into);
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path jar : (Iterable<Path>) jars.filter(p -> p.getFileName().toString().matches("netty-.*-linux-.*\\.jar"))::iterator) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    for (ZipEntry e : zip.stream().map(ZipEntry.class::cast).toList()) {
                        if (e.getName().startsWith("META-INF/native/") && e.getName().endsWith(".so")) {
                            Path to = into.resolve(Path.of(e.getName()).getFileName().toString());
                            try (InputStream in = zip.getInputStream(e)) {
                                Files.copy(in, to);
                            }
                            out.add(to.toString());
                        }
                    }
                }
            }
        }
        assertThat(out).as("Netty's epoll and BoringSSL libraries").hasSize(2);
        return out;
    }

    private static boolean isElf(Path p) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(p)) {
            return in.readNBytes(head, 0, 4) == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        }
    }
}
