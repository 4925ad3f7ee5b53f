package dev.homeport.deploy;

import dev.homeport.testsupport.programs.RequiresProgram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The systemd units in deploy/systemd, checked by systemd itself: {@code systemd-analyze verify} in a
 * throwaway root where the units are installed as README's walk-through installs them (this checkout's
 * launchers at /opt/homeport), so every ExecStart must name an executable that exists there; and
 * {@code systemd-analyze security}, which scores the hardening. Needs systemd-analyze (Debian package
 * systemd, in .ci/run); without it the class is skipped (and fails on CI, see RequiredPrograms).
 */
@RequiresProgram(value = "systemd-analyze", debianPackage = "systemd")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemdUnitsTest {
    private static final Path UNITS = Path.of("systemd");
    private static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SYSTEMD_UNITS = Path.of("/usr/lib/systemd/system");
    /** systemd-analyze security's exposure, times ten: 40 is 4.0, the upper part of "OK" (0 safe, 100 unsafe). */
    private static final int MAX_EXPOSURE = 40;

    @TempDir
    Path root;

    @BeforeEach
    void installIntoThrowawayRoot() throws IOException {
        if (!Files.isDirectory(SYSTEMD_UNITS)) {
            fail(SYSTEMD_UNITS + " is missing: install Debian's systemd package (see .ci/run)");
        }
        // systemd's own units (sysinit.target and the rest), which every service depends on.
        copyTree(SYSTEMD_UNITS, root.resolve("usr/lib/systemd/system"));
        for (String launcher : List.of("homeport", "homeport-server")) {
            Path to = root.resolve("opt/homeport").resolve(launcher);
            Files.createDirectories(to.getParent());
            Files.copy(CHECKOUT.resolve(launcher), to, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path system = Files.createDirectories(root.resolve("etc/systemd/system"));
        for (String unit : List.of("homeport-server.service", "homeport@.service")) {
            Files.copy(UNITS.resolve(unit), system.resolve(unit));
        }
    }

    @Test
    void systemdAnalyzeVerifiesBothUnitsWithoutAWord() throws Exception {
        Result r = analyze("verify", "--root=" + root, "homeport-server.service", "homeport@jupyter.service");
        assertThat(r.output()).as("systemd-analyze verify says nothing about good units").isEmpty();
        assertThat(r.status()).isZero();
    }

    @Test
    void verifyFailsWhenExecStartNamesNoExecutable() throws Exception {
        Files.delete(root.resolve("opt/homeport/homeport"));
        Result r = analyze("verify", "--root=" + root, "homeport@jupyter.service");
        assertThat(r.status()).isNotZero();
        assertThat(r.output()).contains("/opt/homeport/homeport is not executable");
    }

    @Test
    void hardeningScoresOkInSystemdAnalyzeSecurity() throws Exception {
        for (String unit : List.of("homeport-server.service", "homeport@jupyter.service")) {
            Result r = analyze("security", "--offline=yes", "--root=" + root, "--threshold=" + MAX_EXPOSURE, unit);
            assertThat(r.status()).as(unit + " exposure at most " + MAX_EXPOSURE / 10.0 + ":\n" + r.output()).isZero();
        }
    }

    @Test
    void unitsRestartOnFailureStartAtBootAndReadTheirTokenFromAnEnvironmentFile() throws IOException {
        String server = Files.readString(UNITS.resolve("homeport-server.service"));
        String client = Files.readString(UNITS.resolve("homeport@.service"));
        for (String unit : List.of(server, client)) {
            assertThat(unit).contains("\nRestart=on-failure\n", "\nWantedBy=multi-user.target\n", "\nNoNewPrivileges=yes\n",
                    "\nProtectSystem=strict\n", "\nStateDirectory=", "\nEnvironmentFile=");
        }
        assertThat(server).contains("\nUser=homeport\n", "\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n",
                "\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n");
        assertThat(client).contains("\nDynamicUser=yes\n", "\nCapabilityBoundingSet=\n");
    }

    private record Result(int status, String output) {
    }

    private static Result analyze(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("systemd-analyze"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("cannot run systemd-analyze (install Debian's systemd package, see .ci/run): " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                fail("systemd-analyze did not finish: " + command);
            }
            return new Result(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
