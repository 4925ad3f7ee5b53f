package dev.homeport.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code homeport start --config FILE}, the built CLI in its own process: the file's tunnels all run
 * over one connection, and flags on the command line override the file.
 */
@Timeout(180)
class ConfigFileCliTest {
    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    /** A service that reads the whole request and answers with its own name, so a reply shows which tunnel served it. */
    private LocalService named(String name) throws Exception {
        return teardown.add(LocalService.start(s -> {
            s.getInputStream().readAllBytes();
            s.getOutputStream().write(name.getBytes(StandardCharsets.UTF_8));
        }));
    }

    @Test
    void aClientStartedFromAYamlFileWithTwoTunnelsServesBoth() throws Exception {
        RelayHarness relay = teardown.add(RelayHarness.over(Transport.PLAIN).startRelay());
        LocalService alpha = named("alpha");
        LocalService beta = named("beta");
        Path file = dir.resolve("homeport.yaml");
        Files.writeString(dir.resolve("token"), RelayHarness.TOKEN + "\n");
        Files.writeString(file, """
                server: tcp://127.0.0.1:%d
                token_file: token
                insecure_plaintext: true
                max_backoff: 1s
                tunnels:
                  - {type: tcp, name: alpha, local_port: %d}
                  - type: tcp
                    name: beta
                    local_port: %d
                """.formatted(relay.controlPort(), alpha.port(), beta.port()));
        CliProcess client = teardown.add(CliProcess.homeport(dir, "start", "--config", file.toString()));

        List<String> addresses = client.awaitStdout(2, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT);
        Set<String> replies = new HashSet<>();
        for (String address : addresses) {
            replies.add(relay.request(URI.create(address).getPort(), "hello"));
        }
        assertThat(replies).containsExactlyInAnyOrder("alpha", "beta");
        assertThat(relay.relay().sessions()).as("both tunnels share one session").hasSize(1);
        assertThat(client.stop()).as("exit code after SIGTERM (143: the JVM ran its hooks and ended by the signal)").isIn(0, 143);
    }

    @Test
    void flagsOnTheCommandLineOverrideTheFile() throws Exception {
        RelayHarness relay = teardown.add(RelayHarness.over(Transport.PLAIN).startRelay());
        LocalService alpha = named("alpha");
        Path file = dir.resolve("homeport.yaml");
        // Neither the server nor the token in the file would work: only the flags can make the tunnel live.
        Files.writeString(file, """
                server: tcp://127.0.0.1:1
                token: not-the-relays-token
                insecure_plaintext: true
                tunnels:
                  - {type: tcp, local_port: %d}
                """.formatted(alpha.port()));
        CliProcess client = teardown.add(CliProcess.homeport(dir, "start", "--config", file.toString(),
                "--server", "tcp://127.0.0.1:" + relay.controlPort(), "--token", RelayHarness.TOKEN));

        String address = client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0);
        assertThat(relay.request(URI.create(address).getPort(), "hello")).isEqualTo("alpha");
        assertThat(client.stop()).isIn(0, 143);
    }
}
