package dev.homeport.deploy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The self-contained bundle (homeport-VERSION-linux-ARCH.tar.gz, built in this module's package phase) as a user
 * gets it: unpacked into an empty directory and run with a PATH that has no java on it and no JAVA_HOME. Both
 * commands answer, and a relay and a client from the bundle carry bytes through a TLS tunnel on loopback.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BundleIT {
    private static final Path TAR = Path.of(System.getProperty("homeport.bundle"));
    private static final String VERSION = System.getProperty("homeport.version");

    @TempDir
    Path work;
    private Path bundle;
    private NoJavaPath noJavaPath;
    private Map<String, String> noJava;

    @BeforeEach
    void unpackIntoAnEmptyDirectory() throws Exception {
        assertThat(TAR).as("the bundle, built by the package phase").isRegularFile();
        Path unpacked = Files.createDirectories(work.resolve("unpacked"));
        Command.ok(Map.of("PATH", "/usr/bin:/bin"), "tar", "-xzf", TAR.toString(), "-C", unpacked.toString());
        try (Stream<Path> top = Files.list(unpacked)) {
            List<Path> dirs = top.toList();
            assertThat(dirs).as("one top directory, named as the tar").hasSize(1);
            bundle = dirs.get(0);
        }
        assertThat(bundle.getFileName().toString() + ".tar.gz").isEqualTo(TAR.getFileName().toString());
        noJavaPath = new NoJavaPath(Files.createDirectories(work.resolve("home")));
        noJava = noJavaPath.environment();
    }

    @AfterEach
    void deleteThePath() throws Exception {
        noJavaPath.close();
    }

    @Test
    void bothCommandsPrintTheirVersionWithNoJavaOnPathAndNoJavaHome() throws Exception {
        assertThat(Command.run(noJava, "sh", "-c", "command -v java || test -n \"$JAVA_HOME\"").status())
                .as("this environment has no java on PATH and no JAVA_HOME").isNotZero();

        assertThat(Command.ok(noJava, bundle.resolve("bin/homeport").toString(), "--version"))
                .startsWith("homeport " + VERSION + " (commit ");
        assertThat(Command.ok(noJava, bundle.resolve("bin/homeport-server").toString(), "--version"))
                .startsWith("homeport-server " + VERSION + " (commit ");
    }

    @Test
    void aRelayAndAClientFromTheBundleCarryBytesThroughATlsTunnel() throws Exception {
        int publicPort = TunnelThrough.freePort();
        String token = TunnelThrough.newToken();
        List<String> relayCommand = new ArrayList<>(List.of(bundle.resolve("bin/homeport-server").toString()));
        relayCommand.addAll(TunnelThrough.loopbackRelayArgs(publicPort));
        relayCommand.addAll(List.of("--token", token, "--state-dir", work.resolve("relay-state").toString()));
        try (Program relay = Program.start("bundle's homeport-server", noJava, work.resolve("relay.log"), relayCommand)) {
            TunnelThrough.roundTrip(relay, bundle.resolve("bin/homeport").toString(), noJava, token, publicPort, work);
            assertThat(relay.stop()).as("exit status after SIGTERM").isIn(0, 143);
            assertThat(relay.output()).contains("event=relay_stopped");
        }
        assertThat(work.resolve("relay-state")).as("the relay kept its certificate in --state-dir").isNotEmptyDirectory();
    }

    @Test
    void theBundleCarriesCompletionExamplesReadmeAndCopyright() throws Exception {
        for (String command : List.of("homeport", "homeport-server")) {
            Path bash = bundle.resolve("share/bash-completion/completions/" + command);
            assertThat(Files.readString(bash)).as(bash.toString()).doesNotStartWith("#!");
            // Sourced by bash, the script registers its completion function for the command.
            Map<String, String> env = new HashMap<>(noJava);
            String registered = Command.ok(env, "bash", "-c", "source '" + bash + "' && complete -p " + command);
            assertThat(registered).contains("complete ").endsWith(" " + command + "\n");
            assertThat(Files.readString(bundle.resolve("share/zsh/vendor-completions/_" + command))).startsWith("#compdef " + command);
        }
        assertThat(bundle.resolve("examples/homeport.example.yaml")).isRegularFile();
        assertThat(bundle.resolve("examples/homeport-server.example.yaml")).isRegularFile();
        assertThat(Files.readString(bundle.resolve("README.md"))).startsWith("# Homeport");
        assertThat(Files.readString(bundle.resolve("COPYRIGHT"))).contains("runtime/*", "Apache-2.0");
        assertThat(bundle.resolve("runtime/legal/java.base/LICENSE")).isRegularFile();
        // Only this machine's Netty natives: the others would only weigh.
        try (Stream<Path> jars = Files.list(bundle.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("-osx-") || n.contains("-windows-"));
        }
    }
}
