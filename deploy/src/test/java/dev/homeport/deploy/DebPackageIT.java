package dev.homeport.deploy;

import dev.homeport.testsupport.programs.RequiredPrograms;
import dev.homeport.testsupport.programs.RequiresProgram;
import dev.homeport.testsupport.programs.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The .deb on this machine, for real: {@code dpkg -i}; the commands, units, config, user and state directory
 * are where Debian puts them; the relay unit's ExecStart runs as the user {@code homeport} (setpriv: there is no
 * systemd as PID 1 here) with the unit's environment and /etc/homeport/server.env, and this build's client opens
 * a tunnel through it; an upgrade to a version-bumped copy keeps the tokens, certificate and edited config;
 * {@code dpkg --purge} removes the files and the state. Needs root and dpkg (skipped, and listed in the build's
 * summary, elsewhere; under HOMEPORT_REQUIRE_ALL_PROGRAMS it must run). Cleans up after itself even on failure.
 */
@RequiresRoot("dpkg -i installs the package system-wide")
@RequiresProgram(value = "dpkg", debianPackage = "dpkg")
@RequiresProgram(value = "dpkg-deb", debianPackage = "dpkg")
@RequiresProgram(value = "setpriv", debianPackage = "util-linux")
@RequiresProgram(value = "adduser", debianPackage = "adduser")
@RequiresProgram(value = "systemd-analyze", debianPackage = "systemd")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DebPackageIT {
    private static final Path PACKAGES = Path.of(System.getProperty("homeport.packages"));
    private static final String VERSION = System.getProperty("homeport.version");
    private static final Path UNITS = Path.of("/lib/systemd/system");
    private static final Path STATE = Path.of("/var/lib/homeport");
    private static final Path CONFIG = Path.of("/etc/homeport/server.env");
    /** dpkg syncs every file it unpacks; a test machine's dpkg database is not worth that wait. */
    private static final String DPKG_NO_SYNC = "--force-unsafe-io";
    private static final Map<String, String> ROOT_ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8");

    @TempDir
    Path work;
    private Path deb;
    private boolean userExistedBefore;
    private NoJavaPath noJavaPath;

    @BeforeEach
    void nothingOfThePackageIsHereYet() throws Exception {
        try (Stream<Path> debs = Files.list(PACKAGES)) {
            List<Path> found = debs.filter(p -> p.getFileName().toString().endsWith(".deb")).toList();
            assertThat(found).as("the .deb the package phase built in " + PACKAGES).hasSize(1);
            deb = found.get(0);
        }
        assertThat(installedVersion()).as("homeport must not be installed before this test (it installs and purges it)").isEmpty();
        userExistedBefore = Command.run(ROOT_ENV, "getent", "passwd", "homeport").status() == 0;
        noJavaPath = new NoJavaPath(STATE);
    }

    @AfterEach
    void purgeAndRemoveWhatTheTestMade() throws Exception {
        if (!installedVersion().isEmpty()) {
            Command.run(ROOT_ENV, "dpkg", "--purge", "homeport");
        }
        if (!userExistedBefore && Command.run(ROOT_ENV, "getent", "passwd", "homeport").status() == 0) {
            Command.ok(ROOT_ENV, "userdel", "homeport");
        }
        if (!userExistedBefore && Command.run(ROOT_ENV, "getent", "group", "homeport").status() == 0) {
            Command.ok(ROOT_ENV, "groupdel", "homeport");
        }
        if (noJavaPath != null) {
            noJavaPath.close();
        }
    }

    @Test
    void installRunTheRelayUnitsCommandAsItsUserTunnelUpgradeKeepingStateThenPurge() throws Exception {
        // ---- install ----
        Command.ok(ROOT_ENV, "dpkg", DPKG_NO_SYNC, "-i", deb.toString());
        String debVersion = installedVersion();
        assertThat(debVersion).isEqualTo(VERSION.replace("-SNAPSHOT", "~snapshot"));
        assertThat(query("${Depends}")).as("Depends names no Java: the package carries its runtime")
                .doesNotContainIgnoringCase("jdk").doesNotContainIgnoringCase("jre").doesNotContainIgnoringCase("java");
        assertThat(query("${Conffiles}")).contains(CONFIG.toString());

        for (String command : List.of("homeport", "homeport-server")) {
            Path onPath = Path.of("/usr/bin", command);
            assertThat(Files.isSymbolicLink(onPath)).as(onPath + " is a link").isTrue();
            assertThat(onPath.toRealPath()).isEqualTo(Path.of("/usr/lib/homeport/bin", command));
            assertThat(Command.ok(noJavaPath.environment(), onPath.toString(), "--version"))
                    .as("%s with no java on PATH", onPath).startsWith(command + " " + VERSION + " (commit ");
        }
        assertThat(UNITS.resolve("homeport-server.service")).isRegularFile();
        assertThat(UNITS.resolve("homeport@.service")).isRegularFile();
        assertThat(Path.of("/usr/share/bash-completion/completions/homeport")).isRegularFile();
        assertThat(Path.of("/usr/share/doc/homeport/copyright")).isRegularFile();
        Command verify = Command.run(ROOT_ENV, "systemd-analyze", "verify", "homeport-server.service", "homeport@ci.service");
        assertThat(verify.output()).as("systemd-analyze verify of the installed units").isEmpty();

        String[] user = Command.ok(ROOT_ENV, "getent", "passwd", "homeport").strip().split(":");
        assertThat(Integer.parseInt(user[2])).as("a system user's uid").isLessThan(1000);
        assertThat(user[5]).isEqualTo(STATE.toString());
        assertThat(user[6]).isEqualTo("/usr/sbin/nologin");
        assertThat(Files.getOwner(STATE).getName()).isEqualTo("homeport");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(STATE))).isEqualTo("rwx------");

        // ---- a token, as the README says, and the relay unit's command as its user ----
        int publicPort = TunnelThrough.freePort();
        String token = asHomeport("/usr/bin/homeport-server", "token", "add", "ci", "--ports", publicPort + "-" + publicPort,
                "--state-dir", STATE.toString()).lines().findFirst().orElseThrow();
        assertThat(token).startsWith("hp_");
        assertThat(Files.getOwner(STATE.resolve("tokens")).getName()).isEqualTo("homeport");
        // Loopback only, in the package's own config file (a conffile, which the upgrade below must keep).
        String loopback = "\nHOMEPORT_CONTROL=127.0.0.1:0\nHOMEPORT_ADMIN=127.0.0.1:0\nHOMEPORT_BIND_ADDRESS=127.0.0.1\n"
                + "HOMEPORT_PORTS=" + publicPort + "-" + publicPort + "\nHOMEPORT_SHUTDOWN_GRACE=1s\n";
        Files.writeString(CONFIG, Files.readString(CONFIG) + loopback);

        Unit unit = Unit.read(UNITS.resolve("homeport-server.service"));
        assertThat(unit.user()).isEqualTo("homeport");
        Map<String, String> env = new HashMap<>(noJavaPath.environment());
        env.putAll(unit.environment());
        assertThat(env).containsEntry("HOMEPORT_STATE_DIR", STATE.toString());
        env.putAll(unit.environmentFile());
        List<String> relayCommand = new ArrayList<>(setpriv(unit.user()));
        relayCommand.addAll(unit.execStart());
        try (Program relay = Program.start("the unit's ExecStart", env, work.resolve("relay.log"), relayCommand)) {
            assertThat(TunnelThrough.control(relay)).as("the control address of /etc/homeport/server.env").startsWith("127.0.0.1:");
            assertThat(relay.handle().info().user()).as("the relay's user, as the unit's User=").hasValue("homeport");
            TunnelThrough.roundTrip(relay, "/usr/bin/homeport", noJavaPath.environment(), token, publicPort, work);
            assertThat(relay.stop()).as("exit status after SIGTERM (the unit's SuccessExitStatus=143)").isIn(0, 143);
        }
        Map<String, String> stateBefore = contents(STATE);
        assertThat(stateBefore).as("the relay's certificate and the tokens in " + STATE).hasSizeGreaterThan(1);

        // ---- upgrade to a version-bumped copy of this .deb ----
        String bumped = debVersion + "+upgrade1";
        Path newer = bumpedCopy(bumped);
        assertThat(Command.run(ROOT_ENV, "dpkg", "--compare-versions", bumped, "gt", debVersion).status()).isZero();
        Command.ok(ROOT_ENV, "dpkg", DPKG_NO_SYNC, "-i", newer.toString());
        assertThat(installedVersion()).isEqualTo(bumped);
        assertThat(contents(STATE)).as("the relay's state after the upgrade").isEqualTo(stateBefore);
        assertThat(Files.readString(CONFIG)).as("the edited conffile after the upgrade").endsWith(loopback);
        assertThat(asHomeport("/usr/bin/homeport-server", "token", "list", "--state-dir", STATE.toString())).contains("ci");

        // ---- purge ----
        Command.ok(ROOT_ENV, "dpkg", DPKG_NO_SYNC, "--purge", "homeport");
        assertThat(installedVersion()).isEmpty();
        for (String gone : List.of("/usr/lib/homeport", "/usr/bin/homeport", "/usr/bin/homeport-server", "/etc/homeport",
                "/lib/systemd/system/homeport-server.service", "/lib/systemd/system/homeport@.service", STATE.toString(),
                "/var/lib/homeport-client")) {
            assertThat(Files.exists(Path.of(gone), LinkOption.NOFOLLOW_LINKS)).as(gone + " after purge").isFalse();
        }
        // The system user stays, as Debian's packages leave theirs (postrm says why); cleanup removes it.
        assertThat(Command.run(ROOT_ENV, "getent", "passwd", "homeport").status()).isZero();
    }

    /** {@code setpriv} as the unit's User= and its group, with that user's groups: what systemd does before ExecStart. */
    private static List<String> setpriv(String user) {
        return List.of(RequiredPrograms.require("setpriv", "util-linux").toString(), "--reuid=" + user, "--regid=" + user,
                "--init-groups", "--");
    }

    private String asHomeport(String... command) throws Exception {
        List<String> c = new ArrayList<>(setpriv("homeport"));
        c.addAll(List.of(command));
        Command r = Command.run(noJavaPath.environment(), c);
        assertThat(r.status()).as(String.join(" ", command) + ":\n" + r.output()).isZero();
        return r.output();
    }

    private Path bumpedCopy(String version) throws Exception {
        Path tree = work.resolve("bumped");
        Command.ok(ROOT_ENV, "dpkg-deb", "-R", deb.toString(), tree.toString());
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
        Path out = work.resolve("homeport_" + version + ".deb");
        // Uncompressed: xz-compressing 80 MB again would be most of this test's time.
        Command.ok(ROOT_ENV, "dpkg-deb", "--root-owner-group", "-Znone", "-b", tree.toString(), out.toString());
        return out;
    }

    private static String installedVersion() throws Exception {
        Command c = Command.run(ROOT_ENV, "dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", "homeport");
        return c.status() == 0 && c.output().startsWith("installed ") ? c.output().substring("installed ".length()).strip() : "";
    }

    private static String query(String format) throws Exception {
        return Command.ok(ROOT_ENV, "dpkg-query", "-W", "-f=" + format, "homeport");
    }

    /** Every file under {@code dir}, relative name to contents: what an upgrade must leave as it was. */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                files.put(dir.relativize(p).toString(), new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }
}
